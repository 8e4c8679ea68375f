"""Security checks: tokens on writes, size limits, XSS through every field that reaches a
page, SSRF through feed entry links (the guard itself is tested in test_watch.py),
path traversal, and SQL built only from parameters (AST scan + injection strings).

benchmarks/reliability.py reports how many of these pass."""

from __future__ import annotations

import ast
import http.server
import ipaddress
import re
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_reliability_badinput import load_harness

from newsloom import Engine, RawArticle
from newsloom.api import create_app
from newsloom.embed.hashing import HashingEncoder
from newsloom.model import Entity

rel = load_harness()
REPO = Path(__file__).resolve().parents[1]
TOKEN = "security-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
XSS = '"><script>window.__x=1</script><img src=x onerror=alert(1)>'
MARK = "<script>window.__x=1</script>"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    e = Engine(db=tmp_path_factory.mktemp("sec") / "sec.db", encoder=HashingEncoder(dim=512),
               similarity=rel.CosineComparer(), enrich=False)
    e.ingest_raw(rel._good_raws(3))
    yield e
    e.close()


@pytest.fixture(scope="module")
def client(engine):
    with TestClient(create_app(engine, TOKEN), base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c


def _counts(engine) -> tuple[int, int, int]:
    c = engine.store.conn
    return tuple(c.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("articles", "stories", "entities"))


# -- tokens --------------------------------------------------------------------------------
BAD_AUTH = [{}, {"Authorization": "Bearer"}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": f"Bearer {TOKEN[:-1]}"}, {"Authorization": f"Bearer {TOKEN}x"},
            {"Authorization": f"bearer  {TOKEN} extra"}, {"X-Token": TOKEN}]


@pytest.mark.parametrize("path,body", [("/api/articles", {"text": rel.GOOD_EN + " Token."}),
                                       ("/api/articles/bulk", [{"text": rel.GOOD_EN + " Token bulk."}])])
@pytest.mark.parametrize("headers", BAD_AUTH, ids=range(len(BAD_AUTH)))
def test_writes_without_the_right_token_are_refused_and_store_nothing(client, engine, path, body, headers) -> None:
    before = _counts(engine)
    r = client.post(path, json=body, headers=headers)
    assert r.status_code in (401, 403), r.text
    r = client.post(path + f"?token={TOKEN}", json=body, headers=headers)  # never from the query string
    assert r.status_code in (401, 403)
    assert _counts(engine) == before


def test_writes_are_off_without_a_configured_token(engine) -> None:
    with TestClient(create_app(engine, None), base_url="http://127.0.0.1") as c:
        assert c.post("/api/articles", json={"text": rel.GOOD_EN}, headers={"Authorization": "Bearer None"}
                      ).status_code == 403


# -- size limits -------------------------------------------------------------------------
@pytest.mark.parametrize("path,limit", [("/api/articles", 2000), ("/api/articles/bulk", 5000), ("/api/compare", 3000)])
def test_bodies_over_the_route_limit_are_413(engine, path, limit) -> None:
    app = create_app(engine, TOKEN, body_limits={"/api/articles/bulk": 5000, "/api/articles": 2000,
                                                 "/api/compare": 3000, "": 1000})
    with TestClient(app, base_url="http://127.0.0.1") as c:
        before = _counts(engine)
        big = b'{"text": "' + b"a" * (limit + 10) + b'"}'
        assert c.post(path, content=big, headers={**AUTH, "Content-Type": "application/json"}).status_code == 413
        # a lying Content-Length does not help
        r = c.post(path, content=iter([big[:500], big[500:]]), headers={**AUTH, "Content-Type": "application/json"})
        assert r.status_code == 413
        files = {"file": ("a.jsonl", b'{"text": "' + b"b" * (limit + 10) + b'"}\n', "application/x-ndjson")}
        assert c.post(path, files=files, headers=AUTH).status_code in (413, 422)
        assert _counts(engine) == before


# -- XSS through every field that reaches a page ---------------------------------------------
@pytest.fixture(scope="module")
def hostile(client, engine):
    """One article whose every field is hostile, with a hostile entity mention."""
    r = client.post("/api/articles", headers=AUTH, json={
        "title": f"Tram {XSS} budget", "text": rel.GOOD_EN + f"\n{XSS} Hostile text.", "source": f"Wire {XSS}",
        "url": "javascript:alert(document.cookie)//", "lang": "en"}).json()
    assert r["status"] == "added", r
    entity = Entity("per:xss", "PER", f"Mallory {XSS}", {"fr": XSS})
    with engine.store.transaction() as conn:
        engine.store.upsert_entities(conn, {entity.id: entity})
        conn.execute("INSERT INTO mentions (article_id, idx, text, type, sentence, start, end, entity_id, source)"
                     " VALUES (?, 0, ?, 'PER', 0, 0, 7, 'per:xss', 'test')", (r["article_id"], f"Mallory {XSS}"))
    return r


def _pages(hostile) -> list[str]:
    return [f"/articles/{hostile['article_id']}", f"/stories/{hostile['story_id']}", "/", "/?entity=per%3Axss",
            "/search?q=Hostile", f"/search?q={XSS}", f"/?q={XSS}", f"/?source={XSS}"]


@pytest.mark.parametrize("index", range(8))
def test_hostile_fields_are_escaped_on_every_page(client, hostile, index) -> None:
    path = _pages(hostile)[index]
    r = client.get(path)
    assert r.status_code in (200, 422), (path, r.status_code)
    html = r.text
    assert MARK not in html and "<img src=x" not in html, path
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.IGNORECASE), path
    assert "onerror=alert(1)>" not in html.replace("onerror=alert(1)&gt;", ""), path


