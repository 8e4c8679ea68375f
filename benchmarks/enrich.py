"""Throughput of the enrichment stage: entity extraction + linking + date resolution.

Builds N synthetic ~300-word articles per language from the sentences of our own
gold set (shuffled, so each article differs), warms every extractor up once (model
and gazetteer loading is reported separately), then times
`extract_and_link` + `resolve_dates` over all articles.

    python benchmarks/enrich.py [-n 40] [--langs en,fr,de,ru,zh,ar,es,tr]

Prints load time, articles/s and peak RSS (resource.getrusage). Target: >= 20
articles/s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from datetime import UTC, datetime

from newsloom.dates import resolve_dates
from newsloom.entities import extract_and_link
from newsloom.evaluation.entities import load_gold
from newsloom.model import Article, content_id
from newsloom.sentences import split_sentences


def synthetic_articles(lang: str, n: int, words: int = 300, seed: int = 7) -> list[Article]:
    rows = [r["text"] for r in load_gold(lang)]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts: list[str] = []
        size = 0
        while size < words:
            sentence = rng.choice(rows)
            parts.append(sentence)
            size += len(sentence.split()) if lang not in ("zh", "ja") else len(sentence) // 2
        text = ("" if lang in ("zh", "ja") else " ").join(parts)
        out.append(Article(id=content_id(None, text), text=text, clean_text=text, lang=lang,
                           published=datetime(2024, 3, 6, tzinfo=UTC),
                           sentences=split_sentences(text, lang)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=40, help="articles per language")
    parser.add_argument("--langs", default="en,fr,de,es,ru,zh,ar,tr")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads (1: per-article matrices are small, more threads only contend)")
    args = parser.parse_args()
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads)
    except ImportError:  # optional: without it BLAS keeps its default thread count
        pass
    langs = args.langs.split(",")
    start = time.perf_counter()
    for lang in langs:  # warm-up: load the models and the gazetteer once
        extract_and_link(synthetic_articles(lang, 1, seed=1)[0])
    load = time.perf_counter() - start
    articles = [a for lang in langs for a in synthetic_articles(lang, args.n)]
    per_lang: dict[str, float] = {}
    start = time.perf_counter()
    mentions = events = 0
    for a in articles:
        t = time.perf_counter()
        extract_and_link(a)
        events += len(resolve_dates(a))
        mentions += len(a.mentions)
        per_lang[a.lang] = per_lang.get(a.lang, 0.0) + time.perf_counter() - t
    elapsed = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"load (models + gazetteer): {load:.1f} s")
    print(f"articles: {len(articles)} ({args.n} x {len(langs)} languages, ~300 words each)")
    print(f"mentions: {mentions}, time events: {events}")
    print(f"throughput: {len(articles) / elapsed:.1f} articles/s ({elapsed:.2f} s)")
    print("per language (articles/s): " + ", ".join(f"{lang} {args.n / t:.0f}" for lang, t in per_lang.items()))
    print(f"peak RSS: {peak_mib:.0f} MiB; load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
