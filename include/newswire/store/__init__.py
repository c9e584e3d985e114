"""Where the lake lives and how a partition is replaced: one :class:`Store` interface
(``base``), a :class:`LocalStore` (a directory, ``local``) and an :class:`S3Store`
(``s3://bucket/prefix`` on any S3-speaking store, ``s3``). Every reader and writer of the
lake goes through a store.

A partition is one (table, source, UTC day): ``<table>/source=<id>/date=<YYYY-MM-DD>/``.

- **local**: the partition's data is ``data.parquet``. A write builds the new file under
  a temporary name in the same folder and renames it over the old one.
- **S3** (no rename there): the new file is uploaded under a unique key in the partition
  folder (``part-<utc time>-<uuid>.parquet``), then committed by PUTting the partition's
  ``_manifest.json`` (which names it, its row count and run) -- one PUT, so atomic. Readers
  use only manifest-named files; the superseded file is deleted after the commit, and a
  file no manifest names (a crash between upload and commit) is an orphan that
  :meth:`Store.remove_orphans` deletes once it is old enough.

Either way a reader (or a crash) sees the previous complete partition or the new complete
one, never a mix, and re-running a day replaces rather than appends.
"""

from __future__ import annotations

from pathlib import Path

from newswire.store.base import LakeError, Partition, SchemaVersionError, Store
from newswire.store.local import DATA_FILE, LocalStore
from newswire.store.s3 import MANIFEST_FILE, S3Store, s3_options_from_env

__all__ = ["DATA_FILE", "MANIFEST_FILE", "LakeError", "LocalStore", "Partition", "S3Store",
           "SchemaVersionError", "Store", "open_store", "s3_options_from_env"]


def open_store(where: Store | Path | str) -> Store:
    """The store for a lake location: a local directory or ``s3://bucket/prefix``."""
    if isinstance(where, Store):
        return where
    text = str(where)
    if text.startswith("s3://"):
        return S3Store(text)
    if "://" in text:
        raise LakeError(f"unsupported lake location {text!r}: a local directory or "
                        "s3://bucket/prefix")
    return LocalStore(text)
