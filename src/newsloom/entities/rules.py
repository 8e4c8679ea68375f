"""Rule-based extractors for languages without an in-wheel NER model.

`CapitalisedRuleExtractor` (Latin and Cyrillic scripts): gazetteer n-grams ->
LOC (or ORG for lexicon organisations); maximal capitalised spans (allowing
particles such as *of*, *de*, *von*) -> ORG when they hold an organisation cue word
(*Ministry*, *Partei*, *Bakanlığı*...) or are an all-caps acronym, PER when a title
word stands before them (*President*, *ministre*, *bakan*...) or when they are a
two-to-four word name that starts with a given name (`lexicon.given_names`), or a
surname already seen in the article.

`ArabicRuleExtractor`: Arabic has no capitals; gazetteer n-grams (after stripping
proclitics و ب ل ف ك ال; no one-word places from function words), the lexicon, names
after title trigger words, names that start with a common given name, and the family
name of such a name on its own.

`UnspacedRuleExtractor` (zh, ja, ko): longest-match gazetteer/lexicon scan and names
left in Latin script; for zh also transliterated names next to titles (总统, 外长...) or
written with an interpunct (艾米·克洛布查尔, and its last part alone), and organisation
heads owned by a place or a name (中国人民银行, 华为公司 but not 大型银行).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from newsloom.entities import lexicon
from newsloom.entities.gazetteer import (
    INFLECTED_PHRASE_LANGUAGES,
    gazetteer,
    is_common_word_homograph,
    is_unspaced,
    strip_arabic_clitics,
)
from newsloom.entities.normalize import arabic_letter_key, fold, lemma_candidates
from newsloom.model import Mention, Sentence

#: languages that join a name to a noun with a hyphen (`CapitalisedRuleExtractor._compound_head`)
_COMPOUNDING_LANGUAGES = frozenset({"de", "nl"})
_HYPHEN = re.compile("[-‐]")
_ROMAN_NUMERAL = re.compile("[IVXLC]+")
#: company legal forms: an acronym that ends a name rather than being one (Deutsche Bank AG)
_LEGAL_FORMS = frozenset({"AG", "SE", "SA", "NV", "BV", "KG", "PLC", "LLC", "INC", "LTD", "SPA", "AS", "AB", "ASA",
                          "OYJ", "SAS", "SRL", "GMBH", "OHG", "KGAA", "CO"})
_WORD = re.compile(r"[^\W\d_]+(?:[-‐][^\W\d_]+)*|\d+[A-Za-z]*", re.UNICODE)
#: lower-case particles that may sit inside a name (Bank of England, Banque de France)
_PARTICLES = frozenset({"of", "de", "du", "des", "la", "le", "der", "von", "van", "den", "di", "del", "della",
                        "degli", "dei", "da", "do", "dos", "das", "al", "bin", "ben", "für", "d", "l", "dell", "the"})
#: particles written with an elided vowel and an apostrophe (Banca d'Italia, dell'Unione)
_ELIDED = frozenset({"d", "l", "dell", "dall", "nell", "sull", "all"})
#: capitalised words that continue a title (Secretary *of State*, Foreign *Minister*)
_TITLE_PARTS = frozenset({"state", "foreign", "affairs", "defence", "defense", "finance", "interior", "health",
                          "prime", "vice", "deputy", "general", "white", "house", "press", "secretary", "us"})
_PERSON_FORM_INDEX: dict[str, str] | None = None


def person_form_index() -> dict[str, str]:
    """folded lexicon form (full name or surname) -> canonical English full name."""
    global _PERSON_FORM_INDEX
    if _PERSON_FORM_INDEX is None:
        index: dict[str, str] = {}
        for canonical, forms in lexicon.PERSON_FORMS.items():
            index[fold(canonical)] = canonical
            index[fold(canonical.split()[-1])] = canonical
            for form in forms:
                index[fold(form)] = canonical
        _PERSON_FORM_INDEX = index
    return _PERSON_FORM_INDEX


@cache
def _titles(lang: str) -> frozenset[str]:
    return frozenset(fold(t) for t in lexicon.PERSON_TITLES.get(lang, ()) + lexicon.PERSON_TITLES["en"])


_ORG_CUES = frozenset(fold(c) for c in lexicon.ORG_CUES)
_INSTITUTIONS = frozenset(fold(c) for c in lexicon.INSTITUTIONS)
_INFLECTIONS = ("", "en", "n", "s", "es", "a", "u", "e", "y", "i", "ı", "ın", "in", "om", "em", "ем", "ом", "а",
                "у", "е", "я", "ю", "ы", "ем", "ie", "owi", "em")


_GERMAN_TITLE_HEADS = ("minister", "ministerin", "kanzler", "kanzlerin", "prasident", "prasidentin", "sprecher",
                       "sprecherin", "sekretar", "sekretarin", "botschafter", "vorsitzender", "vorsitzende")


@lru_cache(maxsize=65_536)  # the same words recur in every article; both arguments are immutable
def is_title(word: str, titles: frozenset[str]) -> bool:
    """A title word, possibly inflected (Präsidenten, президента, ministrem, Bakanı)."""
    w = fold(word)
    if any(w.endswith(suffix) and w[: len(w) - len(suffix)] in titles for suffix in _INFLECTIONS):
        return True
    # German compounds: Gesundheitsminister, Bundespräsidentin, Regierungssprecher
    return word[:1].isupper() and any(w.endswith(t) and len(t) >= 6 and len(w) > len(t)
                                      for t in _GERMAN_TITLE_HEADS)


@dataclass(slots=True)
class Token:
    text: str
    start: int
    end: int
    #: first character upper case; a field, not a property: the rules read it for every token
    capitalised: bool = False

    @property
    def acronym(self) -> bool:
        return 2 <= len(self.text) <= 6 and self.text.isupper() and self.text.isalpha()


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    end = len(text) if end is None else end
    return [Token(w, m.start(), m.end(), w[0].isupper()) for m in _WORD.finditer(text, start, end)
            for w in (m.group(),)]


def _outside(tokens: list[Token], mentions: list[Mention]) -> list[Token]:
    """The tokens that start inside none of `mentions` (sorted, non-overlapping)."""
    out, k = [], 0
    for t in tokens:
        while k < len(mentions) and mentions[k].end <= t.start:
            k += 1
        if k == len(mentions) or t.start < mentions[k].start:
            out.append(t)
    return out


def _joinable(text: str, a: Token, b: Token) -> bool:
    """Two tokens belong to one name only if only spaces (or an elision) separate them."""
    gap = text[a.end:b.start]
    if gap == " ":
        return True  # by far the most common gap
    if gap in ("'", "’"):
        return a.text in _ELIDED
    return gap.strip() == "" and "\n" not in gap and 0 < len(gap) <= 2


def _sentences_or_whole(text: str, sentences: list[Sentence]) -> list[Sentence]:
    return sentences or [Sentence(0, text, 0, len(text))]


def _overlaps(mention: Mention, taken: list[Mention]) -> bool:
    return any(mention.start < m.end and m.start < mention.end for m in taken)


def merge_mentions(primary: list[Mention], secondary: list[Mention]) -> list[Mention]:
    """Primary mentions, plus secondary ones that overlap none of them; sorted by offset."""
    out = list(primary)
    for m in secondary:
        if not _overlaps(m, out):
            out.append(m)
    return sorted(out, key=lambda m: (m.start, -m.end))


def _german_compound_cue(folded: str, lang: str) -> bool:
    """German compounds end in their head noun: Zentralbank, Gerichtshof, Landesregierung."""
    return lang == "de" and any(folded.endswith(c) and len(folded) > len(c) + 2 for c in _GERMAN_ORG_HEADS)


_GERMAN_ORG_HEADS = ("bank", "gericht", "gerichtshof", "regierung", "ministerium", "partei", "kommission", "agentur",
                     "verband", "konzern", "stiftung", "behorde", "amt", "rat", "polizei", "gewerkschaft")


def _org_cue_pair(text: str, tokens: list[Token], i: int, sent_index: int) -> tuple[Mention | None, int]:
    """Національний банк України: a capitalised word, a lower-case organisation cue and
    (if joinable and capitalised) the word after it; with the number of tokens taken."""
    cue = tokens[i + 1]
    if not (cue.text.islower() and fold(cue.text) in _ORG_CUES):
        return None, 0
    last = cue
    if i + 2 < len(tokens):
        nxt = tokens[i + 2]
        if nxt.capitalised and _joinable(text, cue, nxt):
            last = nxt
    start = tokens[i].start
    return (Mention(text[start:last.end], "ORG", sent_index, start, last.end, source="rules"),
            3 if last is not cue else 2)


@lru_cache(maxsize=65_536)  # a pure function of two strings; the same words recur in every article
def _is_org_cue(folded: str, lang: str) -> bool:
    """A folded word that makes a capitalised span an organisation (Ministry, Zentralbank)."""
    return folded in _ORG_CUES or _german_compound_cue(folded, lang)


def _suffix_follows(text: str, tok: Token) -> bool:
    """Ankara'da, Moscow's: an apostrophe suffix closes the name."""
    return text[tok.end:tok.end + 1] in ("'", "’") and tok.text not in _ELIDED


class CapitalisedRuleExtractor:
    """Extractor for cased scripts (see module docstring)."""

    def __init__(self, languages: frozenset[str]) -> None:
        self.languages = languages

    def extract(self, text: str, sentences: list[Sentence], lang: str) -> list[Mention]:
        gaz = gazetteer()
        titles = _titles(lang)
        persons = person_form_index()
        mentions: list[Mention] = []
        #: the largest end offset in `mentions`: a token starting there or later is inside none
        #: of them (the common case, as sentences come in order), so the scan can be skipped
        covered_until = 0
        known_surnames: set[str] = set()
        pending_single: list[tuple[Sentence, Token, bool]] = []
        compounds: list[tuple[Sentence, Token]] = []
        for sent in _sentences_or_whole(text, sentences):
            tokens = tokenize(text, sent.start, sent.end)
            if lang in _COMPOUNDING_LANGUAGES:
                compounds.extend((sent, t) for t in tokens if t.capitalised and _HYPHEN.search(t.text))
            phrases = self._multiword_names(text, tokens, sent.index, gaz, lang)
            if phrases:
                mentions.extend(phrases)
                covered_until = max(covered_until, max(m.end for m in phrases))
                tokens = _outside(tokens, phrases)
            for span, after_title in self._spans(text, tokens, titles):
                for m in self._classify(text, span, after_title, sent.index, lang, gaz, persons, titles):
                    mentions.append(m)
                    covered_until = max(covered_until, m.end)
                    if m.type == "PER":
                        known_surnames.add(fold(m.text.split()[-1]))
                if len(span) == 1:
                    start = span[0].start
                    # newest first: a mention holding the token is most likely the span's own
                    if start >= covered_until or not any(m.start <= start < m.end for m in reversed(mentions)):
                        pending_single.append((sent, span[0], after_title))
        # second pass: a bare surname seen in a full name elsewhere in the article is that person,
        # also where a town abroad shares it (Zełenski: an old name of Asaka, Uzbekistan)
        def is_known_surname(word: str) -> bool:
            return any(fold(c) in known_surnames for c in lemma_candidates(word, lang))

        if known_surnames:
            mentions = [Mention(m.text, "PER", m.sentence, m.start, m.end, source="rules")
                        if m.type == "LOC" and " " not in m.text and is_known_surname(m.text) else m
                        for m in mentions]
        for sent, tok, _ in pending_single if known_surnames else ():
            if is_known_surname(tok.text):
                m = Mention(tok.text, "PER", sent.index, tok.start, tok.end, source="rules")
                if not _overlaps(m, mentions):
                    mentions.append(m)
        for sent, tok in compounds:
            if (m := self._compound_head(text, tok, sent.index, gaz, lang)) is not None and not _overlaps(m, mentions):
                mentions.append(m)
        return sorted(mentions, key=lambda m: m.start)

    @staticmethod
    def _compound_head(text: str, tok: Token, sent_index: int, gaz, lang: str) -> Mention | None:
        """German and Dutch write what a noun is about as its first part: "EU-Außengrenzen",
        "Nato-Generalsekretär", "US-Präsident", "Ukraine-Krieg", "Berlin-Besuch", "NAVO-top".
        The part before the first hyphen is a mention when it names a country, an
        organisation or a big city (`STRICT_MIN_CITY_POPULATION`) on its own; a compound the
        gazetteer knows whole (EU-Kommission, Baden-Württemberg) was taken before."""
        part = _HYPHEN.split(tok.text, 1)[0]
        if len(part) < 2:
            return None
        entry = gaz.lookup(part, lang, strict=True)
        if entry is None and (slug := lexicon.organisation_forms().get(part)):
            entry = gaz.by_id(f"org:{slug}")  # "WHO-Chef": WHO folds to a stop word
        if entry is None or entry.kind not in ("country", "org", "city"):
            return None
        return Mention(part, entry.type, sent_index, tok.start, tok.start + len(part), source="gazetteer")

    @staticmethod
    def _multiword_names(text: str, tokens: list[Token], sent_index: int, gaz, lang: str) -> list[Mention]:
        """Gazetteer names of two or more words, lower-case words included (Union européenne),
        inflected in every word where names decline (Європейського союзу, Białego Domu)."""
        inflected = lang in INFLECTED_PHRASE_LANGUAGES
        out: list[Mention] = []
        # a window of n tokens from i is a candidate only if tokens i..i+n-1 are joinable
        # pairwise, i.e. n <= the joined run from i (checked only from capitalised tokens)
        count = len(tokens)
        max_tokens = gaz.max_tokens
        i = 0
        while i < count:
            tok = tokens[i]
            # a window of two or more tokens needs the next token joinable (run >= 2)
            if not tok.capitalised or i + 1 == count or max_tokens < 2 or not _joinable(text, tok, tokens[i + 1]):
                i += 1
                continue
            hit, used = None, 0  # the mention found at i, and how many tokens it covers
            first = fold(tok.text)
            # after a blank, a window's folded name starts with the first token's first
            # folded word: when no gazetteer name of several words does, skip the lookups
            # (an elision, "d'Ivoire", folds into one word: always looked up)
            if not text[tok.end:tokens[i + 1].start].isspace() or first.split(" ", 1)[0] in gaz.multiword_heads \
                    or inflected and any(fold(c) in gaz.multiword_heads for c in lemma_candidates(tok.text, lang)):
                run = 2
                while i + run < count and run < max_tokens and _joinable(text, tokens[i + run - 1], tokens[i + run]):
                    run += 1
                # "El Banco de España" is no town El Banco: after an article, big places only
                strict = first in lexicon.NOT_NAMES
                for n in range(run, 1, -1):
                    end = tokens[i + n - 1].end
                    phrase = text[tok.start:end]
                    entry = gaz.lookup(phrase, lang, strict=strict) if inflected else gaz.best(phrase, strict=strict)
                    if entry is not None:
                        hit, used = Mention(phrase, entry.type, sent_index, tok.start, end, source="gazetteer"), n
                        break
                else:  # no gazetteer name: the window of two may still be an organisation
                    hit, used = _org_cue_pair(text, tokens, i, sent_index)
            else:
                # without lookups only the two-token organisation cue can hit
                hit, used = _org_cue_pair(text, tokens, i, sent_index)
            if hit is not None:
                out.append(hit)
                i += used
            else:
                i += 1
        return out

    # spans of capitalised tokens, with particles inside, and whether a title precedes
    def _spans(self, text: str, tokens: list[Token], titles: frozenset[str]) -> list[tuple[list[Token], bool]]:
        spans: list[tuple[list[Token], bool]] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if not tok.capitalised or (fold(tok.text) in lexicon.NOT_NAMES and not tok.acronym):
                i += 1
                continue
            j = i + 1
            while j < len(tokens) and _joinable(text, tokens[j - 1], tokens[j]) \
                    and not _suffix_follows(text, tokens[j - 1]):
                nxt = tokens[j]
                if nxt.capitalised and fold(nxt.text) not in lexicon.NOT_NAMES:
                    j += 1
                    continue
                k = j
                while k < len(tokens) and tokens[k].text in _PARTICLES and k - j < 2 \
                        and (k == j or _joinable(text, tokens[k - 1], tokens[k])):
                    k += 1
                if (k > j and k < len(tokens) and tokens[k].capitalised and _joinable(text, tokens[k - 1], tokens[k])
                        and fold(tokens[k].text) not in lexicon.NOT_NAMES
                        and not self._office_after_particle(text, tokens, j, k)):
                    j = k + 1
                    continue
                break
            after_title = self._title_before(text, tokens, i, titles)
            spans.append((tokens[i:j], after_title))
            i = j
        return spans

    @staticmethod
    def _office_after_particle(text: str, tokens: list[Token], particle: int, k: int) -> bool:
        """"Wopke Hoekstra van Buitenlandse Zaken": after "van"/"von" a name's last part is one
        word (Ludwig van Beethoven, Ursula von der Leyen); two capitalised words are the office."""
        return tokens[particle].text in ("van", "von") and k + 1 < len(tokens) and tokens[k + 1].capitalised \
            and _joinable(text, tokens[k], tokens[k + 1])

    @staticmethod
    def _title_before(text: str, tokens: list[Token], i: int, titles: frozenset[str]) -> bool:
        # up to three words back, skipping adjectives: "le président russe Vladimir Poutine"
        for back in range(1, 4):
            k = i - back
            if k < 0:
                return False
            word = tokens[k].text
            if is_title(word, titles):
                return True
            if word in _PARTICLES or fold(word) in lexicon.NOT_NAMES:
                return False
            if text[tokens[k].end:tokens[k + 1].start].strip(" ") not in ("", ","):
                return False
        return False

    def _classify(self, text: str, span: list[Token], after_title: bool, sent_index: int, lang: str,
                  gaz, persons: dict[str, str], titles: frozenset[str]) -> list[Mention]:
        def mention(toks: list[Token], type_: str, source: str) -> Mention:
            return Mention(text[toks[0].start:toks[-1].end], type_, sent_index, toks[0].start, toks[-1].end,
                           source=source)

        # a title inside the span ("Russian President Vladimir Putin"): the name is what follows it
        last_title = -1
        for k in range(len(span) - 1, -1, -1):  # the last title wins: scan from the end
            if is_title(span[k].text, titles):
                last_title = k
                break
        if last_title >= 0:
            k = last_title + 1
            while k < len(span) and (fold(span[k].text) in _TITLE_PARTS or span[k].text in _PARTICLES):
                k += 1
            head, rest = span[:last_title], span[k:]
            out = self._gazetteer_parts(text, head, sent_index, lang, gaz) if head else []
            if rest:
                out.extend(self._split_by_places(text, rest, True, sent_index, lang, gaz))
            return out
        while span and span[-1].text in _PARTICLES:
            span = span[:-1]
        if not span:
            return []
        phrase = text[span[0].start:span[-1].end]
        entry = gaz.lookup(phrase, lang)
        if entry is not None and after_title and entry.kind == "city":
            entry = None  # "le pape François", "Papa Francesco": a person, whatever town shares the name
        if entry is not None:
            return [mention(span, entry.type, "gazetteer")]
        if len(span) == 1 and _is_institution(span[0].text, lang):
            return [mention(span, "ORG", "rules")]
        if len(span) > 1 and any(_is_org_cue(fold(tok.text), lang) for tok in span):
            if span[-1].acronym and span[-1].text not in _LEGAL_FORMS and _is_org_cue(fold(span[-2].text), lang):
                # "die Gewerkschaft GDL", "der Katastrophenschutzbehörde AFAD": the cue describes,
                # the acronym names (and is what other languages write too)
                return [mention(span[-1:], "ORG", "rules")]
            # "presidente del Consiglio Giorgia Meloni": the cue's body, then its head by name
            tail = self._person_at_end(span, lang)
            if tail and any(_is_org_cue(fold(tok.text), lang) for tok in span[:-len(tail)]):
                return [mention(span[:-len(tail)], "ORG", "rules"), mention(tail, "PER", "rules")]
            return [mention(span, "ORG", "rules")]
        if fold(phrase) in persons:
            return [mention(span, "PER", "lexicon")]
        if len(span) == 1 and span[0].acronym:
            return [mention(span, "ORG", "rules")]
        if lang == "de" and not after_title and _german_common_noun_context(text, span):
            # German capitalises every noun: after an article, a number or a quantifier a
            # capitalised run is a noun phrase ("die Insel Samos", "zehn Kilometern Tiefe"),
            # never a bare person name; only the places and organisations in it count, and a
            # name after the nouns ("beim Ortsvorsitzenden Willi Greger")
            parts = self._gazetteer_parts(text, span, sent_index, lang, gaz, strict=True)
            tail = self._person_at_end(span, lang)
            if tail and not any(p.end > tail[0].start for p in parts):
                parts.append(Mention(text[tail[0].start:tail[-1].end], "PER", sent_index, tail[0].start,
                                     tail[-1].end, source="rules"))
            return parts
        if len(span) == 1 and not after_title:
            # what _split_by_places would find: its only lookup is the one above, which
            # missed, and one word without a title before it is no person
            return []
        return self._split_by_places(text, span, after_title, sent_index, lang, gaz)

    def _split_by_places(self, text: str, span: list[Token], after_title: bool, sent_index: int, lang: str,
                         gaz) -> list[Mention]:
        """Places inside the span are LOC; each remaining run of words may be a person.

        After a title the person is the last run: the words between the title and the name
        describe the office ("Prezydent Ukrainy Wołodymyr Zełenski", "Szef MSZ Ukrainy Dmytro
        Kułeba", "Президент Франции Эмманюэль Макрон"), and a run with an acronym is none
        ("der Chef der Volkswagen AG"; a Roman numeral is part of a name, "Felipe VI")."""
        parts = self._gazetteer_parts(text, span, sent_index, lang, gaz, strict=len(span) > 1 or after_title)
        out = list(parts)
        runs: list[list[Token]] = [[]]
        for tok in span:
            if parts and any(p.start <= tok.start < p.end for p in parts):
                if runs[-1]:
                    runs.append([])
            elif tok.text in _PARTICLES and not runs[-1]:
                continue
            else:
                runs[-1].append(tok)
        while runs[-1] and runs[-1][-1].text in _PARTICLES:
            runs[-1].pop()
        runs = [run for run in runs if run]

        def is_person(words: list[Token], titled: bool) -> bool:
            return bool(words) and (titled or 2 <= len(words) <= 4 and self._looks_like_person(words, lang))

        for index, run in enumerate(runs):
            if len(run) >= 3:
                # "presidente del Consiglio Giorgia Meloni", "Marszałek Sejmu Szymon Hołownia": the first
                # word completes the title (after a particle) or names an institution; the person follows
                head = run[0]
                before = text[max(0, head.start - 6):head.start].strip().lower()
                if _is_institution(head.text, lang):
                    out.append(Mention(head.text, "ORG", sent_index, head.start, head.end, source="rules"))
                    run.pop(0)
                elif re.search(r"(?:^|\W)(?:del|della|degli|dell'|dell’|des|du|de|of|der|des)$", before) \
                        or fold(head.text) in _ORG_CUES:
                    run.pop(0)
            titled = after_title and index == len(runs) - 1 \
                and not any(t.acronym and not _ROMAN_NUMERAL.fullmatch(t.text) for t in run)
            name = run if is_person(run, titled) or lang != "de" else self._person_at_end(run, lang)
            if is_person(name, titled):  # German: "Präses Pater Martin Mundackal", the name at the end
                out.append(Mention(text[name[0].start:name[-1].end], "PER", sent_index, name[0].start,
                                   name[-1].end, source="rules"))
        return sorted(out, key=lambda m: m.start)

    @classmethod
    def _person_at_end(cls, span: list[Token], lang: str) -> list[Token]:
        """The last two or three words of `span` when they make a person's name and what
        comes before them does not. For German, which capitalises the nouns before a name
        ("Präses Pater Martin Mundackal", "Ortsvorsitzenden Willi Greger"); elsewhere such a
        run is more often an organisation with a given name in it (Türk Hava Yolları, "air
        lines", Hava being a name too). Empty otherwise."""
        for size in (2, 3, 4):  # the shorter first: "Pater Martin Mundackal" is Martin Mundackal
            tail = span[-size:]
            if size == 4 and not any(t.text in _PARTICLES for t in tail):
                continue  # four words only with a particle: "Kommissionschefin Ursula von der Leyen"
            if len(span) > size and tail[0].capitalised and tail[-1].capitalised \
                    and all(t.capitalised or t.text in _PARTICLES for t in tail) \
                    and cls._looks_like_person(tail, lang) and not cls._looks_like_person(span[:-size], lang):
                return tail
        return []

    @staticmethod
    def _looks_like_person(span: list[Token], lang: str) -> bool:
        if any(t.acronym for t in span):
            return False
        # capitalised runs are also headlines, noun phrases (German capitalises every noun)
        # and institutions (Ticaret Borsası, New Year, Associated Press): without a title
        # before it, a run is a person's name only when it starts with a given name
        return _starts_with_given_name(span, lang)

    @staticmethod
    def _gazetteer_parts(text: str, span: list[Token], sent_index: int, lang: str, gaz,
                         strict: bool = False) -> list[Mention]:
        out: list[Mention] = []
        i = 0
        while i < len(span):
            for n in range(min(gaz.max_tokens, len(span) - i), 0, -1):
                phrase = text[span[i].start:span[i + n - 1].end]
                entry = gaz.lookup(phrase, lang, strict)
                if entry is not None:
                    out.append(Mention(phrase, entry.type, sent_index, span[i].start, span[i + n - 1].end,
                                       source="gazetteer"))
                    i += n
                    break
            else:
                i += 1
        return out


class ArabicRuleExtractor:
    """Extractor for Arabic script (see module docstring)."""

    languages = frozenset({"ar"})
    _STOP = frozenset(["في", "إلى", "من", "على", "عن", "أن", "إن", "مع", "يوم", "قال", "قالت", "وقال", "وقالت", "الذي", "التي", "حيث", "بعد", "قبل", "خلال", "أمس", "اليوم", "غدا", "و", "أو", "ثم", "كما", "لكن", "هذا", "هذه", "ذلك", "تلك", "عند", "منذ", "حتى", "لقد", "قد", "سوف", "سيزور", "يزور", "زار", "التقى", "يلتقي", "أعلن", "أعلنت", "صرح", "أكد", "أكدت", "نظيره", "نظيرته", "إلى",
                       # "on behalf of": المتحدث باسم وزارة الخارجية is the ministry's spokesman,
                       # no one named Basem
                       "باسم",
                       # "and others", closing a list of authors
                       "وآخرون"])
    _TITLES = ("الرئيس", "رئيس الوزراء", "رئيسة الوزراء", "وزير", "وزيرة", "المستشار", "المستشارة", "الملك",
               "الأمير", "الأمين العام", "السفير", "المتحدث", "المتحدثة", "رئيس", "رئيسة", "نظيره", "نظيرته",
               "زعيم", "الشيخ", "الجنرال", "السيد", "السيدة", "ولي العهد", "نائب الرئيس")
    _ORG_HEADS = ("وزارة", "حزب", "بنك", "منظمة", "شركة", "جامعة", "مجلس", "البنك", "الحزب", "وكالة", "جيش", "محكمة",
                  "البرلمان", "لجنة", "حركة", "هيئة", "حلف", "نادي")
    #: nouns of offices and bodies that follow a title but name no one (رئيس أركان, نائب مدير)
    _OFFICE_NOUNS = frozenset(["أركان", "مدير", "رئيس", "وزراء", "مركز", "مباحث", "اتحاد", "حساب", "برنامج",
                               "قائد", "نائب", "عضو", "مستشار", "قطاع", "إدارة", "قسم", "مكتب", "مديرية",
                               "جمهورية", "دولة", "مجموعة", "شعبة", "فرع", "لجان", "قوات", "شئون", "شؤون"])
    #: generic heads: the organisation is the name after them (شركة أرامكو -> أرامكو)
    _GENERIC_HEADS = ("شركة", "نادي", "مجموعة")
    #: words inside a person's name that look like something else (بن = son of, عبد = servant of)
    _NAME_JOINERS = ("بن", "ابن", "عبد", "أبو", "أبي", "آل")

    def extract(self, text: str, sentences: list[Sentence], lang: str) -> list[Mention]:
        gaz = gazetteer()
        persons = person_form_index()
        mentions: list[Mention] = []
        singles: list[tuple[int, Token]] = []
        for sent in _sentences_or_whole(text, sentences):
            tokens = tokenize(text, sent.start, sent.end)
            i = 0
            while i < len(tokens):
                found = self._at(text, tokens, i, sent.index, gaz, persons)
                if found:
                    mentions.append(found)
                    i = next(k for k in range(i, len(tokens) + 1) if k == len(tokens) or tokens[k].start >= found.end)
                else:
                    singles.append((sent.index, tokens[i]))
                    i += 1
        # second pass: the family name of a full name found elsewhere, on its own (وقال شوقي)
        surnames = {m.text.split()[-1] for m in mentions if m.type == "PER" and " " in m.text}
        for sent_index, tok in singles:
            if tok.text in surnames and len(tok.text) > 2:
                mentions.append(Mention(tok.text, "PER", sent_index, tok.start, tok.end, source="rules"))
        return sorted(mentions, key=lambda m: m.start)

    def _at(self, text: str, tokens: list[Token], i: int, sent_index: int, gaz, persons) -> Mention | None:
        tok = tokens[i]
        stripped = strip_arabic_clitics(tok.text)
        variants = [tok.text] + ([stripped] if stripped != tok.text else [])
        if tok.text[:1] in "وبلفك" and tok.text[1:3] == "ال":
            variants.append(tok.text[1:])  # والجزائر -> الجزائر (the article is part of the name)
        for n in range(min(gaz.max_tokens, len(tokens) - i), 0, -1):
            tail = [t.text for t in tokens[i + 1:i + n]]
            end = tokens[i + n - 1].end
            for first in variants:
                start = tok.start + (len(tok.text) - len(first))
                phrase = " ".join([first] + tail)
                entry = gaz.best(phrase)
                if entry is not None and (n > 1 or self._single_word_place(first, tok.text, entry)):
                    return Mention(text[start:end], entry.type, sent_index, start, end, source="gazetteer")
                if fold(phrase) in persons:
                    return Mention(text[start:end], "PER", sent_index, start, end, source="lexicon")
        name = self._given_name_at(text, tokens, i, gaz)
        if name is not None:
            return Mention(text[tokens[i].start:tokens[name - 1].end], "PER", sent_index, tokens[i].start,
                           tokens[name - 1].end, source="rules")
        bare = tok.text if tok.text in self._ORG_HEADS or tok.text in self._TITLES else stripped
        if bare in self._GENERIC_HEADS and i + 1 < len(tokens) and tokens[i + 1].text not in self._STOP:
            k = i + 2 if not tokens[i + 1].text.startswith("ال") or bare == "نادي" else i + 1
            if k > i + 1:
                nxt = tokens[i + 1]
                return Mention(nxt.text, "ORG", sent_index, nxt.start, nxt.end, source="rules")
        if bare in self._ORG_HEADS:
            k = i + 1
            while k < len(tokens) and k < i + 3 and tokens[k].text.startswith("ال") and tokens[k].text not in self._STOP:
                k += 1
            if k > i + 1:
                start = tok.start + (len(tok.text) - len(bare))
                return Mention(text[start:tokens[k - 1].end], "ORG", sent_index, start, tokens[k - 1].end, source="rules")
        if bare in self._TITLES or (i + 1 < len(tokens) and f"{bare} {tokens[i + 1].text}" in self._TITLES):
            k = i + (2 if i + 1 < len(tokens) and f"{bare} {tokens[i + 1].text}" in self._TITLES else 1)
            # skip adjectives and the ministry they qualify: وزير الخارجية الروسي
            while k < len(tokens) and tokens[k].text.startswith("ال") and tokens[k].text not in self._STOP:
                k += 1
            for n in range(min(4, len(tokens) - k), 0, -1):  # a known name right after the title
                if k < len(tokens) and fold(" ".join(t.text for t in tokens[k:k + n])) in persons:
                    return Mention(text[tokens[k].start:tokens[k + n - 1].end], "PER", sent_index, tokens[k].start,
                                   tokens[k + n - 1].end, source="lexicon")
            j = k
            while j < len(tokens) and j < k + 4 and _joinable(text, tokens[j - 1], tokens[j]):
                word = tokens[j].text
                joined = j > k and tokens[j - 1].text in self._NAME_JOINERS
                if self._ends_name(word):
                    break
                if word.startswith("ال") and not joined:
                    break
                place = gaz.lookup(word, "ar")
                if place is not None and place.kind == "country" and not joined:
                    break
                j += 1
                if fold(word) in persons:
                    break  # a known surname ends the name: إيمانويل ماكرون | مسؤولين
            if j > k:
                return Mention(text[tokens[k].start:tokens[j - 1].end], "PER", sent_index, tokens[k].start,
                               tokens[j - 1].end, source="rules")
        return None

    @classmethod
    def _is_org_head(cls, word: str) -> bool:
        """وزارة, لجنة, مجلس (or with a proclitic: ولجنة): the word heads an organisation's
        name. The word as written is asked first: stripping a proclitic from وزارة
        "ministry" leaves زارة, no head, and the ministry became part of a person's name."""
        return word in cls._ORG_HEADS or strip_arabic_clitics(word) in cls._ORG_HEADS

    @classmethod
    def _ends_name(cls, word: str) -> bool:
        """A word no Arabic name continues with: a function word (spaCy's list and ours: ولكن,
        كانت), an organisation head, a noun of office (رئيس أركان الجيش is the chief of staff,
        no one named Arkan; مدير, وزراء, مركز), a word with the proclitic لل "for the"
        (للكتاب, للأمم) or ل before a noun of office (لبرنامج), و before a title (ووزير), و ب ف ك
        before ال (والمرافق "and the facilities", بالوفد "with the delegation"), and anything with
        a digit or a tatweel (عمر 3, بـ)."""
        if word in arabic_stop_words() or cls._is_org_head(word) or word.startswith("لل"):
            return True
        bare = strip_arabic_clitics(word)
        if word in cls._OFFICE_NOUNS or bare in cls._OFFICE_NOUNS or (bare != word and bare in cls._TITLES):
            return True  # ووزير "and minister"
        if word.startswith(("وال", "بال", "فال", "كال")) and len(word) >= 6:
            return True  # والمرافق "and the facilities", بالوفد "with the delegation" (والتر, Walter, is shorter)
        return "ـ" in word or any(ch.isdigit() for ch in word)

    @staticmethod
    def _single_word_place(word: str, written: str, entry) -> bool:
        """A one-word gazetteer hit is a place unless the word is a function word (كان "was"
        is also Cannes) or a small city reached only by stripping a proclitic (وكيل "agent"
        is not و + Kiel), or a common word that also names a town (الجديد "the new" is also Al
        Jadid, Libya: `gazetteer.is_common_word_homograph`)."""
        if entry.kind != "city":
            return True
        if word in arabic_stop_words() or written in arabic_stop_words() \
                or is_common_word_homograph(word, entry, "ar"):
            return False
        return word == written or entry.population >= ARABIC_STRIPPED_CITY_POPULATION

    def _given_name_at(self, text: str, tokens: list[Token], i: int, gaz) -> int | None:
        """End (exclusive token index) of a name that starts with a common given name at `i`.

        The name is the given name plus the name-like words after it: more given names or
        joiners (بن, عبد), then one family name (with ال only as a nisba: معمر الإرياني); at most
        four words. A function word, title, organisation head or country ends it; a given name
        with nothing name-like after it is not taken (it may be a common word)."""
        stop = arabic_stop_words()
        if tokens[i].text in stop or arabic_letter_key(tokens[i].text) not in _arabic_given_names():
            return None  # على "on" folds to علي "Ali"
        j = i + 1
        while j < len(tokens) and j < i + 4 and _joinable(text, tokens[j - 1], tokens[j]):
            word = tokens[j].text
            if word in self._TITLES or self._ends_name(word):
                break
            place = gaz.lookup(word, "ar")
            if place is not None and place.kind == "country":
                break
            if word.startswith("ال") and not word.endswith("ي"):
                break  # an ال family name is a nisba (الإرياني, المصري); الوطن "the nation" is not
            j += 1
            if arabic_letter_key(word) not in _arabic_given_names() and word not in self._NAME_JOINERS:
                break  # the family name closes the name
        return j if j > i + 1 else None


#: a city reached by stripping a proclitic (و/ب/ل/ف/ك) must be at least this big: short city
#: names are often the tail of an ordinary word (وكيل = و + كيل "Kiel")
ARABIC_STRIPPED_CITY_POPULATION = 1_000_000


@lru_cache(maxsize=1)
def _arabic_given_names() -> frozenset[str]:
    return frozenset(arabic_letter_key(n) for n in lexicon.ARABIC_GIVEN_NAMES)


@lru_cache(maxsize=1)
def arabic_stop_words() -> frozenset[str]:
    """Arabic function words: spaCy's list (shipped in the spaCy wheel) plus our own few."""
    try:
        from spacy.lang.ar.stop_words import STOP_WORDS
    except ImportError:  # spaCy is a dependency, but the rules must not need it
        STOP_WORDS = set()
    return frozenset(STOP_WORDS) | ArabicRuleExtractor._STOP


def load_lexicons() -> None:
    """Load the rules' lexicons now (the given names read from Faker take ~0.5 s): called
    before worker processes fork, so that each inherits them instead of loading its own."""
    lexicon.given_names()
    _arabic_given_names()
    arabic_stop_words()


_ZH_TRANSLIT = set("阿埃艾安奥巴拜班邦贝本比彼宾波伯博布查达戴丹德迪蒂杜多厄恩尔法菲费芬弗伏福盖冈戈格古哈海汉豪赫亨胡华霍基吉加贾杰金"
                   "卡凯坎考科克肯库拉莱兰朗劳勒雷里利连林琳卢鲁伦罗洛马玛迈麦曼梅门蒙米密明莫默姆穆纳娜奈南内尼宁努诺帕潘佩"
                   "彭皮普齐奇乔切琼丘萨塞桑瑟森沙莎尚舍施什斯索塔泰汤唐特托图瓦万旺威韦维温沃乌西希谢辛休雅亚扬耶伊因尤约"
                   "泽扎詹朱卓兹佐夫丽娃顿逊娅芙琪京肯朔茨·登勒霍茨德")
_ZH_TITLES = ("总统", "外长", "总理", "部长", "国务卿", "主席", "首相", "秘书长", "发言人", "总书记", "外交部长", "国防部长",
              "副总统", "总裁", "行长", "市长", "大使", "议长", "国王", "女王", "王储", "主席", "领导人", "防长", "财长")
_ZH_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙朱胡郭何高林郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
                   "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴孔向汤习")
_ZH_NOT_IN_NAME = set("表示说在与和对将于是会也已的访称今周星日昨明本向同就并称指了被把从到为等及或但而又都还")
#: ministries and state bodies: an organisation on their own (外交部), or of the place before them
_ZH_STATE_BODIES = ("外交部", "国防部", "财政部", "商务部", "卫生部", "内政部", "司法部", "教育部", "国务院", "中央银行")
#: generic heads (bank, group, company, university; committee, parliament, congress,
#: government): an organisation only after a place or a name (中国人民银行, 北京大学, 美国政府);
#: otherwise 此举将使大型银行 ("this makes large banks") or 政府发言人 ("a government spokesman")
#: would be one, and every Chinese text would share "the government" with every other
_ZH_GENERIC_HEADS = ("央行", "银行", "集团", "公司", "大学", "委员会", "议会", "国会", "政府")
_ZH_ORG_HEAD = re.compile("|".join(sorted(_ZH_STATE_BODIES + _ZH_GENERIC_HEADS, key=len, reverse=True)))
#: characters that never sit between a place and an organisation head (function words)
_ZH_ORG_STOP = _ZH_NOT_IN_NAME | set("所有使让给由以这那其此该个名位多少大小新旧各一")
#: a foreign name written with an interpunct (艾米·克洛布查尔): the parts in transliteration characters
_ZH_TRANSLIT_CLASS = "".join(sorted(_ZH_TRANSLIT - {"·"}))
_ZH_INTERPUNCT = re.compile("[·・•‧]")
_ZH_INTERPUNCT_NAME = re.compile(f"[{_ZH_TRANSLIT_CLASS}]{{1,6}}(?:[·・•‧][{_ZH_TRANSLIT_CLASS}]{{1,8}})+")
_LATIN_LETTERS = re.compile(r"[A-Za-z]{2}")


class UnspacedRuleExtractor:
    """Extractor for zh, ja and ko (see module docstring)."""

    languages = frozenset({"zh", "ja", "ko"})

    def extract(self, text: str, sentences: list[Sentence], lang: str) -> list[Mention]:
        gaz = gazetteer()
        persons = person_form_index()
        max_len = max(gaz.max_unspaced, max(len(k) for k in persons))
        found: list[Mention] = []
        for sent in _sentences_or_whole(text, sentences):
            found.extend(self._scan(text, sent, max_len, gaz, persons))
            if lang == "zh":
                rules = self._zh_rules(text, sent, gaz)
                # an organisation named after its place (中国人民银行) replaces the place it contains
                found = merge_mentions([m for m in found if not _inside_organisation(m, rules)], rules)
        if lang == "zh":
            found = merge_mentions(found, self._zh_bare_surnames(text, sentences, found))
        if _LATIN_LETTERS.search(text):
            # names left in Latin script (美国参议员 Amy Klobuchar, MSNBC): the capitalised-span rules
            found = merge_mentions(found, _LATIN_RULES.extract(text, sentences, "en"))
        return sorted(found, key=lambda m: m.start)

    @staticmethod
    def _scan(text: str, sent: Sentence, max_len: int, gaz, persons) -> list[Mention]:
        out: list[Mention] = []
        i = sent.start
        while i < sent.end:
            if not text[i].isalpha():
                i += 1
                continue
            for n in range(min(max_len, sent.end - i), 1, -1):
                piece = text[i:i + n]
                if piece[-1].isspace() or piece[-1] in "·・":
                    continue
                if not is_unspaced(piece) and not any("\uac00" <= ch <= "\ud7a3" for ch in piece):
                    continue
                key = fold(piece)
                if key in persons:
                    out.append(Mention(piece, "PER", sent.index, i, i + n, source="lexicon"))
                    i += n
                    break
                entry = gaz.best(piece)
                if entry is not None:
                    out.append(Mention(piece, entry.type, sent.index, i, i + n, source="gazetteer"))
                    i += n
                    break
            else:
                i += 1
        return out

    @staticmethod
    def _zh_rules(text: str, sent: Sentence, gaz) -> list[Mention]:
        out: list[Mention] = []
        s = text[sent.start:sent.end]
        for title in _ZH_TITLES:
            for m in re.finditer(re.escape(title), s):
                k = m.end()
                j = k
                while j < len(s) and s[j] in _ZH_TRANSLIT:
                    j += 1
                if j - k < 2 and k < len(s) and s[k] in _ZH_SURNAMES:
                    j = k + 2
                    if j < len(s) and s[j] not in _ZH_NOT_IN_NAME and "\u4e00" <= s[j] <= "\u9fff":
                        j += 1
                if j - k >= 2:
                    out.append(Mention(s[k:j], "PER", sent.index, sent.start + k, sent.start + j, source="rules"))
        for m in _ZH_INTERPUNCT_NAME.finditer(s):
            out.append(Mention(m.group(), "PER", sent.index, sent.start + m.start(), sent.start + m.end(),
                               source="rules"))
        for m in _ZH_ORG_HEAD.finditer(s):
            start = UnspacedRuleExtractor._zh_org_start(s, m.start(), m.group() in _ZH_GENERIC_HEADS, gaz)
            if start is not None:
                out.append(Mention(s[start:m.end()], "ORG", sent.index, sent.start + start, sent.start + m.end(),
                                   source="rules"))
        return out

    @staticmethod
    def _zh_org_start(s: str, head: int, generic: bool, gaz) -> int | None:
        """Where the organisation whose head word starts at `head` begins, or None for no organisation.

        A place before the head owns it (俄罗斯|外交部; 中国|人民|银行 with up to three
        non-function characters between). Otherwise a state body stands alone (外交部) and a
        generic head (公司, 银行) needs a name of two to four non-function characters
        (华为|公司); 此举将使大型银行 ("this makes large banks") has none."""
        for start in range(max(0, head - 9), head - 1):
            for n in range(min(5, head - start), 1, -1):
                between = s[start + n:head]
                if len(between) > 3 or any(ch in _ZH_ORG_STOP or not ch.isalpha() for ch in between):
                    continue
                entry = gaz.best(s[start:start + n])
                if entry is not None and entry.type == "LOC":
                    return start
        if not generic:
            return head
        start = head
        while start > 0 and head - start < 4 and s[start - 1].isalpha() and s[start - 1] not in _ZH_ORG_STOP:
            start -= 1
        return start if head - start >= 2 else None

    @staticmethod
    def _zh_bare_surnames(text: str, sentences: list[Sentence], found: list[Mention]) -> list[Mention]:
        """The last part of an interpunct name (克洛布查尔 of 艾米·克洛布查尔), later on its own."""
        surnames = {_ZH_INTERPUNCT.split(m.text)[-1] for m in found
                    if m.type == "PER" and _ZH_INTERPUNCT.search(m.text)}
        out: list[Mention] = []
        for name in (n for n in surnames if len(n) >= 2):
            for m in re.finditer(re.escape(name), text):
                sent = next((x for x in sentences if x.start <= m.start() < x.end), None)
                out.append(Mention(name, "PER", sent.index if sent else 0, m.start(), m.end(), source="rules"))
        return out


_LATIN_RULES = CapitalisedRuleExtractor(frozenset({"en"}))


def _starts_with_given_name(span: list[Token], lang: str) -> bool:
    return _is_given_name(span[0].text, lang)


@lru_cache(maxsize=65_536)  # a pure function of two strings; the same words recur in every article
def _is_given_name(word: str, lang: str) -> bool:
    names = lexicon.given_names()
    for form in lemma_candidates(word, lang):  # Emmanuelem -> Emmanuel
        first = fold(form).split()  # Hans-Peter -> hans peter
        if first and first[0] in names:
            return True
    return False


@lru_cache(maxsize=65_536)  # as _is_given_name
def _is_institution(word: str, lang: str) -> bool:
    """Bundestag, Sejmu, Senato: one word naming an institution, possibly inflected."""
    return any(fold(c) in _INSTITUTIONS for c in lemma_candidates(word, lang))


def _inside_organisation(mention: Mention, others: list[Mention]) -> bool:
    return any(o.type == "ORG" and o.start <= mention.start and mention.end <= o.end
               and (o.start, o.end) != (mention.start, mention.end) for o in others)


#: German words after which a capitalised run is a noun phrase, not a person's name.
_GERMAN_NOUN_CONTEXT = frozenset([
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines", "im", "am",
    "zum", "zur", "vom", "beim", "ins", "ans", "viele", "vielen", "einige", "einigen", "alle", "allen",
    "mehrere", "mehreren", "zahlreiche", "zahlreichen", "manche", "kein", "keine", "keinen", "dieser", "diese",
    "dieses", "diesem", "diesen", "jeder", "jede", "jedes", "ihre", "seine", "unsere", "zwei", "drei", "vier",
    "fünf", "sechs", "sieben", "acht", "neun", "zehn", "hundert", "tausend"])


def _german_common_noun_context(text: str, span: list[Token]) -> bool:
    before = text[max(0, span[0].start - 24):span[0].start].split()
    first = span[0].text.lower()
    if first in _GERMAN_NOUN_CONTEXT:
        return True
    if not before:
        return False
    word = before[-1].lower().strip(",;:(\"„“")
    return word in _GERMAN_NOUN_CONTEXT or word.isdigit()
