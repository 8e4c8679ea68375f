"""Readers: formats, per-item errors, limits, dates. All example texts are our own."""

from __future__ import annotations

import io
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsloom.errors import InputError
from newsloom.model import ItemError, RawArticle
from newsloom.readers import (
    detect_format, parse_date, parse_feed, parse_html, read_jsonl_stream, read_paths,
)

PARAGRAPH_EN = ("The city council approved the new tram line on Tuesday after a long debate. "
                "Construction is expected to start next spring and to last two years. ")
PARAGRAPH_FR = ("Le conseil municipal a approuvé mardi la nouvelle ligne de tramway après un long débat. "
                "Les travaux devraient commencer au printemps prochain. ")


def items(*paths, **kw) -> list[RawArticle | ItemError]:
    return list(read_paths([str(p) for p in paths], **kw))


def only(result: list) -> RawArticle | ItemError:
    assert len(result) == 1, result
    return result[0]


# --- plain text -----------------------------------------------------------------

def test_text_file_title_is_first_non_empty_line(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("\n\n  Tram line approved  \n\n" + PARAGRAPH_EN + "\n\nSecond paragraph.\n", "utf-8")
    article = only(items(path))
    assert isinstance(article, RawArticle)
    assert article.title == "Tram line approved"
    assert article.text.startswith("The city council")
    assert article.text.endswith("Second paragraph.")
    assert article.origin == str(path)


def test_markdown_heading_marks_are_dropped_from_title(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# Nouvelle ligne\n\n" + PARAGRAPH_FR, "utf-8")
    article = only(items(path))
    assert article.title == "Nouvelle ligne"
    assert "tramway" in article.text


def test_single_line_file_has_no_title(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text(PARAGRAPH_EN.strip(), "utf-8")
    article = only(items(path))
    assert article.title is None and article.text == PARAGRAPH_EN.strip()


def test_folders_are_walked_sorted_recursively_skipping_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Two\nbody two", "utf-8")
    (tmp_path / "1.txt").write_text("One\nbody one", "utf-8")
    (tmp_path / ".hidden.txt").write_text("Hidden\nbody", "utf-8")
    (tmp_path / ".git" / "x.txt").write_text("Git\nbody", "utf-8")
    titles = [a.title for a in items(tmp_path)]
    assert titles == ["One", "Two"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_encodings_are_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("Zażółć gęślą jaźń\nTreść artykułu o żółwiach.".encode(encoding))
    article = only(items(path))
    assert article.title == "Zażółć gęślą jaźń"
    assert article.text == "Treść artykułu o żółwiach."


def test_invalid_utf8_is_an_encoding_error_not_mojibake(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Café crème\nLe café était très chaud.".encode("latin-1"))
    error = only(items(path))
    assert isinstance(error, ItemError) and error.kind == "encoding"


def test_nul_bytes_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert only(items(path)).kind == "binary"


@pytest.mark.parametrize("content", [b"", b"  \n\n\t "])
def test_empty_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert only(items(path)).kind == "empty"


def test_missing_path(tmp_path: Path) -> None:
    error = only(items(tmp_path / "nope.txt"))
    assert error.kind == "missing" and "nope.txt" in error.origin


def test_unknown_extension_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_text("Some words that are neither HTML nor JSON", "utf-8")
    assert only(items(path)).kind == "unsupported"


def test_large_file_errors_fast_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: 50 MB on paper, nothing written
        fh.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    error = only(items(path))
    assert error.kind == "too_large"
    assert time.perf_counter() - started < 1.0


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Title\n" + PARAGRAPH_EN, "utf-8")
    assert only(items(path, max_bytes=50)).kind == "too_large"
    assert isinstance(only(items(path, max_bytes=10_000)), RawArticle)


def test_sniffing_extensionless_files(tmp_path: Path) -> None:
    (tmp_path / "page").write_text("<!DOCTYPE html><html><body><p>x</p></body></html>", "utf-8")
    (tmp_path / "lines").write_text('{"text": "x"}\n', "utf-8")
    (tmp_path / "plain").write_text("Just words", "utf-8")
    assert detect_format(tmp_path / "page") == "html"
    assert detect_format(tmp_path / "lines") == "jsonl"
    assert detect_format(tmp_path / "plain") == "text"


# --- JSONL ------------------------------------------------------------------------

def test_jsonl_fields_metadata_and_per_line_errors(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a1", "url": "https://example.org/a", "source": "Example", "title": "T",
                    "text": PARAGRAPH_EN, "lang": "en-GB", "published": "2022-01-19T10:30:00+01:00",
                    "section": "city", "tags": ["tram"]}),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps({"text": "ok", "published": "yesterday-ish"}),
        "",
        json.dumps([1, 2]),
        json.dumps({"text": "   "}),
        json.dumps({"text": PARAGRAPH_FR, "published": "2022-01-19 08:00"}),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    result = items(path)
    assert len(result) == 7  # the blank line is not an item
    first = result[0]
    assert isinstance(first, RawArticle)
    assert (first.external_id, first.url, first.source, first.title, first.lang) == (
        "a1", "https://example.org/a", "Example", "T", "en")
    assert first.published == datetime(2022, 1, 19, 9, 30, tzinfo=timezone.utc)
    assert first.metadata == {"section": "city", "tags": ["tram"]}
    assert first.origin == f"{path}:line 1"
    errors = {e.origin.rsplit(" ", 1)[1]: e for e in result if isinstance(e, ItemError)}
    assert errors["2"].kind == "malformed" and "JSON" in errors["2"].reason
    assert errors["3"].kind == "malformed" and "text" in errors["3"].reason
    assert errors["4"].kind == "malformed" and "published" in errors["4"].reason
    assert errors["6"].kind == "malformed" and "object" in errors["6"].reason
    assert errors["7"].kind == "empty"
    last = result[-1]
    assert last.published == datetime(2022, 1, 19, 8, 0, tzinfo=timezone.utc)  # naive -> UTC


def test_jsonl_line_encoding_and_size_errors_are_per_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"text": "fine"}).encode()
    bad = '{"text": "café"}'.encode("latin-1")
    long = json.dumps({"text": "x" * 500}).encode()
    path.write_bytes(b"\n".join([good, bad, long, good]) + b"\n")
    result = items(path, max_bytes=200)
    assert [type(r).__name__ for r in result] == ["RawArticle", "ItemError", "ItemError", "RawArticle"]
    assert result[1].kind == "encoding" and result[1].origin.endswith("line 2")
    assert result[2].kind == "too_large" and result[2].origin.endswith("line 3")
    assert result[3].origin.endswith("line 4")


def test_jsonl_stream_text_and_binary_and_utf16() -> None:
    data = json.dumps({"text": "Привет, мир", "lang": "ru"}, ensure_ascii=False) + "\n"
    for stream in (io.StringIO(data), io.BytesIO(data.encode()),
                   io.BufferedReader(io.BytesIO(data.encode("utf-16")))):
        article = only(list(read_jsonl_stream(stream, "<stdin>")))
        assert article.text == "Привет, мир" and article.origin == "<stdin>:line 1"


# --- dates --------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2022-01-19T10:30:00Z", datetime(2022, 1, 19, 10, 30, tzinfo=timezone.utc)),
    ("2022-01-19", datetime(2022, 1, 19, tzinfo=timezone.utc)),
    ("Wed, 19 Jan 2022 10:30:00 +0100", datetime(2022, 1, 19, 9, 30, tzinfo=timezone.utc)),
])
def test_parse_date_is_timezone_aware(value: str, expected: datetime) -> None:
    parsed = parse_date(value)
    assert parsed.tzinfo is not None and parsed == expected


