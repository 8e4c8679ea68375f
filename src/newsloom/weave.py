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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import numpy as np

from newsloom.index import ExactStoryIndex, StoryIndex
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
    id: str
    headline: str
    vector_sum: np.ndarray
    first_seen: datetime
    last_seen: datetime
    members: list[tuple[str, np.ndarray]] = field(default_factory=list)  # (article id, vector)
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


class StoryWeaver:
    """Online story assignment; see the module docstring for the algorithm."""

    def __init__(self, judge: Judge, fetch_article: Callable[[str], Article], *, dim: int = 512,
                 index: StoryIndex | None = None, window_days: float = 3.0, candidate_floor: float = 0.3,
                 top_k: int = 5, members_checked: int = 3, max_members_kept: int = 64,
                 confident: float = 0.85) -> None:
        self.judge = judge
        self.fetch_article = fetch_article
        self.index = index if index is not None else ExactStoryIndex(dim)
        self.window = timedelta(days=window_days)
        self.candidate_floor = candidate_floor
        self.top_k = top_k
        self.members_checked = members_checked
        self.confident = confident
        self.max_members_kept = max_members_kept
        self.stories: dict[str, LiveStory] = {}

    @classmethod
    def for_judge(cls, judge: Judge, fetch_article: Callable[[str], Article], *, dim: int,
                  window_days: float = 3.0, index: StoryIndex | None = None) -> "StoryWeaver":
        """A weaver with the judge's own calibrated candidate floor (streaming and backfill alike)."""
        return cls(judge, fetch_article, dim=dim, index=index, window_days=window_days,
                   candidate_floor=getattr(judge, "candidate_floor", 0.3))

    # -- decide ----------------------------------------------------------------
    def assign(self, article: Article) -> Assignment:
        """Decide where `article` goes, without changing any state."""
        if article.vector is None:
            raise ValueError(f"article {article.id} has no vector: embed it before weaving")
        when = article.when
        candidates = []
        for story_id, cos in self.index.search(article.vector, self.top_k * 4):
            story = self.stories.get(story_id)
            if story is None or cos < self.candidate_floor:
                continue
            if not (story.first_seen - self.window <= when <= story.last_seen + self.window):
                continue
            candidates.append((story, cos))
            if len(candidates) >= self.top_k:
                break
        best: Assignment | None = None
        scored = []
        threshold = getattr(self.judge, "threshold", 0.5)
        for story, cos in candidates:  # best centroid cosine first
            members = story.members
            if len(members) > self.members_checked:
                members = sorted(members, key=lambda m: -float(m[1] @ article.vector))[: self.members_checked]
            story_best = (0.0, None)
            for member_id, _vec in members:
                _, prob = self.judge.same_story(article, self.fetch_article(member_id))
                if prob > story_best[0]:
                    story_best = (prob, member_id)
                if prob >= threshold:
                    break  # one member that tells the same story is enough
            scored.append({"story": story.id, "cosine": round(cos, 4), "probability": round(story_best[0], 4),
                           "via": story_best[1]})
            if story_best[0] >= threshold and (best is None or story_best[0] > (best.probability or 0.0)):
                best = Assignment(story.id, False, story_best[0], cos, story_best[1])
            if best is not None and (best.probability or 0.0) >= self.confident:
                break  # a confident join: less similar candidates will not beat it
        scored.sort(key=lambda c: -c["probability"])
        if best is None:
            return Assignment(new_story_id(article), True, candidates=scored[:3])
        best.candidates = scored[:3]
        return best

    # -- learn -----------------------------------------------------------------
    def commit(self, article: Article, assignment: Assignment) -> LiveStory:
        """Apply a decision (after the store committed it)."""
        article.story_id = assignment.story_id
        story = self.stories.get(assignment.story_id)
        if story is None:
            story = LiveStory(assignment.story_id, article.title or article.clean_text[:90],
                              np.zeros_like(article.vector), article.when, article.when)
            self.stories[story.id] = story
        self._add_member(story, article.id, article.vector, article.when)
        self.index.upsert(story.id, story.centroid)
        return story

    def learn_one(self, article: Article) -> Assignment:
        """Assign and commit in one step (for use without a store)."""
        assignment = self.assign(article)
        self.commit(article, assignment)
        return assignment

    def preview(self, article: Article, assignment: Assignment) -> Story:
        """The story as it will be once `article` joins it (to store it in the same transaction)."""
        story = self.stories.get(assignment.story_id)
        if story is None:
            return Story(id=assignment.story_id, headline=article.title or article.clean_text[:90],
                         article_ids=[article.id], first_seen=article.when, last_seen=article.when,
                         centroid=article.vector)
        vector_sum = story.vector_sum + article.vector
        norm = float(np.linalg.norm(vector_sum))
        return Story(id=story.id, headline=story.headline, article_ids=[m for m, _ in story.members] + [article.id],
                     first_seen=min(story.first_seen, article.when), last_seen=max(story.last_seen, article.when),
                     centroid=vector_sum / norm if norm else vector_sum)

    def size_after(self, assignment: Assignment) -> int:
        """How many articles the assigned story holds once the article joins it."""
        story = self.stories.get(assignment.story_id)
        return 1 if story is None else story.size + 1

    def _add_member(self, story: LiveStory, article_id: str, vector: np.ndarray, when: datetime) -> None:
        story.vector_sum = story.vector_sum + vector
        story.first_seen = min(story.first_seen, when)
        story.last_seen = max(story.last_seen, when)
        story.size += 1
        story.members.append((article_id, vector))
        if len(story.members) > self.max_members_kept:
            # keep the first article (the story's origin) and the most recent ones
            story.members = story.members[:1] + story.members[-(self.max_members_kept - 1):]

    # -- rebuild from the store ----------------------------------------------------
    def restore(self, story: Story, members: list[tuple[str, np.ndarray, datetime]]) -> None:
        """Re-create a live story from stored members (id, vector, when), oldest first."""
        if not members:
            return
        live = LiveStory(story.id, story.headline, np.zeros_like(members[0][1]), members[0][2], members[0][2])
        for article_id, vector, when in members:
            self._add_member(live, article_id, vector, when)
        self.stories[story.id] = live
        self.index.upsert(story.id, live.centroid)

    def close_quiet(self, now: datetime, quiet_days: float) -> list[str]:
        """Drop stories with no article for `quiet_days` from the live pool (they stay stored)."""
        cutoff = now - timedelta(days=quiet_days)
        closed = [sid for sid, s in self.stories.items() if s.last_seen < cutoff]
        for sid in closed:
            del self.stories[sid]
            self.index.remove(sid)
        return closed


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
