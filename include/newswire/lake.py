"""The lake: hive-partitioned Parquet, one file per (table, source, date) partition.

A lake lives in a local directory or under ``s3://bucket/prefix`` (any S3-speaking
store); :class:`Lake` says which, and every reader and writer goes through it.

- **local**: ``<table>/source=<id>/date=<YYYY-MM-DD>/data.parquet``. A write builds the
  new file under a temporary name in the same directory and renames it over the old one.
- **S3** (no rename there): the new file is uploaded under a unique key in the partition
  folder (``part-<utc time>-<uuid>.parquet``), then committed by PUTting the partition's
  ``_manifest.json`` (which names it, its row count and run) -- one PUT, so atomic. Readers
  use only manifest-named files; the superseded file is deleted after the commit, and a
  file no manifest names (a crash between upload and commit) is an orphan that
  :func:`remove_orphans` deletes once it is old enough.

Either way a reader (or a crash) sees the previous complete partition or the new complete
one, never a mix, and re-running a day replaces rather than appends.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import s3fs

SCHEMA_VERSION = "1"
PARTITION_FILE = "data.parquet"  # the one file of a local partition
MANIFEST_FILE = "_manifest.json"  # names the committed file of an S3 partition

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
        ("published_precision", pa.string()),
    ]),
    # The cleaner's per-source template learning (clean/templates.py): per day, how many
    # of the day's articles hold each recurring paragraph.
    "template_stats": pa.schema([
        ("fingerprint", pa.string()),
        ("articles", pa.int32()),
        ("day_articles", pa.int32()),
        ("sample", pa.string()),
        ("raw_digest", pa.string()),
        ("template_version", pa.string()),
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


def s3_options_from_env() -> dict[str, Any]:
    """Endpoint, keys and region from the standard AWS variables (unset ones are left to
    botocore's own lookup: profiles, instance roles)."""
    env = os.environ
    options: dict[str, Any] = {}
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        options["endpoint_url"] = endpoint
    if env.get("AWS_ACCESS_KEY_ID"):
        options["key"] = env["AWS_ACCESS_KEY_ID"]
        options["secret"] = env.get("AWS_SECRET_ACCESS_KEY")
    if env.get("AWS_SESSION_TOKEN"):
        options["token"] = env["AWS_SESSION_TOKEN"]
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if region:
        options["client_kwargs"] = {"region_name": region}
    return options


class PartFileS3FileSystem(s3fs.S3FileSystem):
    """s3fs that remembers the metadata (HEAD) of the lake's ``part-*.parquet`` files.

    They are written once under a unique name and never changed, so the many HEADs
    DuckDB makes per file (open, size, modification time) are asked once per process.
    Deletes through this filesystem forget the file; a file deleted by another process
    fails on its first read (404), which readers already handle.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._part_info: dict[str, dict] = {}

    async def _info(self, path: str, *args: Any, **kwargs: Any) -> dict:
        key = self._strip_protocol(path)
        # s3fs's own signature: _info(path, bucket=None, key=None, refresh=False, version_id=None)
        refresh = kwargs.get("refresh") or (len(args) > 2 and args[2])
        version = kwargs.get("version_id") or (len(args) > 3 and args[3])
        cacheable = (key.endswith(".parquet") and "/part-" in key and not refresh
                     and not version)
        if cacheable and key in self._part_info:
            return dict(self._part_info[key])
        info = await super()._info(path, *args, **kwargs)
        if cacheable:
            self._part_info[key] = dict(info)
        return info

    def invalidate_cache(self, path: str | None = None) -> None:
        super().invalidate_cache(path)
        if path is None:
            self._part_info.clear()
        else:
            self._part_info.pop(self._strip_protocol(path), None)


@dataclass(frozen=True)
class Lake:
    """Where the lake lives: an absolute local directory or ``s3://bucket/prefix``."""

    location: str

    @classmethod
    def of(cls, where: LakeLike) -> Lake:
        if isinstance(where, Lake):
            return where
        text = str(where)
        if text.startswith("s3://"):
            bucket_and_prefix = text[len("s3://"):].strip("/")
            if not bucket_and_prefix or "//" in bucket_and_prefix:
                raise LakeError(f"not an S3 lake location: {text!r} (want s3://bucket/prefix)")
            return cls("s3://" + bucket_and_prefix)
        if "://" in text:
            raise LakeError(f"unsupported lake location {text!r}: a local directory or "
                            "s3://bucket/prefix")
        return cls(str(Path(text).resolve()))

    def __str__(self) -> str:
        return self.location

    @property
    def is_local(self) -> bool:
        return not self.location.startswith("s3://")

    @property
    def root(self) -> Path:
        """The local directory (only for a local lake)."""
        if not self.is_local:
            raise LakeError(f"{self.location} is not a local directory")
        return Path(self.location)

    def url(self, *parts: str) -> str:
        """A location inside the lake: a local path, or an ``s3://`` URL."""
        if self.is_local:
            return str(Path(self.location, *parts))
        return "/".join([self.location, *parts])

    @cached_property
    def fs(self) -> fsspec.AbstractFileSystem:
        if self.is_local:
            return fsspec.filesystem("file")
        # No listings cache: other processes (DAG tasks, workers) write the same lake.
        return PartFileS3FileSystem(use_listings_cache=False, **s3_options_from_env())

    def key(self, url: str) -> str:
        """The filesystem path of a lake location (``bucket/key`` on S3)."""
        return url[len("s3://"):] if url.startswith("s3://") else url


LakeLike = Lake | Path | str


def schema_for(table: str) -> pa.Schema:
    try:
        schema = SCHEMAS[table]
    except KeyError as exc:
        raise LakeError(f"unknown table {table!r}; known: {', '.join(TABLES)}") from exc
    return schema.with_metadata({"schema_version": SCHEMA_VERSION, "table": table})


def partition_dir(lake: LakeLike, table: str, source: str, day: date) -> Path | str:
    """The partition's folder: a Path in a local lake, an ``s3://`` URL otherwise."""
    where = Lake.of(lake)
    parts = (table, f"source={source}", f"date={day.isoformat()}")
    return where.root.joinpath(*parts) if where.is_local else where.url(*parts)


def partition_path(lake: LakeLike, table: str, source: str, day: date) -> Path:
    """Where a local lake keeps the partition's file (see :func:`partition_file`)."""
    return Path(partition_dir(Lake.of(lake).root, table, source, day)) / PARTITION_FILE


def partition_file(lake: LakeLike, table: str, source: str, day: date) -> str | None:
    """The partition's committed data file, or None when the partition does not exist."""
    where = Lake.of(lake)
    if where.is_local:
        path = partition_path(where, table, source, day)
        return str(path) if path.exists() else None
    manifest = read_manifest(where, table, source, day)
    folder = partition_dir(where, table, source, day)
    return f"{folder}/{manifest['file']}" if manifest else None


def partition_files(lake: LakeLike, tables: tuple[str, ...] | list[str], source: str,
                    day: date) -> dict[str, str]:
    """The committed data files of one (source, day) across ``tables`` (those that exist);
    on S3 the manifests are fetched concurrently."""
    where = Lake.of(lake)
    if where.is_local:
        return {t: f for t in tables if (f := partition_file(where, t, source, day))}
    keys = {t: where.key(f"{partition_dir(where, t, source, day)}/{MANIFEST_FILE}")
            for t in tables}
    bodies = where.fs.cat(list(keys.values()), on_error="omit")
    return {t: f"s3://{key.rsplit('/', 1)[0]}/{json.loads(bodies[key])['file']}"
            for t, key in keys.items() if key in bodies}


def read_manifest(lake: LakeLike, table: str, source: str, day: date) -> dict | None:
    """An S3 partition's ``_manifest.json`` (None when it was never committed)."""
    where = Lake.of(lake)
    url = f"{partition_dir(where, table, source, day)}/{MANIFEST_FILE}"
    try:
        return json.loads(where.fs.cat_file(where.key(url)))
    except FileNotFoundError:
        return None


def partition_rows(lake: LakeLike, table: str, source: str, day: date) -> int:
    """Rows in the partition (0 when there is none), without reading its data."""
    where = Lake.of(lake)
    if not where.is_local:
        manifest = read_manifest(where, table, source, day)
        return int(manifest["rows"]) if manifest else 0
    path = partition_path(where, table, source, day)
    return pq.read_metadata(path).num_rows if path.exists() else 0


def to_table(table: str, rows: list[dict]) -> pa.Table:
    schema = schema_for(table)
    return pa.Table.from_pylist(rows, schema=schema)


def write_partition(lake: LakeLike, table: str, source: str, day: date, data: pa.Table,
                    superseded: list[str] | None = None) -> Path | str:
    """Atomically replace one partition with ``data`` (local: temp file + fsync + rename;
    S3: upload under a unique key, then commit the manifest). On S3 the file it replaces
    is deleted at once, or, when ``superseded`` is given, added to it for the caller to
    delete with :func:`delete_files` once the catalog no longer names it."""
    where = Lake.of(lake)
    schema = schema_for(table)
    data = data.select(schema.names).cast(schema)
    if not where.is_local:
        part = _new_part_url(where, table, source, day)
        try:
            with where.fs.open(where.key(part), "wb") as handle:
                pq.write_table(data, handle, compression="zstd")
        except Exception as exc:  # botocore and aiohttp errors are not OSErrors
            _remove_quietly(where, part)
            raise LakeError(f"could not write {part}: {exc}; the previous version is kept"
                            ) from exc
        _commit(where, table, source, day, part, data.num_rows, _run_id_of(data), superseded)
        return part
    target = partition_path(where, table, source, day)
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


def publish_file(lake: LakeLike, table: str, source: str, day: date, staged: Path,
                 superseded: list[str] | None = None) -> Path | str:
    """Move a staged Parquet file into its partition: one atomic rename locally; on S3 an
    upload and a manifest commit, after which the staged file is removed (``superseded``
    as for :func:`write_partition`)."""
    where = Lake.of(lake)
    if not where.is_local:
        part = _new_part_url(where, table, source, day)
        meta = pq.read_metadata(staged)
        run_id = None
        if meta.num_rows and "run_id" in meta.schema.names:
            run_id = pq.read_table(staged, columns=["run_id"]).column(0)[0].as_py()
        try:
            where.fs.put_file(str(staged), where.key(part))
        except Exception as exc:
            _remove_quietly(where, part)
            raise LakeError(f"could not publish {staged} to {part}: {exc}") from exc
        _commit(where, table, source, day, part, meta.num_rows, run_id, superseded)
        Path(staged).unlink(missing_ok=True)
        return part
    target = partition_path(where, table, source, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(staged, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise LakeError(f"could not publish {staged} to {target}: {exc}") from exc
    return target


def read_file(lake: LakeLike, path: str | Path, columns: list[str] | None = None) -> pa.Table:
    """One Parquet file of the lake (a local path or an ``s3://`` URL)."""
    where = Lake.of(lake)
    if where.is_local:
        return pq.read_table(path, columns=columns)
    return pq.read_table(where.key(str(path)), columns=columns, filesystem=where.fs)


def read_partition(lake: LakeLike, table: str, source: str, day: date,
                   columns: list[str] | None = None) -> pa.Table:
    """The partition's rows, or an empty table with the schema when there is none."""
    where = Lake.of(lake)
    # On S3 a concurrent rewrite may delete the file a manifest named a moment ago:
    # read the manifest again once.
    for attempt in (1, 2):
        path = partition_file(where, table, source, day)
        if path is None:
            empty = schema_for(table).empty_table()
            return empty.select(columns) if columns else empty
        try:
            return read_file(where, path, columns)
        except FileNotFoundError:
            if where.is_local or attempt == 2:
                raise
    raise AssertionError("unreachable")


def partitions(lake: LakeLike, table: str) -> Iterator[tuple[str, date, str]]:
    """Every committed partition of a table: (source, day, data file), sorted."""
    where = Lake.of(lake)
    if where.is_local:
        root = where.root / table
        for path in sorted(root.glob(f"source=*/date=*/{PARTITION_FILE}")):
            source = path.parent.parent.name.split("=", 1)[1]
            day = date.fromisoformat(path.parent.name.split("=", 1)[1])
            yield source, day, str(path)
        return
    yield from committed_files(where, [table])[table]


def committed_files(lake: LakeLike, tables: list[str] | tuple[str, ...] = TABLES
                    ) -> dict[str, list[tuple[str, date, str]]]:
    """An S3 lake's committed partitions per table, (source, day, data file) sorted: one
    listing of the lake and one concurrent round of manifest GETs."""
    where = Lake.of(lake)
    found: dict[str, list[tuple[str, date, str]]] = {table: [] for table in tables}
    prefix = where.key(where.url(tables[0] if len(tables) == 1 else ""))
    manifests = []
    for key in where.fs.find(prefix.rstrip("/")):
        parts = key[len(where.key(where.location)) + 1:].split("/")
        if (len(parts) == 4 and parts[3] == MANIFEST_FILE and parts[0] in found
                and parts[1].startswith("source=") and parts[2].startswith("date=")):
            manifests.append((parts[0], parts[1][7:], parts[2][5:], key))
    keys = [m[3] for m in manifests]
    bodies = where.fs.cat(keys, on_error="omit") if keys else {}
    for table, source, day, key in sorted(manifests):
        if key not in bodies:
            continue  # deleted since the listing
        manifest = json.loads(bodies[key])
        folder = key.rsplit("/", 1)[0]
        found[table].append((source, date.fromisoformat(day),
                             f"s3://{folder}/{manifest['file']}"))
    return found


def remove_orphans(lake: LakeLike, older_than_s: float = 86400.0) -> list[str]:
    """Delete data files no partition uses, once older than ``older_than_s`` (younger
    ones may belong to a write that is about to commit). On S3: Parquet files no manifest
    names (a crash between upload and commit); locally: temp files a killed write left.
    Returns what was deleted."""
    where = Lake.of(lake)
    cutoff = time.time() - older_than_s
    removed: list[str] = []
    if where.is_local:
        for table in TABLES:
            for tmp in (where.root / table).glob(f"source=*/date=*/.{PARTITION_FILE}.*.tmp"):
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink(missing_ok=True)
                    removed.append(str(tmp))
        return removed
    committed = committed_files(where)
    for table in TABLES:
        named = {where.key(path) for _, _, path in committed[table]}
        prefix = where.key(where.url(table))
        for key, info in where.fs.find(prefix, detail=True).items():
            if not key.endswith(".parquet") or key in named:
                continue
            modified = info.get("LastModified")
            stamp = modified.timestamp() if isinstance(modified, datetime) else 0.0
            if stamp < cutoff and key != _named_now(where, key):
                where.fs.rm_file(key)
                removed.append(f"s3://{key}")
    return removed


def _named_now(lake: Lake, key: str) -> str | None:
    """The key of the file the partition holding ``key`` names right now (a commit may
    have landed since the listing)."""
    folder = key.rsplit("/", 1)[0]
    try:
        manifest = json.loads(lake.fs.cat_file(f"{folder}/{MANIFEST_FILE}"))
    except FileNotFoundError:
        return None
    return f"{folder}/{manifest['file']}"


def _new_part_url(lake: Lake, table: str, source: str, day: date) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{partition_dir(lake, table, source, day)}/part-{stamp}-{uuid.uuid4().hex}.parquet"


def _commit(lake: Lake, table: str, source: str, day: date, part: str, rows: int,
            run_id: str | None, superseded: list[str] | None) -> None:
    """Make ``part`` the partition's file with one PUT of its manifest, then delete the
    file it supersedes (or hand it to the caller in ``superseded``)."""
    previous = read_manifest(lake, table, source, day)
    folder = part.rsplit("/", 1)[0]
    manifest = {"file": part.rsplit("/", 1)[1], "rows": rows, "run_id": run_id,
                "schema_version": SCHEMA_VERSION,
                "committed_at": datetime.now(UTC).isoformat()}
    try:
        lake.fs.pipe_file(lake.key(f"{folder}/{MANIFEST_FILE}"),
                          json.dumps(manifest).encode("utf-8"))
    except Exception as exc:
        _remove_quietly(lake, part)
        raise LakeError(f"could not commit {part}: {exc}; the previous version is kept"
                        ) from exc
    if previous and previous["file"] != manifest["file"]:
        if superseded is None:
            _remove_quietly(lake, f"{folder}/{previous['file']}")
        else:
            superseded.append(f"{folder}/{previous['file']}")


def delete_files(lake: LakeLike, urls: list[str]) -> None:
    """Delete superseded files (best effort: what stays is swept as an orphan later)."""
    where = Lake.of(lake)
    for url in urls:
        _remove_quietly(where, url)


def _remove_quietly(lake: Lake, url: str) -> None:
    """Best effort: what is left behind is an orphan that remove_orphans deletes later."""
    with contextlib.suppress(Exception):  # the orphan sweep is the safety net
        lake.fs.rm_file(lake.key(url))


def _run_id_of(data: pa.Table) -> str | None:
    if data.num_rows and "run_id" in data.column_names:
        return data.column("run_id")[0].as_py()
    return None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
