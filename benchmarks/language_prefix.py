"""How many leading characters language detection needs: agreement with the current
`newsloom.language.MAX_CHARS` and CPU ms per text, for shorter prefixes.

Texts: the demo corpus and, when present, the title + text of every article side of
../shared/data/semeval2022/train_pairs.jsonl (read at run time, nothing stored),
each cleaned and joined as `Pipeline.prepare` does ("title\\nclean text").
An article "agrees" when the prefix gives the same language as the reference
(None counts as a language: unsure must stay unsure).

Run:  python benchmarks/language_prefix.py [--limit 3000] [--prefixes 300,400,500,600,800]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import newsloom.language as language
from newsloom.clean import clean_text
from newsloom.model import RawArticle
from newsloom.readers import read_paths

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "src" / "newsloom" / "data" / "demo" / "articles.jsonl"
SEMEVAL = REPO / ".." / "shared" / "data" / "semeval2022" / "train_pairs.jsonl"


def joined(title: str | None, text: str) -> str:
    """What `Pipeline.prepare` hands to `detect_language`."""
    title = clean_text(title).text.strip() or title.strip() if title else title
    return f"{title or ''}\n{clean_text(text).text}"


def corpora(limit: int) -> dict[str, list[str]]:
    out = {"demo": [joined(r.title, r.text) for r in read_paths([str(DEMO)]) if isinstance(r, RawArticle)]}
    if SEMEVAL.exists():
        texts, seen = [], set()
        with SEMEVAL.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                for side in ("1", "2"):
                    text = row.get(f"text{side}") or ""
                    if text.strip() and text not in seen:
                        seen.add(text)
                        texts.append(joined(row.get(f"title{side}"), text))
                if len(texts) >= limit:
                    break
        out["semeval"] = texts[:limit]
    return out


def detect_all(texts: list[str], max_chars: int) -> tuple[list[str | None], float]:
    saved = language.MAX_CHARS
    language.MAX_CHARS = max_chars
    try:
        t = time.process_time()
        langs = [language.detect_language(x).lang for x in texts]
        return langs, time.process_time() - t
    finally:
        language.MAX_CHARS = saved


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=3000, help="SemEval texts used")
    ap.add_argument("--prefixes", default="300,400,500,600,800")
    args = ap.parse_args(argv)
    language.get_detector()  # the model load is start-up, not per text
    reference_chars = language.MAX_CHARS
    for name, texts in corpora(args.limit).items():
        reference, seconds = detect_all(texts, reference_chars)
        langs = Counter(x or "unsure" for x in reference)
        print(f"{name}: {len(texts)} texts, languages {dict(langs.most_common(8))}")
        print(f"  {reference_chars:>5} chars (current): {1000 * seconds / len(texts):.2f} ms/text")
        for n in [int(x) for x in args.prefixes.split(",")]:
            got, seconds = detect_all(texts, n)
            differ = [(r, g) for r, g in zip(reference, got) if r != g]
            print(f"  {n:>5} chars: {1000 * seconds / len(texts):.2f} ms/text, agreement "
                  f"{1 - len(differ) / len(texts):.4f} ({len(differ)} differ: "
                  f"{dict(Counter(f'{r}->{g}' for r, g in differ).most_common(5))})")


if __name__ == "__main__":
    main()
