"""HTTP API throughput and latency on a 10k-article database.

    python benchmarks/api.py [--articles 10000] [--seconds 10] [--threads 8] [--db PATH]

1. Builds (or reuses, when the file exists) a database of synthetic articles. The
   full ingest pipeline (language detection, NER, embedding, weaving) runs at a few
   articles per second here, so the rows are written in bulk through `Store`:
   short articles made from a few templates, random unit vectors, `--per-story`
   articles per story. It measures serving, not ingesting.
2. Starts ``newsloom.api.server`` in a second process on 127.0.0.1 (free port).
3. Drives ``GET /api/stories`` and then ``POST /api/compare`` (two stored ids) for
   `--seconds` each from a thread pool, at most `--max-requests` each, and prints
   requests/s and p50/p99 latency. Loopback only; bounded in time and count; the
   server process is stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import numpy as np

from newsloom.api.testing import free_port
from newsloom.model import Article, Sentence, Story
from newsloom.store import Store

DIM = 512  # the default encoder's dimension
TEMPLATES = [
    "Officials in {city} said on {day} that the {thing} would reopen after repairs costing {n} million.",
    "Residents of {city} gathered on {day} to protest plans for a new {thing} near the river.",
    "The {thing} in {city} reported {n} visitors in its first week, organisers said on {day}.",
    "A storm damaged the {thing} in {city} on {day}; {n} homes lost power for several hours.",
]
CITIES = ["Ardel", "Brine", "Corvale", "Dunmere", "Elsworth", "Fenwick", "Garrow", "Holt"]
THINGS = ["bridge", "library", "harbour", "market", "stadium", "museum", "station", "school"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def build_db(path: Path, n_articles: int, per_story: int, seed: int = 7) -> None:
    rng, pyrng = np.random.default_rng(seed), random.Random(seed)
    store = Store(path)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    n_stories = max(1, n_articles // per_story)
    with store.transaction() as conn:
        for s in range(n_stories):
            centroid = _unit(rng, 1)[0]
            story = Story(id=f"s-bench{s:06d}", headline="", first_seen=start + timedelta(hours=s),
                          last_seen=start + timedelta(hours=s + per_story), centroid=centroid)
            for k in range(per_story):
                i = s * per_story + k
                sentences = [pyrng.choice(TEMPLATES).format(city=pyrng.choice(CITIES), thing=pyrng.choice(THINGS),
                                                            day=pyrng.choice(DAYS), n=pyrng.randint(2, 90))
                             for _ in range(3)]
                offsets, text = [], ""
                for t in sentences:
                    offsets.append((len(text), len(text) + len(t)))
                    text += t + " "
                title = f"Bench story {s}: {sentences[0][:60]}"
                sent_vecs = _unit(rng, 3) * 0.5 + centroid * 0.5
                sent_vecs /= np.linalg.norm(sent_vecs, axis=1, keepdims=True)
                vec = sent_vecs.mean(axis=0)
                a = Article(id=f"{i:016x}", text=text.strip(), clean_text=text.strip(), title=title,
                            url=f"https://bench.invalid/{i}", source=f"Source {i % 17}", lang="en",
                            lang_confidence=1.0, published=start + timedelta(hours=s + k),
                            sentences=[Sentence(j, t, a0, a1) for j, (t, (a0, a1)) in enumerate(zip(sentences, offsets))],
                            story_id=story.id)
                a.vector, a.title_vector, a.sentence_vectors = vec / np.linalg.norm(vec), sent_vecs[0], sent_vecs
                if k == 0:
                    story.headline = title
                    store.save_story(conn, story, per_story)
                store.insert_article(conn, a, "bench-random", {"decision": "new"} if k == 0 else
                                     {"decision": "join", "story": story.id, "via": f"{s * per_story:016x}",
                                      "probability": 0.9, "cosine": 0.8})
    store.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def drive(name: str, request, seconds: float, threads: int, max_requests: int) -> None:
    deadline = time.monotonic() + seconds
    per_thread = max_requests // threads

    def worker(seed: int) -> tuple[list[float], int]:
        rng, latencies, errors = random.Random(seed), [], 0
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < deadline and len(latencies) + errors < per_thread:
                t = time.perf_counter()
                response = request(client, rng)
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - t)
                else:
                    errors += 1
                    if errors == 1 and seed == 0:
                        print(f"  {name}: {response.status_code} {response.text[:200]}", file=sys.stderr)
        return latencies, errors

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(worker, range(threads)))
    elapsed = time.monotonic() - started
    latencies = [x for lat, _ in results for x in lat]
    errors = sum(e for _, e in results)
    if not latencies:
        print(f"{name:28s} no successful requests ({errors} errors)")
        return
    print(f"{name:28s} {len(latencies) / elapsed:8.1f} req/s   p50 {1000 * statistics.median(latencies):7.1f} ms"
          f"   p99 {1000 * percentile(latencies, 0.99):7.1f} ms   ({len(latencies)} ok, {errors} errors, "
          f"{threads} threads, {elapsed:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "newsloom-bench-api.db")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--per-story", type=int, default=10)
    p.add_argument("--seconds", type=float, default=10.0, help="per endpoint")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--max-requests", type=int, default=50_000, help="per endpoint")
    args = p.parse_args(argv)

    if not args.db.exists():
        t = time.perf_counter()
        build_db(args.db, args.articles, args.per_story)
        print(f"built {args.db} with {args.articles} articles in {time.perf_counter() - t:.1f} s (bulk rows)")
    n = Store(args.db).count_articles()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "newsloom.api.server", "--db", str(args.db), "--port", str(port),
                               "--log-level", "warning"], env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("server did not start", file=sys.stderr)
                return 1
            time.sleep(0.2)
        print(f"server on {base}, {n} articles; {args.threads} client threads, {args.seconds:.0f} s per endpoint")
        ids = [f"{i:016x}" for i in range(n)]
        # warm up (loads the similarity model once) before timing
        httpx.post(base + "/api/compare", json={"a": {"id": ids[0]}, "b": {"id": ids[1]}}, timeout=120)

        def stories(client, rng):
            return client.get(base + "/api/stories", params={"limit": 20, "offset": rng.randrange(0, 200) * 5})

        def compare(client, rng):
            return client.post(base + "/api/compare", json={"a": {"id": rng.choice(ids)}, "b": {"id": rng.choice(ids)}})

        drive("GET /api/stories (20/page)", stories, args.seconds, args.threads, args.max_requests)
        drive("POST /api/compare (ids)", compare, args.seconds, args.threads, args.max_requests)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
