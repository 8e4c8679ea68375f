"""How good are the estimated publication days of the SemEval articles?

`newsloom.similarity.data.estimated_publication_dates` dates an article by the day in
its URL where there is one, and otherwise by an isotonic fit of URL day on article id
(the organisers' ids grow with crawl time). This prints, from ../shared/data/semeval2022:

* how many articles have a URL day, and the fit's out-of-fold error in days on them
  (5 folds: each URL-dated article estimated from a fit without it; `data.day_from_id`);
* on the pairs whose two articles both have a URL day: the Pearson correlation of
  log(1 + gap in days) with the human Time and Overall scores, for the real gap and
  for the out-of-fold estimated one. If the estimates carry the signal, the two agree.

Run:  python benchmarks/publication_dates.py
"""

from __future__ import annotations

import csv
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import numpy as np

from newsloom.pipeline import published_from_url
from newsloom.similarity.data import day_from_id

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "semeval2022"


def labelled_pairs() -> list[tuple[str, str, str | None, str | None, float, float]]:
    out = []
    for path in sorted((DATA / "labels").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                ids = str(row.get("pair_id", "")).split("_")
                if len(ids) == 2 and all(i.isdigit() for i in ids):
                    out.append((ids[0], ids[1], row.get("link1"), row.get("link2"),
                                float(row["Time"]), float(row["Overall"])))
    return out


def main() -> None:
    if not (DATA / "labels").is_dir():
        sys.exit(f"{DATA / 'labels'} not found")
    pairs = labelled_pairs()
    day: dict[str, int] = {}
    for a, b, link_a, link_b, _, _ in pairs:
        for article_id, link in ((a, link_a), (b, link_b)):
            when = published_from_url(link)
            if when is not None:
                day.setdefault(article_id, when.toordinal())
    ids = np.array(sorted(day, key=int))
    x = ids.astype(np.float64)
    y = np.array([day[i] for i in ids], dtype=np.float64)
    fold = np.random.default_rng(0).integers(0, 5, len(ids))
    estimate = np.zeros(len(ids))
    for k in range(5):
        estimate[fold == k] = day_from_id(x[fold != k], y[fold != k])(x[fold == k])
    err = np.abs(estimate - y)
    articles = {i for a, b, *_ in pairs for i in (a, b)}
    print(f"{len(day)} of {len(articles)} articles have a URL day")
    print("out-of-fold error of the estimated day: median {:.1f}, 75th percentile {:.1f}, "
          "90th percentile {:.1f} days".format(*np.percentile(err, [50, 75, 90])))
    oof = dict(zip(ids, estimate))
    rows = [(math.log1p(abs(day[a] - day[b])), math.log1p(abs(oof[a] - oof[b])), t, o)
            for a, b, _, _, t, o in pairs if a in day and b in day]
    real, est, time_, overall = (np.array(c) for c in zip(*rows))
    r = lambda u, v: float(np.corrcoef(u, v)[0, 1])
    print(f"{len(rows)} pairs with a URL day on both sides; Pearson with log(1 + gap days):")
    print(f"  Time:    real gap {r(real, time_):.3f}, estimated gap {r(est, time_):.3f}")
    print(f"  Overall: real gap {r(real, overall):.3f}, estimated gap {r(est, overall):.3f}")
    print(f"  real against estimated gap: {r(real, est):.3f}")


if __name__ == "__main__":
    main()
