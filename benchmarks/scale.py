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
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

# One assignment is one thread's work. A multi-threaded BLAS matrix-vector product
# on a loaded 2-core machine spins and costs 10-20x more (measured: exact p50 21 ms vs 0.9 ms).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from newsloom.index import MemberStore, ScalarQuantizer, StoryPool, make_index

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
]
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


def run_config(name: str, kind: str, params: dict, member_dtype: str, n_articles: int, mean_size: float,
               topics: int, queries: int, seed: int) -> dict:
    centres, sizes, first, last = synth_stories(n_articles, mean_size, topics, seed)
    story_ids = [f"s{i}" for i in range(len(sizes))]
    rng = np.random.default_rng(seed + 1)
    base = rss_bytes()

    t = time.perf_counter()
    index = make_index(kind, DIM, capacity=len(sizes), **({"threads": 2} if kind == "hnsw" else {}), **params)
    if kind == "hnsw":
        index.add_many(story_ids, centres)
    else:
        for sid, c in zip(story_ids, centres):
            index.upsert(sid, c)
    build_index = time.perf_counter() - t
    t = time.perf_counter()
    members = MemberStore(DIM, dtype=member_dtype, capacity=n_articles + queries)
    art = 0
    for s, size in enumerate(sizes.tolist()):
        for vec in members_of(centres, s, size, rng):
            members.add(story_ids[s], f"{art:016x}", vec)
            art += 1
    pool = StoryPool(DIM, dtype="float16" if member_dtype != "float32" else "float32", capacity=len(sizes) + queries)
    day = 86400.0
    for s, sid in enumerate(story_ids):  # vector sum ~ centre * size; span in seconds
        pool.add(sid, centres[s] * (sizes[s] - 1), first[s] * day)
        pool.add(sid, centres[s], last[s] * day)
    build_members = time.perf_counter() - t
    used = rss_bytes() - base
    # the index + members + pool split, from their own counters (RSS is the total that counts)
    parts = {"index": index.nbytes(), "members": members.nbytes(), "pool": pool.nbytes()}

    # queries: new articles of random existing stories, at a time inside the story's span
    q_story = rng.integers(0, len(sizes), queries)
    q_vecs = np.vstack([members_of(centres, s, 1, rng) for s in q_story])
    q_when = first[q_story] + rng.uniform(0, 1, queries) * (last[q_story] - first[q_story])
    ef_sweep = []
    if kind == "hnsw":  # recall/latency of the search alone against ef, before any update
        for ef in (16, 32, 64, 128):
            index.set_ef(ef)
            hits_ef, lat = 0, []
            for v in q_vecs[: min(queries, 500)]:
                t0 = time.perf_counter()
                found = index.search(v, TOP_K)
                lat.append(time.perf_counter() - t0)
                exact_top = np.argpartition(-(centres @ v), TOP_K)[:TOP_K]
                hits_ef += len({f"s{j}" for j in exact_top.tolist()} & {s for s, _ in found})
            ef_sweep.append((ef, hits_ef / (TOP_K * len(lat)), float(np.percentile(lat, 99) * 1e3)))
        index.set_ef(params.get("ef", 128))
    else:  # the exact search: recall against float32 (1.0 for float32 itself)
        hits_exact = 0
        for v in q_vecs[: min(queries, 200)]:
            exact_top = np.argpartition(-(centres @ v), TOP_K)[:TOP_K]
            hits_exact += len({f"s{j}" for j in exact_top.tolist()} & {s for s, _ in index.search(v, TOP_K)})
        ef_sweep.append((None, hits_exact / (TOP_K * min(queries, 200)), float("nan")))
    new_story = rng.uniform(0, 1, queries) < 1.0 / mean_size
    latencies, search_lat, cpu_lat = np.empty(queries), np.empty(queries), np.empty(queries)
    for i in range(queries):
        v, when = q_vecs[i], q_when[i]
        c0 = time.process_time()
        t0 = time.perf_counter()
        hits = index.search(v, TOP_K * 4)
        search_lat[i] = time.perf_counter() - t0
        kept = []
        for sid, cos in hits:
            lo, hi = pool.span(sid)
            if cos >= CANDIDATE_FLOOR and lo - WINDOW_DAYS * day <= when * day <= hi + WINDOW_DAYS * day:
                kept.append(sid)
                if len(kept) >= TOP_K:
                    break
        for sid in kept:
            members.nearest(sid, v, MEMBERS_CHECKED)
        if new_story[i]:  # 1 in mean-story-size articles starts a story: an index insert
            target = f"new{i}"
        else:
            target = story_ids[q_story[i]]
        index.upsert(target, pool.add(target, v, when * day))
        members.add(target, f"q{i:015x}", v)
        latencies[i] = time.perf_counter() - t0
        cpu_lat[i] = time.process_time() - c0
    row = {
        "config": name, "articles": n_articles, "stories": len(sizes),
        "p50_ms": float(np.percentile(latencies, 50) * 1e3), "p99_ms": float(np.percentile(latencies, 99) * 1e3),
        "cpu_p50_ms": float(np.percentile(cpu_lat, 50) * 1e3), "cpu_p99_ms": float(np.percentile(cpu_lat, 99) * 1e3),
        "search_p99_ms": float(np.percentile(search_lat, 99) * 1e3),
        "join_p99_ms": float(np.percentile(latencies[~new_story], 99) * 1e3),
        "bytes_per_article": used / n_articles, "bytes_per_story": used / len(sizes),
        "recall5": [r for ef, r, _ in ef_sweep if ef in (None, params.get("ef"))][0], "ef_sweep": ef_sweep,
        "relinks_skipped": getattr(index, "relinks_skipped", 0), "flushes": getattr(index, "flushes", 0), "build_index_s": build_index, "build_members_s": build_members,
        "queries": queries, "parts": {k: v / n_articles for k, v in parts.items()},
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
    ap.add_argument("--sizes", type=int, nargs="+", default=[100000, 1000000])
    ap.add_argument("--mean-story-size", type=float, default=4.0)
    ap.add_argument("--topics", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=1000, help="queries per config (exact compact: a fifth)")
    ap.add_argument("--configs", nargs="*", default=DEFAULT_CONFIGS,
                    help=f"config names (default: all but efc200); known: {', '.join(c[0] for c in CONFIGS)}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--large-configs", nargs="*", default=["exact fp32", "hnsw + int8 members"],
                    help="configs run above --compact-exact-max articles (an HNSW build of 250k stories takes minutes)")
    ap.add_argument("--compact-exact-max", type=int, default=200000,
                    help="skip exact fp16/int8 above this many articles (their search widens every row: seconds)")
    args = ap.parse_args(argv)

    print(f"# scale test: dim {DIM}, top_k {TOP_K}, members_checked {MEMBERS_CHECKED}, "
          f"mean story size {args.mean_story_size}, all stories live; cores {os.cpu_count()}")
    print("# quantisation cosine error on 20k random 512-d unit vectors (mean, max of 1 - cos):")
    for dtype, mean, worst in quantisation_error():
        print(f"#   {dtype}: mean {mean:.2e}, max {worst:.2e}")
    header = (f"{'config':<22}{'articles':>9}{'stories':>9}{'p50 ms':>8}{'p99 ms':>8}{'B/article':>10}"
              f"{'B/story':>9}{'recall@5':>9}{'build s':>8}{'search p99':>11}{'join p99':>9}{'CPU p50':>8}{'CPU p99':>8}")
    print(header)
    started = time.perf_counter()
    for n in args.sizes:
        for name, kind, params, mdtype in CONFIGS:
            if args.configs and name not in args.configs:
                continue
            if n > args.compact_exact_max and name not in args.large_configs:
                print(f"{name:<22}{n:>9}  skipped at this size (see --large-configs)")
                continue
            queries = args.queries if kind == "hnsw" else args.queries // 5  # exact search is linear: fewer
            with ProcessPoolExecutor(1, mp_context=get_context("fork")) as pool:
                row = pool.submit(run_config, name, kind, params, mdtype, n, args.mean_story_size,
                                  args.topics, queries, args.seed).result()
            print(f"{row['config']:<22}{row['articles']:>9}{row['stories']:>9}{row['p50_ms']:>8.2f}"
                  f"{row['p99_ms']:>8.2f}{row['bytes_per_article']:>10.0f}{row['bytes_per_story']:>9.0f}"
                  f"{row['recall5']:>9.3f}{row['build_index_s'] + row['build_members_s']:>8.1f}"
                  f"{row['search_p99_ms']:>11.2f}{row['join_p99_ms']:>9.2f}{row['cpu_p50_ms']:>8.2f}"
                  f"{row['cpu_p99_ms']:>8.2f}", flush=True)
            print("#   counted bytes/article: " + ", ".join(f"{k} {v:.0f}" for k, v in row["parts"].items()))
            for ef, recall, p99 in row["ef_sweep"] if kind == "hnsw" else []:
                print(f"#   ef={ef:<4} recall@5 {recall:.3f}  search p99 {p99:.2f} ms")
    print(f"# total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
