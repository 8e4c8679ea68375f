"""Story indexes: HNSW recall against exact search, upsert/remove semantics, compact vectors."""

from __future__ import annotations

import numpy as np
import pytest

from newsloom.index import (ExactStoryIndex, HnswStoryIndex, ScalarQuantizer, StoryKeys, UsearchStoryIndex,
                            make_index)
from newsloom.livestate import MemberStore, StoryPool


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def clustered(n_clusters: int, per_cluster: int, dim: int, spread: float, seed: int) -> np.ndarray:
    """Unit vectors scattered around random unit cluster centres (stories around topics)."""
    rng = np.random.default_rng(seed)
    centres = _unit(rng.standard_normal((n_clusters, dim)))
    noise = rng.standard_normal((n_clusters, per_cluster, dim)) * spread / np.sqrt(dim)
    return _unit(centres[:, None, :] + noise).reshape(-1, dim)


def _fill(index, vectors: np.ndarray) -> list[str]:
    ids = [f"s{i}" for i in range(len(vectors))]
    for sid, vec in zip(ids, vectors):
        index.upsert(sid, vec)
    return ids


def test_make_index_kinds():
    assert isinstance(make_index("exact", 8), ExactStoryIndex)
    assert isinstance(make_index("hnsw", 8, M=8, ef=32), HnswStoryIndex)
    assert isinstance(make_index("usearch", 8, connectivity=8, expansion_search=32), UsearchStoryIndex)
    with pytest.raises(ValueError):
        make_index("annoy", 8)


@pytest.mark.parametrize("kind,params", [("hnsw", {}), ("exact", {"dtype": "float16"}),
                                         ("exact", {"dtype": "int8"}), ("usearch", {}),
                                         ("usearch", {"buffer_size": 0})])
def test_recall_at_5_against_exact(kind, params):
    dim = 64
    stored = clustered(100, 30, dim, spread=0.8, seed=1)  # 3000 centroids in 100 tight groups
    queries = clustered(100, 3, dim, spread=0.8, seed=1)[::7]
    exact, other = ExactStoryIndex(dim), make_index(kind, dim, **params)
    _fill(exact, stored)
    _fill(other, stored)
    hits = total = 0
    for q in queries:
        truth = {s for s, _ in exact.search(q, 5)}
        found = {s for s, _ in other.search(q, 5)}
        hits += len(truth & found)
        total += 5
    assert hits / total >= 0.95


@pytest.mark.parametrize("kind,tolerance", [("exact", 1e-5), ("hnsw", 1e-5), ("usearch", 2e-3)])
def test_scores_are_cosines_best_first(kind, tolerance):
    dim = 16
    vectors = clustered(5, 4, dim, spread=1.0, seed=2)
    index = make_index(kind, dim, **({"buffer_size": 0} if kind == "usearch" else {}))  # scores from the graph
    ids = _fill(index, vectors)
    q = vectors[3]
    result = index.search(q, 4)
    assert result[0][0] == ids[3]
    assert result[0][1] == pytest.approx(1.0, abs=tolerance)
    scores = [s for _, s in result]
    assert scores == sorted(scores, reverse=True)
    for sid, score in result:  # int8 at 16-d rounds more than at 512-d (benchmarks/scale.py: ~3e-5)
        assert score == pytest.approx(float(vectors[ids.index(sid)] @ q), abs=tolerance)


@pytest.mark.parametrize("kind", ["exact", "hnsw", "usearch"])
def test_upsert_of_existing_id_moves_it(kind):
    dim = 8
    index = make_index(kind, dim)
    east, north = np.eye(dim, dtype=np.float32)[0], np.eye(dim, dtype=np.float32)[1]
    index.upsert("a", east)
    index.upsert("b", _unit(east + 0.3 * north))
    index.upsert("a", north)
    assert len(index) == 2
    assert index.search(north, 1)[0][0] == "a"
    assert index.search(east, 1)[0][0] == "b"
    assert np.allclose(index.get_vector("a"), north, atol=1e-6)


