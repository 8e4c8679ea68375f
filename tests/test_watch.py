"""FeedWatcher against a local HTTP server on 127.0.0.1 (offline).

Every socket the watcher opens goes through ``newsloom.watch._open_socket``; an autouse
fixture makes that refuse anything but loopback, so a broken SSRF guard fails the test
instead of sending a packet to a private or public address.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsloom import watch
from newsloom.model import BatchReport, IngestResult, RawArticle
from newsloom.watch import AddressPolicy, AddressRefused, FeedWatcher, Fetcher, FetchError, normalise_url

LOOPBACK = ("127.0.0.0/8",)
FEED_LAST_MODIFIED = formatdate(1747000000, usegmt=True)

ARTICLES = {
    "lighthouse": (
        "Old lighthouse on Kestrel Point reopens as a museum",
        ["The lighthouse on Kestrel Point, dark since 1987, reopened on Saturday as a small maritime museum "
         "run by volunteers from the harbour association.",
         "Visitors can climb the 143 steps to the lantern room, where the original Fresnel lens has been "
         "restored by a workshop in the town over three winters.",
         "The association expects about 20,000 visitors a year and plans evening openings in the summer, "
         "when the lens will be lit again for an hour after sunset."]),
    "ferry": (
        "Island ferry timetable extended for the winter",
        ["The ferry company serving the three northern islands will keep its evening crossing running "
         "through the winter for the first time, after a campaign by residents and schools.",
         "The extra sailing leaves the mainland at nine in the evening and returns at ten, and the fares "
         "will stay the same as in summer.",
         "The regional council is paying for the trial, which will be reviewed in March once the figures "
         "on passengers and costs are known."]),
    "bakery": (
        "Bakery cooperative opens second shop in the old market hall",
        ["A bakery cooperative founded by six bakers two years ago has opened a second shop in the "
         "renovated market hall, selling bread made with grain from nearby farms.",
         "The cooperative says it now employs nineteen people and sells about four thousand loaves a week, "
         "twice as many as a year ago.",
         "Its members want to open a training kitchen for apprentices next year if the city agrees to "
         "rent them the empty rooms upstairs."]),
}

ONLY_ON_PAGE = "the original Fresnel lens has been restored"


def article_html(slug: str) -> str:
    title, paragraphs = ARTICLES[slug]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Harbour Weekly</footer></body></html>")


def rss(base: str, slugs: list[str]) -> str:
    items = "".join(
        f"<item><title>{ARTICLES[s][0]}</title><link>{base}/articles/{s}.html?utm_source=rss#top</link>"
        f"<guid>{s}</guid><pubDate>Sat, 10 May 2025 09:00:00 +0000</pubDate>"
        f"<description>{ARTICLES[s][1][0]}</description></item>"
        for s in slugs)
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Harbour Weekly</title>"
            f"<link>{base}/</link><description>Local news</description>{items}</channel></rss>")


def atom(slugs: list[str]) -> str:
    # Relative links: they must be resolved against the feed's (final) URL.
    entries = "".join(
        f"<entry><title>{ARTICLES[s][0]}</title><link href='/articles/{s}.html'/><id>urn:{s}</id>"
        f"<updated>2025-05-11T08:00:00Z</updated><summary>{ARTICLES[s][1][0]}</summary></entry>"
        for s in slugs)
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Island Notes</title><id>urn:island</id><updated>2025-05-11T08:00:00Z</updated>{entries}</feed>")


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.rss_slugs = ["lighthouse", "ferry"]

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # a client that hung up on purpose is fine

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def count(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


class Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "application/xml", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one branch per route is the clearest here
        srv = self.server
        path = self.path.split("?", 1)[0]
        srv.requests.append((path, dict(self.headers.items())))
        if path == "/rss.xml":
            etag = '"v-' + "-".join(srv.rss_slugs) + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, ETag=etag)
            return self._send(200, rss(srv.base, srv.rss_slugs).encode(), ETag=etag)
        if path == "/atom.xml":
            if self.headers.get("If-Modified-Since") == FEED_LAST_MODIFIED:
                return self._send(304)
            return self._send(200, atom(["bakery"]).encode(), Last_Modified=FEED_LAST_MODIFIED)
        if path == "/plain-rss.xml":  # no validators: every visit gets the whole feed
            return self._send(200, rss(srv.base, srv.rss_slugs).encode())
        if path == "/missing-page-rss.xml":
            doc = rss(srv.base, ["lighthouse"]).replace("/articles/lighthouse.html", "/articles/gone.html")
            return self._send(200, doc.encode())
        if path.startswith("/articles/") and path.endswith(".html"):
            slug = path.rsplit("/", 1)[1][:-5]
            if slug not in ARTICLES:
                return self._send(404, b"not found", ctype="text/plain")
            return self._send(200, article_html(slug).encode(), ctype="text/html; charset=utf-8")
        if path == "/broken.xml":
            return self._send(200, b"<?xml version='1.0'?><rss><channel><title>Oops</title><item>")
        if path == "/moved.xml":
            return self._send(301, Location="/feeds/atom.xml")
        if path == "/feeds/atom.xml":
            return self._send(200, atom(["bakery"]).encode())
        if path == "/loop.xml":
            return self._send(302, Location="/loop.xml")
        if path == "/slow.xml":
            time.sleep(2.0)
            return self._send(200, rss(srv.base, []).encode())
        if path == "/huge.xml":
            return self._send(200, b"<rss>" + b" " * 300_000 + b"</rss>")
        if path == "/huge-stream.xml":  # no Content-Length: the limit must hold while reading
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b" " * 10_000)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if path == "/to-private.xml":
            return self._send(302, Location="http://10.0.0.1/feed.xml")
        if path == "/to-metadata.xml":
            return self._send(302, Location="http://169.254.169.254/latest/meta-data/")
        if path == "/to-localhost.xml":
            return self._send(302, Location=f"http://localhost:{srv.server_port}/rss.xml")
        if path == "/to-file.xml":
            return self._send(302, Location="file:///etc/passwd")
        return self._send(404, b"not found", ctype="text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    srv = FeedServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Let the watcher open sockets to loopback only; record every attempt."""
    attempts: list[tuple] = []
    real_open = watch._open_socket

    def open_loopback_only(family, sockaddr, timeout, source_address):
        attempts.append(sockaddr)
        if not ipaddress.ip_address(sockaddr[0].split("%")[0]).is_loopback:
            raise AssertionError(f"the watcher tried to connect to {sockaddr}")
        return real_open(family, sockaddr, timeout, source_address)

    monkeypatch.setattr(watch, "_open_socket", open_loopback_only)
    return attempts


