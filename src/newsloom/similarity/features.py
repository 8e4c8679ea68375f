"""Pair features for the similarity model: embedding agreement plus who/where/when.

`pair_features(a, b)` returns a float vector whose entries are named by
`FEATURE_NAMES`. Everything here is cheap (no model calls): vectors, mentions and
events come prepared on the `Article`. Features in four groups:

Embedding agreement (the encoder's view; a held-out lesson is that many
alignment statistics do not generalise, so there are only two of them):
    cos_article   cosine of the pooled article vectors
    cos_title     cosine of the title vectors (article cosine when a title is missing)
    cos_lead      cosine of the mean of the first 3 sentence vectors
    align_chamfer symmetric mean over sentences of the best-match cosine
    align_cover   share of sentences (both sides) whose best match is >= 0.6

Who/where (language-independent proxies, always available):
    name_overlap  containment of capitalised non-initial tokens, transliterated with
                  anyascii and cut to a 5-character prefix (folds inflection and
                  scripts: "Путина" and "Putin" both become "putin"); in German,
                  which capitalises every noun, without its common nouns
                  (`is_capitalised_common_noun`)
    word_overlap  Jaccard of all content tokens (>= 4 chars, same folding; CJK as
                  character bigrams): strong within a language, names across
    num_overlap   Jaccard of numbers with >= 2 digits (any digit script, separators removed)
    lex_tfidf     cosine of the two articles' word vectors (tokens of >= 3 characters,
                  same folding; CJK as bigrams), each word weighted by (1 + log of its
                  count) times its rarity in its language (`newsloom.frequency`: wordfreq's
                  lists, so "said" weighs 2 and a name 7): within a language the
                  strongest lexical feature, across languages the shared rare names
Who/where (canonical entities from `newsloom.entities`, 0 when absent; news agencies,
`lexicon.NEWS_AGENCIES`, are left out of these and of the names: they credit the copy, and
unrelated wire stories share them):
    ent_jaccard   Jaccard of all linked entity ids
    per_overlap, org_overlap, loc_overlap   containment per type (LOC includes countries)
    has_entities  1 when both articles carry linked mentions
    country_overlap containment of countries named or implied: ``cc:XX`` ids, and the
                  country of every linked city/region/subdivision (``geo:``/``reg:``/``sub:`` ids via
                  `newsloom.entities.gazetteer`); two reports of one event often name
                  different towns of the same country
    surname_overlap containment of person surnames across scripts: last token of each
                  PER mention, transliterated (anyascii) and cut to 5 characters
                  When the two articles are written in different scripts (Latin,
                  Cyrillic, Arabic, CJK, Hangul), per_overlap and surname_overlap compare
                  `normalize.sound_key`s of the person ids and surnames instead: a name
                  transliterated twice rarely comes out spelt alike (Buhari / 布哈里
                  buhali, Durst / Дерст), and the coarse key would merge different people
                  within one script
    rare_num_overlap weighted Jaccard of numbers (>= 2 digits, years excluded), each
                  weighted by its digit count - 1: "4,500" or "340" are rare and
                  specific, "12" is common
When:
    year_match    1 same dominant year, 0 different, 0.5 unknown
    event_overlap Jaccard of resolved event days (`newsloom.dates`), 0 when absent
    event_gap     log1p(min |d1 - d2| in days over the resolved event dates of the two
                  articles), -1 when either has none
    pub_gap       log1p(days between publication dates), -1 when unknown
Headline (title + first `HEAD_SENTENCES` sentences: where a report states its event;
-1 when either side has nothing of the kind, so "both name a place, different
places" (0) is told apart from "one names none" (-1); unconstrained in the trees):
    head_names    containment of the headline's name tokens (as name_overlap)
    head_places   containment of headline places: linked LOC mentions of the first
                  sentences plus gazetteer places named in the title (in ru/uk also
                  cities named by an adjective: `Gazetteer.adjectival_city`)
    head_numbers  Jaccard of every number in the headline (single digits too: "4 wounded")
Shape:
    len_ratio     min/max of sentence counts
    log_min_len   log1p of the shorter clean text length in characters
    same_lang     1 when both languages are equal (or unknown)

Not a regressor input, but the same-story decision's (`SimilarityModel.same_story_from_overall`):
    title_contrast  two-sided contrast of the titles' specific tokens (numbers; words
                  that are part of the article's entity mentions or name a gazetteer
                  place, in Russian and Ukrainian also by an adjective ("Тверские");
                  the words of a short quoted name («Кофемания»); an outlet suffix
                  such as " - Daily Courier" dropped): min over
                  the two sides of the share of one title's specific tokens that the
                  other article does not contain (as a folded word or a linked entity
                  anywhere, as a number of two or more digits anywhere and as a single
                  digit in its headline, a day named with its month ("8 ноября") only
                  as the same day-month (`dates.day_month_mentions`, or a resolved
                  event date); across scripts a person also by the sound key
                  of `per_overlap`); 0 when one title is fully
                  covered, -1 when a title names nothing. "Weather in Brest on 17 May"
                  against "Weather in Gomel on 17 May" is 0.5: one template, each names a
                  place the other lacks, the mark of two events of one kind. SemEval's
                  Overall hardly depends on it (its raters call "191 new cases" and "34
                  new cases" in one country very similar), so the trees cannot learn it;
                  the samestory pools judge events and do.

Containment is |A ∩ B| / min(|A|, |B|) (0 when either is empty); it is robust to
one article being much longer than the other.

Per-article derived values (token sets, entity/country/surname sets, event days,
lead vector) are memoised in a bounded LRU keyed by the article id (a content
hash) plus the number of mentions and events, so the weaver's many `same_story`
calls per article do not rerun the regexes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from anyascii import anyascii

from newsloom.dates import day_month_mentions
from newsloom.entities.lexicon import NEWS_AGENCY_IDS, NEWS_AGENCY_WORDS
from newsloom.entities.normalize import arabic_word_key, latin_key, sound_key
from newsloom.model import Article

FEATURE_NAMES: tuple[str, ...] = (
    "cos_article", "cos_title", "cos_lead", "align_chamfer", "align_cover",
    "name_overlap", "word_overlap", "num_overlap",
    "ent_jaccard", "per_overlap", "org_overlap", "loc_overlap", "has_entities",
    "country_overlap", "surname_overlap", "rare_num_overlap",
    "year_match", "event_overlap", "event_gap", "pub_gap",
    "head_names", "head_places", "head_numbers",
    "len_ratio", "log_min_len", "same_lang", "lex_tfidf",
)

#: sign of the expected effect on the 1..4 score (-1: larger feature = more similar = lower score)
MONOTONE: dict[str, int] = {
    "cos_head_e5": -1,
    "cos_article": -1, "cos_title": -1, "cos_lead": -1, "align_chamfer": -1, "align_cover": -1,
    "name_overlap": -1, "word_overlap": -1, "num_overlap": -1,
    "ent_jaccard": -1, "per_overlap": -1, "org_overlap": -1, "loc_overlap": -1,
    "event_overlap": -1, "country_overlap": -1, "surname_overlap": -1, "rare_num_overlap": -1,
    "lex_tfidf": -1,
}

LEAD_SENTENCES = 3
HEAD_SENTENCES = 2
ALIGN_THRESHOLD = 0.6
NAME_PREFIX = 5

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
_ARABIC_LETTER_RE = re.compile(r"[\u0621-\u064a]")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_NUMBER_RE = re.compile(r"\d[\d.,\u00a0\u202f' ]*\d|\d")
_OTHER_DIGIT_RE = re.compile(r"(?![0-9])\d")
_YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")
_SENT_END = re.compile(r"[.!?。！？؟:\n\"«»“”]$")


@lru_cache(maxsize=1 << 16)
def _fold(token: str) -> str:
    # cached: a story's articles share most tokens, and anyascii per token was the cost.
    # An Arabic word first loses its clitics: اليمن and باليمن are one word
    if _ARABIC_LETTER_RE.match(token):
        token = arabic_word_key(token)
    return anyascii(token).lower()[:NAME_PREFIX]


#: German capitalises every noun, so there a capital does not mark a name: a capitalised
#: word at least this frequent in German (zipf; "Regierung" 5.2, "Flüchtlinge" 4.9) ...
COMMON_NOUN_ZIPF = 4.0
#: ... and rarer than this in English and French is a common noun ("Merkel" is 3.4 in
#: English, "Müller" 3.1, "Trump" 4.9; "Polizei" and "Bürgermeister" 1.0, not listed)
FOREIGN_NAME_ZIPF = 3.0
#: languages that capitalise their nouns (of the supported ones)
NOUN_CAPITALISING_LANGUAGES = frozenset({"de"})


@lru_cache(maxsize=1 << 16)
def is_capitalised_common_noun(token: str, lang: str | None) -> bool:
    """True when the capitalised `token` is a common noun of a language that capitalises
    nouns (German "Regierung", "Polizei", "Flüchtlinge"), not a name: frequent in the
    language (`COMMON_NOUN_ZIPF`), rare in English and French (names travel, nouns do not:
    "Merkel", "Schmidt", "Berlin" are names there too) and no gazetteer place ("Köln",
    "Deutschland"). Without it, `name_overlap` and `head_names` of two German articles
    count their shared nouns as shared names."""
    if lang not in NOUN_CAPITALISING_LANGUAGES:
        return False
    from newsloom.frequency import zipf

    if zipf(token, lang) < COMMON_NOUN_ZIPF:
        return False
    low = token.lower()
    if max(zipf(low, "en"), zipf(low, "fr")) >= FOREIGN_NAME_ZIPF:
        return False
    try:
        from newsloom.entities.gazetteer import gazetteer
    except ImportError:  # the entity stage is optional
        return True
    return gazetteer().lookup(token, lang) is None


@lru_cache(maxsize=4096)
def _token_sets(text: str, lang: str | None = None) -> tuple[frozenset, frozenset, frozenset, int | None]:
    """(names, words, numbers, dominant year) of one text in `lang`; cached because each
    article is compared with many others."""
    if _CJK_RE.search(text) is None:  # the common case: C-level scans, Python only per name
        words = {_fold(t) for t in _TOKEN_RE.findall(text) if len(t) >= 4 and not t.isdigit()}
        names = {_fold(m.group()) for m in _capitalised_token_re().finditer(text)
                 if _name_position(text, m.start()) and not is_capitalised_common_noun(m.group(), lang)
                 and m.group().lower() not in NEWS_AGENCY_WORDS}  # credits, not names
    else:
        names, words = _cjk_token_sets(text)
    numbers = {n for n in _all_numbers(text) if len(n) >= 2}
    years = Counter(_YEAR_RE.findall(_ascii_digits(text)))
    year = int(years.most_common(1)[0][0]) if years else None
    return frozenset(names), frozenset(words), frozenset(numbers), year


@lru_cache(maxsize=1)
def _digit_table() -> dict[int, str]:
    """str.translate table: every non-ASCII digit character to its ASCII digit."""
    # no code point from plane 2 up is a digit (checked with str.isdigit over all of them)
    return {cp: str(unicodedata.digit(chr(cp))) for cp in range(0x80, 0x20000) if chr(cp).isdigit()}


def _name_position(text: str, start: int) -> bool:
    """A capitalised token counts as a name unless it starts a sentence."""
    before = text[max(0, start - 2):start].strip()
    return bool(before) and not _SENT_END.search(before)


@lru_cache(maxsize=1)
def _capitalised_token_re() -> re.Pattern[str]:
    """Whole tokens (\\w+) of three or more characters whose first one is upper case."""
    # the class as code-point ranges: much faster to match than ~1,800 single characters
    points = [cp for cp in range(0x20000) if chr(cp).isupper() and _TOKEN_RE.match(chr(cp))]
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(rf"\b[{cls}]\w{{2,}}")


def warm_up_features() -> None:
    """Build the features' one-off tables now (the capitalised-token class scans every
    code point: ~0.3 s), so that a stream does not pay them on its first pair."""
    _capitalised_token_re()


def _cjk_token_sets(text: str) -> tuple[set[str], set[str]]:
    """(names, words) of a text with CJK characters: CJK runs give character bigrams."""
    names: set[str] = set()
    words: set[str] = set()
    for m in _TOKEN_RE.finditer(text):
        tok = m.group(0)
        if _CJK_RE.search(tok):
            chars = [c for c in tok if _CJK_RE.match(c)]
            for x, y in zip(chars, chars[1:]):
                words.add(_fold(x) + _fold(y))
            continue
        if len(tok) < 3 or tok.isdigit():
            continue
        if len(tok) >= 4:
            words.add(_fold(tok))
        if tok[0].isupper() and _name_position(text, m.start()):
            names.add(_fold(tok))
    return names, words


@lru_cache(maxsize=4096)
def _term_vector(text: str, lang: str | None) -> tuple[dict[str, float], float]:
    """(folded word -> (1 + ln count) * rarity, Euclidean norm) of `text`, for `lex_tfidf`."""
    from newsloom.frequency import rarity

    counts: Counter = Counter()
    weights: dict[str, float] = {}
    # each distinct token once: a news text repeats most of its words
    for tok, n in Counter(_TOKEN_RE.findall(text)).items():
        if _CJK_RE.search(tok):
            chars = [c for c in tok if _CJK_RE.match(c)]
            grams = [(_fold(x) + _fold(y), x + y) for x, y in pairwise(chars)]
        elif len(tok) >= 3 and not tok.isdigit():
            grams = [(_fold(tok), tok)]
        else:
            continue
        for key, word in grams:
            counts[key] += n
            # words sharing a folded prefix ("negotiations", "negotiators"): the rarer one's weight
            weights[key] = max(weights.get(key, 0.0), rarity(word, lang))
    vector = {k: (1.0 + math.log(n)) * weights[k] for k, n in counts.items() if weights[k] > 0}
    return vector, math.sqrt(sum(v * v for v in vector.values()))


def weighted_cosine(x: tuple[dict[str, float], float], y: tuple[dict[str, float], float]) -> float:
    """Cosine of two `_term_vector` results (0 when either is empty)."""
    (vx, nx), (vy, ny) = x, y
    if not nx or not ny:
        return 0.0
    if len(vx) > len(vy):
        vx, vy = vy, vx
    return sum(v * vy[k] for k, v in vx.items() if k in vy) / (nx * ny)


def _ascii_digits(text: str) -> str:
    # most non-ASCII texts (accents) have ASCII digits only, and a translate with the
    # table costs ~0.5 ms an article: look for another digit script first
    if text.isascii() or _OTHER_DIGIT_RE.search(text) is None:
        return text
    return text.translate(_digit_table())


def article_text(a: Article) -> str:
    return f"{a.title or ''}\n{a.clean_text or a.text or ''}"


def jaccard(x: set, y: set) -> float:
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def containment(x: set, y: set) -> float:
    if not x or not y:
        return 0.0
    return len(x & y) / min(len(x), len(y))


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def _cos(x: np.ndarray | None, y: np.ndarray | None) -> float | None:
    if x is None or y is None:
        return None
    nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
    if nx == 0 or ny == 0:
        return None
    return float(np.dot(x, y) / (nx * ny))


def sentence_similarity(a: Article, b: Article) -> np.ndarray:
    """(na, nb) cosine matrix of the embedded sentences (rows are L2-normalised)."""
    sa, sb = a.sentence_vectors, b.sentence_vectors
    if sa is None or sb is None or len(sa) == 0 or len(sb) == 0:
        return np.zeros((0, 0), np.float32)
    return np.asarray(sa, np.float32) @ np.asarray(sb, np.float32).T


def _lead(a: Article) -> np.ndarray | None:
    if a.sentence_vectors is None or len(a.sentence_vectors) == 0:
        return a.title_vector
    return _unit(np.asarray(a.sentence_vectors[:LEAD_SENTENCES]).mean(axis=0))


def _ids(a: Article, types: tuple[str, ...]) -> set[str]:
    return {m.entity_id for m in a.mentions if m.entity_id and m.type in types}


def _event_days(a: Article) -> set:
    return {e.date for e in a.events if getattr(e, "granularity", "day") == "day"}


def _country_of(entity_id: str) -> str | None:
    """ISO country of a place id: ``cc:XX`` directly, cities, regions and subdivisions via
    the gazetteer."""
    if entity_id.startswith("cc:"):
        return entity_id[3:].upper() or None
    if entity_id.startswith(("geo:", "reg:", "sub:")):
        return _gazetteer_country(entity_id)
    return None


@lru_cache(maxsize=65_536)
def _gazetteer_country(entity_id: str) -> str | None:
    try:
        from newsloom.entities.gazetteer import gazetteer
    except ImportError:  # the entity stage is optional
        return None
    entry = gazetteer().by_id(entity_id)
    return entry.country if entry is not None else None


#: the script each supported language is written in (others: Latin)
_LANGUAGE_SCRIPTS = {"ru": "cyrillic", "uk": "cyrillic", "ar": "arabic", "zh": "cjk", "ja": "cjk", "ko": "hangul"}


def _script(lang: str | None) -> str:
    return _LANGUAGE_SCRIPTS.get(lang or "", "latin")


def _person_sound(entity_id: str) -> str:
    """The sound key of a person id's surname key ("per:buhar-m" -> "bhr")."""
    return sound_key(entity_id.removeprefix("per:").split("-")[0])


