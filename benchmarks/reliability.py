"""Reliability harness and report: bad input, kill -9, full disk, read-only, load, security.

    python benchmarks/reliability.py                 # CI profile (~1-2 min)
    NEWSLOOM_RELIABILITY=full python benchmarks/reliability.py   # full profile

Prints: kinds of bad input tried, items tried, crashes (must be 0), kill-9 cycles
survived with lost/duplicated articles (must be 0), the full-disk and read-only
outcomes, load-run requests, errors (must be 0) and latency, and the security
checks passed (the pytest count of tests/test_reliability_security.py).

The same functions back the tests ``tests/test_reliability_*.py`` (they load this
file by path), so what the report says is what CI checks. Every input is generated
here, at run time, from our own words: nothing third-party is stored.

Subcommands used internally: ``kill9-driver`` (a process that loads the models once
and forks ingesting children that the harness kills with SIGKILL), ``ingest-driver``
(one plain ingest process, for the load run's command-line writer).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PROFILE = os.environ.get("NEWSLOOM_RELIABILITY", "ci")
FULL = PROFILE == "full"

#: Per-item byte limit used for the bad-input run (so "huge" inputs stay small on disk).
LIMIT = 64 * 1024

# -- our own small texts (never third-party) -----------------------------------------
PLACES = ["Elmsworth", "Kestrel Bay", "Dunmore", "Harwick", "Lindenau", "Port Avel", "Castelvecchio", "Brisa"]
EVENTS = {
    "en": ["The council of {p} approved a new budget for the tram line on {d}.",
           "Firefighters in {p} put out a warehouse fire near the harbour on {d}.",
           "Farmers around {p} began the grape harvest early this year, on {d}.",
           "The museum of {p} reopened after two years of repairs on {d}."],
    "fr": ["Le conseil de {p} a approuvé un nouveau budget pour le tramway le {d}.",
           "Les pompiers de {p} ont éteint un incendie près du port le {d}.",
           "Les agriculteurs autour de {p} ont commencé les vendanges tôt, le {d}."],
    "de": ["Der Rat von {p} hat am {d} einen neuen Haushalt für die Straßenbahn gebilligt.",
           "Die Feuerwehr in {p} hat am {d} einen Lagerhausbrand am Hafen gelöscht."],
    "es": ["El ayuntamiento de {p} aprobó el {d} un nuevo presupuesto para el tranvía.",
           "Los bomberos de {p} apagaron el {d} un incendio cerca del puerto."],
}
FOLLOW_UPS = {
    "en": "Officials said more details would follow. Residents welcomed the news.",
    "fr": "Les responsables ont promis plus de détails. Les habitants ont salué la nouvelle.",
    "de": "Die Behörden kündigten weitere Einzelheiten an. Die Anwohner begrüßten die Nachricht.",
    "es": "Las autoridades prometieron más detalles. Los vecinos celebraron la noticia.",
}
GOOD_EN = ("The council of Elmsworth approved a new budget for the tram line on Monday evening.\n"
           "The mayor said the first trams would run in the spring. Residents welcomed the plan.")


def stream_records(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` short articles (distinct texts and URLs) in four languages, grouped into events."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lang = rng.choice(sorted(EVENTS))
        template = rng.choice(EVENTS[lang])
        place = PLACES[(i // 7) % len(PLACES)]
        day = f"{1 + i % 28}"
        text = f"{template.format(p=place, d=day)} {FOLLOW_UPS[lang]} Ref {i}."
        out.append({"id": f"n{i}", "url": f"https://news.example/{lang}/{i}", "source": f"Wire {i % 5}",
                    "title": f"{place} {i}", "lang": lang, "text": text,
                    "published": f"2025-05-{1 + (i // 40) % 28:02d}T{i % 24:02d}:00:00Z"})
    return out


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


# -- bad-input corpus ----------------------------------------------------------------

@dataclass
class BadInput:
    """One kind of bad input: the file(s) it makes, and what each of its items may become.

    ``allowed`` holds outcomes: ``added``, ``duplicate``, ``skipped`` (no item at all) or
    ``error:<kind>``. ``exact`` (if given) is the exact outcome sequence. ``check`` runs on
    the engine after ingestion and returns a failure message or None.
    """

    kind: str
    entry: str  # text, html, jsonl, feed, warc, path, api
    make: Callable[[Path], bytes | None]  # returns file bytes (None: make no file)
    allowed: frozenset[str]
    suffix: str = ".txt"
    exact: tuple[str, ...] | None = None
    check: Callable[[Any, list[Any]], str | None] | None = None
    known_gap: str = ""  # a documented limitation: reported apart, not counted as a failure


def _b(s: str) -> bytes:
    return s.encode("utf-8")


def _jl(*records: Any) -> bytes:
    return b"".join((r if isinstance(r, bytes) else _b(json.dumps(r, ensure_ascii=False))) + b"\n" for r in records)


def _warc_record(uri: str, payload: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
                 rec_type: str = "response") -> bytes:
    http = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n\r\n").encode() + payload
    head = (f"WARC/1.0\r\nWARC-Type: {rec_type}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2025-05-01T10:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:{hashlib.md5(uri.encode()).hexdigest()}>\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


def _html_page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><title>Tram budget</title>{head}</head><body><article>{body}</article></body></html>"


GOOD_HTML_BODY = "".join(f"<p>{line}</p>" for line in GOOD_EN.splitlines())


def _no_chars(chars: str, fields: tuple[str, ...] = ("clean_text", "title")) -> Callable[[Any, list[Any]], str | None]:
    def check(engine, results) -> str | None:
        for r in results:
            if r.status == "added":
                a = engine.article(r.article_id)
                for f in fields:
                    value = getattr(a, f) or ""
                    bad = [c for c in chars if c in value]
                    if bad:
                        return f"{f} keeps {[hex(ord(c)) for c in bad]}"
        return None
    return check


def _not_in_text(needle: str) -> Callable[[Any, list[Any]], str | None]:
    def check(engine, results) -> str | None:
        for r in results:
            if r.status == "added" and needle in engine.article(r.article_id).text:
                return f"stored text contains {needle!r}"
        return None
    return check


def _rss(items: str, head: str = "") -> bytes:
    return _b(f'<?xml version="1.0" encoding="utf-8"?>{head}<rss version="2.0"><channel><title>Bad Wire</title>{items}'
              "</channel></rss>")


def _item(title: str, text: str, link: str = "", date: str = "Mon, 05 May 2025 10:00:00 +0000") -> str:
    link_el = f"<link>{link}</link>" if link else ""
    return f"<item><title>{title}</title>{link_el}<pubDate>{date}</pubDate><description>{text}</description></item>"


E = "error:"


def bad_inputs() -> list[BadInput]:
    """Every kind of bad input, generated (nothing is read from disk)."""
    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(3000))
    good_jl = {"title": "Tram budget", "text": GOOD_EN, "lang": "en"}
    cases = [
        # -- plain text --------------------------------------------------------------
        BadInput("empty file", "text", lambda d: b"", frozenset({E + "empty"})),
        BadInput("whitespace only", "text", lambda d: b" \n\t\r\n  \n", frozenset({E + "empty"})),
        BadInput("binary noise with NUL", "text", lambda d: noise + b"\x00", frozenset({E + "binary"})),
        BadInput("PNG image named .txt", "text", lambda d: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise[:200],
                 frozenset({E + "binary", E + "encoding"})),
        BadInput("Latin-1 bytes", "text", lambda d: "Le café de la gare a rouvert après travaux.".encode("latin-1"),
                 frozenset({E + "encoding"})),
        BadInput("mixed UTF-8 and Latin-1", "text", lambda d: _b(GOOD_EN) + "\nTschüß".encode("latin-1"),
                 frozenset({E + "encoding"})),
        BadInput("UTF-8 truncated mid-character", "text", lambda d: _b(GOOD_EN + " é")[:-1], frozenset({E + "encoding"})),
        BadInput("UTF-8 overlong sequence", "text", lambda d: _b(GOOD_EN) + b"\xc0\xaf", frozenset({E + "encoding"})),
        BadInput("UTF-8 encoded surrogate", "text", lambda d: _b(GOOD_EN) + b"\xed\xa0\x80", frozenset({E + "encoding"})),
        BadInput("UTF-16 without BOM", "text", lambda d: GOOD_EN.encode("utf-16-le"), frozenset({E + "binary"})),
        BadInput("UTF-16 with BOM (clean handling: decoded)", "text", lambda d: ("Tram\n" + GOOD_EN).encode("utf-16"),
                 frozenset({"added"})),
        BadInput("UTF-8 BOM (clean handling: dropped)", "text", lambda d: b"\xef\xbb\xbf" + _b("Tram line\n" + GOOD_EN),
                 frozenset({"added"}), check=_no_chars("\ufeff")),
        BadInput("huge file beyond the limit", "text", lambda d: _b(GOOD_EN + "\n") * (LIMIT // 100),
                 frozenset({E + "too_large"})),
        BadInput("zero-width spaces (clean handling: stripped)", "text",
                 lambda d: _b("Tram\u200b budget\n" + GOOD_EN.replace(" ", " \u200b")), frozenset({"added"}),
                 check=_no_chars("\u200b")),
        BadInput("control characters and ANSI escapes", "text",
                 lambda d: _b("Tram\x07 budget\n\x1b[31m" + GOOD_EN + "\x1b[0m\x08\x7f"), frozenset({"added"}),
                 check=_no_chars("\x07\x1b\x08\x7f")),
        BadInput("right-to-left override in title and text", "text",
                 lambda d: _b("Tram \u202ebudget\u202c news\n" + GOOD_EN.replace("budget", "\u202etegdub\u202c")),
                 frozenset({"added"}), check=_no_chars("\u202e\u202c")),
        BadInput("bidi isolates", "text", lambda d: _b("Tram\u2066 budget\u2069\n\u2067" + GOOD_EN),
                 frozenset({"added"}), check=_no_chars("\u2066\u2067\u2069")),
        BadInput("only scraping debris", "text",
                 lambda d: _b("Photo: Reuters\nShare on Facebook\nAdvertisement\nRead more: other news"),
                 frozenset({E + "empty"})),
        BadInput("too short to compare", "text", lambda d: b"Hi.", frozenset({E + "empty"})),
        BadInput("unsupported language (Swahili)", "text",
                 lambda d: _b("Habari za mji\nHalmashauri ya mji imeidhinisha bajeti mpya ya reli siku ya Jumatatu. "
                              "Meya alisema treni za kwanza zitaanza kufanya kazi mwakani. Wakazi wamefurahi sana."),
                 frozenset({E + "language"})),
        BadInput("unsupported language (Hindi)", "text",
                 lambda d: _b("नगर परिषद ने सोमवार को ट्राम लाइन के लिए नए बजट को मंजूरी दी। महापौर ने कहा कि "
                              "पहली ट्राम वसंत में चलेगी। निवासियों ने योजना का स्वागत किया।"),
                 frozenset({E + "language"})),
        BadInput("emoji only", "text", lambda d: _b("😀🎉🚋" * 40), frozenset({E + "empty", E + "language"})),
        BadInput("one 40 KB line", "text", lambda d: _b(("The tram budget was debated again " * 1200)[:40000]),
                 frozenset({"added"})),
        BadInput("decomposed Unicode (NFD)", "text",
                 lambda d: _b("Café\n" + "Le conseil de la ville a approuvé le budget du tramway lundi soir. "
                              "Le maire a dit que les premières rames rouleront au printemps.").replace(
                     "é".encode(), "e\u0301".encode()), frozenset({"added"})),
        BadInput("markup in plain text (kept as text)", "text",
                 lambda d: _b("<script>alert(1)</script> Tram\n" + GOOD_EN + "\n<img src=x onerror=alert(1)>"),
                 frozenset({"added"})),
        BadInput("unknown extension with binary", "path", lambda d: noise, frozenset({E + "binary", E + "unsupported",
                                                                                       E + "encoding"}), suffix=".bin"),
        BadInput("missing path", "path", lambda d: None, frozenset({E + "missing"})),
        # -- HTML ------------------------------------------------------------------------
        BadInput("HTML without body text", "html", lambda d: _b("<html><head><title>x</title></head><body></body></html>"),
                 frozenset({E + "empty"}), suffix=".html"),
        BadInput("HTML of scripts only", "html",
                 lambda d: _b(_html_page("<script>var a = 1;</script><style>p{}</style>")), frozenset({E + "empty"}),
                 suffix=".html"),
        BadInput("HTML nested 5000 deep", "html", lambda d: _b(_html_page("<div>" * 5000 + GOOD_HTML_BODY + "</div>" * 5000)),
                 frozenset({"added", E + "empty"}), suffix=".html"),
        BadInput("HTML entity flood", "html", lambda d: _b(_html_page(GOOD_HTML_BODY + "<p>" + "&amp;&lt;" * 5000 + "</p>")),
                 frozenset({"added"}), suffix=".html"),
        BadInput("HTML huge", "html", lambda d: _b(_html_page(GOOD_HTML_BODY * (LIMIT // 150))), frozenset({E + "too_large"}),
                 suffix=".html"),
        BadInput("HTML in Latin-1", "html",
                 lambda d: _html_page("<p>Le café a rouvert après les travaux de la gare.</p>",
                                      '<meta charset="iso-8859-1">').encode("latin-1"),
                 frozenset({E + "encoding"}), suffix=".html"),
        BadInput("HTML truncated mid-tag", "html", lambda d: _b(_html_page(GOOD_HTML_BODY))[:-40] + b"<p cla",
                 frozenset({"added", E + "empty"}), suffix=".html"),
        BadInput("HTML with external entity (XXE)", "html",
                 lambda d: _b('<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                              + _html_page(GOOD_HTML_BODY + "<p>&x;</p>")),
                 frozenset({"added", E + "empty"}), suffix=".html", check=_not_in_text("root:")),
        BadInput("HTML billion laughs", "html",
                 lambda d: _b('<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
                              + _html_page(GOOD_HTML_BODY + "<p>&d;&d;&d;&d;</p>")),
                 frozenset({"added", E + "empty"}), suffix=".html", check=_not_in_text("hahahahahahahahaha")),
        BadInput("HTML with a malformed date", "html",
                 lambda d: _b(_html_page(GOOD_HTML_BODY, '<meta property="article:published_time" content="2025-13-45T99:99">')),
                 frozenset({"added"}), suffix=".html"),
        # -- JSONL -----------------------------------------------------------------------
        BadInput("JSONL invalid JSON", "jsonl", lambda d: b'{"text": "unterminated\n', frozenset({E + "malformed"}),
                 suffix=".jsonl"),
        BadInput("JSONL array instead of object", "jsonl", lambda d: _jl([1, 2, 3]), frozenset({E + "malformed"}),
                 suffix=".jsonl"),
        BadInput("JSONL without text", "jsonl", lambda d: _jl({"title": "x"}), frozenset({E + "malformed"}), suffix=".jsonl"),
        BadInput("JSONL text of wrong type", "jsonl", lambda d: _jl({"text": {"a": 1}}), frozenset({E + "malformed"}),
                 suffix=".jsonl"),
        BadInput("JSONL empty text", "jsonl", lambda d: _jl({"text": "   "}), frozenset({E + "empty"}), suffix=".jsonl"),
        BadInput("JSONL malformed date", "jsonl", lambda d: _jl({**good_jl, "published": "yesterday-ish"}),
                 frozenset({E + "malformed"}), suffix=".jsonl"),
        BadInput("JSONL out-of-range date", "jsonl", lambda d: _jl({**good_jl, "published": "2025-02-30T25:61:00Z"}),
                 frozenset({E + "malformed"}), suffix=".jsonl"),
        BadInput("JSONL numeric date", "jsonl", lambda d: _jl({**good_jl, "published": 1714550400}),
                 frozenset({E + "malformed"}), suffix=".jsonl"),
        BadInput("JSONL malformed id", "jsonl", lambda d: _jl({**good_jl, "id": {"nested": True}}),
                 frozenset({E + "malformed"}), suffix=".jsonl"),
        BadInput("JSONL duplicate id with different text (content is the identity)", "jsonl",
                 lambda d: _jl({**good_jl, "id": "same", "text": GOOD_EN + " Same id."},
                               {**good_jl, "id": "same", "text": GOOD_EN + " Same id, updated."}),
                 frozenset({"added"}), suffix=".jsonl", exact=("added", "added")),
        BadInput("JSONL duplicate URL with different text (URL dedupes)", "jsonl",
                 lambda d: _jl({**good_jl, "url": "https://dup.example/1", "text": GOOD_EN + " First."},
                               {**good_jl, "url": "https://dup.example/1", "text": GOOD_EN + " Second."}),
                 frozenset({"added", "duplicate"}), suffix=".jsonl"),
        BadInput("JSONL same article twice", "jsonl", lambda d: _jl({**good_jl, "text": GOOD_EN + " Twice."},
                                                                   {**good_jl, "text": GOOD_EN + " Twice."}),
                 frozenset({"added", "duplicate"}), suffix=".jsonl", exact=("added", "duplicate")),
        BadInput("JSONL line beyond the limit", "jsonl", lambda d: _jl({"text": "x " * LIMIT}), frozenset({E + "too_large"}),
                 suffix=".jsonl"),
        BadInput("JSONL nested 20000 deep", "jsonl", lambda d: b'{"text": "a", "x": ' + b"[" * 20000 + b"]" * 20000 + b"}\n",
                 frozenset({E + "malformed"}), suffix=".jsonl"),
        BadInput("JSONL 5000-digit number", "jsonl", lambda d: b'{"text": "a", "n": 1' + b"0" * 5000 + b"}\n",
                 frozenset({E + "malformed"}), suffix=".jsonl"),
        BadInput("JSONL lone surrogate escape", "jsonl", lambda d: b'{"title": "T\\ud800", "text": "' + _b(GOOD_EN).replace(b"\n", b" ")
                 + b' \\udfff"}\n', frozenset({E + "encoding"}), suffix=".jsonl"),
        BadInput("JSONL NUL escape in text (clean handling: stripped)", "jsonl",
                 lambda d: _jl({**good_jl, "text": GOOD_EN + "\u0000 NUL."}), frozenset({"added"}), suffix=".jsonl",
                 check=_no_chars("\x00")),
        BadInput("JSONL unsupported language hint", "jsonl", lambda d: _jl({**good_jl, "text": GOOD_EN + " Hint.", "lang": "sw"}),
                 frozenset({E + "language"}), suffix=".jsonl"),
        BadInput("JSONL invalid UTF-8 line among good ones", "jsonl",
                 lambda d: _jl({**good_jl, "text": GOOD_EN + " A."}) + b'{"text": "caf\xe9"}\n'
                 + _jl({**good_jl, "text": GOOD_EN + " B."}),
                 frozenset({"added", E + "encoding"}), suffix=".jsonl", exact=("added", "error:encoding", "added")),
        BadInput("JSONL in UTF-16 (clean handling: decoded)", "jsonl",
                 lambda d: json.dumps({**good_jl, "text": GOOD_EN + " Sixteen."}).encode("utf-16"), frozenset({"added"}),
                 suffix=".jsonl"),
        BadInput("JSONL truncated last line", "jsonl",
                 lambda d: _jl({**good_jl, "text": GOOD_EN + " C."}) + _b(json.dumps(good_jl))[:30],
                 frozenset({"added", E + "malformed"}), suffix=".jsonl", exact=("added", "error:malformed")),
        # -- RSS / Atom ----------------------------------------------------------------------
        BadInput("feed billion laughs", "feed",
                 lambda d: _rss(_item("x", "&e5;"), '<!DOCTYPE rss [<!ENTITY e0 "lol">' + "".join(
                     f'<!ENTITY e{i} "' + f"&e{i - 1};" * 10 + '">' for i in range(1, 6)) + "]>"),
                 frozenset({E + "malformed"}), suffix=".xml"),
        BadInput("feed external entity (XXE)", "feed",
                 lambda d: _rss(_item("x", "&x;"), '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
                 frozenset({E + "malformed"}), suffix=".rss"),
        BadInput("feed not well-formed", "feed", lambda d: _rss(_item("x", GOOD_EN))[:-30], frozenset({E + "malformed"}),
                 suffix=".rss"),
        BadInput("feed nested 5000 deep", "feed",
                 lambda d: _rss("<item><title>t</title><description>" + "<x>" * 5000 + "</x>" * 5000 + "</description></item>"),
                 frozenset({E + "empty", E + "malformed"}), suffix=".rss"),
        BadInput("feed without items", "feed", lambda d: _rss(""), frozenset({E + "empty"}), suffix=".rss"),
        BadInput("feed item with malformed date among good ones", "feed",
                 lambda d: _rss(_item("a", GOOD_EN + " Feed A.") + _item("b", GOOD_EN, date="someday")
                                + _item("c", GOOD_EN + " Feed C.")),
                 frozenset({"added", E + "malformed"}), suffix=".rss", exact=("added", "error:malformed", "added")),
        BadInput("feed item with a link but no text, page not fetched", "feed",
                 lambda d: _rss(_item("only a link", "", link="https://feed.example/no-text")), frozenset({E + "empty"}),
                 suffix=".rss"),
        BadInput("feed summary with script markup", "feed",
                 lambda d: _rss(_item("s", "&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;" + GOOD_EN + " Script.&lt;/p&gt;")),
                 frozenset({"added"}), suffix=".rss", check=_not_in_text("<script")),
        BadInput("XML that is neither RSS nor Atom", "feed", lambda d: b"<svg><g/></svg>", frozenset({E + "unsupported"}),
                 suffix=".xml"),
        BadInput("feed declaring UTF-8, written in Latin-1", "feed",
                 lambda d: _rss(_item("x", "Le café a rouvert après travaux.")).replace(
                     "é".encode(), "é".encode("latin-1")), frozenset({E + "malformed"}), suffix=".rss"),
        BadInput("feed huge", "feed", lambda d: _rss(_item("h", GOOD_EN) * (LIMIT // 200)), frozenset({E + "too_large"}),
                 suffix=".rss"),
        BadInput("Atom entry with unsupported language", "feed",
                 lambda d: _b('<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><title>Habari</title>'
                              "<summary>Halmashauri ya mji imeidhinisha bajeti mpya ya reli siku ya Jumatatu. Meya alisema "
                              "treni za kwanza zitaanza mwakani.</summary></entry></feed>"),
                 frozenset({E + "language"}), suffix=".atom"),
        # -- WARC ----------------------------------------------------------------------------
        BadInput("WARC garbage after the magic", "warc", lambda d: b"WARC/1.0\r\n" + noise, frozenset({E + "malformed"}),
                 suffix=".warc"),
        BadInput("gzip garbage named .warc.gz", "warc", lambda d: b"\x1f\x8b\x08\x00" + noise, frozenset({E + "malformed"}),
                 suffix=".warc.gz"),
        BadInput("WARC truncated record", "warc",
                 lambda d: _warc_record("https://w.example/1", _b(_html_page(GOOD_HTML_BODY)))[:-300],
                 frozenset({E + "malformed", "added", E + "empty", "skipped"}), suffix=".warc"),
        BadInput("WARC with only non-HTML records (skipped)", "warc",
                 lambda d: _warc_record("https://w.example/img", noise, content_type="image/png"),
                 frozenset({"skipped"}), suffix=".warc"),
        BadInput("WARC unknown charset", "warc",
                 lambda d: _warc_record("https://w.example/2", _b(_html_page(GOOD_HTML_BODY)), "text/html; charset=x-klingon"),
                 frozenset({E + "encoding"}), suffix=".warc"),
        BadInput("WARC record beyond the limit", "warc",
                 lambda d: _warc_record("https://w.example/3", _b(_html_page(GOOD_HTML_BODY * (LIMIT // 150)))),
                 frozenset({E + "too_large"}), suffix=".warc"),
        BadInput("WARC 404 response (skipped)", "warc",
                 lambda d: _warc_record("https://w.example/4", _b(_html_page(GOOD_HTML_BODY)), status="404 Not Found"),
                 frozenset({"skipped"}), suffix=".warc"),
        BadInput("gzipped WARC with a good and a bad record", "warc",
                 lambda d: gzip.compress(_warc_record("https://w.example/5", _b(_html_page(GOOD_HTML_BODY + "<p>Five.</p>"))))
                 + gzip.compress(_warc_record("https://w.example/6", b"\xff\xfe bad", "text/html; charset=utf-8")),
                 frozenset({"added", E + "encoding", E + "empty"}), suffix=".warc.gz"),
    ]
    return cases


@dataclass
class BadInputReport:
    kinds: int = 0
    items: int = 0
    crashes: int = 0
    failures: list[str] = field(default_factory=list)
    known_gaps: list[str] = field(default_factory=list)
    outcomes: dict[str, list[str]] = field(default_factory=dict)
    stored_unchanged: bool = True


def outcome(result) -> str:
    return "added" if result.status == "added" else result.status if result.status == "duplicate" else \
        f"error:{result.error.kind if result.error else '?'}"


def _snapshot(db: Path) -> str:
    """A digest of every stored row (articles with children, stories, entities)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        h = hashlib.sha256()
        for table, order in (("articles", "id"), ("sentences", "article_id, idx"), ("mentions", "article_id, idx"),
                             ("events", "article_id, idx"), ("entities", "id")):
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY {order}"):  # constant names
                h.update(repr(tuple(row)).encode())
        return h.hexdigest()
    finally:
        conn.close()


