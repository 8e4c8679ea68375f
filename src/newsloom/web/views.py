"""The web UI: server-rendered Jinja2 pages over the same `Engine` as the API.

Pages: ``/`` (story feed, live through EventSource on ``/api/events``),
``/stories/{id}`` (dossier), ``/articles/{id}``, ``/compare`` (GET with ``?a=&b=``
stored ids, or POST of the form: two pasted articles or ids), ``/search``.

Article text is untrusted: the Jinja environment autoescapes every value, no
template marks data ``|safe``, and the one script (``static/feed.js``) builds
DOM nodes with ``textContent`` only. The compare form posts to ``/compare``, a
same-origin endpoint that only reads (it stores nothing), so the page needs no
token and no token ever reaches the browser.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from newsloom.api import convert, schemas
from newsloom.api.security import ApiError
from newsloom.errors import InputError, NewsloomError, NotFoundError

WEB_DIR = Path(__file__).resolve().parent
PAGE_SIZE = 20
LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
                  "pl": "Polish", "ru": "Russian", "zh": "Chinese", "ar": "Arabic", "tr": "Turkish",
                  "nl": "Dutch", "pt": "Portuguese", "uk": "Ukrainian", "ja": "Japanese", "ko": "Korean",
                  "und": "Unknown language"}
RTL_LANGUAGES = {"ar", "he", "fa", "ur"}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(WEB_DIR / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else (v or "–")
    env.filters["day"] = lambda v: v.isoformat() if hasattr(v, "isoformat") else (v or "–")
    env.filters["langname"] = lambda code: LANGUAGE_NAMES.get(code or "und", code or "?")
    env.filters["num"] = lambda v, digits=2: "–" if v is None else f"{float(v):.{digits}f}"
    env.filters["http_url"] = lambda url: url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None
    env.filters["dir"] = lambda code: "rtl" if code in RTL_LANGUAGES else "auto"
    return env


def snippet_segments(snippet: str) -> list[tuple[str, bool]]:
    """Split an FTS5 snippet marked with [ ] into (text, is_hit) runs, rendered as text and <mark>."""
    out: list[tuple[str, bool]] = []
    rest = snippet
    while rest:
        start = rest.find("[")
        end = rest.find("]", start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append((rest, False))
            break
        if start:
            out.append((rest[:start], False))
        out.append((rest[start + 1:end], True))
        rest = rest[end + 1:]
    return out


def recent_articles(engine, limit: int = 300) -> list[dict[str, Any]]:
    """Stored articles for the compare page's picker, newest first (a read on the store)."""
    rows = engine.store.conn.execute(
        "SELECT id, title, lang, source FROM articles ORDER BY ingested DESC LIMIT ?", (int(limit),)).fetchall()
    return [{"id": r["id"], "title": r["title"] or "(untitled)", "lang": r["lang"], "source": r["source"]}
            for r in rows]


