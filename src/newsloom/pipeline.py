"""The one place that wires the stages: RawArticle -> prepared, enriched, embedded Article.

    raw --clean--> --detect--> --split--> --entities--> --dates--> --embed (batched)--> Article

Each stage is a function of its own module; this module only decides the order,
what is an error for an item, and that the encoder is called once per batch.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsloom.embed import ArticleEmbedder, Encoder, default_encoder
from newsloom.errors import InputError, NewsloomError, UnsupportedLanguageError
from newsloom.model import (
    SUPPORTED_LANGUAGES,
    Article,
    Entity,
    ItemError,
    Mention,
    RawArticle,
    content_id,
)

log = logging.getLogger("newsloom")

#: What preparing one item gives: the article and its entities by id, or why it failed.
Prepared = tuple[Article, dict[str, Entity]] | ItemError

#: An article whose cleaned text is shorter than this is refused: nothing to compare.
MIN_CLEAN_CHARS = 20
#: The language detector's confidence under which we fall back on the source's hint.
MIN_LANGUAGE_CONFIDENCE = 0.5


def published_from_url(url: str | None) -> datetime | None:
    """The day spelled in the URL's path (`newsloom.dates.date_from_url`) at 12:00 UTC:
    only the day is known, and midday keeps it the same calendar day in every time zone
    from UTC-11 to UTC+11."""
    from newsloom.dates import date_from_url

    day = date_from_url(url)
    return None if day is None else datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@dataclass
class StageTimes:
    """Seconds spent per stage, summed over a run (the benchmarks print it)."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, stage: str, started: float) -> None:
        self.seconds[stage] += time.perf_counter() - started


def _check_unicode(raw: RawArticle) -> None:
    """Refuse lone surrogates (JSON "\\ud800" decodes to one): no UTF-8 form, so SQLite cannot store them."""
    for name in ("text", "title", "url", "source", "author", "lang", "external_id"):
        value = getattr(raw, name)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(f"field {name!r} is not valid Unicode (lone surrogate at {exc.start})",
                                 kind="encoding") from None


def item_error(raw: RawArticle, exc: Exception) -> ItemError:
    """The `ItemError` a batch reports for an article whose preparation raised `exc`: the
    stage's own reason for bad input, "internal" (and a logged traceback) for a bug."""
    origin = raw.origin or raw.url or raw.title or "article"
    if isinstance(exc, NewsloomError):
        return ItemError(origin, str(exc), getattr(exc, "kind", "invalid"))
    log.error("preparing %s failed", origin, exc_info=exc)
    return ItemError(origin, f"internal error in the pipeline: {type(exc).__name__}: {exc}", "internal")


