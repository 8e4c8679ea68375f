"""Operations: ``newsloom doctor``, ``newsloom export`` and ``newsloom import``.

doctor
    Runs read-only checks on a database and, with ``--repair``, fixes the ones that
    are safe to fix without re-running the pipeline:

    ========================  =========================================  ===================
    check                     finds                                      repair
    ========================  =========================================  ===================
    ``integrity``             ``PRAGMA integrity_check`` problems         none (restore/export)
    ``schema``                a schema version other than the current    none
    ``fts_missing``           articles absent from the full-text index   index them
    ``fts_orphans``           index rows of no article                   delete
    ``fts_duplicates``        articles indexed more than once            keep one row
    ``orphan_sentences``      sentences of no article                    delete
    ``orphan_mentions``       mentions of no article                     delete
    ``orphan_events``         events of no article                       delete
    ``story_size``            stories whose size != their member count   set the size
    ``empty_stories``         stories with no member article             delete
    ``dangling_story``        articles whose story id has no story row   report only
    ``unassigned``            articles with no story                     report only
    ``vectors``               articles with no or malformed vector       report only
    ========================  =========================================  ===================

    "Report only" problems need the weaver or the encoder: re-ingesting the
    affected articles (after an export/import, say) is the remedy.

export / import
    A whole database as JSON Lines (the ``record`` field says what a line is): a header line, then one ``entity`` record per
    entity, one ``story`` record per story and one ``article`` record per article
    holding its sentences, mentions and events. Every column is written exactly as
    stored (JSON columns stay strings, BLOBs are base64), so an import into an empty
    database reproduces every row bit for bit; the full-text index is rebuilt from
    the articles. With pyarrow installed, ``--format parquet`` writes a folder of
    one Parquet file per table plus ``manifest.json``. Import is idempotent: rows
    whose key already exists are left alone.
"""

from __future__ import annotations

import argparse
import base64
import json
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from newsloom.errors import InputError, NewsloomError, StoreError
from newsloom.store import SCHEMA_VERSION, Store

EXPORT_FORMAT = "newsloom-export"
EXPORT_VERSION = 1
PARQUET_MANIFEST = "manifest.json"
#: Tables exported, in import order (parents before children).
TABLES = ("entities", "stories", "articles", "sentences", "mentions", "events")
CHILD_TABLES = ("sentences", "mentions", "events")
BLOB_PREFIX = "b64:"


# -- doctor ---------------------------------------------------------------------------

@dataclass
class Finding:
    """One check's outcome: ``ok``, ``problem`` or ``repaired`` (``count`` rows involved)."""

    check: str
    status: str
    count: int = 0
    detail: str = ""
    repairable: bool = False
    examples: list[str] = field(default_factory=list)


@dataclass
class DoctorReport:
    path: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """True when nothing is left to fix (problems found and repaired count as fixed)."""
        return all(f.status != "problem" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "healthy": self.healthy, "findings": [asdict(f) for f in self.findings]}