def _surname(mention_text: str) -> str | None:
    tokens = [t for t in _TOKEN_RE.findall(mention_text) if not t.isdigit()]
    if not tokens or len(tokens[-1]) < 3:
        return None
    return _fold(tokens[-1])


def _head_text(a: Article) -> str:
    lead = " ".join(s.text for s in a.sentences[:HEAD_SENTENCES])
    return f"{a.title or ''}\n{lead}"


def _head_places(a: Article) -> frozenset:
    places = {m.entity_id for m in a.mentions
              if m.type == "LOC" and m.entity_id and m.sentence < HEAD_SENTENCES}
    if a.title and a.lang:
        places |= _title_places(a.title, a.lang)
    return frozenset(places)


@lru_cache(maxsize=16_384)
def _title_places(title: str, lang: str) -> frozenset:
    """Gazetteer places named by one or two adjacent capitalised title words (titles
    carry no mentions: the entity stage runs on the body), and in Russian and Ukrainian
    the cities named by an adjective ("Тверские почтальоны", "в тульском музее":
    `Gazetteer.adjectival_city`) or by their people ("Туляки", "москвичам":
    `Gazetteer.inhabitant_city`)."""
    try:
        from newsloom.entities.gazetteer import gazetteer
    except ImportError:  # the entity stage is optional
        return frozenset()
    words = _TOKEN_RE.findall(title)
    found = set()
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        derived = (gazetteer().adjectival_city(word, lang) or gazetteer().inhabitant_city(word, lang)
                   if lang in _ADJECTIVAL_PLACE_LANGUAGES else None)
        if derived is not None:
            found.add(derived.id)
            continue
        if not word[:1].isupper() or len(word) < 3:
            continue
        if i < len(words) and words[i][:1].isupper():
            entry = gazetteer().lookup(f"{word} {words[i]}", lang)
            if entry is not None and entry.type == "LOC":
                found.add(entry.id)  # "New York": neither "New" nor "York" on its own
                i += 1
                continue
        entry = gazetteer().lookup(word, lang)
        if entry is not None and entry.type == "LOC":
            found.add(entry.id)
    return frozenset(found)


