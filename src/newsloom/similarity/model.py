"""The trained similarity model and `compare(a, b) -> Comparison`.

Algorithm: `features.pair_features` (embedding agreement + who/where/when) feeds
one gradient-boosted tree ensemble per dimension (Overall, Geography, Entities,
Time, Narrative), trained on SemEval-2022 Task 8 (Chen et al., 2022) with
monotone constraints (more overlap never predicts *less* similar), exported to
JSON and evaluated with numpy (`trees.TreeEnsemble`). Predictions are clipped to
the task scale 1 (same) .. 4 (unrelated). The same-story decision is
``overall <= threshold``; its probability is ``sigmoid(slope * (threshold - overall))``,
both calibrated on the samestory calibration pools (see `train.py`).

Head trees (since sim-2026.12-12): a second set of ensembles, trained on the same rows
with one more feature, the cosine of the two articles' head vectors (title + lead
through multilingual-e5-small, `embed.head`; since sim-2026.12-15 after subtracting each
side's language centre, `embed.head.LanguageCentres`, stored with the head trees), with
their own same-story calibration.
A pair whose two articles both carry a head vector is scored by them, any other pair
by the base trees. Head vectors cost ~0.1 s an article, so `compare` and the
evaluation commands compute them and the stream's verifier does not.

Low confidence (documented rule): a side is *thin* when its clean text is empty
("empty text", or "debris only" when cleaning removed everything), has no sentence
of at least `MIN_SENTENCE_WORDS` words ("debris only": menus, bylines, share
buttons), or has fewer than `MIN_WORDS` words ("very short text"). A comparison with a thin side, or
with a language outside `SUPPORTED_LANGUAGES`, gets ``confidence="low"`` and a
warning saying which; an article without vectors raises `InputError(kind="missing")`.
"""

from __future__ import annotations

import json
import math
import re
import threading
from pathlib import Path

import numpy as np

from newsloom.align import greedy_alignment
from newsloom.embed.head import LanguageCentres
from newsloom.errors import InputError
from newsloom.model import SUPPORTED_LANGUAGES, AlignedPair, Article, Comparison
from newsloom.similarity.features import (
    FEATURE_NAMES,
    HEAD_FEATURE_NAMES,
    article_signals,
    contrasting_title_tokens,
    date_gap_days,
    dominant_years,
    pair_features,
    pair_features_with_head,
    sentence_similarity,
    shared_numbers,
    shared_proxy_names,
    title_contrast,
    warm_up_features,
)
from newsloom.similarity.trees import TreeEnsemble

DIMENSIONS: tuple[str, ...] = ("Overall", "Geography", "Entities", "Time", "Narrative")
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "similarity_model.json"
MIN_WORDS = 25
MIN_SENTENCE_WORDS = 5
#: A sentence with a counterpart at this cosine or above counts as "matched".
EVIDENCE_THRESHOLD = 0.6
#: Evidence lists the best one-to-one pairs down to this cosine, each with its score, so
#: that two articles telling one story in their own words still show what lines up.
EVIDENCE_FLOOR = 0.4
MAX_EVIDENCE = 8

_WORD_RE = re.compile(r"[^\W\d_]{2,}|\d+")  # words of letters, or numbers; not "|" or "»"
_LOCK = threading.Lock()
_DEFAULT: "SimilarityModel | None" = None


def _words(text: str) -> int:
    # CJK has no spaces: count characters / 2 as a rough word count
    cjk = sum(1 for c in text if "\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af")
    return len(_WORD_RE.findall(text)) + cjk // 2


def _names_phrase(names: list[str], limit: int = 3) -> str:
    if len(names) <= limit:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


