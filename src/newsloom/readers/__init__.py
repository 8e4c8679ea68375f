"""Readers: turn files, folders and stdin into RawArticles or per-item errors.

``read_paths`` walks its arguments (folders recursively, in sorted order, hidden
files and folders skipped), picks a reader per file by extension, else by sniffing
the first bytes, and yields one :class:`RawArticle` per article or one
:class:`ItemError` per item that cannot be read. Error kinds: ``missing``,
``empty``, ``binary``, ``encoding``, ``too_large``, ``malformed``, ``unsupported``.
Readers do no cleaning and no language detection.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from newsloom.errors import InputError
from newsloom.model import ItemError, RawArticle

from . import feed, html, jsonl, text, warc
from ._common import DEFAULT_MAX_BYTES, SNIFF_BYTES, looks_binary, parse_date
from .feed import parse_feed
from .html import parse_html
from .jsonl import read_jsonl_stream
from .text import parse_text
from .warc import read_warc_stream

__all__ = [
    "DEFAULT_MAX_BYTES", "read_paths", "read_path", "read_jsonl_stream", "read_warc_stream",
    "parse_feed", "parse_html", "parse_text", "parse_date", "detect_format",
]

Item = RawArticle | ItemError
STDIN = "-"

_BY_EXTENSION: dict[str, str] = {
    **{ext: "text" for ext in text.EXTENSIONS},
    **{ext: "jsonl" for ext in jsonl.EXTENSIONS},
    **{ext: "html" for ext in html.EXTENSIONS},
    **{ext: "feed" for ext in feed.EXTENSIONS},
    **{ext: "warc" for ext in warc.EXTENSIONS},
}


def _sniff(head: bytes) -> str | None:
    """Guess a format from the first bytes of a file."""
    if head.startswith(b"WARC/"):
        return "warc"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    if start.startswith(b"<?xml") or start.startswith((b"<rss", b"<feed", b"<rdf:rdf")):
        return "feed" if any(tag in start for tag in (b"<rss", b"<feed", b"<rdf")) else "xml"
    if start.startswith(b"{"):
        return "jsonl"
    return None


def detect_format(path: Path) -> str:
    """``text``, ``jsonl``, ``html``, ``feed`` or ``warc``; raises InputError otherwise."""
    name = path.name.lower()
    if any(name.endswith(ext) for ext in warc.COMPOUND_EXTENSIONS):
        return "warc"
    suffix = path.suffix.lower()
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head:
        raise InputError("empty file", kind="empty")
    if head.startswith(b"\x1f\x8b"):
        return "warc"  # gzip member: warcio reports a clear error if it is not a WARC
    if looks_binary(head):
        raise InputError("contains NUL bytes (binary data, not text)", kind="binary")
    guess = _sniff(head)
    if guess == "xml":
        return "feed"  # parse_feed says "neither RSS nor Atom" for other XML
    if guess:
        return guess
    if not suffix:
        return "text"  # an extension-less file of text: read it as plain text
    raise InputError(f"unknown format for extension {suffix!r}", kind="unsupported")


def _single(reader: Callable[[Path, int], RawArticle]) -> Callable[[Path, int], Iterator[Item]]:
    def read(path: Path, max_bytes: int) -> Iterator[Item]:
        yield reader(path, max_bytes)
    return read


_READERS: dict[str, Callable[[Path, int], Iterator[Item]]] = {
    "text": _single(text.read_text_file),
    "html": _single(html.read_html_file),
    "jsonl": jsonl.read_jsonl_file,
    "feed": feed.read_feed_file,
    "warc": warc.read_warc_file,
}


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Read one file with the reader its format calls for."""
    try:
        if path.stat().st_size == 0:
            raise InputError("empty file", kind="empty")
        reader = _READERS[detect_format(path)]
        yield from reader(path, max_bytes)
    except InputError as exc:
        yield ItemError(str(path), str(exc), kind=exc.kind)
    except OSError as exc:
        yield ItemError(str(path), f"cannot read: {exc.strerror or exc}", kind="unreadable")


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder``, recursively, sorted, hidden files and folders skipped."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not _is_hidden(path, folder):
            yield path


def read_paths(paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Yield RawArticles and ItemErrors for files, folders and ``-`` (JSONL on stdin).

    ``max_bytes`` bounds one item: a file, a JSONL line or a WARC record. Larger
    items are refused (``too_large``) without being read into memory.
    """
    for raw in paths:
        if str(raw) == STDIN:
            yield from read_jsonl_stream(sys.stdin.buffer, "<stdin>", max_bytes)
            continue
        path = Path(raw)
        if path.is_dir():
            for file in _walk(path):
                yield from read_path(file, max_bytes)
        elif path.exists():
            yield from read_path(path, max_bytes)
        else:
            yield ItemError(str(path), "no such file or directory", kind="missing")
