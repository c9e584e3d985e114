"""The DuckDB catalog: a small .duckdb file holding one view per lake table.

A local lake's views glob its partition files. An S3 lake's views name the committed files
(from the partitions' manifests), so readers never see an uncommitted or orphan upload;
DuckDB reads them through its httpfs extension with an S3 secret built from the AWS
variables, or, where httpfs cannot be loaded (no internet to install it), through the
lake's own fsspec filesystem registered with the connection.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa

from newswire.constants import TABLES
from newswire.schema import SCHEMA_VERSION, schema_for
from newswire.store import (
    LocalStore,
    SchemaVersionError,
    Store,
    open_store,
    s3_options_from_env,
)

log = logging.getLogger("newswire")

_DUCK_TYPES = {
    pa.string(): "VARCHAR", pa.int16(): "SMALLINT", pa.int64(): "BIGINT",
    pa.binary(): "BLOB", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN",
    pa.int32(): "INTEGER", pa.date32(): "DATE",
}

# Views for analysts, over the table views.
STATEMENTS_SQL = """
CREATE OR REPLACE VIEW statements AS
SELECT q.source, q.date, q.article_id, a.published_at, a.title, a.url, a.dateline,
       q.speaker, q.speaker_role, q.cue, q.kind, q.quote, q.start_char, q.end_char, q.model
FROM quotes q JOIN articles a ON a.article_id = q.article_id AND a.source = q.source
                              AND a.date = q.date
"""
ENTITY_MENTIONS_SQL = """
CREATE OR REPLACE VIEW entity_mentions AS
SELECT e.source, e.date, e.article_id, a.title, a.published_at, e.canonical AS entity,
       e.label, count(*) AS mentions, min(e.role) AS role
FROM entities e JOIN articles a ON a.article_id = e.article_id AND a.source = e.source
                               AND a.date = e.date
WHERE e.label IN ('PER', 'ORG', 'LOC', 'MISC')
GROUP BY ALL
"""
DAILY_SOURCE_STATS_SQL = """
CREATE OR REPLACE VIEW daily_source_stats AS
WITH days AS (
    SELECT DISTINCT source, date FROM raw_pages
    UNION SELECT DISTINCT source, date FROM articles
    UNION SELECT DISTINCT source, date FROM fetch_log
), art AS (
    SELECT source, date, count(*) AS articles, round(avg(length(body))) AS avg_body_chars,
           count(*) FILTER (WHERE published_at IS NULL) AS undated
    FROM articles GROUP BY ALL
), fl AS (
    SELECT source, date, count(*) AS requests,
           count(*) FILTER (WHERE error IS NOT NULL) AS failed_requests
    FROM fetch_log GROUP BY ALL
), q AS (
    SELECT source, date, count(*) AS quotes,
           count(*) FILTER (WHERE speaker IS NULL) AS quotes_without_speaker
    FROM quotes GROUP BY ALL
), ent AS (
    SELECT source, date, count(*) AS entity_mentions FROM entities GROUP BY ALL
)
SELECT d.source, d.date, coalesce(art.articles, 0) AS articles, art.avg_body_chars,
       coalesce(art.undated, 0) AS undated, coalesce(fl.requests, 0) AS requests,
       coalesce(fl.failed_requests, 0) AS failed_requests, coalesce(q.quotes, 0) AS quotes,
       coalesce(q.quotes_without_speaker, 0) AS quotes_without_speaker,
       coalesce(ent.entity_mentions, 0) AS entity_mentions
