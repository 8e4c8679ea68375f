"""Cross-lingual linking of mentions onto canonical entities.

Places and lexicon organisations resolve through the gazetteer (countries by CLDR
names in every language -> ``cc:XX``; cities -> ``geo:<geonameid>``, most populous
first). People resolve by surname: the surname (last word, case ending stripped in
ru/uk/pl) is transliterated and normalised (`normalize.surname_key`), then matched
with rapidfuzz against surnames already known -- in this article first, then the
lexicon's canonical names (a fixed list, so an id never depends on which articles
a process saw before, serial and parallel ingest agree, and the lookup cost stays
bounded on an endless stream). Only surnames are
compared, never first names alone, so *Vladimir Putin* and *Vladimir Zelensky* stay
apart. A bare surname ("Blinken") joins an earlier full name ("Antony Blinken").

Ids are ``per:<surname key>``; when two people of one article share a surname key
but not a first-name initial, both get ``per:<key>-<initial>``. Unknown places and
organisations get ``loc:<key>`` / ``org:<key>`` from their transliterated words,
after one more gazetteer lookup without the words that say what kind of place it is
("Córdoba province", "provincia de Córdoba", "state of Illinois", "Landkreis Gifhorn"
-> Córdoba, Illinois, Gifhorn), so that two languages that put the designator in
different places, or one that leaves it out, still name one entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz

from newsloom.entities import lexicon
from newsloom.entities.gazetteer import gazetteer
from newsloom.entities.normalize import fold, latin_key, surname_key
from newsloom.entities.rules import person_form_index
from newsloom.model import Entity, Mention

#: rapidfuzz ratio (0..100) above which two surname keys are one surname
SURNAME_MATCH_RATIO = 85.0
_NAME_SPLIT = re.compile(r"[\s·・]+")
#: words (folded) that say what kind of place a name is, in the supported languages
PLACE_DESIGNATORS = frozenset("""
    province provincia provinz prowincja provincie провинция провінція il ili
    region regione regiao regio regija bolge область oblast obwod области області
    department departement departamento dipartimento departman
    state estado etat stato staat bundesland land eyalet штат
    county condado comte contea kreis landkreis bezirk powiat wojewodztwo voivodeship
    district distrito distretto ilce район rayon okrug округ
    municipality municipio comune commune gemeinde gmina prefecture prefectura canton kanton
    """.split())
#: designators only before a name: after one, "City" names a football club (Leicester City)
LEADING_PLACE_DESIGNATORS = PLACE_DESIGNATORS | frozenset("city ciudad ville citta stadt miasto sehir город місто".split())
#: words between a designator and the name ("provincia *de* Córdoba", "state *of* Illinois")
_DESIGNATOR_LINKS = frozenset("of the de del la el di du des d von der do da".split())


@dataclass
class PersonName:
    surname: str  # key
    initial: str | None
    display: str
    canonical: str | None = None  # lexicon English name


def parse_person(text: str, lang: str) -> PersonName:
    return PersonName(*_parse_person(text, lang))  # a fresh PersonName: it is a mutable dataclass


@lru_cache(maxsize=65_536)  # a pure function of two strings; the same names recur in every article
def _parse_person(text: str, lang: str) -> tuple[str, str | None, str, str | None]:
    """(surname key, initial, display, canonical) of `parse_person`."""
    canonical = person_form_index().get(fold(text))
    if canonical is None:
        canonical = person_form_index().get(fold(_NAME_SPLIT.split(text.strip())[-1]))
    if canonical is None and lang in ("ru", "uk", "pl", "tr", "de"):
        # an inflected full name: try the uninflected last word against the lexicon
        words = _NAME_SPLIT.split(text.strip())
        from newsloom.entities.normalize import lemma_candidates

        for cand in lemma_candidates(words[-1], lang):
            canonical = person_form_index().get(fold(cand))
            if canonical:
                break
    if canonical is not None:
        words = canonical.split()
        initial = latin_key(words[0])[:1] if len(_NAME_SPLIT.split(text.strip())) > 1 else None
        return surname_key(words[-1], "en"), initial, canonical, canonical
    words = [w for w in _NAME_SPLIT.split(text.strip()) if w]
    surname = words[-1] if words else text
    # Turkish suffixes follow an apostrophe (Erdoğan'ın); English possessives too (Nadal's)
    surname = re.split(r"['’]", surname)[0] if lang == "tr" else re.sub(r"['’]s?$", "", surname) or surname
    initial = latin_key(words[0])[:1] if len(words) > 1 else None
    return surname_key(surname, lang), initial or None, text, None


class _LexiconSurnames:
    """The lexicon's surname keys: a spelling close to one of them takes its key.

    Read-only on purpose: an earlier version also learned every new surname, which
    made ids depend on ingest order and grew without bound."""

    def __init__(self) -> None:
        self._keys: tuple[str, ...] = tuple(dict.fromkeys(
            surname_key(name.split()[-1], "en") for name in lexicon.PERSON_FORMS))
        self._known = frozenset(self._keys)

    def canonical(self, key: str) -> str:
        if key in self._known:
            return key
        return _canonical_surname(key, self._keys)


@lru_cache(maxsize=100_000)
def _canonical_surname(key: str, keys: tuple[str, ...]) -> str:
    return _best_match(key, list(keys)) or key


def _best_match(key: str, keys: list[str]) -> str | None:
    if not key:
        return None  # a name whose surname key is empty (punctuation only, say) matches nothing
    best, best_score = None, 0.0
    for other in keys:
        if abs(len(other) - len(key)) > 2 or not other or other[0] != key[0] and len(key) < 6:
            continue
        score = fuzz.ratio(key, other)
        if score > best_score:
            best, best_score = other, score
    return best if best_score >= SURNAME_MATCH_RATIO else None


_lexicon_surnames = _LexiconSurnames()


@lru_cache(maxsize=65_536)  # as _parse_person
def _slug(text: str) -> str:
    return "-".join(k for k in (latin_key(w) for w in _NAME_SPLIT.split(anyascii(text))) if k) or "x"


def strip_place_designators(text: str) -> str | None:
    """The name in `text` without leading or trailing place designators (and the
    linking words after or before them), or None when there is none to strip or nothing
    would be left: "Córdoba province" -> "Córdoba", "provincia de Córdoba" -> "Córdoba",
    "State of Illinois" -> "Illinois"."""
    words = text.split()
    start, end = 0, len(words)
    while start < end and fold(words[start]) in LEADING_PLACE_DESIGNATORS:
        start += 1
        while start < end and fold(words[start]) in _DESIGNATOR_LINKS:
            start += 1
    while end > start and fold(words[end - 1]) in PLACE_DESIGNATORS:
        end -= 1
        while end > start and fold(words[end - 1]) in _DESIGNATOR_LINKS:
            end -= 1
    if (start, end) == (0, len(words)) or start >= end:
        return None
    return " ".join(words[start:end])


def _retype_people(mentions: list[Mention], lang: str) -> None:
    """A place/organisation the gazetteer does not know, written like a person named
    elsewhere in the article ("Antony Blinken" typed GPE once), is that person."""
    gaz = gazetteer()
    person_texts = {fold(m.text) for m in mentions if m.type == "PER"}
    surnames = {t.split()[-1] for t in person_texts if t}
    for m in mentions:
        if m.type != "PER" and gaz.lookup(m.text, lang) is None:
            folded = fold(m.text)
            if folded in person_texts or (" " not in folded and folded in surnames):
                m.type = "PER"


@dataclass
class CrossLingualLinker:
    """`EntityLinker` over the gazetteer and surname keys (see module docstring)."""

    entities: dict[str, Entity] = field(default_factory=dict)

    def link(self, mentions: list[Mention], lang: str) -> dict[str, Entity]:
        gaz = gazetteer()
        _retype_people(mentions, lang)
        people: list[tuple[Mention, PersonName]] = []
        found: dict[str, Entity] = {}
        for m in mentions:
            if m.type == "PER":
                people.append((m, parse_person(m.text, lang)))
                continue
            entry = gaz.lookup(m.text, lang)
            if entry is None and m.type == "ORG" and (slug := lexicon.organisation_forms().get(m.text)):
                entry = gaz.by_id(f"org:{slug}")  # "WHO", which folds to the stop word "who"
            known = entry is not None and (entry.type == m.type or m.type == "LOC" or entry.kind == "org")
            if entry is None and m.type == "LOC" and (core := strip_place_designators(m.text)):
                # only places: "Regione Lombardia" typed ORG is the region's government
                place = gaz.lookup(core, lang)
                if place is not None and place.type == "LOC":
                    entry, known = place, True
            if known:
                entity = found.get(entry.id) or entry.to_entity()
                m.type = entry.type
            else:
                prefix = "loc" if m.type == "LOC" else "org"
                eid = f"{prefix}:{_slug(m.text)}"
                entity = found.get(eid) or Entity(id=eid, type=m.type, name=m.text)
            entity.names.setdefault(lang, m.text)
            found[entity.id] = entity
            m.entity_id = entity.id
        self._link_people(people, lang, found)
        return found

    def _link_people(self, people: list[tuple[Mention, PersonName]], lang: str, found: dict[str, Entity]) -> None:
        # cluster by surname within the article: fuller names first so bare surnames join them
        clusters: dict[str, set[str]] = {}
        order = sorted(people, key=lambda p: -len(p[0].text))
        resolved: list[tuple[Mention, PersonName, str]] = []
        for m, name in order:
            key = name.surname
            local = _best_match(key, list(clusters)) if key not in clusters else key
            key = local or _lexicon_surnames.canonical(key)
            clusters.setdefault(key, set())
            if name.initial:
                clusters[key].add(name.initial)
            resolved.append((m, name, key))
        for m, name, key in resolved:
            eid = f"per:{key}"
            if len(clusters[key]) > 1 and name.initial:
                eid = f"per:{key}-{name.initial}"
            entity = found.get(eid) or Entity(id=eid, type="PER", name=name.display)
            if name.canonical:
                entity.name = name.canonical
            elif len(name.display) > len(entity.name) and name.display.isascii() == entity.name.isascii():
                entity.name = name.display
            current = entity.names.get(lang)
            if current is None or len(m.text) > len(current):
                entity.names[lang] = m.text
            found[eid] = entity
            m.entity_id = eid
