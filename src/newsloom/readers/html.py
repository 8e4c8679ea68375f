"""HTML pages: main text and metadata extracted with trafilatura.

trafilatura (Barbaresi, 2021, "Trafilatura: A Web Scraping Library and Command-Line
Tool for Text Discovery and Extraction", ACL demos) finds the article body and the
title, date, author and site name. The URL comes from ``<link rel="canonical">``
when present (else trafilatura's own guess, e.g. ``og:url``). No cleaning is done here.
"""

from __future__ import annotations

import re
from pathlib import Path

from newsloom.errors import InputError
from newsloom.model import RawArticle

from ._common import check_size, decode_text, parse_date

EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})

# Full timestamps where the page has them, not just the day.
_DATE_PARAMS = {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True, "extensive_search": False}

_CANONICAL = re.compile(
    r"""<link\b[^>]*\brel\s*=\s*["']?canonical["']?[^>]*>""", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def canonical_url(html: str) -> str | None:
    """The ``href`` of ``<link rel="canonical">`` in the page head, if any."""
    head = html[: html.lower().find("</head>")] if "</head>" in html.lower() else html[:65536]
    match = _CANONICAL.search(head)
    if not match:
        return None
    href = _HREF.search(match.group(0))
    return href.group(1).strip() if href else None


def parse_html(html: str, origin: str, url: str | None = None) -> RawArticle:
    """Extract one article from an HTML document.

    Raises ``InputError(kind="empty")`` when no article text can be found.
    """
    import trafilatura  # heavy import: only when HTML is actually read

    if not html.strip():
        raise InputError("empty HTML document", kind="empty")
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False,
        date_extraction_params=_DATE_PARAMS,
    )
    text = (doc.text or "").strip() if doc is not None else ""
    if not text:
        raise InputError("no article text found in HTML", kind="empty")
    title = (doc.title or "").strip() or None
    if title:
        # trafilatura keeps the <h1> as the first line of the body: it is the title.
        first, _, rest = text.partition("\n")
        if first.strip() == title and rest.strip():
            text = rest.strip()
    published = None
    if doc.date:
        try:
            published = parse_date(doc.date)
        except InputError:
            published = None  # a page's date guess is a hint, not a reason to reject it
    return RawArticle(
        text=text,
        title=title,
        url=url or canonical_url(html) or doc.url,
        source=doc.sitename or doc.hostname,
        published=published,
        author=doc.author,
        origin=origin,
        metadata={k: v for k, v in {"description": doc.description}.items() if v},
    )


def read_html_file(path: Path, max_bytes: int) -> RawArticle:
    check_size(path, max_bytes)
    return parse_html(decode_text(path.read_bytes()), origin=str(path))
