"""The public Python API. The CLI, the HTTP API and the web UI are thin layers over `Engine`.

Example:
    >>> import tempfile, os
    >>> from newsloom import Engine
    >>> engine = Engine(db=os.path.join(tempfile.mkdtemp(), "demo.db"))   # doctest: +SKIP
    >>> report = engine.ingest(["articles.jsonl"])                           # doctest: +SKIP
    >>> [s.headline for s in engine.stories()]                               # doctest: +SKIP
"""

from __future__ import annotations

import logging
import queue
from collections import OrderedDict
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from newsloom.embed import Encoder
from newsloom.errors import InputError, NewsloomError, NotFoundError
from newsloom.model import (Article, BatchReport, Comparison, IngestResult, ItemError, RawArticle, Story,
                             content_id, utcnow)
from newsloom.pipeline import Pipeline, published_from_url
from newsloom.store import Store
from newsloom.weave import CosineJudge, StoryWeaver

log = logging.getLogger("newsloom")

#: Articles prepared and embedded together; bigger batches use the encoder better.
INGEST_BATCH = 32
#: Quiet stories are closed every this many stored articles.
CLOSE_EVERY = 256
#: Decoded articles kept for the weaver's verifier (a few MB per thousand).
ARTICLE_CACHE_SIZE = 2048
#: head vectors kept for `compare` (384 floats each: ~6 MB)
HEAD_CACHE_SIZE = 4096


@dataclass
class SearchHit:
    article_id: str
    title: str | None
    lang: str | None
    source: str | None
    story_id: str | None
    score: float
    snippet: str


def default_judge():
    """The shipped trained similarity model, or the cosine baseline when it cannot load."""
    try:
        from newsloom.similarity.model import SimilarityModel

        return SimilarityModel.load_default()
    except (ImportError, FileNotFoundError, NewsloomError) as exc:
        log.warning("no trained similarity model available (%s); weaving with the cosine baseline", exc)
        return CosineJudge()


def _limit_blas_threads(n: int) -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it BLAS keeps its own default
        return
    threadpool_limits(limits=n, user_api="blas")


def _with_default_date(item: RawArticle | ItemError, published: datetime) -> RawArticle | ItemError:
    # a day in the article's own URL is more specific than a date given for the whole batch
    if isinstance(item, RawArticle) and item.published is None and published_from_url(item.url) is None:
        item.published = published
    return item