@pytest.fixture
def server_state(server: FeedServer) -> Iterator[FeedServer]:
    server.requests.clear()
    server.rss_slugs = ["lighthouse", "ferry"]
    yield server


class Collect:
    """A sink that keeps what it is given."""

    def __init__(self) -> None:
        self.batches: list[list[RawArticle]] = []

    def __call__(self, articles: list[RawArticle]) -> None:
        self.batches.append(articles)

    @property
    def articles(self) -> list[RawArticle]:
        return [a for batch in self.batches for a in batch]


class FakeClock:
    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_watcher(tmp_path: Path, feeds: list[str], sink, **options) -> FeedWatcher:
    options.setdefault("allowed_networks", LOOPBACK)
    options.setdefault("host_delay", 0.0)
    options.setdefault("timeout", 5.0)
    return FeedWatcher(feeds, sink, tmp_path / "watch.sqlite", **options)


# -- feeds and pages --------------------------------------------------------------------

def test_rss_and_atom_entries_reach_the_sink_with_page_text(tmp_path: Path, server_state: FeedServer) -> None:
    sink = Collect()
    base = server_state.base
    with make_watcher(tmp_path, [f"{base}/rss.xml", f"{base}/atom.xml"], sink) as watcher:
        reports = watcher.run_once()
    assert [(r.status, r.entries, r.new, r.pages_fetched) for r in reports] == [("ok", 2, 2, 2), ("ok", 1, 1, 1)]
    by_title = {a.title: a for a in sink.articles}
    assert set(by_title) == {ARTICLES[s][0] for s in ("lighthouse", "ferry", "bakery")}
    lighthouse = by_title[ARTICLES["lighthouse"][0]]
    assert ONLY_ON_PAGE in lighthouse.text  # the page's body, not the feed's one-line summary
    assert "Home" not in lighthouse.text.split("\n")[0]
    assert lighthouse.metadata["text_from"] == "page"
    assert lighthouse.url == f"{base}/articles/lighthouse.html"  # tracking parameters and fragment dropped
    assert lighthouse.source == "Harbour Weekly"
    assert lighthouse.published is not None and lighthouse.published.isoformat().startswith("2025-05-10T09:00")
    bakery = by_title[ARTICLES["bakery"][0]]
    assert bakery.url == f"{base}/articles/bakery.html"  # relative Atom link resolved
    assert bakery.source == "Island Notes" and bakery.external_id == "urn:bakery"


