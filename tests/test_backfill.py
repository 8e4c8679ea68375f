"""Backfill: local and Spark engines agree with each other and with the streaming engine.

The corpus is the project's demo corpus (31 articles, 6 gold stories, 8 languages)
plus generated bad records. Windows are deliberately small (2 days, 3 days of
overlap) so that most stories cross a window boundary and the cross-window
linking is what keeps them whole.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

import pytest

from newsloom import Engine
from newsloom.backfill import job, main as backfill_main, pairwise_agreement
from newsloom.backfill import parquet as pq_io
from newsloom.backfill.importer import import_backfill, main as import_main
from newsloom.backfill.local import run_local
from newsloom.model import RawArticle, content_id
from newsloom.weave import new_story_id

IN_CI = os.environ.get("CI", "").lower() == "true"
DEMO = Path(str(resources.files("newsloom") / "data" / "demo" / "articles.jsonl"))
#: Small windows: most stories of the demo corpus cross a boundary.
CONFIG = job.BackfillConfig(window_days=2.0, overlap_days=3.0, weave_window_days=3.0)


def _demo_records() -> list[dict]:
    return [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]


BAD_LINES = [
    '{"title": "cut short", "text": "the line ends before the object does',
    json.dumps({"title": "blank", "text": "   ", "published": "2025-03-14T08:00:00Z"}),
    json.dumps({"title": "no date", "text": "An article that gives no date anywhere, long enough to keep."}),
    json.dumps({"title": "wrong type", "text": 42, "published": "2025-03-14T08:00:00Z"}),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(DEMO, folder / "articles.jsonl")
    (folder / "bad.jsonl").write_text("\n".join(BAD_LINES) + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not an input format of the backfill\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def judge():
    """The streaming engine's judge when it can be loaded, else the cosine baseline; both paths share it."""
    from newsloom.engine import default_judge

    return default_judge()