class Engine:
    """newsloom's one entry point: add articles, compare them, read stories.

    Parameters:
        db: SQLite path (default: $NEWSLOOM_DB or the per-user data folder).
        encoder: an `newsloom.embed.Encoder` (default: the in-wheel USE v3).
        similarity: the pair judge/comparer (default: the shipped trained model).
        window_days: how far in time a story stays open to new articles.
        quiet_days: a story with no article for this long (in stream time: the newest
            article's date) is closed: it leaves the live pool and stays stored and searchable.
        readonly: open the database read-only (serving a copy, say).
        index: candidate-story index, ``exact`` (brute force), ``hnsw`` (approximate,
            for hundreds of thousands of live stories) or ``usearch`` (approximate, int8
            graph vectors: a quarter of the memory); see `newsloom.index`.
        workers: prepare articles (clean, detect, split, enrich) in this many worker
            processes while the main process embeds and weaves; 0 = in process.
        blas_threads: BLAS threads for this process (None leaves them alone). Default 1:
            every model here multiplies small matrices, where spinning BLAS threads cost
            far more than they give as soon as another process wants a core
            (`benchmarks/encoder_threads.py`, docs/scaling.md).
        embed_sentences: embed only the title and the first this many sentences of each
            article at ingest (None: the embedder's default cap, 40). The encoder's cost is
            linear in tokens; see docs/scaling.md for the speed and quality measured.
        ner_sentences: the entity stage's NER model reads only the first this many
            sentences of each article (rules cover the rest); None: all (default). See
            `Pipeline` and docs/scaling.md for the speed and quality measured.
    """

    def __init__(self, db: str | Path | None = None, *, encoder: Encoder | None = None, similarity=None,
                 window_days: float = 3.0, quiet_days: float = 14.0, enrich: bool = True, readonly: bool = False,
                 index: str = "exact", index_params: dict[str, Any] | None = None, workers: int = 0,
                 blas_threads: int | None = 1, embed_sentences: int | None = None,
                 ner_sentences: int | None = None) -> None:
        if blas_threads is not None:
            _limit_blas_threads(blas_threads)
        self.store = Store(db, readonly=readonly)
        self.pipeline = Pipeline(encoder, enrich=enrich, embed_sentences=embed_sentences,
                                 ner_sentences=ner_sentences)
        self.index_kind = index
        self.index_params = index_params or {}
        self.workers = workers
        self._preparer = None
        # members the verifier compares against, kept decoded: fetching from SQLite is the slow part
        self._article_cache: OrderedDict[str, Article] = OrderedDict()
        self._similarity = similarity
        self._head_cache: dict[str, object] = {}  # article id -> head vector (compare), oldest first
        self.window_days = window_days
        self.quiet_days = quiet_days
        self._newest: datetime | None = None  # the latest article time seen, the stream's "now"
        self._since_close = 0
        self._weaver: StoryWeaver | None = None
        self._write_lock = threading.Lock()
        # the pipeline holds shared state (encoder, repeated-line model): one caller at a time
        self._pipeline_lock = threading.RLock()
        self._subscribers: list[queue.Queue] = []

    # -- components, loaded lazily --------------------------------------------
    @property
    def similarity(self):
        if self._similarity is None:
            self._similarity = default_judge()
        return self._similarity

    @property
    def weaver(self) -> StoryWeaver:
        if self._weaver is None:
            from newsloom.index import make_index

            dim = self.pipeline.encoder.dim
            self._weaver = StoryWeaver.for_judge(self.similarity, self._fetch_for_weaving, dim=dim,
                                                 index=make_index(self.index_kind, dim, **self.index_params),
                                                 window_days=self.window_days)
            self._restore_weaver(self._weaver)
        return self._weaver

    def _restore_weaver(self, weaver: StoryWeaver) -> None:
        """Rebuild the live-story pool from the store (the store is the source of truth)."""
        members: dict[str, list] = {}
        for article_id, story_id, vector, when in self.store.iter_article_vectors():
            if story_id:
                members.setdefault(story_id, []).append((article_id, vector, when))
        for story in self.store.iter_live_stories():
            ms = sorted(members.get(story.id, []), key=lambda m: m[2])
            weaver.restore(story, ms)

    def _fetch_for_weaving(self, article_id: str) -> Article:
        article = self._article_cache.get(article_id)
        if article is None:
            article = self.store.get_article(article_id)
            self._article_cache[article_id] = article
            if len(self._article_cache) > ARTICLE_CACHE_SIZE:
                self._article_cache.popitem(last=False)
        else:
            self._article_cache.move_to_end(article_id)
        return article

    @property
    def preparer(self):
        """What prepares a batch: the pipeline itself, or worker processes around it."""
        if self.workers <= 0:
            return self.pipeline
        if self._preparer is None:
            from newsloom.parallel import ParallelPreparer

            self._preparer = ParallelPreparer(self.workers, pipeline=self.pipeline)
        return self._preparer

    # -- writing ----------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], *, progress: Callable[[IngestResult], None] | None = None,
               max_bytes: int | None = None, default_published: datetime | None = None) -> BatchReport:
        """Read files, folders or '-' (JSONL on stdin) and add every article; per-item results.

        `default_published` dates the articles whose source gives no publication time
        (plain-text files, say), so their relative dates ("on Friday") can be resolved.
        """
        from newsloom.readers import read_paths

        kwargs = {"max_bytes": max_bytes} if max_bytes else {}
        items = read_paths([str(p) for p in paths], **kwargs)
        if default_published is not None:
            items = (_with_default_date(item, default_published) for item in items)
        return self.ingest_raw(items, progress=progress)

    def ingest_raw(self, items: Iterable[RawArticle | ItemError], *,
                   progress: Callable[[IngestResult], None] | None = None) -> BatchReport:
        """Add raw articles (or pass reader errors through) in batches; never stops on one bad item."""
        report = BatchReport()
        batch: list[RawArticle | ItemError] = []

        def flush() -> None:
            for result in self._ingest_batch(batch):
                report.results.append(result)
                if progress:
                    progress(result)
            batch.clear()

        for item in items:
            batch.append(item)
            if len(batch) >= INGEST_BATCH:
                flush()
        flush()
        return report

    def add(self, text: str, *, title: str | None = None, url: str | None = None, source: str | None = None,
            published: datetime | None = None, lang: str | None = None,
            metadata: dict[str, Any] | None = None) -> IngestResult:
        """Add one article given as fields."""
        raw = RawArticle(text=text, title=title, url=url, source=source, published=published, lang=lang,
                         metadata=metadata or {}, origin=url or title or "article")
        return self._ingest_batch([raw])[0]

    def _ingest_batch(self, batch: list[RawArticle | ItemError]) -> list[IngestResult]:
        if not batch:
            return []
        # Results stay in input order; known articles (same URL, or same content id) are
        # duplicates before any preparation, so re-ingesting never depends on what cleaning
        # has learned since (the repeated-line model) and costs no encoder time.
        results: list[IngestResult | None] = [None] * len(batch)
        fresh: list[tuple[int, RawArticle | ItemError]] = []
        for i, item in enumerate(batch):
            known = self._known_article(item) if isinstance(item, RawArticle) else None
            if known is not None:
                results[i] = IngestResult(item.origin, "duplicate", known[0], known[1])
            else:
                fresh.append((i, item))
        with self._pipeline_lock:
            # with workers, articles are woven as their chunk comes back embedded, so the
            # workers prepare the next chunks meanwhile (in process: the whole batch at once)
            prepared = self._prepared_in_order([r for _, r in fresh])
            for (i, raw), item in zip(fresh, prepared):
                if isinstance(item, ItemError):
                    results[i] = IngestResult(item.origin, "error", error=item)
                    continue
                article, entities = item
                results[i] = self._store_one(article, entities, raw.origin if isinstance(raw, RawArticle) else "")
        return [r for r in results if r is not None]

    def _prepared_in_order(self, raws: list[RawArticle | ItemError]):
        """Prepared and embedded items in input order: as they come (workers) or all at once."""
        iter_prepared = getattr(self.preparer, "iter_prepared", None)
        if iter_prepared is not None:
            return iter_prepared(raws)
        return iter(self.preparer.prepare_many(raws))

    def _known_article(self, raw: RawArticle) -> tuple[str, str | None] | None:
        """(article id, story id) of a stored article with the same URL or content id, else None."""
        try:
            article_id = self.store.article_id_for_url(raw.url) if raw.url else None
            if article_id is None and raw.text:
                candidate = content_id(raw.title, raw.text)
                article_id = candidate if self.store.has_article(candidate) else None
        except UnicodeEncodeError:
            return None  # not valid Unicode: the pipeline refuses it with kind "encoding"
        if article_id is None:
            return None
        row = self.store.conn.execute("SELECT story_id FROM articles WHERE id=?", (article_id,)).fetchone()
        return article_id, row["story_id"] if row else None

    def _store_one(self, article: Article, entities, origin: str) -> IngestResult:
        with self._write_lock:
            # checked again here: an earlier item of the same batch (same content id, or same
            # URL with another title) may have been stored since `_known_article` looked
            known_id = article.id if self.store.has_article(article.id) else \
                self.store.article_id_for_url(article.url) if article.url else None
            if known_id is not None:
                return IngestResult(origin, "duplicate", known_id,
                                    self.store.get_article(known_id, with_vectors=False).story_id)
            try:
                assignment = self.weaver.assign(article)
                article.story_id = assignment.story_id
                story = self.weaver.preview(article, assignment)
                with self.store.transaction() as conn:
                    self.store.save_story(conn, story, self.weaver.size_after(assignment))
                    self.store.upsert_entities(conn, entities)
                    self.store.insert_article(conn, article, self.pipeline.encoder.name, assignment.reason())
            except NewsloomError as exc:
                article.story_id = None
                return IngestResult(origin, "error", article.id,
                                    error=ItemError(origin, str(exc), getattr(exc, "kind", "store")))
            self.weaver.commit(article, assignment)
            self._article_cache[article.id] = article  # the next articles of its story are checked against it
            self._close_quiet_now_and_then(article.when)
        self._publish({"type": "story", "story_id": assignment.story_id, "article_id": article.id,
                       "new_story": assignment.new_story, "headline": story.headline})
        return IngestResult(origin, "added", article.id, assignment.story_id, assignment.new_story)

    # -- reading -----------------------------------------------------------------
    def article(self, article_id: str) -> Article:
        return self.store.get_article(article_id)

    def articles(self, *, limit: int = 50, offset: int = 0) -> list[Article]:
        """Stored articles, newest first, without vectors."""
        return self.store.list_articles(limit=limit, offset=offset)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def join_reason(self, article_id: str) -> dict[str, Any] | None:
        return self.store.join_reason(article_id)

    def stories(self, **filters) -> list[Story]:
        """Stories, newest first; filters: lang, source, since, until, entity, query, sort, limit, offset."""
        return self.store.list_stories(**filters)

    def story(self, story_id: str, *, lang: str | None = None):
        """The dossier of one story (headline, entities, timeline, summary, articles)."""
        from newsloom.dossier import build_dossier

        return build_dossier(self.store, story_id, lang=lang)

    def search(self, query: str, *, semantic: bool = False, limit: int = 20) -> list[SearchHit]:
        """Full-text (SQLite FTS5, BM25) or semantic (cosine to the query's vector) article search."""
        if not query or not query.strip():
            raise InputError("empty search query", kind="malformed")
        if semantic:
            import numpy as np

            qvec = self.pipeline.encoder.encode([query])[0]
            ids, mats = [], []
            for article_id, _story, vector, _when in self.store.iter_article_vectors():
                ids.append(article_id)
                mats.append(vector)
            if not ids:
                return []
            scores = np.vstack(mats) @ qvec
            order = np.argsort(-scores)[:limit]
            hits = [(ids[i], float(scores[i]), "") for i in order]
        else:
            hits = self.store.search_text(query, limit)
        out = []
        for article_id, score, snippet in hits:
            a = self.store.get_article(article_id, with_vectors=False)
            out.append(SearchHit(article_id, a.title, a.lang, a.source, a.story_id, score,
                                 snippet or a.clean_text[:200]))
        return out

    # -- comparing ---------------------------------------------------------------
    def resolve(self, ref: str | Path | RawArticle | Article, *, allow_files: bool = False,
                default_published: datetime | None = None) -> Article:
        """An Article from a stored id, a RawArticle or an Article; a file path only with
        `allow_files` (the CLI sets it; servers never do, so a request cannot read local files)."""
        if isinstance(ref, Article):
            return ref
        if isinstance(ref, RawArticle):
            with self._pipeline_lock:
                return self.pipeline.prepare_one(ref)[0]
        ref = str(ref)
        if self.store.has_article(ref):
            return self.store.get_article(ref)
        path = Path(ref)
        if allow_files and path.exists():
            from newsloom.readers import read_paths

            items = list(read_paths([ref]))
            if not items:
                raise InputError(f"{ref}: no article found in the file", kind="empty")
            if isinstance(items[0], ItemError):
                raise InputError(str(items[0]), kind=items[0].kind)
            if default_published is not None:
                items[0] = _with_default_date(items[0], default_published)
            with self._pipeline_lock:
                return self.pipeline.prepare_one(items[0])[0]
        raise NotFoundError(f"{ref!r} is not a stored article id" + (" nor a readable file" if allow_files else ""))

    def compare(self, a, b, *, allow_files: bool = False, default_published: datetime | None = None) -> Comparison:
        """How similar two articles are (SemEval-2022 Task 8 scale) and why.

        `default_published` dates file inputs that carry no date (see `ingest`).
        """
        from newsloom.provenance import relation

        art_a, art_b = (self.resolve(ref, allow_files=allow_files, default_published=default_published)
                        for ref in (a, b))
        if not hasattr(self.similarity, "compare"):
            raise NewsloomError("no similarity model is available for compare")
        art_a, art_b = self._with_heads(art_a, art_b)
        comparison = self.similarity.compare(art_a, art_b)
        # a "no" from the model still leaves independent reporting possible: provenance decides then
        comparison.relation = relation(art_a, art_b, same_story=True if comparison.same_story else None)
        return comparison

    def _with_heads(self, *articles: Article) -> tuple[Article, ...]:
        """Copies of the articles with head vectors, for a model with head trees whose head
        encoder is installed (~0.1 s an article: compare only, never the stream); else the
        articles themselves, and the base trees decide. Copies, so that no article the
        weaver holds ever gains a head vector (its decisions must not depend on compares)."""
        wanted = getattr(self.similarity, "head_encoder_name", None)
        if wanted is None:
            return articles
        from newsloom.embed.head import default_head_encoder, embed_heads

        encoder = default_head_encoder()
        if encoder is None or encoder.name != wanted:
            return articles
        copies = tuple(replace(a, head_vector=a.head_vector if a.head_vector is not None
                               else self._head_cache.get(a.id)) for a in articles)
        todo = [a for a in copies if a.head_vector is None]
        embed_heads(todo, encoder)
        for art in todo:  # bounded: the API compares stored articles again and again
            self._head_cache[art.id] = art.head_vector
            if len(self._head_cache) > HEAD_CACHE_SIZE:
                self._head_cache.pop(next(iter(self._head_cache)), None)  # API threads share it
        return copies

    # -- live updates (server-sent events) ---------------------------------------
    def subscribe(self) -> queue.Queue:
        q: queue.Queue = queue.Queue(maxsize=1000)
        self._subscribers.append(q)
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        if q in self._subscribers:
            self._subscribers.remove(q)

    def _publish(self, event: dict[str, Any]) -> None:
        for q in list(self._subscribers):
            try:
                q.put_nowait(event)
            except queue.Full:
                pass  # a slow reader misses updates rather than blocking ingestion

    def _close_quiet_now_and_then(self, when: datetime) -> None:
        self._newest = when if self._newest is None else max(self._newest, when)
        self._since_close += 1
        if self._since_close >= CLOSE_EVERY:
            self._since_close = 0
            self.close_quiet_stories(now=self._newest)

    def close_quiet_stories(self, quiet_days: float | None = None, now: datetime | None = None) -> int:
        """Close stories with no new article for `quiet_days`; they stay stored and searchable."""
        from datetime import timedelta

        quiet_days = self.quiet_days if quiet_days is None else quiet_days
        now = now or utcnow()
        n = self.store.close_stories_before(now - timedelta(days=quiet_days))
        if self._weaver is not None:
            self._weaver.close_quiet(now, quiet_days)
        return n

    def close(self) -> None:
        if self._preparer is not None:
            self._preparer.close()
            self._preparer = None
        self.store.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
