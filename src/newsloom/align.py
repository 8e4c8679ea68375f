"""Sentence alignment across two articles, in any two languages.

`greedy_alignment` pairs sentences one-to-one by descending cosine of their
(multilingual) vectors, each sentence used at most once, down to a threshold:
the classic greedy approximation of maximum-weight bipartite matching, as used
for parallel-sentence mining (e.g. Artetxe & Schwenk 2019 use margin scores
over the same candidate structure). It serves the similarity evidence and
provenance (translation / reuse) alike.

Example:
    >>> import numpy as np
    >>> sims = np.array([[0.9, 0.2], [0.8, 0.7]])
    >>> greedy_alignment(sims, threshold=0.5)
    [(0, 0, 0.9), (1, 1, 0.7)]
"""

from __future__ import annotations

import numpy as np


def greedy_alignment(sims: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """One-to-one (i, j, cosine) pairs, best first, every cosine >= `threshold`.

    Entries set below `threshold` (e.g. -1 for sentences that must not align)
    never pair.
    """
    if sims.size == 0:
        return []
    n_rows, n_cols = sims.shape
    order = np.argsort(-sims, axis=None, kind="stable")
    used_a: set[int] = set()
    used_b: set[int] = set()
    out: list[tuple[int, int, float]] = []
    for flat in order:
        i, j = divmod(int(flat), n_cols)
        value = float(sims[i, j])
        if value < threshold:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out.append((i, j, value))
        if len(used_a) == n_rows or len(used_b) == n_cols:
            break
    return out
