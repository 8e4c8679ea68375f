"""Candidate search over live stories: which stories could a new article belong to?

Two implementations of the `StoryIndex` protocol, chosen with `make_index`:

* `ExactStoryIndex` (``kind="exact"``): brute-force inner product over the
  L2-normalised centroids of live stories, in a growable matrix. Exact; the cost
  of a search grows linearly with the live pool (about 1 ms per 10k stories at
  512 dimensions on one core). Centroids may be stored compactly
  (``dtype="float16"`` or ``"int8"``, see `ScalarQuantizer`): a quarter of the
  memory at int8, at the price of a slower search (numpy has no int8 BLAS, so
  rows are widened to float32 chunk by chunk).
* `HnswStoryIndex` (``kind="hnsw"``): approximate search with a Hierarchical
  Navigable Small World graph (hnswlib; Malkov & Yashunin 2018, "Efficient and
  robust approximate nearest neighbor search using HNSW graphs"). Sub-linear
  search; float32 vectors plus about ``2*M`` graph links per story.
* `UsearchStoryIndex` (``kind="usearch"``): the same kind of graph in usearch,
  with int8 vectors (512 bytes a story at 512-d instead of 2,048) and keys
  computed from the story ids (`StoryKeys`): ~1.7 KB a story less RSS than
  `HnswStoryIndex`, the same candidates (docs/scaling.md).

The index holds only centroids of live stories; the store is the source of
truth and the index is rebuilt from it on start (see `Engine`), so nothing
about the index needs to survive a crash.

The weaver's own live state (member vectors, spans, sizes) is kept compactly in
`newsloom.livestate`.

Example:
    >>> import numpy as np
    >>> idx = ExactStoryIndex(dim=3)
    >>> idx.upsert("s1", np.array([1.0, 0.0, 0.0], np.float32))
    >>> idx.upsert("s2", np.array([0.0, 1.0, 0.0], np.float32))
    >>> [sid for sid, _ in idx.search(np.array([0.9, 0.1, 0.0], np.float32), k=1)]
    ['s1']
    >>> h = make_index("hnsw", dim=3)
    >>> h.upsert("s1", np.array([1.0, 0.0, 0.0], np.float32))
    >>> [sid for sid, _ in h.search(np.array([0.9, 0.1, 0.0], np.float32), k=1)]
    ['s1']
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import numpy as np

#: Storage types for compact vectors.
VECTOR_DTYPES: tuple[str, ...] = ("float32", "float16", "int8")
#: Rows widened to float32 at a time when searching compact centroids (bounds scratch memory).
_SEARCH_CHUNK = 16384


class StoryIndex(Protocol):
    def upsert(self, story_id: str, centroid: np.ndarray) -> None: ...
    def remove(self, story_id: str) -> None: ...
    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]: ...
    def __len__(self) -> int: ...


class ScalarQuantizer:
    """Scalar quantisation of unit vectors: float32, float16, or int8 with one scale per row.

    int8 is symmetric: ``code = round(v / s)`` with ``s = max|v| / 127``, so
    ``v ~ code * s``; the scale is kept as float32 (4 bytes a row). For 512-d unit
    vectors the cosine error of int8 is about 1e-4 on average (see
    benchmarks/scale.py), far below the gaps the weaver decides on.

    >>> q = ScalarQuantizer("int8")
    >>> v = np.array([[0.6, -0.8]], np.float32)
    >>> codes, scales = q.encode(v)
    >>> codes.dtype.name, bool(np.allclose(q.decode(codes, scales), v, atol=0.01))
    ('int8', True)
    """

    def __init__(self, dtype: str = "float32") -> None:
        if dtype not in VECTOR_DTYPES:
            raise ValueError(f"unknown vector dtype {dtype!r} (expected one of {', '.join(VECTOR_DTYPES)})")
        self.dtype = dtype
        self.numpy_dtype = np.dtype(dtype)

    @property
    def bytes_per_value(self) -> int:
        return self.numpy_dtype.itemsize

    def encode(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Codes for an (n, dim) float array, and the per-row scales (int8 only, else None)."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if self.dtype != "int8":
            return vectors.astype(self.numpy_dtype), None
        peak = np.abs(vectors).max(axis=1)
        scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
        codes = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
        return codes, scales

    def decode(self, codes: np.ndarray, scales: np.ndarray | None) -> np.ndarray:
        out = np.asarray(codes, dtype=np.float32)
        if scales is not None:
            out = out * scales[:, None]
        return out

    def scores(self, codes: np.ndarray, scales: np.ndarray | None, query: np.ndarray) -> np.ndarray:
        """Inner products of the decoded rows with `query`, widening chunk by chunk."""
        query = np.asarray(query, dtype=np.float32)
        if self.dtype == "float32":
            return codes @ query
        out = np.empty(len(codes), dtype=np.float32)
        for lo in range(0, len(codes), _SEARCH_CHUNK):
            out[lo:lo + _SEARCH_CHUNK] = codes[lo:lo + _SEARCH_CHUNK].astype(np.float32) @ query
        if scales is not None:
            out *= scales
        return out


def grown_rows(rows: np.ndarray, factor: float = 1.5) -> np.ndarray:
    """`rows` copied into a zero array `factor` times as long.

    np.zeros maps fresh zero pages that cost no RAM until written, so the unused
    tail is free; vstack/concatenate would write (and keep resident) all of it.
    """
    out = np.zeros((max(len(rows) + 1, int(len(rows) * factor)),) + rows.shape[1:], dtype=rows.dtype)
    out[: len(rows)] = rows
    return out


def top_k_indices(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


class ExactStoryIndex:
    """Exact inner-product search over L2-normalised centroids, in a growable matrix.

    Parameters:
        dim: vector dimension.
        capacity: initial rows (the matrix doubles when full).
        dtype: centroid storage, ``float32`` (default), ``float16`` or ``int8`` (`ScalarQuantizer`).
    """

    def __init__(self, dim: int, capacity: int = 1024, dtype: str = "float32") -> None:
        self.dim = dim
        self.quantizer = ScalarQuantizer(dtype)
        self._matrix = np.zeros((capacity, dim), dtype=self.quantizer.numpy_dtype)
        self._scales = np.ones(capacity, dtype=np.float32) if dtype == "int8" else None
        self._ids: list[str | None] = []
        self._row: dict[str, int] = {}
        self._free: list[int] = []

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._row

    def upsert(self, story_id: str, centroid: np.ndarray) -> None:
        row = self._row.get(story_id)
        if row is None:
            if self._free:
                row = self._free.pop()
                self._ids[row] = story_id
            else:
                row = len(self._ids)
                if row >= len(self._matrix):
                    self._grow()
                self._ids.append(story_id)
            self._row[story_id] = row
        codes, scales = self.quantizer.encode(centroid)
        self._matrix[row] = codes[0]
        if self._scales is not None:
            self._scales[row] = scales[0]

    def _grow(self) -> None:
        self._matrix = grown_rows(self._matrix)
        if self._scales is not None:
            self._scales = grown_rows(self._scales)

    def remove(self, story_id: str) -> None:
        row = self._row.pop(story_id, None)
        if row is not None:
            self._matrix[row] = 0
            self._ids[row] = None
            self._free.append(row)

    def get_vector(self, story_id: str) -> np.ndarray:
        """The stored centroid (decoded to float32). KeyError if absent."""
        row = self._row[story_id]
        scales = self._scales[row:row + 1] if self._scales is not None else None
        return self.quantizer.decode(self._matrix[row:row + 1], scales)[0]

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        n = len(self._ids)
        if not self._row or k <= 0:
            return []
        scales = self._scales[:n] if self._scales is not None else None
        scores = self.quantizer.scores(self._matrix[:n], scales, vector)
        # free rows score 0 and may be picked; ask for enough extra to still return k live ones
        top = top_k_indices(scores, k + len(self._free))
        return [(self._ids[i], float(scores[i])) for i in top if self._ids[i] is not None][:k]

    def nbytes(self) -> int:
        """Bytes held by the vectors (capacity included), not counting the id map."""
        return self._matrix.nbytes + (self._scales.nbytes if self._scales is not None else 0)


class _WriteBuffer:
    """The write buffer both graph indexes share: new and moved stories wait in a small
    exact index (searched with the graph) and go into the graph in one bulk insert, because
    inserting one node at a time is the expensive graph operation (see `HnswStoryIndex`)."""

    dim: int
    buffer_size: int
    flushes: int
    _buffer: ExactStoryIndex

    def _new_buffer(self) -> ExactStoryIndex:
        return ExactStoryIndex(self.dim, capacity=max(16, min(self.buffer_size, 4096)))

    def add_many(self, story_ids: list[str], centroids: np.ndarray, threads: int | None = None) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Move the write buffer into the graph (one bulk insert)."""
        ids = list(self._buffer._row)
        if not ids:
            return
        vectors = np.vstack([self._buffer.get_vector(s) for s in ids])
        self._buffer = self._new_buffer()
        self.add_many(ids, vectors)
        self.flushes += 1


