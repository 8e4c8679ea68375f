"""Script- and spelling-independent keys for names.

Cross-lingual linking compares *keys*, not surface strings: a key is the name
transliterated to ASCII (anyascii), lower-cased, stripped of diacritics, with the
common spelling variants of transliteration conventions folded together
(French ``ou`` = ``u``, German ``w`` = ``v`` and ``sch`` = ``sh``, Slavic ``-skiy``
/ ``-skyj`` / ``-ski`` = ``-ski``, doubled letters single...). Two names with the
same key are treated as spellings of one name; rapidfuzz then absorbs what the
rules miss (``zelenski`` ~ ``selenski``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

#: Case endings stripped from the last word of a name in inflecting languages,
#: longest first. Used to map ``Путина``/``Путину`` -> ``Путин``, ``Zełenskiego`` ->
#: ``Zełenski``, ``Warszawie`` -> ``Warszaw`` (then matched against stems).
CASE_ENDINGS: dict[str, tuple[str, ...]] = {
    "ru": ("ому", "ого", "ему", "его", "ыми", "ими", "ами", "ями", "ых", "их", "ой", "ей", "ом", "ем", "ым", "им",
           "ую", "ая", "ия", "ии", "ию", "ах", "ях", "ам", "ям", "а", "у", "е", "ы", "и", "ю", "я"),
    "uk": ("ому", "ого", "ему", "ими", "ами", "ями", "их", "ій", "ою", "ею", "ом", "ем", "им", "ів", "ах", "ям",
           "а", "у", "е", "і", "и", "ю", "я"),
    "pl": ("iego", "ego", "emu", "owi", "iem", "iej", "ej", "ych", "ich", "ach", "ami", "ów", "om", "ym", "im",
           "em", "ie", "ą", "ę", "a", "u", "y", "i"),
    "de": ("s",),
    "tr": (),
}

#: Nominative endings tried after stripping (stem + ending) to find a gazetteer entry.
NOMINATIVE_ENDINGS: dict[str, tuple[str, ...]] = {
    # with the adjectives' feminine, neuter and plural forms (Государственная, Соединённые)
    "ru": ("", "а", "я", "ь", "ия", "ий", "ый", "и", "ы", "о", "ая", "ое", "ые", "ие"),
    "uk": ("", "а", "я", "ь", "ія", "ий", "и", "і", "е"),
    "pl": ("", "a", "o", "y", "i", "ia", "e", "ie"),
    "de": ("",),
}

_SPELLING_RULES: tuple[tuple[str, str], ...] = (
    ("tsch", "ch"), ("sch", "sh"), ("tch", "ch"), ("dzh", "j"), ("dj", "j"),
    ("cz", "ch"), ("sz", "sh"), ("kh", "h"), ("ph", "f"), ("th", "t"),
    ("ou", "u"), ("ck", "k"), ("q", "k"), ("x", "ks"), ("w", "v"), ("z", "s"),
    ("c", "k"), ("kh", "h"), ("ye", "e"), ("yi", "i"), ("ij", "i"), ("yj", "i"),
    ("iy", "i"), ("yy", "i"), ("ii", "i"), ("y", "i"), ("j", "i"), ("'", ""),
)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_ARABIC_LETTER_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي"})
_ARABIC_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
#: the article with a proclitic before it (وال "and the", بال "with the", لل "for the")
_ARABIC_ARTICLE = re.compile(r"^(?:[وفبك]?ال|لل)(?=\w{2,})")
#: light10's suffixes (Larkey et al. 2002) after `arabic_letter_key` (ة is ه there), longest first
_ARABIC_SUFFIXES = ("ها", "ات", "ون", "ين", "ان", "يه", "ه", "ي")


def arabic_letter_key(word: str) -> str:
    """Hamza seats, taa marbuta, alif maqsura and diacritics folded (أحمد = احمد)."""
    return _ARABIC_DIACRITICS.sub("", word).translate(_ARABIC_LETTER_FOLD)


@lru_cache(maxsize=100_000)
def arabic_word_key(word: str) -> str:
    """An Arabic word without its clitics, for matching words across two texts.

    Arabic writes "and", "with", "for" and the article as one word with the noun, so
    اليمن, باليمن and واليمن (Yemen, in Yemen, and Yemen) are three tokens, and a text
    that says "in Yemen" shares no word with one that says "Yemen". A light stemmer in the
    manner of Larkey, Ballesteros & Connell (2002, "light10"): the letters folded
    (`arabic_letter_key`), the article with any proclitic before it removed, else a
    proclitic و ف ب ك ل (or a conjunction and a preposition, وب) removed when what
    remains is the more frequent word by wordfreq (وزير "minister" starts with و and keeps
    it; ولندن is و + لندن), then up to two suffixes of light10's list (plural, feminine,
    pronoun, adjective), each while three letters remain. Not a morphological analysis: a
    key both texts' words map to alike.

    >>> arabic_word_key("باليمن") == arabic_word_key("اليمن") == arabic_word_key("يمن")
    True
    >>> arabic_word_key("وزير") == arabic_word_key("الوزير")
    True
    >>> arabic_word_key("الفلسطينية") == arabic_word_key("فلسطين")
    True
    """
    from newsloom.frequency import zipf

    key = arabic_letter_key(word)
    stripped = _ARABIC_ARTICLE.sub("", key, count=1)
    if stripped == key and len(key) >= 4 and key[0] in "وفبكل":
        # one proclitic, or a conjunction and a preposition (وبعدن "and in Aden")
        bare = [key[1:]] + ([key[2:]] if key[0] in "وف" and key[1] in "بكل" and len(key) >= 5 else [])
        best = max(bare, key=lambda w: zipf(w, "ar"))
        if zipf(best, "ar") > zipf(key, "ar"):
            stripped = _ARABIC_ARTICLE.sub("", best, count=1)
    for _ in range(2):  # فلسطينية "Palestinian" = فلسطين + ية, and فلسطين = فلسط + ين alike
        suffix = next((x for x in _ARABIC_SUFFIXES if stripped.endswith(x) and len(stripped) - len(x) >= 3), "")
        if not suffix:
            break
        stripped = stripped[:-len(suffix)]
    return stripped


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case, accent-free, whitespace-normalised form (keeps the script)."""
    text = text.replace("’", "'").replace("ё", "е").replace("Ё", "Е")
    text = strip_accents(text).casefold()
    text = text.replace("ł", "l").replace("ı", "i")
    return " ".join(text.replace("-", " ").split())