def _all_numbers(text: str) -> frozenset:
    """Every number of `text` as ASCII digits (any digit script; separators and leading
    zeros removed)."""
    out = set()
    for m in _NUMBER_RE.finditer(text):
        digits = "".join(str(unicodedata.digit(c)) for c in m.group(0) if c.isdigit()).lstrip("0")
        if digits:
            out.add(digits)
    return frozenset(out)


@lru_cache(maxsize=4096)
def _folded_tokens(text: str) -> frozenset:
    """Every non-numeric token of `text`, folded."""
    return frozenset(_fold(t) for t in _TOKEN_RE.findall(text) if not t.isdigit())


def _mention_tokens(a: Article) -> frozenset:
    """Folded tokens of the article's PER/ORG/LOC mentions."""
    return frozenset(_fold(t) for m in a.mentions if m.type in ("PER", "ORG", "LOC")
                     for t in _TOKEN_RE.findall(m.text) if len(t) >= 3)


def _mention_ids_by_token(a: Article) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in a.mentions:
        if m.entity_id:
            for tok in _TOKEN_RE.findall(m.text):
                out.setdefault(_fold(tok), set()).add(m.entity_id)
    return out


#: a short span in quotation marks of any language («…», “…”, „…“, "…", ‹…›, 「…」): in a
#: title, a name (a club, party, contest, film, operation) far more often than speech
_QUOTED_RE = re.compile(r'[«“„"‹「『]([^«»“”„"‹›「」『』\n]{2,60})[»”“"›」』]')
#: a quoted span of more words than this is a quotation, not a name
QUOTED_NAME_WORDS = 4
#: languages whose adjectives of place name a city in a title (`Gazetteer.adjectival_city`)
_ADJECTIVAL_PLACE_LANGUAGES = frozenset({"ru", "uk"})
#: " - Site name", " | Paper", " — blog": a short last segment after one of these is
#: the outlet, not the event
_TITLE_SUFFIX_RE = re.compile(r"\s+[-|–—]\s+(?P<tail>[^-|–—]+)$")
_SOURCE_SUFFIX_WORDS = 4


