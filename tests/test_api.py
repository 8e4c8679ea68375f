"""The HTTP API and web pages through FastAPI's TestClient, on the demo corpus."""

from __future__ import annotations

import json
import os
import stat
import threading
import time

import pytest
from fastapi.testclient import TestClient

from newsloom.api import create_app
from newsloom.api.security import DEFAULT_BODY_LIMITS, MB, BodyLimitMiddleware, load_or_create_token
from newsloom.api.server import allowed_hosts_for, build_parser
from newsloom.api.testing import demo_articles
from newsloom.engine import Engine

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
INJECTION_TITLE = "<img src=x onerror=window.__pwned=1> Harbour council"
INJECTION_TEXT = ("<script>window.__pwned=1</script> The harbour council of Portsmouth met on Tuesday evening "
                  "to discuss the new ferry timetable and the rising cost of repairs to the old pier. "
                  "Councillors agreed to publish the engineers' report next month.")


def _fresh_text(n: int) -> str:
    return (f"Volunteers in the town of Elmsworth planted {n} new oak trees along the river on Saturday "
            f"morning. The project, run by the local school, aims to plant {n * 10} trees within five years.")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = Engine(db=tmp_path_factory.mktemp("api") / "demo.db")
    report = eng.ingest_raw(demo_articles())
    assert len(report.added) >= 25, [str(r.error) for r in report.errors]
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def client(engine):
    with TestClient(create_app(engine, TOKEN), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="module")
def story(client):
    """The largest demo story."""
    return client.get("/api/stories", params={"sort": "size", "limit": 1}).json()["items"][0]


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code
    return body["error"]


# -- health, stories ------------------------------------------------------------------
def test_health_counts_match_the_store(client, engine):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["writes_enabled"] is True
    assert body["articles"] == engine.store.count_articles() and body["stories"] == engine.store.count_stories()


def test_stories_pagination_walks_every_story_once(client, engine):
    seen, offset = [], 0
    while offset is not None:
        page = client.get("/api/stories", params={"limit": 4, "offset": offset}).json()
        assert len(page["items"]) <= 4
        seen += [s["id"] for s in page["items"]]
        offset = page["next_offset"]
    assert len(seen) == len(set(seen)) == engine.store.count_stories()


def test_stories_sort_by_size(client):
    desc = [s["size"] for s in client.get("/api/stories", params={"sort": "size", "limit": 50}).json()["items"]]
    asc = [s["size"] for s in client.get("/api/stories", params={"sort": "-size", "limit": 50}).json()["items"]]
    assert desc == sorted(desc, reverse=True) and asc == sorted(asc) and desc[0] > 1


def test_stories_filters(client, story):
    lang = sorted(story["languages"])[0]
    items = client.get("/api/stories", params={"lang": lang, "limit": 200}).json()["items"]
    assert items and all(lang in s["languages"] for s in items)
    source = sorted(story["sources"])[0]
    items = client.get("/api/stories", params={"source": source, "limit": 200}).json()["items"]
    assert items and all(source in s["sources"] for s in items)
    assert client.get("/api/stories", params={"since": "2999-01-01T00:00:00Z"}).json()["items"] == []
    assert client.get("/api/stories", params={"until": "1990-01-01"}).json()["items"] == []
    word = story["headline"].split()[-1]
    ids = [s["id"] for s in client.get("/api/stories", params={"q": word, "limit": 200}).json()["items"]]
    assert story["id"] in ids
    dossier = client.get(f"/api/stories/{story['id']}").json()
    if dossier["entities"] or dossier["places"]:
        entity = (dossier["entities"] + dossier["places"])[0]["id"]
        ids = [s["id"] for s in client.get("/api/stories", params={"entity": entity, "limit": 200}).json()["items"]]
        assert story["id"] in ids


@pytest.mark.parametrize("params", [{"sort": "nonsense"}, {"limit": 0}, {"limit": 201}, {"offset": -1},
                                    {"since": "not a date"}])
def test_stories_bad_parameters_are_422(client, params):
    error = assert_error(client.get("/api/stories", params=params), 422, "invalid_request")
    assert error["details"]


def test_dossier(client, story):
    d = client.get(f"/api/stories/{story['id']}").json()
    assert d["id"] == story["id"] and d["size"] == story["size"]
    members = [a["id"] for group in d["articles"].values() for a in group]
    assert sorted(members) == sorted(story["article_ids"])
    assert set(d["articles"]) <= set(d["languages"]) | {"und"}
    assert all(a["join_reason"] for group in d["articles"].values() for a in group)
    assert_error(client.get("/api/stories/s-doesnotexist"), 404, "not_found")


