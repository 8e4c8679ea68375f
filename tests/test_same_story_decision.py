"""The same-story decision: title contrast, its veto, and its calibration."""

from __future__ import annotations

import numpy as np
import pytest

from newsloom.model import Article, Mention, Sentence
from newsloom.similarity.features import (
    contrasting_title_tokens,
    quoted_names,
    strip_source_suffix,
    title_contrast,
)
from newsloom.similarity.model import SimilarityModel
from newsloom.similarity.train import calibrate_same_story


def _article(aid: str, title: str, body: str, lang: str, mentions=()) -> Article:
    art = Article(id=aid, text=body, clean_text=body, lang=lang, title=title)
    art.sentences = [Sentence(index=0, text=body, start=0, end=len(body))]
    art.mentions = [Mention(t, typ, 0, body.index(t), body.index(t) + len(t), entity_id=eid)
                    for t, typ, eid in mentions]
    return art


def test_titles_that_name_different_places_contrast():
    leeds = _article("c1", "Storm warning for Leeds on Friday", "Forecasters expect gales and heavy rain.", "en")
    york = _article("c2", "Storm warning for Cardiff on Friday", "Forecasters expect gales and heavy rain.", "en")
    assert title_contrast(leeds, york) == 1.0  # each names a city the other lacks
    assert contrasting_title_tokens(leeds, york) == (["Leeds"], ["Cardiff"])  # Friday names no event


def test_capitalised_common_words_are_not_names():
    # German capitalises every noun, English weekdays and months: none is an event detail
    de = _article("g1", "Regierung kündigt Hilfen für Landwirte am Montag an",
                  "Die Regierung will den Landwirten helfen.", "de")
    en = _article("g2", "Farmers to get aid on Monday, says government", "The government will help farmers.", "en")
    assert title_contrast(de, en) == -1.0


def test_a_title_the_other_article_covers_does_not_contrast():
    short = _article("c3", "Storm warning for Leeds", "Forecasters expect gales in the city.", "en")
    long = _article("c4", "Leeds braces for gales as Met Office issues warning",
                    "The Met Office warned Leeds of gales on Friday.", "en")
    # "Met Office" is missing from the first article, but every name of the first title is
    # in the second: one side is covered, so no two-sided contrast
    assert title_contrast(short, long) == 0.0


def test_numbers_contrast_by_significant_digits_and_single_digits_only_in_the_headline():
    en = _article("n1", "EU fines Veltrix 2.3bn euros", "Brussels imposed the fine on Tuesday.", "en")
    es = _article("n2", "Bruselas multa a Veltrix con 2.300 millones", "La multa se impuso el martes.", "es")
    assert title_contrast(en, es) == 0.0  # 23 and 2300 are one amount
    eighth = _article("n3", "Weather forecast for 8 November", "Mild and dry.", "en")
    # the body's "+8 degrees" stands beyond the headline sentence the single digit is looked up in
    body = "Cool and wet. Around the coast rain. Inland +8 degrees."
    eighteenth = _article("n4", "Weather forecast for 18 November", body, "en")
    eighteenth.sentences = [Sentence(i, t, 0, 0) for i, t in enumerate(body.split(". "))]
    assert contrasting_title_tokens(eighth, eighteenth) == (["8"], ["18"])
    assert title_contrast(eighth, eighteenth) == 1.0


def test_names_linked_to_one_entity_match_across_scripts():
    ru = _article("x1", "Путин прибыл в Каир", "Путин встретился с президентом Египта.", "ru",
                  [("Путин", "PER", "per:putin")])
    en = _article("x2", "Putin arrives in Cairo", "Vladimir Putin met the Egyptian president.", "en",
                  [("Vladimir Putin", "PER", "per:putin")])
    assert title_contrast(ru, en) == 0.0  # Putin by entity id, Cairo by the gazetteer


