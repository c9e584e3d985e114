"""publish: staged files into the lake, the run recorded, the catalog refreshed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from newswire.config import Settings
from newswire.schema import RunRow, rows_of, to_table
from newswire.stages.common import (
    MANIFESTS,
    Annotated,
    Cleaned,
    Discovered,
    Fetched,
    StagedFile,
    StageManifest,
    days_in,
    partition_lock,
    replace_rows,
)
from newswire.store import Partition

log = logging.getLogger("newswire")


class SourcesNotRead(RuntimeError):
    """Some of the run's sources left no cleaned manifest: a stage before publish failed
    for them (its task's log says why). The other sources were published."""


def check_sources_read(expected: list[str], manifests: list[str]) -> list[str]:
    """The sources of ``expected`` that have a cleaned manifest among ``manifests``;
    raise :class:`SourcesNotRead` naming the others. The daily DAG's last word on a run
    in which a dead source must not hold back the sources that were read."""
    read = sorted({StageManifest.load(path, summary=True).source for path in manifests})
    missing = sorted(set(expected) - set(read))
    if missing:
        landed = ", ".join(read) or "none"
        raise SourcesNotRead(
            f"not read: {', '.join(missing)} (discover, fetch or clean failed: see those "
            f"tasks' logs); published: {landed}")
    return read


def publish(settings: Settings, manifests: list[str]) -> dict[str, int]:
    """Make the manifests' staged files partitions of the lake (one atomic rename, or
    upload and manifest commit, per partition), record the runs and refresh the DuckDB
    catalog. Returns rows published per table. On S3 the files the new ones replace are
    deleted only after the catalog stops naming them, so analysts' queries never hit a
    missing file."""
    published: dict[str, int] = {}
    superseded: list[str] = []
    # Each partition is replaced whole as it comes; all of them are made durable together
    # before the catalog is refreshed (a local lake syncs their folders at once).
    with settings.lake.synced_together():
        for path in manifests:
            manifest = StageManifest.load(path)
            for staged in sorted(manifest.files, key=lambda f: (f.table, f.day)):
                if not Path(staged.path).exists():
                    log.warning("publish: %s is gone from staging; skipped", staged.path)
                    continue
                publish_staged(settings, staged.partition(manifest.source), staged,
                               superseded)
                published[staged.table] = published.get(staged.table, 0) + staged.rows
        for path in manifests:
            record_run(settings, path, superseded)
    from newswire.catalog import refresh_catalog  # DuckDB: not in an NLP process

    refresh_catalog(settings.lake, settings.catalog)
    settings.lake.delete_files(superseded)
    log.info("published %s; catalog %s", published, settings.catalog)
    return published


def publish_staged(settings: Settings, partition: Partition, staged: StagedFile,
                   superseded: list[str]) -> None:
    """One staged file into its partition: as it is, or with the stored rows it keeps."""
    key = staged.merge_key
    if key is None:
        settings.lake.publish_file(partition, Path(staged.path), superseded)
        return
    # Another run of the same day (a backfill beside the daily run) may have stored
    # rows since this one staged its own: the rows this run kept are taken from what is
    # stored now, under the partition's lock, so neither run's pages are lost; rows of
    # pages this run did not find go (a rerun replaces the day).
    with partition_lock(settings, partition):
        if staged.rows and settings.lake.committed_file(partition) is None \
                and _sorted_by(Path(staged.path), key):
            # Nothing stored to keep: the staged rows (sorted by their key) are the
            # partition, published as the file they are (no read, no second compression).
            settings.lake.publish_file(partition, Path(staged.path), superseded)
            return
        if staged.rows == 0:
            stored_keys = settings.lake.read_partition(partition, columns=[key])[key]
            if set(stored_keys.to_pylist()) <= set(staged.keep):
                return  # nothing new, nothing gone: the stored partition stays, unread
        replaced = replace_rows(settings.lake.read_partition(partition),
                                pq.read_table(staged.path), key, staged.keep)
        if replaced.num_rows == 0:
            settings.lake.delete_partition(partition, superseded)
        else:
            settings.lake.write_partition(partition, replaced, superseded)


def _sorted_by(path: Path, key: str) -> bool:
    """Whether a staged file's rows are in their key's order, as a partition's are
    (files staged before staging sorted them are merged instead)."""
    # One file, one column: read as that file (pq.read_table would first import
    # pyarrow.dataset, a tenth of a second of the publish step, to read it as a dataset).
    with pq.ParquetFile(path) as staged:
        keys = staged.read(columns=[key]).column(key).to_pylist()
    return keys == sorted(keys)


def record_run(settings: Settings, manifest_path: str,
               superseded: list[str] | None = None) -> None:
    """Upsert this run's row in ``runs`` from the stage manifests beside ``manifest_path``
    (a re-run of the same run replaces its row; other runs' rows stay)."""
    folder = Path(manifest_path).parent
    # Counts, errors and times only: a day's discovered items are not decoded again.
    stages = {name: StageManifest.load(folder / f"{name}.json", summary=True)
              for name in MANIFESTS if (folder / f"{name}.json").exists()}
    first = next(iter(stages.values()))
    discover, fetch = stages.get("discover"), stages.get("fetch")
    clean, annotate = stages.get("clean"), stages.get("annotate")
    assert discover is None or isinstance(discover, Discovered)
    assert fetch is None or isinstance(fetch, Fetched)
    assert clean is None or isinstance(clean, Cleaned)
    assert annotate is None or isinstance(annotate, Annotated)
    row = RunRow(
        run_id=first.run_id, mode=first.mode,
        interval_start=first.start, interval_end=first.end,
        discovered=discover.counts.discovered if discover else 0,
        fetched=fetch.counts.fetched if fetch else 0,
        not_modified=fetch.counts.not_modified if fetch else 0,
        fetch_failed=fetch.counts.failed if fetch else 0,
        kept_stored=fetch.counts.kept_stored if fetch else 0,
        days_from_raw_zone=fetch.counts.days_from_raw_zone if fetch else 0,
        cleaned=clean.counts.cleaned if clean else 0,
        clean_failed=clean.counts.failed if clean else 0,
        annotated=annotate.counts.articles if annotate else 0,
        quotes=annotate.counts.rows.get("quotes", 0) if annotate else 0,
        entities=annotate.counts.rows.get("entities", 0) if annotate else 0,
        model=(annotate.model if annotate else None) or _stored_model(settings, first),
        errors=[e for m in stages.values() for e in m.errors][:200],
        seconds=round(sum(m.seconds for m in stages.values()), 3),
        recorded_at=datetime.now(UTC),
    )
    for day in days_in(row.interval_start, row.interval_end):
        # Runs of the same day may record at once: read-modify-write under a lock.
        partition = Partition("runs", first.source, day)
        with partition_lock(settings, partition):
            rows = [r for r in rows_of(RunRow, settings.lake.read_partition(partition))
                    if r.run_id != first.run_id]
            rows = sorted([*rows, row], key=lambda r: r.run_id)
            settings.lake.write_partition(partition, to_table("runs", rows), superseded)


def _stored_model(settings: Settings, manifest: StageManifest) -> str | None:
    """The models of the NLP rows stored for the run's first day (a run that did not
    annotate leaves them in place)."""
    partition = Partition("quotes", manifest.source, next(manifest.days()))
    table = settings.lake.read_partition(partition, columns=["model"])
    return table.column("model")[0].as_py() if table.num_rows else None
