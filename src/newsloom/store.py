"""SQLite storage: the source of truth. Every in-memory index is rebuilt from it.

Design choices:
- WAL mode, so readers (CLI, API, web UI) never block the writer and a crash
  loses at most the transaction in flight.
- One transaction per article: the article row, its sentences, mentions, events
  and its story assignment are written together or not at all, so a crash in the
  middle of a batch leaves no half-written article.
- Vectors are stored as raw little-endian float32 (article, title) and float16
  (sentences: 4x the rows, half the bytes, cosine error < 1e-3).
- Every SQL statement is parameterised; no value is ever formatted into SQL.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from newsloom.errors import NotFoundError, StoreError
from newsloom.model import Article, Entity, Mention, Sentence, Story, TimeEvent

SCHEMA_VERSION = 1
DB_ENV = "NEWSLOOM_DB"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    headline TEXT NOT NULL,
    first_seen TEXT,
    last_seen TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    centroid BLOB,
    closed INTEGER NOT NULL DEFAULT 0,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    url TEXT,
    source TEXT,
    title TEXT,
    text TEXT NOT NULL,
    clean_text TEXT NOT NULL,
    lang TEXT,
    lang_confidence REAL,
    published TEXT,
    ingested TEXT NOT NULL,
    author TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    removed_lines TEXT NOT NULL DEFAULT '[]',
    story_id TEXT REFERENCES stories(id),
    join_reason TEXT,
    encoder TEXT,
    vector BLOB,
    title_vector BLOB,
    sentence_vectors BLOB
);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_ingested ON articles(ingested);
CREATE INDEX IF NOT EXISTS stories_last_seen ON stories(last_seen, id);
CREATE INDEX IF NOT EXISTS stories_first_seen ON stories(first_seen, id);
CREATE INDEX IF NOT EXISTS stories_size ON stories(size, id);
CREATE TABLE IF NOT EXISTS sentences (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (article_id, idx)
);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '{}',
    country TEXT,
    latitude REAL,
    longitude REAL,
    geonames_id INTEGER
);
CREATE TABLE IF NOT EXISTS mentions (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    type TEXT NOT NULL,
    sentence INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    entity_id TEXT,
    source TEXT,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE TABLE IF NOT EXISTS events (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    date TEXT NOT NULL,
    expression TEXT NOT NULL,
    sentence INTEGER NOT NULL,
    sentence_text TEXT NOT NULL DEFAULT '',
    granularity TEXT NOT NULL DEFAULT 'day',
    part_of_day TEXT,
    entity_ids TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (article_id, idx)
);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    article_id UNINDEXED, title, clean_text, tokenize = 'unicode61 remove_diacritics 2'
);
"""


def _schema_columns() -> dict[str, list[tuple[str, str, int, str | None]]]:
    """(name, type, notnull, default) of every column of every table in _SCHEMA, from a scratch db."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.executescript(_SCHEMA)
        names = [r[0] for r in scratch.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            " AND name NOT LIKE 'articles_fts%'")]
        return {t: [(c[1], c[2], c[3], c[4]) for c in scratch.execute("SELECT * FROM pragma_table_info(?)", (t,))]
                for t in names}
    finally:
        scratch.close()


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Add every column of _SCHEMA that an existing table lacks (NULL, or its default, in old rows).

    Identifiers come from our own schema text, never from input, so formatting them is safe.
    """
    for table, columns in _schema_columns().items():
        have = {r[1] for r in conn.execute("SELECT * FROM pragma_table_info(?)", (table,))}
        if not have:
            continue  # the table is created whole by _SCHEMA
        for name, type_, notnull, default in columns:
            if name in have:
                continue
            clause = f" DEFAULT {default}" if default is not None else ""
            clause += " NOT NULL" if notnull and default is not None else ""
            conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {type_}{clause}')


#: MIGRATIONS[v] upgrades a version-v database to v + 1 inside one transaction.
#: Version 0 is a database written before the meta table existed: it gets the columns
#: it lacks; the tables and indexes it lacks come from _SCHEMA right after.
MIGRATIONS = {0: _add_missing_columns}


