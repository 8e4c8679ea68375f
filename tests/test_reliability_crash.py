"""Crash safety: SIGKILL at random points while ingesting, a full disk, a read-only database.

The kill -9 run forks ingesting children from one process that loaded the real
encoder once (``benchmarks/reliability.py kill9-driver``) and kills each child after
a random delay (fixed seed); entity models are off (``enrich=False``) so restarts
stay cheap. ``NEWSLOOM_RELIABILITY=full`` runs 60 cycles over 2000 articles.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from test_reliability_badinput import load_harness

from newsloom.embed.hashing import HashingEncoder

rel = load_harness()
FULL = os.environ.get("NEWSLOOM_RELIABILITY", "ci") == "full"


def test_kill9_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    cycles, articles = (60, 4000) if FULL else (20, 1200)
    report = rel.run_kill9(tmp_path, cycles=cycles, articles=articles)
    assert report.cycles == cycles
    assert report.killed_mid_ingest + report.finished_before_kill == cycles
    assert report.killed_mid_ingest >= cycles * 3 // 4  # the kills land while ingesting
    assert report.killed_after_commits >= 5 and report.committed_logged > 0  # and after commits, not only before
    assert report.problems == []
    assert report.lost == 0 and report.duplicated == 0 and report.readded_on_rerun == 0
    assert report.stored == report.expected == articles


def test_consistency_check_notices_a_broken_story(tmp_path: Path) -> None:
    """The checker used above is not blind: a story size or centroid off by a little is caught."""
    from newsloom import Engine
    from newsloom.weave import CosineJudge

    db = tmp_path / "c.db"
    e = Engine(db=db, encoder=HashingEncoder(dim=512), similarity=CosineJudge(threshold=0.0), enrich=False)
    e.ingest_raw(rel._good_raws(4))
    e.close()
    assert rel.consistency_problems(db, encoder=HashingEncoder(dim=512)) == []
    conn = sqlite3.connect(db)
    conn.execute("UPDATE stories SET centroid = zeroblob(2048) WHERE rowid = (SELECT MIN(rowid) FROM stories)")
    conn.execute("UPDATE stories SET size = size + 1 WHERE rowid = (SELECT MAX(rowid) FROM stories)")
    conn.commit()
    conn.close()
    problems = rel.consistency_problems(db, encoder=HashingEncoder(dim=512))
    assert any("centroid" in p for p in problems) and any("size" in p for p in problems)


def test_full_disk_gives_clear_errors_and_no_corruption(tmp_path: Path) -> None:
    report = rel.run_full_disk(tmp_path, HashingEncoder(dim=512))
    assert report.crashes == 0 and report.problems == []
    assert report.added_before_full > 0 and report.store_errors > 0 and report.other_errors == 0
    assert "full" in report.error_example
    assert report.integrity == "ok" and report.lost_after_full == 0
    assert report.added_after_space_freed == 120 - report.added_before_full


def test_read_only_database_is_refused_clearly_and_left_untouched(tmp_path: Path) -> None:
    report = rel.run_read_only(tmp_path, HashingEncoder(dim=512))
    assert report.crashes == 0
    if report.method.startswith("tmpfs"):
        assert "read-only" in report.error  # opening for writing says why
        assert report.readonly_open_error == ""  # reading it works even on read-only media
    assert report.per_item_kinds == ["duplicate", "error:store"]
    assert "readonly" in report.per_item_reason or "read-only" in report.per_item_reason
    assert report.unchanged and report.readable


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_small_volume_really_mounts(tmp_path: Path) -> None:
    with rel.small_volume(tmp_path / "v", 256) as mounted:
        assert mounted
        with pytest.raises(OSError):
            (tmp_path / "v" / "big").write_bytes(b"x" * 400 * 1024)
