"""The backfill on Apache Spark: the plan of `newsloom.backfill.job`, as RDD stages.

Stages (each a `mapPartitions` over Python workers, which Spark reuses across tasks,
so every model loads once per executor Python worker):

1. *read*: Spark's ``binaryFile`` source lists and reads every input file (local
   paths or any Hadoop URI: ``hdfs://``, ``s3a://``, ``gs://``, ``abfss://``);
   `job.read_bytes` parses it with the readers' own JSONL / WARC / Parquet code.
2. *dedupe* by article id, then by URL (`reduceByKey(job.earliest)`).
3. *prepare*: ``repartitionAndSortWithinPartitions`` by prepare group (UTC day,
   source), sorted by (group, time, id); `job.prepare_sorted` runs the Pipeline.
4. *weave*: each article is copied to its home window and the overlap windows
   (`job.windows_of`), repartitioned by window and sorted by (window, time, id);
   `job.weave_window` runs StoryWeaver per window.
5. *link*: overlap copies are joined with the previous window's copies of the same
   article; per window story, `job.choose_parent` picks its parent; the driver
   resolves the (small) link trees with `job.resolve_story_ids` and broadcasts
   the final story ids.
6. *write*: Parquet tables with the schemas of `newsloom.backfill.parquet`.
"""

from __future__ import annotations

import itertools
import operator
import os
import sys
import time
from pathlib import Path
from typing import Any

from newsloom.backfill import job
from newsloom.backfill import parquet as pq_io
from newsloom.model import ItemError, RawArticle

#: Settings for a laptop or CI (`local[N]`); a cluster takes its own from spark-submit.
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "2g",
    "spark.python.worker.reuse": "true",
}


def spark_session(master: str | None = None, app: str = "newsloom-backfill", conf: dict[str, str] | None = None):
    """A SparkSession; ``master`` None keeps spark-submit's (or ``local[*]`` when run directly)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app)
    under_submit = bool(os.environ.get("PYSPARK_GATEWAY_PORT") or os.environ.get("SPARK_ENV_LOADED"))
    if master is None and not under_submit:
        master = "local[*]"
    if master:
        builder = builder.master(master)
    # laptop/CI defaults only in local mode: on a cluster, spark-submit's settings rule
    settings = dict(LOCAL_CONF) if master and master.startswith("local") else {}
    settings.update(conf or {})
    if settings:
        # local workers run the driver's Python (where newsloom is installed) unless told
        # otherwise; SparkContext reads PYSPARK_PYTHON, not the spark.pyspark.python setting
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _absolute(path: str) -> str:
    return path if "://" in path else str(Path(path).resolve())


def _list_inputs(spark, inputs: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Inputs Spark can list (files, folders, globs, URIs), and a missing-input error for the others."""
    from pyspark.errors import AnalysisException

    found, errors = [], []
    for raw in inputs:
        path = _absolute(raw)
        try:
            spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(path).select("path")
            found.append(path)
        except AnalysisException as exc:
            errors.append(job.error_record(ItemError(raw, f"cannot list: {str(exc).splitlines()[0]}", "missing")))
    return found, errors


def _weave_partition(rows, config: job.BackfillConfig, judge_bc):
    """Consecutive windows of one sorted partition, each woven on its own."""
    judge = judge_bc.value if judge_bc is not None else None
    for window, group in itertools.groupby(rows, key=lambda kv: kv[0][0]):
        yield from job.weave_window(window, (rec for _, rec in group), config, judge)