_FTS_IDS = "SELECT article_id FROM articles_fts WHERE article_id IS NOT NULL"
#: (check, SQL selecting the offending keys, SQL repairing them or None, detail)
_ROW_CHECKS: tuple[tuple[str, str, str | None, str], ...] = (
    ("fts_missing",
     f"SELECT id FROM articles WHERE id NOT IN ({_FTS_IDS})",
     "INSERT INTO articles_fts (article_id, title, clean_text) SELECT id, COALESCE(title, ''), clean_text"
     f" FROM articles WHERE id NOT IN ({_FTS_IDS})",
     "articles missing from the full-text index"),
    ("fts_orphans",
     "SELECT rowid FROM articles_fts WHERE article_id IS NULL OR article_id NOT IN (SELECT id FROM articles)",
     "DELETE FROM articles_fts WHERE article_id IS NULL OR article_id NOT IN (SELECT id FROM articles)",
     "full-text index rows of no article"),
    ("fts_duplicates",
     "SELECT article_id FROM articles_fts GROUP BY article_id HAVING COUNT(*) > 1",
     "DELETE FROM articles_fts WHERE rowid NOT IN (SELECT MIN(rowid) FROM articles_fts GROUP BY article_id)",
     "articles indexed more than once"),
    ("orphan_sentences",
     "SELECT DISTINCT article_id FROM sentences s WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = s.article_id)",
     "DELETE FROM sentences WHERE article_id NOT IN (SELECT id FROM articles)", "sentences of no article"),
    ("orphan_mentions",
     "SELECT DISTINCT article_id FROM mentions m WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = m.article_id)",
     "DELETE FROM mentions WHERE article_id NOT IN (SELECT id FROM articles)", "mentions of no article"),
    ("orphan_events",
     "SELECT DISTINCT article_id FROM events e WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = e.article_id)",
     "DELETE FROM events WHERE article_id NOT IN (SELECT id FROM articles)", "events of no article"),
    ("story_size",
     "SELECT s.id FROM stories s WHERE s.size != (SELECT COUNT(*) FROM articles a WHERE a.story_id = s.id)"
     " AND EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.id)",
     "UPDATE stories SET size = (SELECT COUNT(*) FROM articles a WHERE a.story_id = stories.id)"
     " WHERE size != (SELECT COUNT(*) FROM articles a WHERE a.story_id = stories.id)"
     " AND EXISTS (SELECT 1 FROM articles a WHERE a.story_id = stories.id)",
     "stories whose size disagrees with their member articles"),
    ("empty_stories",
     "SELECT s.id FROM stories s WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.id)",
     "DELETE FROM stories WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.story_id = stories.id)",
     "stories with no member article"),
    ("dangling_story",
     "SELECT a.id FROM articles a WHERE a.story_id IS NOT NULL"
     " AND NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = a.story_id)",
     None, "articles assigned to a story that does not exist (re-ingest them)"),
    ("unassigned",
     "SELECT id FROM articles WHERE story_id IS NULL", None, "articles with no story (re-ingest them)"),
    ("vectors",
     "SELECT id FROM articles WHERE vector IS NULL OR length(vector) = 0 OR length(vector) % 4 != 0",
     None, "articles with no or malformed vector (re-ingest them)"),
)


def _integrity(conn: sqlite3.Connection) -> Finding:
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return Finding("integrity", "problem", 1, f"integrity_check failed: {exc}")
    if rows == ["ok"]:
        return Finding("integrity", "ok")
    return Finding("integrity", "problem", len(rows), "PRAGMA integrity_check reports damage; restore a backup "
                   "or export what is readable", examples=rows[:5])


def doctor(store: Store, *, repair: bool = False) -> DoctorReport:
    """Check ``store`` (see the module docstring); with ``repair`` fix the safe problems in one transaction."""
    conn = store.conn
    report = DoctorReport(str(store.path))
    integrity = _integrity(conn)
    report.findings.append(integrity)
    version = store.schema_version()
    report.findings.append(Finding("schema", "ok" if version == SCHEMA_VERSION else "problem", 0,
                                   f"schema version {version} (current {SCHEMA_VERSION})"))
    if integrity.status == "problem":
        repair = False  # a damaged file: writing to it can make it worse; report, repair nothing
    pending: list[tuple[Finding, str]] = []
    for check, select_sql, repair_sql, detail in _ROW_CHECKS:
        keys = [r[0] for r in conn.execute(select_sql)]
        finding = Finding(check, "problem" if keys else "ok", len(keys), detail, repair_sql is not None,
                          [str(k) for k in keys[:5]])
        report.findings.append(finding)
        if keys and repair and repair_sql is not None:
            pending.append((finding, repair_sql))
    if pending:
        with store.transaction() as tx:
            for finding, repair_sql in pending:
                tx.execute(repair_sql)
                finding.status = "repaired"
    return report


