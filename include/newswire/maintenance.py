"""Lake upkeep: small-file compaction, raw-zone retention, orphan and staging clean-up.

All of it is safe while analysts query: every rewrite is the same atomic replacement as a
normal publish (temp file and rename, or upload and manifest commit on S3), so a reader
sees the old partition or the new one.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from newswire.catalog import refresh_catalog
from newswire.config import Settings
from newswire.lake import (
    PARTITION_FILE,
    TABLES,
    delete_files,
    partitions,
    read_file,
    remove_orphans,
    schema_for,
    write_partition,
)


@dataclass
class MaintenanceResult:
    compacted: int = 0
    bodies_dropped: int = 0
    partitions_trimmed: int = 0
    orphans_removed: int = 0
    staging_removed: int = 0


def compact(settings: Settings, older_than_days: int = 1) -> int:
    """Merge partitions that hold more than one Parquet file (files other tools or older
    layouts left) into the single ``data.parquet``; returns partitions compacted. An S3
    partition is always its manifest's one file (others are orphans, see
    :func:`remove_orphan_files`), so there is nothing to merge there."""
    if not settings.lake.is_local:
        return 0
    cutoff = datetime.now(UTC).date() - timedelta(days=older_than_days)
    done = 0
    for table in TABLES:
        root = settings.lake.root / table
        for folder in sorted(root.glob("source=*/date=*")):
            day = date.fromisoformat(folder.name.split("=", 1)[1])
            files = sorted(folder.glob("*.parquet"))
            if day > cutoff or len(files) < 2:
                continue
            schema = schema_for(table)
            merged = pa.concat_tables([pq.read_table(f).select(schema.names).cast(schema)
                                       for f in files])
            source = folder.parent.name.split("=", 1)[1]
            write_partition(settings.lake, table, source, day, merged)
            for extra in files:
                if extra.name != PARTITION_FILE:
                    extra.unlink()
            done += 1
    return done


def apply_raw_retention(settings: Settings, keep_days: int) -> tuple[int, int]:
    """Drop the HTML bodies of raw pages published more than ``keep_days`` ago (the
    row, its hashes and headers stay, so the fetch history is kept). 0 keeps everything.
    Returns (partitions rewritten, bodies dropped). On S3 the catalog is refreshed before
    the replaced files are deleted."""
    if keep_days <= 0:
        return 0, 0
    cutoff = datetime.now(UTC).date() - timedelta(days=keep_days)
    trimmed = dropped = 0
    superseded: list[str] = []
    for source, day, path in list(partitions(settings.lake, "raw_pages")):
        if day >= cutoff:
            continue
        table = read_file(settings.lake, path)
        bodies = table.column("body")
        present = len(bodies) - bodies.null_count
        if present == 0:
            continue
        index = table.schema.get_field_index("body")
        table = table.set_column(index, "body", pa.nulls(len(table), pa.binary()))
        write_partition(settings.lake, "raw_pages", source, day, table, superseded)
        trimmed += 1
        dropped += present
    if superseded:
        refresh_catalog(settings.lake, settings.catalog)
        delete_files(settings.lake, superseded)
    return trimmed, dropped


def remove_orphan_files(settings: Settings, older_than_hours: float = 24) -> int:
    """Delete lake files no partition uses (uploads a crash left uncommitted on S3, temp
    files of a killed local write) once they are older than ``older_than_hours``, so a
    write in progress is never touched. Returns files removed."""
    return len(remove_orphans(settings.lake, older_than_hours * 3600))


def clean_staging(settings: Settings, older_than_days: int = 7) -> int:
    """Remove staging folders of runs older than a week (published data lives in the
    lake; staging only helps a task retry)."""
    if not settings.staging.exists():
        return 0
    cutoff = time.time() - older_than_days * 86400
    removed = 0
    for folder in settings.staging.iterdir():
        if folder.name.startswith("_") or not folder.is_dir():
            continue  # _hosts holds the per-host slots
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def run_maintenance(settings: Settings, raw_keep_days: int = 0,
                    staging_days: int = 7) -> MaintenanceResult:
    result = MaintenanceResult()
    result.compacted = compact(settings)
    result.partitions_trimmed, result.bodies_dropped = apply_raw_retention(settings,
                                                                           raw_keep_days)
    result.orphans_removed = remove_orphan_files(settings)
    result.staging_removed = clean_staging(settings, staging_days)
    return result


