"""Story-weaving quality: how well the online assignment matches a gold clustering.

`newsloom eval weave FILE.jsonl` ingests a JSONL file whose lines carry a gold
`story` label (like the bundled demo corpus) into a temporary database, in the
file's order or by publication time, and reports

- pairwise precision, recall and F1 over all article pairs (a pair is positive
  when both articles are in one story), and
- B-cubed precision, recall and F1 (Bagga & Baldwin 1998), which weigh every
  article equally whatever the size of its story.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from itertools import combinations
from pathlib import Path

from newsloom.readers import read_paths


def pairwise_scores(gold: dict[str, str], predicted: dict[str, str]) -> dict[str, float]:
    ids = sorted(set(gold) & set(predicted))
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_gold, same_pred = gold[a] == gold[b], predicted[a] == predicted[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def bcubed_scores(gold: dict[str, str], predicted: dict[str, str]) -> dict[str, float]:
    ids = sorted(set(gold) & set(predicted))
    if not ids:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    pred_clusters: dict[str, set[str]] = {}
    gold_clusters: dict[str, set[str]] = {}
    for i in ids:
        pred_clusters.setdefault(predicted[i], set()).add(i)
        gold_clusters.setdefault(gold[i], set()).add(i)
    p = sum(len(pred_clusters[predicted[i]] & gold_clusters[gold[i]]) / len(pred_clusters[predicted[i]])
            for i in ids) / len(ids)
    r = sum(len(pred_clusters[predicted[i]] & gold_clusters[gold[i]]) / len(gold_clusters[gold[i]])
            for i in ids) / len(ids)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def evaluate_weaving(path: str | Path, *, engine_factory=None, by_time: bool = True) -> dict:
    """Weave the file's articles and score the result against its `story` labels."""
    from newsloom.engine import Engine

    items = [it for it in read_paths([str(path)]) if not hasattr(it, "kind")]
    gold_by_origin = {}
    for item in items:
        label = item.metadata.get("story")
        if label is not None:
            gold_by_origin[item.origin] = str(label)
    if by_time:
        items.sort(key=lambda it: (it.published is None, it.published or 0, it.origin))
    with tempfile.TemporaryDirectory() as tmp:
        engine = engine_factory(Path(tmp) / "eval.db") if engine_factory else Engine(db=Path(tmp) / "eval.db")
        report = engine.ingest_raw(items)
        engine.close()
    gold, predicted = {}, {}
    for result in report.results:
        if result.status == "added" and result.origin in gold_by_origin:
            gold[result.article_id] = gold_by_origin[result.origin]
            predicted[result.article_id] = result.story_id
    return {
        "articles": len(gold),
        "gold_stories": len(set(gold.values())),
        "predicted_stories": len(set(predicted.values())),
        "errors": [str(r.error) for r in report.errors],
        "pairwise": pairwise_scores(gold, predicted),
        "bcubed": bcubed_scores(gold, predicted),
        "largest_predicted": Counter(predicted.values()).most_common(1)[0][1] if predicted else 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsloom eval weave", description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="JSONL with a `story` label per line (default: the demo corpus)")
    parser.add_argument("--file-order", action="store_true", help="ingest in file order, not by publication time")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    path = args.file
    if path is None:
        from importlib import resources

        path = str(resources.files("newsloom") / "data" / "demo" / "articles.jsonl")
    result = evaluate_weaving(path, by_time=not args.file_order)
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"articles {result['articles']}  gold stories {result['gold_stories']}  "
          f"predicted stories {result['predicted_stories']}")
    for name in ("pairwise", "bcubed"):
        s = result[name]
        print(f"{name:<9} precision {s['precision']:.3f}  recall {s['recall']:.3f}  f1 {s['f1']:.3f}")
    for err in result["errors"]:
        print(f"error: {err}", file=sys.stderr)
    return 0
