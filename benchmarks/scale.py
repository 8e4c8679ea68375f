"""Synthetic scale test of story assignment: candidate search + the cheap part of assignment.

What is timed per incoming article (one "assignment"):
  1. `index.search(vector, top_k * 4)` over the centroids of live stories;
  2. the time-window (`StoryPool.span`) and candidate-floor filters on the hits;
  3. `MemberStore.nearest(story, vector, members_checked)` for each kept candidate
     (the members the similarity model would then verify);
  4. the commit: `StoryPool.add` (new centroid), the index upsert and `MemberStore.add`.
A quarter of the articles (1 / mean story size) start a new story: their commit
is an index insert. The similarity model's verification itself is NOT timed here: it is measured by
benchmarks/similarity.py (it costs the same whatever the index).

Synthetic data: `--topics` random unit topic directions in 512 dimensions;
stories are noisy copies of a topic, articles noisy copies of their story
(story sizes geometric, mean `--mean-story-size`), spread over 30 days. Worst
case for memory and latency: every story is live (none closed yet).

Latencies are wall time (what the target is about, but on a shared machine
mostly the wait for a core) and CPU time of the process (what the work costs).

RAM per stored article = (RSS after building index + MemberStore + StoryPool - RSS
before) / stored articles, in a fresh forked process per configuration. hnswlib
allocates in C++, which tracemalloc cannot see, hence RSS.

Run:  python benchmarks/scale.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timezone
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

# One assignment is one thread's work. A multi-threaded BLAS matrix-vector product
# on a loaded 2-core machine spins and costs 10-20x more (measured: exact p50 21 ms vs 0.9 ms).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

# RSS growth is only a fair measure of what the structures hold when freed memory goes back to the
# OS before the baseline and big arrays are mmapped (untouched capacity costs no RAM). glibc's
# dynamic mmap threshold otherwise makes the figure wander by +-30% from run to run; its
# environment variables are read at start-up, hence the re-exec.
if "MALLOC_MMAP_THRESHOLD_" not in os.environ and __name__ == "__main__":
    os.environ.update(MALLOC_MMAP_THRESHOLD_="65536", MALLOC_TRIM_THRESHOLD_="0")
    os.execv(sys.executable, [sys.executable, *sys.argv])

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from newsloom.index import ScalarQuantizer, make_index
from newsloom.model import Article, Story
from newsloom.weave import StoryWeaver

DIM = 512
TOP_K = 5
MEMBERS_CHECKED = 3
WINDOW_DAYS = 3.0
CANDIDATE_FLOOR = 0.3

#: (name, index kind, index params, member dtype)
CONFIGS = [
    ("exact fp32", "exact", {"dtype": "float32"}, "float32"),
    ("exact fp16", "exact", {"dtype": "float16"}, "float16"),
    ("exact int8", "exact", {"dtype": "int8"}, "int8"),
    ("hnsw + fp16 members", "hnsw", {"M": 16, "ef": 128, "ef_construction": 100}, "float16"),
    ("hnsw + int8 members", "hnsw", {"M": 16, "ef": 128, "ef_construction": 100}, "int8"),
    ("hnsw efc200 + int8", "hnsw", {"M": 16, "ef": 128, "ef_construction": 200}, "int8"),
    ("usearch i8 + int8 members", "usearch", {"connectivity": 16, "expansion_add": 128, "ef": 128}, "int8"),
]
#: index kinds searched approximately (graph): ef sweep, bulk threads, write buffer
GRAPH_KINDS = ("hnsw", "usearch")
DEFAULT_CONFIGS = [c[0] for c in CONFIGS if "efc200" not in c[0]]


def rss_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def synth_stories(n_articles: int, mean_size: float, topics: int, seed: int):
    """Story centres (unit), sizes, and time spans in days."""
    rng = np.random.default_rng(seed)
    sizes = rng.geometric(1.0 / mean_size, size=int(n_articles / mean_size * 1.2))
    sizes = sizes[np.cumsum(sizes) <= n_articles]
    sizes = np.append(sizes, n_articles - sizes.sum()) if sizes.sum() < n_articles else sizes
    topic_dirs = unit(rng.standard_normal((topics, DIM)))
    topic_of = rng.integers(0, topics, len(sizes))
    centres = np.empty((len(sizes), DIM), np.float32)
    for lo in range(0, len(sizes), 50000):  # in chunks: bounds scratch memory
        hi = min(lo + 50000, len(sizes))
        centres[lo:hi] = unit(topic_dirs[topic_of[lo:hi]] + rng.standard_normal((hi - lo, DIM)) * (1.2 / np.sqrt(DIM)))
    first = rng.uniform(0, 30, len(sizes))
    last = first + rng.uniform(0, 2, len(sizes)) * (sizes > 1)
    return centres, sizes, first, last


def members_of(centres: np.ndarray, story: int, count: int, rng) -> np.ndarray:
    return unit(centres[story] + rng.standard_normal((count, DIM)) * (0.7 / np.sqrt(DIM)))


class SyntheticJudge:
    """Same story exactly when the member's id names the story the query article was drawn from.

    Member ids are ``f"{story:08x}{member:08x}"`` (16 characters, like newsloom's
    content ids), so the judge needs no lookup table that would count as weaver RAM.
    Costs nothing measurable: the timings are the weaver's own work.
    """

    threshold = 0.5

    def same_story(self, article, member_id: str) -> tuple[bool, float]:
        same = article.metadata.get("story") == member_id[:8]
        return same, 0.9 if same else 0.1


def story_id(story: int) -> str:
    """The synthetic story's id, in the weaver's own format (``new_story_id``: "s-" + 12 hex digits)."""
    return f"s-{story:012x}"


def index_params(kind: str, params: dict) -> dict:
    """A config's parameters in the index's own names (the configs say ``ef`` for both graphs)."""
    if kind == "usearch" and "ef" in params:
        params = {**params, "expansion_search": params["ef"]}
        del params["ef"]
    return params


def build_weaver(kind: str, params: dict, member_dtype: str, centres, sizes, first, last, rng):
    """A real `StoryWeaver` holding every synthetic story, built through `restore` (the engine's start-up path)."""
    index = make_index(kind, DIM, **({"threads": 2} if kind in GRAPH_KINDS else {}), **index_params(kind, params))
    weaver = StoryWeaver(SyntheticJudge(), lambda member_id: member_id, dim=DIM, index=index,
                         window_days=WINDOW_DAYS, candidate_floor=CANDIDATE_FLOOR, top_k=TOP_K,
                         members_checked=MEMBERS_CHECKED, member_dtype=member_dtype)
    day = 86400.0
    for s, size in enumerate(sizes.tolist()):
        times = np.linspace(first[s], last[s], size) * day
        members = [(f"{s:08x}{j:08x}", vec, _utc(t)) for j, (vec, t) in
                   enumerate(zip(members_of(centres, s, size, rng), times))]
        # a realistic headline length (~70 characters), as the weaver keeps one per story
        weaver.restore(Story(id=story_id(s), headline=f"Synthetic story {s:08x} " + "x" * 46), members)
    if kind in GRAPH_KINDS:
        index.flush()
    return weaver


def exact_top_stories(weaver: StoryWeaver, n_stories: int, queries: np.ndarray, k: int) -> list[set[str]]:
    """Exact top-k stories per query by the weaver's own current centroids (float32, in chunks)."""
    best = np.full((len(queries), k), -np.inf, np.float32)
    best_ids = np.zeros((len(queries), k), np.int64)
    for lo in range(0, n_stories, 20000):
        ids = np.arange(lo, min(lo + 20000, n_stories))
        cents = unit(np.vstack([weaver._vector_sum(story_id(s)) for s in ids.tolist()]))
        scores = np.concatenate([best, queries @ cents.T], axis=1)
        cand = np.concatenate([best_ids, np.broadcast_to(ids, (len(queries), len(ids)))], axis=1)
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best = np.take_along_axis(scores, top, axis=1)
        best_ids = np.take_along_axis(cand, top, axis=1)
    return [{story_id(s) for s in row.tolist()} for row in best_ids]


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def run_config(name: str, kind: str, params: dict, member_dtype: str, n_articles: int, mean_size: float,
               topics: int, queries: int, seed: int) -> dict:
    centres, sizes, first, last = synth_stories(n_articles, mean_size, topics, seed)
    rng = np.random.default_rng(seed + 1)
    base = rss_bytes()
    t = time.perf_counter()
    weaver = build_weaver(kind, params, member_dtype, centres, sizes, first, last, rng)
    build_s = time.perf_counter() - t
    used = rss_bytes() - base
    index = weaver.index
    # the split, from the components' own counters (RSS is the total that counts)
    parts = {"index": index.nbytes(), "members": weaver.members.nbytes(), "pool": weaver.pool.nbytes()}
    if not queries:
        return {"config": name, "articles": n_articles, "stories": len(sizes), "mean_size": mean_size,
                "bytes_per_article": used / n_articles, "bytes_per_story": used / len(sizes),
                "build_s": build_s, "parts": {k: v / n_articles for k, v in parts.items()}}

    # queries: new articles of random existing stories, at a time inside the story's span
    q_story = rng.integers(0, len(sizes), queries)
    q_vecs = np.vstack([members_of(centres, s, 1, rng) for s in q_story])
    q_when = first[q_story] + rng.uniform(0, 1, queries) * (last[q_story] - first[q_story])
    ef_sweep = []
    truth = exact_top_stories(weaver, len(sizes), q_vecs[: min(queries, 500)], TOP_K)
    if kind in GRAPH_KINDS:  # recall/latency of the search alone against ef, before any update
        for ef in (16, 32, 64, 128):
            index.set_ef(ef)
            hits_ef, lat = 0, []
            for v, exact_top in zip(q_vecs, truth):
                t0 = time.perf_counter()
                found = index.search(v, TOP_K)
                lat.append(time.perf_counter() - t0)
                hits_ef += len(exact_top & {s for s, _ in found})
            ef_sweep.append((ef, hits_ef / (TOP_K * len(lat)), float(np.percentile(lat, 99) * 1e3)))
        index.set_ef(params.get("ef", 128))
    else:  # the exact search: recall against float32 (1.0 for float32 itself)
        hits_exact = 0
        for v, exact_top in zip(q_vecs, truth[:200]):
            hits_exact += len(exact_top & {s for s, _ in index.search(v, TOP_K)})
        ef_sweep.append((None, hits_exact / (TOP_K * min(len(truth), 200)), float("nan")))
    # 1 in mean-story-size articles tells a new story: the judge refuses every member
    new_story = rng.uniform(0, 1, queries) < 1.0 / mean_size
    latencies, search_lat, cpu_lat = np.empty(queries), np.empty(queries), np.empty(queries)
    joined = 0
    day = 86400.0
    for i in range(queries):
        article = Article(id=f"q{i:015x}", text="", clean_text="", title="query",
                          published=_utc(q_when[i] * day),
                          metadata={"story": None if new_story[i] else f"{q_story[i]:08x}"})
        article.vector = q_vecs[i]
        t0 = time.perf_counter()
        index.search(article.vector, TOP_K * 4)  # the search alone (assign repeats it)
        search_lat[i] = time.perf_counter() - t0
        c0 = time.process_time()
        t0 = time.perf_counter()
        assignment = weaver.assign(article)
        weaver.commit(article, assignment)
        latencies[i] = time.perf_counter() - t0
        cpu_lat[i] = time.process_time() - c0
        joined += not assignment.new_story
    row = {
        "config": name, "articles": n_articles, "stories": len(sizes), "mean_size": mean_size,
        "p50_ms": float(np.percentile(latencies, 50) * 1e3), "p99_ms": float(np.percentile(latencies, 99) * 1e3),
        "cpu_p50_ms": float(np.percentile(cpu_lat, 50) * 1e3), "cpu_p99_ms": float(np.percentile(cpu_lat, 99) * 1e3),
        "search_p99_ms": float(np.percentile(search_lat, 99) * 1e3),
        "join_p99_ms": float(np.percentile(latencies[~new_story], 99) * 1e3),
        "joined": joined / queries, "expected_joins": float(np.mean(~new_story)),
        "bytes_per_article": used / n_articles, "bytes_per_story": used / len(sizes),
        "recall5": [r for ef, r, _ in ef_sweep if ef in (None, params.get("ef"))][0], "ef_sweep": ef_sweep,
        "relinks_skipped": getattr(index, "relinks_skipped", 0), "flushes": getattr(index, "flushes", 0),
        "build_s": build_s, "queries": queries, "parts": {k: v / n_articles for k, v in parts.items()},
    }
    return row


def quantisation_error(seed: int = 0) -> list[tuple[str, float, float]]:
    rng = np.random.default_rng(seed)
    v = unit(rng.standard_normal((20000, DIM)))
    out = []
    for dtype in ("float16", "int8"):
        q = ScalarQuantizer(dtype)
        cos = np.sum(unit(q.decode(*q.encode(v))) * v, axis=1)
        out.append((dtype, float(np.mean(1 - cos)), float(np.max(1 - cos))))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100000, 1000000])
    ap.add_argument("--mean-story-size", type=float, default=4.0)
    ap.add_argument("--topics", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=1000, help="queries per config (exact compact: a fifth)")
    ap.add_argument("--configs", nargs="*", default=DEFAULT_CONFIGS,
                    help=f"config names (default: all but efc200); known: {', '.join(c[0] for c in CONFIGS)}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--large-configs", nargs="*",
                    default=["exact fp32", "hnsw + int8 members", "usearch i8 + int8 members"],
                    help="configs run above --compact-exact-max articles (an HNSW build of 250k stories takes minutes)")
    ap.add_argument("--compact-exact-max", type=int, default=200000,
                    help="skip exact fp16/int8 above this many articles (their search widens every row: seconds)")
    ap.add_argument("--ram-mean-sizes", type=float, nargs="*", default=[1.0, 4.0, 8.0],
                    help="mean story sizes for the RAM-only table (weaver built, no queries; [] to skip)")
    ap.add_argument("--ram-articles", type=int, default=100000)
    ap.add_argument("--ram-configs", nargs="*", default=["hnsw + int8 members", "usearch i8 + int8 members"])
    args = ap.parse_args(argv)

    print(f"# scale test: dim {DIM}, top_k {TOP_K}, members_checked {MEMBERS_CHECKED}, "
          f"mean story size {args.mean_story_size}, all stories live; cores {os.cpu_count()}")
    print("# quantisation cosine error on 20k random 512-d unit vectors (mean, max of 1 - cos):")
    for dtype, mean, worst in quantisation_error():
        print(f"#   {dtype}: mean {mean:.2e}, max {worst:.2e}")
    started = time.perf_counter()
    for kind in GRAPH_KINDS:  # import hnswlib / usearch before forking, so no config pays for the import in its RSS
        make_index(kind, DIM)
    if args.ram_mean_sizes:
        print(f"# RAM of a real StoryWeaver, {args.ram_articles} stored articles, "
              "every story live; B = RSS growth / articles")
        print(f"{'config':<27}{'mean size':>10}{'stories':>9}{'B/article':>10}{'B/story':>9}{'build s':>8}"
              "   counted B/article")
        for name, kind, params, mdtype, mean_size in [(*c, m) for c in CONFIGS if c[0] in args.ram_configs
                                                      for m in args.ram_mean_sizes]:
            with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
                row = pool.submit(run_config, name, kind, params, mdtype, args.ram_articles, mean_size,
                                  args.topics, 0, args.seed).result()
            print(f"{name:<27}{mean_size:>10.1f}{row['stories']:>9}{row['bytes_per_article']:>10.0f}"
                  f"{row['bytes_per_story']:>9.0f}{row['build_s']:>8.1f}   "
                  + ", ".join(f"{k} {v:.0f}" for k, v in row["parts"].items()), flush=True)
    if not args.sizes:
        return
    header = (f"{'config':<27}{'articles':>9}{'stories':>9}{'p50 ms':>8}{'p99 ms':>8}{'B/article':>10}"
              f"{'B/story':>9}{'recall@5':>9}{'build s':>8}{'search p99':>11}{'join p99':>9}{'CPU p50':>8}"
              f"{'CPU p99':>8}")
    print(header)
    for n in args.sizes:
        for name, kind, params, mdtype in CONFIGS:
            if args.configs and name not in args.configs:
                continue
            if n > args.compact_exact_max and name not in args.large_configs:
                print(f"{name:<27}{n:>9}  skipped at this size (see --large-configs)")
                continue
            queries = args.queries if kind in GRAPH_KINDS else args.queries // 5  # exact search is linear: fewer
            with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
                row = pool.submit(run_config, name, kind, params, mdtype, n, args.mean_story_size,
                                  args.topics, queries, args.seed).result()
            print(f"{row['config']:<27}{row['articles']:>9}{row['stories']:>9}{row['p50_ms']:>8.2f}"
                  f"{row['p99_ms']:>8.2f}{row['bytes_per_article']:>10.0f}{row['bytes_per_story']:>9.0f}"
                  f"{row['recall5']:>9.3f}{row['build_s']:>8.1f}"
                  f"{row['search_p99_ms']:>11.2f}{row['join_p99_ms']:>9.2f}{row['cpu_p50_ms']:>8.2f}"
                  f"{row['cpu_p99_ms']:>8.2f}", flush=True)
            print("#   counted bytes/article: " + ", ".join(f"{k} {v:.0f}" for k, v in row["parts"].items())
                  + f"; joined {row['joined']:.3f} (expected {row['expected_joins']:.3f})")
            for ef, recall, p99 in row["ef_sweep"] if kind in GRAPH_KINDS else []:
                print(f"#   ef={ef:<4} recall@5 {recall:.3f}  search p99 {p99:.2f} ms")
    print(f"# total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
