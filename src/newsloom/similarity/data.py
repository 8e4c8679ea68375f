"""Reading SemEval-2022 Task 8 style pair files and choosing the dev split.

Dev split (see docs/similarity.md): only `original` rows can be dev rows. Article
ids are the two halves of ``pair_id`` (``id1_id2``, language suffixes such as
``it``/``fr`` stripped). Pairs are grouped into connected components of the
"shares an article" graph, so no article sits on both sides. Components are
shuffled with a fixed seed per language (``lang1-lang2``) and taken into dev until
that language has `DEV_FRACTION` of its original pairs, which stratifies by
language. Every training row of any quality that shares an article with a dev
row is then dropped, so augmented/translated copies of dev articles never leak.
"""

from __future__ import annotations

import ast
import csv
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsloom.errors import InputError
from newsloom.similarity.prepare import TextItem, parse_date

DIMENSIONS: tuple[str, ...] = ("Overall", "Geography", "Entities", "Time", "Narrative")
DEV_FRACTION = 0.25
DEV_SEED = 20220
_REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DATA_DIR = _REPO_ROOT / ".." / "shared" / "data" / "semeval2022"


@dataclass
class Pair:
    pair_id: str
    quality: str
    lang1: str
    lang2: str
    a: TextItem
    b: TextItem
    labels: dict[str, float] = field(default_factory=dict)

    @property
    def lang_pair(self) -> str:
        return f"{self.lang1}-{self.lang2}" if self.lang1 != self.lang2 else self.lang1

    @property
    def article_ids(self) -> tuple[str, str]:
        parts = self.pair_id.split("_")
        ids = [re.sub(r"\D", "", p) or p for p in parts]
        return (ids[0], ids[-1]) if ids else (self.pair_id, self.pair_id)


def _labels(value) -> dict[str, float]:
    if isinstance(value, dict):
        return {k: float(v) for k, v in value.items()}
    if isinstance(value, str) and value.strip():
        try:
            return {k: float(v) for k, v in json.loads(value).items()}
        except json.JSONDecodeError:
            return {k: float(v) for k, v in ast.literal_eval(value).items()}
    return {}


def pair_from_row(row: dict) -> Pair:
    """One JSONL row of the train_pairs format (optional date1/date2) to a Pair; a date
    that is not one is an `InputError` naming the pair and the field."""
    lang1, lang2 = row.get("lang1") or None, row.get("lang2") or None
    pair_id = str(row.get("pair_id", ""))
    dates = []
    for field_name in ("date1", "date2"):
        try:
            dates.append(parse_date(row.get(field_name)))
        except InputError as exc:
            raise InputError(f"pair {pair_id or '?'}: {field_name}: {exc}", kind="malformed") from None
    return Pair(
        pair_id=pair_id,
        quality=str(row.get("quality", "original")),
        lang1=lang1 or "", lang2=lang2 or "",
        a=TextItem(row.get("title1"), row.get("text1") or "", lang1, dates[0]),
        b=TextItem(row.get("title2"), row.get("text2") or "", lang2, dates[1]),
        labels=_labels(row.get("labels")),
    )


def read_pairs(path: str | Path) -> list[Pair]:
    with open(path, encoding="utf-8") as fh:
        return [pair_from_row(json.loads(line)) for line in fh if line.strip()]


def missing_semeval(data_dir: str | Path = DEFAULT_DATA_DIR) -> str | None:
    """Why `data_dir` cannot be measured on (no train_pairs.jsonl), or None when it can: the
    benchmarks that read the SemEval material print it and exit without figures."""
    if (Path(data_dir) / "train_pairs.jsonl").exists():
        return None
    return f"{data_dir}/train_pairs.jsonl not found: nothing to measure"


