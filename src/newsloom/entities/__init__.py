"""Enrichment stage, part one: who and where.

`EntityExtractor` finds mentions of people (PER), organisations (ORG) and places
(LOC) in one language; `EntityLinker` maps mentions in any language and script
onto canonical `Entity` ids (Poutine = Putin = Путин; Kiev = Kyiv = Kijów).
One extractor per language or model family sits behind the interface, so a
better model replaces a rule set without touching the pipeline.
"""

from __future__ import annotations

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