def test_a_caseless_script_names_what_its_mentions_name():
    cairo = _article("a1", "زلزال يضرب القاهرة", "ضرب زلزال القاهرة صباح اليوم.", "ar", [("القاهرة", "LOC", "geo:360630")])
    beirut = _article("a2", "زلزال يضرب بيروت", "ضرب زلزال بيروت صباح اليوم.", "ar", [("بيروت", "LOC", "geo:276781")])
    assert contrasting_title_tokens(cairo, beirut) == (["القاهرة"], ["بيروت"])  # "earthquake hits" names nothing
    assert title_contrast(cairo, beirut) == 1.0


def test_a_title_that_names_nothing_gives_minus_one_and_an_outlet_suffix_is_dropped():
    plain = _article("s1", "it rained all day", "it rained all day in the hills.", "en")
    other = _article("s2", "Storm warning for Leeds", "Gales in Leeds.", "en")
    assert title_contrast(plain, other) == -1.0
    assert strip_source_suffix("Floods close the A4 motorway - Daily Courier") == "Floods close the A4 motorway"
    assert strip_source_suffix("Floods close the A4 - the longest closure since the war began") \
        == "Floods close the A4 - the longest closure since the war began"  # a long tail is the title
    tagged = _article("s3", "Storm warning for Leeds - Daily Courier", "Gales in Leeds.", "en")
    assert title_contrast(tagged, other) == 0.0  # the outlet's name is not an event detail


def test_quoted_names_in_titles_are_specific_but_quotations_are_not():
    assert quoted_names("Голосуйте за фото в конкурсе «На спорте»") == ["На спорте"]
    assert quoted_names('Trump calls the report “fake news”') == []  # lowercase: a quotation
    assert quoted_names("„Wir werden das Land nicht im Stich lassen, sagte sie“") == []  # too long
    # one club, inflected differently in the two articles: its quoted name still matches
    club = _article("q3", "Болельщики «Локомотива» вышли к стадиону", "Фанаты «Локомотива» собрались у арены.", "ru")
    same_club = _article("q4", "Фанаты «Локомотив» поддержали команду",
                         "Болельщики клуба «Локомотив» пришли к арене.", "ru")
    assert title_contrast(club, same_club) == 0.0


def _model(veto: bool) -> SimilarityModel:
    spec = SimilarityModel.load_default().spec
    return SimilarityModel(spec | {"same_story": {"threshold": 2.0, "slope": 3.0, "title_contrast_veto": veto}})


def test_the_veto_turns_a_join_into_a_new_story_only_in_a_model_calibrated_with_it():
    with_veto, without = _model(True), _model(False)
    assert with_veto.same_story_from_overall(1.2, 0.5)[0] is False
    assert with_veto.same_story_from_overall(1.2, 0.5)[1] <= 0.25
    assert with_veto.same_story_from_overall(1.2, 0.0) == without.same_story_from_overall(1.2, 0.5)
    assert with_veto.same_story_from_overall(1.2, -1.0)[0] is True  # nothing to contrast
    assert without.same_story_from_overall(1.2, 1.0)[0] is True


def test_the_shipped_model_carries_the_veto():
    assert SimilarityModel.load_default().title_contrast_veto


def test_calibration_chooses_the_threshold_on_overall_and_reports_the_vetoed_f1():
    rng = np.random.default_rng(0)
    same = np.array([True] * 20 + [False] * 20)
    overall = np.where(same, rng.uniform(1.0, 1.8, 40), rng.uniform(2.2, 3.8, 40))
    overall[[20, 21]] = 1.3  # two different stories that look alike...
    contrast = np.full(40, -1.0)
    contrast[[20, 21]] = 0.5  # ...and whose titles contrast
    plain = calibrate_same_story(overall, same)
    vetoed = calibrate_same_story(overall, same, contrast)
    assert vetoed["threshold"] == plain["threshold"]
    assert vetoed["calibration_f1"] > plain["calibration_f1"]
    assert vetoed["title_contrast_veto"] and not plain["title_contrast_veto"]