@pytest.mark.parametrize("kind", ["exact", "hnsw", "usearch"])
def test_remove_hides_story_and_slot_is_reused(kind):
    dim = 32
    vectors = clustered(10, 10, dim, spread=0.5, seed=3)
    index = make_index(kind, dim)
    ids = _fill(index, vectors)
    index.remove(ids[0])
    index.remove("never-added")  # a no-op, not an error
    assert len(index) == len(ids) - 1
    assert ids[0] not in {s for s, _ in index.search(vectors[0], 20)}
    index.upsert("fresh", vectors[0])
    assert index.search(vectors[0], 1)[0][0] == "fresh"
    assert len(index) == len(ids)


@pytest.mark.parametrize("buffer_size", [0, 32])
def test_hnsw_grows_beyond_capacity_and_rebuilds(buffer_size):
    dim = 16
    vectors = clustered(20, 20, dim, spread=0.6, seed=4)
    index = HnswStoryIndex(dim, capacity=16, buffer_size=buffer_size)
    ids = _fill(index, vectors)
    assert len(index) == 400
    for sid in ids[:300]:
        index.remove(sid)
    index.rebuild()
    assert len(index) == 100 and index.deleted == 0 and index.buffered == 0
    for i in range(300, 400, 9):
        assert index.search(vectors[i], 1)[0][0] == ids[i]
    assert index.search(vectors[0], 200)  # k larger than the live pool is clipped, not an error


def test_hnsw_bulk_add_matches_one_by_one():
    dim = 16
    vectors = clustered(10, 10, dim, spread=0.6, seed=5)
    ids = [f"s{i}" for i in range(len(vectors))]
    bulk = HnswStoryIndex(dim, capacity=16)
    bulk.add_many(ids, vectors)
    assert len(bulk) == 100
    for i in range(0, 100, 7):
        assert bulk.search(vectors[i], 1)[0][0] == ids[i]


@pytest.mark.parametrize("dtype,max_error", [("float16", 1e-3), ("int8", 5e-3)])
def test_quantizer_cosine_error_is_small(dtype, max_error):
    rng = np.random.default_rng(6)
    v = _unit(rng.standard_normal((500, 512)))
    q = ScalarQuantizer(dtype)
    decoded = q.decode(*q.encode(v))
    cosine = np.sum(_unit(decoded) * v, axis=1)
    assert float(np.max(1.0 - cosine)) < max_error
    assert q.encode(v)[0].nbytes == 500 * 512 * q.bytes_per_value


def test_quantizer_rejects_unknown_dtype():
    with pytest.raises(ValueError):
        ScalarQuantizer("int4")


def test_member_store_keeps_first_and_recent_and_finds_nearest():
    dim = 16
    vectors = clustered(1, 10, dim, spread=1.5, seed=7)
    store = MemberStore(dim, max_per_story=4, capacity=2)
    for i, vec in enumerate(vectors):
        store.add("story", f"a{i}", vec)
    store.add("other", "b0", vectors[0])
    assert store.member_ids("story") == ["a0", "a7", "a8", "a9"]
    assert len(store) == 5
    nearest = store.nearest("story", vectors[8], 2)
    assert nearest[0][0] == "a8" and nearest[0][1] == pytest.approx(1.0, abs=5e-3)
    assert np.allclose(store.vectors("story")[1], vectors[7], atol=0.02)
    store.remove_story("story")
    assert store.member_ids("story") == [] and len(store) == 1
    store.add("third", "c0", vectors[1])  # freed rows are reused, not appended
    assert store._used == 5


def test_hnsw_relinks_only_after_drift():
    dim = 8
    base = np.eye(dim, dtype=np.float32)[0]
    nudged = _unit(base + 0.01 * np.eye(dim, dtype=np.float32)[1])  # cosine 0.99995
    moved = _unit(base + 0.5 * np.eye(dim, dtype=np.float32)[1])  # cosine 0.89
    lazy = HnswStoryIndex(dim, relink_cosine=0.995, buffer_size=0)  # relinking concerns graph nodes
    eager = HnswStoryIndex(dim, relink_cosine=1.0, buffer_size=0)
    for index in (lazy, eager):
        index.upsert("a", base)
        index.upsert("a", nudged)
    assert np.allclose(lazy.get_vector("a"), base) and lazy.relinks_skipped == 1
    assert np.allclose(eager.get_vector("a"), nudged) and eager.relinks_skipped == 0
    lazy.upsert("a", moved)
    assert np.allclose(lazy.get_vector("a"), moved)


