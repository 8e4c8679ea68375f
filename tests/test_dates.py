"""Date resolution against the publication date, in several languages, and on the seed articles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newsloom.dates import resolve_dates, resolve_sentence
from newsloom.model import Article, Sentence

WED = date(2024, 3, 6)  # a Wednesday


def resolved(text: str, lang: str, published: date | None = WED) -> list[tuple[str, date]]:
    return [(text[f.start:f.end], f.date) for f in resolve_sentence(text, lang, published)]


def dates_of(text: str, lang: str, published: date | None = WED) -> list[date]:
    return [d for _, d in resolved(text, lang, published)]


@pytest.mark.parametrize("text,lang,expected", [
    ("The talks ended on 19 January 2022.", "en", date(2022, 1, 19)),
    ("The vote took place on January 19, 2022.", "en", date(2022, 1, 19)),
    ("Le sommet a eu lieu le 19 janvier 2022.", "fr", date(2022, 1, 19)),
    ("Das Treffen war am 19.01.2022.", "de", date(2022, 1, 19)),
    ("Встреча прошла 19 января 2022 года.", "ru", date(2022, 1, 19)),
    ("La reunión fue el 19 de enero de 2022.", "es", date(2022, 1, 19)),
    ("Spotkanie odbyło się 19 stycznia 2022.", "pl", date(2022, 1, 19)),
    ("会议于2022年1月19日举行。", "zh", date(2022, 1, 19)),
    ("Toplantı 19 Ocak 2022 tarihinde yapıldı.", "tr", date(2022, 1, 19)),
])
def test_explicit_dates(text, lang, expected):
    assert dates_of(text, lang) == [expected]


def test_abbreviated_month_falls_back_to_dateparser():
    assert dates_of("Le texte a été adopté le 19 janv. 2022 à Paris.", "fr") == [date(2022, 1, 19)]
    assert dates_of("Die Wahl fand am 3. Okt. 2021 statt.", "de") == [date(2021, 10, 3)]


def test_explicit_date_without_year_takes_the_nearest_year():
    assert dates_of("The deal was signed on 28 December.", "en", date(2024, 1, 3)) == [date(2023, 12, 28)]
    assert dates_of("Le vote aura lieu le 8 mars.", "fr") == [date(2024, 3, 8)]


@pytest.mark.parametrize("text,lang,expected", [
    ("The minister said on Monday that prices had risen.", "en", date(2024, 3, 4)),
    ("The minister is due to meet his counterpart on Friday.", "en", date(2024, 3, 8)),
    ("Le ministre a déclaré lundi que les prix avaient augmenté.", "fr", date(2024, 3, 4)),
    ("Le ministre se rendra à Rome vendredi.", "fr", date(2024, 3, 8)),
    ("Il est attendu ce jeudi à Berlin.", "fr", date(2024, 3, 7)),
    ("Die Ministerin hat am Montag gesprochen.", "de", date(2024, 3, 4)),
    ("Der Minister reist am Freitag nach Rom.", "de", date(2024, 3, 8)),
    ("El ministro viajará el viernes a Roma.", "es", date(2024, 3, 8)),
    ("Il ministro ha parlato lunedì.", "it", date(2024, 3, 4)),
    ("Министр выступил в понедельник.", "ru", date(2024, 3, 4)),
    ("Министр посетит Рим в пятницу.", "ru", date(2024, 3, 8)),
    ("Minister poleci do Rzymu w piątek.", "pl", date(2024, 3, 8)),
    ("Міністр зустрівся з колегою у вівторок.", "uk", date(2024, 3, 5)),  # reflexive past: -вся
    ("Міністр відвідає Рим у п'ятницю.", "uk", date(2024, 3, 8)),
    ("Bakan cuma günü Roma'ya gidecek.", "tr", date(2024, 3, 8)),
    ("外长将于周五访问罗马。", "zh", date(2024, 3, 8)),
    ("سيزور الوزير روما يوم الجمعة.", "ar", date(2024, 3, 8)),
    ("Le ministre était à Rome mercredi.", "fr", date(2024, 3, 6)),
    ("He will travel there next Monday.", "en", date(2024, 3, 11)),
    ("Il est venu vendredi dernier.", "fr", date(2024, 3, 1)),
])
def test_weekdays_point_back_or_forward_from_tense(text, lang, expected):
    assert dates_of(text, lang) == [expected]


@pytest.mark.parametrize("text,lang,expected", [
    ("Protests continued yesterday.", "en", date(2024, 3, 5)),
    ("Les manifestations continueront demain.", "fr", date(2024, 3, 7)),
    ("Heute beginnt der Gipfel.", "de", date(2024, 3, 6)),
    ("Ayer hubo protestas.", "es", date(2024, 3, 5)),
    ("Вчера прошли протесты.", "ru", date(2024, 3, 5)),
    ("昨天发生了抗议。", "zh", date(2024, 3, 5)),
    ("خرجت مظاهرات أمس.", "ar", date(2024, 3, 5)),
    ("Dün protestolar yapıldı.", "tr", date(2024, 3, 5)),
    ("Wczoraj odbyły się protesty.", "pl", date(2024, 3, 5)),
])
def test_yesterday_today_tomorrow(text, lang, expected):
    assert dates_of(text, lang) == [expected]


def test_weeks_resolve_to_their_monday_with_week_granularity():
    found = resolve_sentence("Talks resume next week after a pause last week.", "en", WED)
    assert [(f.date, f.granularity) for f in found] == [(date(2024, 3, 11), "week"), (date(2024, 2, 26), "week")]


def test_part_of_day_attaches_to_its_date():
    found = resolve_sentence("Le président parlera vendredi matin.", "fr", WED)
    assert len(found) == 1 and found[0].part_of_day == "morning" and found[0].date == date(2024, 3, 8)
    found = resolve_sentence("Der Kanzler sprach gestern Abend.", "de", WED)
    assert found[0].part_of_day == "evening" and found[0].date == date(2024, 3, 5)


def test_heute_morgen_is_this_morning_not_tomorrow():
    assert dates_of("Heute Morgen kam es zu Protesten.", "de") == [date(2024, 3, 6)]


def test_without_publication_date_only_full_dates_resolve():
    assert dates_of("He spoke on Friday, on 3 March and on 3 March 2021.", "en", None) == [date(2021, 3, 3)]


def test_weekday_inside_an_explicit_date_is_one_expression():
    found = resolved("Il était ce mercredi 19 janvier à Kiev.", "fr", date(2022, 1, 19))
    assert found == [("mercredi 19 janvier", date(2022, 1, 19))]


def test_resolve_dates_builds_time_events_with_entities():
    text = "Antony Blinken will be in Berlin on Thursday. He spoke yesterday."
    a = Article(id="a1", text=text, clean_text=text, lang="en",
                published=datetime(2022, 1, 19, tzinfo=UTC),
                sentences=[Sentence(0, text[:45], 0, 45), Sentence(1, text[46:], 46, len(text))])
    from newsloom.entities import extract_and_link

    extract_and_link(a)
    events = resolve_dates(a)
    assert [(e.date, e.sentence) for e in events] == [(date(2022, 1, 20), 0), (date(2022, 1, 18), 1)]
    assert "geo:2950159" in events[0].entity_ids and events[0].article_id == "a1" and events[0].lang == "en"
    assert events[0].sentence_text.startswith("Antony Blinken")


# -- the seed articles -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_events(shared_dir):
    from newsloom.entities import extract_and_link
    from newsloom.language import detect_language
    from newsloom.sentences import split_sentences

    try:
        from newsloom.clean import clean_text
    except ImportError:  # pragma: no cover
        clean_text = None
    events = []
    for path in sorted((shared_dir / "seeds").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        title, _, body = raw.partition("\n")
        text = clean_text(body).text if clean_text else body
        lang = detect_language(raw).lang
        a = Article(id=path.stem, text=body, clean_text=text, title=title, lang=lang,
                    published=datetime(2022, 1, 19, tzinfo=UTC), sentences=split_sentences(text, lang))
        extract_and_link(a)
        events.extend(resolve_dates(a))
    return events


@pytest.mark.parametrize("day,place,person", [(date(2022, 1, 19), "geo:703448", None),
                                              (date(2022, 1, 20), "geo:2950159", None),
                                              (date(2022, 1, 21), "geo:2660646", "per:lavrov")])
def test_seed_timeline_kyiv_berlin_geneva(seed_events, day, place, person):
    langs = {e.lang for e in seed_events if e.date == day and place in e.entity_ids
             and (person is None or person in e.entity_ids)}
    assert langs == {"en", "fr"}, [(e.date, e.expression, e.lang) for e in seed_events]


def test_turkish_month_names_in_capitals_resolve():
    from datetime import datetime, timezone

    from newsloom.dates import resolve_dates
    from newsloom.model import Article, Sentence

    text = "Toplantı 14 NİSAN 2020 tarihinde yapıldı. Karar 3 ARALIK 2020 tarihinde açıklandı."
    first = text.index(".") + 1
    article = Article(id="t", text=text, clean_text=text, lang="tr",
                      published=datetime(2020, 12, 5, tzinfo=timezone.utc),
                      sentences=[Sentence(0, text[:first], 0, first), Sentence(1, text[first + 1:], first + 1, len(text))])
    days = sorted(e.date.isoformat() for e in resolve_dates(article))
    assert "2020-04-14" in days and "2020-12-03" in days
