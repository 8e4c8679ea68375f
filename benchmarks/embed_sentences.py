"""Quality cost of embedding fewer sentences per article at ingest (`Engine(embed_sentences=K)`).

For each K (None = the embedder's default cap of 40 sentences, i.e. the full article):

* same-story P / R / F1 of the shipped similarity model on a samestory pool
  (default ../shared/data/samestory/ru_control_pool.tsv), the pairs prepared as
  `newsloom eval samestory` prepares them (`similarity.train.featurise`), but
  with an `ArticleEmbedder(max_sentences=K)`;
* demo weaving (`newsloom eval weave` on the bundled demo corpus) with
  `Engine(embed_sentences=K)`: stories, pairwise and B-cubed P / R / F1;
* the texts the encoder saw per article (title + sentences), mean.

Run:  python benchmarks/embed_sentences.py [--k none 12 8 5 3] [--pool PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

REPO = Path(__file__).resolve().parents[1]
POOL = REPO / ".." / "shared" / "data" / "samestory" / "ru_control_pool.tsv"


def samestory_f1(pool: Path, k: int | None) -> dict:
    from newsloom.embed import ArticleEmbedder, default_encoder
    from newsloom.similarity.evaluate import convert_samestory, samestory_scores

    embedder = ArticleEmbedder(default_encoder(), **({"max_sentences": k} if k else {}))
    return samestory_scores(convert_samestory(pool), embedder=embedder)


def demo_weaving(k: int | None) -> dict:
    from importlib import resources

    from newsloom.engine import Engine
    from newsloom.evaluation.weave import evaluate_weaving

    seen: list[int] = []

    def factory(db):
        engine = Engine(db=db, embed_sentences=k)
        encoder = engine.pipeline.encoder
        original = encoder.encode

        def counting(texts):
            seen.append(len(texts))
            return original(texts)

        encoder.encode = counting
        factory.engine = engine
        return engine

    path = str(resources.files("newsloom") / "data" / "demo" / "articles.jsonl")
    try:
        result = evaluate_weaving(path, engine_factory=factory)
    finally:
        del factory.engine.pipeline.encoder.encode  # the counting wrapper was an instance attribute
    result["texts_per_article"] = sum(seen) / max(result["articles"], 1)
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", nargs="+", default=["none", "12", "8", "5", "3"],
                    help="sentence caps to compare ('none' = default, full article)")
    ap.add_argument("--pool", default=str(POOL))
    ap.add_argument("--skip-samestory", action="store_true")
    args = ap.parse_args(argv)
    ks = [None if k.lower() == "none" else int(k) for k in args.k]
    print(f"{'K':>5} | {'samestory P':>11} {'R':>6} {'F1':>6} | {'demo stories':>12} {'pair P':>7} {'R':>6} "
          f"{'F1':>6} {'B3 F1':>6} {'texts/art':>9} | s")
    for k in ks:
        t = time.perf_counter()
        ss = samestory_f1(Path(args.pool), k) if not args.skip_samestory and Path(args.pool).exists() else None
        demo = demo_weaving(k)
        pw, b3 = demo["pairwise"], demo["bcubed"]
        ss_txt = f"{ss['precision']:>11.3f} {ss['recall']:>6.3f} {ss['f1']:>6.3f}" if ss else f"{'-':>11} {'-':>6} {'-':>6}"
        print(f"{str(k or 'all'):>5} | {ss_txt} | {demo['predicted_stories']:>12} {pw['precision']:>7.3f} "
              f"{pw['recall']:>6.3f} {pw['f1']:>6.3f} {b3['f1']:>6.3f} {demo['texts_per_article']:>9.1f} | "
              f"{time.perf_counter() - t:.0f}", flush=True)
    if ss:
        print(f"# samestory pool: {args.pool} ({ss['pairs']} labelled pairs)")


if __name__ == "__main__":
    main()
