"""Pipeline.prepare_batch: the NER models read a batch's articles together, and every
result is what `prepare` gives for the article alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsloom.embed import HashingEncoder
from newsloom.entities import models
from newsloom.model import ItemError, RawArticle
from newsloom.pipeline import Pipeline

WHEN = datetime(2025, 5, 2, 9, 30, tzinfo=UTC)
TEXTS = [
    ("en", ("Chancellor Olaf Scholz visited Dresden on Monday and praised the workers of Volkswagen. "
            "Later he flew to Brussels to meet Ursula von der Leyen.")),
    ("fr", ("Emmanuel Macron a reçu Olaf Scholz à l'Élysée mardi. Les deux dirigeants ont parlé "
            "de l'Ukraine et de la Banque centrale européenne.")),
    ("en", ("The mayor of Lyon, Grégory Doucet, opened a new tram line on Friday. "
            "Residents of Villeurbanne said the works had lasted two years.")),
    ("de", "Bundeskanzler Olaf Scholz besuchte am Montag Dresden. Danach reiste er nach Brüssel."),
    ("fr", ("À Marseille, la police a arrêté trois suspects jeudi soir. Le préfet Christophe Mirmand "
            "a salué le travail des enquêteurs.")),
    ("en", "Wildfires near Athens forced thousands to leave their homes, Greek officials said on Sunday."),
]


def _raws() -> list[RawArticle | ItemError]:
    raws: list[RawArticle | ItemError] = [
        RawArticle(text=text, title=text.split(".")[0][:40], lang=lang, published=WHEN, origin=f"{k}")
        for k, (lang, text) in enumerate(TEXTS)]
    raws.insert(2, ItemError("reader:3", "not valid JSON", "malformed"))
    raws.insert(4, RawArticle(text="Some words here, in no language we support.", lang="xx", origin="unsupported"))
    return raws


def _mentions(item):
    article, entities = item
    return ([(m.text, m.type, m.sentence, m.start, m.end, m.entity_id, m.source) for m in article.mentions],
            sorted(entities), [(e.date, e.expression) for e in article.events])


def _alone(pipeline: Pipeline, raws: list) -> list:
    """`prepare` of each article on its own (None where it would fail)."""
    return [pipeline.prepare(raw) if isinstance(raw, RawArticle) and raw.lang != "xx" else None for raw in raws]


def _assert_same(alone: list, batch: list) -> None:
    assert len(batch) == len(alone)
    for one, item in zip(alone, batch):
        if one is not None:
            assert not isinstance(item, ItemError), item
            assert _mentions(item) == _mentions(one)


@pytest.mark.parametrize("ner_sentences", [None, 1])
def test_a_batch_gives_what_each_article_gives_alone(monkeypatch, ner_sentences):
    pipeline = Pipeline(HashingEncoder(dim=64), ner_sentences=ner_sentences)
    raws = _raws()
    alone = _alone(pipeline, raws)

    def no_single_calls(*args, **kwargs):
        raise AssertionError("a language with several articles in the batch must go through extract_many")

    monkeypatch.setattr(models.SpacyExtractor, "extract", no_single_calls)
    batch = pipeline.prepare_batch(raws)
    _assert_same(alone, batch)
    assert isinstance(batch[2], ItemError) and batch[2].kind == "malformed"
    assert isinstance(batch[4], ItemError) and batch[4].origin == "unsupported"
    assert any(m.source.startswith("spacy-") for item in batch if not isinstance(item, ItemError)
               for m in item[0].mentions)


def test_a_failing_batched_model_falls_back_to_one_article_at_a_time(monkeypatch):
    pipeline = Pipeline(HashingEncoder(dim=64))
    raws = _raws()
    alone = _alone(pipeline, raws)

    def broken(*args, **kwargs):
        raise RuntimeError("batched NER broke")

    monkeypatch.setattr(models.SpacyExtractor, "extract_many", broken)
    _assert_same(alone, pipeline.prepare_batch(raws))


def test_an_article_whose_enrichment_fails_costs_only_itself(monkeypatch):
    from newsloom import dates

    real = dates.resolve_dates

    def resolve(article, *args, **kwargs):
        if article.lang == "de":
            raise RuntimeError("date stage bug")
        return real(article, *args, **kwargs)

    monkeypatch.setattr(dates, "resolve_dates", resolve)
    batch = Pipeline(HashingEncoder(dim=64)).prepare_batch(_raws())
    failed = [item for item in batch if isinstance(item, ItemError) and "date stage bug" in item.reason]
    assert len(failed) == 1 and failed[0].kind == "internal"
    assert sum(not isinstance(item, ItemError) for item in batch) == len(TEXTS) - 1
