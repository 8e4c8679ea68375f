"""Do the entity stages find the same people, organisations and places in one article
written in two languages?

    python benchmarks/entity_consistency.py [--limit N] [--show K]

The SemEval-2022 training material holds 816 articles in two or more languages: an
original and its English machine translation (`translated_en` rows), or a team's
augmented copy translated into another language. The two versions of one article name
the same people, organisations and places, so the entity ids the pipeline gives them
(clean -> split -> entities -> cross-lingual linking, run here without the training cache)
should agree. For every article and every two of its languages this prints the overlap
coefficient of the two versions' entity ids (shared ids over the ids of the version with
fewer: an augmented copy keeps only part of the article, so the shorter version's ids
should be in the longer one's), per type and over all types, as a mean per language pair
and overall, and how many distinct ids a version has per language. Column ``PER~``
compares the people by `normalize.sound_key` of their ids, as the similarity features
do for two articles in different scripts (`per_overlap`).

It measures cross-lingual *consistency*, not accuracy: augmented copies keep only the
head and tail of an article, some are paraphrased, and a translation may rename an
organisation ("Cruz Roja" / "Red Cross"), so 1.0 is out of reach. A change to the entity
or linking stages that raises these figures makes the similarity features that count
shared entities (`per_overlap`, `loc_overlap`, `ent_jaccard`, ...) agree better across
languages, which is where the hidden evaluation's cross-lingual pairs need them.
`--show K` lists the ids that disagree for the first K article versions.

Needs ../shared/data/semeval2022 (exits without figures when it is absent). To measure
an older commit, copy this file into a checkout of it and run it from there (it puts its
own checkout's ``src`` first on the path).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

try:  # absent before sim-2026.12-14: the script still measures an older checkout (PER~ then "-")
    from newsloom.entities.normalize import sound_key  # noqa: E402
except ImportError:
    sound_key = None
from newsloom.similarity.data import DEFAULT_DATA_DIR, load_semeval, missing_semeval  # noqa: E402
from newsloom.similarity.prepare import build_article  # noqa: E402

TYPES = ("PER", "ORG", "LOC")
COLUMNS = (*TYPES, "all", "PER~")
#: which version of an article stands for a language, best first
QUALITY_ORDER = ("original", "translated_en", "augmented")


def article_versions(data_dir) -> dict[str, dict[str, object]]:
    """article id -> {language: TextItem} for the articles present in two or more languages."""
    versions: dict[str, dict[str, tuple[int, object]]] = defaultdict(dict)
    for pair in load_semeval(data_dir):
        rank = QUALITY_ORDER.index(pair.quality) if pair.quality in QUALITY_ORDER else len(QUALITY_ORDER)
        for article_id, item, lang in zip(pair.article_ids, (pair.a, pair.b), (pair.lang1, pair.lang2)):
            if not (item.text or "").strip():
                continue
            held = versions[article_id].get(lang)
            if held is None or rank < held[0]:
                versions[article_id][lang] = (rank, item)
    return {i: {lang: item for lang, (_, item) in v.items()} for i, v in sorted(versions.items()) if len(v) > 1}


def overlap(a: set, b: set) -> float | None:
    """|a & b| / min(|a|, |b|); 0 when only one is empty, None when both are (the pair
    says nothing about this type)."""
    if not a and not b:
        return None
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA_DIR))
    ap.add_argument("--limit", type=int, default=None, help="first N articles only")
    ap.add_argument("--show", type=int, default=0, help="list the disagreeing ids of the first K pairs")
    args = ap.parse_args(argv)
    if missing := missing_semeval(args.data):
        print(missing)
        return 0
    versions = article_versions(args.data)
    if args.limit:
        versions = dict(list(versions.items())[: args.limit])
    started = time.perf_counter()
    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    ids_per_lang: dict[str, list[int]] = defaultdict(list)
    shown = 0
    for article_id, by_lang in versions.items():
        built = {lang: build_article(item) for lang, item in by_lang.items()}
        for lang, art in built.items():
            ids_per_lang[lang].append(len(art.entity_ids()))
        for la, lb in combinations(sorted(built), 2):
            a, b = built[la], built[lb]
            key = f"{la}-{lb}"
            for typ in (*TYPES, "all"):
                types = TYPES if typ == "all" else (typ,)
                value = overlap(a.entity_ids(types), b.entity_ids(types))
                if value is not None:
                    scores[key][typ].append(value)
                    scores["all pairs"][typ].append(value)
            people = [{sound_key(i.removeprefix("per:").split("-")[0]) for i in art.entity_ids(("PER",))}
                      for art in (a, b)] if sound_key else [set(), set()]
            for typ, value in (("PER~", overlap(*people)),):
                if value is not None:
                    scores[key][typ].append(value)
                    scores["all pairs"][typ].append(value)
            if shown < args.show:
                shown += 1
                ea, eb = a.entity_ids(), b.entity_ids()
                print(f"== {article_id} {key}: {a.title or ''}")
                print(f"   both: {sorted(ea & eb)}\n   only {la}: {sorted(ea - eb)}\n   only {lb}: {sorted(eb - ea)}")
    elapsed = time.perf_counter() - started
    print(f"# {len(versions)} articles in two or more languages, entity stages run in {elapsed:.0f} s")
    print(f"{'language pair':14s} {'n':>5s} " + " ".join(f"{t:>6s}" for t in COLUMNS))
    order = sorted(k for k in scores if k != "all pairs") + ["all pairs"]
    for key in order:
        n = max(len(v) for v in scores[key].values())
        cells = " ".join(f"{np.mean(scores[key][t]):6.3f}" if scores[key][t] else f"{'-':>6s}" for t in COLUMNS)
        print(f"{key:14s} {n:5d} {cells}")
    print("distinct entity ids per version: " + ", ".join(
        f"{lang} {np.mean(v):.1f}" for lang, v in sorted(ids_per_lang.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