def _stored_rows(db: Path, ids: set[str]) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        h = hashlib.sha256()
        for aid in sorted(ids):
            h.update(repr(conn.execute("SELECT * FROM articles WHERE id=?", (aid,)).fetchone()).encode())
            h.update(repr(conn.execute("SELECT * FROM sentences WHERE article_id=? ORDER BY idx", (aid,)).fetchall()).encode())
        return h.hexdigest()
    finally:
        conn.close()


def run_bad_inputs(workdir: Path, engine, cases: list[BadInput] | None = None) -> BadInputReport:
    """Ingest every bad input on its own (so a crash is attributed), then all of them in one batch."""
    from newsloom.readers import read_paths

    cases = cases if cases is not None else [c for c in bad_inputs() if c.entry != "api"]
    report = BadInputReport(kinds=len(cases))
    folder = workdir / "bad"
    folder.mkdir(parents=True, exist_ok=True)
    db = Path(engine.store.path)
    # something already stored, that no bad input may change
    engine.ingest_raw(_good_raws(3))
    before_ids = {r[0] for r in engine.store.conn.execute("SELECT id FROM articles")}
    before = _stored_rows(db, before_ids)
    paths: list[Path] = []
    for number, case in enumerate(cases):
        path = folder / f"{number:03d}{case.suffix}"
        data = case.make(folder)
        if data is not None:
            path.write_bytes(data)
        paths.append(path)
        try:
            results = engine.ingest_raw(read_paths([path], max_bytes=LIMIT)).results
        except Exception as exc:  # the point of the exercise: nothing may escape  # noqa: BLE001 - anything escaping is counted as a crash
            report.crashes += 1
            report.failures.append(f"{case.kind}: CRASH {type(exc).__name__}: {exc}")
            continue
        got = [outcome(r) for r in results] or ["skipped"]
        report.items += max(len(results), 1)
        report.outcomes[case.kind] = got
        if case.known_gap and not set(got) <= case.allowed:
            report.known_gaps.append(f"{case.kind}: got {got}: {case.known_gap}")
        elif case.exact is not None and tuple(got) != case.exact:
            report.failures.append(f"{case.kind}: got {got}, expected {list(case.exact)}")
        elif not set(got) <= case.allowed:
            report.failures.append(f"{case.kind}: got {got}, allowed {sorted(case.allowed)}")
        for r in results:
            if r.status == "error" and (r.error is None or not r.error.reason or not r.error.origin):
                report.failures.append(f"{case.kind}: error without origin or reason: {r}")
        if case.check is not None:
            problem = case.check(engine, results)
            if problem:
                report.failures.append(f"{case.kind}: {problem}")
    # all of them in one batch: the batch carries on, and nothing new is added twice
    try:
        batch = engine.ingest([folder], max_bytes=LIMIT)
        report.items += len(batch.results)
        if batch.added:
            report.failures.append(f"second pass added {len(batch.added)} articles: {[r.origin for r in batch.added]}")
    except Exception as exc:  # noqa: BLE001 - anything escaping is counted as a crash
        report.crashes += 1
        report.failures.append(f"whole batch: CRASH {type(exc).__name__}: {exc}")
    report.stored_unchanged = _stored_rows(db, before_ids) == before
    if not report.stored_unchanged:
        report.failures.append("rows stored before the bad input changed")
    return report