def strip_source_suffix(title: str) -> str:
    """`title` without a trailing outlet name ("Floods close the A4 - Daily Courier")."""
    m = _TITLE_SUFFIX_RE.search(title)
    if m and len(m.group("tail").split()) <= _SOURCE_SUFFIX_WORDS and len(title[:m.start()].split()) >= 3:
        return title[:m.start()]
    return title


def quoted_names(title: str) -> list[str]:
    """The quoted names of a title: spans in quotation marks of at most `QUOTED_NAME_WORDS`
    words that start with a capital ("Голосуйте за фото в конкурсе «На спорте»" -> ["На
    спорте"]); a longer or lowercase span is a quotation ("“fake news”")."""
    out = []
    for m in _QUOTED_RE.finditer(title):
        span = m.group(1).strip()
        if span[:1].isupper() and len(span.split()) <= QUOTED_NAME_WORDS:
            out.append(span)
    return out


def _number_key(digits: str) -> str:
    # significant digits only: "2.3bn" and "2.300 millones" (2300 once separators are gone)
    # are one amount; 8 and 18, 11 and 12 stay apart
    return "#" + (digits.rstrip("0") or "0")


@dataclass(frozen=True)
class TitleToken:
    """A title token that names something, with the keys it may be found under elsewhere."""

    text: str
    keys: frozenset
    sounds: frozenset = frozenset()  # sound keys of the people it names, matched across scripts


