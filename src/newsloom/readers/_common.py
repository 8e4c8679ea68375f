"""Helpers shared by the readers: bounded reads, strict decoding, date parsing.

Every helper raises :class:`newsloom.errors.InputError` with a specific ``kind``;
:func:`newsloom.readers.read_paths` turns those into :class:`ItemError` values.
"""

from __future__ import annotations

import codecs
import email.utils
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from newsloom.errors import InputError

#: Default per-item size limit (bytes): one file, one JSONL line, one WARC record.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

#: How many leading bytes we look at to guess a format or spot binary data.
SNIFF_BYTES = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def check_size(path: Path, max_bytes: int) -> int:
    """Return the file size, refusing files over ``max_bytes`` before reading anything."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{size} bytes exceeds the limit of {max_bytes} bytes", kind="too_large")
    return size


def read_bytes_limited(fh: BinaryIO, max_bytes: int) -> bytes:
    """Read at most ``max_bytes``; one byte more means the item is too large."""
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"more than {max_bytes} bytes", kind="too_large")
    return data


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def decode_text(data: bytes) -> str:
    """Decode bytes strictly: UTF-8, or UTF-8/UTF-16 announced by a BOM.

    Anything else is an ``encoding`` error rather than silently mis-decoded text;
    NUL bytes outside UTF-16 mean ``binary``.
    """
    encoding = bom_encoding(data)
    if encoding is None and b"\x00" in data:
        raise InputError("contains NUL bytes (binary data, not text)", kind="binary")
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid {encoding or 'UTF-8'} at byte {exc.start}", kind="encoding"
        ) from exc
    if "\x00" in text:
        raise InputError("contains NUL characters (binary data, not text)", kind="binary")
    return text


def looks_binary(head: bytes) -> bool:
    """NUL bytes (outside a UTF-16 BOM file) mark binary data."""
    return bom_encoding(head) is None and b"\x00" in head


def as_utc(value: datetime) -> datetime:
    """Timezone-aware datetime; naive values are taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def parse_date(value: str) -> datetime:
    """Parse an ISO 8601 (or RFC 2822, as in RSS) date into an aware datetime.

    Raises ``InputError(kind="malformed")`` when the string is not a date.
    """
    text = value.strip()
    if not text:
        raise InputError("empty date", kind="malformed")
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return as_utc(datetime.fromisoformat(iso))
    except ValueError:
        pass
    try:
        return as_utc(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        raise InputError(f"not an ISO 8601 or RFC 2822 date: {value!r}", kind="malformed") from None