def install_web(app: FastAPI, state) -> None:
    from newsloom.api.app import compare_sides, fetch_stories, run_search

    env = _environment()
    engine = state.engine
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")

    def page(name: str, request: Request, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(name).render(request=request, path=request.url.path, **context)
        return HTMLResponse(html, status_code=status)

    def error_page(request: Request, status: int, message: str) -> HTMLResponse:
        return page("error.html", request, status=status, status_code=status, message=message)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def feed(request: Request, q: str = "", lang: str = "", source: str = "", entity: str = "",
             sort: str = "last_seen", offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0):
        filters = {"q": q[:500], "lang": lang[:16], "source": source[:300], "entity": entity[:300]}
        if sort not in schemas.StorySort.__args__:
            sort = "last_seen"
        try:
            stories = fetch_stories(engine, **filters, sort=sort, limit=PAGE_SIZE + 1, offset=offset)
        except ApiError as exc:
            return error_page(request, 422, exc.message)
        more = len(stories) > PAGE_SIZE

        def page_url(to: int) -> str:
            return "/?" + urlencode({**{k: v for k, v in filters.items() if v}, "sort": sort, "offset": to})

        return page("feed.html", request, stories=stories[:PAGE_SIZE], filters=filters, sort=sort,
                    offset=offset, prev_url=page_url(max(offset - PAGE_SIZE, 0)) if offset else None,
                    next_url=page_url(offset + PAGE_SIZE) if more else None, page_size=PAGE_SIZE,
                    sorts=schemas.StorySort.__args__, stats=engine.store.stats())

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story(request: Request, story_id: str, lang: str = ""):
        try:
            dossier = engine.story(story_id[:200], lang=lang[:16] or None)
        except NotFoundError:
            return error_page(request, 404, "There is no story with this id.")
        titles = {a.id: a.title or a.id for group in dossier.articles.values() for a in group}
        return page("story.html", request, d=dossier, titles=titles)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article(request: Request, article_id: str):
        try:
            a = engine.article(article_id[:200])
        except NotFoundError:
            return error_page(request, 404, "There is no article with this id.")
        return page("article.html", request, a=a, reason=engine.join_reason(a.id))

    def compare_page(request: Request, form: dict[str, str], result=None, error: str | None = None,
                     status: int = 200) -> HTMLResponse:
        return page("compare.html", request, status=status, form=form, result=result, error=error,
                    articles=recent_articles(engine))

    def run_compare(request: Request, form: dict[str, str]) -> HTMLResponse:
        sides = {}
        try:
            for label in ("a", "b"):
                ident, text = form.get(f"{label}_id", "").strip(), form.get(f"{label}_text", "")
                if text.strip() and not ident:
                    sides[label] = schemas.CompareSide(text=text, title=form.get(f"{label}_title") or None)
                else:
                    sides[label] = schemas.CompareSide(id=ident or None)
            comparison = convert.comparison(compare_sides(state, sides["a"], sides["b"]))
        except ValidationError:
            return compare_page(request, form, error="Give each article either a stored id or a text.",
                                status=422)
        except ApiError as exc:
            return compare_page(request, form, error=exc.message, status=exc.status)
        except InputError as exc:
            return compare_page(request, form, error=f"This text cannot be compared: {exc}", status=422)
        except NewsloomError as exc:
            return compare_page(request, form, error=str(exc), status=503)
        titles = {}
        for label in ("a", "b"):
            ident = form.get(f"{label}_id", "").strip()
            titles[label] = (engine.article(ident).title if ident else form.get(f"{label}_title")) or \
                ("Article " + label.upper())
        return page("compare.html", request, form=form, result=comparison, error=None, titles=titles,
                    articles=recent_articles(engine))

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_get(request: Request, a: str = "", b: str = ""):
        form = {"a_id": a[:200], "b_id": b[:200]}
        if a and b:
            return run_compare(request, form)
        return compare_page(request, form)

    @app.post("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_post(request: Request, a_id: Annotated[str, Form()] = "", a_title: Annotated[str, Form()] = "",
                     a_text: Annotated[str, Form()] = "", b_id: Annotated[str, Form()] = "",
                     b_title: Annotated[str, Form()] = "", b_text: Annotated[str, Form()] = ""):
        form = {"a_id": a_id[:200], "a_title": a_title[:1000], "a_text": a_text, "b_id": b_id[:200],
                "b_title": b_title[:1000], "b_text": b_text}
        return run_compare(request, form)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search(request: Request, q: str = "", mode: str = "text"):
        mode = mode if mode in ("text", "semantic") else "text"
        hits, error = [], None
        if q.strip():
            try:
                hits = run_search(state, q[:500], mode, 30)
            except ApiError as exc:
                error = exc.message
        return page("search.html", request, q=q[:500], mode=mode, hits=hits, error=error,
                    segments=snippet_segments)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return RedirectResponse("/static/favicon.svg", status_code=308)
