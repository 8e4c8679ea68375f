"""The FastAPI application: the JSON API under ``/api/`` and the web UI, over one `Engine`.

Endpoints (documented by the OpenAPI schema at ``/api/openapi.json``):

    POST /api/articles          add one article                      (token)
    POST /api/articles/bulk     add many: JSONL body/upload or a JSON list (token)
    GET  /api/stories           filtered, sorted, paginated stories
    GET  /api/stories/{id}      a story's dossier
    GET  /api/articles/{id}     one stored article
    POST /api/compare           compare stored ids or posted texts (read-only: stores nothing)
    GET  /api/search            full-text or semantic article search
    GET  /api/events            server-sent events of story updates
    GET  /api/health            liveness and counts

Errors are ``{"error": {"code", "message"}}``: 404 unknown id, 422 bad input,
401/403 token, 413 too large, 503 when a model a request needs is unavailable.
Blocking engine calls run in FastAPI's thread pool (plain ``def`` endpoints);
everything that runs the preparation pipeline is serialised by one lock, since
the pipeline's encoder and repeated-line model are shared state.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import threading
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsloom.api import convert, schemas
from newsloom.api.events import event_stream
from newsloom.api.security import (
    DEFAULT_BODY_LIMITS,
    LOOPBACK_HOSTS,
    ApiError,
    BodyLimitMiddleware,
    HostCheckMiddleware,
    SecurityHeadersMiddleware,
    TokenCheck,
)
from newsloom.errors import InputError, NewsloomError, NotFoundError, StoreError

log = logging.getLogger("newsloom.api")

#: Per-article size inside a bulk upload (the whole upload has its own, larger limit).
MAX_ARTICLE_BYTES = 2 * 1024 * 1024
MAX_BULK_ITEMS = 10_000

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.ErrorResponse, "description": "unparseable body or a Host that is not allowed"},
    404: {"model": schemas.ErrorResponse, "description": "unknown id"},
    422: {"model": schemas.ErrorResponse, "description": "invalid input"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.ErrorResponse, "description": "unparseable body or a Host that is not allowed"},
    **ERRORS,
    401: {"model": schemas.ErrorResponse, "description": "missing or malformed bearer token"},
    403: {"model": schemas.ErrorResponse, "description": "wrong token, or writes disabled"},
    413: {"model": schemas.ErrorResponse, "description": "request body too large"},
}
_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type",
                 422: "invalid_request", 503: "unavailable"}


class AppState:
    """What the endpoints share: the engine, the pipeline lock, the shutdown flag."""

    def __init__(self, engine, token: str | None) -> None:
        self.engine = engine
        self.token = token
        self.pipeline_lock = threading.Lock()
        self.stopping = threading.Event()


def _error(status: int, code: str, message: str, details: list | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request, exc: ApiError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        response = _error(exc.status, exc.code, exc.message)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request, exc: RequestValidationError):
        details = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
                    "type": str(e.get("type", ""))} for e in exc.errors()]
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        return _error(422, "invalid_request", f"{'.'.join(first['loc'])}: {first['msg']}", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request, exc: StarletteHTTPException):
        return _error(exc.status_code, _STATUS_CODES.get(exc.status_code, "error"), str(exc.detail))

    @app.exception_handler(NotFoundError)
    async def not_found(_request, exc: NotFoundError):
        return _error(404, "not_found", str(exc))

    @app.exception_handler(InputError)
    async def input_error(_request, exc: InputError):
        return _error(422, exc.kind or "invalid", str(exc))

    @app.exception_handler(StoreError)
    async def store_error(_request, exc: StoreError):
        log.error("store error: %s", exc)
        return _error(503, "store", str(exc))

    @app.exception_handler(NewsloomError)
    async def newsloom_error(_request, exc: NewsloomError):
        return _error(503, getattr(exc, "kind", "error"), str(exc))

    @app.exception_handler(Exception)
    async def unexpected(_request, exc: Exception):
        log.exception("unexpected error")
        return _error(500, "internal", "internal server error")


def _state(request: Request) -> AppState:
    return request.app.state.newsloom


def create_app(engine, token: str | None = None, *, allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
               body_limits: dict[str, int] | None = None, web: bool = True) -> FastAPI:
    """The ASGI app over `engine`.

    Parameters:
        engine: a `newsloom.Engine`.
        token: the bearer token write endpoints require; None disables writes (403).
        allowed_hosts: Host-header allow-list (DNS-rebinding defence); None turns the check off.
        body_limits: bytes per request body by path prefix (default `DEFAULT_BODY_LIMITS`).
        web: mount the web UI at ``/`` (HTML pages and ``/static``).
    """
    state = AppState(engine, token)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        state.stopping.set()  # ends open event streams so the server can shut down

    app = FastAPI(lifespan=lifespan, title="newsloom", version=_version(), docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Offline-first multilingual news story engine. Write endpoints need "
                              "`Authorization: Bearer <token>` (the token is in `<db>.token`).")
    app.state.newsloom = state
    require_token = TokenCheck(token)
    _install_error_handlers(app)

    # -- writing ---------------------------------------------------------------
    @app.post("/api/articles", response_model=schemas.IngestResultOut, responses=WRITE_ERRORS,
              dependencies=[Depends(require_token)], tags=["articles"], status_code=200)
    def add_article(article: schemas.ArticleIn) -> schemas.IngestResultOut:
        """Add one article; the result says whether it was added (and to which story), a duplicate, or refused."""
        raw = convert.raw_from_fields(article.text, title=article.title, url=article.url, source=article.source,
                                      published=article.published, lang=article.lang, metadata=article.metadata,
                                      origin=article.url or article.title or "request")
        with state.pipeline_lock:
            results = engine.ingest_raw([raw]).results
        return convert.ingest_result(results[0])

    @app.post("/api/articles/bulk", response_model=schemas.BulkResult, responses=WRITE_ERRORS,
              dependencies=[Depends(require_token)], tags=["articles"],
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
                  "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                  "multipart/form-data": {"schema": {"type": "object", "properties": {
                      "file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}}})
    async def add_bulk(request: Request) -> schemas.BulkResult:
        """Add many articles: a JSONL body (`application/x-ndjson`), a JSON list, or a multipart `file`.

        Per-item results, in order; bad items are reported, never fatal to the batch.
        """
        items = await _bulk_items(request)
        from starlette.concurrency import run_in_threadpool

        def ingest():
            with state.pipeline_lock:
                return engine.ingest_raw(items).results

        return convert.bulk_result(await run_in_threadpool(ingest))

    # -- reading ---------------------------------------------------------------
    @app.get("/api/stories", response_model=schemas.StoryPage, responses=ERRORS, tags=["stories"])
    def list_stories(
        lang: Annotated[str | None, Query(max_length=16, description="has an article in this language")] = None,
        source: Annotated[str | None, Query(max_length=300)] = None,
        since: Annotated[datetime | None, Query(description="last seen at or after (ISO 8601)")] = None,
        until: Annotated[datetime | None, Query(description="first seen at or before (ISO 8601)")] = None,
        entity: Annotated[str | None, Query(max_length=300, description="entity id or name")] = None,
        q: Annotated[str | None, Query(max_length=500, description="full-text query over member articles")] = None,
        sort: schemas.StorySort = "last_seen",
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> schemas.StoryPage:
        """Stories, newest first by default."""
        stories = fetch_stories(engine, lang=lang, source=source, since=since, until=until, entity=entity,
                                q=q, sort=sort, limit=limit + 1, offset=offset)
        more = len(stories) > limit
        return schemas.StoryPage(items=[convert.story_summary(s) for s in stories[:limit]], limit=limit,
                                 offset=offset, next_offset=offset + limit if more else None)

    @app.get("/api/stories/{story_id}", response_model=schemas.DossierOut, responses=ERRORS, tags=["stories"])
    def get_story(story_id: Annotated[str, Path(max_length=200)],
                  lang: Annotated[str | None, Query(max_length=16, description="preferred headline language")]
                  = None) -> schemas.DossierOut:
        """A story's dossier: headline, languages, sources, entities, places, timeline, summary, articles."""
        return convert.dossier(engine.story(story_id, lang=lang))

    @app.get("/api/articles/{article_id}", response_model=schemas.ArticleOut, responses=ERRORS,
             tags=["articles"])
    def get_article(article_id: Annotated[str, Path(max_length=200)]) -> schemas.ArticleOut:
        """One stored article with its sentences, mentions, dates and the reason it joined its story."""
        return convert.article(engine.article(article_id), engine.join_reason(article_id))

    @app.post("/api/compare", response_model=schemas.ComparisonOut,
              responses={**ERRORS, 413: WRITE_ERRORS[413], 503: {"model": schemas.ErrorResponse}},
              tags=["compare"])
    def compare(body: schemas.CompareIn) -> schemas.ComparisonOut:
        """How similar two articles are (1 = same .. 4 = unrelated) and why. Stores nothing, needs no token."""
        return convert.comparison(compare_sides(state, body.a, body.b))

    @app.get("/api/search", response_model=schemas.SearchResult, responses=ERRORS, tags=["search"])
    def search(q: Annotated[str, Query(min_length=1, max_length=500)],
               mode: schemas.SearchMode = "text",
               limit: Annotated[int, Query(ge=1, le=100)] = 20) -> schemas.SearchResult:
        """Full-text (FTS5, BM25) or semantic (cosine to the query vector) article search."""
        return schemas.SearchResult(query=q, mode=mode, hits=convert.search_hits(run_search(state, q, mode, limit)))

    @app.get("/api/events", tags=["events"], response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                              "description": "a stream of `event: story` messages"}, **ERRORS})
    async def events(request: Request,
                     max_events: Annotated[int | None, Query(ge=1, le=100_000)] = None,
                     timeout: Annotated[float | None, Query(gt=0, le=86_400, description="seconds")] = None):
        """Server-sent events: one `story` event per article added (story_id, article_id, new_story, headline)."""
        stream = event_stream(engine, request, max_events=max_events, timeout=timeout, stopping=state.stopping)
        return StreamingResponse(stream, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @app.get("/api/health", response_model=schemas.Health, tags=["health"])
    def health() -> schemas.Health:
        stats = engine.store.stats()
        return schemas.Health(status="ok", version=_version(), articles=stats["articles"], stories=stats["stories"],
                              schema_version=stats["schema_version"], writes_enabled=token is not None)

    if web:
        from newsloom.web.views import install_web

        install_web(app, state)

    app.add_middleware(BodyLimitMiddleware, limits=dict(body_limits or DEFAULT_BODY_LIMITS))
    app.add_middleware(SecurityHeadersMiddleware)
    if allowed_hosts is not None:
        app.add_middleware(HostCheckMiddleware, allowed=tuple(h.lower() for h in allowed_hosts))
    return app


# -- helpers shared with the web views ----------------------------------------------
def fetch_stories(engine, *, lang=None, source=None, since=None, until=None, entity=None, q=None,
                  sort="last_seen", limit=20, offset=0):
    try:
        return engine.stories(lang=lang or None, source=source or None, since=convert.as_utc(since),
                              until=convert.as_utc(until), entity=entity or None,
                              query=q if q and q.strip() else None, sort=sort, limit=limit, offset=offset)
    except ValueError as exc:  # an unknown sort or an unusable full-text query
        raise ApiError(422, "invalid_request", str(exc)) from None


def run_search(state: AppState, q: str, mode: str, limit: int):
    if not q.strip():
        raise ApiError(422, "invalid_request", "q: the search query is empty")
    try:
        if mode == "semantic":
            with state.pipeline_lock:
                return state.engine.search(q, semantic=True, limit=limit)
        return state.engine.search(q, semantic=False, limit=limit)
    except ValueError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None


def resolve_side(state: AppState, side: schemas.CompareSide, label: str):
    """A stored article (only ever by id: never a path) or a posted text turned into a `RawArticle`."""
    engine = state.engine
    if side.id is not None:
        if not engine.store.has_article(side.id):
            raise ApiError(404, "not_found", f"{label}: no stored article with id {side.id!r}")
        return side.id
    return convert.raw_from_fields(side.text or "", title=side.title, lang=side.lang, published=side.published,
                                   origin=f"compare:{label}")


def compare_sides(state: AppState, a: schemas.CompareSide, b: schemas.CompareSide):
    ref_a, ref_b = resolve_side(state, a, "a"), resolve_side(state, b, "b")
    if isinstance(ref_a, str) and isinstance(ref_b, str):
        return state.engine.compare(ref_a, ref_b)
    # posted texts go through the shared pipeline: resolve them under the lock, compare outside it
    with state.pipeline_lock:
        art_a, art_b = state.engine.resolve(ref_a), state.engine.resolve(ref_b)
    return state.engine.compare(art_a, art_b)


async def _bulk_items(request: Request) -> list:
    """Parse a bulk upload into RawArticles and per-item ItemErrors (never raises on one bad item)."""
    from newsloom.model import ItemError
    from newsloom.readers.jsonl import parse_record, read_jsonl_stream

    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "invalid_request", "file: a multipart upload needs a 'file' part")
        data = await upload.read()
        origin = upload.filename or "upload"
    else:
        data = await request.body()
        origin = "upload"
    if not data.strip():
        raise ApiError(422, "empty", "the upload is empty")
    items: list = []
    if content_type == "application/json":
        try:
            records = json.loads(data)
        except (ValueError, RecursionError) as exc:  # bad JSON or UTF-8, too deep, a 5000-digit number
            raise ApiError(422, "malformed", f"invalid JSON: {type(exc).__name__}: {str(exc)[:200]}") from None
        if not isinstance(records, list):
            raise ApiError(422, "malformed", "a JSON bulk upload must be a list of article objects")
        for i, record in enumerate(records):
            item_origin = f"{origin}:item {i}"
            # surrogatepass: a lone surrogate is measured here and refused by the pipeline (kind "encoding")
            if len(json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")) > MAX_ARTICLE_BYTES:
                items.append(ItemError(item_origin, f"article over {MAX_ARTICLE_BYTES} bytes", kind="too_large"))
                continue
            try:
                items.append(parse_record(record, item_origin))
            except InputError as exc:
                items.append(ItemError(item_origin, str(exc), kind=exc.kind))
    else:
        items = list(read_jsonl_stream(io.BytesIO(data), origin, max_bytes=MAX_ARTICLE_BYTES))
    if len(items) > MAX_BULK_ITEMS:
        raise ApiError(413, "too_large", f"{len(items)} items; one upload takes at most {MAX_BULK_ITEMS}")
    return items



def _version() -> str:
    from newsloom import __version__

    return __version__
