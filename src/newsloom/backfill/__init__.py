"""Backfill: weave years of archives into stories, in one process or on Apache Spark."""