def test_hnsw_write_buffer_flushes_into_graph_and_stays_searchable():
    dim = 16
    vectors = clustered(6, 10, dim, spread=0.6, seed=8)
    index = HnswStoryIndex(dim, buffer_size=8)
    ids = _fill(index, vectors)
    assert index.flushes == 7 and index.buffered == 4 and len(index) == 60
    for i in range(60):  # hits come from the graph and from the buffer alike
        assert index.search(vectors[i], 1)[0][0] == ids[i]
    index.upsert(ids[0], vectors[59])  # a big move takes a graph node back into the buffer
    assert index.buffered == 5 and index.deleted == 1
    assert {s for s, _ in index.search(vectors[59], 2)} == {ids[0], ids[59]}


def test_member_store_ids_of_any_length_round_trip():
    store = MemberStore(4, id_bytes=16)
    v = np.array([1, 0, 0, 0], np.float32)
    for article_id in ("0123456789abcdef", "a-much-longer-article-identifier", "Łódź-1"):
        store.add("s", article_id, v)
    assert store.member_ids("s") == ["0123456789abcdef", "a-much-longer-article-identifier", "Łódź-1"]


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_story_pool_centroid_span_and_closing(dtype):
    dim = 512
    members = clustered(1, 64, dim, spread=1.0, seed=9)
    pool = StoryPool(dim, dtype=dtype, capacity=1)
    for i, vec in enumerate(members):
        centroid = pool.add("big", vec, 1000.0 + i)
    pool.add("old", members[0], 10.0)
    exact = _unit(members.sum(axis=0))
    assert float(centroid @ exact) > 1 - 1e-5
    assert float(pool.centroid("big") @ exact) > 1 - 1e-5
    assert pool.span("big") == (1000.0, 1063.0) and pool.size("big") == 64
    assert pool.quiet_before(500.0) == ["old"]
    pool.remove("old")
    assert "old" not in pool and pool.quiet_before(500.0) == [] and len(pool) == 1
    pool.add("new", members[1], 2000.0)  # reuses the freed row, starting from an empty sum
    assert pool.size("new") == 1 and np.allclose(pool.centroid("new"), members[1], atol=1e-3)


def test_story_pool_rejects_int8_sums():
    with pytest.raises(ValueError):
        StoryPool(4, dtype="int8")


def test_story_keys_are_arithmetic_for_weaver_ids_and_mapped_for_others():
    keys = StoryKeys()
    assert keys.key("s-0123456789ab") == 0x0123456789AB and keys.story(0x0123456789AB) == "s-0123456789ab"
    assert keys._key_of == {}  # the weaver's own ids cost no map entries
    other = keys.key("s1")
    assert other >= 2**62 and keys.story(other) == "s1" and keys.key("s1") == other
    assert keys.key("S-0123456789AB", create=False) is None  # upper case is not the weaver's format
    keys.forget("s1")
    assert keys.key("s1", create=False) is None and keys.key("s2") != keys.key("s3")


def test_usearch_stores_int8_relinks_after_drift_and_flushes_its_buffer():
    dim = 16
    vectors = clustered(6, 10, dim, spread=0.6, seed=8)
    # one thread: a multi-threaded bulk insert builds a slightly different graph each run
    index = UsearchStoryIndex(dim, buffer_size=8, threads=1)
    ids = [f"s-{i:012x}" for i in range(len(vectors))]
    for sid, vec in zip(ids, vectors):
        index.upsert(sid, vec)
    assert index.flushes == 7 and index.buffered == 4 and len(index) == 60
    assert index._index.dtype.name.lower() == "i8"
    for i in range(60):  # hits come from the graph and from the buffer alike
        # top 3, not top 1: the graph search is approximate and int8 rounding can swap
        # near-identical neighbours of one cluster
        assert ids[i] in {s for s, _ in index.search(vectors[i], 3)}
    nudged = _unit(vectors[0] + 0.01 * vectors[1])
    index.upsert(ids[0], nudged)  # cosine > 0.995 to the indexed centroid: the node stays
    assert index.relinks_skipped == 1 and index.buffered == 4
    index.upsert(ids[0], vectors[59])  # a big move takes the node back into the buffer
    assert index.buffered == 5 and len(index) == 60
    assert {s for s, _ in index.search(vectors[59], 2)} == {ids[0], ids[59]}
    index.rebuild()
    assert index.buffered == 0 and len(index) == 60
    assert np.allclose(index.get_vector(ids[0]), vectors[59], atol=0.02)


