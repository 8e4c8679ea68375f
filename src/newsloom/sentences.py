"""Sentence splitting with exact character offsets.

Algorithm:

1. A newline always ends a sentence: the text is cut into lines (paragraphs) first.
2. Each line is segmented: Chinese/Japanese on ``。！？`` (and ``!?``), Arabic on
   ``؟ . !``, every other language with sentencex (Wikimedia's rule-based
   segmenter, https://github.com/wikimedia/sentencex) using its per-language rules.
3. Repairs: a piece ending in a title or abbreviation (``M.``, ``Mr.``, ``Dr.``,
   ``Prof.``, ``St.``...) or in an initial (``J.`` of "J. Biden") is joined with the
   next one; a piece without any letter or digit (a stray ``...``) joins the previous.
4. A sentence longer than :data:`MAX_SENTENCE_CHARS` is cut at the last clause
   boundary (``;``, ``:``, ``,``, a dash, else a space) before the limit.

Offsets index the input: ``text[s.start:s.end] == s.text`` and ``s.text`` is stripped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from newsloom.model import Sentence

#: Sentences longer than this are cut at a clause boundary (characters).
MAX_SENTENCE_CHARS = 600

# Titles and abbreviations after which a full stop does not end a sentence.
# Compared case-sensitively, without the final dot.
_ABBREVIATIONS = frozenset("""
M MM Mr Mrs Ms Mme Mmes Mlle Mlles Me Dr Drs Prof Profs St Ste Sts Mt Jr Sr Sen Rep Gov Gen Col
Lt Capt Cmdr Sgt Adm Maj Pres Rev Hon Fr Hr Hrn Frau Nr Bd Abs Dipl Ing Mag Sra Sr Srta Dña Dña
Sig Sigg Dott Avv Ing Geom Prof.ssa Dott.ssa Pan Pani Ks Doc Hab Inż Mgr Sz Św
No Nos Vol Art Fig Ca Co Corp Inc Ltd Bros Dept Univ Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
vs etc al approx cf ca bzw vgl usw evtl ggf inkl zzgl Str
г гг ул им тов акад проф
""".split())

_LAST_TOKEN = re.compile(r"(\S+)\.\s*$")
_INITIAL = re.compile(r"^[^\W\d_]$")  # "J" of "J. Biden", "В" of "В. Путин"
_LETTER_OR_DIGIT = re.compile(r"\w")

_CJK_END = re.compile(r"[^。！？!?]*(?:[。！？!?]+[」』）)\"”’]*|$)")
_ARABIC_END = re.compile(r"[^؟.!]*(?:[؟.!]+[)\"”»]*\s*|$)")

_CLAUSE_BREAKS = ("; ", "；", ": ", "：", ", ", "，", "、", " – ", " — ", " - ")


def _spans(text: str, pieces: list[str], base: int) -> list[tuple[int, int]]:
    """Offsets of each piece, found in order from a cursor (robust to dropped spaces)."""
    spans = []
    cursor = 0
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        start = text.find(stripped, cursor)
        if start < 0:  # segmenter altered the text: skip, never invent offsets
            continue
        end = start + len(stripped)
        spans.append((base + start, base + end))
        cursor = end
    return spans


def _segment_line(line: str, lang: str | None) -> list[str]:
    if lang in {"zh", "ja"}:
        return [m.group(0) for m in _CJK_END.finditer(line) if m.group(0)]
    if lang == "ar":
        return [m.group(0) for m in _ARABIC_END.finditer(line) if m.group(0)]
    from sentencex import segment  # rule tables load on first use

    return list(segment(lang or "en", line))


def _ends_with_abbreviation(sentence: str) -> bool:
    match = _LAST_TOKEN.search(sentence)
    if not match:
        return False
    token = match.group(1).lstrip("(\"'«“„")
    # Only a capital letter is an initial: "10 h." or "vitamin c." end sentences.
    return token in _ABBREVIATIONS or (bool(_INITIAL.match(token)) and token.isupper())


def _repair(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join pieces split after abbreviations/initials, and letterless pieces."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            prev_start, prev_end = merged[-1]
            previous = text[prev_start:prev_end]
            if _ends_with_abbreviation(previous) or not _LETTER_OR_DIGIT.search(text[start:end]):
                merged[-1] = (prev_start, end)
                continue
        merged.append((start, end))
    return merged


def _cut_long(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into parts of at most ``limit`` chars at clause boundaries."""
    while end - start > limit:
        window = text[start:start + limit]
        cut = -1
        for mark in _CLAUSE_BREAKS:
            position = window.rfind(mark)
            if position > limit // 4:  # avoid slivers at the start
                cut = position + len(mark.rstrip())
                break
        if cut < 0:
            position = window.rfind(" ")
            cut = position if position > 0 else limit
        piece_end = start + cut
        yield start, piece_end
        start = piece_end
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def split_sentences(text: str, lang: str | None) -> list[Sentence]:
    """Split ``text`` into sentences with exact character offsets into ``text``."""
    spans: list[tuple[int, int]] = []
    position = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            pieces = _segment_line(line, lang)
            spans.extend(_repair(text, _spans(line, pieces, position)))
        position += len(line)
    sentences: list[Sentence] = []
    for start, end in spans:
        for part_start, part_end in _cut_long(text, start, end, MAX_SENTENCE_CHARS):
            part = text[part_start:part_end]
            stripped = part.strip()
            if not stripped:
                continue
            offset = part_start + (len(part) - len(part.lstrip()))
            sentences.append(Sentence(index=len(sentences), text=stripped,
                                      start=offset, end=offset + len(stripped)))
    return sentences
