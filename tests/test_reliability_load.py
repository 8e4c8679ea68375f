"""Load: API writers and readers on a loopback server plus a command-line ingest process,
all on one database, for a bounded time. No request may fail, none may see "database
is locked". Latencies are printed (figures, not assertions); see benchmarks/reliability.py."""

from __future__ import annotations

import os
from pathlib import Path

from test_reliability_badinput import load_harness

from newsloom import Engine
from newsloom.embed import default_encoder

rel = load_harness()
SECONDS = 60 if os.environ.get("NEWSLOOM_RELIABILITY", "ci") == "full" else 8


def test_concurrent_api_and_cli_ingestion_with_readers_has_no_errors(tmp_path: Path) -> None:
    engine = Engine(db=tmp_path / "load.db", encoder=default_encoder(), similarity=rel.load_judge(), enrich=False)
    report = rel.run_load(tmp_path, engine, seconds=SECONDS, cli_articles=40)
    for name, lat in sorted(report.latency_ms.items()):
        print(f"{name:<20} n={lat['n']} p50={lat['p50']} ms p95={lat['p95']} ms max={lat['max']} ms")
    assert report.errors == 0, report.error_examples
    assert report.locked == 0
    assert report.cli_errors == [] and report.cli_added == 40
    assert report.api_added > 0
    assert {"POST /api/articles", "GET /api/stories", "POST /api/compare", "GET /api/search"} <= set(report.latency_ms)
    # everything both writers reported is there, once, and the database is consistent
    assert engine.store.count_articles() == report.api_added + report.cli_added + 4
    engine.close()
    assert rel.consistency_problems(tmp_path / "load.db") == []