class SimilarityModel:
    """Multi-output similarity on the SemEval-2022 Task 8 scale, numpy-only inference.

    Parameters:
        spec: the parsed model JSON (``version``, ``feature_names``, ``dimensions``,
            ``same_story``); use `load_default()` for the shipped artefact.
    """

    def __init__(self, spec: dict) -> None:
        if list(spec.get("feature_names", [])) != list(FEATURE_NAMES):
            raise InputError("similarity model was trained on other features; retrain it", kind="model")
        self.version: str = spec["version"]
        self.spec = spec
        self.ensembles = {d: TreeEnsemble(spec["dimensions"][d]) for d in DIMENSIONS}
        same = spec.get("same_story", {})
        self.same_story_threshold = float(same.get("threshold", 2.2))
        self.same_story_slope = float(same.get("slope", 4.0))
        # models calibrated before the veto existed keep deciding on Overall alone
        self.title_contrast_veto = bool(same.get("title_contrast_veto", False))
        # head trees (optional): the same dimensions with the head encoder's cosine as one more
        # feature, used for a pair whose two articles both have a head vector; with their own
        # same-story calibration, since their Overall is a different predictor's
        head = spec.get("head") or None
        self.head_encoder_name: str | None = head.get("encoder") if head else None
        self.head_ensembles = {d: TreeEnsemble(head["dimensions"][d]) for d in DIMENSIONS} if head else None
        # the head cosine the head trees were trained on: language-centred since sim-2026.12-15
        # (models without centres saw the raw cosine, and keep getting it)
        self.head_centres = LanguageCentres.from_json(head["centres"]) if head and head.get("centres") else None
        head_same = (head or {}).get("same_story", {})
        self.head_threshold = float(head_same.get("threshold", self.same_story_threshold))
        self.head_slope = float(head_same.get("slope", self.same_story_slope))
        # the features' one-off tables (~0.3 s): built with the model, not on a stream's first pair
        warm_up_features()

    @classmethod
    def load(cls, path: str | Path) -> "SimilarityModel":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def load_default(cls) -> "SimilarityModel":
        """The shipped model, loaded lazily once per process."""
        global _DEFAULT
        with _LOCK:
            if _DEFAULT is None:
                if not DEFAULT_PATH.exists():
                    raise FileNotFoundError(f"similarity model not found at {DEFAULT_PATH}; run "
                                            "`newsloom train similarity`")
                _DEFAULT = cls.load(DEFAULT_PATH)
            return _DEFAULT

    # --- prediction ---------------------------------------------------------------------

    def predict(self, features: np.ndarray, dimensions: tuple[str, ...] = DIMENSIONS) -> dict[str, np.ndarray]:
        """Scores per dimension on 1..4 for a (n, n_features) matrix (or one row).

        Rows of `HEAD_FEATURE_NAMES` width whose head cosine is known (> -1) go through
        the head trees when the model has them; every other row through the base trees
        (its first `FEATURE_NAMES` columns)."""
        X = np.atleast_2d(np.asarray(features, dtype=np.float64))
        head = self.uses_head(X)
        base = X[:, :len(FEATURE_NAMES)]
        out = {d: np.empty(len(X)) for d in dimensions}
        for d in dimensions:
            if (~head).any():
                out[d][~head] = self.ensembles[d].predict(base[~head])
            if head.any():
                out[d][head] = self.head_ensembles[d].predict(X[head])
            out[d] = np.clip(out[d], 1.0, 4.0)
        return out

    def uses_head(self, features: np.ndarray) -> np.ndarray:
        """Per row of a feature matrix: is it scored by the head trees?"""
        X = np.atleast_2d(features)
        if self.head_ensembles is None or X.shape[1] != len(HEAD_FEATURE_NAMES):
            return np.zeros(len(X), bool)
        return X[:, -1] > -1.0

    def features(self, a: Article, b: Article, sims: np.ndarray | None = None) -> np.ndarray:
        """The pair's feature row for this model (with the head cosine when it has head trees)."""
        if self.head_ensembles is None:
            return pair_features(a, b, sims)
        return pair_features_with_head(a, b, sims, self.head_centres)

    def same_story_from_overall(self, overall: float, contrast: float = -1.0, head: bool = False) -> tuple[bool, float]:
        """(same story?, probability) from a predicted Overall and the pair's `title_contrast`.

        Same story when Overall is at most the calibrated threshold and, for a model
        calibrated with the veto, the titles do not contrast (`title_contrast` > 0: each
        title names a number, name or place the other article lacks, as "weather in
        Brest" and "weather in Gomel"). A vetoed pair's probability is at most
        0.5 * (1 - contrast), below one half. `head`: the Overall came from the head trees,
        whose own calibration then applies.
        """
        threshold, slope = (self.head_threshold, self.head_slope) if head else \
            (self.same_story_threshold, self.same_story_slope)
        z = slope * (threshold - float(overall))
        prob = 1.0 / (1.0 + math.exp(-z))
        same = bool(overall <= threshold)
        if self.title_contrast_veto and contrast > 0:
            same, prob = False, min(prob, 0.5 * (1.0 - contrast))
        return same, prob

    def same_story(self, a: Article, b: Article) -> tuple[bool, float]:
        """(same story?, probability) for two prepared, embedded articles."""
        _require_vectors(a)
        _require_vectors(b)
        x = self.features(a, b)
        overall = float(self.predict(x, ("Overall",))["Overall"][0])
        return self.same_story_from_overall(overall, title_contrast(a, b), bool(self.uses_head(x)[0]))

    # --- batched same-story scoring (the weaver's verifier; added for issue #6) -----------
    def same_story_many(self, a: Article, others: list[Article]) -> list[tuple[bool, float]]:
        """`same_story(a, b)` for every b of `others`, equal to it pair by pair.

        Why: the weaver verifies one article against up to ~15 members; one feature
        matrix and one evaluation of the Overall ensemble only (the decision reads
        nothing else) cost a fraction of one five-ensemble `predict` per pair.
        """
        _require_vectors(a)
        if not others:
            return []
        for b in others:
            _require_vectors(b)
        X = np.stack([self.features(a, b) for b in others])
        overall = self.predict(X, ("Overall",))["Overall"]
        return [self.same_story_from_overall(float(o), title_contrast(a, b), bool(h))
                for o, b, h in zip(overall, others, self.uses_head(X))]

    # --- comparison ---------------------------------------------------------------------

    def compare(self, a: Article, b: Article) -> Comparison:
        """Scores, same-story decision, aligned evidence and plain-word explanations."""
        _require_vectors(a)
        _require_vectors(b)
        sims = sentence_similarity(a, b)
        x = self.features(a, b, sims)
        dims = {d: float(v[0]) for d, v in self.predict(x).items()}
        overall = dims["Overall"]
        same, prob = self.same_story_from_overall(overall, title_contrast(a, b), bool(self.uses_head(x)[0]))
        candidates = greedy_alignment(sims, EVIDENCE_FLOOR)
        pairs = [p for p in candidates if p[2] >= EVIDENCE_THRESHOLD]
        na, nb = sims.shape if sims.size else (0, 0)
        evidence = [AlignedPair(i, j, a.sentences[i].text, b.sentences[j].text, round(s, 4))
                    for i, j, s in candidates[:MAX_EVIDENCE]]
        matched_a, matched_b = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
        shared_entities, shared_places = _shared_entity_names(a, b)
        gap = date_gap_days(a, b)
        confidence, warnings = _confidence(a, b)
        cosine = float(x[FEATURE_NAMES.index("cos_article")])
        comp = Comparison(
            article_a=a.id, article_b=b.id, overall=round(overall, 4),
            similarity=round((4.0 - overall) / 3.0, 4), dimensions={k: round(v, 4) for k, v in dims.items()},
            same_story=same, same_story_probability=round(prob, 4), evidence=evidence,
            unmatched_a=[a.sentences[i].text for i in range(na) if i not in matched_a],
            unmatched_b=[b.sentences[j].text for j in range(nb) if j not in matched_b],
            shared_entities=shared_entities, shared_places=shared_places,
            date_gap_days=None if gap is None else round(gap, 2),
            confidence=confidence, warnings=warnings, cosine=round(cosine, 4),
        )
        comp.explanations = _explanations(a, b, comp, len(pairs), na + nb, len(candidates) - len(pairs))
        return comp