def _title_specific_tokens(a: Article) -> tuple[TitleToken, ...]:
    """The title's tokens that name something, each with the keys it may be found under
    in another article: its folded form, the ids of the entities it is part of, the
    gazetteer place it names; a number as ``#`` + its significant digits.

    A title word names something when it is part of one of the article's own entity
    mentions (the entity stage runs on the body; a title's names recur there) or names a
    gazetteer place, or is a word of a quoted name (`quoted_names`: «Кофемания», "Слуга
    народа"; the quotation marks say it is a name though the entity stage has no type
    for it). Capitalisation alone is not enough: English capitalises weekdays and
    months, German every noun, and neither is an event detail. A trailing outlet name is
    dropped."""
    title = strip_source_suffix(a.title or "")
    if not title.strip():
        return ()
    ids = _mention_ids_by_token(a)
    mentioned = _mention_tokens(a)
    # a day named with its month is a date, matched only by the same day-month in the other
    # article ("for 8 November" is not covered by a body's "+8 degrees" or "16 November" by
    # "16 people"); other numbers by their significant digits
    dates = day_month_mentions(title, a.lang)
    undated = title
    for d in dates:
        undated = undated[:d.start] + " " * (d.end - d.start) + undated[d.end:]
    out = [TitleToken(str(d.day), frozenset({d.key})) for d in dates]
    out += [TitleToken(n, frozenset({_number_key(n)})) for n in sorted(_all_numbers(undated))]
    quoted = {_fold(t) for name in quoted_names(title) for t in _TOKEN_RE.findall(name)
              if len(t) >= 3 and not t.isdigit() and not _CJK_RE.search(t)}
    for m in _TOKEN_RE.finditer(title):
        tok = m.group(0)
        key = _fold(tok)
        if key in quoted:
            out.append(TitleToken(tok, frozenset({key} | ids.get(key, set()))))
            continue
        # a caseless script (Arabic) is judged by the mentions alone; CJK titles have no
        # word boundaries to match on
        if tok.isdigit() or len(tok) < 3 or _CJK_RE.search(tok):
            continue
        if tok[:1].islower() and not (a.lang in _ADJECTIVAL_PLACE_LANGUAGES and _title_places(tok, a.lang)):
            continue  # a lowercase word names nothing, but a Russian adjective may name a city
        linked = set(ids.get(key, ()))
        if a.lang:
            linked |= _title_places(tok, a.lang)
        if linked or key in mentioned:
            sounds = frozenset(_person_sound(i) for i in linked if i.startswith("per:"))
            out.append(TitleToken(tok, frozenset({key} | linked), sounds))
    return tuple(out)


