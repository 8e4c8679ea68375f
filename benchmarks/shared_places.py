"""Do shared places tell related articles from unrelated ones? Place links on the SemEval pairs.

    python benchmarks/shared_places.py [--data DIR] [--top N]

For every SemEval training pair (``wrong_page`` rows left out, undated) the articles are
split and enriched as `newsloom train similarity` does it (`similarity.prepare.build_article`,
no vectors; the entities are cached under ``.cache/similarity/enrich``: a minute or two
once that cache is warm). Per language pair
with at least 30 pairs on each side, it prints the share of *unrelated* pairs (human
Overall >= 3.5) and of *related* ones (Overall <= 1.5) that share a linked place
(a ``geo:``/``sub:``/``reg:``/``cc:`` id) and that share a country (a place's country,
as the `country_overlap` feature reads it). A place link that is right is shared mostly
by related pairs; one that is a common word read as a town (Spanish "Se" as Sé in Macau,
"كورونا" as Corona, California) is shared by unrelated ones too. The last lines list the
`--top` place ids most often shared by unrelated pairs, with the words they were linked
from, which is where such errors show.

Needs ../shared/data/semeval2022 (prints why and exits 0 without it).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newsloom.similarity.data import DEFAULT_DATA_DIR, load_semeval, missing_semeval  # noqa: E402
from newsloom.similarity.features import _country_of  # noqa: E402
from newsloom.similarity.prepare import EnrichmentCache, build_article  # noqa: E402

PLACE_PREFIXES = ("geo:", "sub:", "reg:", "cc:")
UNRELATED, RELATED = 3.5, 1.5
MIN_PAIRS = 30


def places(article) -> set[str]:
    return {m.entity_id for m in article.mentions
            if m.type == "LOC" and m.entity_id and m.entity_id.startswith(PLACE_PREFIXES)}


def countries(place_ids: set[str]) -> set[str]:
    return {c for p in place_ids for c in [_country_of(p)] if c}


def enriched_pairs(pairs: list) -> list:
    """(article, article) of each pair, split and enriched once per distinct text."""
    cache, built = EnrichmentCache(), {}

    def article(item):
        key = (item.title, item.text, item.lang, item.published)
        if key not in built:
            built[key] = build_article(item, cache)
        return built[key]

    return [(article(p.a), article(p.b)) for p in pairs]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA_DIR))
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args(argv)
    if missing := missing_semeval(args.data):
        print(missing)
        return 0
    pairs = load_semeval(args.data)
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"unrelated": [0, 0, 0], "related": [0, 0, 0]})
    shared_by_unrelated: Counter = Counter()
    written: dict[str, Counter] = defaultdict(Counter)
    for pair, (a, b) in zip(pairs, enriched_pairs(pairs)):
        overall = pair.labels["Overall"]
        side = "unrelated" if overall >= UNRELATED else "related" if overall <= RELATED else None
        if side is None:
            continue
        pa, pb = places(a), places(b)
        row = counts[pair.lang_pair][side]
        row[0] += 1
        row[1] += bool(pa & pb)
        row[2] += bool(countries(pa) & countries(pb))
        if side == "unrelated":
            for place in pa & pb:
                shared_by_unrelated[place] += 1
                for m in a.mentions + b.mentions:
                    if m.entity_id == place:
                        written[place][m.text] += 1
    print(f"{'pair':7s} {'n unrel':>7s} {'place':>6s} {'country':>7s}   {'n rel':>5s} {'place':>6s} {'country':>7s}")
    total = {"unrelated": [0, 0, 0], "related": [0, 0, 0]}
    for lang_pair in sorted(counts, key=lambda lp: -sum(counts[lp]["unrelated"][:1])):
        c = counts[lang_pair]
        for side in total:
            total[side] = [t + v for t, v in zip(total[side], c[side])]
        if c["unrelated"][0] < MIN_PAIRS or c["related"][0] < MIN_PAIRS:
            continue
        print(_row(lang_pair, c))
    print(_row("all", total))
    print(f"\nplace ids most often shared by unrelated pairs (of {total['unrelated'][0]}):")
    for place, n in shared_by_unrelated.most_common(args.top):
        forms = ", ".join(f"{text} ({k})" for text, k in written[place].most_common(3))
        print(f"  {n:4d}  {place:16s} {forms}")
    return 0


def _row(label: str, c: dict[str, list[int]]) -> str:
    (nu, pu, cu), (nr, pr, cr) = c["unrelated"], c["related"]
    return (f"{label:7s} {nu:7d} {pu / nu if nu else 0:6.3f} {cu / nu if nu else 0:7.3f}   "
            f"{nr:5d} {pr / nr if nr else 0:6.3f} {cr / nr if nr else 0:7.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
