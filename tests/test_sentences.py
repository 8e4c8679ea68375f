"""Sentence splitting: offsets, abbreviations, paragraphs, scripts, long sentences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsloom.sentences import MAX_SENTENCE_CHARS, split_sentences


def texts(text: str, lang: str | None) -> list[str]:
    sentences = split_sentences(text, lang)
    for index, s in enumerate(sentences):
        assert s.index == index
        assert text[s.start:s.end] == s.text == s.text.strip() != ""
    return [s.text for s in sentences]


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "The vote was close. Mr. Smith and Dr. Jones disagreed. Prof. Lee abstained.",
     ["The vote was close.", "Mr. Smith and Dr. Jones disagreed.", "Prof. Lee abstained."]),
    ("en", "J. Biden met E. Macron in St. Louis. They spoke for an hour.",
     ["J. Biden met E. Macron in St. Louis.", "They spoke for an hour."]),
    ("fr", "M. Dupont est arrivé à Lyon. Il a parlé pendant une heure !  Puis il est reparti.",
     ["M. Dupont est arrivé à Lyon.", "Il a parlé pendant une heure !", "Puis il est reparti."]),
    ("de", "Der Minister kam am Montag. Prof. Weber widersprach ihm. Die Sitzung endete spät.",
     ["Der Minister kam am Montag.", "Prof. Weber widersprach ihm.", "Die Sitzung endete spät."]),
    ("es", "El alcalde habló ayer. ¿Habrá acuerdo? Nadie lo sabe.",
     ["El alcalde habló ayer.", "¿Habrá acuerdo?", "Nadie lo sabe."]),
    ("ru", "Мэр выступил во вторник. В. Петров ответил ему. Заседание закончилось поздно.",
     ["Мэр выступил во вторник.", "В. Петров ответил ему.", "Заседание закончилось поздно."]),
    ("zh", "市长周二发表讲话。议员们表示反对！会议何时结束？",
     ["市长周二发表讲话。", "议员们表示反对！", "会议何时结束？"]),
    ("ja", "市長は火曜日に演説した。議員は反対した！会議はいつ終わるのか？",
     ["市長は火曜日に演説した。", "議員は反対した！", "会議はいつ終わるのか？"]),
    ("ar", "تحدث رئيس البلدية يوم الثلاثاء. هل سيتم الاتفاق؟ لا أحد يعرف!",
     ["تحدث رئيس البلدية يوم الثلاثاء.", "هل سيتم الاتفاق؟", "لا أحد يعرف!"]),
    ("pl", "Burmistrz przemawiał we wtorek. Radni byli przeciw. Sesja trwała długo.",
     ["Burmistrz przemawiał we wtorek.", "Radni byli przeciw.", "Sesja trwała długo."]),
])
def test_splits(lang: str, text: str, expected: list[str]) -> None:
    assert texts(text, lang) == expected


def test_newlines_always_split_and_blank_lines_are_dropped() -> None:
    text = "A heading without a full stop\n\n  First sentence here. Second one\ncontinues on a new line."
    assert texts(text, "en") == [
        "A heading without a full stop", "First sentence here.", "Second one", "continues on a new line."]


def test_unknown_language_falls_back() -> None:
    assert texts("One thing. Another thing.", None) == ["One thing.", "Another thing."]


def test_lowercase_letter_is_not_an_initial() -> None:
    assert texts("The meeting starts at 10 h. Everyone came.", "fr") == [
        "The meeting starts at 10 h.", "Everyone came."]


def test_stray_ellipsis_joins_previous_sentence() -> None:
    assert texts("He hesitated. ... Then he spoke.", "en") == ["He hesitated. ...", "Then he spoke."]


def test_long_sentence_is_cut_at_a_clause_boundary() -> None:
    clause = "the committee examined the proposal in great detail"
    text = "; ".join([clause] * 20) + "."
    parts = texts(text, "en")
    assert len(parts) > 1
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in parts)
    assert all(p.endswith((";", ".")) for p in parts)


def test_long_sentence_without_punctuation_is_cut_at_a_space() -> None:
    text = " ".join(["word"] * 400)
    parts = texts(text, "en")
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in parts)
    assert " ".join(parts) == text


def test_empty_text() -> None:
    assert split_sentences("", "en") == [] and split_sentences(" \n\n ", "fr") == []


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?\n。؟M,;")), max_size=300),
       st.sampled_from(["en", "fr", "zh", "ar", None]))
def test_offsets_always_exact(text: str, lang: str | None) -> None:
    sentences = texts(text, lang)
    # Nothing but whitespace is lost.
    assert "".join(sentences).replace(" ", "") == "".join(text.split()).replace(" ", "")