def test_compare_explains_contrasting_titles():
    from newsloom.similarity.prepare import TextItem, prepare_items

    body = ("Forecasters issued a storm warning on Thursday, with gales of up to 90 km/h expected. "
            "Schools will stay closed and trains will run a reduced timetable. "
            "Residents were asked to secure garden furniture and avoid the coast.")
    a, b = prepare_items([TextItem("Storm warning for Leeds on Friday", body.replace("Forecasters", "Leeds forecasters"), "en"),
                          TextItem("Storm warning for Cardiff on Friday", body.replace("Forecasters", "Cardiff forecasters"), "en")],
                         use_cache=False)
    comparison = SimilarityModel.load_default().compare(a, b)
    assert comparison.same_story is False
    assert "the titles name different things (Leeds vs Cardiff)" in comparison.explanations["Overall"]


MEETING = {  # one meeting told in six languages (written for this test)
    "en": ("Blinken meets Lavrov in Geneva as Ukraine tensions rise",
           "US Secretary of State Antony Blinken met Russian Foreign Minister Sergei Lavrov in Geneva on Friday. "
           "The talks lasted ninety minutes. Blinken said Washington would respond in writing next week."),
    "pl": ("Blinken spotkał się z Ławrowem w Genewie",
           "Sekretarz stanu USA Antony Blinken spotkał się w piątek w Genewie z szefem rosyjskiej dyplomacji "
           "Siergiejem Ławrowem. Rozmowy trwały półtorej godziny. Blinken zapowiedział pisemną odpowiedź."),
    "ru": ("Блинкен и Лавров встретились в Женеве",
           "Госсекретарь США Энтони Блинкен встретился в пятницу в Женеве с министром иностранных дел России "
           "Сергеем Лавровым. Переговоры длились полтора часа. Блинкен пообещал письменный ответ."),
    "de": ("Blinken trifft Lawrow in Genf",
           "US-Außenminister Antony Blinken hat sich am Freitag in Genf mit dem russischen Außenminister Sergej "
           "Lawrow getroffen. Das Gespräch dauerte anderthalb Stunden. Blinken kündigte eine schriftliche Antwort an."),
    "ar": ("بلينكن يلتقي لافروف في جنيف",
           "التقى وزير الخارجية الأمريكي أنتوني بلينكن يوم الجمعة في جنيف بوزير الخارجية الروسي سيرغي لافروف. "
           "واستمرت المحادثات ساعة ونصف."),
    "zh": ("布林肯与拉夫罗夫在日内瓦会面", "美国国务卿布林肯周五在日内瓦与俄罗斯外长拉夫罗夫会面。会谈持续了一个半小时。"),
}
OTHER_MEETING = ("Blinken trifft Kuleba in Kiew",
                 "US-Außenminister Antony Blinken ist am Mittwoch in Kiew mit dem ukrainischen Außenminister "
                 "Dmytro Kuleba zusammengekommen. Das Treffen dauerte zwei Stunden.")


@pytest.fixture(scope="module")
def meetings():
    from newsloom.model import RawArticle
    from newsloom.pipeline import Pipeline

    pipeline = Pipeline()
    same = {lang: pipeline.prepare(RawArticle(text=body, title=title, lang=lang))[0]
            for lang, (title, body) in MEETING.items()}
    other = pipeline.prepare(RawArticle(text=OTHER_MEETING[1], title=OTHER_MEETING[0], lang="de"))[0]
    return same, other


def test_one_meeting_in_six_languages_never_contrasts(meetings):
    same, _ = meetings
    langs = sorted(same)
    for i, x in enumerate(langs):
        for y in langs[i + 1:]:
            assert title_contrast(same[x], same[y]) <= 0, (x, y, contrasting_title_tokens(same[x], same[y]))


def test_another_meeting_contrasts_in_every_cased_or_caseless_script(meetings):
    same, other = meetings
    for lang in ("en", "pl", "ru", "de", "ar"):
        only_here, only_there = contrasting_title_tokens(same[lang], other)
        assert len(only_here) == 2 and set(only_there) == {"Kuleba", "Kiew"}, lang  # Lavrov, Geneva vs Kuleba, Kyiv
        assert title_contrast(same[lang], other) > 0
    assert title_contrast(same["zh"], other) == -1.0  # a Chinese title has no word boundaries to match on


