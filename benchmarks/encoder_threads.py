"""Encoder throughput (sentences/s) by BLAS thread count, on the demo corpus's sentences.

    python benchmarks/encoder_threads.py [--repeat 3]

Run it once on an idle machine and once while another process keeps a core busy
(e.g. `python -c "while True: pass" &`): the default of 1 thread comes from that.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib import resources

from newsloom.embed.use import UniversalSentenceEncoder
from newsloom.sentences import split_sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = resources.files("newsloom") / "data" / "demo" / "articles.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences = [s.text for r in rows for s in split_sentences(r["text"], r["lang"])]
    for threads in (1, 2):
        encoder = UniversalSentenceEncoder(threads=threads)
        encoder.encode(["warm-up"])
        best = 0.0
        for _ in range(args.repeat):
            start = time.perf_counter()
            encoder.encode(sentences)
            best = max(best, len(sentences) / (time.perf_counter() - start))
        print(f"threads {threads}: {best:.0f} sentences/s ({len(sentences)} sentences, best of {args.repeat})")


if __name__ == "__main__":
    main()
