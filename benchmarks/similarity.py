"""Throughput of `SimilarityModel.compare` on ~500-word articles.

    python benchmarks/similarity.py [--pairs N]

Prints pairs/s cold (preparation + embedding + compare, no caches), with stored
embeddings (features + trees + evidence only; target >= 50 pairs/s on 2 cores), and
`same_story` with the per-article signal cache on and cleared before every pair.
The articles are synthetic (own sentences, shuffled), so no third-party text is used.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsloom.similarity.model import SimilarityModel  # noqa: E402
from newsloom.similarity.prepare import TextItem, prepare_items  # noqa: E402

SENTENCES = [
    "The city council of Bristol voted on Tuesday to expand the tram network by 12 kilometres.",
    "Mayor Anna Keller said the first new line would open in March 2027.",
    "Opposition members argued that the budget of 340 million euros was unrealistic.",
    "Residents near the planned depot have collected 4,500 signatures against it.",
    "The transport authority expects 60,000 extra passengers a day once all lines run.",
    "Construction firms from Germany and Spain have bid for the contract.",
    "A final decision on the route through the old harbour is due in June.",
    "Environmental groups welcomed the plan but asked for more cycle lanes.",
    "The national government has promised to cover a third of the cost.",
    "Traffic on the main ring road has grown by eight percent since 2020.",
]


def article(rng: random.Random, words: int = 500) -> TextItem:
    out: list[str] = []
    while sum(len(s.split()) for s in out) < words:
        out.append(rng.choice(SENTENCES))
    return TextItem(rng.choice(SENTENCES)[:60], " ".join(out), "en")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=100)
    args = ap.parse_args(argv)
    rng = random.Random(1)
    model = SimilarityModel.load_default()
    items = [article(rng) for _ in range(2 * args.pairs)]
    prepare_items(items[:2], use_cache=False)  # load the encoder and entity models first
    t = time.perf_counter()
    arts = prepare_items(items, use_cache=False)
    for i in range(args.pairs):
        model.compare(arts[2 * i], arts[2 * i + 1])
    cold = args.pairs / (time.perf_counter() - t)
    t = time.perf_counter()
    n = 0
    for i in range(args.pairs):
        for j in (1, 3):
            model.compare(arts[2 * i], arts[(2 * i + j) % len(arts)])
            n += 1
    warm = n / (time.perf_counter() - t)
    print(f"~500-word articles, {args.pairs} pairs")
    print(f"cold (prepare + embed + compare): {cold:.1f} pairs/s")
    print(f"stored embeddings (compare only): {warm:.1f} pairs/s")
    # the weaver's pattern: one article against many; the per-article signal cache
    # (features.article_signals) saves the token regexes on every repeat
    from newsloom.similarity import features

    for label, clear in (("same_story, signal cache on", False), ("same_story, signal cache cleared per pair", True)):
        features._SIGNALS.clear()
        features._token_sets.cache_clear()
        t = time.perf_counter()
        n = 0
        for i in range(len(arts)):
            for j in range(1, 6):
                if clear:
                    features._SIGNALS.clear()
                    features._token_sets.cache_clear()
                model.same_story(arts[i], arts[(i + j) % len(arts)])
                n += 1
        print(f"{label}: {n / (time.perf_counter() - t):.1f} pairs/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
