"""The backfill's Parquet output: table schemas, record <-> model conversions, local IO.

A backfill output folder holds one sub-folder per table, each a Parquet dataset
(one or many ``part-*.parquet`` files, as Spark writes them)::

    DIR/articles/     one row per prepared article (language, cleaned text, sentences,
                      mentions, events, entity ids, vectors)
    DIR/assignments/  article -> story, with the window it was woven in and why
    DIR/stories/      one row per story: the dossier fields (headline, languages,
                      sources, first/last seen, size, top entities) and the centroid
    DIR/entities/     canonical entities referenced by the articles
    DIR/errors/       every bad input record: origin, kind, reason
    DIR/summary.json  counts and the job's settings

The schema is written once, as a list of (name, type) pairs, and turned into a
pyarrow schema (local engine, importer) and a Spark schema (Spark engine), so
the two engines write the same columns with the same types.

Nested article parts (sentences, mentions, events, metadata) are JSON strings:
they are read back whole, never queried column by column, and JSON keeps the
schema stable while the stage dataclasses grow fields. Vectors are raw
little-endian bytes: float32 for article/title/centroid vectors, float16 for
sentence vectors (as in the SQLite store).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from newsloom.model import Article, Entity, Mention, Sentence, TimeEvent

ARTICLES, ASSIGNMENTS, STORIES, ENTITIES, ERRORS = "articles", "assignments", "stories", "entities", "errors"
TABLES = (ARTICLES, ASSIGNMENTS, STORIES, ENTITIES, ERRORS)
SUMMARY_FILE = "summary.json"

#: (column, type) per table; types: string, double, long, bool, timestamp, binary,
#: list<string>, map<string,long>.
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    ARTICLES: [
        ("id", "string"), ("url", "string"), ("source", "string"), ("title", "string"),
        ("text", "string"), ("clean_text", "string"), ("lang", "string"), ("lang_confidence", "double"),
        ("published", "timestamp"), ("author", "string"), ("origin", "string"), ("metadata", "string"),
        ("removed_lines", "list<string>"), ("sentences", "string"), ("mentions", "string"),
        ("events", "string"), ("entity_ids", "list<string>"), ("encoder", "string"),
        ("vector", "binary"), ("title_vector", "binary"), ("sentence_vectors", "binary"),
    ],
    ASSIGNMENTS: [
        ("article_id", "string"), ("story_id", "string"), ("window", "long"), ("window_story", "string"),
        ("published", "timestamp"), ("reason", "string"),
    ],
    STORIES: [
        ("id", "string"), ("headline", "string"), ("languages", "map<string,long>"),
        ("sources", "map<string,long>"), ("first_seen", "timestamp"), ("last_seen", "timestamp"),
        ("size", "long"), ("top_entities", "list<string>"), ("windows", "list<string>"),
        ("centroid", "binary"),
    ],
    ENTITIES: [
        ("id", "string"), ("type", "string"), ("name", "string"), ("names", "string"),
        ("country", "string"), ("latitude", "double"), ("longitude", "double"), ("geonames_id", "long"),
    ],
    ERRORS: [("origin", "string"), ("kind", "string"), ("reason", "string")],
}


def columns(table: str) -> list[str]:
    return [name for name, _ in SCHEMAS[table]]


def as_row(table: str, record: dict[str, Any]) -> tuple:
    """The record's values in schema order (what Spark's createDataFrame wants)."""
    return tuple(record.get(name) for name in columns(table))


# -- schemas -------------------------------------------------------------------
def arrow_schema(table: str):
    import pyarrow as pa

    types = {"string": pa.string(), "double": pa.float64(), "long": pa.int64(), "bool": pa.bool_(),
             "timestamp": pa.timestamp("us", tz="UTC"), "binary": pa.binary(),
             "list<string>": pa.list_(pa.string()), "map<string,long>": pa.map_(pa.string(), pa.int64())}
    return pa.schema([pa.field(name, types[kind]) for name, kind in SCHEMAS[table]])


def spark_schema(table: str):
    from pyspark.sql import types as T

    types = {"string": T.StringType(), "double": T.DoubleType(), "long": T.LongType(),
             "bool": T.BooleanType(), "timestamp": T.TimestampType(), "binary": T.BinaryType(),
             "list<string>": T.ArrayType(T.StringType()),
             "map<string,long>": T.MapType(T.StringType(), T.LongType())}
    return T.StructType([T.StructField(name, types[kind], True) for name, kind in SCHEMAS[table]])


# -- vectors -------------------------------------------------------------------
def vec_to_bytes(vec: np.ndarray | None, dtype=np.float32) -> bytes | None:
    return None if vec is None else np.ascontiguousarray(vec, dtype=dtype).tobytes()


def bytes_to_vec(blob: bytes | None, dtype=np.float32, dim: int | None = None) -> np.ndarray | None:
    if blob is None:
        return None
    arr = np.frombuffer(bytes(blob), dtype=dtype).astype(np.float32)
    return arr.reshape(-1, dim) if dim else arr


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# -- articles ------------------------------------------------------------------
def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def article_to_record(article: Article, encoder_name: str) -> dict[str, Any]:
    """One `articles` row for a prepared, embedded Article."""
    return {
        "id": article.id, "url": article.url, "source": article.source, "title": article.title,
        "text": article.text, "clean_text": article.clean_text, "lang": article.lang,
        "lang_confidence": article.lang_confidence, "published": as_utc(article.published),
        "author": article.author, "origin": article.metadata.get("origin", ""),
        "metadata": json.dumps(article.metadata, default=_json_default, ensure_ascii=False),
        "removed_lines": list(article.removed_lines),
        "sentences": json.dumps([[s.index, s.text, s.start, s.end] for s in article.sentences],
                                ensure_ascii=False),
        "mentions": json.dumps([asdict(m) for m in article.mentions], ensure_ascii=False),
        "events": json.dumps([asdict(e) for e in article.events], default=_json_default, ensure_ascii=False),
        "entity_ids": sorted(article.entity_ids()),
        "encoder": encoder_name,
        "vector": vec_to_bytes(article.vector), "title_vector": vec_to_bytes(article.title_vector),
        "sentence_vectors": vec_to_bytes(article.sentence_vectors, np.float16),
    }


def _event(d: dict[str, Any]) -> TimeEvent:
    d = dict(d)
    d["date"] = date.fromisoformat(d["date"])
    return TimeEvent(**d)


def record_to_article(rec: dict[str, Any]) -> Article:
    """The Article an `articles` row stands for (with vectors, mentions and events)."""
    vector = bytes_to_vec(rec.get("vector"))
    article = Article(
        id=rec["id"], text=rec.get("text") or rec["clean_text"], clean_text=rec["clean_text"], title=rec.get("title"),
        url=rec.get("url"), source=rec.get("source"), lang=rec.get("lang"),
        lang_confidence=rec.get("lang_confidence"), published=as_utc(rec.get("published")),
        author=rec.get("author"), metadata=json.loads(rec.get("metadata") or "{}"),
        removed_lines=list(rec.get("removed_lines") or []),
        sentences=[Sentence(*s) for s in json.loads(rec.get("sentences") or "[]")],
        mentions=[Mention(**m) for m in json.loads(rec.get("mentions") or "[]")],
        events=[_event(e) for e in json.loads(rec.get("events") or "[]")],
        vector=vector, title_vector=bytes_to_vec(rec.get("title_vector")),
    )
    if rec.get("sentence_vectors") is not None and vector is not None:
        article.sentence_vectors = bytes_to_vec(rec["sentence_vectors"], np.float16, len(vector))
    if article.published is not None:
        article.ingested = article.published  # a backfilled article was "seen" when it was published
    return article


# -- entities -------------------------------------------------------------------
def entity_to_record(entity: Entity) -> dict[str, Any]:
    return {"id": entity.id, "type": entity.type, "name": entity.name,
            "names": json.dumps(entity.names, ensure_ascii=False, sort_keys=True), "country": entity.country,
            "latitude": entity.latitude, "longitude": entity.longitude, "geonames_id": entity.geonames_id}


def merge_entity_records(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """One entity seen in two articles: keep a's fields, union the local names."""
    names = {**json.loads(b["names"]), **json.loads(a["names"])}
    return {**a, "names": json.dumps(names, ensure_ascii=False, sort_keys=True)}


