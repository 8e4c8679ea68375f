"""A tiny deterministic encoder (hashed character trigrams) for tests and as a
reference implementation of the `Encoder` interface. It is not multilingual:
never use it for real cross-lingual comparison.
"""

from __future__ import annotations

import hashlib

import numpy as np


class HashingEncoder:
    name = "hashing-trigram"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            t = f"  {text.lower()}  "
            for i in range(len(t) - 2):
                h = int.from_bytes(hashlib.blake2b(t[i : i + 3].encode(), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