def _article_keys(a: Article, numbers: frozenset, head_numbers: frozenset, days: frozenset) -> frozenset:
    """Everything a title token of another article may be found under in `a` (`numbers`:
    its numbers of two or more digits, `head_numbers`: every number of its headline,
    `days`: its `named_days`)."""
    keys = set(_folded_tokens(article_text(a)))
    keys |= {m.entity_id for m in a.mentions if m.entity_id}
    # a single digit only from the headline: a body mentions many incidental small numbers
    # ("+8 degrees" must not match the "8" of "forecast for 8 November"); a longer number
    # is specific wherever it stands (the rarity argument of rare_num_overlap)
    keys |= {_number_key(n) for n in numbers | head_numbers}
    keys |= {f"dm:{month}-{day}" for month, day in days}
    if a.title and a.lang:
        keys |= _title_places(a.title, a.lang)
    return frozenset(keys)


def named_days(a: Article) -> frozenset[tuple[int, int]]:
    """(month, day) of every calendar day `a` names: its day-month dates with or without a
    year ("19 January", "le 19 janvier 2022") and its resolved day-level events ("on
    Wednesday" once a publication date places it). Years are left out so that an undated
    article's "19 January" meets a dated one's."""
    days = {(d.month, d.day) for d in day_month_mentions(article_text(a), a.lang)}
    days |= {(e.date.month, e.date.day) for e in a.events if e.date is not None}
    return frozenset(days)


def _unmatched(tokens: tuple[TitleToken, ...], keys: frozenset, sounds: frozenset) -> list[str]:
    return [t.text for t in tokens if not (t.keys & keys or t.sounds & sounds)]


def _title_misses(a: Article, b: Article) -> tuple[list[str], list[str]]:
    """(tokens of a's title that b lacks, tokens of b's title that a lacks). Across scripts
    a person also matches by sound (Durst / Дерст), as in `per_overlap`."""
    sa, sb = article_signals(a), article_signals(b)
    across_scripts = _script(a.lang) != _script(b.lang)
    sounds_a, sounds_b = (sa.per_sounds, sb.per_sounds) if across_scripts else (frozenset(), frozenset())
    return _unmatched(sa.title_tokens, sb.all_keys, sounds_b), _unmatched(sb.title_tokens, sa.all_keys, sounds_a)


def title_contrast(a: Article, b: Article) -> float:
    """Two-sided contrast of the titles' specific tokens, 0..1 (see ``title_contrast`` in
    the module docstring); -1 when either title names nothing."""
    sa, sb = article_signals(a), article_signals(b)
    if not sa.title_tokens or not sb.title_tokens:
        return -1.0
    missing_a, missing_b = _title_misses(a, b)
    return min(len(missing_a) / len(sa.title_tokens), len(missing_b) / len(sb.title_tokens))


def contrasting_title_tokens(a: Article, b: Article) -> tuple[list[str], list[str]]:
    """(tokens of a's title that b lacks, tokens of b's title that a lacks)."""
    return _title_misses(a, b)


def _unless_missing(measure, x: frozenset, y: frozenset) -> float:
    return -1.0 if not x or not y else measure(x, y)


def _number_weights(numbers: frozenset) -> dict[str, float]:
    # rarity proxy: a number with more digits is less likely to match by chance; years
    # are left to the year features
    return {n: float(len(n) - 1) for n in numbers if not _YEAR_RE.fullmatch(n)}


