"""The engine-independent plan of a backfill: every decision lives here, both engines call it.

Plan (see docs/backfill.md for the cost model)::

    read ──► RawArticle | ItemError          readers' own parsers, per file
      │  undated → error; dedupe by article id, then by URL (earliest wins)
      ▼
    prepare groups (UTC day, source), sorted by (time, id)
      │  Pipeline.prepare per article (fresh Pipeline per group, shared models),
      │  Pipeline.embed in batches                          → articles, entities, errors
      ▼
    time windows: window j = [j·W, (j+1)·W); an article is *home* in one window
      │  and copied into the following windows whose start is within O (overlap)
      │  after it. Per window, sorted by (time, id): StoryWeaver.learn_one
      ▼                                                     → copies (window, article, window story)
    cross-window linking: a window story B in window j that holds overlap copies
      │  is linked to the window-(j-1) story holding most of those same articles
      │  (ties: smallest id). Links form trees rooted in the earliest window.
      ▼
    final story id = new_story_id(earliest home article of the tree), the id the
    streaming weaver gives a story started by that article  → assignments, stories

Why this is the same decision as streaming: the weaver only lets an article join
a story whose time span, widened by ``weave_window_days``, contains it. With
``overlap_days >= weave_window_days``, every story an article could join in the
stream has members inside the article's window (as home or overlap copies), so
window j re-makes the join-or-new decision with the same evidence; the overlap
copies then tell which window-(j-1) story the joined story continues.

Determinism: the order of articles within a prepare group and within a window is
(time, id); preparation state (the cleaner's repeated-line model) is reset per
group, so any engine, any partitioning, gives the same articles and stories.

Parameters (`BackfillConfig`):
    window_days: W, the width of a time window (parallelism unit of weaving).
    overlap_days: O, how far back each window re-weaves the previous window's articles.
    weave_window_days: the weaver's ``window_days`` (as `newsloom.Engine`'s).
    enrich: run entity extraction and date resolution.
    embed_batch: articles per encoder call.
    top_entities: entities kept per story in the stories table.
"""

from __future__ import annotations

import io
import json
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from types import SimpleNamespace
from typing import IO, Any

import numpy as np

from newsloom.backfill import parquet as pq_io
from newsloom.entities.lexicon import NEWS_AGENCY_IDS
from newsloom.errors import InputError, NewsloomError
from newsloom.model import ItemError, RawArticle, content_id

log = logging.getLogger("newsloom.backfill")

DAY_SECONDS = 86400
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: How often (in articles) a window's weaver drops stories no later article can join.
EVICT_EVERY = 256


@dataclass(frozen=True)
class BackfillConfig:
    window_days: float = 7.0
    overlap_days: float = 3.0
    weave_window_days: float = 3.0
    enrich: bool = True
    embed_batch: int = 32
    top_entities: int = 10

    def __post_init__(self) -> None:
        if self.window_days <= 0:
            raise InputError("window_days must be positive", kind="usage")
        if self.overlap_days < 0:
            raise InputError("overlap_days must not be negative", kind="usage")

    @property
    def window_seconds(self) -> int:
        return int(round(self.window_days * DAY_SECONDS))

    @property
    def overlap_seconds(self) -> int:
        return int(round(self.overlap_days * DAY_SECONDS))


@dataclass
class BackfillSummary:
    """What a run did; written as DIR/summary.json and printed by the CLI."""

    engine: str
    inputs: list[str]
    articles: int = 0
    stories: int = 0
    errors: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    windows: int = 0
    window_copies: int = 0
    cross_window_links: int = 0
    seconds: float = 0.0
    config: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- reading -------------------------------------------------------------------------
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
WARC_SUFFIXES = (".warc", ".warc.gz")
PARQUET_SUFFIXES = (".parquet",)


def input_format(name: str) -> str | None:
    """'jsonl', 'warc' or 'parquet' from a file name, None for anything else."""
    lower = PurePosixPath(name).name.lower()
    for fmt, suffixes in (("jsonl", JSONL_SUFFIXES), ("warc", WARC_SUFFIXES), ("parquet", PARQUET_SUFFIXES)):
        if lower.endswith(suffixes):
            return fmt
    return None