def test_hostile_fields_are_there_escaped_not_dropped(client, hostile) -> None:
    html = client.get(f"/articles/{hostile['article_id']}").text
    assert "&lt;script&gt;window.__x=1&lt;/script&gt;" in html
    story = client.get(f"/stories/{hostile['story_id']}").text
    assert "Mallory" in story and "&lt;script&gt;" in story


def test_compare_form_escapes_posted_text(client) -> None:
    r = client.post("/compare", data={"a_text": rel.GOOD_EN + XSS, "b_text": rel.GOOD_EN + " B " + XSS})
    assert MARK not in r.text and "<img src=x" not in r.text


def test_json_api_is_never_html(client, hostile) -> None:
    r = client.get(f"/api/articles/{hostile['article_id']}")
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"


# -- SSRF through a feed's entry links ---------------------------------------------------------
class _FeedHandler(http.server.BaseHTTPRequestHandler):
    links: list[str] = []

    def do_GET(self):
        items = "".join(f"<item><title>Entry {i}</title><link>{link}</link><description>"
                        f"{rel.GOOD_EN} Entry {i}.</description></item>" for i, link in enumerate(self.links))
        body = f"<rss><channel><title>Local</title>{items}</channel></rss>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


HOSTILE_LINKS = ["http://169.254.169.254/latest/meta-data/", "http://metadata.example/latest",
                 "http://10.0.0.5/admin", "http://[::ffff:169.254.169.254]/", "http://2852039166/",
                 "http://0x0a.0.0.1/", "http://[fe80::1]/", "http://rebind.example/", "http://0.0.0.0:22/",
                 "file:///etc/passwd"]


def test_feed_entry_links_to_private_addresses_are_never_fetched(tmp_path: Path, monkeypatch) -> None:
    from newsloom import watch

    connects: list[tuple] = []
    real_open = watch._open_socket

    def spy(family, sockaddr, timeout, source_address):
        connects.append(sockaddr)
        return real_open(family, sockaddr, timeout, source_address)

    monkeypatch.setattr(watch, "_open_socket", spy)
    fake_dns = {"metadata.example": ["169.254.169.254"], "rebind.example": ["93.184.216.34", "10.1.1.1"]}

    def resolver(host, port, *args):
        if host in fake_dns:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in fake_dns[host]]
        return socket.getaddrinfo(host, port, *args)

    _FeedHandler.links = HOSTILE_LINKS
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got: list[RawArticle] = []
    try:
        watcher = watch.FeedWatcher([f"http://127.0.0.1:{server.server_port}/feed.xml"], got.extend, tmp_path / "w.db",
                                    allowed_networks=("127.0.0.1/32",), resolver=resolver, host_delay=0, timeout=5)
        report = watcher.run_once()[0]
        watcher.close()
    finally:
        server.shutdown()
    assert report.status == "ok" and report.pages_fetched == 0
    assert len(got) == len(HOSTILE_LINKS) and all(a.metadata["text_from"] == "feed" for a in got)
    assert all(ipaddress.ip_address(s[0]).is_loopback for s in connects), connects
    assert len(connects) == 1  # the feed itself, nothing else
    refused = [e for e in report.errors if e.kind == "refused"]
    assert len(refused) == len(HOSTILE_LINKS), report.errors


