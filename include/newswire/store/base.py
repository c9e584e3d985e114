"""The lake's storage interface: a partition is one (table, source, UTC day),
``<table>/source=<id>/date=<YYYY-MM-DD>/``, and a :class:`Store` reads, replaces, lists
and deletes partitions so that a reader (or a crash) sees the previous complete
partition or the new complete one, never a mix."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from newswire.constants import TABLES
from newswire.schema import schema_for

if TYPE_CHECKING:  # fsspec (and the asyncio it imports) loads when a store first needs
    import fsspec  # its file system: an NLP process, which writes only staging, never does


class LakeError(RuntimeError):
    """A partition could not be written or read (the previous version is intact)."""


class SchemaVersionError(LakeError):
    """Partitions written under another schema version (``python -m newswire migrate``)."""


@dataclass(frozen=True, order=True)
class Partition:
    """One table's rows of one source and UTC day: the unit a run replaces."""

    table: str
    source: str
    day: date

    @property
    def folder(self) -> str:
        """The partition's folder relative to the lake (hive style)."""
        return f"{self.table}/source={self.source}/date={self.day.isoformat()}"


class Store(ABC):
    """The lake's partitions and the few other objects it keeps (daily reports)."""

    location: str
    is_local: bool

    def __str__(self) -> str:
        return self.location

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.location == self.location  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.location))

    # -- where things are ----------------------------------------------------------
    @abstractmethod
    def url(self, *parts: str) -> str:
        """A location inside the lake: a local path, or an ``s3://`` URL."""

    @property
    @abstractmethod
    def fs(self) -> fsspec.AbstractFileSystem: ...

    def key(self, url: str) -> str:
        """The filesystem path of a lake location (``bucket/key`` on S3)."""
        return url

    def folder_of(self, partition: Partition) -> str:
        """The partition's folder (a path, or an ``s3://`` URL)."""
        return self.url(partition.folder)

    # -- reading ---------------------------------------------------------------------
    @abstractmethod
    def committed_file(self, partition: Partition) -> str | None:
        """The partition's committed data file, or None when it does not exist."""

    def committed_files(self, partitions: Iterable[Partition]) -> dict[Partition, str]:
        """The committed data files of several partitions (those that exist)."""
        return {p: f for p in partitions if (f := self.committed_file(p))}

    @abstractmethod
    def partition_rows(self, partition: Partition) -> int:
        """Rows in the partition (0 when there is none), without reading its data."""

    def read_file(self, path: str, columns: list[str] | None = None) -> pa.Table:
        """One Parquet file of the lake (a local path or an ``s3://`` URL)."""
        return pq.read_table(self.key(path), columns=columns, filesystem=self.fs)

    def read_partition(self, partition: Partition, columns: list[str] | None = None
                       ) -> pa.Table:
        """The partition's rows, or an empty table with the schema when there is none."""
        # On S3 a concurrent rewrite may delete the file a manifest named a moment ago:
        # read the manifest again once.
        for attempt in (1, 2):
            path = self.committed_file(partition)
            if path is None:
                empty = schema_for(partition.table).empty_table()
                return empty.select(columns) if columns else empty
            try:
                return self.read_file(path, columns)
            except FileNotFoundError:
                if self.is_local or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    @abstractmethod
    def list_partitions(self, tables: Iterable[str] = TABLES
                        ) -> dict[str, list[tuple[Partition, str]]]:
        """Every committed partition of each table with its data file, sorted."""

    def partitions(self, table: str) -> list[tuple[Partition, str]]:
        return self.list_partitions([table])[table]

    def read_footer(self, path: str) -> pq.FileMetaData:
        """A data file's Parquet footer (its rows are not read)."""
        return pq.read_metadata(self.key(path), filesystem=self.fs)

    def file_schema_version(self, path: str) -> str | None:
        """The ``schema_version`` a data file was written with (from its footer)."""
        metadata = self.read_footer(path).metadata or {}
        value = metadata.get(b"schema_version")
        return value.decode() if value is not None else None

    def schema_versions(self, tables: Iterable[str] = TABLES
                        ) -> list[tuple[Partition, str, str | None]]:
        """Every committed partition with its data file and that file's schema version."""
        return [(partition, path, self.file_schema_version(path))
                for found in self.list_partitions(tables).values()
                for partition, path in found]

    # -- writing ---------------------------------------------------------------------
    @abstractmethod
    def write_partition(self, partition: Partition, data: pa.Table,
                        superseded: list[str] | None = None) -> str:
        """Atomically replace one partition with ``data``. On S3 the file it replaces is
        deleted at once, or, when ``superseded`` is given, added to it for the caller to
        delete with :meth:`delete_files` once the catalog no longer names it."""

    @abstractmethod
    def publish_file(self, partition: Partition, staged: Path,
                     superseded: list[str] | None = None) -> str:
        """Make a staged Parquet file the partition (``superseded`` as for
        :meth:`write_partition`). The staged file stays where it is (its stage's
        manifest still names it; staging is cleaned up by maintenance)."""

    @abstractmethod
    def delete_partition(self, partition: Partition,
                         superseded: list[str] | None = None) -> bool:
        """Remove a partition (readers see it whole until then). Returns whether there
        was one."""

    @contextlib.contextmanager
    def synced_together(self) -> Iterator[None]:
        """The partitions written, published or deleted inside are made durable together
        when it ends (each is still replaced whole, by one atomic step): a local lake
        syncs the folders of all of them at once rather than one after the other. An
        object store's commits are durable as they are made."""
        yield

    def delete_files(self, urls: list[str]) -> None:
        """Delete superseded files (best effort: what stays is swept as an orphan later)."""
        for url in urls:
            self._remove_quietly(url)

    def _remove_quietly(self, url: str) -> None:
        with contextlib.suppress(Exception):  # the orphan sweep is the safety net
            self.fs.rm_file(self.key(url))

    @abstractmethod
    def remove_orphans(self, older_than_s: float = 86400.0) -> list[str]:
        """Delete data files no partition uses, once older than ``older_than_s`` (younger
        ones may belong to a write that is about to commit). Returns what was deleted."""

    def compact(self, older_than: date) -> int:
        """Merge partitions of days before ``older_than`` that hold more than one data
        file into one; returns partitions compacted."""
        return 0

    # -- other objects (daily reports) -----------------------------------------------
    @abstractmethod
    def write_text(self, name: str, text: str) -> str:
        """Replace the object ``name`` (a path relative to the lake) atomically."""

    def read_text(self, name: str) -> str | None:
        try:
            return self.fs.cat_file(self.key(self.url(name))).decode("utf-8")
        except FileNotFoundError:
            return None

    def list_names(self, folder: str) -> list[str]:
        """Names of the objects in a folder of the lake (none when it does not exist)."""
        try:
            found = self.fs.ls(self.key(self.url(folder)), detail=False)
        except FileNotFoundError:
            return []
        return sorted(path.rsplit("/", 1)[-1] for path in found)


WRITE_BUFFER = 1 << 20  # bytes a Parquet file's writer gathers before each write


def write_parquet(data: pa.Table, path: str | Path) -> None:
    """``data`` as a local Parquet file (zstd), written through one buffered stream: the
    same bytes as the writer's own file, in a few large writes rather than one per page
    and footer part (a staged day is 40 such files, the lake's runs 10 more)."""
    with pa.output_stream(str(path), compression=None, buffer_size=WRITE_BUFFER) as out:
        pq.write_table(data, out, compression="zstd")


def conform(partition: Partition, data: pa.Table) -> pa.Table:
    schema = schema_for(partition.table)
    return data.select(schema.names).cast(schema)
