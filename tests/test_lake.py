"""Partitions: layout, atomic replacement, idempotence, DuckDB views."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from newswire import lake
from newswire.catalog import refresh_catalog

DAY = date(2017, 12, 4)


def log_rows(n: int, run: str = "r1") -> list[dict]:
    return [{"run_id": run, "purpose": "page", "url": f"http://a.example/{i}",
             "request_url": f"http://a.example/{i}", "attempt": 1,
             "status": 200, "error": None, "bytes": 10, "elapsed_ms": 5,
             "fetched_at": datetime(2017, 12, 4, 10, tzinfo=UTC), "pipeline_version": "t"}
            for i in range(n)]


def test_partition_layout_schema_version_and_compression(tmp_path: Path) -> None:
    path = lake.write_partition(tmp_path, "fetch_log", "src", DAY,
                                lake.to_table("fetch_log", log_rows(3)))
    assert path == tmp_path / "fetch_log" / "source=src" / "date=2017-12-04" / "data.parquet"
    meta = pq.read_metadata(path)
    assert meta.num_rows == 3
    assert meta.schema.to_arrow_schema().metadata[b"schema_version"] == b"1"
    assert meta.row_group(0).column(0).compression == "ZSTD"
    # Partition columns live in the path only (hive style), not in the file.
    assert "source" not in meta.schema.names and "date" not in meta.schema.names


def test_rewrite_replaces_never_appends(tmp_path: Path) -> None:
    for _ in range(3):
        lake.write_partition(tmp_path, "fetch_log", "src", DAY,
                             lake.to_table("fetch_log", log_rows(4)))
    files = list((tmp_path / "fetch_log").rglob("*"))
    assert [f.name for f in files if f.is_file()] == ["data.parquet"]
    assert lake.read_partition(tmp_path, "fetch_log", "src", DAY).num_rows == 4


def test_failed_write_keeps_the_previous_partition(tmp_path: Path, monkeypatch) -> None:
    lake.write_partition(tmp_path, "fetch_log", "src", DAY, lake.to_table("fetch_log",
                                                                           log_rows(2)))

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lake.pq, "write_table", crash)
    with pytest.raises(lake.LakeError, match="previous version is kept"):
        lake.write_partition(tmp_path, "fetch_log", "src", DAY,
                             lake.to_table("fetch_log", log_rows(5)))
    monkeypatch.undo()
    assert lake.read_partition(tmp_path, "fetch_log", "src", DAY).num_rows == 2
    leftovers = [p.name for p in (tmp_path / "fetch_log").rglob("*") if p.is_file()]
    assert leftovers == ["data.parquet"]


def test_rows_that_break_the_schema_are_rejected(tmp_path: Path) -> None:
    bad = log_rows(1)
    bad[0]["attempt"] = "first"
    with pytest.raises((TypeError, ValueError)):
        lake.to_table("fetch_log", bad)
    with pytest.raises(lake.LakeError, match="unknown table"):
        lake.schema_for("nope")


def test_catalog_views_read_partitions_with_hive_columns(tmp_path: Path) -> None:
    lake_dir = tmp_path / "lake"
    lake.write_partition(lake_dir, "fetch_log", "a", DAY, lake.to_table("fetch_log",
                                                                         log_rows(2)))
    lake.write_partition(lake_dir, "fetch_log", "b", date(2017, 12, 5),
                         lake.to_table("fetch_log", log_rows(3)))
    catalog = refresh_catalog(lake_dir, tmp_path / "c.duckdb")
    con = duckdb.connect(str(catalog), read_only=True)
    rows = con.execute("select source, date, count(*) from fetch_log group by all "
                       "order by all").fetchall()
    assert rows == [("a", DAY, 2), ("b", date(2017, 12, 5), 3)]
    # Tables with no partitions yet are typed, empty views.
    assert con.execute("select count(*) from articles").fetchone() == (0,)
    cols = dict(con.execute("select column_name, data_type from information_schema.columns "
                            "where table_name = 'articles'").fetchall())
    assert cols["published_at"] == "TIMESTAMP WITH TIME ZONE" and cols["date"] == "DATE"
    con.close()


def test_catalog_refresh_while_a_reader_holds_it_open(tmp_path: Path) -> None:
    lake_dir = tmp_path / "lake"
    catalog = refresh_catalog(lake_dir, tmp_path / "c.duckdb")
    reader = duckdb.connect(str(catalog), read_only=True)
    lake.write_partition(lake_dir, "fetch_log", "a", DAY, lake.to_table("fetch_log",
                                                                         log_rows(2)))
    refresh_catalog(lake_dir, catalog)  # swapped in beside the open reader
    assert reader.execute("select count(*) from fetch_log").fetchone() == (0,)
    reader.close()
    with duckdb.connect(str(catalog), read_only=True) as fresh:
        assert fresh.execute("select count(*) from fetch_log").fetchone() == (2,)