def test_second_pass_sends_validators_and_handles_304(tmp_path: Path, server_state: FeedServer) -> None:
    sink = Collect()
    base = server_state.base
    with make_watcher(tmp_path, [f"{base}/rss.xml", f"{base}/atom.xml"], sink) as watcher:
        watcher.run_once()
        second = watcher.run_once()
    assert [r.status for r in second] == ["not_modified", "not_modified"]
    assert [r.http_status for r in second] == [304, 304]
    rss_requests = [h for p, h in server_state.requests if p == "/rss.xml"]
    atom_requests = [h for p, h in server_state.requests if p == "/atom.xml"]
    assert "If-None-Match" not in rss_requests[0]
    assert rss_requests[1]["If-None-Match"] == '"v-lighthouse-ferry"'
    assert atom_requests[1]["If-Modified-Since"] == FEED_LAST_MODIFIED
    assert len(sink.batches) == 2  # one per feed in the first pass, nothing in the second
    assert server_state.count("/articles/lighthouse.html") == 1


def test_changed_feed_delivers_only_new_entries_across_restarts(tmp_path: Path, server_state: FeedServer) -> None:
    sink = Collect()
    url = f"{server_state.base}/plain-rss.xml"
    with make_watcher(tmp_path, [url], sink) as watcher:
        assert watcher.run_once()[0].new == 2
    server_state.rss_slugs = ["bakery", "lighthouse", "ferry"]
    with make_watcher(tmp_path, [url], sink) as watcher:  # a new process, same state file
        report = watcher.run_once()[0]
    assert (report.status, report.entries, report.new, report.already_seen) == ("ok", 3, 1, 2)
    assert [a.title for a in sink.batches[-1]] == [ARTICLES["bakery"][0]]


def test_sink_batch_report_is_summarised(tmp_path: Path, server_state: FeedServer) -> None:
    def sink(articles: list[RawArticle]) -> BatchReport:
        return BatchReport([IngestResult(a.origin, "added" if i == 0 else "duplicate")
                            for i, a in enumerate(articles)])

    with make_watcher(tmp_path, [f"{server_state.base}/rss.xml"], sink) as watcher:
        report = watcher.run_once()[0]
    assert (report.added, report.duplicates) == (1, 1)


def test_failed_sink_leaves_entries_for_the_next_pass(tmp_path: Path, server_state: FeedServer) -> None:
    clock = FakeClock()
    delivered: list[list[RawArticle]] = []

    def flaky_sink(articles: list[RawArticle]) -> None:
        if not delivered and not getattr(flaky_sink, "failed", False):
            flaky_sink.failed = True  # type: ignore[attr-defined]
            raise RuntimeError("database is locked")
        delivered.append(articles)

    with make_watcher(tmp_path, [f"{server_state.base}/rss.xml"], flaky_sink, wall_clock=clock,
                      sleep=clock.sleep, backoff_base=30.0) as watcher:
        first = watcher.run_once()[0]
        assert (first.status, first.error_kind) == ("error", "sink")
        clock.now += 31
        second = watcher.run_once()[0]
    assert second.status == "ok" and second.new == 2  # no 304: the validators were not saved
    assert len(delivered) == 1 and len(delivered[0]) == 2


def test_missing_article_page_falls_back_to_feed_text(tmp_path: Path, server_state: FeedServer) -> None:
    sink = Collect()
    with make_watcher(tmp_path, [f"{server_state.base}/missing-page-rss.xml"], sink) as watcher:
        report = watcher.run_once()[0]
    assert report.status == "ok" and report.new == 1
    assert [e.kind for e in report.errors] == ["http"]
    (article,) = sink.articles
    assert article.metadata["text_from"] == "feed"
    assert article.text == ARTICLES["lighthouse"][1][0]


