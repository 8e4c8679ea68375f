"""What `Pipeline(ner_sentences=N)` keeps of the entity stage, and what it saves.

For the articles in the model languages (en, fr: spaCy; ru: Natasha) of the demo
corpus, the synthetic stream of benchmarks/stream.py and, when present, the
SemEval-2022 texts (../shared/data/semeval2022/train_pairs.jsonl, read at run
time), the entity stage runs once on the whole text and once per N. Printed per
language and N: CPU ms per article of the entity stage, and the linked entity ids
kept, as recall and precision against the full run (micro over articles; an id
counts once per article). Rules and the gazetteer read the whole text either way.

Run:  python benchmarks/ner_sentences.py [--limit 150] [--n 2,4,8]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.dirname(__file__))

from stream import synthetic_stream

from newsloom.entities import extract_and_link
from newsloom.errors import NewsloomError
from newsloom.model import Article, RawArticle
from newsloom.parallel import _warm_up
from newsloom.pipeline import Pipeline
from newsloom.readers import read_paths

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "src" / "newsloom" / "data" / "demo" / "articles.jsonl"
SEMEVAL = REPO / ".." / "shared" / "data" / "semeval2022" / "train_pairs.jsonl"
MODEL_LANGUAGES = ("en", "fr", "ru")


def raw_articles(limit: int) -> dict[str, list[RawArticle]]:
    out = {"demo": [r for r in read_paths([str(DEMO)]) if isinstance(r, RawArticle)],
           "synthetic": synthetic_stream(128, 0)}
    if SEMEVAL.exists():
        per_lang: dict[str, list[RawArticle]] = defaultdict(list)
        with SEMEVAL.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                for side in ("1", "2"):
                    lang, text = row.get(f"lang{side}"), row.get(f"text{side}") or ""
                    if lang in MODEL_LANGUAGES and len(per_lang[lang]) < limit and len(text.split()) > 50:
                        per_lang[lang].append(RawArticle(text=text, title=row.get(f"title{side}"), lang=lang))
        out["semeval"] = [r for rows in per_lang.values() for r in rows]
    return out


def prepared(pipeline: Pipeline, raws: list[RawArticle]) -> list[Article]:
    out = []
    for raw in raws:
        try:
            article, _ = pipeline.prepare(raw)
        except NewsloomError:
            continue
        if article.lang in MODEL_LANGUAGES:
            out.append(article)
    return out


def entity_ids(article: Article, ner_sentences: int | None) -> tuple[set[str], float]:
    t = time.process_time()
    extract_and_link(article, ner_sentences=ner_sentences)
    return {m.entity_id for m in article.mentions if m.entity_id}, time.process_time() - t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=150, help="SemEval articles per language")
    ap.add_argument("--n", default="2,4,8", help="values of ner_sentences")
    args = ap.parse_args(argv)
    limits = [int(x) for x in args.n.split(",")]
    pipeline = Pipeline(enrich=False)
    _warm_up(Pipeline(enrich=True))  # the NER models load once, before anything is timed
    for corpus, raws in raw_articles(args.limit).items():
        articles = prepared(pipeline, raws)
        by_lang: dict[str, list[Article]] = defaultdict(list)
        for a in articles:
            by_lang[a.lang].append(a)
        for lang, group in sorted(by_lang.items()):
            sentences = sum(len(a.sentences) for a in group) / len(group)
            entity_ids(group[0], None)  # a model that loads on first use (Natasha) is not timed
            full, full_seconds = zip(*(entity_ids(a, None) for a in group))
            print(f"{corpus} {lang}: {len(group)} articles, mean {sentences:.0f} sentences; "
                  f"all sentences {1000 * sum(full_seconds) / len(group):.1f} ms/article")
            for n in limits:
                got, seconds = zip(*(entity_ids(a, n) for a in group))
                kept = sum(len(f & g) for f, g in zip(full, got))
                recall = kept / max(1, sum(len(f) for f in full))
                precision = kept / max(1, sum(len(g) for g in got))
                print(f"  N={n:<3} {1000 * sum(seconds) / len(group):6.1f} ms/article; entity ids vs all: "
                      f"recall {recall:.3f} precision {precision:.3f}")


if __name__ == "__main__":
    main()
