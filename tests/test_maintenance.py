"""Compaction, raw-zone retention and staging clean-up."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
from newswire.config import Settings
from newswire.daily_reports import read_daily_report, write_daily_report
from newswire.maintenance import apply_raw_retention, clean_staging, compact
from newswire.schema import to_table
from newswire.stages import run_interval
from newswire.store import DATA_FILE, Partition

from tests.conftest import both_lakes

DAY = date(2017, 12, 4)


def test_compaction_merges_small_files_into_one(settings: Settings) -> None:
    rows = [{"run_id": "r", "purpose": "page", "url": f"u{i}", "request_url": f"u{i}",
             "attempt": 1, "status": 200, "error": None, "bytes": 1, "elapsed_ms": 1,
             "fetched_at": datetime(2017, 12, 4, tzinfo=UTC), "pipeline_version": "t"}
            for i in range(4)]
    partition = Partition("fetch_log", "s", DAY)
    settings.lake.write_partition(partition, to_table("fetch_log", rows[:2]))
    folder = Path(settings.lake.folder_of(partition))
    extra = folder / "part-other.parquet"
    pq.write_table(to_table("fetch_log", rows[2:]), extra)
    assert compact(settings) == 1
    assert [p.name for p in folder.iterdir()] == ["data.parquet"]
    assert settings.lake.read_partition(partition).num_rows == 4
    assert compact(settings) == 0


@both_lakes
def test_raw_retention_drops_old_bodies_and_keeps_rows(settings: Settings) -> None:
    start = datetime(2017, 12, 4, tzinfo=UTC)
    run_interval(settings, start, start + timedelta(days=1), "r", nlp=False)
    before = settings.lake.read_partition(Partition("raw_pages", "sample_aa", DAY))
    assert apply_raw_retention(settings, 0) == (0, 0)  # 0 keeps everything
    trimmed, dropped = apply_raw_retention(settings, keep_days=30)
    assert trimmed == 2 and dropped == before.num_rows + settings.lake.read_partition(
        Partition("raw_pages", "sample_wire", DAY)).num_rows
    after = settings.lake.read_partition(Partition("raw_pages", "sample_aa", DAY))
    assert after.num_rows == before.num_rows
    assert after.column("body").null_count == after.num_rows
    assert after.column("body_sha256").to_pylist() == before.column("body_sha256").to_pylist()
    # Articles are untouched and the daily report can still be written.
    write_daily_report(settings, DAY)
    assert "sample_aa    2017-12-04  2" in (read_daily_report(settings, DAY, ".txt") or "")


def test_killed_local_write_leaves_a_temp_file_that_is_swept(settings: Settings) -> None:
    from newswire.maintenance import remove_orphan_files

    partition = Partition("fetch_log", "s", DAY)
    settings.lake.write_partition(partition, to_table("fetch_log", []))
    folder = Path(settings.lake.folder_of(partition))
    leftover = folder / f".{DATA_FILE}.dead.tmp"
    leftover.write_bytes(b"half a file")
    assert remove_orphan_files(settings, older_than_hours=1) == 0
    stamp = time.time() - 2 * 3600
    os.utime(leftover, (stamp, stamp))
    assert remove_orphan_files(settings, older_than_hours=1) == 1
    assert [p.name for p in folder.iterdir()] == ["data.parquet"]


def test_clean_staging_keeps_recent_runs_and_host_slots(settings: Settings) -> None:
    old = settings.staging / "old-run"
    new = settings.staging / "new-run"
    slots = settings.staging / "_hosts"
    for folder in (old, new, slots):
        folder.mkdir(parents=True)
    stamp = time.time() - 10 * 86400
    os.utime(old, (stamp, stamp))
    os.utime(slots, (stamp, stamp))
    assert clean_staging(settings, older_than_days=7) == 1
    assert not old.exists() and new.exists() and slots.exists()
