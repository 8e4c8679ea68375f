"""The `newsloom` command as scripts call it: names, --db, --json, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsloom.cli import main

ARTICLE = {"title": "Harbour bridge reopens after repairs",
           "text": "The harbour bridge reopened to traffic on Monday after eight months of repairs to its "
                   "steel cables, the city's transport office said.\nBuses will return to the bridge route "
                   "from Wednesday.", "source": "Harbour Times", "lang": "en",
           "published": "2025-04-07T09:00:00+00:00", "url": "https://example.org/bridge"}


def run_cli(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsloom.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "demo.db"
    assert main(["--db", str(db), "-q", "demo", "--json"]) == 0
    return db


def test_demo_then_stories_and_story_json(demo_db, capsys):
    capsys.readouterr()
    assert main(["--db", str(demo_db), "stories", "--json", "--limit", "100"]) == 0
    stories = json.loads(capsys.readouterr().out)
    assert len(stories) >= 4
    multi = [s for s in stories if len(s["languages"]) >= 2]
    assert multi, "the demo corpus has cross-lingual stories"
    for key in ("id", "headline", "languages", "sources", "article_ids", "first_seen", "last_seen"):
        assert key in stories[0]
    assert main(["--db", str(demo_db), "story", multi[0]["id"], "--json"]) == 0
    dossier = json.loads(capsys.readouterr().out)
    assert dossier["id"] == multi[0]["id"]
    assert sum(len(v) for v in dossier["articles"].values()) == len(multi[0]["article_ids"])


def test_filters_and_unknown_story(demo_db, capsys):
    capsys.readouterr()
    assert main(["--db", str(demo_db), "stories", "--lang", "pl", "--json"]) == 0
    stories = json.loads(capsys.readouterr().out)
    assert stories and all("pl" in s["languages"] for s in stories)
    assert main(["--db", str(demo_db), "story", "s-doesnotexist"]) == 2
    assert "no story" in capsys.readouterr().err


def test_ingest_stdin_jsonl_and_per_item_errors(tmp_path):
    db = tmp_path / "x.db"
    lines = json.dumps(ARTICLE) + "\n{broken json\n"
    proc = run_cli("--db", str(db), "ingest", "-", "--json", stdin=lines)
    assert proc.returncode == 1, proc.stderr  # one item failed
    out = json.loads(proc.stdout)
    assert out["added"] == 1 and len(out["errors"]) == 1
    assert out["errors"][0]["kind"] == "malformed" and "line 2" in out["errors"][0]["origin"]
    again = run_cli("--db", str(db), "ingest", "-", "--json", stdin=json.dumps(ARTICLE) + "\n")
    assert again.returncode == 0 and json.loads(again.stdout)["duplicates"] == 1


def test_compare_two_files_json(tmp_path, capsys):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(f"{ARTICLE['title']}\n{ARTICLE['text']}\n")
    b.write_text("Le pont du port rouvre après des réparations\nLe pont du port a rouvert à la circulation lundi "
                 "après huit mois de réparations de ses câbles d'acier, a indiqué le service des transports de "
                 "la ville.\nLes bus reviendront sur le pont à partir de mercredi.\n")
    capsys.readouterr()
    assert main(["--db", str(tmp_path / "c.db"), "compare", str(a), str(b), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 1.0 <= out["overall"] <= 4.0 and 0.0 <= out["similarity"] <= 1.0
    assert set(out["dimensions"]) >= {"Geography", "Entities", "Time", "Narrative", "Overall"}
    assert out["evidence"]


def test_missing_path_is_a_per_item_error(tmp_path, capsys):
    code = main(["--db", str(tmp_path / "m.db"), "ingest", str(tmp_path / "nope.txt")])
    assert code == 1
    assert "missing" in capsys.readouterr().err


def test_compare_seed_files_dated_reports_partial_reuse(tmp_path, capsys, shared_dir):
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    capsys.readouterr()
    assert main(["--db", str(tmp_path / "s.db"), "compare", "--published", "2022-01-19",
                 str(seeds[0]), str(seeds[1]), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["same_story"]
    assert out["relation"]["relation"] == "rewrite"
    assert "Lavrov" in out["relation"]["explanation"]


def test_bad_published_date_is_a_usage_error(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "b.db"), "ingest", "--published", "soon", str(tmp_path)]) == 2
    assert "date" in capsys.readouterr().err


def test_index_and_workers_options_reach_the_engine(tmp_path):
    from newsloom.cli import _engine, build_parser
    from newsloom.index import UsearchStoryIndex

    args = build_parser().parse_args(["--db", str(tmp_path / "x.db"), "--index", "usearch", "--workers", "2",
                                      "stats"])
    engine = _engine(args)
    try:
        assert engine.index_kind == "usearch" and engine.workers == 2
        assert isinstance(engine.weaver.index, UsearchStoryIndex)
    finally:
        engine.close()
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--index", "faiss", "stats"])