def record_to_entity(rec: dict[str, Any]) -> Entity:
    return Entity(id=rec["id"], type=rec["type"], name=rec["name"], names=json.loads(rec.get("names") or "{}"),
                  country=rec.get("country"), latitude=rec.get("latitude"), longitude=rec.get("longitude"),
                  geonames_id=rec.get("geonames_id"))


def as_dict(value: Any) -> dict[str, int]:
    """A Parquet map column as a dict (pyarrow gives a list of pairs)."""
    if value is None:
        return {}
    return dict(value) if not isinstance(value, dict) else value


# -- local IO -------------------------------------------------------------------
def write_table(directory: str | Path, table: str, records: list[dict[str, Any]]) -> Path:
    """Write one table as ``DIR/table/part-00000.parquet`` (the local engine's writer)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(directory) / table
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    schema = arrow_schema(table)
    data = {name: [r.get(name) for r in records] for name in schema.names}
    for name, kind in SCHEMAS[table]:
        if kind == "map<string,long>":
            data[name] = [None if v is None else sorted(v.items()) for v in data[name]]
    path = folder / "part-00000.parquet"
    pq.write_table(pa.table(data, schema=schema), path)
    return path


def read_table(directory: str | Path, table: str) -> list[dict[str, Any]]:
    """All rows of one output table as dicts (small outputs, tests, the importer's small tables)."""
    return list(iter_table(directory, table))


def iter_table(directory: str | Path, table: str, batch_size: int = 1000):
    """Rows of one output table as dicts, a batch at a time (bounded memory)."""
    import pyarrow.dataset as ds

    folder = Path(directory) / table
    if not folder.is_dir():
        return
    dataset = ds.dataset(str(folder), format="parquet")
    for batch in dataset.to_batches(batch_size=batch_size):
        yield from batch.to_pylist()