def _good_raws(n: int):
    from newsloom.model import RawArticle

    return [RawArticle(text=r["text"], title=r["title"], url=r["url"], source=r["source"], lang=r["lang"],
                       origin=f"good:{i}") for i, r in enumerate(stream_records(n, seed=99))]


# -- API bad input --------------------------------------------------------------------

def api_bad_inputs(token: str) -> list[tuple[str, Callable[[Any], Any], Callable[[Any], str | None]]]:
    """(kind, request(client) -> response, check(response) -> failure or None)."""
    auth = {"Authorization": f"Bearer {token}"}
    good = {"title": "Tram budget", "text": GOOD_EN + " Via the API.", "lang": "en"}

    def status_in(*codes: int):
        return lambda r: None if r.status_code in codes else f"status {r.status_code}: {r.text[:200]}"

    def bulk_items(expected: list[str]):
        def check(r):
            if r.status_code != 200:
                return f"status {r.status_code}: {r.text[:200]}"
            got = [i.get("status") if i.get("status") != "error" else "error:" + (i.get("error") or {}).get("kind", "?")
                   for i in r.json().get("results", [])]
            return None if got == expected else f"got {got}, expected {expected}"
        return check

    post = lambda path, **kw: (lambda c: c.post(path, **kw))
    cases = [
        ("API empty body", post("/api/articles", headers=auth, content=b""), status_in(422, 400)),
        ("API invalid JSON", post("/api/articles", headers={**auth, "Content-Type": "application/json"},
                                  content=b"{not json"), status_in(422, 400)),
        ("API JSON nested 100000 deep", post("/api/articles", headers={**auth, "Content-Type": "application/json"},
                                             content=b'{"text": ' + b"[" * 100000 + b"]" * 100000 + b"}"),
         status_in(422, 400)),
        ("API missing text", post("/api/articles", headers=auth, json={"title": "x"}), status_in(422)),
        ("API text of wrong type", post("/api/articles", headers=auth, json={"text": 5}), status_in(422)),
        ("API empty text", post("/api/articles", headers=auth, json={"text": "  "}), status_in(422, 200)),
        ("API malformed date", post("/api/articles", headers=auth, json={**good, "published": "soon"}), status_in(422)),
        ("API unsupported language", post("/api/articles", headers=auth, json={**good, "lang": "sw"}), status_in(422, 200)),
        ("API lone surrogate", post("/api/articles", headers={**auth, "Content-Type": "application/json"},
                                    content=b'{"text": "' + _b(GOOD_EN).replace(b"\n", b" ") + b' \\ud800"}'),
         status_in(422, 200)),
        ("API body beyond the limit", post("/api/articles", headers=auth, json={"text": "x" * (3 * 1024 * 1024)}),
         status_in(413)),
        ("API wrong content type", post("/api/articles", headers={**auth, "Content-Type": "text/plain"},
                                        content=b"hello"), status_in(422, 415, 400)),
        ("API bulk mixed good and bad lines", post("/api/articles/bulk", headers={**auth, "Content-Type": "application/x-ndjson"},
                                                   content=_jl({**good, "text": GOOD_EN + " Bulk A."}) + b"{bad\n"
                                                   + _jl({"text": 3}) + _jl({**good, "text": GOOD_EN + " Bulk B."})),
         bulk_items(["added", "error:malformed", "error:malformed", "added"])),
        ("API bulk JSON list nested 100000 deep", post("/api/articles/bulk", headers={**auth, "Content-Type": "application/json"},
                                                       content=b"[" * 100000 + b"]" * 100000), status_in(422, 400)),
        ("API bulk JSON list with lone surrogate", post("/api/articles/bulk", headers={**auth, "Content-Type": "application/json"},
                                                        content=b'[{"text": "' + _b(GOOD_EN).replace(b"\n", b" ")
                                                        + b' \\ud800"}]'),
         status_in(200, 422)),
        ("API bulk binary upload", post("/api/articles/bulk", headers={**auth, "Content-Type": "application/x-ndjson"},
                                        content=bytes(range(256)) * 10), status_in(200, 422)),
        ("API bulk empty", post("/api/articles/bulk", headers={**auth, "Content-Type": "application/x-ndjson"}, content=b"\n\n"),
         status_in(422)),
        ("API compare with binary text", post("/api/compare", json={"a": {"text": "\u0000\u0001" * 50}, "b": {"text": GOOD_EN}}),
         status_in(422, 200)),
        ("API story id with traversal", lambda c: c.get("/api/stories/..%2F..%2Fetc%2Fpasswd"), status_in(404, 422)),
        ("API article id of 10000 chars", lambda c: c.get("/api/articles/" + "a" * 10000), status_in(404, 422, 414)),
        ("API stories with malformed date filter", lambda c: c.get("/api/stories", params={"since": "2025-13-45"}),
         status_in(422)),
    ]
    return cases


