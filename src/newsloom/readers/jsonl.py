"""JSON Lines: one article object per line.

Known fields: ``id, url, source, title, text, lang, published`` (ISO 8601) and
``author``; only ``text`` is required. Unknown fields are kept in ``metadata``.
Each bad line yields an :class:`ItemError` with origin ``"<path>:line N"``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from newsloom.errors import InputError
from newsloom.model import ItemError, RawArticle

from ._common import DEFAULT_MAX_BYTES, bom_encoding, decode_text, parse_date

EXTENSIONS = frozenset({".jsonl", ".ndjson", ".jsonlines"})

_STRING_FIELDS = {"id": "external_id", "url": "url", "source": "source", "title": "title",
                  "lang": "lang", "author": "author"}


def parse_record(obj: Any, origin: str) -> RawArticle:
    """Turn one decoded JSON value into a RawArticle, validating field types."""
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object, got {type(obj).__name__}", kind="malformed")
    if "text" not in obj or obj["text"] is None:
        raise InputError("missing required field 'text'", kind="malformed")
    text = obj["text"]
    if not isinstance(text, str):
        raise InputError(f"field 'text' must be a string, got {type(text).__name__}", kind="malformed")
    if not text.strip():
        raise InputError("field 'text' is empty", kind="empty")
    values: dict[str, Any] = {}
    for name, attribute in _STRING_FIELDS.items():
        value = obj.get(name)
        if value is None:
            continue
        if name == "id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # numeric ids are common and unambiguous
        if not isinstance(value, str):
            raise InputError(f"field {name!r} must be a string, got {type(value).__name__}",
                             kind="malformed")
        values[attribute] = value.strip() or None
    if values.get("lang"):
        values["lang"] = values["lang"].lower().replace("_", "-").split("-")[0]
    published = obj.get("published")
    if published is not None:
        if not isinstance(published, str):
            raise InputError("field 'published' must be an ISO 8601 string", kind="malformed")
        try:
            values["published"] = parse_date(published)
        except InputError as exc:
            raise InputError(f"bad 'published': {exc}", kind="malformed") from None
    metadata = {k: v for k, v in obj.items() if k not in _STRING_FIELDS and k not in {"text", "published"}}
    return RawArticle(text=text, metadata=metadata, origin=origin, **values)


def parse_line(line: str | bytes, origin: str) -> RawArticle | None:
    """Parse one line; ``None`` for a blank line (not an item)."""
    text = decode_text(line) if isinstance(line, bytes) else line
    if not text.strip():
        return None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} at column {exc.colno}", kind="malformed") from None
    except RecursionError:
        raise InputError("JSON nested too deeply", kind="malformed") from None
    except ValueError as exc:  # e.g. an integer longer than Python's int/str conversion limit
        raise InputError(f"invalid JSON value: {exc}", kind="malformed") from None
    return parse_record(obj, origin)


def _bounded_lines(fh: IO[Any], max_bytes: int) -> Iterator[tuple[str | bytes | None, int]]:
    """Yield ``(line, number)``; ``line`` is None for a line over the limit (skipped unread)."""
    number = 0
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        ending = b"\n" if isinstance(line, bytes) else "\n"
        if len(line) > max_bytes and not line.endswith(ending):
            # Drain the rest of the oversized line in bounded chunks.
            while True:
                chunk = fh.readline(max_bytes)
                if not chunk or chunk.endswith(ending):
                    break
            yield None, number
            continue
        yield line, number


def _peek(fh: IO[bytes], size: int) -> bytes:
    peek = getattr(fh, "peek", None)
    return peek(size)[:size] if peek is not None else b""


def read_jsonl_stream(fh: IO[Any], origin: str, max_bytes: int = DEFAULT_MAX_BYTES
                      ) -> Iterator[RawArticle | ItemError]:
    """Read JSONL from an open text or binary stream (stdin for ``-``), line by line.

    Binary streams are decoded strictly per line (UTF-8, optional BOM); a stream that
    starts with a UTF-16 BOM is decoded as UTF-16. Memory use is bounded by one line.
    """
    if isinstance(fh, io.TextIOBase) and hasattr(fh, "buffer"):
        fh = fh.buffer  # decode ourselves, strictly, line by line
    if not isinstance(fh, io.TextIOBase) and bom_encoding(_peek(fh, 2)) == "utf-16":
        fh = io.TextIOWrapper(fh, encoding="utf-16", errors="strict")
    first = True
    lines = _bounded_lines(fh, max_bytes)
    while True:
        try:
            line, number = next(lines)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            yield ItemError(origin, f"not valid UTF-16: {exc.reason}", kind="encoding")
            return
        item_origin = f"{origin}:line {number}"
        if line is None:
            yield ItemError(item_origin, f"line longer than {max_bytes} bytes", kind="too_large")
            continue
        if first:
            line = line.removeprefix(b"\xef\xbb\xbf") if isinstance(line, bytes) else line.removeprefix("\ufeff")
            first = False
        try:
            article = parse_line(line, item_origin)
        except InputError as exc:
            yield ItemError(item_origin, str(exc), kind=exc.kind)
            continue
        if article is not None:
            yield article


def read_jsonl_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawArticle | ItemError]:
    with path.open("rb") as fh:
        yield from read_jsonl_stream(fh, str(path), max_bytes)