class Pipeline:
    """Prepare raw articles for comparison and weaving.

    Parameters:
        encoder: any `newsloom.embed.Encoder`; default: the in-wheel USE v3.
        enrich: run entity extraction/linking and date resolution.
        embedder: how article vectors are pooled from sentences (see `ArticleEmbedder`).
        embed_sentences: embed only the title and the first this many sentences (the
            default embedder's ``max_sentences``; None keeps its default). Ignored with `embedder`.
        ner_sentences: the entity stage's statistical NER model (spaCy en/fr, Natasha ru)
            reads only the first this many sentences; its rules and gazetteer still read the
            whole text. None (default): the model reads all of it. Opt-in speed for quality:
            see docs/scaling.md.
    """

    def __init__(self, encoder: Encoder | None = None, *, enrich: bool = True,
                 embedder: ArticleEmbedder | None = None, embed_sentences: int | None = None,
                 ner_sentences: int | None = None) -> None:
        if ner_sentences is not None and ner_sentences < 1:
            raise ValueError(f"ner_sentences must be at least 1 or None, not {ner_sentences}")
        self._encoder = encoder
        self.ner_sentences = ner_sentences
        self._embedder = embedder
        self.embed_sentences = embed_sentences
        self.enrich_enabled = enrich
        self.times = StageTimes()
        self._repeated = None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = default_encoder()
        return self._encoder

    @property
    def embedder(self) -> ArticleEmbedder:
        if self._embedder is None:
            cap = {"max_sentences": self.embed_sentences} if self.embed_sentences else {}
            self._embedder = ArticleEmbedder(self.encoder, **cap)
        return self._embedder

    @property
    def repeated_lines(self):
        """Lines repeated across articles of one source: learned online (see clean.RepeatedLineModel)."""
        if self._repeated is None:
            from newsloom.clean import RepeatedLineModel

            self._repeated = RepeatedLineModel()
        return self._repeated

    # -- stages up to enrichment (per article) --------------------------------
    def prepare(self, raw: RawArticle) -> tuple[Article, dict[str, Entity]]:
        """Clean, detect, split and enrich one article (no embedding). Raises InputError."""
        article = self._article(raw)
        return article, self.enrich(article) if self.enrich_enabled else {}

    def prepare_batch(self, raws: list[RawArticle | ItemError],
                      repeated: list[frozenset[str]] | None = None) -> list[Prepared]:
        """`prepare` for a batch, without raising: a failure comes back as ItemError in place.

        The NER models read the batch's articles of one language together
        (`entities.extract_many`), which costs less than one call each; everything
        else is per article, so the results are those of `prepare`.
        `repeated`: each article's repeated lines of its source, already read (the
        workers of `parallel.ParallelPreparer` get them from the main process); None:
        read and learn them here, in input order, as `prepare` does.
        """
        out: list[Prepared] = []
        for k, raw in enumerate(raws):
            if isinstance(raw, ItemError):
                out.append(raw)
                continue
            try:
                out.append(self._article(raw, None if repeated is None else repeated[k]))
            except Exception as exc:  # a bug in a stage must cost one item, never the batch
                out.append(item_error(raw, exc))
        if not self.enrich_enabled:
            return [(item, {}) if isinstance(item, Article) else item for item in out]
        ready = [k for k, item in enumerate(out) if isinstance(item, Article)]
        found = self._extract_many([out[k] for k in ready])
        for j, k in enumerate(ready):
            try:
                out[k] = (out[k], self.enrich(out[k], mentions=found.get(j)))
            except Exception as exc:
                out[k] = item_error(raws[k], exc)
        return out

    def _extract_many(self, articles: list[Article]) -> dict[int, list[Mention]]:
        from newsloom.entities import extract_many

        t = time.perf_counter()
        try:
            return extract_many(articles, ner_sentences=self.ner_sentences)
        except Exception:  # noqa: BLE001 - each article then extracts alone and reports its own failure
            return {}
        finally:
            self.times.add("entities", t)

    def _article(self, raw: RawArticle, repeated: frozenset[str] | None = None) -> Article:
        """Clean, detect and split one article; `repeated` as in `prepare_batch`."""
        from newsloom.clean import clean_text
        from newsloom.language import detect_language
        from newsloom.sentences import split_sentences

        _check_unicode(raw)
        if raw.lang and raw.lang.lower() not in SUPPORTED_LANGUAGES:
            raise UnsupportedLanguageError(f"language {raw.lang!r} is not supported "
                                           f"(supported: {', '.join(SUPPORTED_LANGUAGES)})")
        if not raw.text or not raw.text.strip():
            raise InputError("the article has no text", kind="empty")

        t = time.perf_counter()
        source = raw.source or ""
        if repeated is None:
            lines = [ln.strip() for ln in raw.text.splitlines() if ln.strip()]
            repeated = self.repeated_lines.repeated(source) if source else frozenset()
            if source:
                self.repeated_lines.learn_one(source, lines)
        cleaned = clean_text(raw.text, repeated)
        title = raw.title
        if title:
            title_clean = clean_text(title).text.strip()
            title = title_clean or title.strip()
        self.times.add("clean", t)
        if len(cleaned.text.strip()) < MIN_CLEAN_CHARS:
            raise InputError(f"after removing scraping debris only {len(cleaned.text.strip())} characters are "
                             f"left (minimum {MIN_CLEAN_CHARS})", kind="empty")

        t = time.perf_counter()
        detection = detect_language(f"{title or ''}\n{cleaned.text}")
        self.times.add("language", t)
        lang = detection.lang
        hint = raw.lang.lower() if raw.lang else None
        if hint and (lang is None or detection.confidence < MIN_LANGUAGE_CONFIDENCE):
            lang = hint
        if lang is None:
            raise UnsupportedLanguageError(
                "the language could not be identified as one of the supported languages "
                f"({', '.join(SUPPORTED_LANGUAGES)})")

        t = time.perf_counter()
        sentences = split_sentences(cleaned.text, lang)
        self.times.add("sentences", t)
        if not sentences:
            raise InputError("no sentences left after cleaning", kind="empty")

        published, metadata = raw.published, dict(raw.metadata)
        if published is None:
            published = published_from_url(raw.url)
            if published is not None:
                metadata.setdefault("published_from", "url")
        article = Article(
            id=content_id(raw.title, raw.text), text=raw.text, clean_text=cleaned.text, title=title,
            url=raw.url, source=raw.source, lang=lang, lang_confidence=detection.confidence,
            published=published, author=raw.author, metadata=metadata,
            removed_lines=cleaned.removed, sentences=sentences,
        )
        if raw.external_id:
            article.metadata.setdefault("external_id", raw.external_id)
        if raw.origin:
            article.metadata.setdefault("origin", raw.origin)
        return article

    def enrich(self, article: Article, mentions: list[Mention] | None = None) -> dict[str, Entity]:
        """Entities (linked across languages) and resolved dates, in place; `mentions`:
        the extractor's, when found already (`prepare_batch`)."""
        from newsloom.dates import resolve_dates
        from newsloom.entities import extract_and_link

        t = time.perf_counter()
        entities = extract_and_link(article, ner_sentences=self.ner_sentences, mentions=mentions)
        self.times.add("entities", t)
        t = time.perf_counter()
        article.events = resolve_dates(article)
        for event in article.events:
            event.article_id = article.id
        self.times.add("dates", t)
        return entities

    # -- embedding (batched) --------------------------------------------------
    def embed(self, articles: list[Article]) -> None:
        """Title, sentence and article vectors for many articles in one encoder call."""
        if not articles:
            return
        t = time.perf_counter()
        vectors = self.embedder.embed_many([(a.title, [s.text for s in a.sentences]) for a in articles])
        for article, vecs in zip(articles, vectors):
            article.vector, article.title_vector = vecs.article, vecs.title
            article.sentence_vectors = vecs.sentences
            # sentences beyond the embedder's cap keep no vector; align the two lists
            if len(article.sentences) > len(vecs.sentences):
                article.metadata["embedded_sentences"] = len(vecs.sentences)
        self.times.add("embed", t)

    def prepare_many(self, raws: Iterable[RawArticle | ItemError]) -> list[Prepared]:
        """Prepare and embed a batch; failures come back as ItemError in place."""
        out = self.prepare_batch(list(raws))
        self.embed([item[0] for item in out if not isinstance(item, ItemError)])
        return out

    def prepare_one(self, raw: RawArticle) -> tuple[Article, dict[str, Entity]]:
        """Prepare and embed one article; raises on bad input."""
        article, entities = self.prepare(raw)
        self.embed([article])
        return article, entities