def run_api_bad_inputs(client, engine, token: str) -> BadInputReport:
    cases = api_bad_inputs(token)
    report = BadInputReport(kinds=len(cases))
    before_ids = {r[0] for r in engine.store.conn.execute("SELECT id FROM articles")}
    before = _stored_rows(Path(engine.store.path), before_ids)
    for kind, request, check in cases:
        report.items += 1
        try:
            response = request(client)
        except Exception as exc:  # noqa: BLE001 - anything escaping is counted as a crash
            report.crashes += 1
            report.failures.append(f"{kind}: CRASH {type(exc).__name__}: {exc}")
            continue
        if response.status_code >= 500:
            report.crashes += 1
        problem = check(response)
        report.outcomes[kind] = [str(response.status_code)]
        if problem:
            report.failures.append(f"{kind}: {problem}")
    report.stored_unchanged = _stored_rows(Path(engine.store.path), before_ids) == before
    if not report.stored_unchanged:
        report.failures.append("rows stored before the bad API input changed")
    return report


# -- consistency of a database after crashes ---------------------------------------------

def consistency_problems(db: Path, encoder=None) -> list[str]:
    """What is inconsistent between articles, stories, the full-text index and the weaver's vector index."""
    from newsloom.engine import Engine
    from newsloom.ops import doctor
    from newsloom.store import Store
    from newsloom.weave import CosineJudge

    problems: list[str] = []
    store = Store(db, readonly=True)
    report = doctor(store)
    problems += [f"doctor: {f.check} {f.count} {f.examples}" for f in report.findings if f.status != "ok"]
    conn = store.conn
    dup_urls = conn.execute("SELECT url, COUNT(*) FROM articles WHERE url IS NOT NULL GROUP BY url HAVING COUNT(*) > 1"
                            ).fetchall()
    if dup_urls:
        problems.append(f"{len(dup_urls)} URLs stored more than once")
    members: dict[str, list[np.ndarray]] = {}
    for article_id, story_id, vector, _when in store.iter_article_vectors():
        members.setdefault(story_id, []).append(vector)
    for row in conn.execute("SELECT id, size, centroid FROM stories"):
        vecs = members.get(row["id"], [])
        if row["size"] != len(vecs):
            problems.append(f"story {row['id']} size {row['size']} != {len(vecs)} members")
        if vecs and row["centroid"] is not None:
            total = np.sum(vecs, axis=0)
            expected = total / (np.linalg.norm(total) or 1.0)
            stored = np.frombuffer(row["centroid"], dtype=np.float32)
            if stored.shape != expected.shape or float(stored @ expected) < 0.999:
                problems.append(f"story {row['id']} centroid disagrees with its members")
    store.close()
    if encoder is not None:
        engine = Engine(db=db, encoder=encoder, similarity=CosineJudge(), enrich=False, readonly=True)
        weaver = engine.weaver  # rebuilt from the store, as after a restart
        live = {r[0]: r[1] for r in engine.store.conn.execute("SELECT id, size FROM stories WHERE closed = 0")}
        if set(weaver.stories) != set(live):
            problems.append(f"weaver has {len(weaver.stories)} live stories, store {len(live)}")
        for sid, story in weaver.stories.items():
            if story.size != live.get(sid):
                problems.append(f"weaver story {sid} size {story.size} != {live.get(sid)}")
        indexed = {sid for sid, _ in weaver.index.search(next(iter(weaver.stories.values())).centroid, 10 ** 6)} \
            if weaver.stories else set()
        if indexed != set(weaver.stories):
            problems.append(f"vector index holds {len(indexed)} stories, weaver {len(weaver.stories)}")
        engine.close()
    return problems