def weighted_jaccard(x: dict[str, float], y: dict[str, float]) -> float:
    if not x or not y:
        return 0.0
    keys = x.keys() | y.keys()
    inter = sum(min(x.get(k, 0.0), y.get(k, 0.0)) for k in keys)
    union = sum(max(x.get(k, 0.0), y.get(k, 0.0)) for k in keys)
    return inter / union if union else 0.0


@dataclass(frozen=True)
class ArticleSignals:
    """Per-article values the pair features are computed from (memoised by article id)."""

    names: frozenset
    words: frozenset
    numbers: frozenset
    year: int | None
    number_weights: dict
    entities: frozenset
    per: frozenset
    org: frozenset
    loc: frozenset
    countries: frozenset
    surnames: frozenset
    per_sounds: frozenset  # sound keys of the person ids, compared for pairs across scripts
    surname_sounds: frozenset  # and of the surnames
    event_days: frozenset
    event_ordinals: np.ndarray
    lead: np.ndarray | None
    head_names: frozenset = frozenset()
    head_places: frozenset = frozenset()
    head_numbers: frozenset = frozenset()
    title_tokens: tuple = ()
    all_keys: frozenset = frozenset()
    terms: tuple = ({}, 0.0)
    calendar_days: frozenset = frozenset()  # `named_days`, for the Time explanation


SIGNAL_CACHE_SIZE = 4096
_SIGNALS: "OrderedDict[tuple, ArticleSignals]" = OrderedDict()


def _compute_signals(a: Article) -> ArticleSignals:
    names, words, numbers, year = _token_sets(article_text(a), a.lang)
    # a news agency is the article's credit, not its story: unrelated wire copy shares it
    linked = [m for m in a.mentions if m.entity_id and m.entity_id not in NEWS_AGENCY_IDS]
    countries = {c for m in linked if m.type == "LOC" for c in [_country_of(m.entity_id)] if c}
    surnames = {s for m in a.mentions if m.type == "PER" for s in [_surname(m.text)] if s}
    days = frozenset(e.date for e in a.events if e.date is not None)
    head_numbers = _all_numbers(_head_text(a))
    calendar_days = named_days(a)
    return ArticleSignals(
        names=names, words=words, numbers=numbers, year=year, number_weights=_number_weights(numbers),
        entities=frozenset(m.entity_id for m in linked if m.type in ("PER", "ORG", "LOC")),
        per=frozenset(m.entity_id for m in linked if m.type == "PER"),
        org=frozenset(m.entity_id for m in linked if m.type == "ORG"),
        loc=frozenset(m.entity_id for m in linked if m.type == "LOC"),
        countries=frozenset(countries), surnames=frozenset(surnames),
        per_sounds=frozenset(_person_sound(m.entity_id) for m in linked if m.type == "PER"),
        surname_sounds=frozenset(sound_key(latin_key(s)) for s in surnames),
        event_days=frozenset(_event_days(a)),
        event_ordinals=np.array(sorted(d.toordinal() for d in days), dtype=np.int64),
        lead=_lead(a),
        head_names=_token_sets(_head_text(a), a.lang)[0],
        head_places=_head_places(a),
        head_numbers=head_numbers,
        title_tokens=_title_specific_tokens(a),
        all_keys=_article_keys(a, numbers, head_numbers, calendar_days),
        terms=_term_vector(article_text(a), a.lang),
        calendar_days=calendar_days,
    )


def article_signals(a: Article) -> ArticleSignals:
    """`ArticleSignals` of `a`, from a bounded LRU keyed by (id, #mentions, #events, #sentences)
    so an article enriched after a first call is recomputed."""
    key = (a.id, len(a.mentions), len(a.events), len(a.sentences), a.sentence_vectors is not None)
    hit = _SIGNALS.get(key)
    if hit is not None:
        _SIGNALS.move_to_end(key)
        return hit
    sig = _compute_signals(a)
    _SIGNALS[key] = sig
    if len(_SIGNALS) > SIGNAL_CACHE_SIZE:
        _SIGNALS.popitem(last=False)
    return sig


def min_event_gap_days(x: np.ndarray, y: np.ndarray) -> float | None:
    """Smallest |d1 - d2| in days between two sorted arrays of date ordinals."""
    if len(x) == 0 or len(y) == 0:
        return None
    pos = np.clip(np.searchsorted(y, x), 1, len(y)) - 1
    near = np.minimum(np.abs(x - y[pos]), np.abs(x - y[np.minimum(pos + 1, len(y) - 1)]))
    return float(near.min())


