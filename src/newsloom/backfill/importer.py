"""``newsloom import DIR``: load a backfill's Parquet output into the SQLite store.

Order, so foreign keys hold and a crash leaves a usable database: entities, then
stories (headline, first/last seen, size, centroid), then articles in batches of
`BATCH` per transaction, each with its story and the weaving reason. Articles
already in the store (same id) are skipped, so importing twice changes nothing.
Stories are imported open (not closed): `newsloom.Engine` rebuilds its live-story
pool from the store, so the live stream continues the backfilled stories, and
`Engine.close_quiet_stories` closes the old ones as usual.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from newsloom.backfill import parquet as pq_io
from newsloom.errors import InputError, NewsloomError
from newsloom.model import Story

#: Articles per transaction: big enough to amortise the commit, small enough to bound memory.
BATCH = 500


@dataclass
class ImportReport:
    articles_added: int = 0
    articles_skipped: int = 0
    stories: int = 0
    entities: int = 0
    unassigned: int = 0  # articles without an assignment row (their weaving failed)


def _story(rec: dict) -> Story:
    return Story(id=rec["id"], headline=rec["headline"], first_seen=pq_io.as_utc(rec["first_seen"]),
                 last_seen=pq_io.as_utc(rec["last_seen"]), centroid=pq_io.bytes_to_vec(rec.get("centroid")))


def import_backfill(directory: str | Path, db: str | Path | None = None, store=None) -> ImportReport:
    """Load DIR/{entities,stories,assignments,articles} into the store at ``db`` (or ``store``)."""
    from newsloom.store import Store

    directory = Path(directory)
    for table in (pq_io.ARTICLES, pq_io.ASSIGNMENTS, pq_io.STORIES):
        if not (directory / table).is_dir():
            raise InputError(f"{directory} is not a backfill output: {table}/ is missing", kind="missing")
    own = store is None
    store = store or Store(db)
    report = ImportReport()
    try:
        entities = {e["id"]: pq_io.record_to_entity(e) for e in pq_io.iter_table(directory, pq_io.ENTITIES)}
        with store.transaction() as conn:
            store.upsert_entities(conn, entities)
        report.entities = len(entities)

        stories = pq_io.read_table(directory, pq_io.STORIES)
        with store.transaction() as conn:
            for rec in stories:
                store.save_story(conn, _story(rec), int(rec["size"]))
        report.stories = len(stories)

        assigned = {a["article_id"]: a for a in pq_io.iter_table(directory, pq_io.ASSIGNMENTS)}
        batch = []
        for rec in pq_io.iter_table(directory, pq_io.ARTICLES, batch_size=BATCH):
            batch.append(rec)
            if len(batch) >= BATCH:
                _import_batch(store, batch, assigned, report)
                batch = []
        _import_batch(store, batch, assigned, report)
    finally:
        if own:
            store.close()
    return report


def _import_batch(store, batch: list[dict], assigned: dict[str, dict], report: ImportReport) -> None:
    if not batch:
        return
    with store.transaction() as conn:
        for rec in batch:
            assignment = assigned.get(rec["id"])
            if assignment is None:
                report.unassigned += 1
                continue
            if store.has_article(rec["id"]):
                report.articles_skipped += 1
                continue
            article = pq_io.record_to_article(rec)
            article.story_id = assignment["story_id"]
            reason = json.loads(assignment.get("reason") or "{}")
            reason.update({"backfill_window": assignment["window"], "window_story": assignment["window_story"]})
            store.insert_article(conn, article, rec.get("encoder") or "", reason)
            report.articles_added += 1


def main(argv: list[str] | None = None) -> int:
    """``newsloom [--db PATH] import DIR``: 0 on success, 2 when DIR or the database is unusable."""
    p = argparse.ArgumentParser(prog="newsloom import", description="Load a backfill's Parquet output.")
    p.add_argument("--db", help="SQLite database (default: $NEWSLOOM_DB or the per-user data folder)")
    p.add_argument("directory", metavar="DIR", help="the --output folder of `newsloom backfill`")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    try:
        report = import_backfill(args.directory, args.db)
    except NewsloomError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(asdict(report)))
    else:
        print(f"imported {report.articles_added} articles ({report.articles_skipped} already stored), "
              f"{report.stories} stories, {report.entities} entities")
    return 0
