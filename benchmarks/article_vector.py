"""Pearson of the article cosine vs human Overall for several pooling settings.

    python benchmarks/article_vector.py [--data DIR] [--no-whole]

Uses the SemEval-2022 training pairs (``original`` rows: the real benchmark
texts; and all rows). Sentence and title vectors come from the similarity cache
(``.cache/similarity``), so only the whole-text variant calls the encoder.
The sign is flipped (1 = same on the SemEval scale), so higher is better.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsloom.embed import ArticleEmbedder, default_encoder  # noqa: E402
from newsloom.similarity.data import DEFAULT_DATA_DIR, load_semeval  # noqa: E402
from newsloom.similarity.prepare import prepare_items  # noqa: E402

SETTINGS = [  # (title_weight, lead_sentences, lead_weight, max_sentences)
    (0.0, 0, 1.0, 40), (1.0, 0, 1.0, 40), (2.0, 0, 1.0, 40), (2.0, 3, 1.5, 40), (1.0, 3, 1.5, 40),
    (3.0, 3, 1.5, 40), (2.0, 3, 2.0, 40), (2.0, 5, 1.5, 40), (2.0, 3, 1.5, 20), (2.0, 3, 1.5, 10),
    (1.0, 3, 2.0, 20), (2.0, 0, 1.0, 5),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(DEFAULT_DATA_DIR))
    ap.add_argument("--no-whole", action="store_true", help="skip the whole-text encoding variant")
    ap.add_argument("--all-rows", action="store_true", help="also the noisy augmented/translated rows")
    args = ap.parse_args(argv)
    pairs = [p for p in load_semeval(args.data) if args.all_rows or p.quality == "original"]
    items, index = [], {}
    for p in pairs:
        for it in (p.a, p.b):
            k = (it.title, it.text, it.lang)
            if k not in index:
                index[k] = len(items)
                items.append(it)
    base = ArticleEmbedder(default_encoder())
    arts = prepare_items(items, base)
    ia = [index[(p.a.title, p.a.text, p.a.lang)] for p in pairs]
    ib = [index[(p.b.title, p.b.text, p.b.lang)] for p in pairs]
    gold = np.array([p.labels["Overall"] for p in pairs])
    orig = np.array([p.quality == "original" for p in pairs])

    def report(label: str, vecs: np.ndarray) -> None:
        cos = np.einsum("ij,ij->i", vecs[ia], vecs[ib])
        r_orig = np.corrcoef(-cos[orig], gold[orig])[0, 1]
        r_all = np.corrcoef(-cos, gold)[0, 1]
        print(f"{label:44s} original {r_orig:.4f}   all rows {r_all:.4f}")

    print(f"{len(pairs)} pairs ({orig.sum()} original)")
    for tw, ls, lw, ms in SETTINGS:
        emb = ArticleEmbedder(base.encoder, title_weight=tw, lead_sentences=ls, lead_weight=lw, max_sentences=ms)
        vecs = np.vstack([emb.pool(a.title_vector, a.sentence_vectors[:ms]) for a in arts])
        report(f"mean: title {tw} lead {ls}x{lw} max {ms}", vecs)
    titles = np.vstack([a.title_vector if a.title_vector is not None else a.vector for a in arts])
    report("title only", titles)
    if not args.no_whole:
        # whole text in one encoder call (USE truncates long inputs itself)
        texts = [f"{a.title or ''}. {a.clean_text[:3000]}" for a in arts]
        whole = base.encoder.encode(texts)
        report("whole text (title + first 3000 chars)", whole)
        report("whole text + mean(2,3x1.5) average", _unit_rows(whole + np.vstack([a.vector for a in arts])))
    return 0


def _unit_rows(m: np.ndarray) -> np.ndarray:
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


if __name__ == "__main__":
    raise SystemExit(main())