def test_no_pages_option_uses_feed_text(tmp_path: Path, server_state: FeedServer) -> None:
    sink = Collect()
    with make_watcher(tmp_path, [f"{server_state.base}/rss.xml"], sink, fetch_pages=False) as watcher:
        report = watcher.run_once()[0]
    assert report.pages_fetched == 0 and server_state.count("/articles/lighthouse.html") == 0
    assert all(a.metadata["text_from"] == "feed" for a in sink.articles)


# -- failures and backoff ---------------------------------------------------------------

def test_broken_feed_backs_off_exponentially(tmp_path: Path, server_state: FeedServer) -> None:
    clock = FakeClock()
    url = f"{server_state.base}/broken.xml"
    with make_watcher(tmp_path, [url], Collect(), wall_clock=clock, sleep=clock.sleep,
                      backoff_base=60.0, backoff_max=200.0) as watcher:
        first = watcher.run_once()[0]
        assert (first.status, first.error_kind) == ("error", "malformed")
        assert first.next_attempt == pytest.approx(clock.now + 60)
        clock.now += 30
        assert watcher.run_once()[0].status == "backoff"
        assert server_state.count("/broken.xml") == 1  # no request while backing off
        delays = []
        for _ in range(3):
            clock.now = watcher.state.feed(url).next_attempt + 1
            report = watcher.run_once()[0]
            delays.append(report.next_attempt - clock.now)
    assert delays == pytest.approx([120.0, 200.0, 200.0])  # doubled, then capped
    assert server_state.count("/broken.xml") == 4


def test_backoff_resets_after_success(tmp_path: Path, server_state: FeedServer) -> None:
    clock = FakeClock()
    url = f"{server_state.base}/rss.xml"
    with make_watcher(tmp_path, [url], Collect(), wall_clock=clock, sleep=clock.sleep) as watcher:
        state = watcher.state.feed(url)
        state.failures, state.next_attempt = 3, clock.now - 1
        watcher.state.save_feed(state)
        assert watcher.run_once()[0].status == "ok"
        assert watcher.state.feed(url).failures == 0


def test_redirect_is_followed(tmp_path: Path, server_state: FeedServer) -> None:
    sink = Collect()
    with make_watcher(tmp_path, [f"{server_state.base}/moved.xml"], sink) as watcher:
        report = watcher.run_once()[0]
    assert report.status == "ok" and report.new == 1
    assert sink.articles[0].url == f"{server_state.base}/articles/bakery.html"


def test_redirect_loop_is_an_error(tmp_path: Path, server_state: FeedServer) -> None:
    with make_watcher(tmp_path, [f"{server_state.base}/loop.xml"], Collect()) as watcher:
        report = watcher.run_once()[0]
    assert (report.status, report.error_kind) == ("error", "redirect")
    assert server_state.count("/loop.xml") <= 6


def test_slow_response_times_out(tmp_path: Path, server_state: FeedServer) -> None:
    with make_watcher(tmp_path, [f"{server_state.base}/slow.xml"], Collect(), timeout=0.3) as watcher:
        started = time.monotonic()
        report = watcher.run_once()[0]
        elapsed = time.monotonic() - started
    assert (report.status, report.error_kind) == ("error", "timeout")
    assert elapsed < 1.5


@pytest.mark.parametrize("path", ["/huge.xml", "/huge-stream.xml"])
def test_huge_response_is_refused(tmp_path: Path, server_state: FeedServer, path: str) -> None:
    with make_watcher(tmp_path, [server_state.base + path], Collect(), max_bytes=100_000) as watcher:
        report = watcher.run_once()[0]
    assert (report.status, report.error_kind) == ("error", "too_large")


def test_fetch_under_the_limit_is_accepted(server_state: FeedServer) -> None:
    fetcher = Fetcher(AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),)),
                      max_bytes=400_000, host_delay=0)
    assert len(fetcher.get(server_state.base + "/huge.xml").body) == 300_011


# -- address policy (SSRF guard) ----------------------------------------------------------

