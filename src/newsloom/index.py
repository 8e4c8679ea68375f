"""Candidate search over live stories: which stories could a new article belong to?

`ExactStoryIndex` is a brute-force cosine search over story centroids (numpy),
exact and fine up to some tens of thousands of live stories. The index holds
only centroids of live stories; the store is the source of truth and the index
is rebuilt from it on start.

Example:
    >>> import numpy as np
    >>> idx = ExactStoryIndex(dim=3)
    >>> idx.upsert("s1", np.array([1.0, 0.0, 0.0], np.float32))
    >>> idx.upsert("s2", np.array([0.0, 1.0, 0.0], np.float32))
    >>> [sid for sid, _ in idx.search(np.array([0.9, 0.1, 0.0], np.float32), k=1)]
    ['s1']
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class StoryIndex(Protocol):
    def upsert(self, story_id: str, centroid: np.ndarray) -> None: ...
    def remove(self, story_id: str) -> None: ...
    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]: ...
    def __len__(self) -> int: ...


class ExactStoryIndex:
    """Exact inner-product search over L2-normalised centroids, in a growable matrix."""

    def __init__(self, dim: int, capacity: int = 1024) -> None:
        self.dim = dim
        self._matrix = np.zeros((capacity, dim), dtype=np.float32)
        self._ids: list[str | None] = []
        self._row: dict[str, int] = {}
        self._free: list[int] = []

    def __len__(self) -> int:
        return len(self._row)

    def upsert(self, story_id: str, centroid: np.ndarray) -> None:
        row = self._row.get(story_id)
        if row is None:
            if self._free:
                row = self._free.pop()
                self._ids[row] = story_id
            else:
                row = len(self._ids)
                if row >= len(self._matrix):
                    self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
                self._ids.append(story_id)
            self._row[story_id] = row
        self._matrix[row] = centroid

    def remove(self, story_id: str) -> None:
        row = self._row.pop(story_id, None)
        if row is not None:
            self._matrix[row] = 0.0
            self._ids[row] = None
            self._free.append(row)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        n = len(self._ids)
        if not self._row or k <= 0:
            return []
        scores = self._matrix[:n] @ vector
        k = min(k, n)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self._ids[i], float(scores[i])) for i in top if self._ids[i] is not None]
