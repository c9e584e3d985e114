"""``python -m newswire migrate``: rewrite the lake's partitions that an older schema
version wrote into the current one, one atomic partition write at a time (the
:class:`~newswire.store.Store` interface: a local folder or S3).

Version 1 -> 2: ``articles.id`` is ``articles.article_id``; ids were a hash of the whole
URL (host and port included) and are now the source's id and the host-less path
(``urls.article_id``), so every table's ids are mapped; rows that were duplicates under
the old ids (one article fetched through two hosts or ports) become one; columns added
since (``articles.published_precision``, ``fetch_log.article_id``) are filled (null
where nothing says what they were). Partitions already current are not touched: a second
run rewrites nothing.

Version 2 -> 3: ``articles.agency`` (the agency a dateline credits) arrived; partitions
written before it get the column null (the cleaner kept only the dateline's place then:
re-running a day from its raw pages fills it). Ids and rows stay as they are.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from newswire.constants import TABLES
from newswire.schema import RENAMED, SCHEMA_VERSION, schema_for
from newswire.store import Partition, Store
from newswire.urls import UrlError, article_id, legacy_article_id

log = logging.getLogger("newswire")

# Tables whose rows name their page's URL: their ids are computed from it. The other
# tables with an article_id map the old id through the day's articles.
_URL_KEYED = ("raw_pages", "articles")
# Which copy of a duplicated row stays: the latest fetch, or the latest run.
_NEWEST = {"raw_pages": "fetched_at", "articles": "run_id"}


@dataclass
class Migration:
    rewritten: list[Partition] = field(default_factory=list)
    current: int = 0  # partitions already at the current version

    def summary(self) -> str:
        if not self.rewritten:
            return (f"nothing to migrate: all {self.current} partition(s) are at "
                    f"schema_version {SCHEMA_VERSION}")
        return (f"migrated {len(self.rewritten)} partition(s) to schema_version "
                f"{SCHEMA_VERSION}; {self.current} already current")


def migrate_lake(store: Store, superseded: list[str] | None = None) -> Migration:
    """Rewrite every stale partition of ``store`` (``superseded`` as for
    :meth:`Store.write_partition`: on S3 the replaced files, for the caller to delete
    once the catalog no longer names them)."""
    result = Migration()
    listed = store.list_partitions()
    order = {table: n for n, table in enumerate(TABLES)}
    # Articles first: the other tables' old ids are mapped through the day's articles.
    stale = []
    for table in sorted(listed, key=lambda t: (t != "articles", order[t])):
        for partition, path in listed[table]:
            version = store.file_schema_version(path)
            if version == SCHEMA_VERSION:
                result.current += 1
            else:
                stale.append((partition, path, version))
    id_maps: dict[tuple[str, date], dict[str, str]] = {}
    for partition, path, version in stale:
        data = store.read_file(path)
        key = (partition.source, partition.day)
        if partition.table != "articles" and key not in id_maps:
            id_maps[key] = _id_map(store.read_partition(
                Partition("articles", partition.source, partition.day), columns=["url"]),
                partition.source)
        upgraded = upgrade(partition, data, version, id_maps.get(key, {}))
        store.write_partition(partition, upgraded, superseded)
        result.rewritten.append(partition)
        log.info("migrated %s from schema_version %s (%d rows -> %d)", partition.folder,
                 version, data.num_rows, upgraded.num_rows)
    return result


def upgrade(partition: Partition, data: pa.Table, version: str | None,
            id_map: dict[str, str]) -> pa.Table:
    """One partition's rows in the current schema: renamed columns under their new
    names, missing ones null, version-1 ids mapped to stable ids, duplicates dropped."""
    table = partition.table
    renamed = RENAMED.get(table, {})
    data = data.rename_columns([renamed.get(name, name) for name in data.column_names])
    schema = schema_for(table)
    if "article_id" in schema.names and version in (None, "1"):
        data = _rekey(partition, data, id_map)
    columns = [data[f.name].cast(f.type) if f.name in data.column_names
               else pa.nulls(data.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def _id_map(articles: pa.Table, source: str) -> dict[str, str]:
    """Version-1 id -> stable id, for the day's articles."""
    found = {}
    for url in articles.column("url").to_pylist():
        try:
            found[legacy_article_id(url)] = article_id(source, url)
        except UrlError:
            continue
    return found


def _rekey(partition: Partition, data: pa.Table, id_map: dict[str, str]) -> pa.Table:
    table, source = partition.table, partition.source
    if table in _URL_KEYED:
        ids = [_stable_id(source, url) for url in data.column("url").to_pylist()]
        data = _set_column(data, "article_id", ids)
        return _newest_per_id(data, _NEWEST[table])
    if table == "fetch_log":
        ids = [_stable_id(source, url) if purpose == "page" else None
               for url, purpose in zip(data.column("url").to_pylist(),
                                       data.column("purpose").to_pylist(), strict=True)]
        return _set_column(data, "article_id", ids)
    # NLP tables: the ids of the day's articles as migrated (of a duplicated article,
    # the copy kept); rows of the copy dropped, or of no article at all, go.
    data = data.filter(pc.is_in(data["article_id"], value_set=pa.array(list(id_map),
                                                                       pa.string())))
    return _set_column(data, "article_id",
                       [id_map[old] for old in data.column("article_id").to_pylist()])


def _stable_id(source: str, url: str | None) -> str | None:
    if url is None:
        return None
    try:
        return article_id(source, url)
    except UrlError:
        return None


def _set_column(data: pa.Table, name: str, values: list) -> pa.Table:
    column = pa.array(values, type=pa.string())
    if name in data.column_names:
        return data.set_column(data.column_names.index(name), name, column)
    return data.append_column(name, column)


def _newest_per_id(data: pa.Table, newest: str) -> pa.Table:
    """One row per article_id: the one with the greatest ``newest``."""
    if data.num_rows == 0:
        return data
    ranked = data.append_column("_row", pa.array(range(data.num_rows), pa.int64()))
    order = ranked.select(["article_id", newest, "_row"]).to_pylist()
    best: dict[str, tuple] = defaultdict(tuple)
    for row in order:
        candidate = (row[newest] is not None, row[newest], row["_row"])
        if not best[row["article_id"]] or candidate > best[row["article_id"]]:
            best[row["article_id"]] = candidate
    keep = sorted(choice[2] for choice in best.values())
    return data.take(pa.array(keep, pa.int64())).sort_by("article_id")