@lru_cache(maxsize=200_000)
def latin_key(word: str) -> str:
    """ASCII key of one name word with transliteration variants folded together."""
    key = anyascii(word.replace("ł", "l").replace("Ł", "L")).lower()
    key = re.sub(r"[^a-z]", "", key)
    for old, new in _SPELLING_RULES:
        key = key.replace(old, new)
    key = re.sub(r"(.)\1+", r"\1", key)  # doubled letters
    if len(key) > 4 and key.endswith("e"):
        key = key[:-1]  # French mute e: Poutine -> putin
    return key


def sound_key(key: str) -> str:
    """A coarser key of a `latin_key` for names written in two scripts: the first letter
    and the consonants after it, l and r as one (Chinese has no r: 布哈里 buhali for
    Buhari), h dropped after a consonant (Bhandari / Bandali) and doubled letters
    collapsed. Buhari/buhali -> bhr, Morrison/molisen -> mrsn, Durst/Дерст -> drst.
    Coarse on purpose, so it is compared only across scripts; a key shorter than 3
    letters stays as it is (two consonants match too many names).

    >>> sound_key("buhar"), sound_key("buhal"), sound_key("durst"), sound_key("derst")
    ('bhr', 'bhr', 'drst', 'drst')
    """
    folded = re.sub(r"(?<=[^aeiou])h", "", key.replace("l", "r"))
    skeleton = re.sub(r"(.)\1+", r"\1", folded[:1] + re.sub(r"[aeiou]", "", folded[1:]))
    return skeleton if len(skeleton) >= 3 else key


