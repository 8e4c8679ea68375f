"""``newsloom watch``: follow RSS/Atom feeds and hand each new article to a sink.

One pass (:meth:`FeedWatcher.run_once`) visits every feed once:

1. skip the feed while it is backing off after errors;
2. conditional GET of the feed (``If-None-Match`` / ``If-Modified-Since`` from the
   validators of its last good response); ``304 Not Modified`` ends the visit;
3. parse the document with :func:`newsloom.readers.feed.parse_feed` (defusedxml);
4. for each entry whose normalised URL has not been seen, fetch the article page and
   extract its text and metadata with trafilatura (:func:`newsloom.readers.html.parse_html`),
   falling back to the feed's own summary when the page cannot be had;
5. give the new articles to the sink (``Engine.ingest_raw``, which also dedupes by URL
   and content id); only then remember their URLs and the feed's validators, so a
   sink failure means the entries are offered again next pass.

Network safety: only ``http``/``https``; every connection, including each redirect hop,
resolves the host itself and refuses private, loopback, link-local, reserved, shared
(CGNAT) and multicast addresses (an SSRF guard, after OWASP's SSRF prevention cheat
sheet) unless ``allow_private`` or an explicit ``allowed_networks`` entry permits them.
The socket is then opened to the very address that was checked, so a DNS answer that
changes between check and connect (rebinding) cannot slip through. Environment proxies
are ignored on purpose: through a proxy the guard would vet the proxy, not the target.
Responses are bounded in size (``max_bytes``) and time (``timeout`` per socket operation
and ``timeout * 3`` per whole fetch); at most ``max_redirects`` hops are followed. Requests
to one host are spaced by at least ``host_delay`` seconds; a failing feed waits
``backoff_base * 2**(failures-1)`` seconds (capped at ``backoff_max``) before its next try.

State (validators, failures, next attempt, seen URLs) lives in a small SQLite file of
its own, by default next to the database: ``<db>.watch.sqlite``.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import ipaddress
import json
import re
import socket
import sqlite3
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from newsloom.errors import InputError, NewsloomError
from newsloom.model import BatchReport, ItemError, RawArticle

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]
Sink = Callable[[list[RawArticle]], Any]

USER_AGENT = "newsloom-watch/0.1 (+https://example.org/newsloom)"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_CHUNK = 64 * 1024
_TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


# -- errors -------------------------------------------------------------------------

class FetchError(NewsloomError):
    """A URL could not be fetched; ``kind`` is refused, timeout, too_large, http, network or redirect."""

    def __init__(self, reason: str, kind: str = "network", status: int | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.status = status


class AddressRefused(FetchError):
    """The address policy forbids connecting to this host (SSRF guard)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, kind="refused")


# -- address policy -------------------------------------------------------------------

@dataclass(frozen=True)
class AddressPolicy:
    """Which IP addresses a fetch may connect to.

    Public (globally routable, non-multicast) addresses are always allowed. With
    ``allow_private`` every non-multicast address is; ``allowed_networks`` opens
    specific ranges only (tests use ``127.0.0.0/8`` to reach their own server while
    still refusing a redirect to ``10.0.0.1``).
    """

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    def permits(self, ip: IPAddress) -> bool:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback, whatever it looks like
        if any(ip in net for net in self.allowed_networks if net.version == ip.version):
            return True
        if ip.is_multicast:
            return False
        if self.allow_private:
            return True
        return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local
                                     or ip.is_reserved or ip.is_unspecified)


def _parse_ip(sockaddr_host: str) -> IPAddress:
    return ipaddress.ip_address(sockaddr_host.split("%", 1)[0])  # drop an IPv6 zone id


