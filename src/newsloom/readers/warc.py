"""WARC archives (plain or gzipped), read as a stream with warcio.

Each ``response`` record whose HTTP payload is HTML becomes one RawArticle:
trafilatura extracts the text, ``WARC-Target-URI`` gives the URL and ``WARC-Date``
the publication date when the page states none. Records are read one at a time,
each bounded by the per-item limit, so the archive is never loaded whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from newsloom.errors import InputError
from newsloom.model import ItemError, RawArticle

from ._common import DEFAULT_MAX_BYTES, parse_date, read_bytes_limited
from .html import parse_html

EXTENSIONS = frozenset({".warc"})
COMPOUND_EXTENSIONS = (".warc.gz",)


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ").lower()
    return None


def _decode_payload(payload: bytes, content_type: str) -> str:
    """Decode with the declared charset, else strict UTF-8; never guess silently."""
    charset = _charset(content_type) or "utf-8"
    try:
        return payload.decode(charset)
    except LookupError:
        raise InputError(f"unknown charset {charset!r}", kind="encoding") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid {charset} at byte {exc.start}", kind="encoding") from None


def _record_article(record, origin: str, max_bytes: int) -> RawArticle | None:
    """RawArticle for an HTML response record, None for records we do not read."""
    if not record.rec_type:
        # warcio parses anything after a "WARC/" line as headers; no WARC-Type means garbage
        raise InputError("not a WARC record (no WARC-Type header)", kind="malformed")
    if record.rec_type != "response" or record.http_headers is None:
        return None
    content_type = record.http_headers.get_header("Content-Type") or ""
    if "html" not in content_type.lower():
        return None
    status = record.http_headers.get_statuscode()
    if status and not status.startswith("2"):
        return None
    payload = read_bytes_limited(record.content_stream(), max_bytes)
    html = _decode_payload(payload, content_type)
    url = record.rec_headers.get_header("WARC-Target-URI")
    article = parse_html(html, origin=origin, url=url)
    warc_date = record.rec_headers.get_header("WARC-Date")
    if article.published is None and warc_date:
        try:
            article.published = parse_date(warc_date)
        except InputError:
            pass
    if warc_date:
        article.metadata["warc_date"] = warc_date
    return article


def read_warc_stream(fh: IO[bytes], origin: str, max_bytes: int = DEFAULT_MAX_BYTES
                     ) -> Iterator[RawArticle | ItemError]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    number = 0
    try:
        for record in ArchiveIterator(fh):
            number += 1
            item_origin = f"{origin}:record {number}"
            try:
                article = _record_article(record, item_origin, max_bytes)
            except InputError as exc:
                yield ItemError(item_origin, str(exc), kind=exc.kind)
                continue
            if article is not None:
                yield article
    except ArchiveLoadFailed as exc:
        yield ItemError(f"{origin}:record {number + 1}", f"not a valid WARC record: {exc}",
                        kind="malformed")


def read_warc_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawArticle | ItemError]:
    with path.open("rb") as fh:
        yield from read_warc_stream(fh, str(path), max_bytes)