def default_db_path() -> Path:
    """$NEWSLOOM_DB, else the per-user data directory (XDG on Linux)."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "newsloom" / "newsloom.db"


def _vec_to_blob(vec: np.ndarray | None, dtype=np.float32) -> bytes | None:
    if vec is None:
        return None
    return np.ascontiguousarray(vec, dtype=dtype).tobytes()


def _blob_to_vec(blob: bytes | None, dtype=np.float32, dim: int | None = None) -> np.ndarray | None:
    if blob is None:
        return None
    arr = np.frombuffer(blob, dtype=dtype).astype(np.float32)
    return arr.reshape(-1, dim) if dim else arr


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Store:
    """The SQLite store. Thread-safe: one connection per thread, one writer lock.

    >>> import tempfile, os
    >>> s = Store(os.path.join(tempfile.mkdtemp(), "x.db"))
    >>> s.count_articles()
    0
    """

    def __init__(self, path: str | Path | None = None, *, readonly: bool = False) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.readonly = readonly
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._immutable = False  # read-only media: see _init_schema
        if not readonly:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the database folder {self.path.parent}: {exc}") from exc
        elif not self.path.exists():
            raise StoreError(f"database {self.path} does not exist")
        self._init_schema()

    # -- connections -------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                if self.readonly:
                    conn = sqlite3.connect(f"file:{self.path}?mode=ro{'&immutable=1' if self._immutable else ''}",
                                           uri=True, timeout=30, check_same_thread=False)
                else:
                    conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot open database {self.path}: {exc}") from exc
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            if not self.readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""
        with self._write_lock:
            conn = self.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"cannot write to {self.path}: {exc}") from exc
            try:
                yield conn
            except sqlite3.Error as exc:
                # SQLite may already have rolled back (disk full, I/O error): only roll back what is open.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"cannot write to {self.path}: {exc}") from exc
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise StoreError(f"commit failed on {self.path}: {exc}") from exc

    def _init_schema(self) -> None:
        if self.readonly:
            try:
                return self._check_version()
            except sqlite3.DatabaseError as exc:
                if not os.access(self.path.parent, os.W_OK) and not self._immutable:
                    # a WAL database on read-only media cannot create its -shm file: nobody can
                    # write there either, so reading it as immutable is safe
                    self.close()
                    self._immutable = True
                    return self._init_schema()
                raise StoreError(f"cannot read {self.path} read-only: {exc}") from exc
        try:
            with self._write_lock:
                tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                # No meta table but articles: a legacy (version 0) database; neither: a new one.
                version = self.schema_version() if "meta" in tables else (0 if "articles" in tables else None)
                if version is not None and version > SCHEMA_VERSION:
                    return self._check_version()  # refuse before touching anything
                if version is not None:
                    self._migrate(version)
                self.conn.executescript(_SCHEMA)
                if version is None:
                    self.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                                      (str(SCHEMA_VERSION),))
                    self.conn.commit()
        except sqlite3.DatabaseError as exc:
            if not os.access(self.path.parent, os.W_OK) or (self.path.exists() and not os.access(self.path, os.W_OK)):
                raise StoreError(f"cannot open {self.path} for writing: the file or its folder is read-only "
                                 f"({exc}); open it read-only to serve or export it") from exc
            raise StoreError(f"{self.path} is not a usable newsloom database: {exc}") from exc
        self._check_version()

    def _migrate(self, version: int) -> None:
        """Run MIGRATIONS[version], MIGRATIONS[version + 1], ... each in its own transaction."""
        while version < SCHEMA_VERSION:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                MIGRATIONS[version](conn)
                conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT(key)"
                             " DO UPDATE SET value = excluded.value", (str(version + 1),))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            version += 1

    def _check_version(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {version}; this newsloom reads up to "
                             f"{SCHEMA_VERSION}: upgrade newsloom")

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row["value"]) if row else 0

    # -- articles ------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id=?", (article_id,)).fetchone() is not None

    def article_id_for_url(self, url: str) -> str | None:
        row = self.conn.execute("SELECT id FROM articles WHERE url=? LIMIT 1", (url,)).fetchone()
        return row["id"] if row else None

    def count_articles(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def insert_article(self, conn: sqlite3.Connection, a: Article, encoder_name: str,
                       join_reason: dict[str, Any] | None) -> None:
        """Insert one article with everything that hangs off it, inside `conn`'s transaction."""
        sent_blob = _vec_to_blob(a.sentence_vectors, np.float16) if a.sentence_vectors is not None else None
        conn.execute(
            "INSERT INTO articles (id, url, source, title, text, clean_text, lang, lang_confidence,"
            " published, ingested, author, metadata, removed_lines, story_id, join_reason, encoder,"
            " vector, title_vector, sentence_vectors) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (a.id, a.url, a.source, a.title, a.text, a.clean_text, a.lang, a.lang_confidence,
             _iso(a.published), _iso(a.ingested), a.author, json.dumps(a.metadata, default=str),
             json.dumps(a.removed_lines), a.story_id, json.dumps(join_reason) if join_reason else None,
             encoder_name, _vec_to_blob(a.vector), _vec_to_blob(a.title_vector), sent_blob),
        )
        conn.executemany(
            "INSERT INTO sentences (article_id, idx, text, start, end) VALUES (?,?,?,?,?)",
            [(a.id, s.index, s.text, s.start, s.end) for s in a.sentences],
        )
        conn.executemany(
            "INSERT INTO mentions (article_id, idx, text, type, sentence, start, end, entity_id, source)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            [(a.id, i, m.text, m.type, m.sentence, m.start, m.end, m.entity_id, m.source)
             for i, m in enumerate(a.mentions)],
        )
        conn.executemany(
            "INSERT INTO events (article_id, idx, date, expression, sentence, sentence_text, granularity,"
            " part_of_day, entity_ids) VALUES (?,?,?,?,?,?,?,?,?)",
            [(a.id, i, e.date.isoformat(), e.expression, e.sentence, e.sentence_text, e.granularity,
              e.part_of_day, json.dumps(e.entity_ids)) for i, e in enumerate(a.events)],
        )
        conn.execute("INSERT INTO articles_fts (article_id, title, clean_text) VALUES (?,?,?)",
                     (a.id, a.title or "", a.clean_text))

    def upsert_entities(self, conn: sqlite3.Connection, entities: dict[str, Entity]) -> None:
        conn.executemany(
            "INSERT INTO entities (id, type, name, names, country, latitude, longitude, geonames_id)"
            " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
            " names = json_patch(entities.names, excluded.names)",
            [(e.id, e.type, e.name, json.dumps(e.names, ensure_ascii=False), e.country, e.latitude,
              e.longitude, e.geonames_id) for e in entities.values()],
        )

    def get_article(self, article_id: str, *, with_vectors: bool = True) -> Article:
        row = self.conn.execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r}")
        return self._article_from_row(row, with_vectors=with_vectors)

    def get_articles(self, ids: list[str], *, with_vectors: bool = True) -> list[Article]:
        return [self.get_article(i, with_vectors=with_vectors) for i in ids]

    def join_reason(self, article_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT join_reason FROM articles WHERE id=?", (article_id,)).fetchone()
        return json.loads(row["join_reason"]) if row and row["join_reason"] else None

    def _article_from_row(self, row: sqlite3.Row, *, with_vectors: bool) -> Article:
        aid = row["id"]
        sentences = [Sentence(r["idx"], r["text"], r["start"], r["end"]) for r in self.conn.execute(
            "SELECT idx, text, start, end FROM sentences WHERE article_id=? ORDER BY idx", (aid,))]
        mentions = [Mention(r["text"], r["type"], r["sentence"], r["start"], r["end"], r["entity_id"],
                            r["source"] or "") for r in self.conn.execute(
            "SELECT * FROM mentions WHERE article_id=? ORDER BY idx", (aid,))]
        events = [TimeEvent(date.fromisoformat(r["date"]), r["expression"], r["sentence"], r["sentence_text"],
                            r["granularity"], r["part_of_day"], aid, row["lang"], json.loads(r["entity_ids"]))
                  for r in self.conn.execute("SELECT * FROM events WHERE article_id=? ORDER BY idx", (aid,))]
        article = Article(
            id=aid, text=row["text"], clean_text=row["clean_text"], title=row["title"], url=row["url"],
            source=row["source"], lang=row["lang"], lang_confidence=row["lang_confidence"],
            published=_dt(row["published"]), ingested=_dt(row["ingested"]), author=row["author"],
            metadata=json.loads(row["metadata"]), removed_lines=json.loads(row["removed_lines"]),
            sentences=sentences, mentions=mentions, events=events, story_id=row["story_id"],
        )
        if with_vectors:
            article.vector = _blob_to_vec(row["vector"])
            article.title_vector = _blob_to_vec(row["title_vector"])
            if row["sentence_vectors"] is not None and article.vector is not None:
                article.sentence_vectors = _blob_to_vec(row["sentence_vectors"], np.float16, len(article.vector))
        return article

    def iter_article_vectors(self) -> Iterator[tuple[str, str | None, np.ndarray, datetime]]:
        """(id, story_id, vector, when) of every article, for rebuilding indexes."""
        for row in self.conn.execute(
                "SELECT id, story_id, vector, published, ingested FROM articles WHERE vector IS NOT NULL"):
            yield row["id"], row["story_id"], _blob_to_vec(row["vector"]), _dt(row["published"] or row["ingested"])

    # -- entities ------------------------------------------------------------
    def get_entities(self, ids: list[str]) -> dict[str, Entity]:
        out: dict[str, Entity] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(f"SELECT * FROM entities WHERE id IN ({marks})", chunk):
                out[r["id"]] = Entity(r["id"], r["type"], r["name"], json.loads(r["names"]), r["country"],
                                      r["latitude"], r["longitude"], r["geonames_id"])
        return out

    # -- stories -------------------------------------------------------------
    def save_story(self, conn: sqlite3.Connection, story: Story, size: int) -> None:
        conn.execute(
            "INSERT INTO stories (id, headline, first_seen, last_seen, size, centroid, closed, updated)"
            " VALUES (?,?,?,?,?,?,?,datetime('now')) ON CONFLICT(id) DO UPDATE SET headline=excluded.headline,"
            " first_seen=excluded.first_seen, last_seen=excluded.last_seen, size=excluded.size,"
            " centroid=excluded.centroid, closed=excluded.closed, updated=excluded.updated",
            (story.id, story.headline, _iso(story.first_seen), _iso(story.last_seen), size,
             _vec_to_blob(story.centroid), int(story.closed)),
        )

    def story_row_to_story(self, row: sqlite3.Row, with_members: bool = True) -> Story:
        story = Story(id=row["id"], headline=row["headline"], first_seen=_dt(row["first_seen"]),
                      last_seen=_dt(row["last_seen"]), centroid=_blob_to_vec(row["centroid"]),
                      closed=bool(row["closed"]))
        if with_members:
            members = self.conn.execute(
                "SELECT id, lang, source FROM articles WHERE story_id=? ORDER BY COALESCE(published, ingested)",
                (story.id,)).fetchall()
            story.article_ids = [m["id"] for m in members]
            for m in members:
                if m["lang"]:
                    story.languages[m["lang"]] = story.languages.get(m["lang"], 0) + 1
                if m["source"]:
                    story.sources[m["source"]] = story.sources.get(m["source"], 0) + 1
        return story

    def get_story(self, story_id: str) -> Story:
        row = self.conn.execute("SELECT * FROM stories WHERE id=?", (story_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no story with id {story_id!r}")
        return self.story_row_to_story(row)

    def list_stories(self, *, lang: str | None = None, source: str | None = None, since: datetime | None = None,
                     until: datetime | None = None, entity: str | None = None, query: str | None = None,
                     sort: str = "last_seen", limit: int = 50, offset: int = 0) -> list[Story]:
        """Stories filtered by member-article properties; every filter is a bound parameter."""
        where, params = [], []
        if lang:
            where.append("EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.id AND a.lang = ?)")
            params.append(lang)
        if source:
            where.append("EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.id AND a.source = ?)")
            params.append(source)
        if since:
            where.append("s.last_seen >= ?")
            params.append(since.isoformat())
        if until:
            where.append("s.first_seen <= ?")
            params.append(until.isoformat())
        if entity:
            where.append("EXISTS (SELECT 1 FROM mentions m JOIN articles a ON a.id = m.article_id"
                         " LEFT JOIN entities e ON e.id = m.entity_id WHERE a.story_id = s.id"
                         " AND (m.entity_id = ? OR e.name = ? COLLATE NOCASE OR m.text = ? COLLATE NOCASE))")
            params += [entity, entity, entity]
        if query:
            where.append("EXISTS (SELECT 1 FROM articles_fts f JOIN articles a ON a.id = f.article_id"
                         " WHERE a.story_id = s.id AND articles_fts MATCH ?)")
            params.append(fts_query(query))
        order = {"last_seen": "s.last_seen DESC", "first_seen": "s.first_seen DESC", "size": "s.size DESC",
                 "-last_seen": "s.last_seen ASC", "-first_seen": "s.first_seen ASC", "-size": "s.size ASC"}
        if sort not in order:
            raise ValueError(f"unknown sort {sort!r}; use one of {sorted(order)}")
        # the centroid blob is not read for listings: it is 2 KB a row and no listing shows it
        sql = "SELECT s.id, s.headline, s.first_seen, s.last_seen, NULL AS centroid, s.closed FROM stories s"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order[sort]}, s.id LIMIT ? OFFSET ?"
        rows = self.conn.execute(sql, [*params, int(limit), int(offset)]).fetchall()
        return [self.story_row_to_story(r) for r in rows]

    def list_articles(self, *, limit: int = 50, offset: int = 0) -> list[Article]:
        rows = self.conn.execute("SELECT * FROM articles ORDER BY COALESCE(published, ingested) DESC, id"
                                 " LIMIT ? OFFSET ?", (int(limit), int(offset))).fetchall()
        return [self._article_from_row(r, with_vectors=False) for r in rows]

    def count_stories(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0]

    def iter_live_stories(self) -> Iterator[Story]:
        for row in self.conn.execute("SELECT * FROM stories WHERE closed = 0"):
            yield self.story_row_to_story(row, with_members=False)

    def close_stories_before(self, cutoff: datetime) -> int:
        with self.transaction() as conn:
            cur = conn.execute("UPDATE stories SET closed = 1 WHERE closed = 0 AND last_seen < ?",
                               (cutoff.isoformat(),))
            return cur.rowcount

    # -- search --------------------------------------------------------------
    def search_text(self, query: str, limit: int = 20) -> list[tuple[str, float, str]]:
        """(article id, bm25 rank, snippet) by SQLite FTS5."""
        try:
            rows = self.conn.execute(
                "SELECT article_id, bm25(articles_fts) AS rank,"
                " snippet(articles_fts, 2, '[', ']', ' … ', 12) AS snip FROM articles_fts"
                " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?", (fts_query(query), int(limit))).fetchall()
        except sqlite3.OperationalError as exc:
            raise ValueError(f"cannot search for {query!r}: {exc}") from exc
        return [(r["article_id"], float(r["rank"]), r["snip"]) for r in rows]

    # -- bookkeeping ---------------------------------------------------------
    def integrity_check(self) -> list[str]:
        return [r[0] for r in self.conn.execute("PRAGMA integrity_check")]

    def stats(self) -> dict[str, Any]:
        c = self.conn
        return {
            "path": str(self.path),
            "schema_version": self.schema_version(),
            "articles": self.count_articles(),
            "stories": self.count_stories(),
            "entities": c.execute("SELECT COUNT(*) FROM entities").fetchone()[0],
            "languages": {r[0]: r[1] for r in c.execute(
                "SELECT lang, COUNT(*) FROM articles GROUP BY lang ORDER BY 2 DESC")},
        }


def fts_query(text: str) -> str:
    """Quote every word so user input is a plain phrase search, never FTS5 syntax."""
    # NUL ends an FTS5 string early ("unterminated string"): it is a separator here
    words = [w.replace('"', '""') for w in text.replace("\x00", " ").split()]
    if not words:
        raise ValueError("empty search query")
    return " ".join(f'"{w}"' for w in words)


def story_to_dict(story: Story) -> dict[str, Any]:
    d = asdict(story)
    d.pop("centroid", None)
    d["size"] = story.size
    d["first_seen"] = _iso(story.first_seen)
    d["last_seen"] = _iso(story.last_seen)
    return d
