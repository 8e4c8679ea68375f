"""Online story weaving, with a stub judge so the decision rule itself is under test."""

from datetime import datetime, timedelta, timezone

import numpy as np

from newsloom.model import Article
from newsloom.weave import StoryWeaver

T0 = datetime(2025, 3, 1, tzinfo=timezone.utc)


class TableJudge:
    """Same story exactly when two articles carry the same `event` label."""

    threshold = 0.5

    def __init__(self):
        self.calls = 0

    def same_story(self, a, b):
        self.calls += 1
        same = a.metadata["event"] == b.metadata["event"]
        return same, 0.9 if same else 0.1


def make(i, event, vec, days=0.0):
    a = Article(id=i, text="x", clean_text="x", title=f"title {i}", published=T0 + timedelta(days=days),
                metadata={"event": event})
    v = np.asarray(vec, np.float32)
    a.vector = v / np.linalg.norm(v)
    return a


def weave(articles, **kw):
    pool = {a.id: a for a in articles}
    judge = TableJudge()
    w = StoryWeaver(judge, pool.__getitem__, dim=len(articles[0].vector), **kw)
    return [w.learn_one(a) for a in articles], w, judge


def test_same_topic_different_event_is_split_by_the_judge():
    # near-identical vectors (same topic), different events: the verifier decides
    arts = [make("a", "quake-1", [1, 0, 0]), make("b", "quake-2", [1, 0.05, 0]), make("c", "quake-1", [1, 0.02, 0])]
    results, w, _ = weave(arts)
    assert results[0].new_story and results[1].new_story
    assert not results[2].new_story and results[2].story_id == results[0].story_id
    assert results[2].reason()["via"] == "a"


def test_candidate_floor_skips_the_judge_for_unrelated_vectors():
    arts = [make("a", "e", [1, 0, 0]), make("b", "e", [0, 1, 0])]
    results, _, judge = weave(arts, candidate_floor=0.3)
    assert judge.calls == 0
    assert results[1].new_story


def test_articles_outside_the_time_window_start_a_new_story():
    arts = [make("a", "e", [1, 0, 0]), make("b", "e", [1, 0, 0], days=10)]
    results, _, _ = weave(arts, window_days=3)
    assert results[1].new_story


def test_restore_rebuilds_the_same_decisions():
    arts = [make("a", "e1", [1, 0, 0]), make("b", "e2", [0, 1, 0]), make("c", "e1", [1, 0.1, 0])]
    _, w, _ = weave(arts[:2])
    fresh = StoryWeaver(TableJudge(), {a.id: a for a in arts}.__getitem__, dim=3)
    for story in w.stories.values():
        fresh.restore(story.to_story(), [(m, v, arts[0].when) for m, v in story.members])
    assert fresh.assign(arts[2]).story_id == arts[0].story_id


def test_close_quiet_removes_old_stories_from_the_live_pool():
    arts = [make("a", "e", [1, 0, 0])]
    _, w, _ = weave(arts)
    assert w.close_quiet(T0 + timedelta(days=30), quiet_days=14) == [arts[0].story_id]
    assert len(w.index) == 0