def expected_ids(records: list[dict[str, Any]]) -> set[str]:
    from newsloom.model import content_id

    return {content_id(r["title"], r["text"]) for r in records}


# -- kill -9 -----------------------------------------------------------------------------

@dataclass
class KillReport:
    cycles: int = 0
    killed_mid_ingest: int = 0
    killed_after_commits: int = 0  # kills that landed after the child had committed something
    finished_before_kill: int = 0
    committed_logged: int = 0
    lost: int = 0
    duplicated: int = 0
    readded_on_rerun: int = 0
    finish_added: int = 0
    stored: int = 0
    expected: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    model_load_seconds: float = 0.0


def _child_ingest(db: Path, records_path: Path, log_path: Path, encoder, batch: int,
                  result_path: Path | None = None) -> None:
    """The ingesting child: a fresh Engine on the shared, already loaded models; logs every commit."""
    import newsloom.engine
    from newsloom.engine import Engine
    from newsloom.weave import CosineJudge

    newsloom.engine.INGEST_BATCH = batch  # small batches: commits land all through the kill window

    engine = Engine(db=db, encoder=encoder, similarity=CosineJudge(), enrich=False)
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def progress(result) -> None:
        if result.status == "added":  # called after the article's transaction committed
            os.write(fd, f"{result.article_id}\n".encode())

    report = engine.ingest([records_path], progress=progress)
    engine.close()
    if result_path is not None:
        result_path.write_text(json.dumps({"added": len(report.added), "errors": [str(r.error) for r in report.errors][:5]}))


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def kill9_driver(db: Path, records_path: Path, log_path: Path, cycles: int, seed: int, max_delay: float) -> KillReport:
    """Load the models once, then ``cycles`` times: fork an ingesting child, SIGKILL it at a random moment."""
    from newsloom.embed import default_encoder
    from newsloom.language import detect_language

    started = time.perf_counter()
    encoder = default_encoder()
    # load every lazy model and module before forking, so each child starts ingesting at once
    from newsloom.engine import Engine  # noqa: F401
    from newsloom.model import RawArticle
    from newsloom.pipeline import Pipeline
    from newsloom.readers import read_paths

    detect_language("warm up the language detector with a sentence")
    list(read_paths([records_path]))[:1]
    for rec in stream_records(4, seed=3):
        Pipeline(encoder, enrich=False).prepare_one(RawArticle(text=rec["text"], title=rec["title"], lang=rec["lang"]))
    report = KillReport(model_load_seconds=time.perf_counter() - started)
    rng = random.Random(seed)
    total = sum(1 for line in records_path.open(encoding="utf-8") if line.strip())
    # the kill delay adapts both ways: it grows on a slow machine (so kills land after
    # commits too) and shrinks on a fast one (so the stream is not used up in the first
    # cycles, which would leave the later children nothing to be killed in)
    delay_cap = max_delay
    for cycle in range(cycles):
        logged_before = log_path.stat().st_size if log_path.exists() else 0
        lines_before = _count_lines(log_path)
        batch = rng.choice([1, 4, 8, 16])
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                _child_ingest(db, records_path, log_path, encoder, batch)
            except BaseException:  # noqa: BLE001 - report through the exit code, never unwind into the parent
                import traceback

                traceback.print_exc()
                code = 3
            os._exit(code)
        time.sleep(rng.uniform(0.1, delay_cap))
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        report.cycles += 1
        committed = _count_lines(log_path) - lines_before
        budget = (total - lines_before) / (cycles - cycle + 2)
        if committed > budget > 0:
            delay_cap = max(0.3, delay_cap * budget / committed)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            report.killed_mid_ingest += 1
            if (log_path.stat().st_size if log_path.exists() else 0) > logged_before:
                report.killed_after_commits += 1
            else:
                delay_cap = min(delay_cap + 0.5, 6.0)
        elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            report.finished_before_kill += 1
        else:
            report.problems.append(f"child ended with status {status}")
    # then two uninterrupted restarts: the first completes the stream, the second must add nothing
    for name in ("finish", "rerun"):
        result_path = log_path.with_suffix(f".{name}.json")
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _child_ingest(db, records_path, log_path, encoder, 32, result_path)
            except BaseException:  # noqa: BLE001
                import traceback

                traceback.print_exc()
                code = 3
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if status != 0 or not result_path.exists():
            report.problems.append(f"{name} run ended with status {status}")
            continue
        result = json.loads(result_path.read_text())
        if result["errors"]:
            report.problems.append(f"errors in the {name} run: {result['errors']}")
        if name == "finish":
            report.finish_added = result["added"]
        else:
            report.readded_on_rerun = result["added"]
    report.seconds = time.perf_counter() - started
    return report


