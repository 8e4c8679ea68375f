"""Engine(embed_sentences=K): the ingest path embeds the title and only the first K sentences."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import CountingEncoder

from newsloom.engine import Engine
from newsloom.model import RawArticle

WHEN = datetime(2025, 5, 2, 9, 30, tzinfo=UTC)


def _article(n_sentences: int) -> RawArticle:
    body = " ".join(f"Sentence number {i} tells the harbour news of the day in Kiel." for i in range(n_sentences))
    return RawArticle(text=body, title="Harbour news", lang="en", published=WHEN, origin="a")


def _ingest(tmp_path, embed_sentences):
    encoder = CountingEncoder()
    engine = Engine(db=tmp_path / f"k{embed_sentences}.db", encoder=encoder, enrich=False,
                    embed_sentences=embed_sentences)
    result = engine.ingest_raw([_article(12)]).results[0]
    article = engine.article(result.article_id)
    engine.close()
    return encoder.texts, article


def test_embed_sentences_caps_what_the_encoder_sees(tmp_path):
    texts, article = _ingest(tmp_path, 4)
    assert len(article.sentences) == 12
    assert texts == ["Harbour news"] + [s.text for s in article.sentences[:4]]
    assert article.sentence_vectors.shape == (4, 64)


def test_default_embeds_every_sentence(tmp_path):
    texts, article = _ingest(tmp_path, None)
    assert len(texts) == 1 + 12 and article.sentence_vectors.shape == (12, 64)
