"""Speed of the spaCy NER models (en, fr) with thinc's blis and with numpy's BLAS.

`newsloom.entities.models` routes the NER models' matrix products through numpy's
BLAS (`use_numpy_blas`). This script measures what that buys and checks that it
changes nothing: for the articles of the synthetic stream (benchmarks/stream.py)
and, when present, the SemEval-2022 texts (../shared/data/semeval2022, read at
run time), each language's model runs on the same texts with both backends.
Printed per language and backend: CPU ms per article (best of --repeats passes,
the machine is shared), words per article, and whether every article's entities
(offsets and labels) are identical between the two backends. Also printed: the
spaCy, thinc and blis versions, blis's kernel configuration, one matrix product
of the shape the encoder layers use (384x1280 by 1280x256) timed in both libraries, and
per language the share of sentences (and of their words) with a capitalised word after
the first: what a filter running NER only where a name could be would still give it.

With ``--batch N`` it then compares, on numpy's BLAS, one ``nlp(text)`` call an
article with ``nlp.pipe(texts, batch_size=N)`` (what `SpacyExtractor.extract_many`
does in the engine's workers): CPU ms per article and whether the entities are identical.

BLAS runs on one thread, as in the engine (`Engine(blas_threads=1)`).

Run:  python benchmarks/ner_speed.py [--limit 60] [--repeats 3] [--batch 16]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.dirname(__file__))

from stream import synthetic_stream
from threadpoolctl import threadpool_limits

from newsloom.entities.models import _SPACY_PACKAGES, load_ner_pipeline

WORD = re.compile(r"\w+")
SEMEVAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "semeval2022" / "train_pairs.jsonl"


def texts_by_language(limit: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {lang: [] for lang in _SPACY_PACKAGES}
    for raw in synthetic_stream(4 * limit, 0):
        if raw.lang in out and len(out[raw.lang]) < limit:
            out[raw.lang].append(raw.text)
    if SEMEVAL.exists():
        with SEMEVAL.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                for side in ("1", "2"):
                    lang, text = row.get(f"lang{side}"), row.get(f"text{side}") or ""
                    if lang in out and len(out[lang]) < 2 * limit and len(text.split()) > 50:
                        out[lang].append(text)
    return out


def run(nlp, texts: list[str], repeats: int, batch: int | None = None) -> tuple[float, list]:
    """CPU ms per article (best of `repeats`) and the entities; `batch`: through ``nlp.pipe``."""
    def docs():
        return nlp.pipe(texts, batch_size=batch) if batch else (nlp(t) for t in texts)

    entities = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs()]
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _doc in docs():
            pass
        best = min(best, time.process_time() - start)
    return 1000 * best / len(texts), entities


def name_sentence_share(texts: list[str], lang: str) -> tuple[float, float]:
    """(share of sentences, share of words) in sentences with a capitalised word after the first."""
    from newsloom.sentences import split_sentences

    sentences = kept = words = kept_words = 0
    for text in texts:
        for sentence in split_sentences(text, lang):
            tokens = WORD.findall(sentence.text)
            sentences, words = sentences + 1, words + len(tokens)
            if any(t[:1].isupper() for t in tokens[1:]):
                kept, kept_words = kept + 1, kept_words + len(tokens)
    return kept / max(sentences, 1), kept_words / max(words, 1)


def blis_configuration() -> str:
    """blis prints the kernel set it picks when BLIS_ARCH_DEBUG is set; ask a child."""
    import subprocess

    probe = "import numpy, blis.py as b; x = numpy.ones((4, 4), 'f'); b.gemm(x, x)"
    done = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "BLIS_ARCH_DEBUG": "1"},
                          capture_output=True, text=True, check=False)
    lines = [ln for ln in (done.stdout + done.stderr).splitlines() if "configuration" in ln]
    return lines[0].strip() if lines else "unknown"


def product_ms() -> tuple[float, float]:
    """ms of one 384x1280 by 1280x256 float32 product in blis and in numpy (best of 50)."""
    import numpy as np
    from blis.py import gemm

    rng = np.random.default_rng(0)
    x = rng.random((384, 1280), dtype=np.float32)
    y = rng.random((1280, 256), dtype=np.float32)
    out = []
    for multiply in (lambda: gemm(x, y), lambda: x @ y):
        best = float("inf")
        for _ in range(50):
            start = time.perf_counter()
            multiply()
            best = min(best, time.perf_counter() - start)
        out.append(1000 * best)
    return out[0], out[1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=60, help="articles per language and source")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=None, help="also compare nlp.pipe with this batch size")
    args = ap.parse_args(argv)

    from importlib.metadata import version

    print(f"spaCy {version('spacy')}, thinc {version('thinc')}, blis {version('blis')} "
          f"({blis_configuration()})")
    with threadpool_limits(limits=1, user_api="blas"):
        blis_product, numpy_product = product_ms()
        print(f"one 384x1280 @ 1280x256 product: blis {blis_product:.2f} ms, numpy {numpy_product:.2f} ms")
        print(f"{'lang':<5} {'articles':>8} {'words':>6} {'blis ms':>8} {'numpy ms':>9} {'speed-up':>9} identical")
        for lang, texts in texts_by_language(args.limit).items():
            words = sum(len(t.split()) for t in texts) / len(texts)
            blis_ms, blis_entities = run(load_ner_pipeline(lang, numpy_blas=False), texts, args.repeats)
            numpy_ms, numpy_entities = run(load_ner_pipeline(lang), texts, args.repeats)
            print(f"{lang:<5} {len(texts):>8} {words:>6.0f} {blis_ms:>8.1f} {numpy_ms:>9.1f} "
                  f"{blis_ms / numpy_ms:>8.2f}x {blis_entities == numpy_entities}")
        for lang, texts in texts_by_language(args.limit).items():
            share, word_share = name_sentence_share(texts, lang)
            print(f"{lang}: {share:.0%} of sentences ({word_share:.0%} of words) have a capitalised word after the first")
        if args.batch:
            print(f"numpy BLAS, one call an article against nlp.pipe(batch_size={args.batch}):")
            print(f"{'lang':<5} {'articles':>8} {'one ms':>7} {'pipe ms':>8} {'speed-up':>9} identical")
            for lang, texts in texts_by_language(args.limit).items():
                nlp = load_ner_pipeline(lang)
                one_ms, one_entities = run(nlp, texts, args.repeats)
                pipe_ms, pipe_entities = run(nlp, texts, args.repeats, batch=args.batch)
                print(f"{lang:<5} {len(texts):>8} {one_ms:>7.1f} {pipe_ms:>8.1f} {one_ms / pipe_ms:>8.2f}x "
                      f"{one_entities == pipe_entities}")


if __name__ == "__main__":
    main()