# --- HTML ---------------------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html><html><head><title>Tram line approved - The Daily Example</title>
<link rel="canonical" href="https://daily.example/city/tram">
<meta property="og:site_name" content="The Daily Example">
<meta name="author" content="Ann Writer">
<meta property="article:published_time" content="2022-01-19T08:15:00+01:00">
</head><body><nav><a href="/">Home</a> | <a href="/city">City</a></nav>
<article><h1>Tram line approved</h1><p>{p1}</p><p>{p2}</p></article>
<footer>All rights reserved</footer></body></html>""".format(p1=PARAGRAPH_EN * 2, p2=PARAGRAPH_EN)


def test_html_extraction(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, "utf-8")
    article = only(items(path))
    assert isinstance(article, RawArticle)
    assert article.title == "Tram line approved"
    assert article.url == "https://daily.example/city/tram"
    assert article.source == "The Daily Example"
    assert article.author == "Ann Writer"
    assert article.published == datetime(2022, 1, 19, 7, 15, tzinfo=timezone.utc)
    assert article.text.startswith("The city council")
    assert "Home" not in article.text and "All rights reserved" not in article.text


def test_html_without_article_text_is_empty() -> None:
    with pytest.raises(InputError) as info:
        parse_html("<html><head><title>Nothing</title></head><body><div></div></body></html>", origin="x")
    assert info.value.kind == "empty"


# --- feeds --------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Example Wire</title>
<item><title>First</title><link>https://wire.example/1</link>
<pubDate>Wed, 19 Jan 2022 10:30:00 +0100</pubDate><guid>w-1</guid>
<description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt; one.&lt;/p&gt;
&lt;p&gt;Second para.&lt;/p&gt;</description></item>
<item><title>Second</title><link>https://wire.example/2</link>
<content:encoded><![CDATA[<p>Full content two.</p>]]></content:encoded></item>
<item><title>Third has nothing</title></item>
<item><title>Bad date</title><pubDate>someday</pubDate><description>text</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Example</title>
<entry><title>Entry one</title><id>urn:1</id>
<link rel="alternate" href="https://atom.example/1"/>
<published>2022-01-19T10:30:00Z</published><author><name>Bo</name></author>
<summary type="html">&lt;p&gt;Der Stadtrat hat die Linie genehmigt.&lt;/p&gt;</summary></entry>
</feed>"""


