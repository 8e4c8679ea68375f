"""Backfill throughput: articles/s of the local engine and of Spark local mode, 1 vs 2 executor cores.

The corpus is the demo corpus replicated ``--copies`` times, each copy shifted by
whole weeks and re-titled (so every copy is a distinct article in its own time
window and prepare group). Each Spark session first runs a warm-up backfill on
the plain demo corpus, so the timed run measures steady state: the models are
already loaded in the Python workers, as they are after the first task of an
executor on a cluster. Model loading is printed separately (per-executor fixed cost).

Run:
    python benchmarks/backfill.py                 # 8 copies (248 articles), enrich on
    python benchmarks/backfill.py --copies 4 --no-enrich
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from newsloom.backfill import job
from newsloom.backfill.local import run_local

DEMO = Path(str(resources.files("newsloom") / "data" / "demo" / "articles.jsonl"))


def make_corpus(folder: Path, copies: int) -> int:
    records = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]
    n = 0
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for k in range(copies):
            for r in records:
                r2 = dict(r)
                r2["title"] = f"{r['title']} [{k}]"
                r2["url"] = f"{r['url']}?copy={k}"
                r2["published"] = (datetime.fromisoformat(r["published"]) + timedelta(weeks=k)).isoformat()
                fh.write(json.dumps(r2, ensure_ascii=False) + "\n")
                n += 1
    return n


def spark_rate(cores: int, corpus: Path, n: int, config: job.BackfillConfig, work: Path) -> dict:
    from newsloom.backfill.spark import run_spark, spark_session

    t0 = time.perf_counter()
    spark = spark_session(f"local[{cores}]", conf={"spark.sql.shuffle.partitions": str(2 * cores)})
    spark.sparkContext.setLogLevel("ERROR")
    session_s = time.perf_counter() - t0
    try:
        t1 = time.perf_counter()
        run_spark([str(DEMO)], str(work / f"warm{cores}"), config, spark=spark, partitions=2 * cores)
        warm_s = time.perf_counter() - t1
        t2 = time.perf_counter()
        summary = run_spark([str(corpus)], str(work / f"spark{cores}"), config, spark=spark, partitions=2 * cores)
        run_s = time.perf_counter() - t2
    finally:
        spark.stop()
    return {"cores": cores, "articles": summary.articles, "seconds": round(run_s, 1),
            "articles_per_s": round(n / run_s, 2), "session_start_s": round(session_s, 1),
            "warm_up_s (31 articles + model loading)": round(warm_s, 1)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--copies", type=int, default=8)
    p.add_argument("--no-enrich", action="store_true")
    p.add_argument("--skip-spark", action="store_true")
    args = p.parse_args()
    config = job.BackfillConfig(enrich=not args.no_enrich)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        n = make_corpus(work, args.copies)
        print(f"corpus: {n} articles ({args.copies} shifted copies of the demo corpus), enrich={config.enrich}")

        run_local([str(DEMO)], work / "warm-local", config)  # load the models once
        t = time.perf_counter()
        summary = run_local([str(work / "corpus.jsonl")], work / "local", config)
        local_s = time.perf_counter() - t
        print(f"local engine (1 process): {n / local_s:.2f} articles/s ({local_s:.1f} s, "
              f"{summary.stories} stories, {summary.windows} windows)")
        if args.skip_spark:
            return
        one = spark_rate(1, work / "corpus.jsonl", n, config, work)
        two = spark_rate(2, work / "corpus.jsonl", n, config, work)
        for r in (one, two):
            print(f"spark local[{r['cores']}]: {r['articles_per_s']} articles/s ({r['seconds']} s); "
                  f"session start {r['session_start_s']} s, warm-up {r['warm_up_s (31 articles + model loading)']} s")
        print(f"scaling 1 -> 2 executor cores: x{two['articles_per_s'] / one['articles_per_s']:.2f} "
              f"(per core at 1 core: {one['articles_per_s']:.2f} articles/s)")


if __name__ == "__main__":
    main()
