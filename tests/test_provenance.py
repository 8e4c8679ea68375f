"""Provenance: translation / duplicate / rewrite / independent / unrelated, direction, graph."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from newsloom.model import RawArticle
from newsloom.pipeline import Pipeline
from newsloom.provenance import (
    DEMO_CORPUS,
    FULL_SHARE_SHORT,
    REUSE_MIN_SHARE,
    SharedFact,
    _similarity_matrix,
    classify,
    demo_gold,
    fact_passage,
    main_eval,
    precision_recall,
    relation,
    segments,
    shared_facts,
    story_provenance,
)

T0 = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)

# Our own small example: an English report, and a French article that translates
# three of its four sentences and adds three of its own.
EN_REPORT = (
    "The city council of Lakeport approved a new tram line on Tuesday evening.\n"
    "The line will link the central station with the university campus in the north.\n"
    "The project will cost 410 million euros, most of it paid by the regional government.\n"
    "Mayor Helena Strand said the tram would carry thirty thousand passengers a day."
)
FR_STITCHED = (
    "Le conseil municipal de Lakeport a approuvé mardi soir une nouvelle ligne de tramway.\n"
    "La ligne reliera la gare centrale au campus universitaire situé au nord.\n"
    "Le projet coûtera 410 millions d'euros, payés en grande partie par le gouvernement régional.\n"
    "Dans le même temps, les boulangers de la vallée ont organisé une fête du pain au village.\n"
    "Les enfants de l'école primaire ont préparé des chansons pour les visiteurs.\n"
    "La météo annonce de la pluie pour tout le week-end dans les montagnes."
)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(enrich=False)


@pytest.fixture(scope="module")
def demo(pipeline):
    records, raws = [], []
    for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        records.append(d)
        raws.append(RawArticle(text=d["text"], title=d["title"], source=d["source"], lang=d["lang"],
                               published=datetime.fromisoformat(d["published"]), origin=d["id"]))
    wanted = {"izmir-en-ht", "izmir-en-nh", "izmir-fr-cdl", "izmir-de-rb", "oder-en-ht", "oder-en-nh",
              "veltrix-en-ht"}
    chosen = [(d, raw) for d, raw in zip(records, raws) if d["id"] in wanted]
    prepared = [item[0] for item in pipeline.prepare_many([raw for _, raw in chosen])]
    return {d["id"]: art for (d, _), art in zip(chosen, prepared)}


def _prepare(pipeline: Pipeline, text: str, lang: str, published=None):
    return pipeline.prepare_many([RawArticle(text=text, lang=lang, published=published, origin=lang)])[0][0]


def test_demo_translation_is_found_with_its_direction(demo):
    en, fr = demo["izmir-en-ht"], demo["izmir-fr-cdl"]
    r = relation(en, fr)
    assert r["relation"] == "translation"
    assert r["direction"] == "a->b"  # the English original was published six hours earlier
    assert any(e["signal"] == "published" and e["favours"] == "a->b" for e in r["direction_evidence"])
    assert r["share_a"] >= FULL_SHARE_SHORT and r["share_b"] >= FULL_SHARE_SHORT
    # one-to-one: no sentence used twice
    assert len({p["sentence_a"] for p in r["aligned"]}) == len(r["aligned"])
    assert len({p["sentence_b"] for p in r["aligned"]}) == len(r["aligned"])
    reverse = relation(fr, en)
    assert reverse["relation"] == "translation" and reverse["direction"] == "b->a"


def test_near_duplicate_and_partial_rewrite(demo):
    dup = relation(demo["izmir-en-ht"], demo["izmir-en-nh"])
    assert dup["relation"] == "duplicate" and dup["direction"] == "a->b"
    rewrite = relation(demo["oder-en-ht"], demo["oder-en-nh"])
    assert rewrite["relation"] == "rewrite"
    assert rewrite["direction"] == "a->b"
    assert 0 < rewrite["share_b"] < rewrite["share_a"] < 1  # the rewrite adds material
    assert {s["kind"] for s in rewrite["segments_b"]} == {"shared", "own"}


def test_independent_and_unrelated(demo):
    independent = relation(demo["izmir-en-ht"], demo["izmir-de-rb"])
    assert independent["relation"] in ("independent", "rewrite")  # same story, written separately
    assert independent["relation"] != "translation"
    unrelated = relation(demo["izmir-en-ht"], demo["veltrix-en-ht"])
    assert unrelated["relation"] == "unrelated"
    assert unrelated["aligned"] == []
    assert relation(demo["izmir-en-ht"], demo["veltrix-en-ht"], same_story=True)["relation"] == "independent"


def test_stitched_cross_language_article_is_partial_reuse(pipeline):
    en = _prepare(pipeline, EN_REPORT, "en")
    fr = _prepare(pipeline, FR_STITCHED, "fr")
    r = relation(en, fr)
    assert r["relation"] == "rewrite", r["explanation"]
    aligned = {(p["sentence_a"], p["sentence_b"]) for p in r["aligned"]}
    assert {(0, 0), (1, 1), (2, 2)} <= aligned
    assert all(p["sentence_b"] < 3 for p in r["aligned"])  # the added French paragraphs stay own
    assert r["segments_b"][0] == {"kind": "shared", "start": 0, "end": 3, "counterparts": [0, 1, 2]}
    assert r["segments_b"][-1]["kind"] == "own" and r["segments_b"][-1]["end"] == 6
    # no publication times: the direction comes from the added material alone
    assert r["direction"] == "a->b"
    assert any(e["signal"] == "extra_material" for e in r["direction_evidence"])
    assert "Lakeport" in r["shared"]["names"]


def test_classify_thresholds():
    assert classify(1.0, 0.9, 9, True, 0.9) == "translation"
    assert classify(1.0, 0.9, 9, False, 0.9) == "duplicate"
    assert classify(0.5, 0.3, 3, True, 0.8) == "rewrite"
    assert classify(REUSE_MIN_SHARE / 2, 0.05, 1, True, 0.8, shared_names=5) == "independent"
    assert classify(0.0, 0.0, 0, True, 0.1, shared_names=5) == "unrelated"
    assert classify(0.0, 0.0, 0, True, 0.1, same_story=True) == "independent"


def test_segments_runs():
    runs = segments(6, 5, {0: 2, 1: 3, 4: 0})
    assert [(r["kind"], r["start"], r["end"]) for r in runs] == [
        ("shared", 0, 2), ("own", 2, 4), ("shared", 4, 5), ("unchecked", 5, 6)]
    assert runs[0]["counterparts"] == [2, 3]
    assert [r["kind"] for r in segments(3, 3, {0: 0}, {1})] == ["shared", "short", "own"]


def test_credit_lines_do_not_count_as_reuse(pipeline):
    a = _prepare(pipeline, "A storm closed the northern ferry port for two days.\nSource: NPA", "en")
    b = _prepare(pipeline, "The central bank kept its interest rate unchanged on Thursday.\nSource: NPA", "en")
    r = relation(a, b)
    assert r["aligned"] == []
    assert any(s["kind"] == "short" for s in r["segments_a"])


def test_story_provenance_graph(demo):
    members = [demo[k] for k in ("izmir-fr-cdl", "izmir-en-nh", "izmir-en-ht", "izmir-de-rb")]
    graph = story_provenance(members)
    ht, nh, fr, de = (demo[k].id for k in ("izmir-en-ht", "izmir-en-nh", "izmir-fr-cdl", "izmir-de-rb"))
    edges = {(e["source"], e["target"]): e["relation"] for e in graph["edges"]}
    assert edges[(ht, fr)] == "translation"
    assert edges[(ht, nh)] == "duplicate"
    assert (nh, fr) not in edges  # implied by ht -> nh and ht -> fr
    assert ht in graph["originals"] and de in graph["originals"]
    assert fr not in graph["originals"] and nh not in graph["originals"]
    node = next(n for n in graph["nodes"] if n["id"] == fr)
    assert node["derived_from"] == [ht] and node["original"] is False
    single = story_provenance(members[:1])
    assert single["edges"] == [] and single["originals"] == [fr]
    assert story_provenance([]) is None


def test_demo_gold_closes_copies_transitively():
    records = [json.loads(line) for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines()]
    gold = demo_gold(records)
    assert gold[("izmir-en-ht", "izmir-fr-cdl")] == ("translation", "a->b")
    assert gold[("izmir-en-nh", "izmir-fr-cdl")][0] == "translation"
    assert gold[("izmir-en-ht", "izmir-en-nh")][0] == "duplicate"
    assert gold[("oder-en-ht", "oder-en-nh")] == ("rewrite", "a->b")
    assert gold[("izmir-en-ht", "veltrix-en-ht")][0] == "unrelated"


def test_precision_recall_counts():
    table = precision_recall([("translation", "translation"), ("translation", "rewrite"),
                              ("independent", "translation"), ("independent", "independent")],
                             ("translation", "rewrite", "independent"))
    assert table["translation"]["precision"] == 0.5 and table["translation"]["recall"] == 0.5
    assert table["rewrite"]["precision"] == 0.0 and table["rewrite"]["recall"] is None
    assert table["independent"]["recall"] == 0.5


def test_seeds_share_no_translated_text(shared_dir, pipeline):
    from newsloom.readers import read_paths

    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    assert len(seeds) >= 2
    raws = [item for item in read_paths([str(p) for p in seeds[:2]]) if isinstance(item, RawArticle)]
    en, fr = (item[0] for item in pipeline.prepare_many(raws))
    r = relation(en, fr)
    assert r["relation"] not in ("translation", "duplicate")
    assert r["shared"]["names"]  # the shared material is named
    assert r["explanation"]


def test_main_eval_help_exits_cleanly(capsys):
    with pytest.raises(SystemExit) as exc:
        main_eval(["--help"])
    assert exc.value.code == 0
    assert "precision" in capsys.readouterr().out


def test_time_direction_beats_nothing(pipeline):
    en = _prepare(pipeline, EN_REPORT, "en", published=T0 + timedelta(hours=5))
    fr = _prepare(pipeline, FR_STITCHED, "fr", published=T0)
    r = relation(en, fr)
    # time (weight 2) says fr is earlier; added material (weight 1) says en is the source
    assert r["direction"] == "b->a"


# -- second level: shared facts (rewritten, re-split material) -------------------

def _fact(i: int, j: int) -> SharedFact:
    return SharedFact(i, j, 0.5, ["per:x", "geo:1"], ["X", "Y"], ["2025-04-02"])


def test_fact_passage_needs_an_ordered_run():
    # two facts in consecutive sentences on both sides: a passage
    assert [(f.sentence_a, f.sentence_b) for f in fact_passage([], [_fact(4, 3), _fact(5, 4)])] == [(4, 3), (5, 4)]
    # one fact next to a sentence-level aligned pair also makes a passage
    assert len(fact_passage([(6, 5, 0.9)], [_fact(5, 4)])) == 1
    # a single fact, or facts far apart / in crossed order, are what independent reports share
    assert fact_passage([], [_fact(4, 3)]) == []
    assert fact_passage([], [_fact(1, 3), _fact(9, 4)]) == []
    assert fact_passage([], [_fact(4, 5), _fact(5, 4)]) == []
    # aligned pairs alone are the first level's business, not a fact passage
    assert fact_passage([(1, 1, 0.9), (2, 2, 0.9)], []) == []


EN_WIRE = (
    "The storm season has started early on the northern coast this year.\n"
    "After a first stop in Hamburg on Monday, Minister Karla Wendt is expected in Rotterdam on Tuesday "
    "to talk about flood barriers with her Dutch colleagues.\n"
    "On Wednesday, Karla Wendt is due to meet the Danish minister Jens Holm in Copenhagen to sign a "
    "joint plan for the dikes.\n"
    "Fishermen say the harbour walls have not been repaired for a decade."
)
DE_REWRITE = (
    "Die Küstenorte bereiten sich auf einen langen Winter vor.\n"
    "Ministerin Karla Wendt war am Montag in Hamburg und reist am Dienstag weiter nach Rotterdam.\n"
    "Am Mittwoch trifft Karla Wendt in Kopenhagen ihren dänischen Kollegen Jens Holm.\n"
    "Viele Bewohner haben Sandsäcke vor ihre Türen gelegt."
)


def test_rewritten_passage_with_shared_people_places_and_days_is_partial_reuse():
    enriched = Pipeline(enrich=True)
    monday = datetime(2025, 3, 31, 7, 0, tzinfo=UTC)
    en = _prepare(enriched, EN_WIRE, "en", published=monday)
    de = _prepare(enriched, DE_REWRITE, "de", published=monday + timedelta(hours=3))
    facts = shared_facts(en, de, _similarity_matrix(en, de))
    assert facts, "the rewritten sentences share people, places and days"
    r = relation(en, de)
    assert r["relation"] == "rewrite", r["explanation"]
    assert r["shared_facts"] and all(f["dates"] for f in r["shared_facts"])
    assert any(p["level"] == "fact" for p in r["aligned"])
    assert "Wendt" in r["explanation"]
    # the first and last sentences are each side's own
    assert r["segments_b"][0]["kind"] == "own" and r["segments_b"][-1]["kind"] == "own"
    # without dated events (no enrichment) the second level has nothing to go on
    assert relation(_prepare(Pipeline(enrich=False), EN_WIRE, "en", monday),
                    _prepare(Pipeline(enrich=False), DE_REWRITE, "de", monday))["shared_facts"] == []


def test_seeds_rewritten_wire_passage_is_partial_reuse(shared_dir, tmp_path):
    import newsloom
    from newsloom.readers import read_paths

    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    assert len(seeds) >= 2
    engine = newsloom.Engine(db=tmp_path / "seeds.db")
    arts = []
    for raw in read_paths([str(p) for p in seeds[:2]]):
        assert isinstance(raw, RawArticle)
        raw.published = datetime(2022, 1, 19, tzinfo=UTC)  # both seeds are dated 2022-01-19
        arts.append(engine.resolve(raw))
    en, fr = sorted(arts, key=lambda art: art.lang != "en")
    r = relation(en, fr)
    assert r["relation"] == "rewrite", r["explanation"]
    assert len(r["shared_facts"]) >= 2
    assert "Blinken" in r["explanation"] and "Lavrov" in r["explanation"]
    shared_a = {k for s in r["segments_a"] if s["kind"] == "shared" for k in range(s["start"], s["end"])}
    assert shared_a == {f["sentence_a"] for f in r["shared_facts"]} | {p["sentence_a"] for p in r["aligned"]}


def test_independent_explanation_names_the_one_sentence_that_aligns(pipeline):
    # one French sentence translates the mayor's quote; the rest is told in other words:
    # one aligned pair is too little for reuse, and the explanation must not claim none aligns
    fr = _prepare(pipeline, (
        "Helena Strand, la maire, a déclaré que le tramway transporterait trente mille passagers par jour.\n"
        "Les élus de Lakeport ont voté à une large majorité en faveur du nouveau réseau.\n"
        "Les travaux commenceront au printemps et dureront trois ans selon la municipalité.\n"
        "Plusieurs commerçants du centre craignent des mois de chantier devant leurs vitrines.\n"
        "Une association de cyclistes demande des pistes protégées le long du tracé."), "fr")
    en = _prepare(pipeline, EN_REPORT, "en")
    r = relation(en, fr, same_story=True)
    assert r["relation"] == "independent", r["explanation"]
    assert len(r["aligned"]) == 1 and r["aligned"][0]["sentence_a"] == 3, r["aligned"]
    assert "only 1 sentence pair(s) align" in r["explanation"]
    assert "no sentence of one is a translation" not in r["explanation"]
