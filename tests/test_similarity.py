"""Similarity model: loading, scale, ordering of a translated vs an unrelated pair,
low-confidence answers for thin input, and the evaluation commands' keys."""

from __future__ import annotations

import json

import numpy as np
import pytest

from newsloom.errors import InputError
from newsloom.similarity.features import FEATURE_NAMES, pair_features
from newsloom.align import greedy_alignment
from newsloom.similarity.model import SimilarityModel
from newsloom.similarity.prepare import TextItem, prepare_items

EN_TITLE = "Flooding closes main bridge in Lyon after days of heavy rain"
EN_TEXT = (
    "The main bridge across the Rhône in Lyon was closed on Tuesday after the river rose by two metres. "
    "Mayor Grégory Doucet said the closure would last at least until Friday. "
    "Around 3,000 residents living near the river banks were told to prepare for evacuation. "
    "Météo-France has placed the Rhône department on red alert for the next 48 hours. "
    "Trains between Lyon and Grenoble were cancelled as water covered parts of the track."
)
FR_TITLE = "Inondations : le pont principal de Lyon fermé après des jours de fortes pluies"
FR_TEXT = (
    "Le pont principal sur le Rhône à Lyon a été fermé mardi après une montée du fleuve de deux mètres. "
    "Le maire Grégory Doucet a indiqué que la fermeture durerait au moins jusqu'à vendredi. "
    "Environ 3 000 habitants vivant près des berges ont été invités à se préparer à une évacuation. "
    "Météo-France a placé le département du Rhône en vigilance rouge pour les prochaines 48 heures. "
    "Les trains entre Lyon et Grenoble ont été annulés, l'eau recouvrant une partie des voies."
)
OTHER_TITLE = "Local bakery wins national award for its sourdough"
OTHER_TEXT = (
    "A small bakery in the north of Scotland has won a national prize for the best sourdough loaf. "
    "The owners started baking in their kitchen ten years ago and now employ twelve people. "
    "Judges praised the crust and the slightly sour taste of the bread. "
    "The bakery plans to open a second shop next spring in a nearby village."
)


@pytest.fixture(scope="module")
def model() -> SimilarityModel:
    return SimilarityModel.load_default()


@pytest.fixture(scope="module")
def articles():
    items = [TextItem(EN_TITLE, EN_TEXT, "en"), TextItem(FR_TITLE, FR_TEXT, "fr"),
             TextItem(OTHER_TITLE, OTHER_TEXT, "en"), TextItem(None, "", "en"),
             TextItem("Menu", "Home | News | Sport\nShare\nLogin", "en"),
             TextItem("Kort", "Een kort bericht over het weer van vandaag.", "xx")]
    return prepare_items(items, use_cache=False)


def test_model_loads_with_version_and_predicts_on_scale(model):
    assert model.version
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 2, size=(50, len(FEATURE_NAMES)))
    preds = model.predict(X)
    assert set(preds) == {"Overall", "Geography", "Entities", "Time", "Narrative"}
    for values in preds.values():
        assert values.shape == (50,)
        assert np.all((values >= 1.0) & (values <= 4.0))


def test_translation_scores_closer_than_unrelated(model, articles):
    en, fr, other = articles[:3]
    same = model.compare(en, fr)
    diff = model.compare(en, other)
    assert same.overall < diff.overall
    assert same.similarity > diff.similarity
    assert same.same_story and not diff.same_story
    assert same.same_story_probability > diff.same_story_probability
    assert same.cosine > diff.cosine
    assert same.confidence == "normal"
    assert len(same.evidence) >= 3  # the sentences are translations of each other
    assert "counterpart" in same.explanations["Narrative"]
    assert model.same_story(en, fr)[0] is True


def test_narrative_explanation_counts_close_and_loose_counterparts_as_the_evidence_does(model, articles):
    import re

    from newsloom.similarity.model import EVIDENCE_THRESHOLD, MAX_EVIDENCE

    en, fr, other = articles[:3]
    for c in (model.compare(en, fr), model.compare(en, other)):
        assert len(c.evidence) < MAX_EVIDENCE
        close = sum(p.similarity >= EVIDENCE_THRESHOLD for p in c.evidence)
        loose = len(c.evidence) - close  # below MAX_EVIDENCE: every pair down to the floor
        text = c.explanations["Narrative"]
        assert text.startswith(f"{2 * close} of ")
        found = re.search(r"; (\d+) more pairs? of sentences", text)
        assert (int(found.group(1)) if found else 0) == loose