def pair_features(a: Article, b: Article, sims: np.ndarray | None = None) -> np.ndarray:
    """The feature vector of one pair, ordered as `FEATURE_NAMES` (symmetric in a, b)."""
    f: dict[str, float] = {}
    sa, sb = article_signals(a), article_signals(b)
    cos_article = _cos(a.vector, b.vector) or 0.0
    f["cos_article"] = cos_article
    cos_title = _cos(a.title_vector, b.title_vector)
    f["cos_title"] = cos_article if cos_title is None else cos_title
    cos_lead = _cos(sa.lead, sb.lead)
    f["cos_lead"] = cos_article if cos_lead is None else cos_lead
    sims = sentence_similarity(a, b) if sims is None else sims
    if sims.size:
        best_a, best_b = sims.max(axis=1), sims.max(axis=0)
        f["align_chamfer"] = 0.5 * (float(best_a.mean()) + float(best_b.mean()))
        f["align_cover"] = float(((best_a >= ALIGN_THRESHOLD).sum() + (best_b >= ALIGN_THRESHOLD).sum())
                                 / (len(best_a) + len(best_b)))
    else:
        f["align_chamfer"] = cos_article
        f["align_cover"] = 0.0
    f["name_overlap"] = containment(sa.names, sb.names)
    f["word_overlap"] = jaccard(sa.words, sb.words)
    f["num_overlap"] = jaccard(sa.numbers, sb.numbers)
    f["ent_jaccard"] = jaccard(sa.entities, sb.entities)
    across_scripts = _script(a.lang) != _script(b.lang)
    f["per_overlap"] = containment(sa.per_sounds, sb.per_sounds) if across_scripts else containment(sa.per, sb.per)
    f["org_overlap"] = containment(sa.org, sb.org)
    f["loc_overlap"] = containment(sa.loc, sb.loc)
    f["has_entities"] = 1.0 if sa.entities and sb.entities else 0.0
    f["country_overlap"] = containment(sa.countries, sb.countries)
    f["surname_overlap"] = (containment(sa.surname_sounds, sb.surname_sounds) if across_scripts
                            else containment(sa.surnames, sb.surnames))
    f["rare_num_overlap"] = weighted_jaccard(sa.number_weights, sb.number_weights)
    f["year_match"] = 0.5 if sa.year is None or sb.year is None else float(sa.year == sb.year)
    f["event_overlap"] = jaccard(sa.event_days, sb.event_days)
    egap = min_event_gap_days(sa.event_ordinals, sb.event_ordinals)
    f["event_gap"] = -1.0 if egap is None else math.log1p(egap)
    gap = date_gap_days(a, b)
    f["pub_gap"] = -1.0 if gap is None else math.log1p(gap)
    f["head_names"] = _unless_missing(containment, sa.head_names, sb.head_names)
    f["head_places"] = _unless_missing(containment, sa.head_places, sb.head_places)
    f["head_numbers"] = _unless_missing(jaccard, sa.head_numbers, sb.head_numbers)
    la, lb = len(a.sentences), len(b.sentences)
    f["len_ratio"] = min(la, lb) / max(la, lb) if max(la, lb) else 0.0
    f["log_min_len"] = math.log1p(min(len(a.clean_text or ""), len(b.clean_text or "")))
    f["same_lang"] = 1.0 if (not a.lang or not b.lang or a.lang == b.lang) else 0.0
    f["lex_tfidf"] = weighted_cosine(sa.terms, sb.terms)
    return np.array([f[n] for n in FEATURE_NAMES], dtype=np.float64)


#: the head encoder's cosine (embed/head.py), the one feature of the head trees beyond
#: `FEATURE_NAMES`; -1 when either article has no head vector. Since sim-2026.12-15 the
#: cosine after language centring (`embed.head.LanguageCentres`, the model's centres).
HEAD_FEATURE = "cos_head_e5"
HEAD_FEATURE_NAMES: tuple[str, ...] = (*FEATURE_NAMES, HEAD_FEATURE)


def head_cosine(a: Article, b: Article, centres=None) -> float:
    """Cosine of the two head vectors (each minus its language's centre when `centres`,
    a `LanguageCentres`, is given), -1 when either vector is missing."""
    if a.head_vector is None or b.head_vector is None:
        return -1.0
    if centres is not None:
        return centres.cosine(a.head_vector, a.lang, b.head_vector, b.lang)
    return float(_cos(a.head_vector, b.head_vector) or 0.0)


def pair_features_with_head(a: Article, b: Article, sims: np.ndarray | None = None, centres=None) -> np.ndarray:
    """`pair_features` plus `head_cosine` (with `centres`), ordered as `HEAD_FEATURE_NAMES`."""
    return np.append(pair_features(a, b, sims), head_cosine(a, b, centres))


def date_gap_days(a: Article, b: Article) -> float | None:
    """Days between the publication dates when both are known."""
    if a.published is None or b.published is None:
        return None
    return abs((a.published - b.published).total_seconds()) / 86400.0


def shared_proxy_names(a: Article, b: Article) -> set[str]:
    """Folded name tokens both articles contain (for explanations when no entities are linked)."""
    return set(article_signals(a).names & article_signals(b).names)


def dominant_years(a: Article, b: Article) -> tuple[int | None, int | None]:
    return article_signals(a).year, article_signals(b).year


def shared_numbers(a: Article, b: Article) -> set[str]:
    return set(article_signals(a).numbers & article_signals(b).numbers)
