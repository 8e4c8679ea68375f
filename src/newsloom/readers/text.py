"""Plain-text (and Markdown) articles: title = first non-empty line, body = the rest."""

from __future__ import annotations

import re
from pathlib import Path

from newsloom.errors import InputError
from newsloom.model import RawArticle

from ._common import check_size, decode_text

EXTENSIONS = frozenset({".txt", ".text", ".md", ".markdown"})


_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


def parse_text(text: str, origin: str, markdown: bool = False) -> RawArticle:
    """Split decoded text into title and body.

    A file with a single non-empty line has no title: that line is the text.
    In Markdown the title's leading ``#`` marks are dropped.
    """
    stripped = text.strip()
    if not stripped:
        raise InputError("no text", kind="empty")
    first, _, rest = stripped.partition("\n")
    title = first.strip()
    if markdown:
        title = _MARKDOWN_HEADING.sub("", title)
    body = rest.strip()
    if not body:
        return RawArticle(text=first.strip(), origin=origin)
    return RawArticle(text=body, title=title or None, origin=origin)


def read_text_file(path: Path, max_bytes: int) -> RawArticle:
    check_size(path, max_bytes)
    markdown = path.suffix.lower() in {".md", ".markdown"}
    return parse_text(decode_text(path.read_bytes()), origin=str(path), markdown=markdown)