def run_kill9(workdir: Path, *, cycles: int, articles: int, seed: int = 20250501, max_delay: float = 2.5) -> KillReport:
    """The whole kill -9 exercise in subprocesses; then verify the database (see module docstring)."""
    workdir.mkdir(parents=True, exist_ok=True)
    db, log = workdir / "kill9.db", workdir / "committed.log"
    records = stream_records(articles, seed)
    records_path = write_jsonl(workdir / "stream.jsonl", records)
    cmd = [sys.executable, str(Path(__file__).resolve()), "kill9-driver", "--db", str(db), "--input", str(records_path),
           "--log", str(log), "--cycles", str(cycles), "--seed", str(seed), "--max-delay", str(max_delay)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"kill9 driver failed: {out.stderr[-2000:]}")
    report = KillReport(**json.loads(out.stdout.strip().splitlines()[-1]))
    logged = [line for line in log.read_text().splitlines() if line] if log.exists() else []
    report.committed_logged = len(logged) - report.finish_added  # commits logged by the killed children
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    stored = [r[0] for r in conn.execute("SELECT id FROM articles")]
    conn.close()
    want = expected_ids(records)
    report.stored, report.expected = len(stored), len(want)
    report.duplicated = len(stored) - len(set(stored))
    report.lost = len(want - set(stored)) + len(set(logged) - set(stored))
    unexpected = set(stored) - want
    if unexpected:
        report.problems.append(f"{len(unexpected)} stored articles not in the input")
    from newsloom.embed.hashing import HashingEncoder

    report.problems += consistency_problems(db, encoder=HashingEncoder(dim=512))
    return report


def ingest_driver(db: Path, input_path: Path, passes: int = 1) -> list[dict[str, Any]]:
    """One plain ingest process (real encoder, cosine judge, no entity models); each pass restarts the Engine."""
    from newsloom.engine import Engine
    from newsloom.weave import CosineJudge

    out = []
    encoder = None
    for _ in range(passes):
        engine = Engine(db=db, encoder=encoder, similarity=CosineJudge(), enrich=False)
        started = time.perf_counter()
        report = engine.ingest([input_path])
        encoder = engine.pipeline.encoder
        engine.close()
        out.append({"added": len(report.added), "duplicates": len(report.duplicates),
                    "errors": [str(r.error) for r in report.errors][:5],
                    "seconds": round(time.perf_counter() - started, 2)})
    return out


# -- full disk and read-only ------------------------------------------------------------

@dataclass
class DiskReport:
    method: str = ""
    added_before_full: int = 0
    store_errors: int = 0
    other_errors: int = 0
    crashes: int = 0
    error_example: str = ""
    integrity: str = ""
    lost_after_full: int = 0
    added_after_space_freed: int = 0
    problems: list[str] = field(default_factory=list)


@contextlib.contextmanager
def small_volume(path: Path, size_kb: int):
    """A tmpfs of ``size_kb`` at ``path`` when we may mount (root), else None (caller falls back)."""
    path.mkdir(parents=True, exist_ok=True)
    ok = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
                                              capture_output=True, check=False).returncode == 0
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def _resize(path: Path, size_kb: int, readonly: bool = False) -> bool:
    opts = f"remount,size={size_kb}k" + (",ro" if readonly else ",rw")
    return subprocess.run(["mount", "-o", opts, str(path)], capture_output=True, check=False).returncode == 0


def run_full_disk(workdir: Path, encoder, *, articles: int = 120) -> DiskReport:
    """Fill the database's volume mid-stream: clear per-item errors, no corruption, nothing lost.

    On a 1.5 MB tmpfs when mounting works (root), else with ``PRAGMA max_page_count``.
    """
    from newsloom.engine import Engine
    from newsloom.model import RawArticle
    from newsloom.weave import CosineJudge

    report = DiskReport()
    records = stream_records(articles, seed=5)
    raws = [RawArticle(text=r["text"] + (" Filler sentence for size." * 40), title=r["title"], url=r["url"],
                       source=r["source"], lang=r["lang"], origin=r["url"]) for r in records]
    volume = workdir / "vol"
    with small_volume(volume, 1536) as mounted:
        report.method = "tmpfs 1.5 MB" if mounted else "PRAGMA max_page_count"
        db = volume / "full.db"
        engine = Engine(db=db, encoder=encoder, similarity=CosineJudge(), enrich=False)
        if not mounted:
            pages = engine.store.conn.execute("PRAGMA page_count").fetchone()[0]
            engine.store.conn.execute(f"PRAGMA max_page_count = {int(pages) + 60}")
        added: list[str] = []
        try:
            for start in range(0, len(raws), 10):
                for r in engine.ingest_raw(raws[start:start + 10]).results:
                    if r.status == "added":
                        added.append(r.article_id)
                    elif r.status == "error":
                        if r.error.kind == "store":
                            report.store_errors += 1
                            report.error_example = report.error_example or r.error.reason
                        else:
                            report.other_errors += 1
        except Exception as exc:  # noqa: BLE001 - anything escaping is counted as a crash
            report.crashes += 1
            report.problems.append(f"CRASH {type(exc).__name__}: {exc}")
        report.added_before_full = len(added)
        engine.close()
        if mounted:
            _resize(volume, 64 * 1024)
        check = sqlite3.connect(db)
        report.integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {r[0] for r in check.execute("SELECT id FROM articles")}
        check.close()
        report.lost_after_full = len(set(added) - stored)
        # with space again the rest of the stream goes in, and nothing twice
        engine = Engine(db=db, encoder=encoder, similarity=CosineJudge(), enrich=False)
        if not mounted:
            engine.store.conn.execute("PRAGMA max_page_count = 1073741823")
        again = engine.ingest_raw(raws)
        report.added_after_space_freed = len(again.added)
        if again.errors:
            report.problems.append(f"errors after space was freed: {[str(r.error) for r in again.errors][:3]}")
        engine.close()
        report.problems += consistency_problems(db)
    return report