def test_bagged_calibration_is_reproducible_and_varies_less_over_draws_of_the_pairs():
    from newsloom.similarity.train import _tie_threshold

    rng = np.random.default_rng(3)
    same = np.array([True] * 40 + [False] * 35)
    overall = np.where(same, rng.normal(1.7, 0.35, 75), rng.normal(2.6, 0.45, 75))
    assert calibrate_same_story(overall, same, bags=0)["threshold"] == round(_tie_threshold(overall, same), 3)
    assert calibrate_same_story(overall, same) == calibrate_same_story(overall, same)  # seeded
    draws = [rng.integers(0, 75, 75) for _ in range(30)]  # other samples of 75 calibration pairs
    tie = [_tie_threshold(overall[i], same[i]) for i in draws]
    bagged = [calibrate_same_story(overall[i], same[i], bags=50)["threshold"] for i in draws]
    assert np.std(bagged) < np.std(tie)


#: two events of one template, told apart only by what each title names: (title, body) twice,
#: the language, and the title tokens each side leaves uncovered
ONE_TEMPLATE_TWO_EVENTS = {
    # quoted names: neither the entity stage nor capitals alone name the two contests
    "quoted names": (("Голосуйте за участников фотоконкурса «Кофемания»", "Продолжается голосование в «Кофемании»."),
                     ("Голосуйте за фото в конкурсе «На спорте»", "Продолжается голосование в «На спорте»."),
                     "ru", (["Кофемания"], ["спорте"])),
    # cities named by their adjectives
    "adjectives of place": (("Тверские почтальоны доставят поздравления ветеранам", "Почтальоны доставят открытки."),
                            ("Почтальоны доставят тульским ветеранам поздравления", "Почтальоны доставят открытки."),
                            "ru", (["Тверские"], ["тульским"])),
    # days named with their month: each body's temperatures share the other day's digits
    "days of one month": (("Прогноз погоды на 8 ноября", "Днём до 16 градусов тепла, ночью 8 градусов."),
                          ("Прогноз погоды на 16 ноября", "Днём до 8 градусов тепла, ночью 16 градусов."),
                          "ru", (["8"], ["16"])),
}


@pytest.mark.parametrize("case", list(ONE_TEMPLATE_TWO_EVENTS))
def test_two_events_of_one_template_contrast(case):
    (title1, body1), (title2, body2), lang, uncovered = ONE_TEMPLATE_TWO_EVENTS[case]
    # ids per case: the features memoise article signals by id
    first, second = _article(f"{case} 1", title1, body1, lang), _article(f"{case} 2", title2, body2, lang)
    assert contrasting_title_tokens(first, second) == uncovered
    assert title_contrast(first, second) == 1.0


def test_a_city_named_by_its_adjective_and_by_its_name_is_one_place():
    tver = _article("r1", "Тверские почтальоны доставят поздравления ветеранам",
                    "Почтальоны доставят открытки ветеранам.", "ru")
    tver_again = _article("r3", "В Твери почтальоны поздравят ветеранов",
                          "Почтальоны доставят открытки ветеранам.", "ru")
    assert title_contrast(tver, tver_again) == 0.0


def test_a_day_named_with_its_month_is_read_in_any_date_order_and_language():
    from newsloom.dates import day_month_mentions

    assert [(d.month, d.day) for d in day_month_mentions("Прогноз погоды на 8 ноября", "ru")] == [(11, 8)]
    assert [(d.month, d.day) for d in day_month_mentions("Forecast for November 16th and 3 December 2021", "en")] \
        == [(11, 16), (12, 3)]
    assert day_month_mentions("8 November", None) == [] and day_month_mentions("8 ноября", "xx") == []
    # one day in two languages and two date orders
    fr = _article("w3", "Tempête attendue le 8 novembre", "Les vents souffleront le 8 novembre.", "fr")
    en = _article("w4", "Storm expected on November 8", "Winds will blow on November 8.", "en")
    assert title_contrast(fr, en) == 0.0  # nothing left uncovered
    assert contrasting_title_tokens(fr, en) == ([], [])