def test_usearch_slots_are_reused_after_removal():
    dim = 32
    vectors = clustered(10, 40, dim, spread=0.6, seed=10)
    index = UsearchStoryIndex(dim, buffer_size=0)
    capacity = None
    for round_ in range(4):  # the live pool turns over: closed stories out, new ones in
        for i, vec in enumerate(vectors):
            index.upsert(f"r{round_}-{i}", vec)
        if round_:
            for i in range(len(vectors)):
                index.remove(f"r{round_ - 1}-{i}")
        if round_ == 1:  # two pools were live at once: the capacity needed from now on
            capacity = index._index.capacity
        assert len(index) == len(vectors)
    assert index._index.capacity == capacity and len(index.keys._key_of) == len(vectors)
    assert index.search(vectors[5], 1)[0][0] == "r3-5"


@pytest.fixture(scope="module")
def demo_articles():
    """The demo corpus prepared once (entities and dates on, as the engine does), with its judge."""
    from importlib import resources

    from newsloom.engine import default_judge
    from newsloom.model import ItemError, RawArticle
    from newsloom.pipeline import Pipeline
    from newsloom.readers import read_paths

    demo = str(resources.files("newsloom") / "data" / "demo" / "articles.jsonl")
    raws = [r for r in read_paths([demo]) if isinstance(r, RawArticle)]
    prepared = [x[0] for x in Pipeline(enrich=True).prepare_many(raws) if not isinstance(x, ItemError)]
    return sorted(prepared, key=lambda a: a.when), default_judge()


def _weave_demo(articles, judge, index) -> list[tuple]:
    import copy

    from newsloom.weave import StoryWeaver

    pool = {a.id: copy.copy(a) for a in articles}
    weaver = StoryWeaver.for_judge(judge, pool.__getitem__, dim=len(articles[0].vector), index=index)
    decisions = []
    for a in articles:
        got = weaver.learn_one(pool[a.id])
        decisions.append((a.id, got.story_id, got.new_story, got.probability, got.via_article,
                          [(c["story"], c["probability"], c["via"], c["cosine"]) for c in got.candidates]))
    return decisions, weaver


def test_usearch_weaves_the_demo_corpus_like_the_exact_index(demo_articles):
    articles, judge = demo_articles
    dim = len(articles[0].vector)
    exact, _ = _weave_demo(articles, judge, make_index("exact", dim))
    usearch, weaver = _weave_demo(articles, judge, make_index("usearch", dim, buffer_size=0))
    assert sum(not d[2] for d in exact) >= 15  # 31 articles, 6 gold stories: mostly joins, not all-new
    for e, u in zip(exact, usearch):
        assert e[:5] == u[:5]  # same story, decision, probability and via member, article by article
        assert [c[:3] for c in e[5]] == [c[:3] for c in u[5]]
        # candidate cosines: int8 graph vectors and a centroid up to 1 - relink_cosine stale
        assert all(abs(ce[3] - cu[3]) <= 0.006 for ce, cu in zip(e[5], u[5]))

    # the engine's start-up path: a fresh usearch index restored from the stories finds the same candidates
    from newsloom.weave import StoryWeaver

    restored = StoryWeaver.for_judge(judge, weaver.fetch_article, dim=dim, index=make_index("usearch", dim))
    for story_id, story in weaver.stories.items():
        first = story.first_seen
        restored.restore(story.to_story(), [(m, v, first) for m, v in story.members])
    assert len(restored.index) == len(weaver.index) == len({d[1] for d in usearch})
    for a in articles[::5]:
        assert [s for s, _ in restored.index.search(a.vector, 5)] == [s for s, _ in weaver.index.search(a.vector, 5)]
