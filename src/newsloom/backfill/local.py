"""The backfill in one process: the plan of `newsloom.backfill.job`, over Python lists.

For inputs that fit in memory (up to a few hundred thousand articles); it is also
the reference the Spark engine is tested against. Local paths only (files and
folders, walked recursively, hidden files skipped).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsloom.backfill import job
from newsloom.backfill import parquet as pq_io
from newsloom.model import ItemError, RawArticle


def _files(inputs: list[str]) -> Iterator[Path | ItemError]:
    for raw in inputs:
        if "://" in raw:
            yield ItemError(raw, "the local engine reads local paths; use --engine spark for URIs",
                            kind="unsupported")
            continue
        path = Path(raw).resolve()
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and not any(p.startswith((".", "_")) for p in file.relative_to(path).parts):
                    yield file
        elif path.is_file():
            yield path
        else:
            yield ItemError(str(path), "no such file or directory", kind="missing")


def read_inputs(inputs: list[str]) -> Iterator[RawArticle | ItemError]:
    """Raw articles and per-item errors of local files and folders (same parsers as Spark's)."""
    for file in _files(inputs):
        if isinstance(file, ItemError):
            yield file
            continue
        try:
            with file.open("rb") as fh:
                yield from job.read_stream(fh, str(file), file.stat().st_size)
        except OSError as exc:
            yield ItemError(str(file), f"cannot read: {exc.strerror or exc}", kind="unreadable")


def run_local(inputs: list[str], output: str | Path, config: job.BackfillConfig | None = None, *,
              judge=None) -> job.BackfillSummary:
    """Run the whole backfill in this process and write DIR/{articles,assignments,stories,...}.

    ``judge``: the weaver's same-story judge; default: the streaming engine's (`job.shared_judge`).
    """
    config = config or job.BackfillConfig()
    started = time.perf_counter()
    summary = job.BackfillSummary(engine="local", inputs=list(inputs), config=vars(config).copy())
    errors: list[dict[str, Any]] = []

    raws: list[RawArticle] = []
    for item in read_inputs(inputs):
        item = job.check_dated(item) if isinstance(item, RawArticle) else item
        if isinstance(item, ItemError):
            errors.append(job.error_record(item))
        else:
            raws.append(item)
    raws, summary.duplicates = job.dedupe(raws)
    raws.sort(key=job.prepare_sort_key)

    articles: list[dict[str, Any]] = []
    entities: dict[str, dict[str, Any]] = {}
    for kind, rec in job.prepare_sorted(raws, config):
        if kind == "article":
            articles.append(rec)
        elif kind == "entity":
            entities[rec["id"]] = pq_io.merge_entity_records(entities[rec["id"]], rec) \
                if rec["id"] in entities else rec
        else:
            errors.append(rec)

    by_window: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for rec in articles:
        for window in job.windows_of(rec["published"], config):
            by_window[window].append(job.weave_record(rec))
    copies: list[dict[str, Any]] = []
    for window in sorted(by_window):
        members = sorted(by_window[window], key=job.window_key)
        for kind, rec in job.weave_window(window, members, config, judge):
            (copies if kind == "copy" else errors).append(rec)

    links = job.link_copies(copies)
    story_of = job.resolve_story_ids(links, job.first_home_articles(copies))
    assignments, members_of = [], defaultdict(list)
    for c in copies:
        if c["home"]:
            story_id = story_of[(c["window"], c["window_story"])]
            assignments.append(job.assignment_record(c, story_id))
            members_of[story_id].append(c)
    woven = {a["article_id"] for a in assignments}
    stories = [job.build_story(sid, ms, config) for sid, ms in sorted(members_of.items())]

    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    pq_io.write_table(output, pq_io.ARTICLES, [a for a in articles if a["id"] in woven])
    pq_io.write_table(output, pq_io.ASSIGNMENTS, assignments)
    pq_io.write_table(output, pq_io.STORIES, stories)
    pq_io.write_table(output, pq_io.ENTITIES, sorted(entities.values(), key=lambda e: e["id"]))
    pq_io.write_table(output, pq_io.ERRORS, errors)

    summary.articles, summary.stories, summary.errors = len(assignments), len(stories), len(errors)
    summary.errors_by_kind = dict(sorted(_count(e["kind"] for e in errors).items()))
    summary.windows, summary.window_copies = len(by_window), len(copies)
    summary.cross_window_links = len(links)
    summary.seconds = round(time.perf_counter() - started, 3)
    job.write_summary(output, summary)
    return summary


def _count(values) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for v in values:
        out[v] += 1
    return dict(out)
