"""End-to-end behaviour of the first complete path: ingest -> weave -> store -> read."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsloom import Engine, RawArticle
from newsloom.errors import StoreError

UNRELATED = RawArticle(
    title="Riverside Rovers win the regional cup final on penalties",
    text=("Riverside Rovers won the regional cup final on Saturday after a goalless draw against Hill Town, "
          "beating them five to four on penalties in front of a crowd of nine thousand.\n"
          "Goalkeeper Amara Quist saved two penalties and was named player of the match.\n"
          "The club's coach said the squad would celebrate with fans at the town hall on Sunday afternoon."),
    source="Riverside Gazette", origin="unrelated",
)


SEEDS_PUBLISHED = datetime(2022, 1, 19, tzinfo=timezone.utc)  # the seeds' files carry no date


def _seed_engine(tmp_path: Path, shared_dir: Path) -> tuple[Engine, list]:
    engine = Engine(db=tmp_path / "seeds.db")
    report = engine.ingest([shared_dir / "seeds"], default_published=SEEDS_PUBLISHED)
    return engine, report


@pytest.fixture(scope="module")
def seeds_engine(tmp_path_factory, shared_dir):
    engine, report = _seed_engine(tmp_path_factory.mktemp("seeds"), shared_dir)
    return engine, report


def test_seeds_form_one_story_and_unrelated_article_starts_another(seeds_engine):
    engine, report = seeds_engine
    assert len(report.added) == 2, [str(r.error) for r in report.errors]
    story_ids = {r.story_id for r in report.added}
    assert len(story_ids) == 1
    story = engine.stories()[0]
    assert set(story.languages) == {"en", "fr"}

    result = engine.ingest_raw([UNRELATED]).results[0]
    assert result.status == "added"
    assert result.new_story and result.story_id not in story_ids


def test_reingesting_changes_nothing(seeds_engine, shared_dir):
    engine, _ = seeds_engine
    before = engine.store.count_articles(), engine.store.count_stories()
    report = engine.ingest([shared_dir / "seeds"], default_published=SEEDS_PUBLISHED)
    assert [r.status for r in report.results] == ["duplicate", "duplicate"]
    assert (engine.store.count_articles(), engine.store.count_stories()) == before


def test_compare_seeds_same_story_with_aligned_evidence(seeds_engine):
    engine, report = seeds_engine
    a, b = (r.article_id for r in report.added)
    comparison = engine.compare(a, b)
    assert comparison.same_story
    assert 1.0 <= comparison.overall <= 2.5
    assert comparison.evidence, "expected aligned sentence pairs"
    best = comparison.evidence[0]
    assert best.similarity > 0.5
    langs = {engine.article(a).lang, engine.article(b).lang}
    assert langs == {"en", "fr"}
    assert {"Antony Blinken", "Sergei Lavrov"} <= set(comparison.shared_entities)
    assert comparison.relation["relation"] != "translation"


def test_dossier_of_the_seed_story(seeds_engine):
    engine, report = seeds_engine
    dossier = engine.story(report.added[0].story_id)
    assert dossier.size == 2
    assert set(dossier.languages) == {"en", "fr"}
    assert 3 <= len(dossier.summary) <= 5
    assert {s.lang for s in dossier.summary} <= {"en", "fr"}
    assert dossier.to_dict()["headline"] == dossier.headline
    json.dumps(dossier.to_dict())  # serialisable whole


def test_a_dossier_lists_whom_the_story_is_about_not_its_news_agency(tmp_path):
    engine = Engine(db=tmp_path / "agency.db")
    result = engine.add("GENEVA (Reuters) - Swiss President Ignazio Cassis met the Red Cross in Geneva on Monday "
                        "to discuss aid for the flood region, Reuters reported. Cassis promised more money for "
                        "the Red Cross, according to Reuters.", title="Cassis meets Red Cross in Geneva",
                        lang="en", published=datetime(2024, 5, 6, tzinfo=timezone.utc))
    assert result.status == "added", result.error
    stored = {m.entity_id for m in engine.store.get_article(result.article_id).mentions}
    assert "org:reuters" in stored  # still an entity of the article
    dossier = engine.story(result.story_id)
    listed = {e.id for e in dossier.entities} | {e.id for e in dossier.places}
    assert "org:reuters" not in listed and any(i.startswith("per:") for i in listed)


def test_bad_items_are_reported_and_the_rest_is_stored(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (folder / "latin1.txt").write_bytes("Titre\nL'\xe9t\xe9 fut tr\xe8s chaud cette ann\xe9e-l\xe0.".encode("latin-1"))
    (folder / "good.txt").write_text(
        "Council approves new tram line\n"
        "The city council approved a new tram line on Tuesday linking the harbour to the university campus.\n"
        "Construction is due to start next spring and should take three years, the mayor said.\n")
    (folder / "unsupported.txt").write_text(
        "Ψηφοφορία στη Βουλή\nΗ Βουλή ψήφισε σήμερα το νέο νομοσχέδιο για την παιδεία μετά από πολύωρη συζήτηση.\n")
    lines = [json.dumps({"text": "The harbour authority opened a second ferry terminal on Monday morning, "
                                 "doubling the number of daily crossings to the islands.", "title": "Ferry"}),
             "{not json", json.dumps({"title": "no text field"})]
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n")
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse 50 MB file: must be refused without reading it all

    engine = Engine(db=tmp_path / "bad.db")
    report = engine.ingest([folder, big, tmp_path / "missing.txt"])
    kinds = sorted(r.error.kind for r in report.errors)
    assert len(report.added) == 2
    for kind in ("empty", "binary", "encoding", "malformed", "language", "too_large", "missing"):
        assert kind in kinds, (kind, [str(r.error) for r in report.errors])
    for r in report.errors:
        assert r.error.reason and r.error.origin
    assert engine.store.count_articles() == 2
    assert engine.store.integrity_check() == ["ok"]


def test_failure_inside_a_write_leaves_no_half_written_article(tmp_path, monkeypatch):
    engine = Engine(db=tmp_path / "crash.db")
    first = engine.add("The ferry company announced a new route to the northern islands starting in May, "
                       "with two crossings a day.", title="New ferry route", source="Harbour Times")
    assert first.status == "added"

    original = engine.store.insert_article

    def exploding_insert(conn, article, encoder_name, reason):
        original(conn, article, encoder_name, reason)  # rows written inside the transaction ...
        raise StoreError("disk went away")             # ... then the write fails

    monkeypatch.setattr(engine.store, "insert_article", exploding_insert)
    failed = engine.add("A second article about the regional election results, counted overnight in all "
                        "districts.", title="Election results", source="Harbour Times")
    assert failed.status == "error" and "disk went away" in failed.error.reason
    conn = sqlite3.connect(tmp_path / "crash.db")
    for table in ("articles", "sentences", "mentions", "events", "articles_fts"):
        ids = {r[0] for r in conn.execute(f"SELECT {'article_id' if table != 'articles' else 'id'} FROM {table}")}
        assert failed.article_id not in ids, table
    assert conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0] == 1
    monkeypatch.undo()
    again = engine.add("A second article about the regional election results, counted overnight in all "
                       "districts.", title="Election results", source="Harbour Times")
    assert again.status == "added"


def test_time_window_keeps_a_much_later_article_out_of_a_story(tmp_path):
    engine = Engine(db=tmp_path / "w.db", window_days=3)
    text = ("Firefighters brought a large forest fire near the village of Olmo under control on {day}, "
            "after it burned for two days and forced the evacuation of three hundred residents.")
    a = engine.add(text.format(day="Monday"), title="Forest fire near Olmo under control",
                   published=datetime(2025, 7, 7, tzinfo=timezone.utc))
    b = engine.add(text.format(day="Tuesday"), title="Forest fire near Olmo contained",
                   published=datetime(2025, 9, 30, tzinfo=timezone.utc))
    assert a.status == b.status == "added"
    assert a.story_id != b.story_id


def test_an_undated_article_takes_the_day_in_its_url(tmp_path):
    engine = Engine(db=tmp_path / "u.db")
    text = ("The harbour authority of Velmar reopened the northern pier on Wednesday after repairs "
            "that took three months and cost four million euros, the mayor said at the opening.")
    report = engine.ingest_raw([
        RawArticle(text=text, title="Velmar pier reopens", source="Coast Post",
                   url="https://coastpost.example/local/2024/03/13/velmar-pier-reopens"),
        RawArticle(text=text.replace("northern", "southern"), title="Velmar pier", source="Coast Post",
                   url="https://coastpost.example/local/2024/03/13/velmar-pier",
                   published=datetime(2024, 3, 12, 8, tzinfo=timezone.utc)),
    ])
    by_url = {engine.article(r.article_id).url: engine.article(r.article_id) for r in report.results}
    from_url = by_url["https://coastpost.example/local/2024/03/13/velmar-pier-reopens"]
    assert from_url.published == datetime(2024, 3, 13, 12, tzinfo=timezone.utc)
    assert from_url.metadata.get("published_from") == "url"
    given = by_url["https://coastpost.example/local/2024/03/13/velmar-pier"]
    assert given.published == datetime(2024, 3, 12, 8, tzinfo=timezone.utc)  # a given date wins
    assert "published_from" not in given.metadata
    # "on Wednesday" resolves against the URL's day
    assert {e.date.isoformat() for e in from_url.events} == {"2024-03-13"}


def test_a_batch_default_date_does_not_override_the_url_day(tmp_path):
    from newsloom.engine import _with_default_date

    raw = RawArticle(text="x", url="https://example.org/2023/11/02/story")
    assert _with_default_date(raw, datetime(2020, 1, 1, tzinfo=timezone.utc)).published is None
    undated = RawArticle(text="x", url="https://example.org/story")
    assert _with_default_date(undated, datetime(2020, 1, 1, tzinfo=timezone.utc)).published.year == 2020


def test_schema_version_newer_than_code_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Engine(db=path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="schema version 999"):
        Engine(db=path)


def test_seed_dossier_links_entities_across_languages_and_dates_the_tour(seeds_engine):
    engine, report = seeds_engine
    dossier = engine.story(report.added[0].story_id)
    people = {e.name: e for e in dossier.entities if e.type == "PER"}
    for surname in ("Blinken", "Lavrov", "Putin"):
        matches = [e for name, e in people.items() if surname in name]
        assert len(matches) == 1, (surname, sorted(people))
        assert set(matches[0].by_language) == {"en", "fr"}, (surname, matches[0].by_language)
    places = {e.id: e for e in dossier.places}
    located = [e for e in places.values() if e.latitude is not None]
    assert len(located) >= 3
    by_day = {}
    for entry in dossier.timeline:
        by_day.setdefault(entry.date.isoformat(), []).append(entry.text)
    for day, word in (("2022-01-19", "Ki"), ("2022-01-20", "Berlin"), ("2022-01-21", "Gen")):
        assert any(word in text for text in by_day.get(day, [])), (day, by_day.get(day))
    fr = engine.story(report.added[0].story_id, lang="fr")
    assert fr.headline_lang == "fr"


def test_quiet_stories_close_in_stream_time_and_stay_listed(tmp_path, monkeypatch):
    import newsloom.engine as engine_module

    monkeypatch.setattr(engine_module, "CLOSE_EVERY", 1)
    engine = Engine(db=tmp_path / "q.db", quiet_days=14)
    old = engine.add("The lighthouse on the northern cape was repainted red and white by volunteers over the "
                     "weekend, the harbour association said.", title="Lighthouse repainted",
                     published=datetime(2025, 1, 5, tzinfo=timezone.utc))
    new = engine.add("Tram drivers in the capital will strike for two days next week over pay, their union "
                     "announced on Monday after talks with the city failed.", title="Tram strike announced",
                     published=datetime(2025, 3, 3, tzinfo=timezone.utc))
    closed = {row["id"]: row["closed"] for row in engine.store.conn.execute("SELECT id, closed FROM stories")}
    assert closed == {old.story_id: 1, new.story_id: 0}
    assert old.story_id not in engine.weaver.stories
    assert {s.id for s in engine.stories()} == {old.story_id, new.story_id}
