"""Online story weaving: assign each incoming article to a story, or start one.

Algorithm (single-pass clustering with a verifier, in the spirit of
first-story detection, Allan et al. 1998, and Miranda et al. 2018,
"Multilingual Clustering of Streaming News"):

1. *Candidates.* The article vector is searched against the centroids of live
   stories (`index.StoryIndex`); stories whose time span, widened by
   `window_days`, does not contain the article's time are dropped, and so are
   candidates whose centroid cosine is below `candidate_floor` (a cheap recall
   filter calibrated so that almost no same-story pair falls under it).
2. *Verification.* For each of the `top_k` remaining stories, the article is
   compared with the `members_checked` members nearest to it by the judge (the
   trained similarity model, which weighs who/where/when as well as text), and
   the story's score is the best same-story probability. Verification is the
   expensive step, so it stops early: at the first member of a story above the
   threshold, and at the first story joined with probability >= `confident`.
3. *Decision.* The article joins the best story if that probability reaches the
   judge's threshold; otherwise it starts a new story. The story's centroid is
   the normalised mean of its members' vectors.

Parameters:
    judge: an object with ``same_story(a, b) -> (bool, probability)``.
    fetch_article: ``id -> Article`` with vectors, mentions and events (the store).
    window_days: how far outside a story's time span an article may still join it.
    candidate_floor: minimum centroid cosine for a story to be verified at all.
    top_k: how many candidate stories are verified, best centroid cosine first.
    members_checked: members of each candidate compared with the article
        (the nearest ones; checking stops at the first that tells the same story).
    confident: a join this probable ends verification of the remaining candidates.

Example:
    >>> import numpy as np
    >>> from datetime import datetime, timezone
    >>> from newsloom.model import Article
    >>> class CosineJudge:
    ...     def same_story(self, a, b):
    ...         p = float(a.vector @ b.vector)
    ...         return p >= 0.8, p
    >>> def art(i, v):
    ...     a = Article(id=i, text="t", clean_text="t", title=i,
    ...                 published=datetime(2025, 1, 1, tzinfo=timezone.utc))
    ...     a.vector = np.array(v, np.float32) / np.linalg.norm(v)
    ...     return a
    >>> pool = {}
    >>> w = StoryWeaver(CosineJudge(), pool.__getitem__, dim=2)
    >>> for a in [art("a", [1, 0]), art("b", [1, 0.1]), art("c", [0, 1])]:
    ...     pool[a.id] = a
    ...     _ = w.learn_one(a)
    >>> [pool[i].story_id == pool["a"].story_id for i in "abc"]
    [True, True, False]
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import numpy as np

from newsloom.index import ExactStoryIndex, StoryIndex
from newsloom.livestate import MemberStore, StoryPool
from newsloom.model import Article, Story


class Judge(Protocol):
    def same_story(self, a: Article, b: Article) -> tuple[bool, float]: ...


@dataclass
class Assignment:
    story_id: str
    new_story: bool
    probability: float | None = None
    cosine: float | None = None
    via_article: str | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)

    def reason(self) -> dict[str, Any]:
        """Why the article is where it is, in a form the store keeps and the UI shows."""
        if self.new_story:
            best = self.candidates[0] if self.candidates else None
            return {"decision": "new", "best_candidate": best}
        return {"decision": "join", "story": self.story_id, "via": self.via_article,
                "probability": round(self.probability or 0.0, 4), "cosine": round(self.cosine or 0.0, 4)}


@dataclass
class LiveStory:
    """A read-only snapshot of one live story (the weaver keeps its state in columns, not in these)."""

    id: str
    headline: str
    vector_sum: np.ndarray
    first_seen: datetime
    last_seen: datetime
    members: list[tuple[str, np.ndarray]] = field(default_factory=list)  # (article id, decoded vector), kept ones
    size: int = 0

    @property
    def centroid(self) -> np.ndarray:
        norm = float(np.linalg.norm(self.vector_sum))
        return self.vector_sum / norm if norm > 0 else self.vector_sum

    def to_story(self) -> Story:
        return Story(id=self.id, headline=self.headline, article_ids=[m for m, _ in self.members],
                     first_seen=self.first_seen, last_seen=self.last_seen, centroid=self.centroid)


def new_story_id(article: Article) -> str:
    return "s-" + hashlib.sha256(f"story:{article.id}".encode()).hexdigest()[:12]


def _seconds(when: datetime) -> float:
    """POSIX seconds of a datetime; a naive one is taken as UTC (the store writes UTC)."""
    return (when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)).timestamp()


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class LiveStories(Mapping[str, LiveStory]):
    """``weaver.stories``: the live stories as a read-only mapping of `LiveStory` snapshots.

    Built on demand from the weaver's columns (`StoryPool`, `MemberStore`), so
    reading it decodes member vectors; the weaver itself never goes through it.
    """

    def __init__(self, weaver: "StoryWeaver") -> None:
        self._weaver = weaver

    def __getitem__(self, story_id: str) -> LiveStory:
        if story_id not in self._weaver.pool:
            raise KeyError(story_id)
        return self._weaver.snapshot(story_id)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._weaver.pool

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._weaver.pool))

    def __len__(self) -> int:
        return len(self._weaver.pool)


class StoryWeaver:
    """Online story assignment; see the module docstring for the algorithm.

    Live state, kept compact for millions of stored articles (docs/scaling.md):

    * member vectors of every live story in one quantised `MemberStore`
      (``member_dtype``, int8 by default: 512 bytes + a 4-byte scale a member at
      512-d); they choose which members the judge verifies and give the centroid;
    * time span and size in a `StoryPool` (columns of POSIX seconds, no vector sums);
    * the centroid = the normalised sum of the kept members' decoded vectors; a
      story that outgrows ``max_members_kept`` gets an exact float32 running sum
      (members beyond the cap are forgotten, their vectors are not);
    * the headline (what `preview` hands to the store), a `StoryPool` column.

    ``member_dtype="float32"`` reproduces the float32 arithmetic of the former
    list-of-arrays state; int8 changes a cosine by ~3e-5 (measured in
    benchmarks/scale.py), which only matters for near-ties.
    """

    def __init__(self, judge: Judge, fetch_article: Callable[[str], Article], *, dim: int = 512,
                 index: StoryIndex | None = None, window_days: float = 3.0, candidate_floor: float = 0.3,
                 top_k: int = 5, members_checked: int = 3, max_members_kept: int = 64,
                 confident: float = 0.85, member_dtype: str = "int8") -> None:
        self.judge = judge
        self.fetch_article = fetch_article
        self.dim = dim
        self.index = index if index is not None else ExactStoryIndex(dim)
        self.window = timedelta(days=window_days)
        self.candidate_floor = candidate_floor
        self.top_k = top_k
        self.members_checked = members_checked
        self.confident = confident
        self.max_members_kept = max_members_kept
        self.members = MemberStore(dim, dtype=member_dtype, max_per_story=max_members_kept)
        self.pool = StoryPool(dim, dtype=None)  # also keeps the headlines
        # exact running sums of the (few) stories with more members than are kept
        self._big_sums: dict[str, np.ndarray] = {}

    @classmethod
    def for_judge(cls, judge: Judge, fetch_article: Callable[[str], Article], *, dim: int,
                  window_days: float = 3.0, index: StoryIndex | None = None) -> "StoryWeaver":
        """A weaver with the judge's own calibrated candidate floor (streaming and backfill alike)."""
        return cls(judge, fetch_article, dim=dim, index=index, window_days=window_days,
                   candidate_floor=getattr(judge, "candidate_floor", 0.3))

    @property
    def stories(self) -> LiveStories:
        """Live stories as read-only `LiveStory` snapshots (decoded on access)."""
        return LiveStories(self)

    def snapshot(self, story_id: str) -> LiveStory:
        first, last = self.pool.span(story_id)
        ids = self.members.member_ids(story_id)
        vectors = self.members.vectors(story_id)
        return LiveStory(story_id, self.pool.headline(story_id), self._vector_sum(story_id),
                         _utc(first), _utc(last), list(zip(ids, vectors)), self.pool.size(story_id))

    def live_member_ids(self) -> set[str]:
        """Ids of the kept members of every live story (cheap: no vectors decoded)."""
        return {m for story_id in self.pool for m in self.members.member_ids(story_id)}

    # -- decide ----------------------------------------------------------------
    def _members_to_verify(self, story_id: str, vector: np.ndarray) -> list[str]:
        # all of a small story, in arrival order; else the nearest ones, nearest first
        if self.members.count(story_id) <= self.members_checked:
            return self.members.member_ids(story_id)
        return [m for m, _ in self.members.nearest(story_id, vector, self.members_checked)]

    def assign(self, article: Article) -> Assignment:
        """Decide where `article` goes, without changing any state."""
        if article.vector is None:
            raise ValueError(f"article {article.id} has no vector: embed it before weaving")
        when = _seconds(article.when)
        window = self.window.total_seconds()
        candidates = []
        for story_id, cos in self.index.search(article.vector, self.top_k * 4):
            if story_id not in self.pool or cos < self.candidate_floor:
                continue
            first, last = self.pool.span(story_id)
            if not (first - window <= when <= last + window):
                continue
            candidates.append((story_id, cos))
            if len(candidates) >= self.top_k:
                break
        best: Assignment | None = None
        scored = []
        threshold = getattr(self.judge, "threshold", 0.5)
        for story_id, cos in candidates:  # best centroid cosine first
            members = self._members_to_verify(story_id, article.vector)
            story_best = (0.0, None)
            for member_id, prob in zip(members, self._probabilities(article, members)):
                if prob > story_best[0]:
                    story_best = (prob, member_id)
                if prob >= threshold:
                    break  # one member that tells the same story is enough
            scored.append({"story": story_id, "cosine": round(cos, 4), "probability": round(story_best[0], 4),
                           "via": story_best[1]})
            if story_best[0] >= threshold and (best is None or story_best[0] > (best.probability or 0.0)):
                best = Assignment(story_id, False, story_best[0], cos, story_best[1])
            if best is not None and (best.probability or 0.0) >= self.confident:
                break  # a confident join: less similar candidates will not beat it
        scored.sort(key=lambda c: -c["probability"])
        if best is None:
            return Assignment(new_story_id(article), True, candidates=scored[:3])
        best.candidates = scored[:3]
        return best

    def _probabilities(self, article: Article, member_ids: list[str]) -> Iterable[float]:
        """Same-story probabilities of `article` against members of one story, in order.

        A judge with ``same_story_many`` scores them in one call (one feature matrix,
        one tree evaluation: the per-call overhead of the trees is most of a pair's
        cost); the others pair by pair. Either way the probabilities are the judge's
        ``same_story`` ones, so decisions do not depend on the batching.
        """
        members = [self.fetch_article(m) for m in member_ids]
        many = getattr(self.judge, "same_story_many", None)
        if many is not None:
            return [prob for _, prob in many(article, members)]
        return [self.judge.same_story(article, member)[1] for member in members]

    # -- centroids ---------------------------------------------------------------
    def _vector_sum(self, story_id: str) -> np.ndarray:
        big = self._big_sums.get(story_id)
        if big is not None:
            return big.copy()
        if not self.members.count(story_id):
            return np.zeros(self.dim, np.float32)
        return self.members.vectors(story_id).sum(axis=0, dtype=np.float32)

    def _sum_with(self, story_id: str, vector: np.ndarray) -> np.ndarray:
        """The story's vector sum once `vector` joins it (an unknown story: `vector` itself).

        The vector is rounded as the member store will keep it, so a preview and
        the state after the commit agree exactly.
        """
        quantizer = self.members.quantizer
        return self._vector_sum(story_id) + quantizer.decode(*quantizer.encode(vector))[0]

    # -- learn -----------------------------------------------------------------
    def commit(self, article: Article, assignment: Assignment) -> None:
        """Apply a decision (after the store committed it)."""
        article.story_id = assignment.story_id
        new = assignment.story_id not in self.pool
        centroid = self._add_member(assignment.story_id, article.id, article.vector, _seconds(article.when))
        if new:
            self.pool.set_headline(assignment.story_id, article.title or article.clean_text[:90])
        self.index.upsert(assignment.story_id, centroid)

    def learn_one(self, article: Article) -> Assignment:
        """Assign and commit in one step (for use without a store)."""
        assignment = self.assign(article)
        self.commit(article, assignment)
        return assignment

    def preview(self, article: Article, assignment: Assignment) -> Story:
        """The story as it will be once `article` joins it (to store it in the same transaction)."""
        story_id = assignment.story_id
        if story_id not in self.pool:
            return Story(id=story_id, headline=article.title or article.clean_text[:90],
                         article_ids=[article.id], first_seen=article.when, last_seen=article.when,
                         centroid=article.vector)
        first, last = self.pool.span(story_id)
        when = _seconds(article.when)
        return Story(id=story_id, headline=self.pool.headline(story_id),
                     article_ids=self.members.member_ids(story_id) + [article.id],
                     first_seen=_utc(min(first, when)), last_seen=_utc(max(last, when)),
                     centroid=_unit(self._sum_with(story_id, article.vector)))

    def size_after(self, assignment: Assignment) -> int:
        """How many articles the assigned story holds once the article joins it."""
        story_id = assignment.story_id
        return self.pool.size(story_id) + 1 if story_id in self.pool else 1

    def _add_member(self, story_id: str, article_id: str, vector: np.ndarray, when: float) -> np.ndarray:
        """Record a member; returns the story's new centroid."""
        vector = np.asarray(vector, dtype=np.float32)
        total = self._sum_with(story_id, vector)
        if story_id in self._big_sums or self.members.count(story_id) >= self.max_members_kept:
            self._big_sums[story_id] = total  # a member is about to be forgotten: keep the exact sum
        self.pool.record(story_id, when)
        self.members.add(story_id, article_id, vector)  # keeps the first and the most recent ones
        return _unit(total)

    # -- rebuild from the store ----------------------------------------------------
    def restore(self, story: Story, members: list[tuple[str, np.ndarray, datetime]]) -> None:
        """Re-create a live story from stored members (id, vector, when), oldest first."""
        if not members:
            return
        centroid = None
        for article_id, vector, when in members:
            centroid = self._add_member(story.id, article_id, vector, _seconds(when))
        self.pool.set_headline(story.id, story.headline)
        self.index.upsert(story.id, centroid)

    def close_quiet(self, now: datetime, quiet_days: float) -> list[str]:
        """Drop stories with no article for `quiet_days` from the live pool (they stay stored)."""
        closed = self.pool.quiet_before(_seconds(now - timedelta(days=quiet_days)))
        for sid in closed:
            self.pool.remove(sid)
            self.members.remove_story(sid)
            self._big_sums.pop(sid, None)
            self.index.remove(sid)
        return closed

    def nbytes(self) -> int:
        """Bytes of the member matrix and pool columns (not the index, dict overheads or headlines)."""
        return self.members.nbytes() + self.pool.nbytes() + sum(v.nbytes for v in self._big_sums.values())


class CosineJudge:
    """The baseline judge: same story when the article cosine reaches `threshold`.

    Used only when no trained similarity model is available; the trained
    model (newsloom.similarity) is the default judge.
    """

    def __init__(self, threshold: float = 0.75) -> None:
        self.threshold = threshold

    def same_story(self, a: Article, b: Article) -> tuple[bool, float]:
        cos = float(a.vector @ b.vector)
        return cos >= self.threshold, cos
