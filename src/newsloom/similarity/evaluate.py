"""Evaluation commands for the similarity model.

* ``newsloom eval similarity FILE.jsonl [--json]`` -> `main_similarity`: pooled Pearson
  on Overall (the SemEval-2022 Task 8 metric), per language pair and per dimension,
  with the raw article-cosine baseline beside it (cosine is negated, since 1 = same).
* both take ``--model PATH`` to evaluate another artefact, e.g. the one written by
  ``newsloom train similarity --holdout-dev --out PATH`` (the honest dev figure).
* ``newsloom eval samestory FILE.jsonl [--json]`` -> `main_samestory`: precision,
  recall and F1 of the same-story decision (fields ``title1, text1, title2, text2,
  same``; optional ``lang1, lang2, date1, date2``).
* ``newsloom data convert-samestory TSV -o OUT.jsonl`` -> `main_convert`.
* ``newsloom data semeval-dev -o dev.jsonl [--data DIR]`` -> `main_export_dev`: writes
  the dev split so the dev figures are reproducible with ``eval similarity``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from newsloom.similarity.data import DEFAULT_DATA_DIR, DIMENSIONS, Pair, pair_from_row, pair_to_row, read_pairs


def _pearson(x, y) -> float:
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _r(x: float) -> float | None:
    return None if x != x else round(x, 4)


def _lang_of(value: str | None) -> str | None:
    return value or None


def _load_model(path: str | None):
    from newsloom.similarity.model import SimilarityModel

    return SimilarityModel.load(path) if path else SimilarityModel.load_default()


def _score_pairs(pairs: list[Pair], model=None, embedder=None):
    from newsloom.similarity.model import SimilarityModel
    from newsloom.similarity.train import featurise

    model = model or SimilarityModel.load_default()
    X = featurise(pairs, embedder, model.head_centres)
    preds = model.predict(X)
    return X, preds


def similarity_report(pairs: list[Pair], model=None) -> dict:
    """Pearson figures and per-pair predictions for labelled pairs."""
    from newsloom.similarity.features import FEATURE_NAMES

    model_used = model or _load_model(None)
    X, preds = _score_pairs(pairs, model_used)
    cos = X[:, FEATURE_NAMES.index("cos_article")]
    labelled = np.array(["Overall" in p.labels for p in pairs])
    gold = {d: np.array([p.labels.get(d, np.nan) for p in pairs]) for d in DIMENSIONS}
    report: dict = {"pairs": len(pairs), "scored_with_head_trees": int(model_used.uses_head(X).sum())}
    if labelled.sum() >= 2:
        m = labelled
        report["pearson_overall"] = _r(_pearson(preds["Overall"][m], gold["Overall"][m]))
        report["cosine_pearson_overall"] = _r(_pearson(-cos[m], gold["Overall"][m]))
        report["per_dimension"] = {}
        for d in DIMENSIONS:
            md = m & ~np.isnan(gold[d])
            report["per_dimension"][d] = _r(_pearson(preds[d][md], gold[d][md]))
        groups: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(pairs):
            if m[i]:
                groups[p.lang_pair].append(i)
        report["per_language"] = {
            lang: {"n": len(ix), "pearson": _r(_pearson(preds["Overall"][ix], gold["Overall"][ix])),
                   "cosine": _r(_pearson(-cos[ix], gold["Overall"][ix]))}
            for lang, ix in sorted(groups.items())}
    else:
        report["pearson_overall"] = None
    report["predictions"] = [
        {"pair_id": p.pair_id, **{d: round(float(preds[d][i]), 4) for d in DIMENSIONS}}
        for i, p in enumerate(pairs)]
    return report


def main_similarity(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="newsloom eval similarity")
    ap.add_argument("file", help="JSONL in the train_pairs format (optional date1, date2)")
    ap.add_argument("--json", action="store_true", help="print a JSON report with predictions")
    ap.add_argument("--model", default=None, help="model JSON to evaluate (default: the shipped one)")
    args = ap.parse_args(argv)
    pairs = read_pairs(args.file)
    report = similarity_report(pairs, _load_model(args.model))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"pairs: {report['pairs']} ({report['scored_with_head_trees']} scored with the head trees)")
    if report.get("pearson_overall") is None:
        print("no labels: nothing to correlate (use --json for predictions)")
        return 0
    print(f"Pearson Overall: {report['pearson_overall']}   raw cosine baseline: {report['cosine_pearson_overall']}")
    print("per dimension: " + ", ".join(f"{d} {v}" for d, v in report["per_dimension"].items()))
    print(f"{'language':10s} {'n':>5s} {'model':>8s} {'cosine':>8s}")
    for lang, v in report["per_language"].items():
        print(f"{lang:10s} {v['n']:5d} {v['pearson']!s:>8s} {v['cosine']!s:>8s}")
    return 0


# --- same story --------------------------------------------------------------------------


def convert_samestory(tsv_path: str | Path) -> list[dict]:
    """Rows of a samestory TSV pool as dicts ``title1, text1, title2, text2, same``.

    The language is not in the TSV; it is left for detection (``lang1``/``lang2`` None),
    except that a file name starting with a language code (``ru_...``) sets it.
    """
    csv.field_size_limit(1 << 30)
    name = Path(tsv_path).name
    lang = name.split("_", 1)[0] if "_" in name and len(name.split("_", 1)[0]) == 2 else None
    out = []
    with open(tsv_path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh, delimiter="\t")):
            quality = (row.get("GOLDEN:quality") or "").strip().upper()
            if quality not in ("OK", "BAD"):
                continue
            out.append({
                "pair_id": row.get("TASK:id") or f"{name}:{i}",
                "title1": row.get("INPUT:first_title") or "", "text1": row.get("INPUT:first_text") or "",
                "title2": row.get("INPUT:second_title") or "", "text2": row.get("INPUT:second_text") or "",
                "lang1": lang, "lang2": lang, "same": quality == "OK",
            })
    return out


def samestory_row_to_pair(row: dict) -> Pair:
    return pair_from_row({k: v for k, v in row.items() if k != "same"} | {"quality": "samestory"})


def samestory_scores(rows: list[dict], model=None, embedder=None, detail: bool = False) -> dict:
    """Precision, recall and F1 of the join-or-new decision on labelled pairs (`embedder`:
    an `ArticleEmbedder` other than the default, e.g. one that embeds fewer sentences).
    With `detail`, also ``decisions``: per pair (in file order) its titles, the gold label,
    the decision, the predicted Overall, the threshold it was held against and the
    `title_contrast`, which is what to read when a pair near the threshold flips."""
    from newsloom.similarity.model import SimilarityModel

    from newsloom.similarity.train import featurise_with_contrast

    model = model or SimilarityModel.load_default()
    pairs = [samestory_row_to_pair(r) for r in rows]
    X, contrast = featurise_with_contrast(pairs, embedder, model.head_centres)
    overall = model.predict(X, ("Overall",))["Overall"]
    head = model.uses_head(X)
    decided = [model.same_story_from_overall(o, c, bool(h))[0] for o, c, h in zip(overall, contrast, head)]
    gold = [bool(r["same"]) for r in rows]
    tp = sum(d and g for d, g in zip(decided, gold))
    fp = sum(d and not g for d, g in zip(decided, gold))
    fn = sum(g and not d for d, g in zip(decided, gold))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    thresholds = np.where(head, model.head_threshold, model.same_story_threshold)
    vetoed = int(sum(o <= t and not d for o, t, d in zip(overall, thresholds, decided)))
    scores = {"pairs": len(rows), "precision": round(precision, 4), "recall": round(recall, 4),
              "f1": round(f1, 4), "threshold": model.head_threshold if head.all() and len(head) else
              model.same_story_threshold, "scored_with_head_trees": int(head.sum()),
              "vetoed_by_title_contrast": vetoed}
    if detail:
        scores["decisions"] = [
            {"pair": i, "title1": p.a.title, "title2": p.b.title, "same": g, "decided": d,
             "overall": round(float(o), 3), "threshold": round(float(t), 3), "title_contrast": round(float(c), 3)}
            for i, (p, g, d, o, t, c) in enumerate(zip(pairs, gold, decided, overall, thresholds, contrast))]
    return scores


def _decision_line(d: dict) -> str:
    outcome = {(True, True): "join, same", (True, False): "JOIN, different", (False, True): "NEW, same",
               (False, False): "new, different"}[(d["decided"], d["same"])]
    return (f"{d['pair']:4d}  {outcome:15s}  Overall {d['overall']:.3f} (<= {d['threshold']:.3f} joins)  "
            f"title contrast {d['title_contrast']:+.2f}  | {d['title1'] or ''} || {d['title2'] or ''}")


def _read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main_samestory(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="newsloom eval samestory")
    ap.add_argument("file", help="JSONL with title1, text1, title2, text2, same (or a samestory TSV)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--model", default=None, help="model JSON to evaluate (default: the shipped one)")
    ap.add_argument("--pairs", action="store_true",
                    help="also each pair's decision, predicted Overall, threshold and title contrast "
                         "(a line per pair; with --json a list under 'decisions')")
    args = ap.parse_args(argv)
    rows = convert_samestory(args.file) if args.file.endswith(".tsv") else _read_jsonl(args.file)
    scores = samestory_scores(rows, _load_model(args.model), detail=args.pairs)
    if args.json:
        print(json.dumps(scores, ensure_ascii=False))
    else:
        for d in scores.pop("decisions", []):
            print(_decision_line(d))
        print(" ".join(f"{k}: {v}" for k, v in scores.items()))
    return 0


def main_convert(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="newsloom data convert-samestory")
    ap.add_argument("tsv")
    ap.add_argument("-o", "--out", required=True)
    args = ap.parse_args(argv)
    rows = convert_samestory(args.tsv)
    with open(args.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} pairs to {args.out}", file=sys.stderr)
    return 0


def main_export_dev(argv: list[str] | None = None) -> int:
    from newsloom.similarity.data import dev_split, load_semeval

    ap = argparse.ArgumentParser(prog="newsloom data semeval-dev")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--data", default=str(DEFAULT_DATA_DIR))
    ap.add_argument("--dates-from-urls", action="store_true",
                    help="write date1/date2 from the day in each article's URL where the row has none")
    ap.add_argument("--estimated-dates", action="store_true",
                    help="write date1/date2 from the URL day or the estimated one "
                         "(similarity.data.estimated_publication_dates)")
    args = ap.parse_args(argv)
    _, dev = dev_split(load_semeval(args.data, dates_from_urls=args.dates_from_urls,
                                    estimated_dates=args.estimated_dates))
    with open(args.out, "w", encoding="utf-8") as fh:
        for p in dev:
            fh.write(json.dumps(pair_to_row(p), ensure_ascii=False) + "\n")
    print(f"wrote {len(dev)} dev pairs to {args.out}", file=sys.stderr)
    return 0
