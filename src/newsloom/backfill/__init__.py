"""Backfill: weave years of archives into stories, in one process or on Apache Spark.

``newsloom backfill --engine spark|local INPUT... --output DIR`` reads JSONL, WARC
and Parquet files (local paths, or any Hadoop URI with the Spark engine), runs the
project's own stages (`newsloom.pipeline.Pipeline`, `newsloom.weave.StoryWeaver`)
and writes Parquet tables (see `newsloom.backfill.parquet`). ``newsloom import DIR``
(`newsloom.backfill.importer`) loads them into the SQLite store. The plan both
engines share, and why it agrees with the streaming engine, is in
`newsloom.backfill.job` and docs/backfill.md.
"""

from __future__ import annotations

import argparse
import json
import sys

from newsloom.errors import NewsloomError
from newsloom.backfill.job import BackfillConfig, BackfillSummary, pairwise_agreement

__all__ = ["BackfillConfig", "BackfillSummary", "main", "pairwise_agreement", "run"]


def run(inputs: list[str], output: str, *, engine: str = "local", config: BackfillConfig | None = None,
        master: str | None = None, partitions: int | None = None, judge=None, spark=None) -> BackfillSummary:
    """Run a backfill with the chosen engine ('local' or 'spark'); see `newsloom.backfill.job`."""
    if engine == "local":
        from newsloom.backfill.local import run_local

        return run_local(inputs, output, config, judge=judge)
    if engine == "spark":
        try:
            from newsloom.backfill.spark import run_spark, spark_session
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise SystemExit(f"the spark engine needs pyspark: pip install 'newsloom[spark]' ({exc})")
        own = spark is None
        spark = spark or spark_session(master)
        try:
            return run_spark(inputs, output, config, spark=spark, partitions=partitions, judge=judge)
        finally:
            if own:
                spark.stop()
    raise ValueError(f"unknown engine {engine!r}: use 'local' or 'spark'")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsloom backfill",
                                description="Weave an archive into stories and write Parquet tables.")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="JSONL / WARC / Parquet files or folders (Spark: also hdfs://, s3a://, ... URIs)")
    p.add_argument("--output", "-o", required=True, metavar="DIR", help="output folder (or URI with spark)")
    p.add_argument("--engine", choices=("local", "spark"), default="local")
    p.add_argument("--master", help="Spark master (default: spark-submit's, else local[*])")
    p.add_argument("--partitions", type=int, help="Spark partitions for the prepare and weave stages")
    p.add_argument("--window-days", type=float, default=BackfillConfig.window_days,
                   help="width of a weaving window (default %(default)s)")
    p.add_argument("--overlap-days", type=float, default=BackfillConfig.overlap_days,
                   help="how far each window re-weaves the previous one (default %(default)s; "
                        "keep it >= --story-window-days)")
    p.add_argument("--story-window-days", type=float, default=BackfillConfig.weave_window_days,
                   help="how far in time a story stays open to new articles (default %(default)s)")
    p.add_argument("--no-enrich", action="store_true", help="skip entities and dates (faster)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    """``newsloom backfill ...``: 0 when the job completed (bad records are counted, not fatal), 2 on
    usage errors."""
    args = build_parser().parse_args(argv)
    if args.overlap_days < args.story_window_days:
        print(f"warning: --overlap-days {args.overlap_days} < --story-window-days {args.story_window_days}: "
              "stories crossing a window boundary may be split", file=sys.stderr)
    try:
        config = BackfillConfig(window_days=args.window_days, overlap_days=args.overlap_days,
                                weave_window_days=args.story_window_days, enrich=not args.no_enrich)
    except NewsloomError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = run(args.inputs, args.output, engine=args.engine, config=config, master=args.master,
                  partitions=args.partitions)
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2, default=str))
    else:
        print(f"{summary.articles} articles in {summary.stories} stories, {summary.errors} bad records "
              f"({', '.join(f'{k}: {v}' for k, v in summary.errors_by_kind.items()) or 'none'}), "
              f"{summary.duplicates} duplicates; {summary.windows} windows, {summary.cross_window_links} "
              f"cross-window links; {summary.seconds:.1f} s -> {args.output}")
    return 0
