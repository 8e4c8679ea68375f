"""Entity and date accuracy on our own annotated gold set (`newsloom eval entities`).

The gold set (`newsloom/data/gold/entities_<lang>.jsonl`) holds sentences we wrote
and annotated ourselves; each line is
``{"text", "published", "entities": [{"text", "type"}], "dates": [{"text", "date"}]}``.

Entities are scored per language and type by exact span-text match after
whitespace normalisation (the type must match too): precision, recall and F1 over
the multiset of (text, type) pairs of each sentence. A gold date counts as correct
when some resolved `TimeEvent` of the sentence has that date and an expression
that contains the gold text or lies inside it (case-insensitive); date accuracy is
correct / gold dates, and ``spurious`` counts events matching no gold date.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from newsloom.model import ENTITY_TYPES, Article, content_id


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class LanguageScore:
    lang: str
    sentences: int = 0
    by_type: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in ENTITY_TYPES})
    dates_gold: int = 0
    dates_correct: int = 0
    dates_spurious: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def overall(self) -> Counts:
        total = Counts()
        for c in self.by_type.values():
            total.tp += c.tp
            total.fp += c.fp
            total.fn += c.fn
        return total

    @property
    def date_accuracy(self) -> float:
        return self.dates_correct / self.dates_gold if self.dates_gold else 1.0

    def as_dict(self) -> dict[str, Any]:
        def c(x: Counts) -> dict[str, Any]:
            return {"precision": round(x.precision, 4), "recall": round(x.recall, 4), "f1": round(x.f1, 4),
                    "tp": x.tp, "fp": x.fp, "fn": x.fn}

        return {"lang": self.lang, "sentences": self.sentences, "entities": c(self.overall),
                "by_type": {t: c(v) for t, v in self.by_type.items()},
                "dates": {"gold": self.dates_gold, "correct": self.dates_correct,
                          "accuracy": round(self.date_accuracy, 4), "spurious": self.dates_spurious}}


def _norm(text: str) -> str:
    return " ".join(text.split())


def gold_dir() -> Path:
    return Path(str(resources.files("newsloom") / "data" / "gold"))


def load_gold(lang: str, directory: Path | None = None) -> list[dict[str, Any]]:
    path = (directory or gold_dir()) / f"entities_{lang}.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gold_languages(directory: Path | None = None) -> list[str]:
    return sorted(p.stem.split("_", 1)[1] for p in (directory or gold_dir()).glob("entities_*.jsonl"))


def _article(text: str, lang: str, published: str | None) -> Article:
    from newsloom.model import Sentence

    try:
        from newsloom.sentences import split_sentences

        sentences = split_sentences(text, lang)
    except ImportError:  # pragma: no cover - the splitter is another stage's
        sentences = [Sentence(0, text, 0, len(text))]
    when = datetime.fromisoformat(published).replace(tzinfo=UTC) if published else None
    return Article(id=content_id(None, text), text=text, clean_text=text, lang=lang, published=when,
                   sentences=sentences)


def score_language(lang: str, rows: list[dict[str, Any]]) -> LanguageScore:
    from newsloom.dates import resolve_dates
    from newsloom.entities import extract_and_link

    score = LanguageScore(lang)
    for row in rows:
        score.sentences += 1
        article = _article(row["text"], lang, row.get("published"))
        extract_and_link(article)
        predicted = Counter((_norm(m.text), m.type) for m in article.mentions)
        gold = Counter((_norm(e["text"]), e["type"]) for e in row.get("entities", []))
        for t in ENTITY_TYPES:
            p = Counter({k: v for k, v in predicted.items() if k[1] == t})
            g = Counter({k: v for k, v in gold.items() if k[1] == t})
            tp = sum((p & g).values())
            score.by_type[t].tp += tp
            score.by_type[t].fp += sum(p.values()) - tp
            score.by_type[t].fn += sum(g.values()) - tp
        if predicted != gold:
            score.errors.append({"text": row["text"], "missing": sorted(gold - predicted),
                                 "spurious": sorted(predicted - gold)})
        events = resolve_dates(article)
        used: set[int] = set()
        for d in row.get("dates", []):
            score.dates_gold += 1
            want, expr = date.fromisoformat(d["date"]), d["text"].lower()
            hit = next((i for i, e in enumerate(events) if i not in used and e.date == want
                        and (expr in e.expression.lower() or e.expression.lower() in expr)), None)
            if hit is None:
                score.errors.append({"text": row["text"], "date": d,
                                     "got": [(e.expression, e.date.isoformat()) for e in events]})
            else:
                used.add(hit)
                score.dates_correct += 1
        score.dates_spurious += len(events) - len(used)
    return score


def evaluate(langs: list[str] | None = None, directory: Path | None = None) -> list[LanguageScore]:
    return [score_language(lang, load_gold(lang, directory)) for lang in (langs or gold_languages(directory))]


def format_table(scores: list[LanguageScore]) -> str:
    head = f"{'lang':<5}{'n':>4}  {'P':>6}{'R':>6}{'F1':>6}  " + "".join(f"{t + ' F1':>8}" for t in ENTITY_TYPES) \
        + f"  {'dates':>7}{'acc':>7}{'spur':>6}"
    lines = [head, "-" * len(head)]
    for s in scores:
        o = s.overall
        lines.append(f"{s.lang:<5}{s.sentences:>4}  {o.precision:>6.3f}{o.recall:>6.3f}{o.f1:>6.3f}  "
                     + "".join(f"{s.by_type[t].f1:>8.3f}" for t in ENTITY_TYPES)
                     + f"  {s.dates_correct:>3}/{s.dates_gold:<3}{s.date_accuracy:>7.3f}{s.dates_spurious:>6}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`newsloom eval entities [--lang xx ...] [--gold DIR] [--errors] [--json]`."""
    parser = argparse.ArgumentParser(prog="newsloom eval entities", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", action="append", help="language(s) to score (default: every gold file)")
    parser.add_argument("--gold", type=Path, help="folder of entities_<lang>.jsonl files")
    parser.add_argument("--errors", action="store_true", help="print the sentences with errors")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    scores = evaluate(args.lang, args.gold)
    if args.json:
        payload = [s.as_dict() | ({"errors": s.errors} if args.errors else {}) for s in scores]
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(format_table(scores))
    if args.errors:
        for s in scores:
            for e in s.errors:
                print(s.lang, json.dumps(e, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