def load_semeval(data_dir: str | Path = DEFAULT_DATA_DIR, dates_from_urls: bool = False,
                 estimated_dates: bool = False) -> list[Pair]:
    """All usable rows (``wrong_page`` left out) with an Overall label; with
    `dates_from_urls`, a side without a date takes the day in its article's URL
    (`url_publication_dates`); with `estimated_dates`, that or an estimated day
    (`estimated_publication_dates`).

    ``translated_en`` rows keep the language of the articles they were translated from
    in ``lang1``/``lang2`` (de, es, pl, tr), but their texts are English: they are read
    as English, so that sentences, entities and dates come from the English stages."""
    pairs = read_pairs(Path(data_dir) / "train_pairs.jsonl")
    ids = {i for p in pairs for i in p.article_ids}
    published = estimated_publication_dates(data_dir, ids) if estimated_dates \
        else url_publication_dates(data_dir) if dates_from_urls else {}
    out = []
    for p in pairs:
        if p.quality == "wrong_page" or "Overall" not in p.labels:
            continue
        id_a, id_b = p.article_ids
        a, b = _dated(p.a, published.get(id_a)), _dated(p.b, published.get(id_b))
        if p.quality == "translated_en":
            p = replace(p, lang1="en", lang2="en")
            a, b = replace(a, lang="en"), replace(b, lang="en")
        out.append(replace(p, a=a, b=b))
    return out