def test_article(client, story):
    article_id = story["article_ids"][0]
    a = client.get(f"/api/articles/{article_id}").json()
    assert a["id"] == article_id and a["story_id"] == story["id"] and a["text"] and a["sentences"]
    assert "vector" not in a
    assert_error(client.get("/api/articles/0000000000000000"), 404, "not_found")


# -- compare, search --------------------------------------------------------------------
def test_compare_stored_ids(client, story):
    a, b = story["article_ids"][:2]
    c = client.post("/api/compare", json={"a": {"id": a}, "b": {"id": b}}).json()
    assert c["article_a"] == a and c["article_b"] == b
    assert 1.0 <= c["overall"] <= 4.0 and 0.0 <= c["similarity"] <= 1.0
    assert {"Geography", "Entities", "Time", "Narrative"} <= set(c["dimensions"])


def test_compare_same_story_scores_closer_than_unrelated(client, story):
    others = client.get("/api/stories", params={"sort": "size", "limit": 50}).json()["items"]
    other = next(s for s in others if s["id"] != story["id"])
    a, b = story["article_ids"][:2]
    same = client.post("/api/compare", json={"a": {"id": a}, "b": {"id": b}}).json()
    far = client.post("/api/compare", json={"a": {"id": a}, "b": {"id": other["article_ids"][0]}}).json()
    assert same["overall"] < far["overall"]


def test_compare_posted_texts(client):
    body = {"a": {"text": _fresh_text(40), "title": "Oak trees planted"},
            "b": {"text": _fresh_text(40).replace("Saturday", "Sunday"), "lang": "en"}}
    c = client.post("/api/compare", json=body).json()
    assert 1.0 <= c["overall"] <= 4.0


def test_compare_refuses_paths_and_bad_sides(client, story, tmp_path):
    secret = tmp_path / "local.txt"
    secret.write_text("A local file that the API must never read as an article, whatever the id says.")
    assert_error(client.post("/api/compare", json={"a": {"id": str(secret)}, "b": {"id": story["article_ids"][0]}}),
                 404, "not_found")
    assert_error(client.post("/api/compare", json={"a": {"id": "x", "text": "y"}, "b": {"id": "x"}}), 422)
    assert_error(client.post("/api/compare", json={"a": {}, "b": {"id": "x"}}), 422)
    assert_error(client.post("/api/compare", content=b"not json", headers={"content-type": "application/json"}), 422)


def test_search_text_and_semantic(client, story):
    word = story["headline"].split()[-1]
    hits = client.get("/api/search", params={"q": word}).json()["hits"]
    assert hits and any(h["story_id"] == story["id"] for h in hits)
    semantic = client.get("/api/search", params={"q": story["headline"], "mode": "semantic", "limit": 5}).json()
    assert semantic["mode"] == "semantic" and 0 < len(semantic["hits"]) <= 5
    assert semantic["hits"][0]["story_id"] == story["id"] or any(h["story_id"] == story["id"]
                                                                 for h in semantic["hits"])
    assert_error(client.get("/api/search", params={"q": ""}), 422)
    assert_error(client.get("/api/search", params={"q": "   "}), 422)
    assert_error(client.get("/api/search", params={"q": "x", "mode": "psychic"}), 422)
    assert client.get("/api/search", params={"q": '"AND OR NEAR( *'}).status_code == 200  # FTS syntax is quoted


