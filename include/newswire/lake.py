"""The lake: hive-partitioned Parquet, ``<table>/source=<id>/date=<YYYY-MM-DD>/data.parquet``.

One file per (table, source, date) partition. A write builds the new file
under a temporary name in the same directory and renames it over the old one,
so a reader (or a crash) sees the previous complete partition or the new
complete one, never a mix, and re-running a day replaces rather than appends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = "1"
PARTITION_FILE = "data.parquet"

_TS = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    "raw_pages": pa.schema([
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("article_id", pa.string()),
        ("fetched_at", _TS),
        ("status", pa.int16()),
        ("content_type", pa.string()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("found_via", pa.string()),
        ("listed_in", pa.string()),
        ("listed_published_at", _TS),
        ("listed_title", pa.string()),
        ("body", pa.binary()),
        ("body_sha256", pa.string()),
        ("bytes", pa.int64()),
        ("run_id", pa.string()),
        ("pipeline_version", pa.string()),
    ]),
    "fetch_log": pa.schema([
        ("run_id", pa.string()),
        ("purpose", pa.string()),
        ("url", pa.string()),
        ("request_url", pa.string()),
        ("attempt", pa.int16()),
        ("status", pa.int16()),
        ("error", pa.string()),
        ("bytes", pa.int64()),
        ("elapsed_ms", pa.int64()),
        ("fetched_at", _TS),
        ("pipeline_version", pa.string()),
    ]),
    "articles": pa.schema([
        ("id", pa.string()),
        ("url", pa.string()),
        ("lang", pa.string()),
        ("source_lang", pa.string()),
        ("title", pa.string()),
        ("summary", pa.string()),
        ("byline", pa.string()),
        ("dateline", pa.string()),
        ("published_at", _TS),
        ("modified_at", _TS),
        ("sections", pa.list_(pa.struct([("heading", pa.string()),
                                         ("paragraphs", pa.list_(pa.string()))]))),
        ("body", pa.string()),
        ("content_hash", pa.string()),
        ("extractor", pa.string()),
        ("warnings", pa.list_(pa.string())),
        ("raw_sha256", pa.string()),
        ("run_id", pa.string()),
        ("pipeline_version", pa.string()),
    ]),
}

# NLP tables: every row names the article, its character offsets into the article's
# ``body``, and the stanza models that produced it (``model``).
_NLP_TAIL = [("model", pa.string()), ("run_id", pa.string()), ("pipeline_version", pa.string())]
SCHEMAS.update({
    "sentences": pa.schema([
        ("article_id", pa.string()), ("sentence_index", pa.int32()), ("text", pa.string()),
        ("start_char", pa.int32()), ("end_char", pa.int32()), *_NLP_TAIL]),
    "tokens": pa.schema([
        ("article_id", pa.string()), ("sentence_index", pa.int32()),
        ("token_index", pa.int32()), ("text", pa.string()), ("lemma", pa.string()),
        ("upos", pa.string()), ("feats", pa.string()), ("start_char", pa.int32()),
        ("end_char", pa.int32()), *_NLP_TAIL]),
    "entities": pa.schema([
        ("article_id", pa.string()), ("text", pa.string()), ("label", pa.string()),
        ("canonical", pa.string()), ("role", pa.string()), ("origin", pa.string()),
        ("start_char", pa.int32()), ("end_char", pa.int32()), *_NLP_TAIL]),
    "quotes": pa.schema([
        ("article_id", pa.string()), ("quote", pa.string()), ("speaker", pa.string()),
        ("speaker_role", pa.string()), ("cue", pa.string()), ("cue_text", pa.string()),
        ("kind", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()),
        *_NLP_TAIL]),
    "quantities": pa.schema([
        ("article_id", pa.string()), ("text", pa.string()), ("value", pa.float64()),
        ("unit", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()),
        *_NLP_TAIL]),
    "time_mentions": pa.schema([
        ("article_id", pa.string()), ("text", pa.string()), ("start_date", pa.date32()),
        ("end_date", pa.date32()), ("start_char", pa.int32()), ("end_char", pa.int32()),
        *_NLP_TAIL]),
})
# One row per (DAG run, source, day): what each stage did, with which versions.
SCHEMAS["runs"] = pa.schema([
    ("run_id", pa.string()), ("mode", pa.string()), ("interval_start", _TS),
    ("interval_end", _TS), ("discovered", pa.int64()), ("fetched", pa.int64()),
    ("not_modified", pa.int64()), ("fetch_failed", pa.int64()),
    ("kept_stored", pa.int64()), ("days_from_raw_zone", pa.int64()),
    ("cleaned", pa.int64()), ("clean_failed", pa.int64()), ("annotated", pa.int64()),
    ("quotes", pa.int64()), ("entities", pa.int64()), ("model", pa.string()),
    ("errors", pa.list_(pa.string())), ("seconds", pa.float64()),
    ("recorded_at", _TS), ("pipeline_version", pa.string()),
])
NLP_TABLES = ("sentences", "tokens", "entities", "quotes", "quantities", "time_mentions")
TABLES = tuple(SCHEMAS)


class LakeError(RuntimeError):
    """A partition could not be written or read (the previous version is intact)."""


def schema_for(table: str) -> pa.Schema:
    try:
        schema = SCHEMAS[table]
    except KeyError as exc:
        raise LakeError(f"unknown table {table!r}; known: {', '.join(TABLES)}") from exc
    return schema.with_metadata({"schema_version": SCHEMA_VERSION, "table": table})


def partition_dir(lake: Path, table: str, source: str, day: date) -> Path:
    return Path(lake) / table / f"source={source}" / f"date={day.isoformat()}"


def partition_path(lake: Path, table: str, source: str, day: date) -> Path:
    return partition_dir(lake, table, source, day) / PARTITION_FILE


def to_table(table: str, rows: list[dict]) -> pa.Table:
    schema = schema_for(table)
    return pa.Table.from_pylist(rows, schema=schema)


def write_partition(lake: Path, table: str, source: str, day: date, data: pa.Table) -> Path:
    """Atomically replace one partition with ``data`` (temp file + fsync + rename)."""
    schema = schema_for(table)
    data = data.select(schema.names).cast(schema)
    target = partition_path(lake, table, source, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temp name does not end in .parquet, so readers' globs never see it.
    tmp = target.parent / f".{PARTITION_FILE}.{uuid.uuid4().hex}.tmp"
    try:
        pq.write_table(data, tmp, compression="zstd")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise LakeError(f"could not write {target}: {exc}; the previous version is kept") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def publish_file(lake: Path, table: str, source: str, day: date, staged: Path) -> Path:
    """Move a staged Parquet file into its partition with one atomic rename."""
    target = partition_path(lake, table, source, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise LakeError(f"could not publish {staged} to {target}: {exc}") from exc
    return target


def read_partition(lake: Path, table: str, source: str, day: date) -> pa.Table:
    """The partition's rows, or an empty table with the schema when there is none."""
    path = partition_path(lake, table, source, day)
    if not path.exists():
        return schema_for(table).empty_table()
    return pq.read_table(path)


def partitions(lake: Path, table: str) -> Iterator[tuple[str, date, Path]]:
    root = Path(lake) / table
    for path in sorted(root.glob(f"source=*/date=*/{PARTITION_FILE}")):
        source = path.parent.parent.name.split("=", 1)[1]
        day = date.fromisoformat(path.parent.name.split("=", 1)[1])
        yield source, day, path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