@dataclass
class ReadOnlyReport:
    method: str = ""
    error: str = ""  # opening for writing on a read-only volume
    readonly_open_error: str = ""  # opening read-only on a read-only volume ("" = it worked)
    per_item_kinds: list[str] = field(default_factory=list)  # ingesting through a read-only Engine
    per_item_reason: str = ""
    unchanged: bool = False
    readable: bool = False
    crashes: int = 0


def run_read_only(workdir: Path, encoder) -> ReadOnlyReport:
    """A database on a read-only volume (tmpfs remounted ro, when we can mount), then a read-only Engine."""
    from newsloom.engine import Engine
    from newsloom.errors import StoreError
    from newsloom.weave import CosineJudge

    report = ReadOnlyReport()
    volume = workdir / "rovol"
    with small_volume(volume, 8192) as mounted:
        db = volume / "ro.db"
        engine = Engine(db=db, encoder=encoder, similarity=CosineJudge(), enrich=False)
        engine.ingest_raw(_good_raws(3))
        engine.close()
        digest = hashlib.sha256(db.read_bytes()).hexdigest()
        if mounted and _resize(volume, 8192, readonly=True):
            report.method = "tmpfs remounted read-only, then Engine(readonly=True)"
            for readonly in (False, True):
                try:
                    e = Engine(db=db, encoder=encoder, similarity=CosineJudge(), enrich=False, readonly=readonly)
                    e.ingest_raw(_good_raws(5))
                    e.close()
                    message = ""
                except StoreError as exc:
                    message = str(exc)
                except Exception as exc:  # noqa: BLE001 - anything else escaping is a crash
                    report.crashes += 1
                    message = f"CRASH {type(exc).__name__}: {exc}"
                if readonly:
                    report.readonly_open_error = message
                else:
                    report.error = message or "no error"
            _resize(volume, 8192)
        else:
            report.method = "Engine(readonly=True)"
        ro = Engine(db=db, encoder=encoder, similarity=CosineJudge(), enrich=False, readonly=True)
        results = ro.ingest_raw(_good_raws(5)).results
        report.per_item_kinds = sorted({outcome(r) for r in results})
        report.per_item_reason = next((r.error.reason for r in results if r.error), "")
        report.readable = len(ro.stories()) > 0
        ro.close()
        report.unchanged = hashlib.sha256(db.read_bytes()).hexdigest() == digest
    return report


# -- load -------------------------------------------------------------------------------

@dataclass
class LoadReport:
    requests: int = 0
    errors: int = 0
    locked: int = 0
    seconds: float = 0.0
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    cli_added: int = 0
    cli_errors: list[str] = field(default_factory=list)
    api_added: int = 0
    cli_command: str = ""
    error_examples: list[str] = field(default_factory=list)


def run_load(workdir: Path, engine, *, seconds: float, writers: int = 2, readers: int = 2,
             cli_articles: int = 60, real_cli: bool = FULL) -> LoadReport:
    """API writers and readers on a loopback server, plus a command-line ingest process, on one database."""
    import httpx

    from newsloom.api import create_app
    from newsloom.api.testing import ServerThread

    token = "load-token-" + "x" * 20
    report = LoadReport()
    latencies: dict[str, list[float]] = {}
    lock = threading.Lock()
    deadline = {"stop_at": float("inf"), "cap": float("inf")}
    cli: subprocess.Popen | None = None

    def running() -> bool:
        """Until `seconds` have passed and the command-line writer has finished (bounded by a hard cap)."""
        now = time.monotonic()
        return now < deadline["cap"] and (now < deadline["stop_at"] or (cli is not None and cli.poll() is None))
    seed_ids = [r.article_id for r in engine.ingest_raw(_good_raws(4)).added] or \
        [r[0] for r in engine.store.conn.execute("SELECT id FROM articles LIMIT 4")]
    cli_input = write_jsonl(workdir / "cli.jsonl", stream_records(cli_articles + 400, seed=77)[400:])
    app = create_app(engine, token, web=False)

    def record(name: str, started: float, response: httpx.Response | None, exc: Exception | None = None) -> None:
        with lock:
            report.requests += 1
            latencies.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            bad = exc is not None or response is None or response.status_code >= 400
            if bad:
                report.errors += 1
                text = str(exc) if exc else response.text
                if "locked" in text.lower():
                    report.locked += 1
                if len(report.error_examples) < 5:
                    report.error_examples.append(f"{name}: {text[:200]}")

    def writer(k: int) -> None:
        i = 0
        with httpx.Client(base_url=server.url, timeout=60) as http:
            while running():
                rec = stream_records(1, seed=1000 * k + i)[0]
                rec["text"] += f" Writer {k} item {i}."
                rec["url"] += f"?w={k}&i={i}"
                started = time.perf_counter()
                try:
                    r = http.post("/api/articles", json={k2: rec[k2] for k2 in ("title", "text", "url", "source", "lang")},
                                  headers={"Authorization": f"Bearer {token}"})
                    record("POST /api/articles", started, r)
                    if r.status_code == 200 and r.json().get("status") == "added":
                        with lock:
                            report.api_added += 1
                except Exception as exc:  # noqa: BLE001 - counted as an error
                    record("POST /api/articles", started, None, exc)
                i += 1

    def reader(k: int) -> None:
        rng = random.Random(k)
        with httpx.Client(base_url=server.url, timeout=60) as http:
            while running():
                started = time.perf_counter()
                choice = rng.random()
                try:
                    if choice < 0.5:
                        r = http.get("/api/stories", params={"limit": 20, "sort": rng.choice(["last_seen", "size"])})
                        record("GET /api/stories", started, r)
                    elif choice < 0.8 and len(seed_ids) >= 2:
                        a, b = rng.sample(seed_ids, 2)
                        r = http.post("/api/compare", json={"a": {"id": a}, "b": {"id": b}})
                        record("POST /api/compare", started, r)
                    else:
                        r = http.get("/api/search", params={"q": rng.choice(["tram", "budget", "harbour"])})
                        record("GET /api/search", started, r)
                except Exception as exc:  # noqa: BLE001
                    record("reader", started, None, exc)

    started_all = time.perf_counter()
    command = cli_command(Path(engine.store.path), cli_input, real_cli)
    report.cli_command = " ".join(command[1:4]) + " ..."
    with ServerThread(app) as server:
        cli = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline["stop_at"], deadline["cap"] = time.monotonic() + seconds, time.monotonic() + seconds + 300
        threads = [threading.Thread(target=writer, args=(k,)) for k in range(writers)]
        threads += [threading.Thread(target=reader, args=(k,)) for k in range(readers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out, err = cli.communicate(timeout=600)
    report.seconds = time.perf_counter() - started_all
    if cli.returncode != 0:
        report.cli_errors.append(f"exit {cli.returncode}: {err[-500:]}")
    else:
        result = json.loads(out)
        result = result[0] if isinstance(result, list) else result
        report.cli_added = result["added"] if isinstance(result["added"], int) else len(result["added"])
        report.cli_errors = [str(e) for e in result["errors"]]
    for name, values in latencies.items():
        values.sort()
        report.latency_ms[name] = {"n": len(values), "p50": round(statistics.median(values), 1),
                                   "p95": round(values[int(0.95 * (len(values) - 1))], 1),
                                   "max": round(values[-1], 1)}
    return report


class CosineComparer:
    """A stand-in pair judge with ``compare`` for load runs while no trained similarity model ships:
    the cosine judge's decision, reported as a Comparison (overall 1..4 from the cosine)."""

    threshold = 0.75

    def same_story(self, a, b) -> tuple[bool, float]:
        cos = float(a.vector @ b.vector)
        return cos >= self.threshold, cos

    def compare(self, a, b):
        from newsloom.model import Comparison

        cos = max(-1.0, min(1.0, float(a.vector @ b.vector)))
        overall = 4.0 - 3.0 * max(cos, 0.0)
        return Comparison(a.id, b.id, overall, (4.0 - overall) / 3.0, {"Overall": overall}, cos >= self.threshold,
                          max(cos, 0.0), cosine=cos, explanations={"Overall": "cosine of the article vectors"})


def load_judge():
    """The shipped similarity model when present, else `CosineComparer`."""
    try:
        from newsloom.similarity.model import SimilarityModel

        return SimilarityModel.load_default()
    except Exception:  # noqa: BLE001 - any failure to load means "not shipped yet"
        return CosineComparer()


def cli_command(db: Path, input_path: Path, real_cli: bool) -> list[str]:
    """`newsloom ingest` itself (full profile, when the shipped similarity model is there: the CLI's
    default judge; it loads the entity models, ~20-40 s here); else the ingest driver, the same
    `Engine.ingest` in its own process with the cosine judge and no entity models."""
    model = REPO / "src" / "newsloom" / "data" / "similarity_model.json"
    if real_cli and model.exists():
        return [sys.executable, "-m", "newsloom.cli", "--db", str(db), "-q", "ingest", "--json", str(input_path)]
    return [sys.executable, str(Path(__file__).resolve()), "ingest-driver", "--db", str(db), "--input", str(input_path)]


# -- the report ---------------------------------------------------------------------------

def _security_passed() -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(REPO / "tests" / "test_reliability_security.py")],
                         capture_output=True, text=True, cwd=REPO, timeout=600, check=False)
    tail = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    passed = int(tail.split(" passed")[0].split()[-1]) if " passed" in tail else 0
    failed = int(tail.split(" failed")[0].split()[-1]) if " failed" in tail else 0
    return passed, failed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command")
    k = sub.add_parser("kill9-driver")
    for name in ("--db", "--input", "--log"):
        k.add_argument(name, required=True)
    k.add_argument("--cycles", type=int, default=20)
    k.add_argument("--seed", type=int, default=1)
    k.add_argument("--max-delay", type=float, default=2.5)
    d = sub.add_parser("ingest-driver")
    d.add_argument("--db", required=True)
    d.add_argument("--input", required=True)
    d.add_argument("--passes", type=int, default=1)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.command == "kill9-driver":
        report = kill9_driver(Path(args.db), Path(args.input), Path(args.log), args.cycles, args.seed, args.max_delay)
        print(json.dumps(asdict(report)))
        return 0
    if args.command == "ingest-driver":
        print(json.dumps(ingest_driver(Path(args.db), Path(args.input), args.passes)))
        return 0
    return run_report(as_json=args.json)