class HnswStoryIndex(_WriteBuffer):
    """Approximate inner-product search over L2-normalised centroids with an HNSW graph (hnswlib).

    Inner product on unit vectors is cosine; hnswlib's ``ip`` distance is
    ``1 - <a, b>``, turned back into a cosine in `search`.

    Writes are buffered: inserting a node into the graph (an ``ef_construction``
    search plus linking, ~1-10 ms at 512-d) is the expensive operation, so new
    and moved stories first go to a small exact buffer (`ExactStoryIndex`,
    searched alongside the graph) and are flushed into the graph in one
    multi-threaded ``add_items`` call when it holds `buffer_size` stories.

    Parameters (measured in benchmarks/scale.py, see docs/scaling.md):
        dim: vector dimension.
        M: graph links per node and layer (level 0 keeps ``2*M``). Higher: better
           recall, more memory (``8*M`` bytes a node at level 0), slower inserts.
        ef_construction: candidate-list size while inserting (graph quality vs insert cost).
        ef: candidate-list size while searching (raised to ``k`` when smaller);
           the main recall/latency knob.
        capacity: initial element slots; the graph doubles when full (``resize_index``).
        rebuild_deleted_fraction: rebuild the graph from the live vectors when more
           than this fraction of the slots are deleted and not reused yet.
        threads: hnswlib threads for bulk inserts (restore, flush, rebuild); a single
           query always uses one.
        relink_cosine: an upsert of a story already in the graph moves its node only
           when the new centroid's cosine to the indexed one falls below this; a
           growing story's centroid mostly moves by less, and the index answers with
           the slightly stale centroid (scores off by at most ``1 - relink_cosine``).
           1.0 moves it on every change.
        buffer_size: stories held in the exact write buffer before a flush (0: write
           straight into the graph).

    Deletions: ``mark_deleted`` hides a node at once; new nodes reuse deleted
    slots (``replace_deleted``); `rebuild` compacts the graph, and runs by itself
    when deleted slots pile up.
    """

    def __init__(self, dim: int, *, M: int = 16, ef_construction: int = 100, ef: int = 128,
                 capacity: int = 1024, rebuild_deleted_fraction: float = 0.5, threads: int | None = None,
                 relink_cosine: float = 0.995, buffer_size: int = 1024) -> None:
        import os

        self.dim = dim
        self.M = M
        self.ef_construction = ef_construction
        self.ef = ef
        self.rebuild_deleted_fraction = rebuild_deleted_fraction
        self.threads = threads or os.cpu_count() or 1
        self.relink_cosine = relink_cosine
        self.buffer_size = buffer_size
        self.relinks_skipped = 0
        self.flushes = 0
        self._capacity = max(16, capacity)
        self._label: dict[str, int] = {}
        self._story: dict[int, str] = {}
        self._next_label = 0
        self._deleted = 0
        self._index = self._new_graph(self._capacity)
        self._buffer = self._new_buffer()

    def _new_graph(self, capacity: int):
        import hnswlib

        graph = hnswlib.Index(space="ip", dim=self.dim)
        graph.init_index(max_elements=capacity, M=self.M, ef_construction=self.ef_construction,
                         allow_replace_deleted=True)
        graph.set_ef(self.ef)
        graph.set_num_threads(1)
        return graph

    def set_ef(self, ef: int) -> None:
        self.ef = ef
        self._index.set_ef(ef)

    def __len__(self) -> int:
        return len(self._label) + len(self._buffer)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._label or story_id in self._buffer

    @property
    def deleted(self) -> int:
        """Deleted graph slots not reused yet."""
        return self._deleted

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def upsert(self, story_id: str, centroid: np.ndarray) -> None:
        vec = np.asarray(centroid, dtype=np.float32).reshape(self.dim)
        if story_id in self._buffer:
            self._buffer.upsert(story_id, vec)
            return
        label = self._label.get(story_id)
        if label is not None and self.relink_cosine < 1.0:
            indexed = np.asarray(self._index.get_items([label])[0], dtype=np.float32)
            if float(indexed @ vec) >= self.relink_cosine:
                self.relinks_skipped += 1
                return
        if not self.buffer_size:
            if label is not None:
                self._index.add_items(vec[None, :], np.array([label]), num_threads=1)
            else:
                self.add_many([story_id], vec[None, :], threads=1)
            return
        if label is not None:
            self._drop_from_graph(story_id)
        self._buffer.upsert(story_id, vec)
        if len(self._buffer) >= self.buffer_size:
            self.flush()

    def _drop_from_graph(self, story_id: str) -> bool:
        label = self._label.pop(story_id, None)
        if label is None:
            return False
        del self._story[label]
        self._index.mark_deleted(label)
        self._deleted += 1
        return True

    def remove(self, story_id: str) -> None:
        if story_id in self._buffer:
            self._buffer.remove(story_id)
            return
        if self._drop_from_graph(story_id) and self._deleted > 64 \
                and self._deleted > self.rebuild_deleted_fraction * self._capacity:
            self.rebuild()

    def get_vector(self, story_id: str) -> np.ndarray:
        """The indexed centroid (float32). KeyError if absent."""
        if story_id in self._buffer:
            return self._buffer.get_vector(story_id)
        return np.asarray(self._index.get_items([self._label[story_id]])[0], dtype=np.float32)

    def rebuild(self) -> None:
        """Re-create the graph from the live vectors only (drops deleted nodes, shrinks capacity)."""
        stories = list(self._label)
        vectors = (np.asarray(self._index.get_items([self._label[s] for s in stories]), dtype=np.float32)
                   if stories else np.zeros((0, self.dim), np.float32))
        self._capacity = max(16, 2 * (len(stories) + len(self._buffer)))
        self._index = self._new_graph(self._capacity)
        self._label, self._story, self._next_label, self._deleted = {}, {}, 0, 0
        self.add_many(stories, vectors)
        self.flush()

    def add_many(self, story_ids: list[str], centroids: np.ndarray, threads: int | None = None) -> None:
        """Insert stories straight into the graph in one hnswlib call (restore and flush path)."""
        centroids = np.asarray(centroids, dtype=np.float32).reshape(len(story_ids), self.dim)
        fresh = []
        for i, s in enumerate(story_ids):
            if s in self._buffer:
                self._buffer.remove(s)
            if s in self._label:
                self._index.add_items(centroids[i:i + 1], np.array([self._label[s]]), num_threads=1)
            else:
                fresh.append(i)
        if not fresh:
            return
        reused = min(self._deleted, len(fresh))
        need = self._index.get_current_count() + len(fresh) - reused
        if need > self._capacity:
            self._capacity = max(2 * self._capacity, need)
            self._index.resize_index(self._capacity)
        labels = np.arange(self._next_label, self._next_label + len(fresh))
        self._next_label += len(fresh)
        self._index.add_items(centroids[fresh], labels, num_threads=threads or self.threads,
                              replace_deleted=reused > 0)
        self._deleted -= reused
        for i, label in zip(fresh, labels.tolist()):
            self._label[story_ids[i]] = label
            self._story[label] = story_ids[i]

    def _search_graph(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        k = min(k, len(self._label))
        if k <= 0:
            return []
        if k > self.ef:
            self._index.set_ef(k)
        try:
            labels, distances = self._index.knn_query(query, k=k, num_threads=1)
        except RuntimeError:
            # hnswlib refuses when the graph yields fewer than k live nodes (many deletions)
            self.rebuild()
            return self._search_graph(query, k) if len(self._label) else []
        finally:
            if k > self.ef:
                self._index.set_ef(self.ef)
        return [(self._story[int(lb)], 1.0 - float(d)) for lb, d in zip(labels[0], distances[0])]

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        if k <= 0 or not len(self):
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(1, self.dim)
        hits = self._search_graph(query, k) + self._buffer.search(query[0], k)
        hits.sort(key=lambda h: -h[1])
        return hits[:k]

    def nbytes(self) -> int:
        """Approximate bytes held: graph slots (vector, level-0 links, label) and the buffer."""
        per_slot = 4 * self.dim + 4 * (2 * self.M + 1) + 8
        return self._capacity * per_slot + self._buffer.nbytes()


#: Story ids the weaver makes (``new_story_id``): "s-" and 12 hex digits, i.e. 48 bits.
_STORY_ID = re.compile(r"s-[0-9a-f]{12}")
#: usearch keys of other story ids come from a counter in this range (above every 48-bit id key).
_OTHER_KEY_BASE = 1 << 62


class StoryKeys:
    """Two-way map between story ids and the 64-bit integer keys of a usearch index.

    The weaver's own ids (``s-`` + 12 hex digits) *are* a 48-bit number, so they
    map to their key arithmetically and cost no dictionary entries (two dict
    entries and an int object, ~150-200 B a story, are a visible part of the
    1 KB/article budget); any other id gets a counter key above 2**62, kept in
    two small dicts.

    >>> keys = StoryKeys()
    >>> keys.key("s-00000000002a"), keys.story(42)
    (42, 's-00000000002a')
    >>> k = keys.key("custom"); k >= 2**62, keys.story(k)
    (True, 'custom')
    """

    def __init__(self) -> None:
        self._key_of: dict[str, int] = {}
        self._id_of: dict[int, str] = {}

    def key(self, story_id: str, create: bool = True) -> int | None:
        """The key of `story_id` (None when it is a non-weaver id never seen and `create` is False)."""
        if _STORY_ID.fullmatch(story_id):
            return int(story_id[2:], 16)
        key = self._key_of.get(story_id)
        if key is None and create:
            key = _OTHER_KEY_BASE + len(self._id_of)
            while key in self._id_of:  # counter keys freed by `forget` leave gaps
                key += 1
            self._key_of[story_id] = key
            self._id_of[key] = story_id
        return key

    def story(self, key: int) -> str:
        return self._id_of[key] if key >= _OTHER_KEY_BASE else f"s-{key:012x}"

    def forget(self, story_id: str) -> None:
        key = self._key_of.pop(story_id, None)
        if key is not None:
            del self._id_of[key]


class UsearchStoryIndex(_WriteBuffer):
    """Approximate cosine search over story centroids with an int8 HNSW graph (usearch).

    Algorithm: a Hierarchical Navigable Small World graph (Malkov & Yashunin
    2018, "Efficient and robust approximate nearest neighbor search using HNSW
    graphs"), as in `HnswStoryIndex`, but in usearch (Vardanian, unum-cloud/usearch),
    which stores the vectors as int8: 512 bytes a story at 512-d instead of
    hnswlib's 2,048 float32 bytes, the largest single item of the live state
    (docs/scaling.md). Vectors are quantised here with `ScalarQuantizer("int8")`
    (one scale per row, the full -127..127 range; usearch's own float-to-int8
    cast scales unit vectors by a fixed 127, which wastes most of the range at
    512-d) and the ``cos`` metric makes the scale irrelevant, so it is not stored.
    The graph walk compares int8 with int8; the hits are then re-scored
    asymmetrically, float32 query against the decoded unit rows, so the cosines
    handed to the weaver err by ~3e-5 (the int8 member store's error) rather than
    the ~1e-3 of int8 on both sides.

    Writes are buffered and relinked lazily exactly as in `HnswStoryIndex`: new
    and moved stories go to a small exact float32 buffer searched alongside the
    graph, flushed in one multi-threaded ``add`` when it holds `buffer_size`
    stories; an upsert of a graph story whose centroid moved by less than
    ``1 - relink_cosine`` (cosine to the indexed vector) is skipped. A move is
    ``remove`` + ``add`` (usearch refuses duplicate keys); usearch reuses the
    removed slots.

    Keys: `StoryKeys` (the weaver's ids need no map at all).

    Parameters:
        dim: vector dimension.
        connectivity: graph links per node and layer (usearch's M; level 0 keeps twice as many).
        expansion_add: candidate-list size while inserting (usearch's ef_construction).
        expansion_search: candidate-list size while searching (ef); raised to ``k`` when smaller.
        relink_cosine: see above; 1.0 moves the node on every change.
        buffer_size: stories held in the exact write buffer before a flush (0: straight into the graph).
        threads: threads for bulk inserts (restore, flush, rebuild); a query uses one.

    Capacity: usearch grows its slots by itself (no resize calls here).
    """

    def __init__(self, dim: int, *, connectivity: int = 16, expansion_add: int = 128,
                 expansion_search: int = 128, relink_cosine: float = 0.995, buffer_size: int = 1024,
                 threads: int | None = None) -> None:
        import os

        self.dim = dim
        self.connectivity = connectivity
        self.expansion_add = expansion_add
        self.expansion_search = expansion_search
        self.relink_cosine = relink_cosine
        self.buffer_size = buffer_size
        self.threads = threads or os.cpu_count() or 1
        self.relinks_skipped = 0
        self.flushes = 0
        self.quantizer = ScalarQuantizer("int8")
        self.keys = StoryKeys()
        self._index = self._new_graph()
        self._buffer = self._new_buffer()

    def _new_graph(self):
        from usearch.index import Index

        graph = Index(ndim=self.dim, metric="cos", dtype="i8", connectivity=self.connectivity,
                      expansion_add=self.expansion_add, expansion_search=self.expansion_search)
        return graph

    def set_ef(self, ef: int) -> None:
        """Set the search expansion (the recall/latency knob; same name as `HnswStoryIndex`)."""
        self.expansion_search = ef
        self._index.expansion_search = ef

    def __len__(self) -> int:
        return len(self._index) + len(self._buffer)

    def _graph_key(self, story_id: str) -> int | None:
        key = self.keys.key(story_id, create=False)
        return key if key is not None and key in self._index else None

    def __contains__(self, story_id: object) -> bool:
        return isinstance(story_id, str) and (story_id in self._buffer or self._graph_key(story_id) is not None)

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def _unit_rows(self, keys: np.ndarray) -> np.ndarray:
        """The indexed vectors of `keys` as float32 unit rows (the int8 codes, normalised)."""
        rows = self._index.get(keys, dtype=np.int8)
        rows = np.vstack(rows).astype(np.float32) if len(keys) else np.zeros((0, self.dim), np.float32)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms > 0, norms, 1.0)

    def upsert(self, story_id: str, centroid: np.ndarray) -> None:
        vec = np.asarray(centroid, dtype=np.float32).reshape(self.dim)
        if story_id in self._buffer:
            self._buffer.upsert(story_id, vec)
            return
        key = self._graph_key(story_id)
        if key is not None and self.relink_cosine < 1.0:
            if float(self._unit_rows(np.array([key], np.uint64))[0] @ vec) >= self.relink_cosine:
                self.relinks_skipped += 1
                return
        if key is not None:
            self._index.remove(key)
        if not self.buffer_size:
            self.add_many([story_id], vec[None, :], threads=1)
            return
        self._buffer.upsert(story_id, vec)
        if len(self._buffer) >= self.buffer_size:
            self.flush()

    def add_many(self, story_ids: list[str], centroids: np.ndarray, threads: int | None = None) -> None:
        """Insert or move stories straight into the graph in one usearch call (restore and flush path)."""
        if not story_ids:
            return
        centroids = np.asarray(centroids, dtype=np.float32).reshape(len(story_ids), self.dim)
        keys = np.array([self.keys.key(s) for s in story_ids], dtype=np.uint64)
        for s in story_ids:
            self._buffer.remove(s)
        present = [k for k in keys.tolist() if k in self._index]
        if present:
            self._index.remove(np.array(present, dtype=np.uint64))
        codes, _ = self.quantizer.encode(centroids)
        self._index.add(keys, codes, threads=threads or self.threads)

    def remove(self, story_id: str) -> None:
        if story_id in self._buffer:
            self._buffer.remove(story_id)
        else:
            key = self._graph_key(story_id)
            if key is not None:
                self._index.remove(key)
        self.keys.forget(story_id)

    def get_vector(self, story_id: str) -> np.ndarray:
        """The indexed centroid (float32 unit vector; int8-rounded once in the graph). KeyError if absent."""
        if story_id in self._buffer:
            return self._buffer.get_vector(story_id)
        key = self._graph_key(story_id)
        if key is None:
            raise KeyError(story_id)
        return self._unit_rows(np.array([key], np.uint64))[0]

    def rebuild(self) -> None:
        """Re-create the graph from its live vectors and the buffer (drops removed slots)."""
        keys = np.asarray(self._index.keys, dtype=np.uint64)
        codes = np.vstack(self._index.get(keys, dtype=np.int8)) if len(keys) else None
        self._index = self._new_graph()
        if codes is not None:
            self._index.add(keys, codes, threads=self.threads)
        self.flush()

    def _search_graph(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        # asking the graph for more than k and re-scoring gains nothing: the misses against float32
        # centroids are near-ties (within 1e-3 of cosine) of the int8 centroids themselves
        fetch = min(k, len(self._index))
        if fetch <= 0:
            return []
        codes, _ = self.quantizer.encode(query)
        if fetch > self.expansion_search:
            self._index.expansion_search = fetch
        try:
            keys = np.asarray(self._index.search(codes[0], fetch, threads=1).keys, dtype=np.uint64)
        finally:
            self._index.expansion_search = self.expansion_search
        # re-score: float32 query against the decoded rows (int8 on one side only), keep the best k
        scores = self._unit_rows(keys) @ query
        best = top_k_indices(scores, k)
        return [(self.keys.story(int(keys[i])), float(scores[i])) for i in best.tolist()]

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        if k <= 0 or not len(self):
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(self.dim)
        hits = self._search_graph(query, k) + self._buffer.search(query, k)
        hits.sort(key=lambda h: -h[1])
        return hits[:k]

    def nbytes(self) -> int:
        """Bytes usearch reports for the graph (vectors, links, capacity) plus the buffer."""
        return int(self._index.memory_usage) + self._buffer.nbytes()


#: `make_index` kinds.
INDEX_KINDS: tuple[str, ...] = ("exact", "hnsw", "usearch")


def make_index(kind: str, dim: int, **params: Any) -> ExactStoryIndex | HnswStoryIndex | UsearchStoryIndex:
    """A story index by name: ``exact`` (params: capacity, dtype), ``hnsw`` (M, ef, ef_construction, ...)
    or ``usearch`` (connectivity, expansion_add, expansion_search, ...: int8 graph)."""
    if kind == "exact":
        return ExactStoryIndex(dim, **params)
    if kind == "hnsw":
        return HnswStoryIndex(dim, **params)
    if kind == "usearch":
        return UsearchStoryIndex(dim, **params)
    raise ValueError(f"unknown story index kind {kind!r} (expected one of {', '.join(INDEX_KINDS)})")