def _open_socket(family: int, sockaddr: tuple[Any, ...], timeout: float | None,
                 source_address: tuple[str, int] | None) -> socket.socket:
    """Connect one TCP socket to an already-vetted address (a seam for tests)."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if timeout is not None and timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
            sock.settimeout(timeout)
        if source_address:
            sock.bind(source_address)
        sock.connect(sockaddr)
        return sock
    except BaseException:
        sock.close()
        raise


def guarded_connect(address: tuple[str, int], timeout: float | None = None,
                    source_address: tuple[str, int] | None = None, *,
                    policy: AddressPolicy, resolver: Resolver = socket.getaddrinfo) -> socket.socket:
    """``socket.create_connection`` that resolves once, vets every address, then connects to it.

    Refuses the host if *any* of its addresses is forbidden: a name that answers with
    both a public and a private address is treated as hostile.
    """
    host, port = address
    try:
        infos = resolver(host, port, 0, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host!r}: {exc}", kind="network") from None
    if not infos:
        raise FetchError(f"{host!r} has no address", kind="network")
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = _parse_ip(sockaddr[0])
        if not policy.permits(ip):
            raise AddressRefused(f"{host} resolves to {ip}, which is not a public address "
                                 "(pass allow_private / --allow-private to permit it)")
    last_error: OSError | None = None
    for family, _type, _proto, _canon, sockaddr in infos:
        try:
            return _open_socket(family, sockaddr, timeout, source_address)
        except OSError as exc:
            last_error = exc
    assert last_error is not None
    raise last_error


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, policy: AddressPolicy, resolver: Resolver, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = functools.partial(guarded_connect, policy=policy, resolver=resolver)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, policy: AddressPolicy, resolver: Resolver, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # HTTPSConnection.connect() opens the TCP socket through this, then wraps it
        # in TLS with server_hostname=self.host: the certificate is still checked by name.
        self._create_connection = functools.partial(guarded_connect, policy=policy, resolver=resolver)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, policy: AddressPolicy, resolver: Resolver) -> None:
        super().__init__()
        self._connection = functools.partial(_GuardedHTTPConnection, policy=policy, resolver=resolver)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, policy: AddressPolicy, resolver: Resolver, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self._connection = functools.partial(_GuardedHTTPSConnection, policy=policy, resolver=resolver)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req, context=self._context)


class _CheckedRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http/https only, waiting for the politeness delay of the new host.

    The address check itself happens when the next hop connects (see guarded_connect).
    """

    def __init__(self, max_redirects: int, before_request: Callable[[str], None]) -> None:
        super().__init__()
        self.max_redirections = max_redirects
        self._before_request = before_request

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[override]
        # Checked here, before urllib's own scheme test, so that a redirect to file: or
        # ftp: is reported as refused by the policy rather than as a generic HTTP error.
        location = headers.get("location") or headers.get("uri")
        if location:
            newurl = urllib.parse.urljoin(req.full_url, location.strip())
            scheme = urllib.parse.urlsplit(newurl).scheme.lower()
            if scheme not in ("http", "https"):
                fp.close()
                raise AddressRefused(f"redirect to a {scheme} URL refused: {newurl}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[override]
        self._before_request(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


# -- fetching -----------------------------------------------------------------------

@dataclass
class FetchResult:
    url: str  # after redirects
    status: int
    body: bytes
    headers: Message
    not_modified: bool = False


class Fetcher:
    """Bounded, polite, SSRF-guarded HTTP GET over stdlib ``urllib``.

    Parameters:
        policy: which addresses may be reached (see :class:`AddressPolicy`).
        timeout: seconds per socket operation; a whole fetch may take ``3 * timeout``.
        max_bytes: largest body accepted (a ``Content-Length`` above it fails before reading).
        host_delay: minimum seconds between two requests to the same host.
        max_redirects: hops followed before giving up.
        clock/sleep: monotonic clock and sleep, injectable for tests.
        resolver: ``socket.getaddrinfo`` or a stand-in with its signature.
    """

    def __init__(self, policy: AddressPolicy = AddressPolicy(), *, timeout: float = 10.0,
                 max_bytes: int = DEFAULT_MAX_BYTES, host_delay: float = 1.0, max_redirects: int = 5,
                 user_agent: str = USER_AGENT, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, resolver: Resolver = socket.getaddrinfo,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.policy = policy
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.host_delay = host_delay
        self.user_agent = user_agent
        self._clock = clock
        self._sleep = sleep
        self._last_request: dict[str, float] = {}
        # A bare OpenerDirector: no file:, ftp:, data: handlers and no ProxyHandler.
        self._opener = urllib.request.OpenerDirector()
        for handler in (
            _GuardedHTTPHandler(policy, resolver),
            _GuardedHTTPSHandler(policy, resolver, ssl_context or ssl.create_default_context()),
            _CheckedRedirectHandler(max_redirects, self._wait_for_host),
            urllib.request.HTTPDefaultErrorHandler(),
            urllib.request.HTTPErrorProcessor(),
        ):
            self._opener.add_handler(handler)

    def _wait_for_host(self, url: str) -> None:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        last = self._last_request.get(host)
        if last is not None:
            wait = last + self.host_delay - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = self._clock()

    def get(self, url: str, *, accept: str = "*/*", headers: dict[str, str] | None = None) -> FetchResult:
        """GET ``url``; a 304 comes back as ``not_modified``, every failure as a FetchError."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise AddressRefused(f"only http(s) URLs with a host are fetched: {url!r}")
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": accept,
                                                       **(headers or {})})
        self._wait_for_host(url)
        deadline = self._clock() + 3 * self.timeout
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = self._read_bounded(response, deadline)
                return FetchResult(response.geturl(), response.status, body, response.headers)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304:
                return FetchResult(exc.geturl() or url, 304, b"", exc.headers, not_modified=True)
            kind = "redirect" if 300 <= exc.code < 400 else "http"  # e.g. a redirect loop
            raise FetchError(f"HTTP {exc.code} {exc.reason} for {url}", kind=kind, status=exc.code) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise FetchError(f"timed out after {self.timeout}s connecting to {url}", kind="timeout") from None
            if "redirect" in str(exc.reason).lower():
                raise FetchError(f"{exc.reason} ({url})", kind="redirect") from None
            raise FetchError(f"cannot fetch {url}: {exc.reason}", kind="network") from None
        except TimeoutError:
            raise FetchError(f"timed out after {self.timeout}s reading {url}", kind="timeout") from None
        except (http.client.HTTPException, OSError) as exc:
            raise FetchError(f"cannot fetch {url}: {type(exc).__name__}: {exc}", kind="network") from None

    def _read_bounded(self, response: http.client.HTTPResponse, deadline: float) -> bytes:
        length = response.headers.get("Content-Length")
        if length and length.strip().isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"Content-Length {length} exceeds the limit of {self.max_bytes} bytes",
                             kind="too_large")
        chunks: list[bytes] = []
        size = 0
        while True:
            # The socket timeout bounds each read; the deadline bounds a server that
            # trickles one byte just before every timeout.
            if self._clock() > deadline:
                raise FetchError(f"response took longer than {3 * self.timeout}s", kind="timeout")
            chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"response exceeds the limit of {self.max_bytes} bytes", kind="too_large")
            chunks.append(chunk)


# -- state ----------------------------------------------------------------------------

@dataclass
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_attempt: float = 0.0  # epoch seconds
    last_status: str | None = None
    last_error: str | None = None
    last_checked: float | None = None


class WatchState:
    """Per-feed validators and backoff, and the URLs already handed to the sink (SQLite)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path))
        self.conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS watch_feeds (
                url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, failures INTEGER NOT NULL DEFAULT 0,
                next_attempt REAL NOT NULL DEFAULT 0, last_status TEXT, last_error TEXT, last_checked REAL);
            CREATE TABLE IF NOT EXISTS watch_seen (
                url TEXT PRIMARY KEY, feed TEXT NOT NULL, first_seen REAL NOT NULL);
            """
        )
        self.conn.commit()

    def feed(self, url: str) -> FeedState:
        row = self.conn.execute(
            "SELECT url, etag, last_modified, failures, next_attempt, last_status, last_error, last_checked "
            "FROM watch_feeds WHERE url=?", (url,)).fetchone()
        return FeedState(*row) if row else FeedState(url)

    def save_feed(self, state: FeedState) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO watch_feeds VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (state.url, state.etag, state.last_modified, state.failures, state.next_attempt,
                 state.last_status, state.last_error, state.last_checked))

    def seen(self, url: str) -> bool:
        return self.conn.execute("SELECT 1 FROM watch_seen WHERE url=?", (url,)).fetchone() is not None

    def mark_seen(self, urls: Iterable[str], feed: str, when: float) -> None:
        with self.conn:
            self.conn.executemany("INSERT OR IGNORE INTO watch_seen VALUES (?, ?, ?)",
                                  [(u, feed, when) for u in urls])

    def close(self) -> None:
        self.conn.close()


def normalise_url(url: str) -> str:
    """The URL used for dedupe: no fragment, no tracking parameters, lower-case scheme and host."""
    parts = urllib.parse.urlsplit(url.strip())
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING_PARAMS.match(k)]
    return urllib.parse.urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                                    urllib.parse.urlencode(query), ""))


# -- the watcher ----------------------------------------------------------------------

@dataclass
class FeedReport:
    """What one pass did with one feed."""

    feed: str
    status: str  # ok, not_modified, error, backoff
    http_status: int | None = None
    entries: int = 0  # items in the document
    new: int = 0  # entries not seen before, handed to the sink
    already_seen: int = 0
    pages_fetched: int = 0
    errors: list[ItemError] = field(default_factory=list)  # per-entry problems (the feed itself was fine)
    error: str | None = None  # why the feed failed as a whole
    error_kind: str | None = None
    next_attempt: float | None = None  # epoch seconds, when backing off
    added: int | None = None  # from the sink's BatchReport, when it returns one
    duplicates: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["errors"] = [str(e) for e in self.errors]
        return d


class FeedWatcher:
    """Follows RSS/Atom feeds; each pass hands the new entries' articles to ``sink``.

    Algorithm: see the module docstring (conditional GET, per-feed exponential backoff,
    per-host politeness, bounded and SSRF-guarded fetches, URL dedupe before the sink).

    Parameters:
        feeds: feed URLs.
        sink: called with the list of new RawArticles of one feed (e.g. ``Engine(db).ingest_raw``);
            a returned BatchReport is summarised in the FeedReport; an exception leaves the
            entries unseen so they are offered again.
        state_path: SQLite file for the watcher's own state.
        allow_private / allowed_networks: see :class:`AddressPolicy`.
        fetch_pages: fetch each entry's page and extract it with trafilatura (else use the feed text).
        max_new_per_feed: entries taken per feed per pass (the rest wait for the next pass).
        backoff_base / backoff_max: seconds of the exponential backoff after a failed visit.
        wall_clock: epoch clock for backoff times (injectable for tests).
        Other keyword arguments go to :class:`Fetcher`.
    """

    def __init__(self, feeds: Sequence[str], sink: Sink, state_path: str | Path, *,
                 allow_private: bool = False, allowed_networks: Sequence[str | IPNetwork] = (),
                 fetch_pages: bool = True, max_new_per_feed: int = 50, backoff_base: float = 60.0,
                 backoff_max: float = 6 * 3600.0, wall_clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, **fetcher_options: Any) -> None:
        self.feeds = list(dict.fromkeys(feeds))
        self.sink = sink
        self.state = WatchState(state_path)
        policy = AddressPolicy(allow_private, tuple(ipaddress.ip_network(n) for n in allowed_networks))
        self.fetcher = Fetcher(policy, sleep=sleep, **fetcher_options)
        self.fetch_pages = fetch_pages
        self.max_new_per_feed = max_new_per_feed
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._now = wall_clock
        self._sleep = sleep

    # -- passes --------------------------------------------------------------------
    def run_once(self) -> list[FeedReport]:
        """One visit to every feed, in order; never raises for a single feed's failure."""
        return [self._visit(url) for url in self.feeds]

    def run(self, interval: float, max_passes: int | None = None,
            on_pass: Callable[[list[FeedReport]], None] | None = None) -> int:
        """Pass after pass, starting one every ``interval`` seconds; returns the passes done."""
        passes = 0
        while max_passes is None or passes < max_passes:
            started = self._now()
            reports = self.run_once()
            passes += 1
            if on_pass:
                on_pass(reports)
            if max_passes is not None and passes >= max_passes:
                break
            self._sleep(max(0.0, interval - (self._now() - started)))
        return passes

    def close(self) -> None:
        self.state.close()

    def __enter__(self) -> "FeedWatcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one feed ------------------------------------------------------------------
    def _visit(self, url: str) -> FeedReport:
        state = self.state.feed(url)
        now = self._now()
        if state.next_attempt > now:
            return FeedReport(url, "backoff", error=state.last_error, next_attempt=state.next_attempt)
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            result = self.fetcher.get(url, accept=FEED_ACCEPT, headers=headers)
        except FetchError as exc:
            return self._fail(state, FeedReport(url, "error", http_status=exc.status), str(exc), exc.kind)
        report = FeedReport(url, "not_modified" if result.not_modified else "ok", http_status=result.status)
        if result.not_modified:
            return self._succeed(state, report, etag=state.etag, last_modified=state.last_modified)

        entries, document_error = self._parse(result, url)
        if document_error is not None:
            return self._fail(state, report, document_error.reason, document_error.kind)
        report.entries = len(entries)
        fresh: list[tuple[str, RawArticle]] = []
        seen_now: set[str] = set()
        for entry in entries:
            if isinstance(entry, ItemError):
                report.errors.append(entry)
                continue
            key = normalise_url(urllib.parse.urljoin(result.url, entry.url)) if entry.url else None
            if key and (key in seen_now or self.state.seen(key)):
                report.already_seen += 1
                continue
            if len(fresh) >= self.max_new_per_feed:
                continue  # left for the next pass: not marked seen
            if key:
                seen_now.add(key)
            fresh.append((key or "", entry))
        articles = [self._article(key, entry, url, report) for key, entry in fresh]
        try:
            outcome = self.sink(articles) if articles else None
        except Exception as exc:  # the sink is the caller's code: any failure means "try again later"
            report.status = "error"
            return self._fail(state, report, f"sink failed: {type(exc).__name__}: {exc}", "sink")
        if isinstance(outcome, BatchReport):
            report.added, report.duplicates = len(outcome.added), len(outcome.duplicates)
        report.new = len(articles)
        self.state.mark_seen([k for k, _ in fresh if k], url, now)
        return self._succeed(state, report, etag=result.headers.get("ETag"),
                             last_modified=result.headers.get("Last-Modified"))

    def _parse(self, result: FetchResult, url: str) -> tuple[list[RawArticle | ItemError], ItemError | None]:
        from newsloom.readers.feed import parse_feed

        items = list(parse_feed(result.body, origin=url))
        # parse_feed reports a broken document as one ItemError whose origin is the feed
        # itself; per-entry errors carry ":item N".
        if len(items) == 1 and isinstance(items[0], ItemError) and items[0].origin == url:
            if items[0].kind == "empty":
                return [], None  # a valid feed with no items
            return [], items[0]
        return items, None

    def _article(self, key: str, entry: RawArticle, feed_url: str, report: FeedReport) -> RawArticle:
        """The entry's article: its page extracted with trafilatura, else the feed's own text."""
        metadata = {**entry.metadata, "feed": feed_url, "text_from": "feed"}
        article = RawArticle(text=entry.text, title=entry.title, url=key or entry.url, source=entry.source,
                             published=entry.published, lang=entry.lang, external_id=entry.external_id,
                             author=entry.author, metadata=metadata, origin=f"{feed_url} -> {key or entry.origin}")
        if not (self.fetch_pages and key):
            return article
        try:
            page = self.fetcher.get(key, accept=PAGE_ACCEPT)
            report.pages_fetched += 1
            extracted = self._extract(page, key)
        except (FetchError, InputError) as exc:
            report.errors.append(ItemError(key, f"article page unusable, kept the feed text: {exc}",
                                           kind=getattr(exc, "kind", "invalid")))
            return article
        article.text = extracted.text
        article.title = entry.title or extracted.title
        article.published = entry.published or extracted.published
        article.source = entry.source or extracted.source
        article.author = entry.author or extracted.author
        article.metadata.update(extracted.metadata, text_from="page", fetched_url=page.url)
        return article

    @staticmethod
    def _extract(page: FetchResult, url: str) -> RawArticle:
        from newsloom.readers.html import parse_html

        return parse_html(decode_page(page.body, page.headers), origin=url, url=url)

    def _succeed(self, state: FeedState, report: FeedReport, *, etag: str | None,
                 last_modified: str | None) -> FeedReport:
        state.etag, state.last_modified = etag, last_modified
        state.failures, state.next_attempt = 0, 0.0
        state.last_status, state.last_error, state.last_checked = report.status, None, self._now()
        self.state.save_feed(state)
        return report

    def _fail(self, state: FeedState, report: FeedReport, reason: str, kind: str) -> FeedReport:
        now = self._now()
        state.failures += 1
        delay = min(self.backoff_max, self.backoff_base * 2 ** (state.failures - 1))
        state.next_attempt = now + delay
        state.last_status, state.last_error, state.last_checked = "error", reason, now
        self.state.save_feed(state)
        report.status, report.error, report.error_kind, report.next_attempt = "error", reason, kind, state.next_attempt
        return report


def decode_page(body: bytes, headers: Message) -> str:
    """HTML bytes to text: the HTTP charset, else a ``<meta charset>``, else UTF-8 (lossy)."""
    candidates = [headers.get_content_charset()]
    match = _META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "ignore"))
    for charset in candidates:
        if not charset:
            continue
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


