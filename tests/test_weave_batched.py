"""The weaver's batched verifier (`SimilarityModel.same_story_many`) decides exactly as
pair-by-pair `same_story` does, on the demo corpus with the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsloom.model import ItemError, RawArticle
from newsloom.pipeline import Pipeline
from newsloom.readers import read_paths
from newsloom.similarity.model import SimilarityModel
from newsloom.weave import StoryWeaver

DEMO = Path(__file__).resolve().parents[1] / "src" / "newsloom" / "data" / "demo" / "articles.jsonl"


class PairByPair:
    """The shipped model seen through `same_story` only (no batched method)."""

    def __init__(self, model: SimilarityModel) -> None:
        self.model = model
        self.threshold = getattr(model, "threshold", 0.5)
        self.calls = 0

    def same_story(self, a, b):
        self.calls += 1
        return self.model.same_story(a, b)


@pytest.fixture(scope="module")
def model() -> SimilarityModel:
    return SimilarityModel.load_default()


@pytest.fixture(scope="module")
def demo_articles():
    raws = [r for r in read_paths([str(DEMO)]) if isinstance(r, RawArticle)]
    prepared = Pipeline(enrich=False).prepare_many(raws)
    return [x[0] for x in prepared if not isinstance(x, ItemError)]


def test_same_story_many_equals_same_story_pair_by_pair(model, demo_articles):
    a, others = demo_articles[0], demo_articles[1:]
    assert model.same_story_many(a, others) == [model.same_story(a, b) for b in others]
    assert model.same_story_many(a, []) == []


def _weave(judge, articles):
    pool = {a.id: a for a in articles}
    weaver = StoryWeaver(judge, pool.__getitem__, dim=len(articles[0].vector),
                         candidate_floor=getattr(judge, "candidate_floor", 0.3))
    out = []
    for a in sorted(articles, key=lambda a: (a.when, a.id)):
        assignment = weaver.learn_one(a)
        out.append((a.id, assignment.story_id, assignment.probability, assignment.via_article,
                    assignment.candidates))
    return out


def test_batched_verifier_weaves_like_pair_by_pair(model, demo_articles):
    pair_by_pair = PairByPair(model)
    batched = _weave(model, demo_articles)
    assert batched == _weave(pair_by_pair, demo_articles)
    assert pair_by_pair.calls > 0  # the corpus really exercises the verifier
    assert len({story for _, story, *_ in batched}) < len(demo_articles)
