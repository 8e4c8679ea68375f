"""Enrichment stage, part one: who and where.

`EntityExtractor` finds mentions of people (PER), organisations (ORG) and places
(LOC) in one language; `EntityLinker` maps mentions in any language and script
onto canonical `Entity` ids (Poutine = Putin = Путин; Kiev = Kyiv = Kijów).
One extractor per language or model family sits behind the interface, so a
better model replaces a rule set without touching the pipeline.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from newsloom.model import Entity, Mention, Sentence


@runtime_checkable
class EntityExtractor(Protocol):
    #: languages this extractor handles
    languages: frozenset[str]

    def extract(self, text: str, sentences: list[Sentence], lang: str) -> list[Mention]:
        """Mentions with offsets into `text` (the article's clean text), unlinked."""
        ...


@runtime_checkable
class EntityLinker(Protocol):
    def link(self, mentions: list[Mention], lang: str) -> dict[str, Entity]:
        """Set `entity_id` on each mention it can link; return the entities by id."""
        ...


_EXTRACTORS: dict[str, EntityExtractor] = {}
_EXTRACTORS_LOCK = threading.Lock()


def extractor_for(lang: str) -> EntityExtractor:
    """The extractor for `lang` (created once per process; its model loads on first use).

    en, fr: spaCy in-wheel pipelines; ru: Natasha; ar: Arabic rules; zh, ja, ko:
    unspaced-script rules; every other supported language: capitalised-span rules.
    """
    from newsloom.errors import UnsupportedLanguageError
    from newsloom.model import SUPPORTED_LANGUAGES

    if lang not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguageError(f"no entity extractor for language {lang!r}")
    with _EXTRACTORS_LOCK:
        if lang not in _EXTRACTORS:
            _EXTRACTORS[lang] = _new_extractor(lang)
        return _EXTRACTORS[lang]


def _new_extractor(lang: str) -> EntityExtractor:
    from newsloom.entities import models, rules

    if lang in ("en", "fr"):
        return models.SpacyExtractor(lang)
    if lang == "ru":
        return models.NatashaExtractor()
    if lang == "ar":
        return rules.ArabicRuleExtractor()
    if lang in ("zh", "ja", "ko"):
        return rules.UnspacedRuleExtractor()
    return rules.CapitalisedRuleExtractor(frozenset({lang}))


def extract_and_link(article, *, ner_sentences: int | None = None,
                     mentions: list[Mention] | None = None) -> dict[str, Entity]:
    """Extract mentions from `article.clean_text` in `article.lang`, link them across
    languages, set `article.mentions` (each with `entity_id`) and return entities by id.

    `ner_sentences`: a statistical NER model (spaCy, Natasha) reads only the first this
    many sentences; the rules still cover the whole text. None (default): all of it.
    `mentions`: the extractor's mentions when they were found already (`extract_many`);
    they are filtered and linked as if found here.

    Raises `UnsupportedLanguageError` when the article has no supported language.
    """
    from newsloom.entities.linking import CrossLingualLinker
    from newsloom.errors import UnsupportedLanguageError

    if not article.lang:
        raise UnsupportedLanguageError("article has no language; detect it before extracting entities")
    text = article.clean_text or ""
    if not text.strip():
        article.mentions = []
        return {}
    from newsloom.entities.gazetteer import gazetteer

    if mentions is None:
        extractor = extractor_for(article.lang)
        if ner_sentences is not None and _reads_model_sentences(extractor):
            mentions = extractor.extract(text, article.sentences, article.lang, model_sentences=ner_sentences)
        else:
            mentions = extractor.extract(text, article.sentences, article.lang)
    gaz = gazetteer()
    # nationality adjectives (Russian, ukrainien) are no entities, whoever proposed them; a
    # person's given name only looks like one ("Papa Francesco", "el papa Francisco": francese)
    mentions = [m for m in mentions if (" " in m.text or _is_given_name_person(m) or not gaz.is_demonym(m.text))
                and not is_no_entity(m, article.lang)]
    entities = CrossLingualLinker().link(mentions, article.lang)
    article.mentions = mentions
    return entities


def _is_given_name_person(mention: Mention) -> bool:
    from newsloom.entities import lexicon
    from newsloom.entities.normalize import fold

    return mention.type == "PER" and fold(mention.text) in lexicon.given_names()


#: an all-capitals word at least this frequent a word of its language (wordfreq zipf: "DE"
#: 7.8 in Spanish, "AUF" 6.9 in German, "FIN" 5.55 in Spanish, "FREE" 5.6 in English) is a
#: shouted word of a header or caption, not an acronym. wordfreq counts acronyms too, and the
#: parties' are frequent ("SPD" 5.3, "PiS" 5.2, "CHP" 5.1 in their languages), so the bar is high
SHOUTED_WORD_ZIPF = 5.5


def is_no_entity(mention: Mention, lang: str) -> bool:
    """True for a mention an extractor proposed that names no person, organisation or place:
    a form of `lexicon.NOT_ORGANISATIONS` (COVID-19, "VIDEO", "USD"); a common noun phrase
    after a determiner ("The company", "El gobierno", `lexicon.PHRASE_DETERMINERS`); or, typed
    ORG, one all-capitals word that is a frequent word of `lang` ("DE", "FIN", "HERE") and no
    organisation the gazetteer knows ("WHO", "UN", "EU" stay)."""
    from newsloom.entities import lexicon
    from newsloom.entities.gazetteer import gazetteer
    from newsloom.entities.normalize import fold

    folded = fold(mention.text)
    if folded in lexicon.NOT_ORGANISATIONS:
        return True
    words = mention.text.split()
    if len(words) >= 2 and fold(words[0]) in lexicon.PHRASE_DETERMINERS \
            and all(w[:1].islower() for w in words[1:]):
        return True
    if mention.type == "ORG" and len(words) == 1 and mention.text.isupper() and mention.text.isalpha():
        from newsloom.frequency import zipf

        if mention.text in lexicon.organisation_forms():
            return False  # "WHO": the gazetteer cannot hold it, "who" is a stop word
        known = gazetteer().lookup(mention.text, lang)
        return (known is None or known.type != "ORG") and zipf(folded, lang) >= SHOUTED_WORD_ZIPF
    return False


def _reads_model_sentences(extractor: EntityExtractor) -> bool:
    from newsloom.entities import models

    return isinstance(extractor, (models.SpacyExtractor, models.NatashaExtractor))


def extract_many(articles: list, *, ner_sentences: int | None = None) -> dict[int, list[Mention]]:
    """Unlinked mentions of the articles whose extractor reads many texts at once
    (an ``extract_many`` method: the spaCy pipelines), one call per language; keyed
    by position in `articles`. Others are left out: `extract_and_link` extracts them
    one by one. Pass each result to `extract_and_link(..., mentions=...)`.
    """
    from newsloom.model import SUPPORTED_LANGUAGES

    by_lang: dict[str, list[int]] = {}
    for i, article in enumerate(articles):
        if article.lang in SUPPORTED_LANGUAGES and (article.clean_text or "").strip():
            by_lang.setdefault(article.lang, []).append(i)
    found: dict[int, list[Mention]] = {}
    for lang, positions in by_lang.items():
        extractor = extractor_for(lang)
        batch = getattr(extractor, "extract_many", None)
        if batch is None or len(positions) < 2:
            continue
        items = [(articles[i].clean_text, articles[i].sentences) for i in positions]
        options = {"model_sentences": ner_sentences} if ner_sentences is not None else {}
        found.update(zip(positions, batch(items, lang, **options)))
    return found
