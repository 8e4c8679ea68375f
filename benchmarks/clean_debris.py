"""What `clean_text` removes from real scraped news, and what boilerplate it still keeps.

Reads the article texts of ../shared/data/semeval2022/train_pairs.jsonl at run time
(nothing third-party is stored in the repository; skipped when absent) and prints:
how many texts lose at least one line, removed lines per reason, and the kept lines
that recur most across different texts (candidates for new debris patterns: a line
in many unrelated articles is site furniture, not news).

Run:  python benchmarks/clean_debris.py [--top 30]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from newsloom.clean import clean_text, debris_reason

SEMEVAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "semeval2022" / "train_pairs.jsonl"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(SEMEVAL))
    ap.add_argument("--top", type=int, default=30, help="recurring kept lines to print")
    args = ap.parse_args(argv)
    if not Path(args.data).exists():
        print(f"skipped: {args.data} not found")
        return
    texts = set()
    with open(args.data, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts.update(row[k] for k in ("text1", "text2") if row.get(k))
    reasons: Counter[str] = Counter()
    kept_lines: Counter[str] = Counter()
    changed = 0
    for text in texts:
        result = clean_text(text)
        changed += bool(result.removed)
        for removed in result.removed:
            # the line's own reason; footer lines and inline fragments have none of their own
            reasons[debris_reason(removed) or "footer / inline"] += 1
        kept_lines.update({ln.strip() for ln in result.text.split("\n") if ln.strip()})
    print(f"{len(texts)} distinct texts, {changed} with at least one line removed")
    print("removed lines by reason:")
    for reason, n in reasons.most_common():
        print(f"  {reason:18s} {n:6d}")
    print(f"kept lines found in the most texts (top {args.top}):")
    for line, n in kept_lines.most_common(args.top):
        print(f"  {n:4d}  {line[:110]!r}")


if __name__ == "__main__":
    main()