@pytest.fixture(scope="module")
def local_run(corpus, judge, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    return run_local([str(corpus)], out, CONFIG, judge=judge), out


@pytest.fixture(scope="module")
def streamed(judge, tmp_path_factory) -> dict[str, str]:
    engine = Engine(db=tmp_path_factory.mktemp("stream") / "s.db", similarity=judge)
    report = engine.ingest([DEMO])
    engine.close()
    assert not report.errors, [str(r.error) for r in report.errors]
    return {r.article_id: r.story_id for r in report.added}


def _assignments(out: Path) -> dict[str, str]:
    return {r["article_id"]: r["story_id"] for r in pq_io.read_table(out, pq_io.ASSIGNMENTS)}


# -- the plan's pieces -------------------------------------------------------------------
def test_pairwise_agreement_is_invariant_to_relabelling_and_counts_disagreeing_pairs():
    a = {"x": "s1", "y": "s1", "z": "s2"}
    assert pairwise_agreement(a, {"x": "A", "y": "A", "z": "B"}) == 1.0
    # moving z into x's story changes 2 of the 3 pairs
    assert pairwise_agreement(a, {"x": "A", "y": "A", "z": "A"}) == pytest.approx(1 / 3)


def test_a_storys_top_entities_leave_out_news_agencies_as_its_dossier_does():
    members = [{"article_id": f"a{i}", "published": datetime(2024, 5, 6, 10, tzinfo=timezone.utc), "lang": "en",
                "source": "Wire", "headline": "Cassis meets Red Cross", "window": 0, "window_story": "s",
                "vector": None,
                "entity_ids": ["org:reuters", "per:kasis", "org:red-cross"]} for i in range(3)]
    story = job.build_story("s-1", members, job.BackfillConfig())
    assert story["top_entities"] == ["org:red-cross", "per:kasis"]


def test_an_article_is_copied_into_the_windows_whose_overlap_reaches_it():
    config = job.BackfillConfig(window_days=2.0, overlap_days=3.0)
    when = datetime(2025, 3, 14, 7, 30, tzinfo=timezone.utc)
    windows = job.windows_of(when, config)
    assert windows[0] == job.home_window(when, config)
    assert windows == list(range(windows[0], windows[0] + len(windows)))
    for w in windows[1:]:  # every later window starts less than 3 days after the article
        start = job.EPOCH + timedelta(seconds=w * config.window_seconds)
        assert timedelta(0) < start - when <= timedelta(days=3)
    nxt = job.EPOCH + timedelta(seconds=(windows[-1] + 1) * config.window_seconds)
    assert nxt - when > timedelta(days=3)


def _copy(window: int, article: str, story: str, home: bool, day: int) -> dict:
    return {"window": window, "article_id": article, "window_story": story, "home": home,
            "published": datetime(2025, 1, day, tzinfo=timezone.utc)}


def test_linking_follows_the_majority_of_overlap_articles_and_names_stories_after_their_first_article():
    copies = [
        _copy(0, "a", "s-a", True, 1), _copy(0, "b", "s-a", True, 2), _copy(0, "c", "s-c", True, 2),
        # window 1 re-wove a, b, c; it grouped a with c (a minority), b with its own new article d
        _copy(1, "a", "w1-x", False, 1), _copy(1, "c", "w1-x", False, 2), _copy(1, "b", "w1-y", False, 2),
        _copy(1, "d", "w1-y", True, 3), _copy(1, "e", "w1-x", True, 3), _copy(1, "f", "w1-z", True, 3),
    ]
    links = job.link_copies(copies)
    assert links[(1, "w1-y")] == (0, "s-a")
    assert links[(1, "w1-x")] == (0, "s-a")  # a tie between s-a and s-c: the smallest id
    assert (1, "w1-z") not in links
    ids = job.resolve_story_ids(links, job.first_home_articles(copies))
    assert ids[(1, "w1-y")] == ids[(1, "w1-x")] == ids[(0, "s-a")]
    assert ids[(0, "s-a")] == _story_id_of("a")
    assert ids[(1, "w1-z")] == _story_id_of("f")
    assert ids[(0, "s-c")] == _story_id_of("c")


def _story_id_of(article_id: str) -> str:
    from types import SimpleNamespace

    return new_story_id(SimpleNamespace(id=article_id))


def test_parquet_and_warc_inputs_are_read_with_the_project_readers(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    records = _demo_records()[:3]
    table = pa.table({"title": [r["title"] for r in records] + ["no text"],
                      "text": [r["text"] for r in records] + [None],
                      "published": [datetime.fromisoformat(r["published"]) for r in records] + [None],
                      "source": [r["source"] for r in records] + [None]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    items = list(job.read_bytes("file:/data/part-0.parquet", buf.getvalue()))
    raws = [i for i in items if isinstance(i, RawArticle)]
    assert [r.title for r in raws] == [r["title"] for r in records]
    assert all(r.published.tzinfo is not None for r in raws)
    assert [(e.origin, e.kind) for e in items if not isinstance(e, RawArticle)] == \
        [("/data/part-0.parquet:row 4", "malformed")]

    html = ("<html><head><title>Harbour cranes stop for the strike</title></head><body><article>"
            "<h1>Harbour cranes stop for the strike</h1><p>Dock workers at the northern harbour stopped all "
            "cranes on Monday morning, demanding a new contract and safer night shifts.</p><p>The port "
            "authority said ships would be diverted to the southern terminal until talks resume.</p>"
            "</article></body></html>").encode()
    warc = io.BytesIO()
    writer = WARCWriter(warc, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://example.org/strike", "response",
                                                  payload=io.BytesIO(html), http_headers=headers,
                                                  warc_headers_dict={"WARC-Date": "2025-04-07T09:00:00Z"}))
    items = list(job.read_bytes("/data/crawl.warc.gz", warc.getvalue()))
    assert len(items) == 1 and isinstance(items[0], RawArticle)
    assert items[0].url == "https://example.org/strike" and items[0].published.year == 2025
    assert list(job.read_bytes("/data/empty.jsonl", b""))[0].kind == "empty"


# -- the local engine ------------------------------------------------------------------------
def test_bad_records_are_counted_and_written_without_failing_the_job(local_run):
    summary, out = local_run
    assert summary.articles == len(_demo_records())
    errors = pq_io.read_table(out, pq_io.ERRORS)
    kinds = sorted(e["kind"] for e in errors)
    assert kinds == sorted(["malformed", "empty", "undated", "malformed", "unsupported"])
    assert summary.errors == len(errors) and summary.errors_by_kind["malformed"] == 2
    assert any(e["origin"].endswith("bad.jsonl:line 1") for e in errors)
    assert json.loads((out / pq_io.SUMMARY_FILE).read_text())["errors"] == len(errors)


def test_local_backfill_weaves_the_stories_the_streaming_engine_weaves(local_run, streamed):
    summary, out = local_run
    assert summary.cross_window_links > 0, "the small windows must make stories cross boundaries"
    backfilled = _assignments(out)
    assert set(backfilled) == set(streamed)
    assert pairwise_agreement(backfilled, streamed) >= 0.98


def test_articles_and_stories_tables_hold_the_dossier_fields(local_run):
    _, out = local_run
    articles = {a["id"]: a for a in pq_io.read_table(out, pq_io.ARTICLES)}
    gold = {content_id(r.get("title"), r["text"]): r for r in _demo_records()}
    assert set(articles) == set(gold)
    for aid, a in articles.items():
        assert a["lang"] == gold[aid]["lang"]
        assert a["clean_text"] and len(pq_io.bytes_to_vec(a["vector"])) > 0
        assert pq_io.record_to_article(a).sentences
    stories = pq_io.read_table(out, pq_io.STORIES)
    assignments = _assignments(out)
    assert sum(s["size"] for s in stories) == len(assignments)
    for s in stories:
        members = [articles[a] for a, sid in assignments.items() if sid == s["id"]]
        assert s["size"] == len(members)
        assert pq_io.as_dict(s["languages"]) == _count(m["lang"] for m in members)
        assert s["first_seen"] == min(m["published"] for m in members)
        assert s["last_seen"] == max(m["published"] for m in members)
        first = min(members, key=lambda m: (m["published"], m["id"]))
        assert s["id"] == _story_id_of(first["id"]) and s["headline"] == first["title"]


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def test_cli_rejects_a_bad_window_and_import_rejects_a_folder_that_is_no_backfill(tmp_path, capsys):
    assert backfill_main(["x.jsonl", "--output", str(tmp_path / "o"), "--window-days", "0"]) == 2
    assert import_main(["--db", str(tmp_path / "x.db"), str(tmp_path)]) == 2
    assert "not a backfill output" in capsys.readouterr().err


# -- import, then the live stream continues -------------------------------------------------
def test_import_serves_the_backfill_and_the_live_stream_continues_it(local_run, judge, tmp_path):
    _, out = local_run
    db = tmp_path / "imported.db"
    report = import_backfill(out, db)
    assert report.articles_added == len(_demo_records()) and report.articles_skipped == 0
    again = import_backfill(out, db)
    assert again.articles_added == 0 and again.articles_skipped == len(_demo_records())

    backfilled = _assignments(out)
    stories = {s["id"]: s for s in pq_io.read_table(out, pq_io.STORIES)}
    with Engine(db=db, similarity=judge) as engine:
        listed = engine.stories(limit=100)
        assert {s.id: s.size for s in listed} == {sid: s["size"] for sid, s in stories.items()}
        biggest = max(stories.values(), key=lambda s: (s["size"], s["id"]))
        member = next(a for a, sid in backfilled.items() if sid == biggest["id"])
        original = engine.article(member)
        # a re-headlined copy of a member, a day later: the live weaver must put it in the backfilled story
        result = engine.add(original.text, title=(original.title or "") + " (update)", source="Follow-up Wire",
                            url="https://example.org/follow-up", lang=original.lang,
                            published=original.published + timedelta(days=1))
        assert result.status == "added", result.error
        assert not result.new_story and result.story_id == biggest["id"]


# -- the Spark engine --------------------------------------------------------------------------
def _spark_or_skip():
    reason = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        reason = "pyspark is not installed (pip install 'newsloom[spark]')"
    if reason is None and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        reason = "no Java runtime (apt-get install openjdk-17-jre-headless)"
    if reason:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def spark():
    _spark_or_skip()
    from newsloom.backfill.spark import spark_session

    session = spark_session("local[2]", conf={"spark.sql.shuffle.partitions": "2",
                                              "spark.default.parallelism": "2"})
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def spark_run(spark, corpus, judge, tmp_path_factory):
    from newsloom.backfill.spark import run_spark

    out = tmp_path_factory.mktemp("spark")
    missing = str(corpus / "no-such-folder")
    return run_spark([str(corpus), missing], str(out), CONFIG, spark=spark, partitions=2, judge=judge), out


def test_spark_and_local_engines_agree(spark_run, local_run):
    (s_summary, s_out), (l_summary, l_out) = spark_run, local_run
    spark_assign, local_assign = _assignments(s_out), _assignments(l_out)
    assert set(spark_assign) == set(local_assign)
    assert pairwise_agreement(spark_assign, local_assign) >= 0.98
    s_stories = {s["id"]: s["size"] for s in pq_io.read_table(s_out, pq_io.STORIES)}
    l_stories = {s["id"]: s["size"] for s in pq_io.read_table(l_out, pq_io.STORIES)}
    assert s_stories == l_stories
    assert (s_summary.windows, s_summary.cross_window_links) == (l_summary.windows, l_summary.cross_window_links)
    for table in pq_io.TABLES:
        assert pq_io.arrow_schema(table).names == _arrow_names(s_out, table)


def _arrow_names(out: Path, table: str) -> list[str]:
    import pyarrow.dataset as ds

    return ds.dataset(str(out / table), format="parquet").schema.names


def test_spark_counts_bad_records_and_a_missing_input_without_failing(spark_run, local_run):
    (s_summary, s_out), (_, l_out) = spark_run, local_run
    spark_errors = sorted((e["origin"], e["kind"]) for e in pq_io.read_table(s_out, pq_io.ERRORS))
    local_errors = sorted((e["origin"], e["kind"]) for e in pq_io.read_table(l_out, pq_io.ERRORS))
    missing = [e for e in spark_errors if e[1] == "missing"]
    assert len(missing) == 1 and missing[0][0].endswith("no-such-folder")
    assert [e for e in spark_errors if e[1] != "missing"] == local_errors
    assert s_summary.errors == len(spark_errors) and s_summary.duplicates == 0