# -- path traversal ----------------------------------------------------------------------------
TRAVERSALS = ["/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
              "/static/..%2f..%2f..%2fpyproject.toml", "/static/%252e%252e/%252e%252e/etc/passwd",
              "/static//etc/passwd", "/static/..\\..\\app.py", "/static/%2e%2e%5c%2e%2e%5capp.py",
              "/articles/..%2F..%2F..%2Fetc%2Fpasswd", "/stories/..%2F..%2Fetc%2Fpasswd",
              "/api/articles/..%2F..%2Fetc%2Fpasswd", "/static/app.css%00.py", "/static/../views.py"]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_route_serves_files_outside_static(client, path) -> None:
    r = client.get(path)
    assert r.status_code in (400, 404, 405, 422), (path, r.status_code)
    assert "root:" not in r.text and "[project]" not in r.text and "def install_web" not in r.text


def test_static_files_are_still_served(client) -> None:
    assert client.get("/static/app.css").status_code == 200


# -- SQL only with parameters ------------------------------------------------------------------
_SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|PRAGMA|DROP|WHERE|ORDER BY|VALUES|MATCH)\b")
#: Every expression formatted into SQL text, and why it is not user input.
SQL_ALLOWED: dict[str, set[str]] = {
    "store.py": {"marks",  # "?,?,?": one placeholder per id
                 "order[sort]",  # a value of a constant dict, keyed by a checked sort name
                 "' AND '.join(where)",  # constant filter fragments, each with its own "?"
                 "table", "name", "type_", "clause"},  # migration: identifiers from our own schema text
    "ops.py": {"_FTS_IDS",  # a constant subquery
               "column_list", "table", "order", "t",  # from TABLES / pragma_table_info / _ORDER constants
               "', '.join((chr(34) + n + chr(34) for n in names))",  # names checked against pragma_table_info
               "','.join('?' * len(names))"},
}


def _sql_formatting(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if _SQL.search(text):
                found += [ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
                and isinstance(node.left.value, str) and _SQL.search(node.left.value):
            found.append(f"% formatting at line {node.lineno}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
                and isinstance(node.func.value, ast.Constant) and _SQL.search(str(node.func.value.value)):
            found.append(f".format at line {node.lineno}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            sides = [node.left, node.right]
            if any(isinstance(s, ast.Constant) and isinstance(s.value, str) and _SQL.search(s.value) for s in sides):
                found += [ast.unparse(s) for s in sides if not isinstance(s, (ast.Constant, ast.JoinedStr, ast.BinOp))
                          and ast.unparse(s) not in {"sql"}]
    return found


def test_sql_is_built_only_from_parameters_and_constants() -> None:
    offenders = {}
    for path in sorted((REPO / "src" / "newsloom").rglob("*.py")):
        allowed = SQL_ALLOWED.get(path.name, set())
        bad = [expr for expr in _sql_formatting(path) if expr not in allowed]
        if bad:
            offenders[str(path.relative_to(REPO))] = bad
    assert offenders == {}, f"SQL text built from non-constant values: {offenders}"


def test_the_sql_scan_would_catch_an_fstring_with_a_value(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('def f(conn, name):\n    conn.execute(f"SELECT * FROM articles WHERE title = \'{name}\'")\n'
                   'def g(conn, x):\n    conn.execute("DELETE FROM stories WHERE id = %s" % x)\n'
                   'def h(conn, x):\n    conn.execute("SELECT * FROM t WHERE a = " + x)\n')
    assert _sql_formatting(bad) == ["name", "% formatting at line 4", "x"]


INJECTIONS = ["' OR 1=1 --", "\"; DROP TABLE articles; --", "%", "_", "*", "a OR b", "NEAR(tram budget)",
              "title:tram", "\\", "') UNION SELECT id, text FROM articles --", "tram\" OR \"1", "\u0000"]


@pytest.mark.parametrize("value", INJECTIONS, ids=range(len(INJECTIONS)))
def test_injection_strings_through_every_filter_are_just_values(client, engine, value) -> None:
    before = _counts(engine)
    for field in ("lang", "source", "entity", "q"):
        r = client.get("/api/stories", params={field: value})
        assert r.status_code in (200, 422), (field, r.text)
        if r.status_code == 200:
            assert r.json()["items"] == [], (field, value)  # no stored value equals these strings
    r = client.get("/api/search", params={"q": value})
    assert r.status_code in (200, 422)
    if r.status_code == 200:
        assert r.json()["hits"] == [] if "hits" in r.json() else True
    for path in (f"/api/articles/{value}", f"/api/stories/{value}"):
        assert client.get(path.replace("\u0000", "%00")).status_code in (404, 422)
    assert engine.stories(lang=value) == [] and engine.stories(source=value) == [] and engine.stories(entity=value) == []
    assert _counts(engine) == before
    check = sqlite3.connect(engine.store.path)
    assert check.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'articles'").fetchone()[0] == 1
    check.close()