# -- writes and the token -----------------------------------------------------------------
def test_write_needs_a_valid_token(client):
    body = {"text": _fresh_text(1)}
    missing = client.post("/api/articles", json=body)
    assert_error(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"] == "Bearer"
    assert_error(client.post("/api/articles", json=body, headers={"Authorization": "Basic abc"}), 401)
    assert_error(client.post("/api/articles", json=body, headers={"Authorization": "Bearer wrong"}), 403, "forbidden")
    assert_error(client.post("/api/articles/bulk", content=b"{}", headers={"Authorization": "Bearer no"}), 403)


def test_writes_disabled_without_a_token(engine):
    with TestClient(create_app(engine, None), base_url="http://127.0.0.1") as c:
        assert c.get("/api/health").json()["writes_enabled"] is False
        assert_error(c.post("/api/articles", json={"text": _fresh_text(2)}, headers=AUTH), 403, "writes_disabled")


def test_add_article_then_read_it_back(client):
    body = {"text": _fresh_text(3), "title": "Elmsworth plants oaks", "source": "Test Gazette",
            "published": "2026-04-02T09:00:00", "lang": "en", "url": "https://example.org/oaks-3"}
    result = client.post("/api/articles", json=body, headers=AUTH).json()
    assert result["status"] == "added" and result["article_id"] and result["story_id"]
    stored = client.get(f"/api/articles/{result['article_id']}").json()
    assert stored["title"] == "Elmsworth plants oaks" and stored["published"].startswith("2026-04-02T09:00:00")
    again = client.post("/api/articles", json=body, headers=AUTH).json()
    assert again["status"] == "duplicate" and again["article_id"] == result["article_id"]


def test_add_article_bad_input(client):
    assert_error(client.post("/api/articles", json={"title": "no text"}, headers=AUTH), 422)
    assert_error(client.post("/api/articles", json={"text": "x", "colour": "red"}, headers=AUTH), 422)
    refused = client.post("/api/articles", json={"text": "   ..   "}, headers=AUTH).json()
    assert refused["status"] == "error" and refused["error"]["kind"]


def test_bulk_jsonl_reports_per_item(client):
    lines = [json.dumps({"text": _fresh_text(11), "title": "Oaks 11"}), "{not json",
             json.dumps({"title": "no text"}), "", json.dumps({"text": _fresh_text(12)})]
    body = client.post("/api/articles/bulk", content="\n".join(lines).encode(),
                       headers={**AUTH, "content-type": "application/x-ndjson"}).json()
    assert [r["status"] for r in body["results"]] == ["added", "error", "error", "added"]
    assert body["added"] == 2 and body["errors"] == 2
    assert body["results"][1]["error"]["kind"] == "malformed" and "line 2" in body["results"][1]["origin"]


def test_bulk_json_list_and_multipart(client):
    records = [{"text": _fresh_text(21)}, {"text": 5}]
    body = client.post("/api/articles/bulk", json=records, headers=AUTH).json()
    assert [r["status"] for r in body["results"]] == ["added", "error"]
    upload = (json.dumps({"text": _fresh_text(22)}) + "\n").encode()
    body = client.post("/api/articles/bulk", files={"file": ("batch.jsonl", upload, "application/x-ndjson")},
                       headers=AUTH).json()
    assert body["added"] == 1 and body["results"][0]["origin"].startswith("batch.jsonl")
    assert_error(client.post("/api/articles/bulk", json={"text": "not a list"}, headers=AUTH), 422)
    assert_error(client.post("/api/articles/bulk", content=b"  ", headers=AUTH), 422)


# -- size limits --------------------------------------------------------------------------
def test_article_over_2mb_is_413(client):
    big = {"text": "word " * (2 * MB // 5 + 10)}
    assert_error(client.post("/api/articles", json=big, headers=AUTH), 413, "too_large")


def test_body_limit_counts_streamed_bytes(engine):
    limits = {**DEFAULT_BODY_LIMITS, "/api/articles/bulk": 1000}
    with TestClient(create_app(engine, TOKEN, body_limits=limits), base_url="http://127.0.0.1") as c:
        def chunks():  # no Content-Length: the middleware must count what arrives
            for _ in range(20):
                yield b"x" * 100
        assert_error(c.post("/api/articles/bulk", content=chunks(), headers=AUTH), 413, "too_large")
        assert_error(c.post("/api/articles/bulk", content=b"y" * 1001, headers=AUTH), 413, "too_large")


def test_default_limits_per_route():
    mw = BodyLimitMiddleware(app=None)
    assert mw.limit_for("/api/articles/bulk") == 50 * MB
    assert mw.limit_for("/api/articles") == 2 * MB
    assert mw.limit_for("/api/compare") == 4 * MB
    assert mw.limit_for("/api/other") == DEFAULT_BODY_LIMITS[""]


# -- events --------------------------------------------------------------------------------
def test_events_stream_a_new_article_and_unsubscribe(client, engine):
    received: list[str] = []

    def listen():
        with client.stream("GET", "/api/events", params={"max_events": 1, "timeout": 30}) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            for line in response.iter_lines():
                received.append(line)

    before = len(engine._subscribers)
    listener = threading.Thread(target=listen)
    listener.start()
    deadline = time.monotonic() + 10
    while len(engine._subscribers) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    result = client.post("/api/articles", json={"text": _fresh_text(31)}, headers=AUTH).json()
    listener.join(30)
    assert not listener.is_alive()
    data = [json.loads(line[len("data: "):]) for line in received if line.startswith("data: ")]
    assert data and data[0]["article_id"] == result["article_id"] and data[0]["type"] == "story"
    assert "event: story" in received
    assert len(engine._subscribers) == before  # the stream unsubscribed when it ended


def test_events_timeout_ends_the_stream(client, engine):
    started = time.monotonic()
    response = client.get("/api/events", params={"timeout": 0.5})
    assert response.status_code == 200 and time.monotonic() - started < 10
    assert response.text.startswith("retry:")
    assert_error(client.get("/api/events", params={"timeout": -1}), 422)


# -- security headers, hosts, CORS ------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/api/health", "/api/stories/nope", "/static/app.css"])
def test_security_headers(client, path):
    h = client.get(path).headers
    assert "default-src 'self'" in h["content-security-policy"]
    assert "unsafe-inline" not in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "no-referrer"


def test_no_cors_and_host_check(client):
    r = client.get("/api/stories", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    assert client.options("/api/articles", headers={"Origin": "https://evil.example",
                                                    "Access-Control-Request-Method": "POST"}
                          ).headers.get("access-control-allow-origin") is None
    assert_error(client.get("/api/health", headers={"Host": "evil.example"}), 400, "bad_host")
    assert client.get("/api/health", headers={"Host": "localhost:8750"}).status_code == 200


def test_token_file_is_created_private_and_reused(tmp_path):
    path = tmp_path / "news.db.token"
    token = load_or_create_token(path)
    assert len(token) >= 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_token(path) == token
    (tmp_path / "short").write_text("abc")
    with pytest.raises(ValueError):
        load_or_create_token(tmp_path / "short")


def test_server_arguments():
    args = build_parser().parse_args(["--db", "x.db"])
    assert (args.host, args.port, args.db, args.token_file) == ("127.0.0.1", 8750, "x.db", None)
    assert "localhost" in allowed_hosts_for("127.0.0.1", None)
    assert allowed_hosts_for("0.0.0.0", None) is None
    assert "news.example" in allowed_hosts_for("0.0.0.0", ["news.example"])


# -- web pages --------------------------------------------------------------------------------
def test_feed_page_lists_stories(client, story):
    html = client.get("/").text
    assert f'href="/stories/{story["id"]}"' in html and '<script src="/static/feed.js" defer></script>' in html
    page2 = client.get("/", params={"offset": 20})
    assert page2.status_code == 200


def test_story_article_search_compare_pages(client, story):
    html = client.get(f"/stories/{story['id']}").text
    assert "Articles by language" in html and "Timeline" in html and "/compare?a=" in html
    assert client.get(f"/articles/{story['article_ids'][0]}").status_code == 200
    a, b = story["article_ids"][:2]
    compared = client.get("/compare", params={"a": a, "b": b}).text
    assert "Overall" in compared and "Dimensions" in compared
    posted = client.post("/compare", data={"a_text": _fresh_text(50), "b_text": _fresh_text(51)})
    assert posted.status_code == 200 and "Overall" in posted.text
    assert client.post("/compare", data={"a_id": "", "b_id": a}).status_code == 422
    word = story["headline"].split()[-1]
    assert "<mark>" in client.get("/search", params={"q": word}).text
    assert client.get("/stories/nope").status_code == 404


def test_untrusted_text_is_escaped_in_pages(client):
    result = client.post("/api/articles", json={"title": INJECTION_TITLE, "text": INJECTION_TEXT}, headers=AUTH).json()
    assert result["status"] == "added", result
    for path in (f"/articles/{result['article_id']}", f"/stories/{result['story_id']}", "/",
                 "/search?q=harbour+council"):
        html = client.get(path).text
        assert "<img src=x" not in html and "<script>window" not in html, path
        assert "&lt;img src=x onerror=window.__pwned=1&gt;" in html, path
    page = client.get(f"/articles/{result['article_id']}").text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page


def test_pages_load_nothing_from_other_origins(client, story):
    import re

    for path in ("/", f"/stories/{story['id']}", "/compare", "/search?q=a"):
        html = client.get(path).text
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html):
            assert "//" not in tag, (path, tag)