FROM days d
LEFT JOIN art USING (source, date) LEFT JOIN fl USING (source, date)
LEFT JOIN q USING (source, date) LEFT JOIN ent USING (source, date)
"""
# Table macros for the questions analysts ask most; arguments are ordinary SQL values.
MACROS_SQL = [
    """CREATE OR REPLACE MACRO quotes_by(who, from_day, to_day) AS TABLE
       SELECT * FROM statements
       WHERE speaker ILIKE '%' || who || '%' AND date BETWEEN from_day AND to_day
       ORDER BY published_at, start_char""",
    # An entity is `what` when its name is `what` (any case), when the gazetteer puts
    # them in one group (AB = Avrupa Birliği = EU), or, for a person, when `what` is one
    # of the name's words ('Stoltenberg'). Never by substring: 'AB' is not "ABD",
    # "Abadi" or "Labor Department". whole_tokens := true also takes names that hold
    # `what` as whole words ("NATO Zirvesi" for 'NATO').
    """CREATE OR REPLACE MACRO is_entity(entity, label, what, whole_tokens) AS
       lower(entity) = lower(what)
       OR lower(entity) IN (SELECT lower(a.name) FROM entity_aliases a
                            JOIN entity_aliases b USING (entity_group)
                            WHERE lower(b.name) = lower(what))
       OR ((label = 'PER' OR whole_tokens)
           AND contains(' ' || lower(entity) || ' ', ' ' || lower(what) || ' '))""",
    """CREATE OR REPLACE MACRO mentions_of(what, from_day, to_day, whole_tokens := false)
       AS TABLE
       SELECT * FROM entity_mentions
       WHERE date BETWEEN from_day AND to_day
         AND is_entity(entity, label, what, whole_tokens)
       ORDER BY published_at""",
    # Entities in the articles that mention `what`; names that hold `what` as whole
    # words ("NATO Zirvesi" for 'NATO') are left out unless related := true.
    """CREATE OR REPLACE MACRO cooccurring(what, from_day, to_day, related := false) AS TABLE
       WITH hits AS (SELECT DISTINCT source, date, article_id FROM entity_mentions
                     WHERE date BETWEEN from_day AND to_day
                       AND is_entity(entity, label, what, false))
       SELECT m.entity, m.label, count(DISTINCT m.article_id) AS articles,
              sum(m.mentions) AS mentions
       FROM entity_mentions m JOIN hits USING (source, date, article_id)
       WHERE NOT is_entity(m.entity, m.label, what, NOT related)
       GROUP BY ALL ORDER BY articles DESC, mentions DESC, m.entity""",
]
ANALYST_SQL = [STATEMENTS_SQL, ENTITY_MENTIONS_SQL, DAILY_SOURCE_STATS_SQL, *MACROS_SQL]


def entity_aliases_sql() -> str:
    """The gazetteer's name groups as a table the macros join: (name, entity_group).
    Written as SQL so a changed gazetteer changes the catalog's fingerprint."""
    from newswire.nlp.gazetteer import alias_rows

    values = ", ".join(f"({_literal(name)}, {_literal(group)})"
                       for name, group in alias_rows())
    if not values:
        return ("CREATE OR REPLACE TABLE entity_aliases "
                "(name VARCHAR, entity_group VARCHAR)")
    return ("CREATE OR REPLACE TABLE entity_aliases AS SELECT * FROM "
            f"(VALUES {values}) AS aliases(name, entity_group)")


def load_entity_aliases(con: duckdb.DuckDBPyConnection) -> None:
    """The table :func:`entity_aliases_sql` makes (its text is what the catalog's
    fingerprint reads), made from Arrow columns: DuckDB parses the statement's VALUES
    list of 500 names in 12 ms, a tenth of a fresh catalog's build."""
    from newswire.nlp.gazetteer import alias_rows

    rows = alias_rows()
    names = pa.table({"name": pa.array([name for name, _ in rows], pa.string()),
                      "entity_group": pa.array([group for _, group in rows], pa.string())})
    con.register("newswire_alias_rows", names)
    try:
        con.execute("CREATE OR REPLACE TABLE entity_aliases AS "
                    "SELECT name, entity_group FROM newswire_alias_rows")
    finally:
        con.unregister("newswire_alias_rows")