def _require_vectors(a: Article) -> None:
    if a.vector is None:
        raise InputError(f"article {a.id} has no vectors: embed it before comparing", kind="missing")


def _thin_reason(a: Article) -> str | None:
    text = (a.clean_text or "").strip()
    if not text:
        return "debris only (cleaning left no text)" if (a.text or "").strip() else "empty text"
    if not any(_words(s.text) >= MIN_SENTENCE_WORDS for s in a.sentences):
        return "debris only (no sentence of 5 words or more)"
    if _words(text) < MIN_WORDS:
        return f"very short text ({_words(text)} words)"
    return None


def _confidence(a: Article, b: Article) -> tuple[str, list[str]]:
    warnings = []
    for side, art in (("A", a), ("B", b)):
        reason = _thin_reason(art)
        if reason:
            warnings.append(f"article {side}: {reason}")
        if art.lang and art.lang not in SUPPORTED_LANGUAGES:
            warnings.append(f"article {side}: unsupported language {art.lang!r}")
    return ("low" if warnings else "normal"), warnings


def _entity_display(a: Article) -> dict[str, tuple[str, str]]:
    """entity id -> (longest mention text, type): "Antony Blinken" rather than "Blinken"."""
    out: dict[str, tuple[str, str]] = {}
    for m in a.mentions:
        if m.entity_id and (m.entity_id not in out or len(m.text) > len(out[m.entity_id][0])):
            out[m.entity_id] = (m.text, m.type)
    return out


def _shared_entity_names(a: Article, b: Article) -> tuple[list[str], list[str]]:
    """Display names of the entities both articles mention (people/orgs, places), most
    mentioned first; the Latin-script spelling is preferred when the two differ."""
    da, db = _entity_display(a), _entity_display(b)
    counts: dict[str, int] = {}
    for m in a.mentions + b.mentions:
        if m.entity_id in da and m.entity_id in db:
            counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
    shared = sorted(counts, key=lambda i: -counts[i])
    names = {}
    for i in shared:
        ta, tb = da[i][0], db[i][0]
        names[i] = tb if (tb.isascii() and not ta.isascii()) else ta
    people_orgs = [names[i] for i in shared if da[i][1] != "LOC"]
    places = [names[i] for i in shared if da[i][1] == "LOC"]
    return people_orgs, places


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _day_name(month_day: tuple[int, int]) -> str:
    # fixed English names, not `calendar.month_name`, which follows the process locale
    return f"{month_day[1]} {_MONTHS[month_day[0] - 1]}"


