"""The generated bad-input corpus through every entry point, and regression tests for
the bugs it found. The corpus and its expectations live in benchmarks/reliability.py."""

from __future__ import annotations

import importlib.util
import io
import sqlite3
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsloom import Engine, RawArticle
from newsloom.api import create_app
from newsloom.embed.hashing import HashingEncoder
from newsloom.errors import StoreError
from newsloom.model import ItemError
from newsloom.readers import parse_feed, read_jsonl_stream, read_warc_stream
from newsloom.weave import CosineJudge

REPO = Path(__file__).resolve().parents[1]


def load_harness():
    if "newsloom_reliability" not in sys.modules:
        spec = importlib.util.spec_from_file_location("newsloom_reliability", REPO / "benchmarks" / "reliability.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["newsloom_reliability"] = module
        spec.loader.exec_module(module)
    return sys.modules["newsloom_reliability"]


rel = load_harness()
TOKEN = "bad-input-token-0123456789"


def _engine(path: Path) -> Engine:
    return Engine(db=path, encoder=HashingEncoder(), similarity=CosineJudge(), enrich=False)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    e = _engine(tmp_path_factory.mktemp("bad") / "bad.db")
    yield e
    e.close()


def test_the_corpus_has_at_least_50_kinds_over_every_entry_point() -> None:
    cases = rel.bad_inputs()
    api = rel.api_bad_inputs(TOKEN)
    assert len(cases) + len(api) >= 50
    assert {c.entry for c in cases} >= {"text", "html", "jsonl", "feed", "warc", "path"}
    assert len({c.kind for c in cases}) == len(cases)


def test_every_bad_file_gets_its_specific_outcome_and_nothing_stored_changes(engine, tmp_path: Path) -> None:
    report = rel.run_bad_inputs(tmp_path, engine)
    assert report.crashes == 0, report.failures
    assert report.failures == []
    assert report.stored_unchanged
    assert report.items >= report.kinds
    # the one documented gap: Latin-script text in an unsupported language
    assert [g.split(":")[0] for g in report.known_gaps] in ([], ["unsupported language (Swahili)"])


def test_bad_api_requests_get_4xx_never_500(engine) -> None:
    engine.ingest_raw(rel._good_raws(2))
    with TestClient(create_app(engine, TOKEN), base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        report = rel.run_api_bad_inputs(client, engine, TOKEN)
    assert report.crashes == 0, report.failures
    assert report.failures == []
    assert report.stored_unchanged


# -- regressions for what the corpus found ------------------------------------------------

def test_feed_entry_with_link_but_no_text_comes_through_and_engine_refuses_it_empty(engine) -> None:
    rss = (b"<rss><channel><title>W</title><item><title>Only a link</title><link>https://w.example/a</link></item>"
           b"<item><title>Nothing at all</title></item></channel></rss>")
    linked, nothing = list(parse_feed(rss, "f.xml"))
    assert isinstance(linked, RawArticle) and linked.text == "" and linked.url == "https://w.example/a"
    assert isinstance(nothing, ItemError) and nothing.kind == "empty"
    result = engine.ingest_raw([linked]).results[0]
    assert result.status == "error" and result.error.kind == "empty"


def test_feed_watcher_fetches_the_page_of_an_entry_without_text(tmp_path: Path) -> None:
    from email.message import Message

    from newsloom.watch import FeedWatcher, FetchResult

    feed = (b"<rss><channel><title>W</title><item><title>Tram budget</title>"
            b"<link>https://w.example/tram</link></item></channel></rss>")
    page = rel._html_page(rel.GOOD_HTML_BODY).encode()
    html = Message()
    html["Content-Type"] = "text/html; charset=utf-8"

    class Fetcher:
        def get(self, url, accept="*/*", headers=None):
            return FetchResult(url, 200, feed if url.endswith("feed") else page, html)

    got: list[RawArticle] = []
    watcher = FeedWatcher(["https://w.example/feed"], got.extend, tmp_path / "w.db")
    watcher.fetcher = Fetcher()
    watcher.run_once()
    assert len(got) == 1 and "tram" in got[0].text.lower() and got[0].metadata["text_from"] == "page"


@pytest.mark.parametrize("line", [b'{"text": "a", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                                  b'{"text": "a", "n": 1' + b"0" * 5000 + b"}"])
def test_jsonl_too_deep_or_too_long_numbers_are_malformed_lines(line: bytes) -> None:
    items = list(read_jsonl_stream(io.BytesIO(line + b"\n" + b'{"text": "fine"}\n'), "s"))
    assert isinstance(items[0], ItemError) and items[0].kind == "malformed"
    assert isinstance(items[1], RawArticle)


def test_warc_garbage_is_malformed_not_silently_empty() -> None:
    items = list(read_warc_stream(io.BytesIO(b"WARC/1.0\r\nthis is not a header\r\n\r\nnoise"), "w"))
    assert len(items) == 1 and isinstance(items[0], ItemError) and items[0].kind == "malformed"


def test_lone_surrogates_are_an_encoding_error_not_a_crash(engine) -> None:
    raw = RawArticle(text=rel.GOOD_EN + " \ud800", title="T\udfff", url="https://s.example/\ud800", source="S\ud800")
    result = engine.ingest_raw([raw]).results[0]
    assert result.status == "error" and result.error.kind == "encoding"


def test_results_keep_input_order_and_known_content_is_a_duplicate_before_preparation(tmp_path: Path) -> None:
    e = _engine(tmp_path / "o.db")
    raws = [RawArticle(text=rel.GOOD_EN + f" Order {i}.", url=f"https://o.example/{i}", origin=f"o{i}") for i in range(3)]
    e.ingest_raw(raws[1:2])
    report = e.ingest_raw(raws)
    assert [r.origin for r in report.results] == ["o0", "o1", "o2"]
    assert [r.status for r in report.results] == ["added", "duplicate", "added"]
    # same content under a new URL: a duplicate, found without running the pipeline
    calls = []
    prepare = e.pipeline.prepare
    e.pipeline.prepare = lambda raw: calls.append(raw) or prepare(raw)
    again = e.ingest_raw([RawArticle(text=raws[0].text, url="https://o.example/moved")]).results[0]
    assert again.status == "duplicate" and again.article_id == report.results[0].article_id and not calls


def test_two_items_of_one_batch_with_one_url_are_one_article_and_reingesting_agrees(tmp_path: Path) -> None:
    # found by the ingest property test: with different titles both were added, and a second
    # ingest then called the first a duplicate of the second
    e = _engine(tmp_path / "u.db")
    raws = [RawArticle(text=rel.GOOD_EN, title=title, url="https://u.example/a", origin=title) for title in ("A", "B")]
    first = e.ingest_raw(raws).results
    assert [r.status for r in first] == ["added", "duplicate"]
    assert first[1].article_id == first[0].article_id and e.store.count_articles() == 1
    second = e.ingest_raw(raws).results
    assert [r.article_id for r in second] == [first[0].article_id] * 2


def test_sqlite_errors_inside_a_transaction_become_store_errors(tmp_path: Path) -> None:
    e = _engine(tmp_path / "t.db")
    with pytest.raises(StoreError), e.store.transaction() as conn:
        conn.execute("INSERT INTO no_such_table VALUES (1)")
    assert not e.store.conn.in_transaction
    with e.store.transaction() as conn:  # the connection is still usable
        conn.execute("INSERT INTO meta (key, value) VALUES ('probe', '1')")
    assert e.store.conn.execute("SELECT value FROM meta WHERE key='probe'").fetchone()[0] == "1"


def test_a_full_database_is_a_per_item_store_error(tmp_path: Path) -> None:
    e = _engine(tmp_path / "full.db")
    e.ingest_raw(rel._good_raws(1))
    pages = e.store.conn.execute("PRAGMA page_count").fetchone()[0]
    e.store.conn.execute(f"PRAGMA max_page_count = {pages}")
    results = e.ingest_raw([RawArticle(text=rel.GOOD_EN + " Big." * 2000)]).results
    assert results[0].status == "error" and results[0].error.kind == "store" and "full" in results[0].error.reason
    assert sqlite3.connect(tmp_path / "full.db").execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_empty_surname_key_matches_nothing() -> None:
    from newsloom.entities.linking import _best_match

    assert _best_match("", ["smith", ""]) is None


def test_a_bug_in_a_stage_costs_one_item_not_the_batch(tmp_path: Path, monkeypatch) -> None:
    e = _engine(tmp_path / "bug.db")
    article = e.pipeline._article  # the per-article stages before enrichment

    def flaky(raw, repeated=None):
        if "Boom" in raw.text:
            raise IndexError("string index out of range")
        return article(raw, repeated)

    monkeypatch.setattr(e.pipeline, "_article", flaky)
    raws = [RawArticle(text=rel.GOOD_EN + f" {w}.", origin=w) for w in ("First", "Boom", "Last")]
    results = e.ingest_raw(raws).results
    assert [r.status for r in results] == ["added", "error", "added"]
    assert results[1].error.kind == "internal" and "IndexError" in results[1].error.reason
