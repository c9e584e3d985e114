"""The data dictionary: every table and column of the lake, with type, unit and meaning,
as the row models in ``schema.py`` give them. ``python -m newswire dictionary >
docs/data-dictionary.md`` regenerates the document (a test keeps it in step)."""

from __future__ import annotations

from newswire.schema import SCHEMA_VERSION, SCHEMAS, describe, table_doc

__all__ = ["describe", "render_dictionary"]

def render_dictionary() -> str:
    lines = [
        "# newswire data dictionary",
        "",
        "Generated from the pyarrow schemas by `python -m newswire dictionary`; do not "
        "edit by hand.",
        "",
        "## Layout",
        "",
        "Parquet (zstd), hive-partitioned, one file per partition:",
        "`<lake>/<table>/source=<source id>/date=<YYYY-MM-DD>/data.parquet`. `source` and "
        "`date` (the UTC day of publication; for `runs`, the run's interval day) are in "
        "the path, not in the files: read with hive partitioning on (DuckDB "
        "`read_parquet(..., hive_partitioning = true)`, pyarrow `dataset(..., "
        "partitioning='hive')`, Spark, Polars). Each file's key-value metadata holds "
        f"`schema_version` (now {SCHEMA_VERSION}) and `table`. A partition is replaced "
        "atomically (temp file + rename), so a reader sees a whole old or whole new file.",
        "",
        "On object storage (`s3://bucket/prefix`, no rename) a partition folder holds "
        "`part-<UTC time>-<uuid>.parquet` files and a `_manifest.json` "
        "(`{\"file\": ..., \"rows\": ..., \"run_id\": ..., \"schema_version\": ..., "
        "\"committed_at\": ...}`) naming the one committed file: read only that file "
        "(the catalog's views do). Other Parquet files there are uploads not committed "
        "(yet, or ever: the weekly maintenance removes them).",
        "",
        "The DuckDB catalog (`newswire.duckdb`) has one view per table plus "
        "`statements`, `entity_mentions`, `daily_source_stats` and the table macros "
        "`quotes_by(who, from, to)`, `mentions_of(what, from, to)`, "
        "`cooccurring(what, from, to)`.",
        "",
        "`mentions_of` and `cooccurring` match entities exactly, never by substring "
        "(`mentions_of('AB', ...)` does not find \"ABD\", \"Abadi\" or \"Labor "
        "Department\"): an entity is `what` when its name is `what` in any case, when "
        "the gazetteer groups the two names (table `entity_aliases(name, entity_group)`: "
        "AB = Avrupa Birliği = EU = European Union), or, for a person, when `what` is one "
        "of the name's words (`'Stoltenberg'` finds Jens Stoltenberg). "
        "`mentions_of(what, from, to, whole_tokens := true)` also takes names that hold "
        "`what` as whole words (\"NATO Zirvesi\" for `'NATO'`). `cooccurring` lists the "
        "other entities of the articles that mention `what`, leaving out names that hold "
        "`what` as whole words unless asked: `cooccurring('NATO', from, to, "
        "related := true)` includes \"NATO Zirvesi\".",
    ]
    for table, schema in SCHEMAS.items():
        lines += ["", f"## {table}", "", table_doc(table), "",
                  "| column | type | meaning |", "|---|---|---|",
                  "| source | string (partition) | Source id from sources.yaml. |",
                  "| date | date (partition) | UTC day of the partition. |"]
        for field in schema:
            lines.append(f"| {field.name} | {field.type} | {describe(table, field.name)} |")
    return "\n".join(lines) + "\n"
