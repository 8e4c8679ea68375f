"""Engine dataclasses -> API models (and posted fields -> `RawArticle`).

Vectors never leave the server; non-finite floats (a NaN score from an empty
vector, say) become 0.0 because JSON has no NaN.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

from newsloom.api import schemas
from newsloom.model import Article, Comparison, IngestResult, RawArticle, Story


def finite(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else 0.0


def as_utc(value: datetime | None) -> datetime | None:
    """Naive datetimes are read as UTC, so they compare with the stored (aware) ones."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _jsonable(obj: Any) -> Any:
    """Metadata and join reasons are free-form: make them JSON-safe (no NaN, dates as text)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float):
        return finite(obj)
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "tolist"):
        return _jsonable(obj.tolist())
    return str(obj)


def raw_from_fields(text: str, *, title: str | None = None, url: str | None = None, source: str | None = None,
                    published: datetime | None = None, lang: str | None = None,
                    metadata: dict[str, Any] | None = None, origin: str = "request") -> RawArticle:
    return RawArticle(text=text, title=title, url=url, source=source, published=as_utc(published),
                      lang=lang.lower() if lang else None, metadata=dict(metadata or {}), origin=origin)


def ingest_result(result: IngestResult) -> schemas.IngestResultOut:
    error = None
    if result.error is not None:
        error = schemas.ItemErrorOut(origin=result.error.origin, reason=result.error.reason,
                                     kind=result.error.kind)
    return schemas.IngestResultOut(origin=result.origin, status=result.status, article_id=result.article_id,
                                   story_id=result.story_id, new_story=result.new_story, error=error)


def bulk_result(results: list[IngestResult]) -> schemas.BulkResult:
    out = [ingest_result(r) for r in results]
    return schemas.BulkResult(added=sum(r.status == "added" for r in out),
                              duplicates=sum(r.status == "duplicate" for r in out),
                              errors=sum(r.status == "error" for r in out), results=out)


def story_summary(story: Story) -> schemas.StorySummary:
    return schemas.StorySummary(id=story.id, headline=story.headline, size=story.size,
                                languages=dict(story.languages), sources=dict(story.sources),
                                first_seen=story.first_seen, last_seen=story.last_seen, closed=story.closed,
                                article_ids=list(story.article_ids))


def article(a: Article, join_reason: dict[str, Any] | None) -> schemas.ArticleOut:
    return schemas.ArticleOut(
        id=a.id, title=a.title, url=a.url, source=a.source, lang=a.lang, lang_confidence=finite(a.lang_confidence),
        published=a.published, ingested=a.ingested, author=a.author, text=a.text, clean_text=a.clean_text,
        metadata=_jsonable(a.metadata), removed_lines=list(a.removed_lines),
        sentences=[schemas.SentenceOut(index=s.index, text=s.text, start=s.start, end=s.end) for s in a.sentences],
        mentions=[schemas.MentionOut(text=m.text, type=m.type, sentence=m.sentence, start=m.start, end=m.end,
                                     entity_id=m.entity_id, source=m.source) for m in a.mentions],
        events=[schemas.TimeEventOut(date=e.date, expression=e.expression, sentence=e.sentence,
                                     sentence_text=e.sentence_text, granularity=e.granularity,
                                     part_of_day=e.part_of_day, entity_ids=list(e.entity_ids)) for e in a.events],
        story_id=a.story_id, join_reason=_jsonable(join_reason) if join_reason else None,
    )


def dossier(d) -> schemas.DossierOut:
    """`Dossier.to_dict()` validated against the schema (free-form parts made JSON-safe)."""
    data = d.to_dict()
    data["provenance"] = _jsonable(data.get("provenance")) if data.get("provenance") else None
    for group in data.get("articles", {}).values():
        for item in group:
            item["join_reason"] = _jsonable(item.get("join_reason")) if item.get("join_reason") else None
    for key in ("entities", "places"):
        for e in data.get(key, []):
            e["latitude"], e["longitude"] = finite(e.get("latitude")), finite(e.get("longitude"))
    return schemas.DossierOut.model_validate(data)


def comparison(c: Comparison) -> schemas.ComparisonOut:
    data = asdict(c)
    for key in ("overall", "similarity", "same_story_probability"):
        data[key] = finite(data[key]) or 0.0
    data["dimensions"] = {k: finite(v) or 0.0 for k, v in data["dimensions"].items()}
    data["date_gap_days"] = finite(data["date_gap_days"])
    data["cosine"] = finite(data["cosine"])
    for pair in data["evidence"]:
        pair["similarity"] = finite(pair["similarity"]) or 0.0
    data["relation"] = _jsonable(data["relation"]) if data["relation"] else None
    data["same_story"] = bool(data["same_story"])
    return schemas.ComparisonOut.model_validate(data)


def search_hits(hits) -> list[schemas.SearchHitOut]:
    return [schemas.SearchHitOut(article_id=h.article_id, title=h.title, lang=h.lang, source=h.source,
                                 story_id=h.story_id, score=finite(h.score) or 0.0, snippet=h.snippet)
            for h in hits]