@pytest.mark.parametrize("path", ["/to-private.xml", "/to-metadata.xml"])
def test_redirect_to_private_address_is_refused(tmp_path: Path, server_state: FeedServer,
                                                loopback_only: list, path: str) -> None:
    with make_watcher(tmp_path, [server_state.base + path], Collect()) as watcher:
        report = watcher.run_once()[0]
    assert (report.status, report.error_kind) == ("error", "refused")
    assert all(ipaddress.ip_address(a[0]).is_loopback for a in loopback_only)


def test_redirect_to_a_file_url_is_refused(tmp_path: Path, server_state: FeedServer) -> None:
    with make_watcher(tmp_path, [server_state.base + "/to-file.xml"], Collect()) as watcher:
        report = watcher.run_once()[0]
    assert (report.status, report.error_kind) == ("error", "refused")


def test_loopback_is_refused_unless_allowed(tmp_path: Path, server_state: FeedServer,
                                            loopback_only: list) -> None:
    feeds = [f"{server_state.base}/rss.xml", f"http://localhost:{server_state.server_port}/rss.xml"]
    with make_watcher(tmp_path, feeds, Collect(), allowed_networks=()) as watcher:
        reports = watcher.run_once()
    assert [(r.status, r.error_kind) for r in reports] == [("error", "refused")] * 2
    assert loopback_only == [] and server_state.requests == []
    with make_watcher(tmp_path / "b", feeds[:1], Collect(), allowed_networks=(), allow_private=True) as watcher:
        assert watcher.run_once()[0].status == "ok"


def test_a_redirect_target_is_judged_by_all_its_addresses(tmp_path: Path, server_state: FeedServer) -> None:
    # Only 127.0.0.1/32 is allowed; the redirect goes to "localhost", which answers
    # both ::1 (not allowed) and 127.0.0.1 (allowed): one bad address refuses the name.
    resolver_calls: list[str] = []

    def resolver(host, port, *args):
        resolver_calls.append(host)
        if host == "localhost":
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return socket.getaddrinfo(host, port, *args)

    with make_watcher(tmp_path, [server_state.base + "/to-localhost.xml"], Collect(),
                      allowed_networks=("127.0.0.1/32",), resolver=resolver) as watcher:
        report = watcher.run_once()[0]
    assert (report.status, report.error_kind) == ("error", "refused")
    assert resolver_calls == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize("answer", [["192.168.1.10"], ["10.2.3.4"], ["93.184.216.34", "172.16.0.9"],
                                    ["fd00::1"], ["::ffff:127.0.0.1"]])
def test_dns_names_resolving_to_private_addresses_are_refused(answer: list[str], loopback_only: list) -> None:
    def resolver(host, port, *args):
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                for ip in answer]

    fetcher = Fetcher(resolver=resolver, host_delay=0)
    with pytest.raises(AddressRefused):
        fetcher.get("http://news.example/feed.xml")
    assert loopback_only == []  # refused before any connection attempt


@pytest.mark.parametrize("ip,allowed", [
    ("93.184.216.34", True), ("2606:4700::1111", True),
    ("127.0.0.1", False), ("10.0.0.1", False), ("172.16.5.4", False), ("192.168.0.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("240.0.0.1", False), ("::1", False), ("fe80::1", False), ("fc00::1", False), ("ff02::1", False),
    ("::ffff:10.0.0.1", False),
])
def test_default_policy_allows_only_public_addresses(ip: str, allowed: bool) -> None:
    assert AddressPolicy().permits(ipaddress.ip_address(ip)) is allowed


def test_allow_private_still_refuses_multicast() -> None:
    policy = AddressPolicy(allow_private=True)
    assert policy.permits(ipaddress.ip_address("10.0.0.1"))
    assert policy.permits(ipaddress.ip_address("::1"))
    assert not policy.permits(ipaddress.ip_address("239.1.1.1"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed.xml", "data:,hello", "http:///x"])
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(AddressRefused):
        Fetcher(host_delay=0).get(url)


# -- politeness, passes, CLI ----------------------------------------------------------------

def test_requests_to_one_host_are_spaced(server_state: FeedServer) -> None:
    clock = FakeClock(start=100.0)
    fetcher = Fetcher(AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),)),
                      host_delay=5.0, clock=clock, sleep=clock.sleep)
    fetcher.get(server_state.base + "/atom.xml")
    fetcher.get(server_state.base + "/atom.xml")
    assert clock.sleeps == [pytest.approx(5.0)]
    clock.now += 10  # long enough since the last request: no wait
    fetcher.get(server_state.base + "/atom.xml")
    assert len(clock.sleeps) == 1


