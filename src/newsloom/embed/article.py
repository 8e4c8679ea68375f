"""How an article vector is built from its title and sentences.

An article vector is the L2-normalised weighted mean of the title vector and the
sentence vectors, where the first `lead_sentences` sentences weigh `lead_weight`
and the rest weigh 1. Embedding sentences (not the whole text at once) is what
makes sentence alignment possible in `compare`, and the lead weighting follows
the inverted pyramid of news writing. Only the first `max_sentences` sentences
are embedded: the tail of a long article adds cost and little signal.

The defaults were chosen by `benchmarks/article_vector.py`, which measures the
Pearson correlation of the article cosine with human Overall on the SemEval-2022
training material for several settings; see docs/similarity-history.md ("Article vector pooling").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ArticleVectors:
    article: np.ndarray  # (dim,)
    title: np.ndarray | None  # (dim,) or None when there is no title
    sentences: np.ndarray  # (n, dim)


class ArticleEmbedder:
    """Build title, sentence and article vectors with one batched encoder call.

    Parameters:
        encoder: any `newsloom.embed.Encoder`.
        title_weight: weight of the title vector in the article mean.
        lead_sentences: how many opening sentences get `lead_weight`.
        lead_weight: weight of each lead sentence (others weigh 1).
        max_sentences: sentences embedded per article at most.
    """

    def __init__(self, encoder, title_weight: float = 2.0, lead_sentences: int = 3,
                 lead_weight: float = 1.5, max_sentences: int = 40) -> None:
        self.encoder = encoder
        self.title_weight = title_weight
        self.lead_sentences = lead_sentences
        self.lead_weight = lead_weight
        self.max_sentences = max_sentences

    def pool(self, title_vec: np.ndarray | None, sent_vecs: np.ndarray) -> np.ndarray:
        n = len(sent_vecs)
        weights = np.ones(n, dtype=np.float32)
        weights[: self.lead_sentences] = self.lead_weight
        total = (weights[:, None] * sent_vecs).sum(axis=0) if n else np.zeros(self.encoder.dim, np.float32)
        if title_vec is not None:
            total = total + self.title_weight * title_vec
        norm = float(np.linalg.norm(total))
        return (total / norm).astype(np.float32) if norm > 0 else total.astype(np.float32)

    def embed_many(self, items: list[tuple[str | None, list[str]]]) -> list[ArticleVectors]:
        """Embed many (title, sentences) pairs in one encoder call (batching is the speed)."""
        texts: list[str] = []
        spans = []
        for title, sentences in items:
            sentences = sentences[: self.max_sentences]
            start = len(texts)
            if title:
                texts.append(title)
            texts.extend(sentences)
            spans.append((start, bool(title), len(sentences)))
        vecs = self.encoder.encode(texts) if texts else np.zeros((0, self.encoder.dim), np.float32)
        out = []
        for start, has_title, n in spans:
            title_vec = vecs[start] if has_title else None
            s0 = start + (1 if has_title else 0)
            sent_vecs = vecs[s0 : s0 + n]
            out.append(ArticleVectors(self.pool(title_vec, sent_vecs), title_vec, sent_vecs))
        return out
