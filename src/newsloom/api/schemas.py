"""Pydantic models of the HTTP API: its requests, its responses and its errors.

They document the API through the OpenAPI schema served at ``/api/openapi.json``
and are the only shapes the API returns; `newsloom.api.convert` maps the
engine's dataclasses onto them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Sort orders `GET /api/stories` accepts (a leading '-' means ascending).
StorySort = Literal["last_seen", "first_seen", "size", "-last_seen", "-first_seen", "-size"]
SearchMode = Literal["text", "semantic"]


class ErrorBody(BaseModel):
    code: str = Field(description="machine-readable error code, e.g. not_found, invalid_request, unauthorized")
    message: str = Field(description="what went wrong, in words")
    details: list[dict[str, Any]] | None = Field(default=None, description="per-field problems (422 only)")


class ErrorResponse(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    articles: int
    stories: int
    schema_version: int
    writes_enabled: bool = Field(description="false when the server runs without a token")


# -- articles -------------------------------------------------------------------
class ArticleIn(BaseModel):
    """One article to add; only `text` is required."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="the article body (plain text)")
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: datetime | None = Field(default=None, description="ISO 8601; naive times are read as UTC")
    lang: str | None = Field(default=None, max_length=16, description="a hint (ISO 639-1); detection decides")
    metadata: dict[str, Any] | None = None


class ItemErrorOut(BaseModel):
    origin: str
    reason: str
    kind: str


class IngestResultOut(BaseModel):
    origin: str
    status: Literal["added", "duplicate", "error"]
    article_id: str | None = None
    story_id: str | None = None
    new_story: bool = False
    error: ItemErrorOut | None = None


class BulkResult(BaseModel):
    added: int
    duplicates: int
    errors: int
    results: list[IngestResultOut]


class SentenceOut(BaseModel):
    index: int
    text: str
    start: int
    end: int


class MentionOut(BaseModel):
    text: str
    type: str
    sentence: int
    start: int
    end: int
    entity_id: str | None = None
    source: str = ""


class TimeEventOut(BaseModel):
    date: date
    expression: str
    sentence: int
    sentence_text: str = ""
    granularity: str = "day"
    part_of_day: str | None = None
    entity_ids: list[str] = Field(default_factory=list)


class ArticleOut(BaseModel):
    id: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    lang: str | None = None
    lang_confidence: float | None = None
    published: datetime | None = None
    ingested: datetime | None = None
    author: str | None = None
    text: str
    clean_text: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    removed_lines: list[str] = Field(default_factory=list)
    sentences: list[SentenceOut] = Field(default_factory=list)
    mentions: list[MentionOut] = Field(default_factory=list)
    events: list[TimeEventOut] = Field(default_factory=list)
    story_id: str | None = None
    join_reason: dict[str, Any] | None = None


# -- stories --------------------------------------------------------------------
class StorySummary(BaseModel):
    id: str
    headline: str
    size: int
    languages: dict[str, int]
    sources: dict[str, int]
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    closed: bool = False
    article_ids: list[str] = Field(default_factory=list)


class StoryPage(BaseModel):
    items: list[StorySummary]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page, null on the last page")


class DossierEntityOut(BaseModel):
    id: str
    name: str
    type: str
    mentions: int
    by_language: dict[str, int]
    names: dict[str, str] = Field(default_factory=dict)
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class TimelineEntryOut(BaseModel):
    date: date
    text: str
    lang: str | None = None
    article_id: str
    granularity: str = "day"
    part_of_day: str | None = None
    expressions: list[str] = Field(default_factory=list)
    reported_by: list[dict[str, str]] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)


class SummarySentenceOut(BaseModel):
    text: str
    lang: str | None = None
    article_id: str


class DossierArticleOut(BaseModel):
    id: str
    title: str | None = None
    lang: str | None = None
    source: str | None = None
    url: str | None = None
    published: datetime | None = None
    join_reason: dict[str, Any] | None = None


class DossierOut(BaseModel):
    id: str
    headline: str
    headline_lang: str | None = None
    languages: dict[str, int]
    sources: dict[str, int]
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    size: int
    entities: list[DossierEntityOut]
    places: list[DossierEntityOut]
    timeline: list[TimelineEntryOut]
    summary: list[SummarySentenceOut]
    articles: dict[str, list[DossierArticleOut]] = Field(description="member articles by language")
    provenance: dict[str, Any] | None = None


# -- compare --------------------------------------------------------------------
class CompareSide(BaseModel):
    """Either a stored article (`id`) or a posted one (`text`, optional title/lang/published)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=200, description="a stored article id")
    text: str | None = Field(default=None, min_length=1, description="an article body to compare")
    title: str | None = None
    lang: str | None = Field(default=None, max_length=16)
    published: datetime | None = None

    @model_validator(mode="after")
    def _one_of_id_or_text(self) -> "CompareSide":
        if (self.id is None) == (self.text is None):
            raise ValueError("give exactly one of 'id' (a stored article) or 'text' (a posted article)")
        return self


class CompareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    a: CompareSide
    b: CompareSide


class AlignedPairOut(BaseModel):
    sentence_a: int
    sentence_b: int
    text_a: str
    text_b: str
    similarity: float


class ComparisonOut(BaseModel):
    article_a: str
    article_b: str
    overall: float = Field(description="1 (same) .. 4 (unrelated), SemEval-2022 Task 8 scale")
    similarity: float = Field(description="overall mapped to 0..1 (1 = same story)")
    dimensions: dict[str, float]
    same_story: bool
    same_story_probability: float
    evidence: list[AlignedPairOut] = Field(default_factory=list)
    unmatched_a: list[str] = Field(default_factory=list)
    unmatched_b: list[str] = Field(default_factory=list)
    shared_entities: list[str] = Field(default_factory=list)
    shared_places: list[str] = Field(default_factory=list)
    date_gap_days: float | None = None
    explanations: dict[str, str] = Field(default_factory=dict)
    confidence: str = "normal"
    warnings: list[str] = Field(default_factory=list)
    relation: dict[str, Any] | None = None
    cosine: float | None = None


# -- search ---------------------------------------------------------------------
class SearchHitOut(BaseModel):
    article_id: str
    title: str | None = None
    lang: str | None = None
    source: str | None = None
    story_id: str | None = None
    score: float
    snippet: str


class SearchResult(BaseModel):
    query: str
    mode: SearchMode
    hits: list[SearchHitOut]