def display_path(uri: str) -> str:
    """``file:/x/y`` (as Hadoop lists local files) -> ``/x/y``; other URIs unchanged."""
    if uri.startswith("file://"):
        return "/" + uri[len("file://"):].lstrip("/")
    if uri.startswith("file:"):
        return "/" + uri[len("file:"):].lstrip("/")
    return uri


def _jsonable_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return None
    return value


def read_parquet_stream(fh: IO[bytes], origin: str) -> Iterator[RawArticle | ItemError]:
    """Rows of a Parquet file of articles (the JSONL fields as columns), as raw articles."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from newsloom.readers.jsonl import parse_record

    try:
        pf = pq.ParquetFile(fh)
    except (pa.ArrowException, OSError) as exc:
        yield ItemError(origin, f"not a readable Parquet file: {exc}", kind="malformed")
        return
    number = 0
    for batch in pf.iter_batches(batch_size=1000):
        for row in batch.to_pylist():
            number += 1
            item_origin = f"{origin}:row {number}"
            obj = {k: _jsonable_cell(v) for k, v in row.items() if v is not None}
            try:
                yield parse_record(obj, item_origin)
            except InputError as exc:
                yield ItemError(item_origin, str(exc), kind=exc.kind)


def read_stream(fh: IO[bytes], origin: str, size: int | None = None) -> Iterator[RawArticle | ItemError]:
    """Raw articles of one input file, whatever engine opened it (the readers' own parsers)."""
    from newsloom.readers.jsonl import read_jsonl_stream
    from newsloom.readers.warc import read_warc_stream

    fmt = input_format(origin)
    if fmt is None:
        yield ItemError(origin, "backfill reads JSONL (.jsonl, .ndjson), WARC (.warc, .warc.gz) and "
                                "Parquet (.parquet) files", kind="unsupported")
        return
    if size == 0:
        yield ItemError(origin, "empty file", kind="empty")
        return
    if fmt == "jsonl":
        yield from read_jsonl_stream(fh, origin)
    elif fmt == "warc":
        yield from read_warc_stream(fh, origin)
    else:
        yield from read_parquet_stream(fh, origin)


def read_bytes(path: str, content: bytes) -> Iterator[RawArticle | ItemError]:
    """`read_stream` over a file's bytes (what Spark's binaryFile source hands an executor)."""
    origin = display_path(path)
    try:
        yield from read_stream(io.BytesIO(content), origin, len(content))
    except Exception as exc:  # a reader bug on one file must not fail a job over millions
        log.exception("reading %s failed", origin)
        yield ItemError(origin, f"{type(exc).__name__}: {exc}", kind="internal")


# -- raw articles: time keys and dedupe ----------------------------------------------
def error_record(item: ItemError) -> dict[str, Any]:
    return {"origin": item.origin, "kind": item.kind, "reason": item.reason}


def check_dated(raw: RawArticle) -> RawArticle | ItemError:
    """A backfill places articles in time; an article without a date cannot be placed."""
    if raw.published is None:
        return ItemError(raw.origin or raw.url or "article",
                         "no publication date (field 'published', or the WARC-Date): cannot be placed in time",
                         kind="undated")
    raw.published = pq_io.as_utc(raw.published)
    return raw


def raw_id(raw: RawArticle) -> str:
    """The id `Pipeline.prepare` will give the article (known before preparing it)."""
    return content_id(raw.title, raw.text)


def timestamp(when: datetime) -> float:
    return (when - EPOCH).total_seconds()


def order_key(raw: RawArticle) -> tuple[float, str]:
    """The one order of articles everywhere in a backfill: time, then id."""
    return timestamp(raw.published), raw_id(raw)


def prepare_group(raw: RawArticle) -> tuple[str, str]:
    """(UTC day, source): the unit whose articles are prepared in order with one cleaner state."""
    return raw.published.strftime("%Y-%m-%d"), raw.source or ""


def prepare_sort_key(raw: RawArticle) -> tuple[str, str, float, str]:
    return (*prepare_group(raw), *order_key(raw))


def earliest(a: RawArticle, b: RawArticle) -> RawArticle:
    """Of two copies of one article (same id or same URL), the one the backfill keeps."""
    return a if (order_key(a), a.origin) <= (order_key(b), b.origin) else b


def dedupe(raws: Iterable[RawArticle]) -> tuple[list[RawArticle], int]:
    """Drop repeated articles (same id, then same URL), keeping the earliest: (kept, dropped)."""
    by_id: dict[str, RawArticle] = {}
    n = 0
    for raw in raws:
        n += 1
        key = raw_id(raw)
        by_id[key] = earliest(by_id[key], raw) if key in by_id else raw
    by_url: dict[str, RawArticle] = {}
    kept = []
    for raw in by_id.values():
        if raw.url:
            by_url[raw.url] = earliest(by_url[raw.url], raw) if raw.url in by_url else raw
        else:
            kept.append(raw)
    kept.extend(by_url.values())
    return kept, n - len(kept)


# -- preparing -----------------------------------------------------------------------
_SHARED: dict[str, Any] = {}


def shared_encoder():
    """The encoder, loaded once per process (a Spark Python worker lives for many tasks)."""
    from newsloom.embed import default_encoder

    return default_encoder()


def shared_judge():
    """The streaming engine's judge (trained model, else cosine baseline), once per process."""
    if "judge" not in _SHARED:
        from newsloom.engine import default_judge

        _SHARED["judge"] = default_judge()
    return _SHARED["judge"]


def _item_error(raw: RawArticle, exc: Exception) -> ItemError:
    origin = raw.origin or raw.url or raw.title or "article"
    if isinstance(exc, NewsloomError):
        return ItemError(origin, str(exc), getattr(exc, "kind", "invalid"))
    log.exception("preparing %s failed", origin)
    return ItemError(origin, f"{type(exc).__name__}: {exc}", kind="internal")


def prepare_sorted(raws: Iterable[RawArticle], config: BackfillConfig) -> Iterator[tuple[str, dict[str, Any]]]:
    """Prepare and embed raw articles given in `prepare_sort_key` order.

    Yields ``("article", record)``, ``("entity", record)`` and ``("error", record)``.
    A fresh `Pipeline` per prepare group resets the cleaner's per-source state; the
    models (encoder, language detector, NER) are process-wide and load once.
    """
    from newsloom.pipeline import Pipeline

    encoder = shared_encoder()
    embedder = Pipeline(encoder, enrich=False)
    pipeline, group = None, None
    pending: list[tuple[Any, dict]] = []

    def flush() -> Iterator[tuple[str, dict[str, Any]]]:
        yield from _embed_and_emit(embedder, pending, encoder.name)
        pending.clear()

    for raw in raws:
        if prepare_group(raw) != group:
            group = prepare_group(raw)
            pipeline = Pipeline(encoder, enrich=config.enrich)
        try:
            article, entities = pipeline.prepare(raw)
        except Exception as exc:
            yield "error", error_record(_item_error(raw, exc))
            continue
        pending.append((article, entities))
        if len(pending) >= config.embed_batch:
            yield from flush()
    yield from flush()


def _embed_and_emit(embedder, batch: list[tuple[Any, dict]], encoder_name: str
                    ) -> Iterator[tuple[str, dict[str, Any]]]:
    if not batch:
        return
    try:
        embedder.embed([a for a, _ in batch])
        ok = batch
    except Exception:
        # one bad article must not cost its batch: retry one at a time
        ok = []
        for article, entities in batch:
            try:
                embedder.embed([article])
                ok.append((article, entities))
            except Exception as exc:
                yield "error", error_record(ItemError(article.metadata.get("origin", article.id),
                                                      f"embedding failed: {type(exc).__name__}: {exc}",
                                                      kind="internal"))
    for article, entities in ok:
        yield "article", pq_io.article_to_record(article, encoder_name)
        for entity in entities.values():
            yield "entity", pq_io.entity_to_record(entity)


# -- windows -------------------------------------------------------------------------
def home_window(published: datetime, config: BackfillConfig) -> int:
    return math.floor(timestamp(published) / config.window_seconds)


def windows_of(published: datetime, config: BackfillConfig) -> list[int]:
    """Home window first, then every later window that re-weaves the article as overlap."""
    t = timestamp(published)
    home = math.floor(t / config.window_seconds)
    last = math.floor((t + config.overlap_seconds) / config.window_seconds)
    return list(range(home, last + 1))


#: Article columns the weaver never reads: dropped before the window shuffle (it moves each
#: article 1 + overlap/window times, so every byte left out counts).
NOT_WOVEN = ("text", "removed_lines", "metadata", "url", "author", "title_vector")


def weave_record(record: dict[str, Any]) -> dict[str, Any]:
    """The part of an `articles` row that weaving needs (vectors, clean text, mentions, events)."""
    return {k: v for k, v in record.items() if k not in NOT_WOVEN}


def window_key(record: dict[str, Any]) -> tuple[float, str]:
    return timestamp(record["published"]), record["id"]


def weave_window(window: int, records: Iterable[dict[str, Any]], config: BackfillConfig,
                 judge=None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Weave one window's articles (given in `window_key` order) with `StoryWeaver`.

    Yields ``("copy", record)`` per article: which window story it went to and
    whether this window is its home (``("error", record)`` if weaving it failed). Stories no later article can join (last seen more than
    ``weave_window_days`` ago) are dropped as the window advances, with their
    articles, so memory is bounded by the articles of ``weave_window_days``.
    """
    from newsloom.weave import StoryWeaver

    judge = judge if judge is not None else shared_judge()
    pool: dict[str, Any] = {}
    weaver = None
    for n, rec in enumerate(records, 1):
        article = pq_io.record_to_article(rec)
        if weaver is None:
            weaver = StoryWeaver.for_judge(judge, pool.__getitem__, dim=len(article.vector),
                                           window_days=config.weave_window_days)
        pool[article.id] = article
        try:
            assignment = weaver.learn_one(article)
        except Exception as exc:
            log.exception("weaving %s failed", article.id)
            if home_window(article.published, config) == window:
                yield "error", error_record(ItemError(rec.get("origin") or article.id,
                                                      f"weaving failed: {type(exc).__name__}: {exc}", "internal"))
            continue
        yield "copy", member_copy(window, article, assignment, home_window(article.published, config) == window)
        if n % EVICT_EVERY == 0:
            _evict(weaver, pool, article.when, config.weave_window_days)


def _evict(weaver, pool: dict[str, Any], now: datetime, quiet_days: float) -> None:
    weaver.close_quiet(now, quiet_days)
    live = weaver.live_member_ids()
    for article_id in [a for a in pool if a not in live]:
        del pool[article_id]


def member_copy(window: int, article, assignment, home: bool) -> dict[str, Any]:
    """What the later passes need of one woven article: small, no text."""
    return {
        "window": window, "article_id": article.id, "window_story": assignment.story_id, "home": home,
        "published": article.published, "lang": article.lang, "source": article.source,
        "headline": article.title or article.clean_text[:90], "entity_ids": sorted(article.entity_ids()),
        "vector": pq_io.vec_to_bytes(article.vector) if home else None,
        "reason": json.dumps(assignment.reason(), default=str),
    }


# -- cross-window linking ----------------------------------------------------------------
Node = tuple[int, str]  # (window, window story id)


def choose_parent(counts: dict[str, int]) -> str:
    """The previous-window story holding most of a story's overlap articles (ties: smallest id)."""
    return min(counts, key=lambda story: (-counts[story], story))


def link_copies(copies: list[dict[str, Any]]) -> dict[Node, Node]:
    """Parent links (window j story -> window j-1 story) from shared overlap copies (in memory)."""
    where = {(c["window"], c["article_id"]): c["window_story"] for c in copies}
    votes: dict[Node, Counter] = defaultdict(Counter)
    for c in copies:
        if c["home"]:
            continue
        parent = where.get((c["window"] - 1, c["article_id"]))
        if parent is not None:
            votes[(c["window"], c["window_story"])][parent] += 1
    return {node: (node[0] - 1, choose_parent(counts)) for node, counts in votes.items()}


def resolve_story_ids(links: dict[Node, Node], first_home: dict[Node, tuple[float, str]]) -> dict[Node, str]:
    """Final story id of every window story: the tree it belongs to, named after its earliest article.

    ``first_home`` gives, per window story, its earliest home article (time, id);
    a story with no home article (only overlap copies) can still bridge a tree.
    """
    from newsloom.weave import new_story_id

    nodes = set(links) | set(links.values()) | set(first_home)
    root: dict[Node, Node] = {}
    for node in sorted(nodes):  # windows ascending: a parent is resolved before its children
        parent = links.get(node)
        root[node] = root.get(parent, parent) if parent is not None else node
    firsts: dict[Node, tuple[float, str]] = {}
    for node, first in first_home.items():
        r = root[node]
        if r not in firsts or first < firsts[r]:
            firsts[r] = first
    return {node: _story_id(new_story_id, firsts[root[node]][1]) for node in nodes if root[node] in firsts}


def _story_id(new_story_id: Callable, article_id: str) -> str:
    return new_story_id(SimpleNamespace(id=article_id))  # it needs only the origin's id


def first_home_articles(copies: Iterable[dict[str, Any]]) -> dict[Node, tuple[float, str]]:
    out: dict[Node, tuple[float, str]] = {}
    for c in copies:
        if c["home"]:
            node, key = (c["window"], c["window_story"]), (timestamp(c["published"]), c["article_id"])
            if node not in out or key < out[node]:
                out[node] = key
    return out


# -- outputs ---------------------------------------------------------------------------
def assignment_record(copy: dict[str, Any], story_id: str) -> dict[str, Any]:
    return {"article_id": copy["article_id"], "story_id": story_id, "window": copy["window"],
            "window_story": copy["window_story"], "published": copy["published"], "reason": copy["reason"]}


def build_story(story_id: str, members: Iterable[dict[str, Any]], config: BackfillConfig) -> dict[str, Any]:
    """The stories row from a story's home copies (dossier fields and centroid)."""
    ordered = sorted(members, key=lambda c: (timestamp(c["published"]), c["article_id"]))
    languages = Counter(c["lang"] for c in ordered if c["lang"])
    sources = Counter(c["source"] for c in ordered if c["source"])
    # as in a dossier, a news agency credits the copy and is no entity the story is about
    entities = Counter(e for c in ordered for e in c["entity_ids"] if e not in NEWS_AGENCY_IDS)
    total = np.zeros(0, np.float32)
    for c in ordered:
        vec = pq_io.bytes_to_vec(c["vector"])
        if vec is not None:
            total = vec.copy() if total.size == 0 else total + vec
    norm = float(np.linalg.norm(total)) if total.size else 0.0
    return {
        "id": story_id, "headline": ordered[0]["headline"], "languages": dict(sorted(languages.items())),
        "sources": dict(sorted(sources.items())), "first_seen": ordered[0]["published"],
        "last_seen": ordered[-1]["published"], "size": len(ordered),
        "top_entities": [e for e, _ in sorted(entities.items(), key=lambda kv: (-kv[1], kv[0]))
                         [: config.top_entities]],
        "windows": sorted({f"{c['window']}:{c['window_story']}" for c in ordered}),
        "centroid": pq_io.vec_to_bytes(total / norm) if norm else None,
    }


def write_summary(directory, summary: BackfillSummary) -> None:
    from pathlib import Path

    path = Path(directory) / pq_io.SUMMARY_FILE
    path.write_text(json.dumps(summary.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")


# -- agreement -----------------------------------------------------------------------------
def pairwise_agreement(a: dict[str, str], b: dict[str, str]) -> float:
    """Rand index of two article->story assignments over their shared articles (1.0 = identical up to
    relabelling): the share of article pairs that both put in one story or both keep apart."""
    ids = sorted(set(a) & set(b))
    pairs = agree = 0
    for i, x in enumerate(ids):
        for y in ids[i + 1:]:
            pairs += 1
            agree += (a[x] == a[y]) == (b[x] == b[y])
    return agree / pairs if pairs else 1.0
