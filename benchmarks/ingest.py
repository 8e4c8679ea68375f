"""Ingest throughput: articles/s end to end and peak memory.

    python benchmarks/ingest.py --n 300

Articles are the bundled demo corpus (our own text) repeated with a distinct
numbered sentence appended, so every copy is a new article and stories form as
they would in a real stream. The figure includes model loading unless --warm is
given (then one article per language, in another database, loads every model
first and is not counted).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import timedelta
from importlib import resources
from pathlib import Path

from newsloom import Engine, RawArticle
from newsloom.readers import parse_date


def demo_articles(n: int) -> list[RawArticle]:
    path = resources.files("newsloom") / "data" / "demo" / "articles.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for i in range(n):
        row = rows[i % len(rows)]
        copy = i // len(rows)
        published = parse_date(row.get("published"))
        if published is not None:
            published += timedelta(days=7 * copy)  # later copies are later events
        out.append(RawArticle(text=f"{row['text']}\nUpdate {copy}: reporters followed the story for edition {copy}.",
                              title=row.get("title"), source=row.get("source"), lang=row.get("lang"),
                              published=published, url=f"{row['url']}?copy={copy}", origin=f"bench:{i}"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--warm", action="store_true", help="load models before timing")
    args = parser.parse_args(argv)
    items = demo_articles(args.n)
    words = sum(len(a.text.split()) for a in items) / args.n
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(db=Path(tmp) / "bench.db")
        if args.warm:
            one_per_language = {a.lang: a for a in items}
            warm = Engine(db=Path(tmp) / "warm.db", encoder=engine.pipeline.encoder, similarity=engine.similarity)
            warm.ingest_raw(list(one_per_language.values()))
            warm.close()
            engine.pipeline.times.seconds.clear()
        start = time.perf_counter()
        report = engine.ingest_raw(items)
        elapsed = time.perf_counter() - start
        stages = dict(engine.pipeline.times.seconds)
        stories = engine.store.count_stories()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles            {args.n} (~{words:.0f} words each), added {len(report.added)}, "
          f"errors {len(report.errors)}, stories {stories}")
    print(f"elapsed             {elapsed:.1f} s ({'warm' if args.warm else 'including model loading'})")
    print(f"throughput          {args.n / elapsed:.1f} articles/s")
    print(f"peak RSS            {peak_mb:.0f} MB")
    accounted = sum(stages.values())
    print("stage seconds       " + "  ".join(f"{k} {v:.1f}" for k, v in sorted(stages.items(), key=lambda kv: -kv[1]))
          + f"  weave+store {max(elapsed - accounted, 0):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
