"""Provenance: which article is a translation, a copy or a partial rewrite of which.

Algorithm (`relation(a, b)`):

1. Sentence alignment. The cosine matrix of the two articles' sentence vectors
   (`newsloom.similarity.features.sentence_similarity`, multilingual USE) is read
   greedily from its largest entry down; a pair (i, j) is kept when neither
   sentence is aligned yet and its cosine is at least `ALIGN_COSINE_CROSS`
   (different languages) or `ALIGN_COSINE_SAME` (same language). The result is a
   one-to-one alignment, in the spirit of margin-free bitext mining
   (Schwenk et al. 2019, "WikiMatrix"), without the monotonicity constraint of
   Gale & Church / vecalign, because stitched articles move paragraphs around.
2. Shares: ``share_a`` = aligned sentences of a / sentences of a that have a
   vector (very long articles may carry fewer vector rows than sentences; the
   rest are reported as ``unchecked`` segments and left out of the shares).
3. Relation, from the shares (thresholds measured on the demo corpus, see
   docs/provenance.md):

   - ``translation`` (different languages) or ``duplicate`` (same language):
     the shorter side has at least `FULL_SHARE_SHORT` of its sentences aligned and
     the longer side at least `FULL_SHARE_LONG`;
   - ``rewrite`` (partial reuse): at least `REUSE_MIN_SENTENCES` aligned
     sentences and at least `REUSE_MIN_SHARE` of the shorter side;
   - ``rewrite`` also, when the above say neither of the three, from a second
     alignment level, *shared facts*: sentence pairs with cosine >= `FACT_COSINE`
     (well below the alignment threshold) that name >= `FACT_MIN_ENTITIES` of the
     same linked people/places and resolve a date to the same day; they count only
     as a passage (>= `FACT_MIN_PASSAGE` pairs, aligned or fact, ordered on both sides
     within `FACT_MAX_GAP` sentences): wire material rewritten and re-split, which
     independent reports of one event (sharing a fact here and there) do not show;
   - ``independent``: not the above, article-vector cosine >= `SAME_STORY_COSINE`
     (the same story told in other sentences);
   - ``unrelated``: otherwise.

4. Direction, for derived relations, as a sum of signed votes (+ = a is the source):
   publication time (the earlier is the source, weight 2, when the gap is at least
   `MIN_TIME_GAP_MINUTES`); extra material (the side with the clearly smaller
   aligned share carries added material, so it is the reuser; weight 1, gap of
   at least `EXTRA_MATERIAL_GAP` in share); translation artefacts (function words of
   the other side's language left in the aligned sentences, "untranslated" leftovers
   of machine translation; weight 1). A zero sum is ``unknown``.

`story_provenance(articles)` runs `relation` only on the pairs that can be
derived: all sentence vectors of the story are stacked and multiplied once, and
a pair is compared only when its block holds a cosine above the lower alignment
threshold; it returns a small graph (nodes, edges source -> target, originals).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from newsloom.align import greedy_alignment
from newsloom.model import Article

#: Cross-language sentence pairs at or above this cosine count as "the same sentence".
#: Measured (demo corpus, USE): sentences of the marked translation pair 0.79-0.91;
#: best matches between independently written same-story articles in two
#: languages: median 0.44, 90th percentile 0.72.
ALIGN_COSINE_CROSS = 0.75
#: Same-language pairs: copies and light edits measured 0.96-1.00, best matches
#: between independent same-language same-story articles at most 0.79.
ALIGN_COSINE_SAME = 0.80
#: A full translation/duplicate: share of the shorter side aligned ...
FULL_SHARE_SHORT = 0.70
#: ... and share of the longer side (a translation may drop a sentence or two).
FULL_SHARE_LONG = 0.60
#: Partial reuse needs at least this many aligned sentences ...
REUSE_MIN_SENTENCES = 2
#: ... making at least this share of the shorter side.
REUSE_MIN_SHARE = 0.20
#: Article-vector cosine separating "same story, told independently" from "unrelated":
#: demo corpus, same-story pairs 5th percentile 0.55; different-story pairs 95th percentile 0.46.
SAME_STORY_COSINE = 0.50
#: ... and at least this many shared names (same kind of event elsewhere shares words, not names).
MIN_SHARED_NAMES = 2
#: Sentences shorter than this (characters; CJK: a third of it) are datelines, credits
#: and bylines ("- SINOP", "Source: AFP"): they align across unrelated articles of one
#: outlet, so they are neither aligned nor counted in the shares (SemEval-2022 check).
MIN_ALIGN_CHARS = 25
#: Second alignment level, "shared facts" (rewritten, re-split wire material that no
#: sentence pair shows at the thresholds above): a sentence pair counts as shared
#: material when its cosine is at least this -- the 99th percentile of sentence pairs
#: between different stories of the demo corpus (0.32): the two sentences are about the
#: same thing, beyond chance ...
FACT_COSINE = 0.32
#: ... they name at least this many of the same linked people and places (mention
#: `entity_id`s of type PER/LOC; countries and regions, ``cc:``/``reg:``, are left out:
#: every report of a story names them) ...
FACT_MIN_ENTITIES = 2
#: ... and a date expression of each resolves to the same day (`Article.events`).
#: Shared facts make a rewrite only as a passage: at least this many pairs (aligned or
#: shared-fact, at least one of them a fact pair), in the same order on both sides ...
FACT_MIN_PASSAGE = 2
#: ... each at most this many sentences after the previous one on both sides (a rewrite
#: re-splits and trims sentences). Demo corpus: no independent same-story pair has more
#: than one shared-fact pair, so none has a passage (docs/provenance.md).
FACT_MAX_GAP = 2
#: Entity-id prefixes that are too common within a story to be evidence of reuse.
_COMMON_ENTITY_PREFIXES = ("cc:", "reg:")
#: Publication times closer than this say nothing about direction.
MIN_TIME_GAP_MINUTES = 10
#: Aligned shares closer than this say nothing about which side added material.
EXTRA_MATERIAL_GAP = 0.15

DERIVED = ("translation", "duplicate", "rewrite")
RELATIONS = (*DERIVED, "independent", "unrelated")

# A handful of very frequent function words per language: a machine translation
# often leaves some of the source language's behind ("ABC's", "the", "der").
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(["the", "of", "and", "with", "from", "that", "which", "would", "has", "have", "was", "were", "'s"]),
    "fr": frozenset(["le", "la", "les", "des", "du", "et", "est", "une", "dans", "pour", "avec", "sur", "qui", "aux"]),
    "de": frozenset(["der", "die", "das", "und", "ist", "nicht", "mit", "von", "dem", "den", "ein", "eine", "auf"]),
    "es": frozenset(["el", "los", "las", "del", "y", "que", "una", "por", "con", "para", "está", "según"]),
    "it": frozenset(["il", "lo", "gli", "della", "delle", "che", "una", "per", "con", "sono", "nel", "degli"]),
    "pl": frozenset(["i", "w", "na", "z", "się", "że", "jest", "do", "nie", "przez", "oraz"]),
}
_WORD_RE = re.compile(r"\w+|'s\b", re.UNICODE)
_NAME_RE = re.compile(r"(?<![\w.])([A-ZÀ-ÖØ-ÞА-ЯЁŁŚŻŹĆŃÓ][\w'’-]{2,})", re.UNICODE)
_NUMBER_RE = re.compile(r"\d[\d.,]*\d|\d")


@dataclass
class Alignment:
    pairs: list[tuple[int, int, float]]  # (sentence_a, sentence_b, cosine), by sentence_a
    checked_a: int  # sentences of a that have a vector and are long enough to align
    checked_b: int
    threshold: float
    best: float  # largest cosine in the matrix (0 when empty)
    embedded_a: int = 0  # sentences of a that have a vector
    embedded_b: int = 0


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def alignable(text: str) -> bool:
    """Long enough to be evidence of reuse (see `MIN_ALIGN_CHARS`)."""
    text = text.strip()
    limit = MIN_ALIGN_CHARS // 3 if _CJK_RE.search(text) else MIN_ALIGN_CHARS
    return len(text) >= limit


def align_threshold(a: Article, b: Article) -> float:
    same = bool(a.lang) and a.lang == b.lang
    return ALIGN_COSINE_SAME if same else ALIGN_COSINE_CROSS


def _similarity_matrix(a: Article, b: Article) -> np.ndarray:
    from newsloom.similarity.features import sentence_similarity

    return sentence_similarity(a, b)


def align_sentences(a: Article, b: Article, threshold: float | None = None,
                    sims: np.ndarray | None = None) -> Alignment:
    """One-to-one greedy alignment of the sentences of a and b at `threshold`."""
    threshold = align_threshold(a, b) if threshold is None else threshold
    sims = _similarity_matrix(a, b) if sims is None else sims
    na = min(len(a.sentences), sims.shape[0]) if sims.size else 0
    nb = min(len(b.sentences), sims.shape[1]) if sims.size else 0
    if na == 0 or nb == 0:
        return Alignment([], 0, 0, threshold, 0.0, na, nb)
    ok_a = np.array([alignable(s.text) for s in a.sentences[:na]])
    ok_b = np.array([alignable(s.text) for s in b.sentences[:nb]])
    sims = np.where(ok_a[:, None] & ok_b[None, :], sims[:na, :nb], -1.0)
    na_ok, nb_ok = int(ok_a.sum()), int(ok_b.sum())
    if na_ok == 0 or nb_ok == 0:
        return Alignment([], na_ok, nb_ok, threshold, 0.0, na, nb)
    pairs = greedy_alignment(sims, threshold)
    pairs.sort()
    return Alignment(pairs, na_ok, nb_ok, threshold, float(sims.max()), na, nb)


def classify(share_a: float, share_b: float, n_aligned: int, cross_language: bool,
             article_cosine: float | None, shared_names: int = 0, same_story: bool | None = None) -> str:
    """The relation class from the alignment shares (see the module docstring).

    `same_story`, when the caller knows it (the similarity model's decision), settles
    independent vs unrelated; otherwise the article cosine and `MIN_SHARED_NAMES` do."""
    short, long_ = sorted((share_a, share_b), reverse=True)  # the shorter side has the larger share
    if n_aligned and short >= FULL_SHARE_SHORT and long_ >= FULL_SHARE_LONG:
        return "translation" if cross_language else "duplicate"
    if n_aligned >= REUSE_MIN_SENTENCES and short >= REUSE_MIN_SHARE:
        return "rewrite"
    if same_story is not None:
        return "independent" if same_story else "unrelated"
    if article_cosine is not None and article_cosine >= SAME_STORY_COSINE and shared_names >= MIN_SHARED_NAMES:
        return "independent"
    return "unrelated"


@dataclass
class SharedFact:
    """A sentence pair below the alignment threshold that tells the same fact: cosine >=
    `FACT_COSINE`, >= `FACT_MIN_ENTITIES` shared people/places and a shared day."""

    sentence_a: int
    sentence_b: int
    similarity: float
    entities: list[str]  # shared entity ids
    names: list[str]  # their surface forms in a, same order
    dates: list[str]  # shared days, ISO


def _sentence_entities(art: Article) -> list[dict[str, str]]:
    """Per sentence: linked people/places (entity id -> first surface form)."""
    out: list[dict[str, str]] = [{} for _ in art.sentences]
    for m in art.mentions:
        if (m.entity_id and m.type in ("PER", "LOC") and 0 <= m.sentence < len(out)
                and not m.entity_id.startswith(_COMMON_ENTITY_PREFIXES)):
            out[m.sentence].setdefault(m.entity_id, m.text)
    return out


def _sentence_days(art: Article) -> list[set[str]]:
    """Per sentence: the days its date expressions resolve to (day granularity only)."""
    out: list[set[str]] = [set() for _ in art.sentences]
    for e in art.events:
        if e.granularity == "day" and 0 <= e.sentence < len(out):
            out[e.sentence].add(e.date.isoformat())
    return out


def shared_facts(a: Article, b: Article, sims: np.ndarray, taken: list[tuple[int, int, float]] = ()
                 ) -> list[SharedFact]:
    """One-to-one shared-fact pairs (best cosine first) among sentences not in `taken`."""
    ents_a, ents_b = _sentence_entities(a), _sentence_entities(b)
    days_a, days_b = _sentence_days(a), _sentence_days(b)
    used_a = {i for i, _, _ in taken}
    used_b = {j for _, j, _ in taken}
    na, nb = min(len(a.sentences), sims.shape[0]), min(len(b.sentences), sims.shape[1])
    candidates = []
    for i in range(na):
        if i in used_a or not days_a[i] or len(ents_a[i]) < FACT_MIN_ENTITIES:
            continue
        for j in range(nb):
            cosine = float(sims[i, j])
            if j in used_b or cosine < FACT_COSINE or not (days_a[i] & days_b[j]):
                continue
            common = [e for e in ents_a[i] if e in ents_b[j]]
            if len(common) >= FACT_MIN_ENTITIES:
                candidates.append((cosine, i, j, common))
    candidates.sort(key=lambda c: -c[0])
    out: list[SharedFact] = []
    for cosine, i, j, common in candidates:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.append(SharedFact(i, j, cosine, common, [ents_a[i][e] for e in common],
                              sorted(days_a[i] & days_b[j])))
    return sorted(out, key=lambda f: f.sentence_a)


def fact_passage(aligned: list[tuple[int, int, float]], facts: list[SharedFact]) -> list[SharedFact]:
    """The shared-fact pairs that lie in a passage (see `FACT_MIN_PASSAGE`, `FACT_MAX_GAP`).

    Pairs (aligned or fact) are linked when the later one follows the earlier one by
    1..`FACT_MAX_GAP` sentences on both sides; a connected group of at least
    `FACT_MIN_PASSAGE` pairs is a passage."""
    pairs: list[tuple[int, int, SharedFact | None]] = (
        [(i, j, None) for i, j, _ in aligned] + [(f.sentence_a, f.sentence_b, f) for f in facts])
    group = list(range(len(pairs)))

    def root(k: int) -> int:
        while group[k] != k:
            k = group[k]
        return k

    for x, (i0, j0, _) in enumerate(pairs):
        for y, (i1, j1, _) in enumerate(pairs):
            if 0 < i1 - i0 <= FACT_MAX_GAP and 0 < j1 - j0 <= FACT_MAX_GAP:
                group[root(y)] = root(x)
    members: dict[int, list[int]] = {}
    for k in range(len(pairs)):
        members.setdefault(root(k), []).append(k)
    out: list[SharedFact] = []
    for ks in members.values():
        in_group = [pairs[k][2] for k in ks if pairs[k][2] is not None]
        if len(ks) >= FACT_MIN_PASSAGE and in_group:
            out.extend(in_group)
    return sorted(out, key=lambda f: f.sentence_a)


def _function_word_leftovers(texts: list[str], own_lang: str | None, other_lang: str | None) -> int:
    """Tokens of `texts` that are function words of `other_lang` but not of `own_lang`."""
    if not own_lang or not other_lang or own_lang == other_lang:
        return 0
    foreign = _FUNCTION_WORDS.get(other_lang)
    if not foreign:
        return 0
    foreign = foreign - _FUNCTION_WORDS.get(own_lang, frozenset())
    return sum(1 for text in texts for tok in _WORD_RE.findall(text.lower()) if tok in foreign)


def direction(a: Article, b: Article, alignment: Alignment, share_a: float, share_b: float
              ) -> tuple[str, list[dict[str, Any]]]:
    """('a->b' | 'b->a' | 'unknown', evidence): who is the source (see module docstring)."""
    evidence: list[dict[str, Any]] = []
    if a.published is not None and b.published is not None:
        gap = (b.published - a.published).total_seconds() / 60.0
        if abs(gap) >= MIN_TIME_GAP_MINUTES:
            earlier = "a" if gap > 0 else "b"
            evidence.append({"signal": "published", "favours": "a->b" if gap > 0 else "b->a", "weight": 2,
                             "detail": f"{earlier} was published {abs(gap) / 60:.1f} h earlier"})
        else:
            evidence.append({"signal": "published", "favours": "unknown", "weight": 0,
                             "detail": "published within minutes of each other"})
    else:
        evidence.append({"signal": "published", "favours": "unknown", "weight": 0,
                         "detail": "publication time missing"})
    if abs(share_a - share_b) >= EXTRA_MATERIAL_GAP:
        # the side whose sentences are less covered holds added material: it is the reuser
        favours = "a->b" if share_b < share_a else "b->a"
        extra = "b" if share_b < share_a else "a"
        evidence.append({"signal": "extra_material", "favours": favours, "weight": 1,
                         "detail": f"{extra} adds material around the shared part "
                                   f"({1 - min(share_a, share_b):.0%} of its sentences are its own)"})
    texts_a = [a.sentences[i].text for i, _, _ in alignment.pairs]
    texts_b = [b.sentences[j].text for _, j, _ in alignment.pairs]
    left_a = _function_word_leftovers(texts_a, a.lang, b.lang)
    left_b = _function_word_leftovers(texts_b, b.lang, a.lang)
    if left_a != left_b:
        favours = "a->b" if left_b > left_a else "b->a"
        side, n, src = ("b", left_b, a.lang) if left_b > left_a else ("a", left_a, b.lang)
        evidence.append({"signal": "translation_artefacts", "favours": favours, "weight": 1,
                         "detail": f"{side}'s shared sentences keep {n} '{src}' function word(s) untranslated"})
    score = sum(e["weight"] * (1 if e["favours"] == "a->b" else -1 if e["favours"] == "b->a" else 0)
                for e in evidence)
    return ("a->b" if score > 0 else "b->a" if score < 0 else "unknown"), evidence


def segments(n_sentences: int, checked: int, shared: dict[int, int],
             short: set[int] = frozenset()) -> list[dict[str, Any]]:
    """Runs of consecutive sentences: ``shared`` (with counterparts), ``own``, ``short``
    (too short to tell, see `MIN_ALIGN_CHARS`) or ``unchecked`` (no sentence vector)."""
    runs: list[dict[str, Any]] = []
    for i in range(n_sentences):
        kind = ("unchecked" if i >= checked else "shared" if i in shared else "short" if i in short else "own")
        if runs and runs[-1]["kind"] == kind:
            runs[-1]["end"] = i + 1
        else:
            runs.append({"kind": kind, "start": i, "end": i + 1})
        if kind == "shared":
            runs[-1].setdefault("counterparts", []).append(shared[i])
    return runs


def _names(text: str) -> dict[str, str]:
    """Folded name key -> first surface form: capitalised words not at a sentence start."""
    from anyascii import anyascii

    out: dict[str, str] = {}
    for m in _NAME_RE.finditer(text):
        start = m.start()
        before = text[max(0, start - 2):start]
        if not before.strip() or before.strip()[-1:] in ".!?\"«“:":
            continue
        key = anyascii(m.group(1)).lower()[:5]
        out.setdefault(key, m.group(1))
    return out


def shared_material(a: Article, b: Article, limit: int = 12) -> dict[str, list[str]]:
    """Names and numbers found in both articles (for explanations of any relation)."""
    text_a = f"{a.title or ''}\n{a.clean_text}"
    text_b = f"{b.title or ''}\n{b.clean_text}"
    na, nb = _names(text_a), _names(text_b)
    names = [na[k] for k in na if k in nb][:limit]
    nums_a = {n for n in _NUMBER_RE.findall(text_a) if len(n.strip(".,")) >= 2}
    nums_b = {n for n in _NUMBER_RE.findall(text_b) if len(n.strip(".,")) >= 2}
    return {"names": names, "numbers": sorted(nums_a & nums_b)[:limit]}


def _article_cosine(a: Article, b: Article) -> float | None:
    if a.vector is None or b.vector is None:
        return None
    na, nb = float(np.linalg.norm(a.vector)), float(np.linalg.norm(b.vector))
    if na == 0 or nb == 0:
        return None
    return float(a.vector @ b.vector) / (na * nb)


def relation(a: Article, b: Article, sims: np.ndarray | None = None, *,
             same_story: bool | None = None) -> dict[str, Any]:
    """How b relates to a: translation, duplicate, rewrite (partial reuse), independent or unrelated.

    Returns a dict with ``relation``, ``direction`` ('a->b', 'b->a', 'unknown'),
    ``direction_evidence``, ``share_a``, ``share_b``, ``aligned`` (list of
    {sentence_a, sentence_b, text_a, text_b, similarity}), ``segments_a``,
    ``segments_b``, ``shared`` (names and numbers in both), ``thresholds`` and
    ``explanation``. Both articles must be prepared and embedded. `same_story`
    (e.g. `Comparison.same_story`) decides independent vs unrelated when given.
    """
    sims = _similarity_matrix(a, b) if sims is None else sims
    alignment = align_sentences(a, b, sims=sims)
    n = len(alignment.pairs)
    share_a = n / alignment.checked_a if alignment.checked_a else 0.0
    share_b = n / alignment.checked_b if alignment.checked_b else 0.0
    cross = bool(a.lang and b.lang and a.lang != b.lang)
    cosine = _article_cosine(a, b)
    shared = shared_material(a, b)
    kind = classify(share_a, share_b, n, cross, cosine, len(shared["names"]), same_story)
    facts: list[SharedFact] = []
    if kind not in DERIVED and sims.size:
        # second level: a passage of shared facts told in other sentences
        facts = fact_passage(alignment.pairs, shared_facts(a, b, sims, alignment.pairs))
        if facts:
            kind = "rewrite"
            alignment.pairs = sorted(alignment.pairs + [(f.sentence_a, f.sentence_b, f.similarity)
                                                        for f in facts])
            n = len(alignment.pairs)
            share_a = n / alignment.checked_a if alignment.checked_a else 0.0
            share_b = n / alignment.checked_b if alignment.checked_b else 0.0
    fact_at = {(f.sentence_a, f.sentence_b): f for f in facts}
    if kind in DERIVED:
        way, evidence = direction(a, b, alignment, share_a, share_b)
    else:
        way, evidence = "unknown", [{"signal": "alignment", "favours": "unknown", "weight": 0,
                                     "detail": "too few shared sentences for one to derive from the other"}]
    aligned = [{"sentence_a": i, "sentence_b": j, "text_a": a.sentences[i].text, "text_b": b.sentences[j].text,
                "similarity": round(c, 4), "level": "fact" if (i, j) in fact_at else "sentence"}
               for i, j, c in alignment.pairs]
    result = {
        "relation": kind,
        "direction": way,
        "direction_evidence": evidence,
        "share_a": round(share_a, 4),
        "share_b": round(share_b, 4),
        "aligned": aligned,
        "segments_a": segments(len(a.sentences), alignment.embedded_a, {i: j for i, j, _ in alignment.pairs},
                               _short(a)),
        "segments_b": segments(len(b.sentences), alignment.embedded_b, {j: i for i, j, _ in alignment.pairs},
                               _short(b)),
        "shared": shared,
        "shared_facts": [{"sentence_a": f.sentence_a, "sentence_b": f.sentence_b,
                          "similarity": round(f.similarity, 4), "entities": f.entities, "names": f.names,
                          "dates": f.dates} for f in facts],
        "article_cosine": None if cosine is None else round(cosine, 4),
        "best_sentence_similarity": round(alignment.best, 4),
        "thresholds": {"align_cosine": alignment.threshold, "full_share_short": FULL_SHARE_SHORT,
                       "full_share_long": FULL_SHARE_LONG, "reuse_min_share": REUSE_MIN_SHARE,
                       "reuse_min_sentences": REUSE_MIN_SENTENCES, "same_story_cosine": SAME_STORY_COSINE,
                       "fact_cosine": FACT_COSINE, "fact_min_entities": FACT_MIN_ENTITIES,
                       "fact_min_passage": FACT_MIN_PASSAGE, "fact_max_gap": FACT_MAX_GAP},
    }
    result["explanation"] = explain(result, a, b)
    return result


def _short(art: Article) -> set[int]:
    return {k for k, s in enumerate(art.sentences) if not alignable(s.text)}


def _side_counts(segs: list[dict[str, Any]]) -> str:
    shared = [s for s in segs if s["kind"] == "shared"]
    return ", ".join(f"{s['start'] + 1}-{s['end']}" if s["end"] - s["start"] > 1 else f"{s['start'] + 1}"
                     for s in shared)


def explain(r: dict[str, Any], a: Article, b: Article) -> str:
    """Plain words for a relation dict."""
    n = len(r["aligned"])
    na = sum(s["end"] - s["start"] for s in r["segments_a"] if s["kind"] in ("shared", "own"))
    nb = sum(s["end"] - s["start"] for s in r["segments_b"] if s["kind"] in ("shared", "own"))
    names = ", ".join(r["shared"]["names"][:8])
    kind, way = r["relation"], r["direction"]
    src, dst = ("a", "b") if way != "b->a" else ("b", "a")
    if kind == "translation":
        head = f"{dst} is a translation of {src}" if way != "unknown" else "one article translates the other"
    elif kind == "duplicate":
        head = f"{dst} is a (lightly edited) copy of {src}" if way != "unknown" else "the two are near-duplicates"
    elif kind == "rewrite":
        head = (f"{dst} reuses part of {src}" if way != "unknown" else "the two share part of their text")
        if r.get("shared_facts"):
            head += " (rewritten: shared facts, not copied sentences)"
    elif kind == "independent":
        best, bar = r["best_sentence_similarity"], r["thresholds"]["align_cosine"]
        if n:
            # a sentence or two may align by chance (a quote, a stock phrase): too few to be reuse
            head = (f"same story, reported independently: only {n} sentence pair(s) align one-to-one "
                    f"(cosine >= {bar:.2f}), fewer than reuse needs ({REUSE_MIN_SENTENCES} sentences and "
                    f"{REUSE_MIN_SHARE:.0%} of the shorter side)")
        else:
            head = ("same story, reported independently: no sentence of one is a translation or copy of a "
                    f"sentence of the other (best match {best:.2f} < {bar:.2f})")
    else:
        head = "unrelated articles"
    parts = [head]
    facts = r.get("shared_facts") or []
    if facts:
        told = "; ".join(f"a {f['sentence_a'] + 1} ~ b {f['sentence_b'] + 1}: "
                         f"{', '.join(f['names'])} on {', '.join(f['dates'])}" for f in facts)
        parts.append(f"{len(facts)} sentence pair(s) tell the same facts in other words, in one passage "
                     f"(cosine >= {FACT_COSINE:.2f}, >= {FACT_MIN_ENTITIES} shared people/places and the "
                     f"same day): {told}")
    if kind in DERIVED:
        parts.append(f"{n} of {na} sentences of a and {n} of {nb} of b align one-to-one "
                     f"(shared sentences of a: {_side_counts(r['segments_a']) or '-'}; "
                     f"of b: {_side_counts(r['segments_b']) or '-'})")
        reasons = [e["detail"] for e in r["direction_evidence"] if e["favours"] != "unknown"]
        if way != "unknown" and reasons:
            parts.append("direction from: " + "; ".join(reasons))
        elif way == "unknown":
            parts.append("direction unknown: " + "; ".join(e["detail"] for e in r["direction_evidence"]))
    if names and kind != "unrelated":
        parts.append(f"shared names: {names}")
    return ". ".join(parts) + "."


# -- a story's provenance graph --------------------------------------------------

def _stacked(articles: list[Article]) -> tuple[np.ndarray, list[int]]:
    """All sentence vectors stacked, and each article's offset into the stack."""
    blocks, offsets, at = [], [], 0
    for art in articles:
        vecs = art.sentence_vectors
        offsets.append(at)
        if vecs is not None and len(vecs):
            rows = np.asarray(vecs[:len(art.sentences)], np.float32)
            blocks.append(rows)
            at += len(rows)
    offsets.append(at)
    stack = np.vstack(blocks) if blocks else np.zeros((0, 1), np.float32)
    return stack, offsets


def candidate_pairs(articles: list[Article]) -> list[tuple[int, int, np.ndarray]]:
    """Pairs (i, j, their cosine block) holding at least one sentence pair above the lower
    alignment threshold: every other pair has no aligned sentence, so cannot be derived."""
    stack, offsets = _stacked(articles)
    if not len(stack):
        return []
    sims = stack @ stack.T
    floor = min(ALIGN_COSINE_CROSS, ALIGN_COSINE_SAME)
    # articles with dated sentences can also share facts, at the lower FACT_COSINE
    dated = [any(e.granularity == "day" for e in art.events) for art in articles]
    out = []
    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            block = sims[offsets[i]:offsets[i + 1], offsets[j]:offsets[j + 1]]
            pair_floor = FACT_COSINE if dated[i] and dated[j] else floor
            if block.size and float(block.max()) >= pair_floor:
                out.append((i, j, block))
    return out


def story_provenance(articles: list[Article]) -> dict[str, Any] | None:
    """The derivation graph of a story's articles.

    Returns {"nodes": [{id, title, lang, source, published, original, derived_from}],
    "edges": [{source, target, relation, share, direction_known, evidence}],
    "originals": [ids of articles no other member derives from]}, or None for no
    articles. An edge A -> B (B derives from A) implied by A -> C -> B with
    at least the same share is dropped, to keep the graph small.
    """
    if not articles:
        return None
    edges: list[dict[str, Any]] = []
    for i, j, block in candidate_pairs(articles):
        a, b = articles[i], articles[j]
        r = relation(a, b, sims=block)
        if r["relation"] not in DERIVED:
            continue
        way = r["direction"]
        known = way != "unknown"
        if way == "unknown":  # fall back on order of appearance, and say so
            way = "a->b" if a.when <= b.when else "b->a"
        src, dst = (a, b) if way == "a->b" else (b, a)
        share = r["share_b"] if way == "a->b" else r["share_a"]
        edges.append({"source": src.id, "target": dst.id, "relation": r["relation"], "share": share,
                      "direction_known": known,
                      "evidence": [e["detail"] for e in r["direction_evidence"] if e["favours"] != "unknown"]})
    edges = _drop_implied(edges)
    incoming: dict[str, list[str]] = {}
    for e in edges:
        incoming.setdefault(e["target"], []).append(e["source"])
    nodes = [{"id": art.id, "title": art.title, "lang": art.lang, "source": art.source,
              "published": art.published.isoformat() if art.published else None,
              "original": art.id not in incoming, "derived_from": incoming.get(art.id, [])}
             for art in articles]
    return {"nodes": nodes, "edges": edges, "originals": [n["id"] for n in nodes if n["original"]]}


def _drop_implied(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    share = {(e["source"], e["target"]): e["share"] for e in edges}
    keep = []
    for e in edges:
        s2, t = e["source"], e["target"]
        implied = any(s1 != s2 and (s1, s2) in share and (s1, t) in share and share[(s1, t)] >= e["share"]
                      and (s2, s1) not in share
                      for s1, _ in share)
        if not implied:
            keep.append(e)
    return keep


# -- evaluation -------------------------------------------------------------------

DEMO_CORPUS = Path(__file__).resolve().parent / "data" / "demo" / "articles.jsonl"


def _shared_dir() -> Path:
    return Path(__file__).resolve().parents[2] / ".." / "shared"


@dataclass
class EvalPair:
    name: str
    a: Any  # RawArticle
    b: Any
    gold: str
    gold_direction: str  # 'a->b', 'b->a' or 'unknown'
    origin: str  # demo, stitched, semeval


def _demo_raws(path: Path = DEMO_CORPUS) -> list[tuple[dict[str, Any], Any]]:
    from newsloom.model import RawArticle

    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        raw = RawArticle(text=d["text"], title=d.get("title"), url=d.get("url"), source=d.get("source"),
                         published=datetime.fromisoformat(d["published"]) if d.get("published") else None,
                         lang=d.get("lang"), external_id=d["id"], metadata=d.get("metadata") or {},
                         origin=f"demo:{d['id']}")
        out.append((d, raw))
    return out


def demo_gold(records: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, str]]:
    """Gold relation and direction for every pair of the demo corpus, from its metadata.

    Full copies (translation_of, near_duplicate_of) are closed transitively: two
    copies of one original are copies of each other (direction by publication
    time). rewrite_of marks partial reuse. Other same-story pairs are independent,
    pairs of different stories unrelated.
    """
    by_id = {r["id"]: r for r in records}
    root = {r["id"]: r["id"] for r in records}

    def find(x: str) -> str:
        while root[x] != x:
            x = root[x]
        return x

    derived: dict[tuple[str, str], str] = {}
    for r in records:
        meta = r.get("metadata") or {}
        for key in ("translation_of", "near_duplicate_of"):
            if meta.get(key) in by_id:
                root[find(r["id"])] = find(meta[key])
        if meta.get("rewrite_of") in by_id:
            derived[(meta["rewrite_of"], r["id"])] = "rewrite"
    gold: dict[tuple[str, str], tuple[str, str]] = {}
    ids = [r["id"] for r in records]
    for x in range(len(ids)):
        for y in range(x + 1, len(ids)):
            ra, rb = by_id[ids[x]], by_id[ids[y]]
            way = "a->b" if ra["published"] <= rb["published"] else "b->a"
            if find(ra["id"]) == find(rb["id"]):
                label = "translation" if ra["lang"] != rb["lang"] else "duplicate"
            elif (ra["id"], rb["id"]) in derived:
                label, way = derived[(ra["id"], rb["id"])], "a->b"
            elif (rb["id"], ra["id"]) in derived:
                label, way = derived[(rb["id"], ra["id"])], "b->a"
            elif ra["story"] == rb["story"]:
                label, way = "independent", "unknown"
            else:
                label, way = "unrelated", "unknown"
            gold[(ra["id"], rb["id"])] = (label, way)
    return gold


def stitched_pairs(raws: dict[str, Any]) -> list[EvalPair]:
    """Partial-reuse pairs made from our own demo material: the first half of one
    article's paragraphs (or of its marked translation) followed by paragraphs of
    another story, published a day later. Gold: rewrite, source -> stitched."""
    from newsloom.model import RawArticle

    recipes = [  # (source of the reused half, article whose paragraphs are taken, filler)
        ("izmir-en-ht", "izmir-fr-cdl", "geneva-fr-cdl"),   # cross-language reuse via the translation
        ("izmir-en-ht", "izmir-en-ht", "veltrix-en-ht"),     # same-language copy of half
        ("geneva-de-rb", "geneva-de-rb", "oder-de-rb"),
        ("valencia-es-efd", "valencia-es-efd", "veltrix-es-efd"),
    ]
    out = []
    for source_id, taken_id, filler_id in recipes:
        if not all(k in raws for k in (source_id, taken_id, filler_id)):
            continue
        taken, filler = raws[taken_id], raws[filler_id]
        paras = [p for p in taken.text.split("\n") if p.strip() and p not in taken.metadata.get("debris", [])]
        extra = [p for p in filler.text.split("\n") if p.strip() and p not in filler.metadata.get("debris", [])]
        half = paras[: max(2, len(paras) // 2)]
        text = "\n".join(half + extra[: max(2, len(extra) // 2)])
        when = max(taken.published, filler.published) + timedelta(days=1)
        stitched = RawArticle(text=text, title=taken.title, source="Stitched Wire", published=when, lang=taken.lang,
                              origin=f"stitched:{taken_id}+{filler_id}")
        out.append(EvalPair(f"{source_id} | stitched({taken_id}+{filler_id})", raws[source_id], stitched,
                            "rewrite", "a->b", "stitched"))
        out.append(EvalPair(f"{filler_id} | stitched({taken_id}+{filler_id})", filler, stitched,
                            "rewrite", "a->b", "stitched"))
    return out


def semeval_pairs(shared: Path, limit: int) -> list[EvalPair]:
    """SemEval-2022 Task 8 pairs read from ../shared at eval time (never copied).

    Their labels are story similarity, not provenance: Overall >= 3.5 pairs must
    not come out derived (gold 'unrelated' for scoring the derived classes'
    precision); Overall == 1 pairs are same-story (gold 'independent' unless a
    near-translation, which the data does not mark: they are reported, not scored
    against a derived label)."""
    from newsloom.model import RawArticle

    path = shared / "data" / "semeval2022" / "train_pairs.jsonl"
    if not path.is_file() or limit <= 0:
        return []
    same, far = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if d.get("quality") != "original":
            continue
        overall = (d.get("labels") or {}).get("Overall")
        if overall is None:
            continue
        bucket = same if overall == 1.0 else far if overall >= 3.5 else None
        if bucket is None or len(bucket) >= limit:
            continue
        a = RawArticle(text=d["text1"], title=d.get("title1") or None, lang=d.get("lang1"), origin="semeval")
        b = RawArticle(text=d["text2"], title=d.get("title2") or None, lang=d.get("lang2"), origin="semeval")
        bucket.append(EvalPair(f"semeval {d['pair_id']} overall={overall}", a, b,
                               "same-story" if overall == 1.0 else "unrelated", "unknown", "semeval"))
    return same + far


def _prepare(raws: list[Any]) -> list[Article | None]:
    from newsloom.model import ItemError
    from newsloom.pipeline import Pipeline

    pipeline = Pipeline(enrich=True)  # linked entities and dated events feed the shared-fact level
    out: list[Article | None] = []
    for item in pipeline.prepare_many(raws):
        out.append(None if isinstance(item, ItemError) else item[0])
    failed = [k for k, art in enumerate(out) if art is None]
    if failed:  # an enrichment failure must not drop the pair: score it without entities and dates
        plain = Pipeline(pipeline.encoder, enrich=False)
        for k, item in zip(failed, plain.prepare_many([raws[k] for k in failed])):
            out[k] = None if isinstance(item, ItemError) else item[0]
    return out


def precision_recall(pairs: list[tuple[str, str]], classes: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Per class precision, recall, F1 and support from (gold, predicted) pairs."""
    table = {}
    for c in classes:
        tp = sum(1 for g, p in pairs if g == c and p == c)
        fp = sum(1 for g, p in pairs if g != c and p == c)
        fn = sum(1 for g, p in pairs if g == c and p != c)
        prec = tp / (tp + fp) if tp + fp else None
        rec = tp / (tp + fn) if tp + fn else None
        f1 = 2 * prec * rec / (prec + rec) if prec and rec else None
        table[c] = {"precision": prec, "recall": rec, "f1": f1, "support": tp + fn, "predicted": tp + fp}
    return table


def run_evaluation(*, semeval_pairs_n: int = 0, shared: Path | None = None) -> dict[str, Any]:
    """Run relation() on the demo test set (+ stitched pairs, + optional SemEval pairs)."""
    records_raws = _demo_raws()
    records = [r for r, _ in records_raws]
    raws = {r["id"]: raw for r, raw in records_raws}
    gold = demo_gold(records)
    pairs = [EvalPair(f"{x} | {y}", raws[x], raws[y], g, w, "demo") for (x, y), (g, w) in gold.items()]
    pairs += stitched_pairs(raws)
    if shared is not None and semeval_pairs_n:
        pairs += semeval_pairs(shared, semeval_pairs_n)
    unique: dict[int, Any] = {}
    for p in pairs:
        unique.setdefault(id(p.a), p.a)
        unique.setdefault(id(p.b), p.b)
    prepared = dict(zip(unique, _prepare(list(unique.values()))))
    rows = []
    for p in pairs:
        a, b = prepared[id(p.a)], prepared[id(p.b)]
        if a is None or b is None:
            continue
        r = relation(a, b)
        rows.append({"pair": p.name, "origin": p.origin, "gold": p.gold, "predicted": r["relation"],
                     "gold_direction": p.gold_direction, "direction": r["direction"],
                     "share_a": r["share_a"], "share_b": r["share_b"], "facts": len(r["shared_facts"])})
    scored = [(r["gold"], r["predicted"]) for r in rows if r["gold"] in RELATIONS]
    reuse = [("reuse" if g in DERIVED else "none", "reuse" if p in DERIVED else "none") for g, p in scored]
    directed = [r for r in rows if r["gold"] in DERIVED and r["predicted"] in DERIVED]
    semeval_same = [r for r in rows if r["gold"] == "same-story"]
    report = {
        "pairs": len(rows),
        "by_class": precision_recall(scored, RELATIONS),
        "reuse_any": precision_recall(reuse, ("reuse",))["reuse"],
        "direction_accuracy": (sum(r["direction"] == r["gold_direction"] for r in directed) / len(directed)
                               if directed else None),
        "direction_pairs": len(directed),
        "fact_level_rewrites": {"demo": sum(1 for r in rows if r["facts"] and r["origin"] != "semeval"),
                                "semeval": sum(1 for r in rows if r["facts"] and r["origin"] == "semeval")},
        "semeval_overall1_predicted": {c: sum(r["predicted"] == c for r in semeval_same) for c in RELATIONS},
        "errors": [r for r in rows if r["gold"] in RELATIONS and r["gold"] != r["predicted"]],
        "thresholds": {"ALIGN_COSINE_CROSS": ALIGN_COSINE_CROSS, "ALIGN_COSINE_SAME": ALIGN_COSINE_SAME,
                       "FULL_SHARE_SHORT": FULL_SHARE_SHORT, "FULL_SHARE_LONG": FULL_SHARE_LONG,
                       "REUSE_MIN_SHARE": REUSE_MIN_SHARE, "REUSE_MIN_SENTENCES": REUSE_MIN_SENTENCES,
                       "SAME_STORY_COSINE": SAME_STORY_COSINE, "FACT_COSINE": FACT_COSINE,
                       "FACT_MIN_ENTITIES": FACT_MIN_ENTITIES, "FACT_MIN_PASSAGE": FACT_MIN_PASSAGE,
                       "FACT_MAX_GAP": FACT_MAX_GAP},
    }
    return report


def _pct(x: float | None) -> str:
    return "  -  " if x is None else f"{x:5.2f}"


def format_report(report: dict[str, Any]) -> str:
    lines = [f"provenance evaluation: {report['pairs']} pairs", "",
             "class          precision  recall   f1    support  predicted"]
    for c, m in report["by_class"].items():
        lines.append(f"{c:<14} {_pct(m['precision'])}      {_pct(m['recall'])}   {_pct(m['f1'])}  "
                     f"{m['support']:7d}  {m['predicted']:9d}")
    m = report["reuse_any"]
    lines.append(f"{'any reuse':<14} {_pct(m['precision'])}      {_pct(m['recall'])}   {_pct(m['f1'])}  "
                 f"{m['support']:7d}  {m['predicted']:9d}")
    if report["direction_accuracy"] is not None:
        lines.append(f"\ndirection accuracy on correctly found derived pairs: "
                     f"{report['direction_accuracy']:.2f} ({report['direction_pairs']} pairs)")
    facts = report["fact_level_rewrites"]
    lines.append(f"rewrites decided by shared facts (second level): demo+stitched {facts['demo']}, "
                 f"SemEval {facts['semeval']}")
    if any(report["semeval_overall1_predicted"].values()):
        lines.append("SemEval Overall=1 pairs, predicted: " + ", ".join(
            f"{k} {v}" for k, v in report["semeval_overall1_predicted"].items() if v))
    if report["errors"]:
        lines.append("\ndisagreements with gold:")
        for e in report["errors"]:
            lines.append(f"  {e['pair']}: gold {e['gold']}, predicted {e['predicted']} "
                         f"(shares {e['share_a']:.2f}/{e['share_b']:.2f})")
    return "\n".join(lines)


def main_eval(argv: list[str] | None = None) -> int:
    """`newsloom eval provenance [--json] [--semeval N]`: precision/recall per relation class."""
    p = argparse.ArgumentParser(prog="newsloom eval provenance",
                                description="precision and recall of the provenance relation classes")
    p.add_argument("--json", action="store_true")
    p.add_argument("--semeval", type=int, default=0, metavar="N",
                   help="also run up to N SemEval-2022 pairs of each of Overall=1 and Overall>=3.5 "
                        "(read from ../shared)")
    argv = [a for a in (sys.argv[1:] if argv is None else argv) if a != "--"]  # `... provenance -- --semeval 50`
    args = p.parse_args(argv)
    report = run_evaluation(semeval_pairs_n=args.semeval, shared=_shared_dir())
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False, default=str)
        print()
    else:
        print(format_report(report))
    return 0


__all__ = [
    "DERIVED",
    "RELATIONS",
    "align_sentences",
    "classify",
    "main_eval",
    "relation",
    "run_evaluation",
    "story_provenance",
]
