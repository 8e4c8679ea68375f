"""A story's dossier: what a user reads in a minute.

- headline: in the language asked for when a member article is in it (the title
  of the member nearest the story centroid), else the story's headline;
- languages, sources, first/last seen;
- top entities with mention counts per language, places with coordinates (news
  agencies, `lexicon.NEWS_AGENCIES`, left out: they credit the copy);
- a timeline merged across languages: resolved dates, with near-duplicate
  events (same date, sentences whose vectors have cosine >= `FOLD_COSINE`)
  folded into one entry that lists every language and article that reports it;
- a short extractive summary: maximal marginal relevance (Carbonell & Goldstein
  1998) over all member sentences, relevance = cosine to the story centroid plus
  a lead bonus, redundancy = the highest cosine to an already chosen sentence,
  which, the vectors being multilingual, also keeps two languages from saying the
  same thing twice;
- the member articles grouped by language, with the reason each one joined.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np

from newsloom.entities.lexicon import NEWS_AGENCY_IDS
from newsloom.model import Article
from newsloom.store import Store

#: Two timeline events on the same date fold into one above this sentence cosine.
FOLD_COSINE = 0.6
#: Summary sentences are at most this similar to each other.
SUMMARY_REDUNDANCY = 0.6
SUMMARY_SENTENCES = 4


@dataclass
class DossierEntity:
    id: str
    name: str
    type: str
    mentions: int
    by_language: dict[str, int]
    names: dict[str, str] = field(default_factory=dict)
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class TimelineEntry:
    date: date
    text: str
    lang: str | None
    article_id: str
    granularity: str = "day"
    part_of_day: str | None = None
    expressions: list[str] = field(default_factory=list)
    reported_by: list[dict[str, str]] = field(default_factory=list)  # [{article_id, lang, text}]
    entities: list[str] = field(default_factory=list)


@dataclass
class SummarySentence:
    text: str
    lang: str | None
    article_id: str


@dataclass
class DossierArticle:
    id: str
    title: str | None
    lang: str | None
    source: str | None
    url: str | None
    published: datetime | None
    join_reason: dict[str, Any] | None


@dataclass
class Dossier:
    id: str
    headline: str
    headline_lang: str | None
    languages: dict[str, int]
    sources: dict[str, int]
    first_seen: datetime | None
    last_seen: datetime | None
    size: int
    entities: list[DossierEntity]
    places: list[DossierEntity]
    timeline: list[TimelineEntry]
    summary: list[SummarySentence]
    articles: dict[str, list[DossierArticle]]
    provenance: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        def convert(obj):
            if isinstance(obj, (datetime, date)):
                return obj.isoformat()
            if isinstance(obj, dict):
                return {k: convert(v) for k, v in obj.items()}
            if isinstance(obj, list):
                return [convert(v) for v in obj]
            return obj

        return convert(asdict(self))


def build_dossier(store: Store, story_id: str, *, lang: str | None = None, top_entities: int = 12) -> Dossier:
    story = store.get_story(story_id)
    articles = store.get_articles(story.article_ids)
    headline, headline_lang = _headline(story.headline, articles, story.centroid, lang)
    entities, places = _entities(store, articles, top_entities)
    by_lang: dict[str, list[DossierArticle]] = defaultdict(list)
    for a in articles:
        by_lang[a.lang or "und"].append(DossierArticle(a.id, a.title, a.lang, a.source, a.url, a.published,
                                                       store.join_reason(a.id)))
    return Dossier(
        id=story.id, headline=headline, headline_lang=headline_lang, languages=story.languages,
        sources=story.sources, first_seen=story.first_seen, last_seen=story.last_seen, size=len(articles),
        entities=entities, places=places, timeline=merge_timeline(articles),
        summary=summarise(articles, story.centroid, lang=lang), articles=dict(by_lang),
        provenance=_provenance(articles),
    )


def _headline(default: str, articles: list[Article], centroid: np.ndarray | None,
              lang: str | None) -> tuple[str, str | None]:
    pool = [a for a in articles if a.title and (lang is None or a.lang == lang)]
    if not pool:
        pool = [a for a in articles if a.title]
    if not pool:
        return default, None
    if centroid is not None:
        pool.sort(key=lambda a: -float(a.vector @ centroid) if a.vector is not None else 0.0)
    return pool[0].title or default, pool[0].lang


def _entities(store: Store, articles: list[Article], top: int) -> tuple[list[DossierEntity], list[DossierEntity]]:
    counts: Counter[str] = Counter()
    per_lang: dict[str, Counter[str]] = defaultdict(Counter)
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    types: dict[str, str] = {}
    for a in articles:
        for m in a.mentions:
            # a news agency credits the copy; the story is not about it
            if not m.entity_id or m.entity_id in NEWS_AGENCY_IDS:
                continue
            counts[m.entity_id] += 1
            per_lang[m.entity_id][a.lang or "und"] += 1
            surface[m.entity_id][m.text] += 1
            types[m.entity_id] = m.type
    known = store.get_entities(list(counts))
    people, places = [], []
    for entity_id, n in counts.most_common():
        e = known.get(entity_id)
        item = DossierEntity(entity_id, e.name if e else surface[entity_id].most_common(1)[0][0],
                             e.type if e else types[entity_id], n, dict(per_lang[entity_id]),
                             e.names if e else {}, e.country if e else None,
                             e.latitude if e else None, e.longitude if e else None)
        (places if item.type == "LOC" else people).append(item)
    return people[:top], places[:top]


def _sentence_vector(article: Article, index: int) -> np.ndarray | None:
    vecs = article.sentence_vectors
    if vecs is None or index < 0 or index >= len(vecs):
        return None
    return vecs[index]


def merge_timeline(articles: list[Article]) -> list[TimelineEntry]:
    """Resolved events of all members, folded across languages (see module docstring)."""
    by_date: dict[tuple[date, str], list[tuple[Article, Any]]] = defaultdict(list)
    for a in articles:
        for e in a.events:
            by_date[(e.date, e.granularity)].append((a, e))
    entries: list[TimelineEntry] = []
    for (day, granularity), items in sorted(by_date.items(), key=lambda kv: kv[0][0]):
        groups: list[tuple[np.ndarray | None, TimelineEntry]] = []
        for a, e in items:
            vec = _sentence_vector(a, e.sentence)
            target = None
            for gvec, entry in groups:
                if vec is None or gvec is None:
                    same = entry.text == e.sentence_text
                else:
                    same = float(vec @ gvec) >= FOLD_COSINE
                if same:
                    target = entry
                    break
            report = {"article_id": a.id, "lang": a.lang or "", "text": e.sentence_text}
            if target is None:
                entry = TimelineEntry(day, e.sentence_text, a.lang, a.id, granularity, e.part_of_day,
                                      [e.expression], [report], list(e.entity_ids))
                groups.append((vec, entry))
            else:
                if all(r["article_id"] != a.id for r in target.reported_by):
                    target.reported_by.append(report)
                if e.expression not in target.expressions:
                    target.expressions.append(e.expression)
                target.part_of_day = target.part_of_day or e.part_of_day
                target.entities = sorted(set(target.entities) | set(e.entity_ids))
        entries.extend(entry for _, entry in groups)
    return entries


def summarise(articles: list[Article], centroid: np.ndarray | None, *, lang: str | None = None,
              n: int = SUMMARY_SENTENCES) -> list[SummarySentence]:
    """Maximal-marginal-relevance extractive summary over all member sentences."""
    candidates: list[tuple[float, np.ndarray, SummarySentence]] = []
    for a in articles:
        if a.sentence_vectors is None:
            continue
        for s, vec in zip(a.sentences, a.sentence_vectors):
            words = len(s.text.split())
            if words < 6 and a.lang not in ("zh", "ja", "ko"):
                continue  # fragments and headings make poor summary sentences
            relevance = float(vec @ centroid) if centroid is not None else 0.0
            relevance += 0.1 if s.index < 3 else 0.0
            if lang and a.lang == lang:
                relevance += 0.15
            candidates.append((relevance, vec, SummarySentence(s.text.strip(), a.lang, a.id)))
    candidates.sort(key=lambda c: -c[0])
    chosen: list[tuple[np.ndarray, SummarySentence]] = []
    for relevance, vec, sentence in candidates:
        if len(chosen) >= n:
            break
        if any(float(vec @ other) >= SUMMARY_REDUNDANCY for other, _ in chosen):
            continue
        chosen.append((vec, sentence))
    return [s for _, s in chosen]


def _provenance(articles: list[Article]) -> dict[str, Any] | None:
    try:
        from newsloom.provenance import story_provenance
    except ImportError:
        return None
    return story_provenance(articles)