def test_time_explanation_names_the_calendar_days_both_texts_name(model):
    """Undated texts that name one day in two languages say so; texts naming other days
    say which; a text naming no day adds nothing."""
    base = EN_TEXT.replace("on Tuesday", "on Tuesday 19 January")
    en, fr, later, none = prepare_items([
        TextItem(EN_TITLE, base, "en"),
        TextItem(FR_TITLE, FR_TEXT.replace("mardi", "le mardi 19 janvier"), "fr"),
        TextItem(EN_TITLE, EN_TEXT.replace("on Tuesday", "on Tuesday, January 26"), "en"),
        TextItem(EN_TITLE, EN_TEXT, "en")], use_cache=False)
    assert "both name 19 January" in model.compare(en, fr).explanations["Time"]
    assert "different days (19 January vs 26 January)" in model.compare(en, later).explanations["Time"]
    assert "name" not in model.compare(en, none).explanations["Time"]


def test_geography_explanation_names_each_sides_places_when_none_are_shared(model, articles):
    """One kind of event in two cities: the explanation says which places differ."""
    en, fr = articles[:2]
    glasgow, = prepare_items([TextItem(
        "Flooding closes main bridge in Glasgow", EN_TEXT.replace("the Rhône in Lyon", "the Clyde in Glasgow")
        .replace("Lyon and Grenoble", "Glasgow and Edinburgh").replace("Météo-France has placed the Rhône department",
                                                                      "Forecasters have placed the region"), "en")],
        use_cache=False)
    text = model.compare(en, glasgow).explanations["Geography"]
    assert text.startswith("No places in common (") and "Lyon" in text and "Glasgow" in text
    assert text.index("Lyon") < text.index(" vs ") < text.index("Glasgow")
    assert "Both mention" in model.compare(en, fr).explanations["Geography"]


def test_features_are_symmetric(articles):
    en, fr = articles[:2]
    assert np.allclose(pair_features(en, fr), pair_features(fr, en))


@pytest.mark.parametrize("index, needle", [(3, "empty"), (4, "debris"), (5, "unsupported language"), (5, "short")])
def test_thin_or_unsupported_input_is_low_confidence(model, articles, index, needle):
    comp = model.compare(articles[0], articles[index])
    assert comp.confidence == "low"
    assert any(needle in w for w in comp.warnings)
    assert 1.0 <= comp.overall <= 4.0


def test_unembedded_article_is_a_clear_error(model, articles):
    from newsloom.model import Article

    bare = Article(id="x", text="t", clean_text="t")
    with pytest.raises(InputError):
        model.compare(articles[0], bare)


