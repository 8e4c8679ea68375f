"""Same-story F1 of the weaver with the exact index vs the HNSW and usearch indexes (and compact members).

Articles are prepared and embedded once (`Pipeline`), then woven once per index by a
`StoryWeaver` that differs only in its candidate index, so any F1 difference
is the index's doing.

Corpora:
  * demo: src/newsloom/data/demo/articles.jsonl, gold clustering = its `story`
    field; pairwise F1 over all article pairs.
  * samestory (if ../shared/data/samestory is present): the labelled pairs'
    articles are streamed in a shuffled order; a pair is predicted "same story"
    when both articles end in the same story; F1 of the OK label over the pairs.

The judge is the trained similarity model when it is shipped, else the cosine
baseline (printed). Pipeline options that change what is prepared (``--ner-sentences``,
``--embed-sentences``) apply to every corpus; the last line is `newsloom eval weave` on
the demo corpus through an `Engine` with the same options. Run:
    python benchmarks/index_quality.py [--pairs 120] [--ner-sentences N] [--embed-sentences K]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.dirname(__file__))

from stream import enrich_available, make_judge

from newsloom.index import make_index
from newsloom.model import Article, ItemError, RawArticle
from newsloom.pipeline import Pipeline
from newsloom.readers import read_paths
from newsloom.weave import StoryWeaver

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "src" / "newsloom" / "data" / "demo" / "articles.jsonl"
SAMESTORY = REPO / ".." / "shared" / "data" / "samestory"
POOL_DAY = datetime(2020, 5, 15, 12, tzinfo=UTC)  # the pools are from spring 2020
#: name -> (index kind, index params, member dtype); "exact" with float32 members is the former exact path
INDEXES = {"exact": ("exact", {}, "float32"), "hnsw": ("hnsw", {"M": 16, "ef": 128}, "float32"),
           "hnsw+int8": ("hnsw", {"M": 16, "ef": 128}, "int8"),  # int8: the weaver's default MemberStore
           # buffer_size 0: these corpora have fewer stories than the default write buffer (1024, exact
           # float32 search), so the rows above never search a graph; these two write into the graph itself
           "hnsw+int8 graph": ("hnsw", {"M": 16, "ef": 128, "buffer_size": 0}, "int8"),
           # int8 graph vectors too
           "usearch+int8": ("usearch", {"connectivity": 16, "expansion_search": 128, "buffer_size": 0}, "int8")}


def f1(predicted: set, gold: set, universe_size: int | None = None) -> tuple[float, float, float]:
    tp = len(predicted & gold)
    p = tp / len(predicted) if predicted else 1.0
    r = tp / len(gold) if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def weave(articles: list[Article], judge, kind: str, params: dict, member_dtype: str = "int8") -> dict[str, str]:
    pool = {a.id: a for a in articles}
    weaver = StoryWeaver(judge, pool.__getitem__, dim=len(articles[0].vector),
                         index=make_index(kind, len(articles[0].vector), **params),
                         candidate_floor=getattr(judge, "candidate_floor", 0.3), member_dtype=member_dtype)
    for a in sorted(articles, key=lambda a: a.when):
        weaver.learn_one(a)
    return {a.id: a.story_id for a in articles}


def prepare(pipeline: Pipeline, raws: list[RawArticle]) -> list[Article]:
    out = []
    for i in range(0, len(raws), 32):
        out += [x[0] for x in pipeline.prepare_many(raws[i:i + 32]) if not isinstance(x, ItemError)]
    return out


def demo_corpus() -> list[RawArticle]:
    return [r for r in read_paths([str(DEMO)]) if isinstance(r, RawArticle)]


def samestory_pairs(limit: int, seed: int) -> tuple[list[RawArticle], list[tuple[str, str, bool]]]:
    """Raw articles of up to `limit` labelled pairs, and the pairs as (key a, key b, same)."""
    rows = []
    csv.field_size_limit(10**8)
    for name in ("en_train_pool.tsv", "ru_train_pool.tsv", "ru_exam_pool.tsv", "ru_control_pool.tsv"):
        with (SAMESTORY / name).open(encoding="utf-8") as fh:
            rows += [r for r in csv.DictReader(fh, delimiter="\t") if r.get("GOLDEN:quality") in ("OK", "BAD")]
    random.Random(seed).shuffle(rows)
    raws: dict[str, RawArticle] = {}
    pairs = []
    for r in rows[:limit]:
        keys = []
        for side in ("first", "second"):
            key = r[f"INPUT:{side}_url"]
            # one publication day for every pool article: the pools carry no dates, and
            # some URLs spell a day (which ingest would take) while others do not, which
            # would put the two sides of a pair years apart and outside any time window
            raws.setdefault(key, RawArticle(text=r[f"INPUT:{side}_text"], title=r[f"INPUT:{side}_title"],
                                            url=key, origin=key, published=POOL_DAY))
            keys.append(key)
        pairs.append((keys[0], keys[1], r["GOLDEN:quality"] == "OK"))
    order = list(raws.values())
    random.Random(seed + 1).shuffle(order)
    return order, pairs


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=120, help="samestory pairs used (0: skip)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-enrich", action="store_true", help="skip entities/dates (the cosine judge ignores them)")
    ap.add_argument("--ner-sentences", type=int, default=None, help="Pipeline(ner_sentences=N) (default: all)")
    ap.add_argument("--embed-sentences", type=int, default=None, help="Pipeline(embed_sentences=K) (default: 40)")
    ap.add_argument("--indexes", default=",".join(INDEXES), help="comma-separated rows of the index table")
    args = ap.parse_args(argv)
    indexes = {name: INDEXES[name] for name in args.indexes.split(",")}
    judge, judge_name = make_judge()
    # the cosine baseline reads only vectors: enrichment would only cost time
    enrich = not args.no_enrich and enrich_available() and not judge_name.startswith("cosine")
    pipeline = Pipeline(enrich=enrich, ner_sentences=args.ner_sentences, embed_sentences=args.embed_sentences)
    print(f"# judge: {judge_name}; enrich={enrich}; NER sentences {args.ner_sentences or 'all'}; "
          f"embedded sentences {pipeline.embedder.max_sentences}")

    t = time.perf_counter()
    raws = demo_corpus()
    gold_of = {r.url: r.metadata.get("story") for r in raws}
    articles = prepare(pipeline, raws)
    gold = {frozenset((a.id, b.id)) for a, b in itertools.combinations(articles, 2)
            if gold_of[a.url] == gold_of[b.url]}
    print(f"demo corpus: {len(articles)} articles, {len(set(gold_of.values()))} gold stories "
          f"(prepared in {time.perf_counter() - t:.0f} s)")
    for name, (kind, params, member_dtype) in indexes.items():
        story = weave(articles, judge, kind, params, member_dtype)
        predicted = {frozenset((a.id, b.id)) for a, b in itertools.combinations(articles, 2)
                     if story[a.id] == story[b.id]}
        p, r, f = f1(predicted, gold)
        print(f"  {name:<16} stories {len(set(story.values())):>3}  pairwise P {p:.3f} R {r:.3f} F1 {f:.3f}")

    if args.pairs and SAMESTORY.is_dir():
        t = time.perf_counter()
        raws, pairs = samestory_pairs(args.pairs, args.seed)
        articles = prepare(pipeline, raws)
        id_of = {a.url: a.id for a in articles}
        pairs = [(id_of[a], id_of[b], same) for a, b, same in pairs if a in id_of and b in id_of]
        gold = {(a, b) for a, b, same in pairs if same}
        print(f"samestory: {len(articles)} articles, {len(pairs)} labelled pairs ({len(gold)} same) "
              f"(prepared in {time.perf_counter() - t:.0f} s)")
        for name, (kind, params, member_dtype) in indexes.items():
            story = weave(articles, judge, kind, params, member_dtype)
            predicted = {(a, b) for a, b, _ in pairs if story[a] == story[b]}
            p, r, f = f1(predicted, gold)
            print(f"  {name:<16} pair P {p:.3f} R {r:.3f} F1 {f:.3f}")
    elif args.pairs:
        print(f"samestory: {SAMESTORY} not found, skipped")

    from newsloom.engine import Engine
    from newsloom.evaluation.weave import evaluate_weaving

    result = evaluate_weaving(DEMO, engine_factory=lambda db: Engine(
        db=db, similarity=judge, enrich=enrich, ner_sentences=args.ner_sentences,
        embed_sentences=args.embed_sentences))
    pw, b3 = result["pairwise"], result["bcubed"]
    print(f"eval weave (demo, Engine): stories {result['predicted_stories']}  pairwise P {pw['precision']:.3f} "
          f"R {pw['recall']:.3f} F1 {pw['f1']:.3f}; B-cubed F1 {b3['f1']:.3f}")


if __name__ == "__main__":
    main()