def _duck_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_list(arrow_type):
        return f"{_duck_type(arrow_type.value_type)}[]"
    if pa.types.is_struct(arrow_type):
        fields = ", ".join(f'"{f.name}" {_duck_type(f.type)}' for f in arrow_type)
        return f"STRUCT({fields})"
    return _DUCK_TYPES[arrow_type]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def view_sql(lake: Store | Path | str, table: str, files: list[str] | None = None) -> str:
    """A view over every partition file of a table; typed and empty when there are none.
    ``files``: the table's files, when already listed (an S3 lake's committed files)."""
    where = open_store(lake)
    # No union_by_name: every partition file is written with the table's one schema
    # (write_partition casts to it; the quality gate checks schema_version), and
    # union_by_name makes DuckDB open every file's footer at bind time, which cost a
    # one-day query as much as reading a year (bench/bench_warehouse.py).
    hive = "hive_partitioning = true, hive_types = {'source': VARCHAR, 'date': DATE}"
    pattern = where.glob(table) if isinstance(where, LocalStore) and files is None else None
    if pattern is None and files is None:
        files = [path for _, path in where.partitions(table)]
    if files:
        listed = ", ".join(_literal(f) for f in files)
        return (f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet("
                f"[{listed}], {hive})")
    if pattern is not None:
        return (f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet("
                f"{_literal(pattern)}, {hive})")
    columns = ", ".join(f'CAST(NULL AS {_duck_type(f.type)}) AS "{f.name}"'
                        for f in schema_for(table))
    return (f"CREATE OR REPLACE VIEW {table} AS SELECT {columns}, "
            "CAST(NULL AS VARCHAR) AS source, CAST(NULL AS DATE) AS date WHERE false")


def attach_object_storage(con: duckdb.DuckDBPyConnection, lake: Store | Path | str) -> str:
    """Let ``con`` read an S3 lake: httpfs with a (temporary, never stored) S3 secret
    from the AWS variables, else the lake's fsspec filesystem. Returns which one."""
    where = open_store(lake)
    if where.is_local:
        return "local"
    try:
        con.execute("LOAD httpfs")
    except duckdb.Error as exc:
        log.info("DuckDB httpfs unavailable (%s); reading %s through fsspec",
                 str(exc).splitlines()[0], where)
        if not con.filesystem_is_registered("s3"):
            con.register_filesystem(where.fs)
        return "fsspec"
    con.execute(s3_secret_sql())
    return "httpfs"


def s3_secret_sql() -> str:
    """``CREATE SECRET`` for httpfs from the AWS variables (what s3fs also uses)."""
    options = s3_options_from_env()
    parts = ["TYPE s3"]
    if options.get("key"):
        parts += [f"KEY_ID {_literal(options['key'])}",
                  f"SECRET {_literal(options.get('secret') or '')}"]
    if options.get("token"):
        parts.append(f"SESSION_TOKEN {_literal(options['token'])}")
    region = options.get("client_kwargs", {}).get("region_name")
    if region:
        parts.append(f"REGION {_literal(region)}")
    if options.get("endpoint_url"):
        endpoint = urlsplit(options["endpoint_url"])
        # A custom endpoint (MinIO, Ceph, moto) serves path-style URLs.
        parts += [f"ENDPOINT {_literal(endpoint.netloc)}", "URL_STYLE 'path'",
                  f"USE_SSL {'true' if endpoint.scheme == 'https' else 'false'}"]
    return f"CREATE OR REPLACE SECRET newswire_lake ({', '.join(parts)})"


def catalog_statements(lake: Store | Path | str, file_lists: bool | None = None
                       ) -> list[str]:
    """The SQL a catalog of ``lake`` is built from: one view per table, the lake's
    location (S3), the analysts' views and macros.

    ``file_lists``: views name their files instead of globbing the partition folders
    (always on S3, where only committed files may be read; for a local lake only when
    asked, see bench/bench_warehouse.py)."""
    store = open_store(lake)
    listed = None if store.is_local else store.list_partitions()
    statements = []
    for table in TABLES:
        files = None
        if listed is not None:
            files = [path for _, path in listed[table]]
        elif file_lists:
            files = [path for _, path in store.partitions(table)]
        statements.append(view_sql(store, table, files))
    if not store.is_local:
        statements.append("CREATE OR REPLACE VIEW newswire_lake AS SELECT "
                          f"{_literal(store.location)} AS location")
    return [*statements, entity_aliases_sql(), *ANALYST_SQL]


def refresh_catalog(lake: Store | Path | str, catalog: Path, *,
                    file_lists: bool | None = None) -> Path:
    """Rebuild the catalog beside the old one and swap it in, so open readers are not
    disturbed and a failed refresh leaves the previous catalog in place.

    A catalog whose views would not change is left as it is: a local lake's views glob
    the partition folders, so new partitions need no rebuild, only a table's first one
    does; an S3 lake's views name the committed files, so every publish changes them.

    Raises SchemaVersionError, and leaves the previous catalog, when partitions of another
    schema version are in the lake: one view never mixes two versions' columns."""
    catalog = Path(catalog)
    statements = catalog_statements(lake, file_lists)
    fingerprint = hashlib.sha256("\n;\n".join(statements).encode("utf-8")).hexdigest()
    if built_from(catalog) == fingerprint:
        return catalog
    check_schema_versions(open_store(lake))
    catalog.parent.mkdir(parents=True, exist_ok=True)
    tmp = catalog.with_name(f".{catalog.name}.{uuid.uuid4().hex}.tmp")
    try:
        con = duckdb.connect(str(tmp))
        try:
            attach_object_storage(con, lake)
            # One transaction: one commit to the new file, not one per statement.
            con.execute("BEGIN TRANSACTION")
            aliases = entity_aliases_sql()
            for sql in statements:
                if sql == aliases:
                    load_entity_aliases(con)
                else:
                    con.execute(sql)
            con.execute("CREATE OR REPLACE VIEW newswire_catalog AS SELECT "
                        f"{_literal(fingerprint)} AS fingerprint")
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, catalog)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    return catalog


def check_schema_versions(store: Store) -> None:
    """Fail, in one line, when a partition was written under another schema version."""
    stale = [(partition, version) for partition, _, version in store.schema_versions()
             if version != SCHEMA_VERSION]
    if stale:
        partition, version = stale[0]
        raise SchemaVersionError(
            f"{len(stale)} partition(s) of {store} have schema_version "
            f"{', '.join(sorted({str(v) for _, v in stale}))}, not {SCHEMA_VERSION} (e.g. "
            f"{partition.folder}, version {version}): run `python -m newswire migrate`")


def built_from(catalog: Path) -> str | None:
    """The fingerprint of the statements the catalog was built from (None when there is
    no catalog, or one this version did not build)."""
    if not Path(catalog).exists():
        return None
    try:
        with duckdb.connect(str(catalog), read_only=True) as con:
            return con.execute("SELECT fingerprint FROM newswire_catalog").fetchall()[0][0]
    except duckdb.Error:  # an older catalog, or one being written
        return None


def connect(catalog: Path, lake: Store | Path | str | None = None, *, read_only: bool = True,
            ) -> duckdb.DuckDBPyConnection:
    """Open the catalog (building it first from ``lake`` when it does not exist yet),
    able to read the lake's files when it is on object storage."""
    catalog = Path(catalog)
    if not catalog.exists():
        if lake is None:
            raise FileNotFoundError(f"no DuckDB catalog at {catalog}; run the pipeline first")
        refresh_catalog(lake, catalog)
    con = duckdb.connect(str(catalog), read_only=read_only)
    try:
        if lake is None:
            # An S3 lake's catalog says where its lake is (see refresh_catalog).
            found = con.execute("SELECT 1 FROM duckdb_views() WHERE view_name = "
                                "'newswire_lake' AND NOT internal").fetchall()
            if found:
                lake = con.execute("SELECT location FROM newswire_lake").fetchone()[0]
        if lake is not None:
            attach_object_storage(con, lake)
    except BaseException:
        con.close()
        raise
    return con


def query(catalog: Path, sql: str, params: list | dict | None = None,
          lake: Store | Path | str | None = None) -> tuple[list[str], list[tuple]]:
    with connect(catalog, lake) as con:
        cursor = con.execute(sql, params or [])
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()
