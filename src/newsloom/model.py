"""The small typed objects passed between the stages of the pipeline.

The path of one article is::

    RawArticle --clean/detect/split--> Article --enrich--> Article(mentions, events)
               --embed--> Article(vectors) --weave--> Story --store--> Dossier

Every stage takes and returns these objects, never bare dicts, so that a stage
can be replaced (a better NER model, another encoder) without touching the rest.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import numpy as np

#: Languages newsloom supports end to end (the SemEval-2022 Task 8 set + nl, pt, uk, ja, ko).
SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "en", "fr", "de", "es", "it", "pl", "ru", "zh", "ar", "tr",
    "nl", "pt", "uk", "ja", "ko",
)

#: Entity types produced by every extractor.
ENTITY_TYPES: tuple[str, ...] = ("PER", "ORG", "LOC")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def content_id(title: str | None, text: str) -> str:
    """Stable article id: a hash of the normalised title and text.

    Whitespace and Unicode normalisation are folded so that the same article read
    twice (from a file and from a JSONL line, say) gets the same id.
    """
    norm = unicodedata.normalize("NFC", f"{title or ''}\n{text}")
    norm = " ".join(norm.split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


@dataclass
class RawArticle:
    """What a reader yields: text and whatever metadata the source gave us."""

    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: datetime | None = None
    lang: str | None = None  # a hint from the source; detection may confirm it
    external_id: str | None = None
    author: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # where it came from: "path", "path:line 3", "feed url"


@dataclass
class ItemError:
    """A per-item failure at a batch boundary: which item, and why."""

    origin: str
    reason: str
    kind: str = "invalid"  # empty, binary, encoding, too_large, malformed, language, missing, ...

    def __str__(self) -> str:
        return f"{self.origin}: {self.kind}: {self.reason}"


@dataclass
class Sentence:
    index: int
    text: str
    start: int  # character offsets in Article.clean_text
    end: int


@dataclass
class Mention:
    """One occurrence of a named entity in an article."""

    text: str
    type: str  # PER, ORG or LOC
    sentence: int
    start: int  # offsets in Article.clean_text
    end: int
    entity_id: str | None = None  # canonical entity after linking
    source: str = ""  # which extractor found it (spacy-fr, natasha, rules, gazetteer)


@dataclass
class Entity:
    """A canonical person, organisation or place, shared across languages and scripts."""

    id: str  # stable: "geo:2950159", "cc:DE", "per:putin", ...
    type: str
    name: str  # display name (English where known)
    names: dict[str, str] = field(default_factory=dict)  # lang -> local name
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: int | None = None


@dataclass
class TimeEvent:
    """A date expression resolved against the article's publication date."""

    date: date
    expression: str
    sentence: int
    sentence_text: str = ""
    granularity: str = "day"  # day, week, month, year
    part_of_day: str | None = None  # morning, afternoon, evening, night
    article_id: str | None = None
    lang: str | None = None
    entity_ids: list[str] = field(default_factory=list)


@dataclass
class Article:
    id: str
    text: str  # original text as read
    clean_text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    lang: str | None = None
    lang_confidence: float | None = None
    published: datetime | None = None
    ingested: datetime = field(default_factory=utcnow)
    author: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    removed_lines: list[str] = field(default_factory=list)  # what cleaning took out, for audit
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    events: list[TimeEvent] = field(default_factory=list)
    vector: np.ndarray | None = None  # article vector, L2-normalised float32
    title_vector: np.ndarray | None = None
    sentence_vectors: np.ndarray | None = None  # (len(sentences), dim)
    # the head encoder's vector of title + lead (embed/head.py); compare and eval only
    head_vector: np.ndarray | None = None
    story_id: str | None = None

    @property
    def when(self) -> datetime:
        """The time used for story windows: publication time, else ingest time."""
        return self.published or self.ingested

    def entity_ids(self, types: tuple[str, ...] = ENTITY_TYPES) -> set[str]:
        return {m.entity_id for m in self.mentions if m.entity_id and m.type in types}


@dataclass
class AlignedPair:
    """Two sentences, one from each article, that say the same thing."""

    sentence_a: int
    sentence_b: int
    text_a: str
    text_b: str
    similarity: float  # cosine of the sentence vectors


@dataclass
class Comparison:
    """How similar two articles are, on the SemEval-2022 Task 8 scale, and why.

    ``overall`` and each value of ``dimensions`` are on 1 (same) .. 4 (unrelated);
    ``similarity`` is ``overall`` mapped to 0..1 (1 = same story).
    """

    article_a: str
    article_b: str
    overall: float
    similarity: float
    dimensions: dict[str, float]  # Geography, Entities, Time, Narrative, Overall
    same_story: bool
    same_story_probability: float
    evidence: list[AlignedPair] = field(default_factory=list)
    unmatched_a: list[str] = field(default_factory=list)  # sentences with no counterpart
    unmatched_b: list[str] = field(default_factory=list)
    shared_entities: list[str] = field(default_factory=list)
    shared_places: list[str] = field(default_factory=list)
    date_gap_days: float | None = None
    explanations: dict[str, str] = field(default_factory=dict)  # dimension -> words
    confidence: str = "normal"  # "low" for empty/very short/debris-only texts
    warnings: list[str] = field(default_factory=list)
    relation: dict[str, Any] | None = None  # provenance: translation / reuse / independent
    cosine: float | None = None


@dataclass
class Story:
    id: str
    headline: str
    article_ids: list[str] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    centroid: np.ndarray | None = None
    closed: bool = False

    @property
    def size(self) -> int:
        return len(self.article_ids)


@dataclass
class IngestResult:
    """Per-item outcome of one ingest call."""

    origin: str
    status: str  # added, duplicate, error
    article_id: str | None = None
    story_id: str | None = None
    new_story: bool = False
    error: ItemError | None = None


@dataclass
class BatchReport:
    results: list[IngestResult] = field(default_factory=list)

    @property
    def added(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "added"]

    @property
    def duplicates(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "duplicate"]

    @property
    def errors(self) -> list[IngestResult]:
        return [r for r in self.results if r.status == "error"]
