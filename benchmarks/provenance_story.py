"""Cost of `story_provenance` on a 50-article story, with and without the stacked pre-filter.

Run: python benchmarks/provenance_story.py
Builds a 50-article "story" from the demo corpus (31 articles plus 19 stitched
variants made of halves of two demo articles, so that there are many derived
pairs), then times story_provenance and relation() over all pairs blindly.
"""

from __future__ import annotations

import itertools
import json
import time
from datetime import datetime, timedelta

from newsloom.model import RawArticle
from newsloom.pipeline import Pipeline
from newsloom.provenance import DEMO_CORPUS, candidate_pairs, relation, story_provenance


def build_story(n: int = 50) -> list:
    raws = []
    for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        raws.append(RawArticle(text=d["text"], title=d["title"], lang=d["lang"], source=d["source"],
                               published=datetime.fromisoformat(d["published"]), origin=d["id"]))
    base = list(raws)
    k = 0
    while len(raws) < n:
        x, y = base[k % len(base)], base[(k * 7 + 3) % len(base)]
        px, py = x.text.split("\n"), y.text.split("\n")
        raws.append(RawArticle(text="\n".join(px[: len(px) // 2] + py[len(py) // 2:]), title=x.title,
                               lang=x.lang, published=x.published + timedelta(days=1), origin=f"stitch{k}"))
        k += 1
    return [item[0] for item in Pipeline(enrich=False).prepare_many(raws)]


def main() -> None:
    articles = build_story()
    n = len(articles)
    t = time.perf_counter()
    candidates = candidate_pairs(articles)
    t_filter = time.perf_counter() - t
    t = time.perf_counter()
    graph = story_provenance(articles)
    t_story = time.perf_counter() - t
    t = time.perf_counter()
    for a, b in itertools.combinations(articles, 2):
        relation(a, b)
    t_all = time.perf_counter() - t
    pairs = n * (n - 1) // 2
    print(f"articles: {n}, pairs: {pairs}, candidate pairs after stacked filter: {len(candidates)}")
    print(f"candidate filter: {t_filter * 1000:.1f} ms")
    print(f"story_provenance: {t_story * 1000:.1f} ms ({len(graph['edges'])} edges, "
          f"{len(graph['originals'])} originals)")
    print(f"relation() on all pairs blindly: {t_all * 1000:.1f} ms ({t_all / pairs * 1000:.2f} ms/pair)")


if __name__ == "__main__":
    main()