def test_rss_items() -> None:
    result = list(parse_feed(RSS, "feed.xml"))
    first, second, third, fourth = result
    assert (first.title, first.url, first.source, first.external_id) == (
        "First", "https://wire.example/1", "Example Wire", "w-1")
    assert first.published == datetime(2022, 1, 19, 9, 30, tzinfo=timezone.utc)
    assert first.text == "Short summary one.\nSecond para."
    assert second.text == "Full content two."
    assert isinstance(third, ItemError) and third.kind == "empty" and third.origin == "feed.xml:item 3"
    assert isinstance(fourth, ItemError) and fourth.kind == "malformed"


def test_atom_entries(tmp_path: Path) -> None:
    path = tmp_path / "feed.atom"
    path.write_text(ATOM, "utf-8")
    entry = only(items(path))
    assert (entry.title, entry.url, entry.author, entry.source) == (
        "Entry one", "https://atom.example/1", "Bo", "Atom Example")
    assert entry.text == "Der Stadtrat hat die Linie genehmigt."
    assert entry.published == datetime(2022, 1, 19, 10, 30, tzinfo=timezone.utc)


def test_xml_bomb_is_refused_quickly() -> None:
    entities = "".join(f'<!ENTITY e{i} "' + f"&e{i - 1};" * 10 + '">' for i in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e0 "lol">{entities}]>'
            '<rss><channel><item><description>&e9;</description></item></channel></rss>')
    started = time.perf_counter()
    error = only(list(parse_feed(bomb, "bomb.xml")))
    assert isinstance(error, ItemError) and error.kind == "malformed"
    assert time.perf_counter() - started < 1.0


def test_non_feed_xml_and_broken_xml() -> None:
    assert only(list(parse_feed("<svg><g/></svg>", "x.xml"))).kind == "unsupported"
    assert only(list(parse_feed("<rss><channel>", "x.xml"))).kind == "malformed"


# --- WARC ---------------------------------------------------------------------------

def _write_warc(path: Path, records: list[tuple[str, str, bytes, str]], gzip: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        for uri, content_type, payload, warc_date in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(payload), http_headers=headers,
                warc_headers_dict={"WARC-Date": warc_date})
            writer.write_record(record)


@pytest.mark.parametrize("name, gzip", [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_warc_response_records(tmp_path: Path, name: str, gzip: bool) -> None:
    page = ("<html><head><title>Tram</title></head><body><article><p>"
            + PARAGRAPH_EN * 3 + "</p></article></body></html>").encode()
    path = tmp_path / name
    _write_warc(path, [
        ("https://a.example/tram", "text/html; charset=utf-8", page, "2022-01-19T10:00:00Z"),
        ("https://a.example/logo.png", "image/png", b"\x89PNG", "2022-01-19T10:00:01Z"),
        ("https://a.example/big", "text/html", page * 10, "2022-01-19T10:00:02Z"),
        ("https://a.example/latin", "text/html", "<p>café</p>".encode("latin-1"), "2022-01-19T10:00:03Z"),
    ], gzip)
    result = items(path, max_bytes=len(page) + 100)
    article, too_big, bad_encoding = result
    assert article.url == "https://a.example/tram"
    assert article.published == datetime(2022, 1, 19, 10, 0, tzinfo=timezone.utc)
    assert "tram line" in article.text
    assert too_big.kind == "too_large" and too_big.origin.endswith("record 3")
    assert bad_encoding.kind == "encoding"


def test_warc_date_does_not_override_page_date(tmp_path: Path) -> None:
    path = tmp_path / "c.warc"
    _write_warc(path, [("https://daily.example/x", "text/html", HTML_PAGE.encode(), "2023-05-05T00:00:00Z")],
                gzip=False)
    article = only(items(path))
    assert article.published.date() == datetime(2022, 1, 19).date()
    assert article.published - article.published.astimezone(timezone.utc) == timedelta(0)


# --- stdin & seeds --------------------------------------------------------------------

def test_dash_reads_jsonl_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = json.dumps({"text": "Von der Standardeingabe."}) + "\n{bad\n"
    fake = io.TextIOWrapper(io.BufferedReader(io.BytesIO(payload.encode())), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", fake)
    article, error = items("-")
    assert article.text == "Von der Standardeingabe." and error.kind == "malformed"
    assert error.origin == "<stdin>:line 2"


def test_seed_files_are_read(shared_dir: Path) -> None:
    result = items(shared_dir / "seeds")
    assert len(result) == 2 and all(isinstance(r, RawArticle) for r in result)
    assert all(r.title and len(r.text) > 500 for r in result)


def test_shared_dir_helper_skips_locally_and_fails_under_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import _require_shared

    missing = tmp_path / "no-shared"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _require_shared(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        _require_shared(missing)
    assert _require_shared(tmp_path) == tmp_path.resolve()
