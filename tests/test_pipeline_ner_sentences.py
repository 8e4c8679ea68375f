"""Pipeline/Engine/ParallelPreparer(ner_sentences=N): the NER model reads the first N
sentences, the rules still read the whole article."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsloom.embed import HashingEncoder
from newsloom.engine import Engine
from newsloom.entities.models import model_text
from newsloom.model import RawArticle, Sentence
from newsloom.parallel import ParallelPreparer
from newsloom.pipeline import Pipeline

WHEN = datetime(2025, 5, 2, 9, 30, tzinfo=UTC)
# every sentence names a person, an organisation and a place, so the model finds some in each
TEXT = " ".join([
    "Mayor Anna Lindqvist met the board of Siemens in Hamburg on Monday.",
    "The talks were about the new tram line across the river.",
    "Later, Prime Minister Boris Johnson spoke to reporters in London about the plan.",
    "Officials of the World Bank in Washington said they would review the loan.",
    "Chancellor Olaf Scholz visited Dresden and praised the workers of Volkswagen.",
    "In Paris, Emmanuel Macron welcomed the agreement with the European Commission.",
])


def _raw() -> RawArticle:
    return RawArticle(text=TEXT, title="Tram talks", lang="en", published=WHEN, origin="a")


def _sentences(text: str, ends: list[int]) -> list[Sentence]:
    out, start = [], 0
    for i, end in enumerate(ends):
        out.append(Sentence(i, text[start:end], start, end))
        start = end + 1
    return out


def test_model_text_is_the_prefix_up_to_the_nth_sentence():
    text = "One two. Three four. Five six."
    sentences = _sentences(text, [8, 20, 30])
    assert model_text(text, sentences, None) == text
    assert model_text(text, sentences, 1) == "One two."
    assert model_text(text, sentences, 2) == "One two. Three four."
    assert model_text(text, sentences, 3) == text
    assert model_text(text, sentences, 10) == text


def test_pipeline_refuses_a_limit_below_one():
    with pytest.raises(ValueError):
        Pipeline(enrich=False, ner_sentences=0)


@pytest.fixture(scope="module")
def full_and_limited():
    encoder = HashingEncoder(dim=64)
    full, _ = Pipeline(encoder).prepare(_raw())
    limited, _ = Pipeline(encoder, ner_sentences=2).prepare(_raw())
    return full, limited


def test_the_model_reads_only_the_first_sentences(full_and_limited):
    full, limited = full_and_limited
    model_sentences = lambda a: {m.sentence for m in a.mentions if m.source.startswith("spacy")}  # noqa: E731
    assert max(model_sentences(full)) >= 2  # the full run finds model mentions late in the text
    assert model_sentences(limited) and max(model_sentences(limited)) < 2


def test_the_rules_still_cover_the_rest(full_and_limited):
    _, limited = full_and_limited
    late = [m for m in limited.mentions if m.sentence >= 2]
    assert late and all(not m.source.startswith("spacy") for m in late)
    assert "London" in {m.text for m in late}


def test_engine_and_workers_pass_the_limit_on(tmp_path, full_and_limited):
    _, limited = full_and_limited
    engine = Engine(db=tmp_path / "n.db", encoder=HashingEncoder(dim=64), ner_sentences=2)
    assert engine.pipeline.ner_sentences == 2
    engine.close()
    with ParallelPreparer(workers=1, pipeline=Pipeline(HashingEncoder(dim=64), ner_sentences=2)) as prep:
        (article, _), = prep.prepare_many([_raw()])
    key = lambda a: [(m.text, m.type, m.start, m.source) for m in a.mentions]  # noqa: E731
    assert key(article) == key(limited)