def _days_phrase(days_a: frozenset, days_b: frozenset, most: int = 3) -> str:
    """The Time explanation's clause on calendar days: `; both name 19 January`, `; they
    name different days (19 January vs 26 January)`, or nothing when a side names no day.
    Which days two texts agree on is the "when" a reader checks first, dated or not."""
    if not days_a or not days_b:
        return ""
    both = sorted(days_a & days_b)
    if both:
        more = f" and {len(both) - most} more" if len(both) > most else ""
        return "; both name " + ", ".join(_day_name(d) for d in both[:most]) + more
    return (f"; they name different days ({', '.join(_day_name(d) for d in sorted(days_a)[:most])} vs "
            f"{', '.join(_day_name(d) for d in sorted(days_b)[:most])})")


def _most_named(a: Article, types: tuple[str, ...], most: int = 2) -> list[str]:
    """Display names of the `most` linked entities of `types` that `a` mentions most often."""
    display = _entity_display(a)
    counts: dict[str, int] = {}
    for m in a.mentions:
        if m.entity_id and m.type in types:
            counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
    return [display[i][0] for i in sorted(counts, key=lambda i: (-counts[i], i))[:most]]


def _contrast_phrase(a: Article, b: Article, types: tuple[str, ...]) -> str:
    """` (Lyon vs Glasgow)` when both articles name entities of `types` but none in common
    (else nothing): one topic in two places, or with two casts, is how two events of one
    kind differ."""
    names_a, names_b = _most_named(a, types), _most_named(b, types)
    if not names_a or not names_b:
        return ""
    return f" ({', '.join(names_a)} vs {', '.join(names_b)})"


def _explanations(a: Article, b: Article, c: Comparison, n_matched: int, n_sentences: int,
                  n_loose: int = 0) -> dict[str, str]:
    """Plain words per dimension; `n_matched` one-to-one sentence pairs at `EVIDENCE_THRESHOLD`
    or above, `n_loose` more down to `EVIDENCE_FLOOR` (two reports of one story in their own
    words, or in two languages, rarely reach 0.6 but line up at 0.4-0.6)."""
    ex: dict[str, str] = {}
    if c.shared_entities:
        ex["Entities"] = f"Both name {_names_phrase(c.shared_entities)}"
    else:
        proxy = sorted(shared_proxy_names(a, b))
        ex["Entities"] = (f"{len(proxy)} shared name tokens (no linked entities in common)" if proxy
                          else "No people or organisations in common" + _contrast_phrase(a, b, ("PER", "ORG")))
    ex["Geography"] = (f"Both mention {_names_phrase(c.shared_places)}" if c.shared_places
                       else "No places in common" + _contrast_phrase(a, b, ("LOC",)))
    if c.date_gap_days is not None:
        days = c.date_gap_days
        ex["Time"] = ("Published the same day" if days < 1 else
                      f"Published {int(round(days))} day{'s' if round(days) != 1 else ''} apart")
    else:
        ya, yb = dominant_years(a, b)
        if ya and yb:
            ex["Time"] = f"Both mostly about {ya}" if ya == yb else f"Mostly about {ya} vs {yb}"
        else:
            ex["Time"] = "Publication dates unknown"
    ex["Time"] += _days_phrase(article_signals(a).calendar_days, article_signals(b).calendar_days)
    nums = shared_numbers(a, b)
    if nums:
        ex["Time"] += f"; {len(nums)} number{'s' if len(nums) != 1 else ''} in common"
    ex["Narrative"] = (f"{2 * n_matched} of {n_sentences} sentences have a close counterpart "
                       f"(cosine >= {EVIDENCE_THRESHOLD})")
    if n_loose:
        ex["Narrative"] += (f"; {n_loose} more pair{'s' if n_loose != 1 else ''} of sentences "
                            f"say{'' if n_loose != 1 else 's'} something alike in other words "
                            f"({EVIDENCE_FLOOR}-{EVIDENCE_THRESHOLD})")
    ex["Overall"] = (f"{'Same story' if c.same_story else 'Not the same story'} "
                     f"(p={c.same_story_probability:.2f}); article cosine {c.cosine:.2f}")
    only_a, only_b = contrasting_title_tokens(a, b)
    if only_a and only_b:
        ex["Overall"] += (f"; the titles name different things ({', '.join(only_a[:3])} vs "
                          f"{', '.join(only_b[:3])}), as two events of one kind do")
    return ex
