"""The weaver's live state, kept compact for millions of stored articles.

`MemberStore` keeps the member vectors of live stories (what the weaver compares
a new article with) quantised in one shared matrix: ~0.6 KB per member at int8
instead of ~2.2 KB for a float32 numpy array in a Python list. `StoryPool`
keeps the rest of a live story's state (time span, size, headline, optionally a
vector sum) in columns, for the same reason. The candidate indexes themselves are
in `newsloom.index`; figures in docs/scaling.md.
"""

from __future__ import annotations

import struct

import numpy as np

from newsloom.index import ScalarQuantizer, grown_rows, top_k_indices

#: One member row number in a story's row list (native int32, what np.frombuffer reads).
_ROW = struct.Struct("=i")


class MemberStore:
    """Member vectors of live stories, quantised, in one growable matrix shared by all stories.

    Replaces ``LiveStory.members`` (a Python list of ``(id, float32 array)``,
    about 2.2 KB a member at 512-d) with one matrix row per member: ``dim`` bytes
    at int8 plus a float32 scale, the article id, and a 4-byte row number in the
    story's row list. The row list is an immutable ``bytes`` of native int32s,
    replaced on every add: one 48-80 B object a story, where an ``array('i')``
    costs a 64 B object plus a separately allocated, over-allocated buffer
    (~40 B a story less at 25k live stories, measured with tracemalloc). Per story at most ``max_per_story``
    members are kept: the first (the story's origin) and the most recent ones,
    the same policy as the weaver's ``max_members_kept``.

    Parameters:
        dim: vector dimension.
        dtype: ``int8`` (default), ``float16`` or ``float32`` (`ScalarQuantizer`).
        max_per_story: members kept per story.
        capacity: initial rows (doubles when full).

    >>> ms = MemberStore(dim=2, max_per_story=2)
    >>> for i, v in enumerate([[1, 0], [0.8, 0.6], [0, 1]]):
    ...     ms.add("s", f"a{i}", np.array(v, np.float32))
    >>> ms.member_ids("s")
    ['a0', 'a2']
    >>> [m for m, _ in ms.nearest("s", np.array([0, 1], np.float32), 1)]
    ['a2']
    """

    def __init__(self, dim: int, *, dtype: str = "int8", max_per_story: int = 64, capacity: int = 1024,
                 id_bytes: int = 16) -> None:
        if max_per_story < 1:
            raise ValueError("max_per_story must be at least 1")
        self.dim = dim
        self.max_per_story = max_per_story
        self.quantizer = ScalarQuantizer(dtype)
        self._codes = np.zeros((capacity, dim), dtype=self.quantizer.numpy_dtype)
        self._scales = np.ones(capacity, dtype=np.float32)
        # article ids as fixed-width ASCII (newsloom's content ids are 16 hex digits); others on the side
        self._ids = np.zeros(capacity, dtype=f"S{id_bytes}")
        self._long_ids: dict[int, str] = {}
        self._used = 0  # rows ever handed out
        self._free: list[int] = []
        self._rows: dict[str, bytes] = {}  # story -> its member rows, native int32, oldest first

    def __len__(self) -> int:
        return self._used - len(self._free)

    def _set_id(self, row: int, article_id: str) -> None:
        raw = article_id.encode("utf-8")
        if len(raw) <= self._ids.dtype.itemsize and raw.isascii() and not raw.endswith(b"\0"):
            self._ids[row] = raw
            self._long_ids.pop(row, None)
        else:
            self._ids[row] = b""
            self._long_ids[row] = article_id

    def _get_id(self, row: int) -> str:
        return self._long_ids.get(row) or self._ids[row].decode("ascii")

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._rows

    def stories(self) -> list[str]:
        return list(self._rows)

    def add(self, story_id: str, article_id: str, vector: np.ndarray) -> None:
        """Add a member to a story (creating it), evicting the oldest non-first member beyond the cap."""
        row = self._take_row()
        codes, scales = self.quantizer.encode(vector)
        self._codes[row] = codes[0]
        self._scales[row] = scales[0] if scales is not None else 1.0
        self._set_id(row, article_id)
        rows = self._rows.get(story_id, b"") + _ROW.pack(row)
        if len(rows) > self.max_per_story * _ROW.size:
            evicted = _ROW.size if self.max_per_story > 1 else 0  # keep the first member
            self._release(_ROW.unpack_from(rows, evicted)[0])
            rows = rows[:evicted] + rows[evicted + _ROW.size:]
        self._rows[story_id] = rows

    def _take_row(self) -> int:
        if self._free:
            return self._free.pop()
        row = self._used
        if row >= len(self._codes):
            self._codes = grown_rows(self._codes)
            self._scales = grown_rows(self._scales)  # rows beyond _used get their scale on add
            self._ids = grown_rows(self._ids)
        self._used += 1
        return row

    def _release(self, row: int) -> None:
        self._ids[row] = b""
        self._long_ids.pop(row, None)
        self._free.append(row)

    def count(self, story_id: str) -> int:
        """Members kept for a story (0 if unknown)."""
        return len(self._rows.get(story_id, b"")) // _ROW.size

    def _story_rows(self, story_id: str) -> np.ndarray:
        """A story's member rows, oldest first (empty if unknown)."""
        return np.frombuffer(self._rows.get(story_id, b""), dtype=np.int32)

    def member_ids(self, story_id: str) -> list[str]:
        """Kept members of a story, oldest first ([] if unknown)."""
        return [self._get_id(r) for r in self._story_rows(story_id).tolist()]

    def vectors(self, story_id: str) -> np.ndarray:
        """Decoded (n, dim) float32 member vectors of a story, oldest first."""
        rows = self._story_rows(story_id)
        scales = self._scales[rows] if self.quantizer.dtype == "int8" else None
        return self.quantizer.decode(self._codes[rows], scales)

    def nearest(self, story_id: str, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """The `n` members of a story with the highest cosine to `vector`, best first."""
        rows = self._story_rows(story_id)
        if not len(rows) or n <= 0:
            return []
        scales = self._scales[rows] if self.quantizer.dtype == "int8" else None
        scores = self.quantizer.scores(self._codes[rows], scales, vector)
        return [(self._get_id(int(rows[i])), float(scores[i])) for i in top_k_indices(scores, n)]

    def remove_story(self, story_id: str) -> None:
        for row in np.frombuffer(self._rows.pop(story_id, b""), dtype=np.int32).tolist():
            self._release(row)

    def nbytes(self) -> int:
        """Bytes of the codes, scales and ids (capacity included), not counting the story map."""
        return self._codes.nbytes + self._scales.nbytes + self._ids.nbytes


class StoryPool:
    """The per-story state of live stories in columns: time span, size, and optionally the vector sum.

    Replaces ``LiveStory`` objects for the memory budget: a float32 ``vector_sum``
    array (~2.1 KB with its object header at 512-d), two datetimes, a headline and
    the dataclass itself come to ~2.6 KB a story; here a story is one row of
    columns: two float64 times and an int32 size (20 bytes), plus the id map, and,
    unless ``dtype=None``, a row of a vector-sum matrix (``2*dim`` bytes at
    float16). float16 keeps ~3 significant digits of the sum, enough for a
    centroid (cosine error < 1e-5, see tests/test_index.py); pass
    ``dtype="float32"`` for exact sums, or ``dtype=None`` to keep no sums at all
    (the weaver derives centroids from its `MemberStore`). The headline is a
    column too (`set_headline`, `headline`).

    Parameters:
        dim: vector dimension.
        dtype: ``float16`` (default), ``float32`` or ``None`` (no vector sums).
        capacity: initial rows (doubles when full).

    Times are POSIX seconds (``datetime.timestamp()``), so closing quiet stories
    is one vectorised comparison.

    >>> pool = StoryPool(dim=2)
    >>> c = pool.add("s", np.array([1, 0], np.float32), 10.0)
    >>> c = pool.add("s", np.array([0, 1], np.float32), 20.0)
    >>> [round(float(x), 3) for x in pool.centroid("s")], pool.span("s"), pool.size("s")
    ([0.707, 0.707], (10.0, 20.0), 2)
    """

    def __init__(self, dim: int, *, dtype: str | None = "float16", capacity: int = 1024) -> None:
        if dtype not in ("float16", "float32", None):
            raise ValueError(f"vector sums are stored as float16 or float32 (or not at all), not {dtype!r}")
        self.dim = dim
        capacity = max(1, capacity)
        self._sums = np.zeros((capacity, dim), dtype=dtype) if dtype is not None else None
        self._first = np.zeros(capacity, dtype=np.float64)
        self._last = np.zeros(capacity, dtype=np.float64)
        self._size = np.zeros(capacity, dtype=np.int32)
        self._row: dict[str, int] = {}
        self._story: list[str | None] = []
        # by row, like _story: a column costs 8 B a story where a dict of headlines cost ~40 B more
        self._headline: list[str | None] = []
        self._free: list[int] = []

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._row

    def set_headline(self, story_id: str, headline: str) -> None:
        """Keep a live story's headline (the story must exist: `record` or `add` first)."""
        self._headline[self._row[story_id]] = headline

    def headline(self, story_id: str) -> str:
        """The story's headline ("" if none was set). KeyError if the story is not live."""
        return self._headline[self._row[story_id]] or ""

    def __iter__(self):
        return iter(self._row)

    @property
    def keeps_sums(self) -> bool:
        return self._sums is not None

    def record(self, story_id: str, when: float) -> None:
        """Count one more member at time `when` (creating the story); vector sums untouched."""
        row = self._row.get(story_id)
        if row is None:
            row = self._new_row(story_id)
            self._first[row] = self._last[row] = when
        if when < self._first[row]:
            self._first[row] = when
        if when > self._last[row]:
            self._last[row] = when
        self._size[row] += 1

    def add(self, story_id: str, vector: np.ndarray, when: float) -> np.ndarray:
        """Add one member's vector at time `when` (creating the story); returns the new centroid."""
        if self._sums is None:
            raise ValueError("this pool keeps no vector sums (dtype=None): use record()")
        self.record(story_id, when)
        row = self._row[story_id]
        total = self._sums[row].astype(np.float32) + np.asarray(vector, dtype=np.float32)
        self._sums[row] = total
        norm = float(np.linalg.norm(total))
        return total / norm if norm > 0 else total

    def _new_row(self, story_id: str) -> int:
        if self._free:
            row = self._free.pop()
            self._story[row] = story_id
            self._headline[row] = None
        else:
            row = len(self._story)
            if row >= len(self._first):
                if self._sums is not None:
                    self._sums = grown_rows(self._sums)
                for name in ("_first", "_last", "_size"):
                    setattr(self, name, grown_rows(getattr(self, name)))
            self._story.append(story_id)
            self._headline.append(None)
        self._row[story_id] = row
        if self._sums is not None:
            self._sums[row] = 0
        self._size[row] = 0
        return row

    def centroid(self, story_id: str) -> np.ndarray:
        total = self.vector_sum(story_id)
        norm = float(np.linalg.norm(total))
        return total / norm if norm > 0 else total

    def vector_sum(self, story_id: str) -> np.ndarray:
        if self._sums is None:
            raise ValueError("this pool keeps no vector sums (dtype=None)")
        return self._sums[self._row[story_id]].astype(np.float32)

    def span(self, story_id: str) -> tuple[float, float]:
        row = self._row[story_id]
        return float(self._first[row]), float(self._last[row])

    def size(self, story_id: str) -> int:
        return int(self._size[self._row[story_id]])

    def remove(self, story_id: str) -> None:
        row = self._row.pop(story_id, None)
        if row is not None:
            self._story[row] = None
            self._headline[row] = None
            self._free.append(row)

    def quiet_before(self, cutoff: float) -> list[str]:
        """Live stories whose last member is older than `cutoff` (to close them)."""
        n = len(self._story)
        rows = np.flatnonzero(self._last[:n] < cutoff)
        return [sid for sid in (self._story[r] for r in rows.tolist()) if sid is not None]

    def nbytes(self) -> int:
        sums = self._sums.nbytes if self._sums is not None else 0
        return sums + self._first.nbytes + self._last.nbytes + self._size.nbytes