# -- command line ---------------------------------------------------------------------

def read_feed_list(args: Sequence[str]) -> list[str]:
    """Feed URLs from arguments: a URL as is, else a file of URLs (one a line, ``#`` comments)."""
    feeds: list[str] = []
    for arg in args:
        if re.match(r"^https?://", arg, re.IGNORECASE):
            feeds.append(arg)
            continue
        path = Path(arg)
        if not path.is_file():
            raise InputError(f"{arg}: neither an http(s) URL nor a readable file", kind="missing")
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                feeds.append(line)
    if not feeds:
        raise InputError("no feeds given", kind="empty")
    return feeds


def _print_reports(reports: list[FeedReport], as_json: bool) -> None:
    for r in reports:
        if as_json:
            print(json.dumps(r.to_dict(), ensure_ascii=False), flush=True)
            continue
        line = f"{r.status:12} {r.feed}"
        if r.status == "ok":
            line += f"  entries={r.entries} new={r.new} seen={r.already_seen}"
            if r.added is not None:
                line += f" added={r.added} duplicates={r.duplicates}"
        if r.status == "backoff" and r.next_attempt is not None:
            until = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.next_attempt))
            line += f"  backing off until {until} (last error: {r.error})"
        elif r.error:
            line += f"  {r.error_kind}: {r.error}"
        print(line, flush=True)
        for e in r.errors:
            print(f"  {e}", flush=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsloom watch", description="Follow RSS/Atom feeds into the database.")
    p.add_argument("feeds", nargs="+", metavar="FEEDS_FILE_OR_URL")
    p.add_argument("--db", help="SQLite database (default: $NEWSLOOM_DB or the per-user data folder)")
    p.add_argument("--state", help="watcher state file (default: <db>.watch.sqlite)")
    p.add_argument("--interval", type=float, default=900.0, help="seconds between passes (default 900)")
    p.add_argument("--once", action="store_true", help="one pass, then exit")
    p.add_argument("--max-passes", type=int, default=None)
    p.add_argument("--allow-private", action="store_true",
                   help="allow private, loopback and link-local addresses (off: SSRF guard)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per socket operation")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest response accepted")
    p.add_argument("--host-delay", type=float, default=1.0, help="minimum seconds between requests to a host")
    p.add_argument("--no-pages", action="store_true", help="use the feed's text, do not fetch article pages")
    p.add_argument("--json", action="store_true", help="one JSON report per feed and pass")
    return p


def main(argv: Sequence[str] | None = None, db: str | Path | None = None) -> int:
    """``newsloom watch FEEDS_FILE_OR_URL... [--interval S] [--once] [--allow-private]``.

    Exit status: 0, or 1 when every feed failed in the last pass, 2 on bad arguments.
    """
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    try:
        feeds = read_feed_list(args.feeds)
    except InputError as exc:
        print(f"newsloom watch: {exc}", file=sys.stderr)
        return 2
    from newsloom.engine import Engine
    from newsloom.store import default_db_path

    db_path = Path(args.db or db or default_db_path())
    state_path = Path(args.state) if args.state else db_path.with_name(db_path.name + ".watch.sqlite")
    last: list[FeedReport] = []

    def on_pass(reports: list[FeedReport]) -> None:
        last[:] = reports
        _print_reports(reports, args.json)

    with Engine(db=db_path) as engine, FeedWatcher(
        feeds, engine.ingest_raw, state_path, allow_private=args.allow_private, fetch_pages=not args.no_pages,
        timeout=args.timeout, max_bytes=args.max_bytes, host_delay=args.host_delay,
    ) as watcher:
        try:
            watcher.run(args.interval, max_passes=1 if args.once else args.max_passes, on_pass=on_pass)
        except KeyboardInterrupt:
            return 130
    return 1 if last and all(r.status == "error" for r in last) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