def url_publication_dates(data_dir: str | Path = DEFAULT_DATA_DIR) -> dict[str, datetime]:
    """Article id -> publication day spelled in its URL, from the official pair lists
    (``labels/*.csv``: ``pair_id`` = ``id1_id2``, ``link1``, ``link2``).

    The texts carry no dates, but many of the annotated URLs do (``/2020/01/01/``). Without
    them the publication-gap feature is never seen in training, so a model cannot use the
    dates that evaluation files and users give; with them it learns what a gap means where
    one is known (about a fifth of the articles). Opt-in (`train similarity
    --dates-from-urls`): measured in docs/similarity-history.md ("Training data"), it helps the Time dimension but
    moves the calibrated same-story threshold.
    """
    from newsloom.pipeline import published_from_url

    found: dict[str, datetime] = {}
    for path in sorted((Path(data_dir) / "labels").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                ids = str(row.get("pair_id", "")).split("_")
                if len(ids) != 2:
                    continue
                for article_id, url in zip(ids, (row.get("link1"), row.get("link2"))):
                    day = published_from_url(url)
                    if day is not None:
                        found.setdefault(article_id, day)
    return found


def estimated_publication_dates(data_dir: str | Path = DEFAULT_DATA_DIR,
                                article_ids: set[str] | None = None) -> dict[str, datetime]:
    """Article id -> publication day, for every article of the SemEval material (or of
    `article_ids`, when the caller has read the pairs already): the day
    spelled in its URL (`url_publication_dates`) where there is one, otherwise one
    interpolated from the ids of the URL-dated articles.

    Why: few articles have a URL date, and fewer pairs have one on both sides to teach the
    trees what a publication gap means. The organisers' article ids grow with crawl time,
    so a monotone (isotonic) fit of URL day on id dates the rest; `python
    benchmarks/publication_dates.py` counts the URL-dated articles and prints the fit's
    out-of-fold error and how the estimated gaps relate to the Time labels next to the
    real ones. Training uses these
    dates only in extra, dated copies of its rows (`train similarity`, unless
    `--no-estimated-dates`): the undated rows stay, so an undated pair is scored as before.
    """
    import numpy as np

    known = url_publication_dates(data_dir)
    ids = _all_article_ids(data_dir) if article_ids is None else set(article_ids)
    numeric = {i: int(i) for i in ids | set(known) if i.isdigit()}
    dated = [i for i in known if i in numeric]
    if len(dated) < 2:
        return dict(known)
    estimate = day_from_id([numeric[i] for i in dated], [known[i].toordinal() for i in dated])
    ordered = list(numeric)
    days = estimate(np.array([numeric[i] for i in ordered], dtype=np.float64))
    out: dict[str, datetime] = {}
    for article_id, day in zip(ordered, days.tolist()):
        url_day = known.get(article_id)
        if url_day is not None and abs(url_day.toordinal() - day) <= OUTLIER_DAYS:
            out[article_id] = url_day
        else:  # no URL day, or one far from its neighbours' (a date in the path that is not the article's)
            whole = int(day)
            out[article_id] = datetime.fromordinal(whole).replace(hour=12, tzinfo=UTC) + timedelta(days=day - whole)
    return out


#: URL days further than this from the fit are read as something else than the publication day
OUTLIER_DAYS = 30.0


def day_from_id(ids, days, window: int = 5):
    """A monotone map from article id to day ordinal: an isotonic fit of `days` on `ids`,
    without the points more than `OUTLIER_DAYS` from the median day of their `window`
    neighbours on each side in id order (URL paths also hold other dates: an archive's
    1962 photo). Returns a function of an id array."""
    import numpy as np

    x, y = np.asarray(ids, dtype=np.float64), np.asarray(days, dtype=np.float64)
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    local = np.array([np.median(y[max(0, i - window):i + window + 1]) for i in range(len(y))])
    keep = np.abs(y - local) <= OUTLIER_DAYS
    if keep.sum() < 2:
        keep[:] = True
    xs, fitted = _isotonic(x[keep], y[keep])
    return lambda query: np.interp(np.asarray(query, dtype=np.float64), xs, fitted)


def _isotonic(x, y):
    """(distinct x ascending, non-decreasing fit): least squares by pool-adjacent-violators,
    equal x pooled first (the fit scikit-learn's IsotonicRegression gives; here so that
    the training extra is not needed to read dates)."""
    import numpy as np

    xs, inverse = np.unique(x, return_inverse=True)
    weight = np.bincount(inverse).astype(np.float64)
    mean = np.bincount(inverse, weights=y) / weight
    blocks: list[list[float]] = []  # [mean, weight, count of distinct x]
    for m, w in zip(mean, weight):
        blocks.append([m, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    fitted = np.concatenate([np.full(int(n), m) for m, _, n in blocks])
    return xs, fitted


def _all_article_ids(data_dir: str | Path) -> set[str]:
    ids: set[str] = set()
    for p in read_pairs(Path(data_dir) / "train_pairs.jsonl"):
        ids.update(p.article_ids)
    return ids


def with_dates(pairs: list[Pair], published: dict[str, datetime]) -> list[Pair]:
    """The pairs with each undated side dated from `published` (by article id)."""
    out = []
    for p in pairs:
        id_a, id_b = p.article_ids
        out.append(replace(p, a=_dated(p.a, published.get(id_a)), b=_dated(p.b, published.get(id_b))))
    return out


def _dated(item: TextItem, published: datetime | None) -> TextItem:
    return item if item.published is not None or published is None else replace(item, published=published)


def dev_split(pairs: list[Pair], fraction: float = DEV_FRACTION, seed: int = DEV_SEED) -> tuple[list[Pair], list[Pair]]:
    """(train, dev): grouped by article, stratified by language, dev only from `original`."""
    original = [p for p in pairs if p.quality == "original"]
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in original:
        a, b = p.article_ids
        parent[find(a)] = find(b)
    by_lang: dict[str, dict[str, list[Pair]]] = defaultdict(lambda: defaultdict(list))
    for p in original:
        by_lang[p.lang_pair][find(p.article_ids[0])].append(p)
    rng = random.Random(seed)
    dev: list[Pair] = []
    for lang in sorted(by_lang):
        comps = sorted(by_lang[lang].values(), key=lambda ps: ps[0].pair_id)
        rng.shuffle(comps)
        target = fraction * sum(len(c) for c in comps)
        taken = 0
        for comp in comps:
            if taken >= target:
                break
            dev.extend(comp)
            taken += len(comp)
    dev_articles = {i for p in dev for i in p.article_ids}
    dev_ids = {p.pair_id for p in dev}
    train = [p for p in pairs if p.pair_id not in dev_ids
             and not (set(p.article_ids) & dev_articles)]
    return train, dev


def pair_to_row(p: Pair) -> dict:
    row = {"pair_id": p.pair_id, "quality": p.quality, "lang1": p.lang1, "lang2": p.lang2,
           "title1": p.a.title, "text1": p.a.text, "title2": p.b.title, "text2": p.b.text,
           "labels": p.labels}
    if p.a.published:
        row["date1"] = p.a.published.isoformat()
    if p.b.published:
        row["date2"] = p.b.published.isoformat()
    return row


def noisy_rows_in_order(pairs: list[Pair], seed: int = DEV_SEED) -> list[Pair]:
    """The augmented and translated_en rows in a fixed, seeded random order.

    Training may use only the first N of them (``train similarity --noisy-limit N``)
    when preparing all of them is too slow; the order makes that subset reproducible.
    """
    noisy = sorted((p for p in pairs if p.quality in ("augmented", "translated_en")), key=lambda p: p.pair_id)
    random.Random(seed).shuffle(noisy)
    return noisy
