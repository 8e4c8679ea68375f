"""ParallelPreparer gives exactly the serial pipeline's results, in input order."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from helpers import CountingEncoder

from newsloom.embed import HashingEncoder
from newsloom.model import ItemError, RawArticle
from newsloom.parallel import ParallelPreparer
from newsloom.pipeline import Pipeline

WHEN = datetime(2025, 5, 2, 9, 30, tzinfo=UTC)
FOOTER = "Subscribe to our newsletter for more stories every morning."


def _raws() -> list[RawArticle | ItemError]:
    texts = [
        ("en", "Ferry strike halts crossings", "Ferry workers in Portsmouth walked out on Thursday.\n"
         "The union said talks with the operator had failed after three weeks."),
        ("fr", "Grève des ferries", "Les marins de Calais ont cessé le travail jeudi matin.\n"
         "Le syndicat affirme que les négociations ont échoué après trois semaines."),
        ("de", "Fährstreik in Kiel", "Die Beschäftigten der Fähren in Kiel haben am Donnerstag die Arbeit niedergelegt.\n"
         "Die Gewerkschaft spricht von gescheiterten Verhandlungen."),
        ("es", "Huelga de transbordadores", "Los trabajadores de los transbordadores de Bilbao iniciaron una huelga.\n"
         "El sindicato dijo que las negociaciones fracasaron tras tres semanas."),
        ("ru", "Забастовка паромщиков", "Работники паромной переправы в Калининграде объявили забастовку в четверг.\n"
         "Профсоюз заявил, что переговоры с оператором зашли в тупик."),
    ]
    raws: list[RawArticle | ItemError] = []
    for round_ in range(4):  # the same source four times: its footer becomes a learned repeated line
        for lang, title, body in texts:
            raws.append(RawArticle(text=f"{body}\nRound {round_} update from the newsroom desk.\n{FOOTER}",
                                   title=f"{title} ({round_})", source="Coastal Wire", published=WHEN,
                                   origin=f"{lang}-{round_}"))
    raws.insert(3, ItemError("reader:7", "not valid JSON", "malformed"))
    raws.insert(6, RawArticle(text="   ", origin="blank"))
    raws.insert(9, RawArticle(text="Some words here, but in a language we do not support.", lang="xx",
                              origin="unsupported"))
    return raws


def _comparable(item):
    if isinstance(item, ItemError):
        return ("error", item.origin, item.kind, item.reason)
    article, entities = item
    return (article.id, article.clean_text, article.title, article.lang, article.removed_lines,
            [(s.text, s.start, s.end) for s in article.sentences], sorted(entities))


@pytest.fixture(scope="module", params=[False, True], ids=["main-embeds", "workers-embed"])
def both(request):
    raws = _raws()
    serial = Pipeline(HashingEncoder(dim=64), enrich=False).prepare_many(raws)
    pipeline = Pipeline(HashingEncoder(dim=64), enrich=False)
    with ParallelPreparer(workers=2, pipeline=pipeline, embed_batch=4, embed_in_workers=request.param) as prep:
        parallel = prep.prepare_many(raws)
        # the pool is reused across calls (a new source: the first one's lines are all learned by now)
        again = prep.prepare_many([RawArticle(text=r.text, title=r.title, source="Harbour Post") for r in raws[:2]])
    return raws, serial, parallel, again, pipeline


def test_parallel_equals_serial(both):
    raws, serial, parallel, _again, _pipeline = both
    assert len(parallel) == len(raws)
    assert [_comparable(x) for x in parallel] == [_comparable(x) for x in serial]
    for s, p in zip(serial, parallel):
        if not isinstance(s, ItemError):
            assert np.allclose(s[0].vector, p[0].vector)
            assert np.allclose(s[0].sentence_vectors, p[0].sentence_vectors)


def test_errors_stay_in_place(both):
    parallel = both[2]
    assert isinstance(parallel[3], ItemError) and parallel[3].kind == "malformed"
    assert isinstance(parallel[6], ItemError) and parallel[6].kind == "empty"
    assert isinstance(parallel[9], ItemError) and parallel[9].origin == "unsupported"


def test_repeated_lines_learned_in_order(both):
    serial, parallel = both[1], both[2]
    removed_serial = [x[0].removed_lines for x in serial if not isinstance(x, ItemError)]
    assert any(FOOTER in r for r in removed_serial)  # the scenario really exercises the cross-article state
    assert [x[0].removed_lines for x in parallel if not isinstance(x, ItemError)] == removed_serial


def test_worker_stage_times_reach_the_main_pipeline(both):
    *_, again, pipeline = both
    assert len(again) == 2 and not isinstance(again[0], ItemError)
    assert pipeline.times.seconds["language"] > 0 and pipeline.times.seconds["embed"] > 0


@pytest.mark.parametrize("in_workers", [False, True])
def test_embed_in_workers_leaves_the_main_encoder_idle(in_workers):
    encoder = CountingEncoder()
    raws = [r for r in _raws()[:3] if isinstance(r, RawArticle)]
    with ParallelPreparer(workers=1, pipeline=Pipeline(encoder, enrich=False), embed_in_workers=in_workers) as prep:
        out = prep.prepare_many(raws)
    assert all(x[0].vector is not None and x[0].sentence_vectors is not None
               for x in out if not isinstance(x, ItemError))
    sentences = [s.text for x in out if not isinstance(x, ItemError) for s in x[0].sentences]
    main_encoded = set(encoder.texts)
    assert (set(sentences) <= main_encoded) != in_workers


def test_a_bug_in_a_worker_costs_one_item_and_a_dead_worker_does_not_stop_the_batch(monkeypatch):
    import os

    real_article = Pipeline._article

    def buggy_article(self, raw, repeated=None):
        if raw.origin == "bug":
            raise RuntimeError("stage bug")
        if raw.origin == "crash":
            os._exit(3)  # the worker process dies
        return real_article(self, raw, repeated)

    monkeypatch.setattr(Pipeline, "_article", buggy_article)  # the forked workers inherit the patch
    ok = RawArticle(text="Ferry workers in Portsmouth walked out on Thursday.", title="Ferry strike", lang="en",
                    published=WHEN, origin="ok")
    bug = RawArticle(text="Ferry workers in Calais walked out.", lang="en", published=WHEN, origin="bug")
    crash = RawArticle(text="Ferry workers in Kiel walked out.", lang="en", published=WHEN, origin="crash")
    pipeline = Pipeline(HashingEncoder(dim=64), enrich=False)
    with ParallelPreparer(workers=2, pipeline=pipeline, warm_up=False) as prep:
        first = prep.prepare_many([ok, bug])
        assert not isinstance(first[0], ItemError)
        assert isinstance(first[1], ItemError) and first[1].kind == "internal" and "stage bug" in first[1].reason
        second = prep.prepare_many([crash])
        assert isinstance(second[0], ItemError) and second[0].kind == "internal"
        third = prep.prepare_many([ok])  # fresh workers after the crash
        assert not isinstance(third[0], ItemError) and third[0][0].vector is not None


def test_warm_up_loads_the_entity_lexicons_that_its_texts_do_not_reach():
    # forked workers inherit what the warm-up loaded; the given names would otherwise be
    # read from Faker by every worker on its first articles
    from newsloom.entities import lexicon, rules
    from newsloom.parallel import _warm_up
    from newsloom.pipeline import Pipeline

    lexicon.given_names.cache_clear()
    rules.arabic_stop_words.cache_clear()
    _warm_up(Pipeline(enrich=True))
    assert lexicon.given_names.cache_info().currsize == 1
    assert rules.arabic_stop_words.cache_info().currsize == 1


def test_workers_inherit_the_encoders_prefilled_token_cache():
    from newsloom import parallel
    from newsloom.embed.use import UniversalSentenceEncoder

    encoder = UniversalSentenceEncoder(token_cache=4096)
    with ParallelPreparer(workers=1, pipeline=Pipeline(encoder, enrich=False), embed_in_workers=True) as prep:
        in_worker = prep.executor.submit(_cached_pieces_in_worker).result()
    # filled once, before the fork: half the capacity, plus the warm-up text's pieces
    assert encoder._load()._backend.cached_pieces >= 2048
    assert in_worker == encoder._load()._backend.cached_pieces
    assert parallel._WORKER_PIPELINE is None  # the probe ran in the worker, not here


def _cached_pieces_in_worker() -> int:
    from newsloom import parallel

    return parallel._WORKER_PIPELINE.embedder.encoder._load()._backend.cached_pieces
