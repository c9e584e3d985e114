"""Lake upkeep: small-file compaction, raw-zone retention, orphan and staging clean-up.

All of it is safe while analysts query: every rewrite is the same atomic replacement as a
normal publish (temp file and rename, or upload and manifest commit on S3), so a reader
sees the old partition or the new one.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from newswire.catalog import refresh_catalog
from newswire.config import Settings


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
    cutoff = datetime.now(UTC).date() - timedelta(days=older_than_days)
    return settings.lake.compact(cutoff)


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
    for partition, path in settings.lake.partitions("raw_pages"):
        if partition.day >= cutoff:
            continue
        table = settings.lake.read_file(path)
        bodies = table.column("body")
        present = len(bodies) - bodies.null_count
        if present == 0:
            continue
        index = table.schema.get_field_index("body")
        table = table.set_column(index, "body", pa.nulls(len(table), pa.binary()))
        settings.lake.write_partition(partition, table, superseded)
        trimmed += 1
        dropped += present
    if superseded:
        refresh_catalog(settings.lake, settings.catalog)
        settings.lake.delete_files(superseded)
    return trimmed, dropped


def remove_orphan_files(settings: Settings, older_than_hours: float = 24) -> int:
    """Delete lake files no partition uses (uploads a crash left uncommitted on S3, temp
    files of a killed local write) once they are older than ``older_than_hours``, so a
    write in progress is never touched. Returns files removed."""
    return len(settings.lake.remove_orphans(older_than_hours * 3600))


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