def strip_case_ending(word: str, lang: str) -> str:
    """The word without its longest known case ending (only if a stem of >=3 letters remains)."""
    for ending in CASE_ENDINGS.get(lang, ()):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def lemma_candidates(word: str, lang: str) -> list[str]:
    """Plausible dictionary forms of an inflected name word, the word itself first."""
    return list(_lemma_candidates(word, lang))  # a fresh list: callers may change theirs


@lru_cache(maxsize=100_000)  # the rules and the gazetteer ask for the same words in every article
def _lemma_candidates(word: str, lang: str) -> tuple[str, ...]:
    out = [word]
    if lang == "pl":
        # locative/genitive with consonant alternation: Polsce -> Polska, Pradze -> Praga, Kijowie -> Kijów
        for ending, repl in (("niu", "ń"), ("iu", ""), ("owie", "ów"), ("encie", "ent"), ("owa", "ów"), ("sce", "ska"),
                             ("dze", "ga"), ("ce", "ka"),
                             ("rze", "ra"), ("ście", "sta"), ("nie", "na"), ("wie", "wa"), ("ii", "ia"),
                             ("ji", "ja"), ("ie", "a"), ("ę", "a"), ("y", "a"), ("i", "a")):
            if word.endswith(ending) and len(word) - len(ending) >= 2:
                out.append(word[: -len(ending)] + repl)
    stem = strip_case_ending(word, lang)
    if stem != word:
        out.extend(stem + e for e in NOMINATIVE_ENDINGS.get(lang, ("",)))
        if lang == "uk":
            # vowel alternation in the closed last syllable: Києва -> Київ, Львова -> Львів
            m = re.match(r"^(.*)([єео])([^аеєиіїоуюяь']+)$", stem)
            if m:
                out.append(m.group(1) + {"є": "ї", "е": "і", "о": "і"}[m.group(2)] + m.group(3))
    # Turkish and others: a suffix after an apostrophe is never part of the name
    if "'" in word or "’" in word:
        out.append(re.split(r"['’]", word)[0])
    return tuple(dict.fromkeys(out))  # duplicates dropped, first occurrence kept


def surname_key(surname: str, lang: str) -> str:
    """Key of a (possibly inflected) surname: case ending stripped, then `latin_key`."""
    base = surname
    if lang in ("ru", "uk", "pl"):
        base = _slavic_surname_base(surname, lang)
    key = latin_key(base)
    # one final vowel is dropped everywhere, so that nominative and inflected forms meet
    # (Duda/Dudy -> dud, Zelenski/Zelenskiego -> zelensk, Putina/Putin -> putin)
    if len(key) > 4 and key[-1] in "aeiou":
        key = key[:-1]
    return key


def _slavic_surname_base(word: str, lang: str) -> str:
    # adjectival surnames: Зеленского/Зеленскому/Zełenskiego -> Зеленский/Zełenski
    for ending, repl in (("ского", "ский"), ("скому", "ский"), ("ским", "ский"), ("ском", "ский"),
                         ("ського", "ський"), ("ському", "ський"), ("ським", "ський"),
                         ("skiego", "ski"), ("skiemu", "ski"), ("skim", "ski")):
        if word.endswith(ending):
            return word[: -len(ending)] + repl
    if re.search(r"(ов|ев|ин|ёв|ow|ew|in|yn|ын)(а|у|ым|ом|е|ie|owi|em|a|u)$", word):
        return re.sub(r"(а|у|ым|ом|е|ie|owi|em|a|u)$", "", word)
    # nouns: Байдена -> Байден, Макрону -> Макрон (only consonant + case vowel)
    m = re.match(r"^(.*[бвгджзклмнпрстфхцчшщbcdfghklmnprstvwz])(а|у|ом|е|ым|ем|owi|em|a|u|ie)$", word)
    if m and len(m.group(1)) >= 3:
        return m.group(1)
    return word


def is_capitalised(token: str) -> bool:
    return bool(token) and token[0].isupper()
