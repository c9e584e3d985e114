"""A lake under ``s3://bucket/prefix`` (any S3-speaking store). S3 has no rename: a new
partition file is uploaded under a unique key in the partition folder
(``part-<utc time>-<uuid>.parquet``), then committed by PUTting the partition's
``_manifest.json`` (which names it, its row count and run) -- one PUT, so atomic. Readers
use only manifest-named files; the superseded file is deleted after the commit, and a
file no manifest names (a crash between upload and commit) is an orphan that
:meth:`S3Store.remove_orphans` deletes once it is old enough."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from newswire.constants import TABLES
from newswire.schema import SCHEMA_VERSION
from newswire.store.base import LakeError, Partition, Store, conform

if TYPE_CHECKING:  # loaded on first use (see store/base.py)
    import fsspec

MANIFEST_FILE = "_manifest.json"  # names the committed file of an S3 partition


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


class S3Store(Store):
    """A lake under ``s3://bucket/prefix``: part files committed by a manifest PUT."""

    is_local = False

    def __init__(self, location: str) -> None:
        bucket_and_prefix = location[len("s3://"):].strip("/")
        if not location.startswith("s3://") or not bucket_and_prefix \
                or "//" in bucket_and_prefix:
            raise LakeError(f"not an S3 lake location: {location!r} (want s3://bucket/prefix)")
        self.location = "s3://" + bucket_and_prefix

    def url(self, *parts: str) -> str:
        return "/".join([self.location, *parts])

    @cached_property
    def fs(self) -> fsspec.AbstractFileSystem:
        # No listings cache: other processes (DAG tasks, workers) write the same lake.
        # Imported here: s3fs (and aiobotocore) cost a second to import, and a local lake
        # never needs them.
        from newswire.store.s3_filesystem import PartFileS3FileSystem

        return PartFileS3FileSystem(use_listings_cache=False, **s3_options_from_env())

    def key(self, url: str) -> str:
        return url[len("s3://"):] if url.startswith("s3://") else url

    def read_manifest(self, partition: Partition) -> dict | None:
        """The partition's ``_manifest.json`` (None when it was never committed)."""
        try:
            return json.loads(self.fs.cat_file(self._manifest_key(partition)))
        except FileNotFoundError:
            return None

    def _manifest_key(self, partition: Partition) -> str:
        return self.key(f"{self.folder_of(partition)}/{MANIFEST_FILE}")

    def committed_file(self, partition: Partition) -> str | None:
        manifest = self.read_manifest(partition)
        return f"{self.folder_of(partition)}/{manifest['file']}" if manifest else None

    def committed_files(self, partitions: Iterable[Partition]) -> dict[Partition, str]:
        """The manifests are fetched concurrently."""
        keys = {p: self._manifest_key(p) for p in partitions}
        bodies = self.fs.cat(list(keys.values()), on_error="omit")
        return {p: f"s3://{key.rsplit('/', 1)[0]}/{json.loads(bodies[key])['file']}"
                for p, key in keys.items() if key in bodies}

    def partition_rows(self, partition: Partition) -> int:
        manifest = self.read_manifest(partition)
        return int(manifest["rows"]) if manifest else 0

    def list_partitions(self, tables: Iterable[str] = TABLES
                        ) -> dict[str, list[tuple[Partition, str]]]:
        """One listing of the lake and one concurrent round of manifest GETs."""
        tables = list(tables)
        found: dict[str, list[tuple[Partition, str]]] = {table: [] for table in tables}
        for partition, path, _ in self._committed(tables):
            found[partition.table].append((partition, path))
        return found

    def schema_versions(self, tables: Iterable[str] = TABLES
                        ) -> list[tuple[Partition, str, str | None]]:
        """From the manifests, which name the version of the file they commit."""
        return [(partition, path, manifest.get("schema_version"))
                for partition, path, manifest in self._committed(list(tables))]

    def _committed(self, tables: list[str]) -> list[tuple[Partition, str, dict]]:
        """Each committed partition of ``tables``, its file and its manifest, sorted."""
        committed = []
        prefix = self.key(self.url(tables[0] if len(tables) == 1 else ""))
        root = self.key(self.location)
        manifests = []
        for key in self.fs.find(prefix.rstrip("/")):
            parts = key[len(root) + 1:].split("/")
            if (len(parts) == 4 and parts[3] == MANIFEST_FILE and parts[0] in tables
                    and parts[1].startswith("source=") and parts[2].startswith("date=")):
                manifests.append((parts[0], parts[1][7:], parts[2][5:], key))
        keys = [m[3] for m in manifests]
        bodies = self.fs.cat(keys, on_error="omit") if keys else {}
        for table, source, day, key in sorted(manifests):
            if key not in bodies:
                continue  # deleted since the listing
            manifest = json.loads(bodies[key])
            folder = key.rsplit("/", 1)[0]
            committed.append((Partition(table, source, date.fromisoformat(day)),
                              f"s3://{folder}/{manifest['file']}", manifest))
        return committed

    def _new_part_url(self, partition: Partition) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        return f"{self.folder_of(partition)}/part-{stamp}-{uuid.uuid4().hex}.parquet"

    def write_partition(self, partition: Partition, data: pa.Table,
                        superseded: list[str] | None = None) -> str:
        data = conform(partition, data)
        part = self._new_part_url(partition)
        try:
            with self.fs.open(self.key(part), "wb") as handle:
                pq.write_table(data, handle, compression="zstd")
        except Exception as exc:  # botocore and aiohttp errors are not OSErrors
            self._remove_quietly(part)
            raise LakeError(f"could not write {part}: {exc}; the previous version is kept"
                            ) from exc
        run_id = (data.column("run_id")[0].as_py()
                  if data.num_rows and "run_id" in data.column_names else None)
        self._commit(partition, part, data.num_rows, run_id, superseded)
        return part

    def publish_file(self, partition: Partition, staged: Path,
                     superseded: list[str] | None = None) -> str:
        part = self._new_part_url(partition)
        meta = pq.read_metadata(staged)
        run_id = None
        if meta.num_rows and "run_id" in meta.schema.names:
            run_id = pq.read_table(staged, columns=["run_id"]).column(0)[0].as_py()
        try:
            self.fs.put_file(str(staged), self.key(part))
        except Exception as exc:
            self._remove_quietly(part)
            raise LakeError(f"could not publish {staged} to {part}: {exc}") from exc
        # The manifest names the version the file says it has (one a tool wrote may lag).
        version = (meta.metadata or {}).get(b"schema_version", b"").decode() or None
        self._commit(partition, part, meta.num_rows, run_id, superseded, version)
        return part

    def delete_partition(self, partition: Partition,
                         superseded: list[str] | None = None) -> bool:
        previous = self.committed_file(partition)
        if previous is None:
            return False
        self.fs.rm_file(self._manifest_key(partition))  # one DELETE: the partition is gone
        if superseded is None:
            self._remove_quietly(previous)
        else:
            superseded.append(previous)
        return True

    def _commit(self, partition: Partition, part: str, rows: int, run_id: str | None,
                superseded: list[str] | None, version: str | None = SCHEMA_VERSION) -> None:
        """Make ``part`` the partition's file with one PUT of its manifest, then delete the
        file it supersedes (or hand it to the caller in ``superseded``)."""
        previous = self.read_manifest(partition)
        folder = part.rsplit("/", 1)[0]
        manifest = {"file": part.rsplit("/", 1)[1], "rows": rows, "run_id": run_id,
                    "schema_version": version,
                    "committed_at": datetime.now(UTC).isoformat()}
        try:
            self.fs.pipe_file(self._manifest_key(partition),
                              json.dumps(manifest).encode("utf-8"))
        except Exception as exc:
            self._remove_quietly(part)
            raise LakeError(f"could not commit {part}: {exc}; the previous version is kept"
                            ) from exc
        if previous and previous["file"] != manifest["file"]:
            if superseded is None:
                self._remove_quietly(f"{folder}/{previous['file']}")
            else:
                superseded.append(f"{folder}/{previous['file']}")

    def remove_orphans(self, older_than_s: float = 86400.0) -> list[str]:
        """Parquet files no manifest names (a crash between upload and commit)."""
        cutoff = time.time() - older_than_s
        removed: list[str] = []
        committed = self.list_partitions()
        for table in TABLES:
            named = {self.key(path) for _, path in committed[table]}
            for key, info in self.fs.find(self.key(self.url(table)), detail=True).items():
                if not key.endswith(".parquet") or key in named:
                    continue
                modified = info.get("LastModified")
                stamp = modified.timestamp() if isinstance(modified, datetime) else 0.0
                if stamp < cutoff and key != self._named_now(key):
                    self.fs.rm_file(key)
                    removed.append(f"s3://{key}")
        return removed

    def _named_now(self, key: str) -> str | None:
        """The key of the file the partition holding ``key`` names right now (a commit may
        have landed since the listing)."""
        folder = key.rsplit("/", 1)[0]
        try:
            manifest = json.loads(self.fs.cat_file(f"{folder}/{MANIFEST_FILE}"))
        except FileNotFoundError:
            return None
        return f"{folder}/{manifest['file']}"

    def write_text(self, name: str, text: str) -> str:
        target = self.url(name)
        self.fs.pipe_file(self.key(target), text.encode("utf-8"))  # one PUT: old or new
        return target