def test_run_repeats_passes_at_the_interval(tmp_path: Path, server_state: FeedServer) -> None:
    clock = FakeClock()
    seen: list[list[str]] = []
    with make_watcher(tmp_path, [f"{server_state.base}/rss.xml"], Collect(), wall_clock=clock,
                      sleep=clock.sleep) as watcher:
        passes = watcher.run(60.0, max_passes=3, on_pass=lambda rs: seen.append([r.status for r in rs]))
    assert passes == 3
    assert seen == [["ok"], ["not_modified"], ["not_modified"]]
    assert clock.sleeps == [60.0, 60.0]


def test_normalise_url_drops_fragments_and_tracking() -> None:
    assert normalise_url("HTTPS://Example.ORG/a/b?id=3&utm_source=x&fbclid=1#frag") == "https://example.org/a/b?id=3"
    assert normalise_url("https://example.org") == "https://example.org/"


class FakeEngine:
    """Stands in for newsloom.Engine so the CLI test does not load language models."""

    instances: list["FakeEngine"] = []

    def __init__(self, db=None, **kwargs) -> None:
        self.db = db
        self.received: list[RawArticle] = []
        FakeEngine.instances.append(self)

    def ingest_raw(self, items) -> BatchReport:
        items = list(items)
        self.received.extend(items)
        return BatchReport([IngestResult(a.origin, "added") for a in items])

    def __enter__(self) -> "FakeEngine":
        return self

    def __exit__(self, *exc) -> None:
        pass


def test_main_once_reads_a_feeds_file(tmp_path: Path, server_state: FeedServer, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    import newsloom.engine

    monkeypatch.setattr(newsloom.engine, "Engine", FakeEngine)
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# local test feeds\n{server_state.base}/rss.xml\n\n{server_state.base}/broken.xml  # bad\n")
    db = tmp_path / "news.db"
    code = watch.main([str(feeds), "--once", "--allow-private", "--json", "--host-delay", "0"], db=db)
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["status"], r["new"], r["added"]) for r in lines] == [("ok", 2, 2), ("error", 0, None)]
    assert FakeEngine.instances[-1].db == db and len(FakeEngine.instances[-1].received) == 2
    assert (tmp_path / "news.db.watch.sqlite").is_file()


def test_main_refuses_loopback_without_allow_private(tmp_path: Path, server_state: FeedServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import newsloom.engine

    monkeypatch.setattr(newsloom.engine, "Engine", FakeEngine)
    code = watch.main([f"{server_state.base}/rss.xml", "--once", "--db", str(tmp_path / "x.db")])
    assert code == 1 and server_state.requests == []


def test_main_rejects_a_missing_feeds_file(tmp_path: Path) -> None:
    assert watch.main([str(tmp_path / "nope.txt"), "--once"], db=tmp_path / "x.db") == 2


def test_fetch_error_kinds_are_specific(server_state: FeedServer) -> None:
    fetcher = Fetcher(AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),)), host_delay=0)
    with pytest.raises(FetchError) as missing:
        fetcher.get(server_state.base + "/no-such-feed.xml")
    assert (missing.value.kind, missing.value.status) == ("http", 404)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with pytest.raises(FetchError) as refused:
        fetcher.get(f"http://127.0.0.1:{port}/feed.xml")
    assert refused.value.kind == "network"


def test_https_goes_through_the_same_guard(server_state: FeedServer, loopback_only: list) -> None:
    url = f"https://127.0.0.1:{server_state.server_port}/rss.xml"
    with pytest.raises(AddressRefused):
        Fetcher(host_delay=0).get(url)
    assert loopback_only == []
    allowed = Fetcher(AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),)), host_delay=0)
    with pytest.raises(FetchError) as failed:  # a TLS handshake with a plain-HTTP server
        allowed.get(url)
    assert failed.value.kind == "network" and len(loopback_only) == 1
