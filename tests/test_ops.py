"""newsloom doctor / export / import, and schema migrations of the store."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newsloom import Engine, RawArticle
from newsloom.cli import main as cli_main
from newsloom.embed.hashing import HashingEncoder
from newsloom.errors import InputError, StoreError
from newsloom.model import Entity, Mention, TimeEvent
from newsloom.ops import doctor, export_jsonl, export_parquet, import_path
from newsloom.store import SCHEMA_VERSION, Store
from newsloom.weave import CosineJudge

ARTICLES = [
    RawArticle(title="Harbour bridge closes for repairs", source="Coast Post", url="https://coast.example/1",
               published=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
               text="The harbour bridge will close for three weeks of repairs starting on Monday.\n"
                    "Engineers found corrosion in two of the main cables during an inspection."),
    RawArticle(title="Le pont du port ferme pour travaux", source="Journal du Port", lang="fr",
               text="Le pont du port fermera trois semaines pour des travaux à partir de lundi.\n"
                    "Les ingénieurs ont trouvé de la corrosion dans deux câbles principaux."),
    RawArticle(title="Choir wins national contest", source="Valley News",
               text="The town choir won the national contest on Saturday with a programme of folk songs.\n"
                    "Its conductor said the singers had rehearsed every evening for two months."),
]


def _tables(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        out = {}
        for table in ("entities", "stories", "articles", "sentences", "mentions", "events"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in ("rowid",)]
            out[table] = sorted(conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
        out["fts"] = sorted(conn.execute("SELECT article_id, title, clean_text FROM articles_fts").fetchall())
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ops") / "news.db"
    engine = Engine(db=path, encoder=HashingEncoder(), similarity=CosineJudge(), enrich=False)
    prepared = engine.pipeline.prepare_many(ARTICLES)
    for item, raw in zip(prepared, ARTICLES):
        article, _ = item
        # hand-made enrichment so the export carries mentions, events and entities (with non-ASCII names)
        article.mentions = [Mention("Harbour", "LOC", 0, 4, 11, "loc:harbour", "test")]
        article.events = [TimeEvent(date(2025, 3, 3), "Monday", 0, article.sentences[0].text, entity_ids=["loc:harbour"])]
        entities = {"loc:harbour": Entity("loc:harbour", "LOC", "Harbour", {"fr": "Port — à côté"}, "GB", 50.1, -1.2)}
        assert engine._store_one(article, entities, raw.origin).status == "added"
    engine.close()
    return path


def test_doctor_finds_nothing_wrong_in_a_fresh_database(filled_db: Path) -> None:
    report = doctor(Store(filled_db, readonly=True))
    assert report.healthy, report.to_dict()
    assert {f.check for f in report.findings} >= {"integrity", "fts_missing", "story_size", "unassigned"}


def _damage(path: Path) -> str:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    ids = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY rowid")]
    conn.execute("INSERT INTO sentences (article_id, idx, text, start, end) VALUES ('ghost', 0, 'x', 0, 1)")
    conn.execute("INSERT INTO mentions (article_id, idx, text, type, sentence, start, end) "
                 "VALUES ('ghost', 0, 'x', 'PER', 0, 0, 1)")
    conn.execute("INSERT INTO events (article_id, idx, date, expression, sentence) VALUES ('ghost', 0, '2025-01-01', 'x', 0)")
    conn.execute("DELETE FROM articles_fts WHERE article_id = ?", (ids[0],))
    conn.execute("INSERT INTO articles_fts (article_id, title, clean_text) VALUES ('ghost', 't', 'x')")
    conn.execute("INSERT INTO articles_fts (article_id, title, clean_text) SELECT article_id, title, clean_text "
                 "FROM articles_fts WHERE article_id = ?", (ids[1],))
    conn.execute("UPDATE stories SET size = size + 5 WHERE id = (SELECT story_id FROM articles WHERE id = ?)", (ids[1],))
    conn.execute("INSERT INTO stories (id, headline, size, updated) VALUES ('s-empty', 'nobody', 3, 'now')")
    conn.execute("UPDATE articles SET story_id = NULL WHERE id = ?", (ids[2],))
    conn.commit()
    conn.close()
    return ids[2]


def test_doctor_reports_and_repairs_what_is_safe(filled_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    src = sqlite3.connect(filled_db)
    src.backup(sqlite3.connect(path))
    unassigned = _damage(path)

    report = doctor(Store(path, readonly=True))
    problems = {f.check: f for f in report.findings if f.status == "problem"}
    assert set(problems) == {"fts_missing", "fts_orphans", "fts_duplicates", "orphan_sentences", "orphan_mentions",
                             "orphan_events", "story_size", "empty_stories", "unassigned"}, problems
    assert problems["unassigned"].examples == [unassigned]

    assert cli_main(["--db", str(path), "doctor", "--repair"]) == 1  # unassigned articles remain
    after = doctor(Store(path, readonly=True))
    left = {f.check for f in after.findings if f.status == "problem"}
    assert left == {"unassigned"}
    store = Store(path)
    assert store.integrity_check() == ["ok"]
    first = store.conn.execute("SELECT id FROM articles ORDER BY rowid").fetchone()[0]
    assert [h[0] for h in store.search_text("corrosion")].count(first) == 1


def test_doctor_cli_exit_codes_and_json(filled_db: Path, capsys) -> None:
    assert cli_main(["--db", str(filled_db), "doctor", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["healthy"] is True and all(f["status"] == "ok" for f in out["findings"])


def test_jsonl_export_import_round_trip_is_lossless(filled_db: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    assert cli_main(["--db", str(filled_db), "export", str(export)]) == 0
    records = [json.loads(line) for line in export.read_text("utf-8").splitlines()]
    assert records[0]["record"] == "header" and records[0]["schema_version"] == SCHEMA_VERSION
    articles = [r for r in records if r["record"] == "article"]
    assert len(articles) == 3 and all(r["vector"].startswith("b64:") and r["sentences"] for r in articles)

    target = tmp_path / "copy.db"
    assert cli_main(["--db", str(target), "import", str(export)]) == 0
    assert _tables(target) == _tables(filled_db)
    assert doctor(Store(target, readonly=True)).healthy
    # idempotent: a second import adds nothing
    counts = import_path(Store(target), export)
    assert sum(counts.values()) == 0
    assert _tables(target) == _tables(filled_db)


def test_imported_database_keeps_working(filled_db: Path, tmp_path: Path) -> None:
    export = tmp_path / "e.jsonl"
    with export.open("w", encoding="utf-8") as out:
        export_jsonl(Store(filled_db, readonly=True), out)
    target = tmp_path / "live.db"
    import_path(Store(target), export)
    engine = Engine(db=target, encoder=HashingEncoder(), similarity=CosineJudge(), enrich=False)
    again = engine.ingest_raw(ARTICLES)
    assert [r.status for r in again.results] == ["duplicate"] * 3
    a = engine.article(engine.store.conn.execute("SELECT id FROM articles LIMIT 1").fetchone()[0])
    original = Store(filled_db, readonly=True).get_article(a.id)
    assert (a.vector == original.vector).all() and (a.sentence_vectors == original.sentence_vectors).all()


def test_parquet_export_import_round_trip(filled_db: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    folder = tmp_path / "parquet"
    counts = export_parquet(Store(filled_db, readonly=True), folder)
    assert counts["articles"] == 3 and (folder / "articles.parquet").exists()
    target = tmp_path / "pq.db"
    assert cli_main(["--db", str(target), "import", str(folder)]) == 0
    assert _tables(target) == _tables(filled_db)


@pytest.mark.parametrize("content", [None, "{\"record\": \"article\"}\n", "not json\n",
                                     "{\"record\":\"header\",\"format\":\"newsloom-export\",\"version\":99}\n"])
def test_import_refuses_what_is_not_an_export(tmp_path: Path, content: str | None, capsys) -> None:
    target = tmp_path / ("folder" if content is None else "in.jsonl")
    if content is None:
        target.mkdir()
    else:
        target.write_text(content, "utf-8")
    db = tmp_path / "t.db"
    assert cli_main(["--db", str(db), "import", str(target)]) == 2
    assert "newsloom:" in capsys.readouterr().err
    assert Store(db).count_articles() == 0


def test_import_is_all_or_nothing(filled_db: Path, tmp_path: Path) -> None:
    export = tmp_path / "e.jsonl"
    with export.open("w", encoding="utf-8") as out:
        export_jsonl(Store(filled_db, readonly=True), out)
    lines = export.read_text("utf-8").splitlines()
    lines.append(json.dumps({"record": "article", "id": "x", "no_such_column": 1}))
    export.write_text("\n".join(lines) + "\n", "utf-8")
    target = Store(tmp_path / "t.db")
    with pytest.raises(InputError):
        import_path(target, export)
    assert target.count_articles() == 0 and target.count_stories() == 0


def test_legacy_version_0_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "legacy.db"
    conn = sqlite3.connect(path)
    # a database from before the meta table and the join_reason/encoder/vector columns
    conn.execute("CREATE TABLE articles (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, url TEXT, source TEXT,"
                 " title TEXT, text TEXT NOT NULL, clean_text TEXT NOT NULL, lang TEXT, published TEXT,"
                 " ingested TEXT NOT NULL, story_id TEXT)")
    conn.execute("INSERT INTO articles (id, title, text, clean_text, lang, ingested) VALUES"
                 " ('old1', 'Old title', 'Old text here', 'Old text here', 'en', '2020-01-01T00:00:00+00:00')")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION
    old = store.get_article("old1")
    assert (old.title, old.metadata, old.removed_lines, old.vector) == ("Old title", {}, [], None)
    cols = {r[1] for r in store.conn.execute("PRAGMA table_info(articles)")}
    assert {"join_reason", "encoder", "vector", "metadata"} <= cols
    report = doctor(store)
    assert {f.check for f in report.findings if f.status == "problem"} == {"fts_missing", "unassigned", "vectors"}
    doctor(store, repair=True)
    assert [h[0] for h in store.search_text("Old")] == ["old1"]


def test_future_schema_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="upgrade newsloom"):
        Store(path)
    assert path.read_bytes() == before
