"""RSS 2.0 and Atom feeds: one RawArticle per ``<item>`` / ``<entry>``.

Parsed with defusedxml, which refuses entity declarations (billion-laughs and
quadratic-blowup bombs) and external entities up front, so a hostile feed fails
fast with an ``ItemError`` instead of eating memory. Summary/content HTML is
reduced to text with lxml's HTML parser (no entity expansion there either).
An entry with a link but no summary/content is yielded with empty text, so a
caller that fetches pages (``newsloom.watch``) still sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from newsloom.errors import InputError
from newsloom.model import ItemError, RawArticle

from ._common import check_size, parse_date

EXTENSIONS = frozenset({".rss", ".atom", ".xml"})

_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                         "blockquote", "tr", "section", "article", "pre"})


def _local(tag: str) -> str:
    """Tag name without its namespace: ``{http://www.w3.org/2005/Atom}entry`` -> ``entry``."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child(element: Element, *names: str) -> Element | None:
    for name in names:
        for child in element:
            if _local(child.tag) == name:
                return child
    return None


def _child_text(element: Element, *names: str) -> str | None:
    child = _child(element, *names)
    if child is None:
        return None
    text = "".join(child.itertext()).strip()
    return text or None


def html_fragment_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block element."""
    if "<" not in fragment:
        return fragment.strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several types on garbage; fall back to the raw text
        return fragment.strip()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _atom_link(entry: Element) -> str | None:
    fallback = None
    for child in entry:
        if _local(child.tag) != "link":
            continue
        href = (child.get("href") or "").strip()
        if href and child.get("rel", "alternate") == "alternate":
            return href
        fallback = fallback or href or None
    return fallback


def _date(element: Element, *names: str) -> datetime | None:
    value = _child_text(element, *names)
    return parse_date(value) if value else None


def _item_article(item: Element, origin: str, source: str | None, atom: bool) -> RawArticle:
    title = _child_text(item, "title")
    if atom:
        link = _atom_link(item)
        published = _date(item, "published", "updated", "issued")
        body = _child_text(item, "content", "summary")
        external_id = _child_text(item, "id")
        author_el = _child(item, "author")
        author = _child_text(author_el, "name") if author_el is not None else None
    else:
        link = _child_text(item, "link")
        published = _date(item, "pubdate", "date", "published")
        body = _child_text(item, "encoded", "description", "summary")  # content:encoded first
        external_id = _child_text(item, "guid")
        author = _child_text(item, "creator", "author")
    text = html_fragment_to_text(body or "")
    if not text and not link:
        raise InputError("feed item has neither summary/content text nor a link", kind="empty")
    # An entry with a link but no text still comes through (text ""): the feed watcher
    # fetches its page; if nobody does, the pipeline refuses the empty text (kind "empty").
    return RawArticle(text=text, title=title, url=link, source=source, published=published,
                      external_id=external_id, author=author, origin=origin)


def parse_feed(document: str | bytes, origin: str) -> Iterator[RawArticle | ItemError]:
    """Parse an RSS 2.0 / Atom document; yield articles, or ItemErrors for bad items.

    A document that is not well-formed XML, contains entity declarations, or is
    neither RSS nor Atom yields one ItemError for the whole document.
    """
    try:
        root = SafeET.fromstring(document)
    except DefusedXmlException as exc:
        yield ItemError(origin, f"unsafe XML refused ({type(exc).__name__})", kind="malformed")
        return
    except ParseError as exc:
        yield ItemError(origin, f"not well-formed XML: {exc}", kind="malformed")
        return
    kind = _local(root.tag)
    if kind == "feed":
        atom, channel, items = True, root, [e for e in root if _local(e.tag) == "entry"]
    elif kind in {"rss", "rdf"}:
        channel = _child(root, "channel")
        if channel is None:
            yield ItemError(origin, "RSS document without <channel>", kind="malformed")
            return
        # RSS 1.0 (RDF) puts items beside the channel; RSS 2.0 inside it.
        items = [e for e in list(channel) + list(root) if _local(e.tag) == "item"]
        atom = False
    else:
        yield ItemError(origin, f"XML root <{kind}> is neither RSS nor Atom", kind="unsupported")
        return
    source = _child_text(channel, "title")
    if not items:
        yield ItemError(origin, "feed has no items", kind="empty")
    for number, item in enumerate(items, start=1):
        item_origin = f"{origin}:item {number}"
        try:
            yield _item_article(item, item_origin, source, atom)
        except InputError as exc:
            yield ItemError(item_origin, str(exc), kind=exc.kind)


def read_feed_file(path: Path, max_bytes: int) -> Iterator[RawArticle | ItemError]:
    check_size(path, max_bytes)
    # Bytes, so the XML declaration's encoding is honoured by the parser.
    yield from parse_feed(path.read_bytes(), origin=str(path))
