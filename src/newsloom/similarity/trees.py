"""A numpy evaluator for gradient-boosted regression trees stored as JSON.

Training uses scikit-learn's `HistGradientBoostingRegressor` (optional `train`
extra); inference needs only numpy. A tree is stored as parallel arrays
(feature, threshold, left, right, value, is_leaf, missing_left): at an inner node
a row goes left when ``x[feature] <= threshold`` (or when x is NaN and
``missing_left``), exactly as scikit-learn's predictor does. A model's prediction
is ``baseline + sum(leaf values)`` (shrinkage is already in the leaves).
"""

from __future__ import annotations

import numpy as np


def export_hgb(model) -> dict:
    """JSON-able dict of a fitted `HistGradientBoostingRegressor` (single output)."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({
            "feature": nodes["feature_idx"].astype(int).tolist(),
            "threshold": [float(x) for x in nodes["num_threshold"]],
            "left": nodes["left"].astype(int).tolist(),
            "right": nodes["right"].astype(int).tolist(),
            "value": [float(x) for x in nodes["value"]],
            "is_leaf": nodes["is_leaf"].astype(int).tolist(),
            "missing_left": nodes["missing_go_to_left"].astype(int).tolist(),
        })
    return {"baseline": float(np.ravel(model._baseline_prediction)[0]), "trees": trees}


class TreeEnsemble:
    """Vectorised evaluation of an exported ensemble over a batch of feature rows."""

    def __init__(self, spec: dict) -> None:
        self.baseline = float(spec["baseline"])
        self.trees = [
            tuple(np.asarray(t[k], dtype=dt) for k, dt in (
                ("feature", np.int64), ("threshold", np.float64), ("left", np.int64),
                ("right", np.int64), ("value", np.float64), ("is_leaf", bool), ("missing_left", bool)))
            for t in spec["trees"]
        ]

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        rows = np.arange(len(X))
        out = np.full(len(X), self.baseline)
        for feature, threshold, left, right, value, is_leaf, missing_left in self.trees:
            node = np.zeros(len(X), dtype=np.int64)
            active = ~is_leaf[node]
            while active.any():
                idx = node[active]
                x = X[rows[active], feature[idx]]
                go_left = np.where(np.isnan(x), missing_left[idx], x <= threshold[idx])
                node[active] = np.where(go_left, left[idx], right[idx])
                active = ~is_leaf[node]
            out += value[node]
        return out