# -- export ---------------------------------------------------------------------------

def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute("SELECT * FROM pragma_table_info(?)", (table,))]


def _encode_value(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return BLOB_PREFIX + base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(BLOB_PREFIX):
        return base64.b64decode(value[len(BLOB_PREFIX):], validate=True)
    return value


def _rows(conn: sqlite3.Connection, table: str, order: str) -> Iterator[dict[str, Any]]:
    columns = _columns(conn, table)
    # table, columns and order come from our own schema (TABLES, pragma_table_info), never from input
    column_list = ", ".join(f'"{c}"' for c in columns)
    for row in conn.execute(f'SELECT {column_list} FROM "{table}" ORDER BY {order}'):
        yield dict(zip(columns, row))


_ORDER = {"entities": "id", "stories": "id", "articles": "rowid", "sentences": "article_id, idx",
          "mentions": "article_id, idx", "events": "article_id, idx"}


def _children(conn: sqlite3.Connection, table: str, article_id: str) -> list[dict[str, Any]]:
    columns = [c for c in _columns(conn, table) if c != "article_id"]
    column_list = ", ".join(f'"{c}"' for c in columns)
    return [dict(zip(columns, (_encode_value(v) for v in row))) for row in conn.execute(
        f'SELECT {column_list} FROM "{table}" WHERE article_id = ? ORDER BY idx', (article_id,))]


def export_header(store: Store) -> dict[str, Any]:
    conn = store.conn
    return {"record": "header", "format": EXPORT_FORMAT, "version": EXPORT_VERSION,
            "schema_version": store.schema_version(),
            "exported": datetime.now(UTC).isoformat(),
            "counts": {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES}}


def iter_export_records(store: Store) -> Iterator[dict[str, Any]]:
    """The header, then every entity, story and article (with its children) as plain dicts."""
    conn = store.conn
    yield export_header(store)
    for table, kind in (("entities", "entity"), ("stories", "story")):
        for row in _rows(conn, table, _ORDER[table]):
            yield {"record": kind, **{k: _encode_value(v) for k, v in row.items()}}
    for row in _rows(conn, "articles", "rowid"):
        record = {"record": "article", **{k: _encode_value(v) for k, v in row.items()}}
        for child in CHILD_TABLES:
            record[child] = _children(conn, child, row["id"])
        yield record


def export_jsonl(store: Store, out: IO[str]) -> dict[str, int]:
    """Write the whole database to ``out`` as JSON Lines; returns records written per type."""
    counts: dict[str, int] = {}
    for record in iter_export_records(store):
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        counts[record["record"]] = counts.get(record["record"], 0) + 1
    return counts


def export_parquet(store: Store, folder: Path) -> dict[str, int]:
    """One Parquet file per table in ``folder`` plus ``manifest.json``; needs pyarrow."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise NewsloomError("Parquet export needs pyarrow (pip install pyarrow)") from exc
    folder.mkdir(parents=True, exist_ok=True)
    conn = store.conn
    counts: dict[str, int] = {}
    for table in TABLES:
        columns = _columns(conn, table)
        rows = list(_rows(conn, table, _ORDER[table]))
        data = {c: [r[c] for r in rows] for c in columns}
        arrays = {}
        for c in columns:
            values = data[c]
            sample = next((v for v in values if v is not None), None)
            if isinstance(sample, bytes):
                arrays[c] = pa.array(values, type=pa.binary())
            elif isinstance(sample, float):
                arrays[c] = pa.array(values, type=pa.float64())
            elif isinstance(sample, int):
                arrays[c] = pa.array(values, type=pa.int64())
            else:
                arrays[c] = pa.array([v if v is None else str(v) for v in values], type=pa.string())
        pq.write_table(pa.table(arrays), folder / f"{table}.parquet")
        counts[table] = len(rows)
    header = export_header(store)
    header["format"] = EXPORT_FORMAT + "-parquet"
    (folder / PARQUET_MANIFEST).write_text(json.dumps(header, indent=2), "utf-8")
    return counts


# -- import ---------------------------------------------------------------------------

def _check_header(header: Any, origin: str) -> None:
    if not isinstance(header, dict) or header.get("record") != "header" \
            or not str(header.get("format", "")).startswith(EXPORT_FORMAT):
        raise InputError(f"{origin}: not a newsloom export (no newsloom-export header)", kind="unsupported")
    if int(header.get("version", 0)) > EXPORT_VERSION:
        raise InputError(f"{origin}: export format version {header['version']} is newer than this newsloom "
                         f"reads ({EXPORT_VERSION})", kind="unsupported")
    if int(header.get("schema_version", 0)) > SCHEMA_VERSION:
        raise InputError(f"{origin}: exported from schema version {header['schema_version']}; this newsloom "
                         f"reads up to {SCHEMA_VERSION}", kind="unsupported")


class _Importer:
    """Inserts exported rows, skipping keys already present; column names are checked against the schema."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.columns = {t: set(_columns(store.conn, t)) for t in TABLES}
        self.counts = {t: 0 for t in TABLES}

    def insert(self, conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> bool:
        unknown = set(row) - self.columns[table]
        if unknown:
            raise InputError(f"{table} record has unknown fields {sorted(unknown)}", kind="malformed")
        names = list(row)
        # names are checked against pragma_table_info above; values are bound parameters
        cur = conn.execute(f'INSERT OR IGNORE INTO "{table}" ({", ".join(chr(34) + n + chr(34) for n in names)})'
                           f' VALUES ({",".join("?" * len(names))})', [_decode_value(row[n]) for n in names])
        inserted = cur.rowcount > 0
        self.counts[table] += int(inserted)
        return inserted

    def article(self, conn: sqlite3.Connection, record: dict[str, Any]) -> None:
        children = {c: record.pop(c, []) for c in CHILD_TABLES}
        if not self.insert(conn, "articles", record):
            return  # already stored: its children and index row are too
        for table, rows in children.items():
            for row in rows:
                self.insert(conn, table, {"article_id": record["id"], **row})
        conn.execute("INSERT INTO articles_fts (article_id, title, clean_text) VALUES (?,?,?)",
                     (record["id"], record.get("title") or "", record.get("clean_text") or ""))


def import_records(store: Store, records: Iterator[dict[str, Any]], origin: str) -> dict[str, int]:
    """Import an export's records (header first) in one transaction; returns rows inserted per table."""
    importer = _Importer(store)
    try:
        header = next(records)
    except StopIteration:
        raise InputError(f"{origin}: empty export", kind="empty") from None
    _check_header(header, origin)
    kinds = {"entity": "entities", "story": "stories"}
    with store.transaction() as conn:
        for number, record in enumerate(records, start=2):
            kind = record.pop("record", None) if isinstance(record, dict) else None
            if kind == "article":
                importer.article(conn, record)
            elif kind in kinds:
                importer.insert(conn, kinds[kind], record)
            else:
                raise InputError(f"{origin}: record {number} has unknown record kind {kind!r}", kind="malformed")
    return importer.counts


def _jsonl_records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("r", encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:line {number}: invalid JSON: {exc.msg}", kind="malformed") from None


def _parquet_records(folder: Path) -> Iterator[dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise NewsloomError("Parquet import needs pyarrow (pip install pyarrow)") from exc
    yield json.loads((folder / PARQUET_MANIFEST).read_text("utf-8"))

    def table(name: str) -> list[dict[str, Any]]:
        path = folder / f"{name}.parquet"
        return pq.read_table(path).to_pylist() if path.exists() else []

    for name, kind in (("entities", "entity"), ("stories", "story")):
        for row in table(name):
            yield {"record": kind, **row}
    children: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name in CHILD_TABLES:
        by_article: dict[str, list[dict[str, Any]]] = {}
        for row in table(name):
            by_article.setdefault(row.pop("article_id"), []).append(row)
        children[name] = by_article
    for row in table("articles"):
        yield {"record": "article", **row, **{c: children[c].get(row["id"], []) for c in CHILD_TABLES}}


def import_path(store: Store, path: Path) -> dict[str, int]:
    """Import a JSONL export file or a Parquet export folder; anything else is a clear error."""
    if path.is_dir():
        if not (path / PARQUET_MANIFEST).exists():
            raise InputError(f"{path} is a folder without {PARQUET_MANIFEST}: not a `newsloom export --format "
                             "parquet` folder (a backfill's output folder holds assignments/)", kind="unsupported")
        return import_records(store, _parquet_records(path), str(path))
    if not path.exists():
        raise InputError(f"{path}: no such file or folder", kind="missing")
    return import_records(store, _jsonl_records(path), str(path))


# -- command lines --------------------------------------------------------------------

def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"newsloom {prog}", description=description)
    p.add_argument("--db", help="SQLite database (default: $NEWSLOOM_DB or the per-user data folder)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    return p


def _run(func, argv: list[str] | None) -> int:
    try:
        return func(argv)
    except NewsloomError as exc:
        print(f"newsloom: {exc}", file=sys.stderr)
        return 2


def main_doctor(argv: list[str] | None = None) -> int:
    """`newsloom doctor [--repair]`: exit 0 when healthy (after repairs), 1 when problems remain."""
    def run(argv):
        p = _parser("doctor", "check the database and repair what is safe")
        p.add_argument("--repair", action="store_true", help="fix the safely repairable problems")
        args = p.parse_args(argv)
        store = Store(args.db, readonly=not args.repair)
        try:
            report = doctor(store, repair=args.repair)
        finally:
            store.close()
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        else:
            print(f"database: {report.path}")
            for f in report.findings:
                extra = f" (e.g. {', '.join(f.examples[:3])})" if f.examples and f.status != "ok" else ""
                hint = " [repairable with --repair]" if f.status == "problem" and f.repairable else ""
                print(f"  {f.status:<9} {f.check:<17} {f.count:>6}  {f.detail}{extra}{hint}")
            print("healthy" if report.healthy else "problems remain")
        return 0 if report.healthy else 1
    return _run(run, argv)


def main_export(argv: list[str] | None = None) -> int:
    """`newsloom export OUT [--format jsonl|parquet]`; OUT '-' writes JSONL to stdout."""
    def run(argv):
        p = _parser("export", "write the whole database as JSONL (or a Parquet folder)")
        p.add_argument("output", help="file to write ('-' for stdout), or a folder for --format parquet")
        p.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
        args = p.parse_args(argv)
        store = Store(args.db, readonly=True)
        try:
            if args.format == "parquet":
                counts = export_parquet(store, Path(args.output))
            elif args.output == "-":
                counts = export_jsonl(store, sys.stdout)
            else:
                with open(args.output, "w", encoding="utf-8") as out:
                    counts = export_jsonl(store, out)
        finally:
            store.close()
        if args.output != "-":
            print(json.dumps(counts) if args.json else
                  "exported " + ", ".join(f"{v} {k}" for k, v in counts.items() if k != "header"))
        return 0
    return _run(run, argv)


def main_import(argv: list[str] | None = None) -> int:
    """`newsloom import PATH`: a JSONL export file or a Parquet export folder."""
    def run(argv):
        p = _parser("import", "load a `newsloom export` file (JSONL) or folder (Parquet)")
        p.add_argument("path")
        args = p.parse_args(argv)
        store = Store(args.db)
        try:
            counts = import_path(store, Path(args.path))
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"import failed: {exc}") from exc
        finally:
            store.close()
        print(json.dumps(counts) if args.json else
              "imported " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        return 0
    return _run(run, argv)