def test_greedy_alignment_is_one_to_one():
    sims = np.array([[0.9, 0.8], [0.85, 0.7], [0.1, 0.2]])
    pairs = greedy_alignment(sims, threshold=0.5)
    assert [(i, j) for i, j, _ in pairs] == [(0, 0), (1, 1)]


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_eval_similarity_json_keys(tmp_path, capsys):
    from newsloom.similarity.evaluate import main_similarity

    rows = [
        {"pair_id": "1_2", "lang1": "en", "lang2": "fr", "title1": EN_TITLE, "text1": EN_TEXT,
         "title2": FR_TITLE, "text2": FR_TEXT, "labels": {"Overall": 1.0, "Geography": 1.0}},
        {"pair_id": "1_3", "lang1": "en", "lang2": "en", "title1": EN_TITLE, "text1": EN_TEXT,
         "title2": OTHER_TITLE, "text2": OTHER_TEXT, "labels": {"Overall": 4.0}, "date1": "2024-01-02",
         "date2": "2024-03-01"},
        {"pair_id": "2_3", "lang1": "fr", "lang2": "en", "title1": FR_TITLE, "text1": FR_TEXT,
         "title2": OTHER_TITLE, "text2": OTHER_TEXT, "labels": {"Overall": 3.5}},
    ]
    path = tmp_path / "pairs.jsonl"
    _write_jsonl(path, rows)
    assert main_similarity([str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "pearson_overall" in report and report["pearson_overall"] > 0
    assert [p["pair_id"] for p in report["predictions"]] == ["1_2", "1_3", "2_3"]
    for p in report["predictions"]:
        assert all(1.0 <= p[d] <= 4.0 for d in ("Overall", "Geography", "Entities", "Time", "Narrative"))


def test_eval_samestory_json_keys(tmp_path, capsys):
    from newsloom.similarity.evaluate import main_samestory

    rows = [{"title1": EN_TITLE, "text1": EN_TEXT, "title2": FR_TITLE, "text2": FR_TEXT, "same": True,
             "lang1": "en", "lang2": "fr"},
            {"title1": EN_TITLE, "text1": EN_TEXT, "title2": OTHER_TITLE, "text2": OTHER_TEXT, "same": False}]
    path = tmp_path / "same.jsonl"
    _write_jsonl(path, rows)
    assert main_samestory([str(path), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert {"precision", "recall", "f1"} <= set(scores)
    assert scores["f1"] == 1.0
    assert "decisions" not in scores
    # --pairs: each pair's decision and why, in file order, as JSON and as lines
    assert main_samestory([str(path), "--json", "--pairs"]) == 0
    decisions = json.loads(capsys.readouterr().out)["decisions"]
    assert [(d["same"], d["decided"]) for d in decisions] == [(True, True), (False, False)]
    assert decisions[0]["overall"] <= decisions[0]["threshold"] < decisions[1]["overall"]
    assert main_samestory([str(path), "--pairs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["0", "join,", "same"] and lines[1].split()[:3] == ["1", "new,", "different"]
    assert lines[2].startswith("pairs: 2 precision: 1.0")


def test_convert_samestory(tmp_path, shared_dir):
    from newsloom.similarity.evaluate import convert_samestory, main_convert

    tsv = shared_dir / "data" / "samestory" / "ru_train_pool.tsv"
    rows = convert_samestory(tsv)
    assert len(rows) == 20
    assert {"title1", "text1", "title2", "text2", "same"} <= set(rows[0])
    assert any(r["same"] for r in rows) and not all(r["same"] for r in rows)
    out = tmp_path / "out.jsonl"
    assert main_convert([str(tsv), "-o", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 20


def test_dev_split_is_grouped_and_original_only(shared_dir):
    from newsloom.similarity.data import dev_split, load_semeval

    pairs = load_semeval(shared_dir / "data" / "semeval2022")
    train, dev = dev_split(pairs)
    assert dev and all(p.quality == "original" for p in dev)
    dev_articles = {i for p in dev for i in p.article_ids}
    assert not any(set(p.article_ids) & dev_articles for p in train)
    langs = {p.lang_pair for p in dev}
    assert {"ar", "es", "fr", "tr"} <= langs


def _bare_article(aid: str, text: str, mentions, event_days, lang: str):
    from datetime import date

    from newsloom.model import Article, Mention, TimeEvent

    art = Article(id=aid, text=text, clean_text=text, lang=lang)
    art.mentions = [Mention(t, typ, 0, 0, len(t), entity_id=eid) for t, typ, eid in mentions]
    art.events = [TimeEvent(date=date(2023, 3, d), expression=str(d), sentence=0) for d in event_days]
    return art


def test_who_where_when_features_work_across_scripts():
    from newsloom.similarity.features import FEATURE_NAMES as names

    ru = _bare_article("ru1", "Путин прибыл в Каир. Погибли 4 500 человек в 2023 году.",
                       [("Путин", "PER", "per:putin-ru"), ("Каир", "LOC", "geo:360630")], [3], "ru")
    en = _bare_article("en1", "Vladimir Putin arrived in Egypt. 4,500 people died in 2023.",
                       [("Vladimir Putin", "PER", "per:putin"), ("Egypt", "LOC", "cc:EG")], [5, 20], "en")
    other = _bare_article("en2", "Ms Keller opened a bakery in Leeds with 12 staff in 2019.",
                          [("Keller", "PER", "per:keller"), ("Leeds", "LOC", "cc:GB")], [], "en")
    same, diff = dict(zip(names, pair_features(ru, en))), dict(zip(names, pair_features(en, other)))
    assert same["surname_overlap"] == 1.0 and diff["surname_overlap"] == 0.0
    assert same["per_overlap"] == 1.0  # across scripts people are compared by sound: putin-ru ~ putin
    assert same["country_overlap"] == 1.0 and diff["country_overlap"] == 0.0  # Cairo lies in Egypt
    assert same["rare_num_overlap"] == 1.0 and diff["rare_num_overlap"] == 0.0  # 2023 is a year, not counted
    assert same["event_gap"] == pytest.approx(np.log1p(2)) and diff["event_gap"] == -1.0


def test_people_spelt_apart_by_transliteration_match_across_scripts_only():
    from newsloom.similarity.features import FEATURE_NAMES as names

    en = _bare_article("en-b", "President Buhari met Ms Durst in Abuja.",
                       [("Buhari", "PER", "per:buhar"), ("Durst", "PER", "per:durst")], [], "en")
    zh = _bare_article("zh-b", "布哈里总统在阿布贾会见了德斯特。",
                       [("布哈里", "PER", "per:buhal"), ("德斯特", "PER", "per:desit")], [], "zh")
    morton = _bare_article("en-m", "Mr Morton spoke in Abuja.", [("Morton", "PER", "per:morton")], [], "en")
    martin = _bare_article("en-n", "Mr Martin spoke in Abuja.", [("Martin", "PER", "per:martin")], [], "en")
    across = dict(zip(names, pair_features(en, zh)))
    within = dict(zip(names, pair_features(morton, martin)))
    assert across["per_overlap"] == 0.5  # buhar ~ buhal; durst and desit stay apart
    assert within["per_overlap"] == 0.0  # one script: the coarse key would merge two people


def test_a_state_or_province_implies_its_country():
    from newsloom.similarity.features import FEATURE_NAMES as names

    hanover = _bare_article("de-h", "In Niedersachsen wurde gewählt.", [("Niedersachsen", "LOC", "sub:DE-NI")], [], "de")
    germany = _bare_article("en-h", "Germany held a regional vote.", [("Germany", "LOC", "cc:DE")], [], "en")
    france = _bare_article("fr-h", "La France a voté.", [("France", "LOC", "cc:FR")], [], "fr")
    assert dict(zip(names, pair_features(hanover, germany)))["country_overlap"] == 1.0
    assert dict(zip(names, pair_features(hanover, france)))["country_overlap"] == 0.0


def test_a_person_spelt_apart_across_scripts_does_not_contrast_two_titles():
    from newsloom.similarity.features import title_contrast

    def titled(aid, title, text, mentions, lang):
        art = _bare_article(aid, text, mentions, [], lang)
        art.title = title
        return art

    en = titled("en-d", "Durst arrives in London", "Durst arrived in London.",
                [("Durst", "PER", "per:durst"), ("London", "LOC", "geo:2643743")], "en")
    ru = titled("ru-d", "Дерст прибыл в Лондон", "Дерст прибыл в Лондон.",
                [("Дерст", "PER", "per:derst"), ("Лондон", "LOC", "geo:2643743")], "ru")
    de = titled("de-d", "Derst kommt nach London", "Derst kam nach London.",
                [("Derst", "PER", "per:derst"), ("London", "LOC", "geo:2643743")], "de")
    assert title_contrast(en, ru) == 0.0  # one story: Durst ~ Дерст by sound across scripts
    assert title_contrast(en, de) == 0.5  # one script: two spellings are two people, as before


def _headline_article(aid: str, title: str, lead: str, lang: str):
    from newsloom.model import Sentence

    art = _bare_article(aid, lead, [], [], lang)
    art.title = title
    art.sentences = [Sentence(index=0, text=lead, start=0, end=len(lead))]
    return art


def test_headline_features_tell_a_different_place_or_count_from_a_missing_one():
    from newsloom.similarity.features import FEATURE_NAMES as names

    brest = _headline_article("h1", "Погода в Бресте на 17 мая", "Днём до 4 градусов тепла.", "ru")
    gomel = _headline_article("h2", "Погода в Гомеле на 17 мая", "Днём до 4 градусов тепла.", "ru")
    brest_again = _headline_article("h3", "В Бресте ожидается дождь", "Синоптики обещают 4 градуса.", "ru")
    placeless = _headline_article("h4", "Прогноз погоды", "Будет тепло и сухо.", "ru")
    other_place = dict(zip(names, pair_features(brest, gomel)))
    same_place = dict(zip(names, pair_features(brest, brest_again)))
    no_place = dict(zip(names, pair_features(brest, placeless)))
    assert other_place["head_places"] == 0.0  # both headlines name a city: different cities
    assert same_place["head_places"] == 1.0  # the inflected title word resolves to one place
    assert no_place["head_places"] == -1.0 and no_place["head_numbers"] == -1.0  # nothing to compare
    assert other_place["head_numbers"] == 1.0  # 17 and 4 in both headlines



def test_german_nouns_are_not_names_but_german_names_are():
    from newsloom.similarity.features import FEATURE_NAMES as names
    from newsloom.similarity.features import is_capitalised_common_noun

    assert is_capitalised_common_noun("Regierung", "de") and is_capitalised_common_noun("Polizei", "de")
    # names travel between languages, places are in the gazetteer; other languages keep every capital
    assert not any(is_capitalised_common_noun(w, "de") for w in ("Merkel", "Schmidt", "Trump", "Köln"))
    assert not is_capitalised_common_noun("Regierung", "en")
    # two unrelated German reports that share nouns only, and two that share a name
    floods = _bare_article("d1", "In Sachsen hat die Polizei am Montag die Menschen vor dem Hochwasser "
                           "gewarnt, die Regierung berät.", [], [], "de")
    budget = _bare_article("d2", "Im Bundestag hat die Regierung am Montag den Haushalt beraten, "
                           "die Menschen und die Polizei warten.", [], [], "de")
    merkel = _bare_article("d3", "In Berlin hat Merkel die Hilfe gelobt, sagte die Regierung.", [], [], "de")
    merkel_again = _bare_article("d4", "Die Kanzlerin Merkel besuchte am Montag Berlin.", [], [], "de")
    assert dict(zip(names, pair_features(floods, budget)))["name_overlap"] == 0.0  # Polizei, Menschen, Regierung
    assert dict(zip(names, pair_features(merkel, merkel_again)))["name_overlap"] == 1.0  # Merkel, Berlin

def test_article_signals_are_memoised_by_id_and_bounded(monkeypatch):
    from newsloom.similarity import features

    monkeypatch.setattr(features, "SIGNAL_CACHE_SIZE", 3)
    features._SIGNALS.clear()
    arts = [_bare_article(f"a{i}", f"Text number {i} about Berlin and Paris.", [], [], "en") for i in range(5)]
    first = features.article_signals(arts[0])
    assert features.article_signals(arts[0]) is first
    for art in arts[1:]:
        features.article_signals(art)
    assert len(features._SIGNALS) == 3
    assert features.article_signals(arts[0]) is not first  # evicted, recomputed
    enriched = _bare_article("a4", arts[4].text, [("Berlin", "LOC", "cc:DE")], [], "en")
    assert features.article_signals(enriched).countries == frozenset({"DE"})  # new mentions, new entry
    features._SIGNALS.clear()


def test_eval_similarity_takes_a_model_path(tmp_path, capsys):
    from newsloom.similarity.evaluate import main_similarity
    from newsloom.similarity.model import DEFAULT_PATH

    spec = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    spec["version"] = "test-copy"
    model_path = tmp_path / "model.json"
    model_path.write_text(json.dumps(spec), encoding="utf-8")
    rows = [{"pair_id": "1_2", "lang1": "en", "lang2": "fr", "title1": EN_TITLE, "text1": EN_TEXT,
             "title2": FR_TITLE, "text2": FR_TEXT, "labels": {"Overall": 1.0}},
            {"pair_id": "1_3", "lang1": "en", "lang2": "en", "title1": EN_TITLE, "text1": EN_TEXT,
             "title2": OTHER_TITLE, "text2": OTHER_TEXT, "labels": {"Overall": 4.0}}]
    path = tmp_path / "pairs.jsonl"
    _write_jsonl(path, rows)
    assert main_similarity([str(path), "--model", str(model_path)]) == 0
    assert "Pearson Overall: 1.0" in capsys.readouterr().out


def test_semeval_sides_take_the_day_in_their_urls(tmp_path):
    from newsloom.similarity.data import load_semeval

    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "train.csv").write_text(
        "pair_id,link1,link2,Overall\n"
        "111_222,https://news.example/world/2020/03/05/quake-hits,https://news.example/about,1.0\n",
        encoding="utf-8")
    row = {"pair_id": "111_222it", "quality": "original", "lang1": "en", "lang2": "it",
           "title1": "Quake hits the coast", "text1": "A strong quake hit the coast on Thursday.",
           "title2": "Terremoto", "text2": "Un forte terremoto ha colpito la costa.",
           "labels": {"Overall": 1.0}}
    dated = dict(row, pair_id="111_333", date1="2020-03-04T08:00:00+00:00")
    (tmp_path / "train_pairs.jsonl").write_text(json.dumps(row) + "\n" + json.dumps(dated) + "\n",
                                                encoding="utf-8")
    assert all(p.a.published is None or p.pair_id == "111_333" for p in load_semeval(tmp_path))  # opt-in
    from_url, given = load_semeval(tmp_path, dates_from_urls=True)
    assert from_url.a.published.isoformat() == "2020-03-05T12:00:00+00:00"  # id 111 (suffix stripped)
    assert from_url.b.published is None  # its URL has no day
    assert given.a.published.isoformat() == "2020-03-04T08:00:00+00:00"  # a row's own date wins


def test_estimated_dates_follow_the_ids_and_ignore_a_url_day_far_from_its_neighbours(tmp_path):
    from datetime import date

    from newsloom.similarity.data import day_from_id, load_semeval

    (tmp_path / "labels").mkdir()
    links = {100: "2020/01/01", 200: "2020/01/03", 300: "1962/07/06", 400: "2020/01/07", 500: "2020/01/09"}
    lines = ["pair_id,link1,link2,Overall"]
    for a, b in ((100, 200), (300, 400), (500, 150)):
        url = lambda i: f"https://news.example/{links[i]}/story-{i}" if i in links else "https://news.example/x"
        lines.append(f"{a}_{b},{url(a)},{url(b)},2.0")
    (tmp_path / "labels" / "train.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = [{"pair_id": f"{a}_{b}", "quality": "original", "lang1": "en", "lang2": "en", "title1": "A",
             "text1": "Some text here.", "title2": "B", "text2": "More text here.", "labels": {"Overall": 2.0}}
            for a, b in ((100, 200), (300, 400), (500, 150))]
    (tmp_path / "train_pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pairs = {p.pair_id: p for p in load_semeval(tmp_path, estimated_dates=True)}
    assert pairs["100_200"].a.published.date() == date(2020, 1, 1)  # its URL day
    assert pairs["500_150"].a.published.date() == date(2020, 1, 9)
    # no URL day: between its id neighbours' days (100 -> Jan 1, 200 -> Jan 3)
    assert date(2020, 1, 1) <= pairs["500_150"].b.published.date() <= date(2020, 1, 3)
    # the 1962 in article 300's path is no publication day: it is estimated from ids 200 and 400
    assert date(2020, 1, 3) <= pairs["300_400"].a.published.date() <= date(2020, 1, 7)
    ordinals = [date(2020, 1, d).toordinal() for d in (1, 3, 7, 9)]
    fit = day_from_id([100, 200, 400, 500, 300], ordinals + [date(1962, 7, 6).toordinal()])
    assert list(fit(np.array([100.0, 500.0]))) == [ordinals[0], ordinals[-1]]


def test_isotonic_fit_pools_adjacent_violators():
    from newsloom.similarity.data import _isotonic

    xs, fitted = _isotonic(np.array([3.0, 1.0, 2.0, 2.0, 4.0]), np.array([2.0, 1.0, 4.0, 2.0, 5.0]))
    assert list(xs) == [1.0, 2.0, 3.0, 4.0]
    # x=2's two points average 3 (weight 2); x=3's 2 violates and pools: (2*3 + 2) / 3
    assert np.allclose(fitted, [1.0, 8 / 3, 8 / 3, 5.0])


def test_translated_en_rows_are_read_as_english_whatever_language_they_name(tmp_path):
    from newsloom.similarity.data import load_semeval

    base = {"title1": "Flood", "text1": "The river burst its banks on Monday.", "title2": "Flood",
            "text2": "Heavy rain flooded the town.", "labels": {"Overall": 1.5}}
    rows = [dict(base, pair_id="1_2", quality="translated_en", lang1="de", lang2="pl"),
            dict(base, pair_id="3_4", quality="original", lang1="de", lang2="de")]
    (tmp_path / "train_pairs.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    translated, original = load_semeval(tmp_path)
    assert (translated.lang1, translated.lang2, translated.a.lang, translated.b.lang) == ("en", "en", "en", "en")
    assert (original.lang1, original.a.lang) == ("de", "de")  # other rows keep the file's language


def test_a_two_word_place_in_a_title_is_one_place():
    from newsloom.entities.gazetteer import gazetteer
    from newsloom.similarity.features import _title_places

    new_york = gazetteer().lookup("New York", "en").id
    assert _title_places("Storm hits New York overnight", "en") == frozenset({new_york})  # not York, England


def test_a_russian_title_names_its_town_by_adjective_or_by_its_people():
    from newsloom.entities.gazetteer import gazetteer
    from newsloom.similarity.features import _title_places

    tver, tula = gazetteer().lookup("Тверь", "ru").id, gazetteer().lookup("Тула", "ru").id
    assert _title_places("Тверские почтальоны доставят поздравления ветеранам", "ru") == frozenset({tver})
    assert _title_places("Туляки-ветераны получат поздравления", "ru") == frozenset({tula})


def test_training_weighs_rows_by_quality_and_cross_lingual_augmented_rows_higher():
    from newsloom.similarity.data import Pair
    from newsloom.similarity.train import RowWeights

    def pair(quality, lang1, lang2):
        return Pair("1_2", quality, lang1, lang2, TextItem(None, "a"), TextItem(None, "b"), {"Overall": 1.0})

    rows = [pair("original", "es", "es"), pair("augmented", "de", "de"), pair("augmented", "de", "en"),
            pair("translated_en", "en", "en")]
    assert RowWeights()(rows).tolist() == [1.0, 0.25, 0.5, 0.5]
    assert RowWeights(augmented=0.0, cross_lingual=1.0, translated=0.0)(rows).tolist() == [1.0, 0.0, 1.0, 0.0]


class _BatchSensitiveEncoder:
    """Vectors that depend on the size of the batch a text is encoded in, as real encoders'
    do in their last bits."""

    name = "batch-sensitive"
    dim = 4

    def encode(self, texts):
        base = np.array([[len(t), t.count("e"), 1.0, 2.0] for t in texts], dtype=np.float32)
        return base + np.float32(len(texts) * 1e-3)


def test_articles_with_the_same_text_get_the_same_vectors_whichever_batch_they_fall_in():
    from datetime import UTC, datetime

    from newsloom.embed.article import ArticleEmbedder

    text = "The council of Leeds voted on Tuesday to close the bridge over the Aire. Works start in May."
    filler = [TextItem(f"Filler {i}", f"Story {i} is about something else, {i} times over." * (1 + i % 3), "en")
              for i in range(70)]
    # an undated and a dated copy of one article, 70 articles apart: two encoder batches
    items = [TextItem("Bridge closes", text, "en"), *filler,
             TextItem("Bridge closes", text, "en", datetime(2024, 5, 2, tzinfo=UTC))]
    encoder = _BatchSensitiveEncoder()
    arts = prepare_items(items, ArticleEmbedder(encoder), use_cache=False, head_encoder=encoder)
    first, copy = arts[0], arts[-1]
    assert np.array_equal(first.vector, copy.vector)
    assert np.array_equal(first.sentence_vectors, copy.sentence_vectors)
    assert np.array_equal(first.head_vector, copy.head_vector)
    assert not np.array_equal(first.vector, arts[1].vector)


def test_leave_one_language_out_never_fits_on_the_held_language_or_its_articles():
    from newsloom.similarity.data import Pair
    from newsloom.similarity.train import RowWeights, leave_one_language_out

    rng = np.random.default_rng(0)
    rows, gold = [], []
    for k, lang in enumerate(("ar", "es", "tr")):
        for i in range(30):
            y = float(rng.uniform(1, 4))
            rows.append(Pair(f"{k}{i:03d}_{k}{i + 500:03d}", "original", lang, lang,
                             TextItem(None, "a"), TextItem(None, "b"), {"Overall": y}))
            gold.append(y)
    # a noisy augmented row that shares an article with the "es" rows: never in the es fit
    rows.append(Pair("1000_9999", "augmented", "de", "en", TextItem(None, "a"), TextItem(None, "b"),
                     {"Overall": 2.0}))
    gold.append(2.0)
    Y = np.array(gold)[:, None]
    X = np.column_stack([-Y[:, 0] + rng.normal(0, 0.3, len(Y)), rng.normal(size=len(Y))])
    fitted_on: list[set] = []

    def linear_fit(X_fit, y_fit, w_fit):
        fitted_on.append({tuple(r) for r in X_fit})
        slope, intercept = np.polyfit(X_fit[:, 0], y_fit, 1)
        return lambda Z: slope * Z[:, 0] + intercept

    out = leave_one_language_out(rows, X, Y, RowWeights(), fit=linear_fit)
    assert [lang for lang, *_ in out] == ["ar", "es", "tr", "all"]
    assert [n for _, n, *_ in out] == [30, 30, 30, 90]
    for (lang, _, cosine, model), seen in zip(out[:3], fitted_on):
        held = {tuple(X[i]) for i, p in enumerate(rows) if p.lang1 == lang}
        assert not held & seen  # the language's rows are never fitted on
        assert model > 0.8 and cosine > 0.8  # X[:, 0] is -Overall plus noise
    assert tuple(X[-1]) not in fitted_on[1] and tuple(X[-1]) in fitted_on[0]


def test_pair_dates_read_iso_and_feed_dates_and_refuse_what_is_not_a_date():
    from newsloom.similarity.data import pair_from_row

    row = {"pair_id": "7_8", "title1": "A", "text1": "One text.", "title2": "B", "text2": "Another text.",
           "labels": {"Overall": 2.0}, "date1": "2024-01-02", "date2": "Wed, 03 Jan 2024 10:00:00 GMT"}
    pair = pair_from_row(row)
    assert pair.a.published.isoformat() == "2024-01-02T00:00:00+00:00"
    assert pair.b.published.isoformat() == "2024-01-03T10:00:00+00:00"
    assert pair_from_row(dict(row, date1="", date2=None)).a.published is None
    with pytest.raises(InputError, match=r"pair 7_8: date2: .*next Tuesday"):
        pair_from_row(dict(row, date2="next Tuesday"))


def test_word_rarity_orders_common_words_below_names_and_weighs_the_tfidf_cosine():
    from newsloom.similarity.features import _term_vector, weighted_cosine
    from newsloom.frequency import MAX_RARITY, rarity

    assert rarity("the", "en") < rarity("bridge", "en") < rarity("Doucet", "en") == MAX_RARITY
    assert rarity("und", "de") < rarity("Hochwasser", "de")
    assert 0 < rarity("桥梁", "zh") < MAX_RARITY  # CJK words are looked up as written
    # sharing rare words counts more than sharing as many common ones
    common = _term_vector("They said that the people were there again and said more.", "en")
    base = _term_vector("Doucet closed the bridge; they said the people were there.", "en")
    rare = _term_vector("Doucet closed the Rhône bridge near Grenoble.", "en")
    assert weighted_cosine(base, rare) > weighted_cosine(base, common) > 0
    assert weighted_cosine(base, rare) == pytest.approx(weighted_cosine(rare, base))
    assert weighted_cosine(base, _term_vector("", "en")) == 0.0

def test_word_rarity_reads_wordfreq_lists_without_importing_wordfreq():
    # the model was trained on wordfreq's own frequencies: the direct read must give them
    # exactly, and must not pay wordfreq's ~1 s import on a stream's first comparison
    import math
    import subprocess
    import sys

    import wordfreq

    from newsloom.frequency import _rarities

    for lang in ("en", "ru", "zh"):
        freqs = wordfreq.get_frequency_dict(lang, wordlist="small")
        ours = _rarities(lang)
        assert ours.keys() == freqs.keys()
        assert all(ours[w] == min(7.0, max(0.0, 8.0 - (math.log10(f) + 9.0))) for w, f in freqs.items())
    code = ("import sys; from newsloom.frequency import rarity; rarity('bridge', 'en'); "
            "print('wordfreq' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"



def test_tfidf_feature_is_high_for_a_translation_and_low_for_an_unrelated_article(articles):
    en, fr, other = articles[0], articles[1], articles[2]
    i = FEATURE_NAMES.index("lex_tfidf")
    assert pair_features(en, fr)[i] > pair_features(en, other)[i]


def test_arabic_words_match_without_their_clitics():
    from newsloom.similarity.features import _fold, _folded_tokens, _term_vector, weighted_cosine

    # "the Yemeni government announced ..." against "in Yemen, and the government of Yemen ...":
    # the same nouns with and without the article and the prepositions written onto them
    a = "أعلنت الحكومة اليمنية حظر التجول في عدن"
    b = "وفي اليمن أعلنت حكومة اليمن وبعدن حظر التجول"
    shared = _folded_tokens(a) & _folded_tokens(b)
    assert {_fold("الحكومة"), _fold("اليمنية"), _fold("عدن")} <= shared
    assert _fold("وزير") == _fold("الوزير") != _fold("زير")  # the و of وزير "minister" is no clitic
    assert weighted_cosine(_term_vector(a, "ar"), _term_vector(b, "ar")) > 0.5