def _merge_votes(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return out


def run_spark(inputs: list[str], output: str, config: job.BackfillConfig | None = None, *, spark=None,
              partitions: int | None = None, judge=None) -> job.BackfillSummary:
    """Run the backfill on Spark (``spark``: a session, default `spark_session()`); write DIR/*."""
    from pyspark import StorageLevel
    from pyspark.rdd import portable_hash

    config = config or job.BackfillConfig()
    started = time.perf_counter()
    spark = spark or spark_session()
    sc = spark.sparkContext
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    n_parts = partitions or max(2, sc.defaultParallelism)
    keep = StorageLevel.MEMORY_AND_DISK
    summary = job.BackfillSummary(engine="spark", inputs=list(inputs), config=vars(config).copy())

    # 1. read
    found, list_errors = _list_inputs(spark, inputs)
    if found:
        files = (spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(found)
                 .select("path", "content").rdd)
        items = files.flatMap(lambda row: job.read_bytes(row.path, bytes(row.content)))
    else:
        items = sc.emptyRDD()
    items = items.map(lambda it: job.check_dated(it) if isinstance(it, RawArticle) else it).persist(keep)
    read_errors = items.filter(lambda it: isinstance(it, ItemError)).map(job.error_record)
    raws = items.filter(lambda it: isinstance(it, RawArticle))

    # 2. dedupe: by id, then by URL (earliest copy wins)
    by_id = raws.keyBy(job.raw_id).reduceByKey(job.earliest).values()
    with_url = by_id.filter(lambda r: r.url).keyBy(lambda r: r.url).reduceByKey(job.earliest).values()
    kept = with_url.union(by_id.filter(lambda r: not r.url))

    # 3. prepare, per (day, source) group in (time, id) order
    prepared = (kept.keyBy(job.prepare_sort_key)
                .repartitionAndSortWithinPartitions(n_parts, partitionFunc=lambda k: portable_hash(k[:2]))
                .values()
                .mapPartitions(lambda it: job.prepare_sorted(it, config))
                .persist(keep))
    articles = prepared.filter(lambda kv: kv[0] == "article").values()
    entities = (prepared.filter(lambda kv: kv[0] == "entity").values()
                .keyBy(lambda e: e["id"]).reduceByKey(pq_io.merge_entity_records).values())
    prepare_errors = prepared.filter(lambda kv: kv[0] == "error").values()

    # 4. weave, per window in (time, id) order
    judge_bc = sc.broadcast(judge) if judge is not None else None
    woven = (articles.map(job.weave_record)
             .flatMap(lambda rec: [((w, *job.window_key(rec)), rec)
                                           for w in job.windows_of(rec["published"], config)])
             .repartitionAndSortWithinPartitions(n_parts, partitionFunc=lambda k: portable_hash(k[0]))
             .mapPartitions(lambda rows: _weave_partition(rows, config, judge_bc))
             .persist(keep))
    copies = woven.filter(lambda kv: kv[0] == "copy").values().persist(keep)
    weave_errors = woven.filter(lambda kv: kv[0] == "error").values()

    # 5. link windows: overlap copies vote for the previous window's story of the same article.
    # Everything the driver needs (votes, first articles, counts) comes back in one job.
    overlap = copies.filter(lambda c: not c["home"]).map(
        lambda c: ((c["window"] - 1, c["article_id"]), (c["window"], c["window_story"])))
    where = copies.map(lambda c: ((c["window"], c["article_id"]), c["window_story"]))
    votes = (overlap.join(where).map(lambda kv: (kv[1][0], {kv[1][1]: 1})).reduceByKey(_merge_votes)
             .map(lambda kv: ("link", kv[0], (kv[0][0] - 1, job.choose_parent(kv[1])))))
    firsts = (copies.filter(lambda c: c["home"])
              .map(lambda c: ((c["window"], c["window_story"]), (job.timestamp(c["published"]), c["article_id"])))
              .reduceByKey(min).map(lambda kv: ("first", kv[0], kv[1])))
    counts = sc.union([
        items.map(lambda it: (("read", isinstance(it, RawArticle)), 1)),
        prepared.map(lambda kv: (("prepared", kv[0]), 1)),
        copies.map(lambda c: (("copy", c["window"], c["home"]), 1)),
        weave_errors.map(lambda e: (("weave_error", e["origin"]), 1)),
    ]).reduceByKey(operator.add).map(lambda kv: ("count", kv[0], kv[1]))
    control = sc.union([votes, firsts, counts]).collect()
    links = {node: parent for tag, node, parent in control if tag == "link"}
    first_home = {node: first for tag, node, first in control if tag == "first"}
    tally = {key: n for tag, key, n in control if tag == "count"}
    story_of = sc.broadcast(job.resolve_story_ids(links, first_home))

    home = copies.filter(lambda c: c["home"])
    assignments = home.map(lambda c: job.assignment_record(c, story_of.value[(c["window"], c["window_story"])]))
    stories = (home.map(lambda c: (story_of.value[(c["window"], c["window_story"])], c)).groupByKey()
               .map(lambda kv: job.build_story(kv[0], kv[1], config)))

    # 6. write
    errors = read_errors.union(prepare_errors).union(weave_errors)
    if list_errors:
        errors = errors.union(sc.parallelize(list_errors, 1))
    failed = {key[1] for key in tally if key[0] == "weave_error"}
    if failed:
        articles = articles.filter(lambda a: a.get("origin") not in failed and a["id"] not in failed)
    out = _absolute(output)
    for table, rdd in ((pq_io.ARTICLES, articles), (pq_io.ASSIGNMENTS, assignments), (pq_io.STORIES, stories),
                       (pq_io.ENTITIES, entities), (pq_io.ERRORS, errors)):
        frame = spark.createDataFrame(rdd.map(lambda r, t=table: pq_io.as_row(t, r)), pq_io.spark_schema(table))
        frame.write.mode("overwrite").parquet(f"{out}/{table}")

    # the errors are few: count their kinds from the written table
    error_kinds = {r["kind"]: r["count"] for r in spark.read.parquet(f"{out}/{pq_io.ERRORS}")
                   .groupBy("kind").count().collect()}
    copy_windows = {key[1] for key in tally if key[0] == "copy"}
    summary.articles = sum(n for key, n in tally.items() if key[0] == "copy" and key[2])
    summary.stories = len(set(story_of.value.values()))
    summary.errors_by_kind = dict(sorted(error_kinds.items()))
    summary.errors = sum(error_kinds.values())
    summary.duplicates = (tally.get(("read", True), 0) - tally.get(("prepared", "article"), 0)
                          - tally.get(("prepared", "error"), 0))
    summary.windows = len(copy_windows)
    summary.window_copies = sum(n for key, n in tally.items() if key[0] == "copy")
    summary.cross_window_links = len(links)
    summary.seconds = round(time.perf_counter() - started, 3)
    for rdd in (items, prepared, woven, copies):
        rdd.unpersist()
    if "://" not in out:
        job.write_summary(out, summary)
    return summary
