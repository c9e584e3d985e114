"""The s3fs filesystem an S3 lake reads and writes through (imported only for S3)."""

from __future__ import annotations

from typing import Any

import s3fs


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