def run_report(as_json: bool = False) -> int:
    from fastapi.testclient import TestClient

    from newsloom.api import create_app
    from newsloom.embed import default_encoder
    from newsloom.embed.hashing import HashingEncoder
    from newsloom.engine import Engine
    from newsloom.weave import CosineJudge

    figures: dict[str, Any] = {"profile": PROFILE}
    with tempfile.TemporaryDirectory(prefix="newsloom-reliability-") as tmp:
        work = Path(tmp)
        engine = Engine(db=work / "bad.db", encoder=HashingEncoder(), similarity=CosineJudge(), enrich=FULL)
        bad = run_bad_inputs(work, engine)
        with TestClient(create_app(engine, "bad-input-token-0123456789"), base_url="http://127.0.0.1") as client:
            api = run_api_bad_inputs(client, engine, "bad-input-token-0123456789")
        engine.close()
        figures["bad_input"] = {"kinds": bad.kinds + api.kinds, "items": bad.items + api.items,
                                "crashes": bad.crashes + api.crashes, "failures": bad.failures + api.failures,
                                "stored_unchanged": bad.stored_unchanged and api.stored_unchanged}
        kill = run_kill9(work / "kill", cycles=60 if FULL else 20, articles=4000 if FULL else 1200)
        figures["kill9"] = asdict(kill)
        encoder = default_encoder()
        figures["full_disk"] = asdict(run_full_disk(work, encoder))
        figures["read_only"] = asdict(run_read_only(work, encoder))
        load_engine = Engine(db=work / "load.db", encoder=encoder, similarity=load_judge(), enrich=False)
        figures["load"] = asdict(run_load(work, load_engine, seconds=60 if FULL else 10))
        load_engine.close()
    passed, failed = _security_passed()
    figures["security"] = {"passed": passed, "failed": failed}
    if as_json:
        print(json.dumps(figures, indent=2, default=str))
    else:
        b, k, fd, ro, ld = (figures[x] for x in ("bad_input", "kill9", "full_disk", "read_only", "load"))
        print(f"profile: {PROFILE}")
        print(f"bad input: {b['kinds']} kinds, {b['items']} items, crashes {b['crashes']}, "
              f"unexpected outcomes {len(b['failures'])}, stored rows unchanged: {b['stored_unchanged']}")
        for f in b["failures"]:
            print(f"  ! {f}")
        print(f"kill -9: {k['cycles']} cycles ({k['killed_mid_ingest']} killed mid-ingest, "
              f"{k['killed_after_commits']} after committing), {k['committed_logged']} "
              f"commits logged, lost {k['lost']}, duplicated {k['duplicated']}, re-added on re-run "
              f"{k['readded_on_rerun']}, stored {k['stored']}/{k['expected']}, consistency problems "
              f"{len(k['problems'])}, {k['seconds']:.1f} s")
        print(f"full disk ({fd['method']}): {fd['added_before_full']} added, {fd['store_errors']} clear store errors "
              f"({fd['error_example'][:70]!r}), crashes {fd['crashes']}, integrity {fd['integrity']}, lost "
              f"{fd['lost_after_full']}, {fd['added_after_space_freed']} added once space was freed, "
              f"problems {len(fd['problems'])}")
        print(f"read-only ({ro['method']}): writable open {ro['error'][:80]!r}; read-only open "
              f"{ro['readonly_open_error'][:80] or 'ok'!r}; per-item {ro['per_item_kinds']} "
              f"({ro['per_item_reason'][:60]!r}); file unchanged {ro['unchanged']}; still readable {ro['readable']}; "
              f"crashes {ro['crashes']}")
        print(f"load: {ld['requests']} requests in {ld['seconds']:.1f} s, errors {ld['errors']} (database locked "
              f"{ld['locked']}), API added {ld['api_added']}, CLI added {ld['cli_added']} (errors {len(ld['cli_errors'])})")
        for name, lat in sorted(ld["latency_ms"].items()):
            print(f"  {name:<20} n={lat['n']:<5} p50 {lat['p50']} ms  p95 {lat['p95']} ms  max {lat['max']} ms")
        print(f"security checks: {passed} passed, {failed} failed")
    ok = (figures["bad_input"]["crashes"] == 0 and not figures["bad_input"]["failures"]
          and kill.lost == kill.duplicated == kill.readded_on_rerun == 0 and not kill.problems
          and figures["load"]["errors"] == 0 and not figures["load"]["cli_errors"] and failed == 0
          and figures["full_disk"]["crashes"] == 0 and figures["read_only"]["crashes"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
