"""Partitions: layout, atomic replacement, idempotence, DuckDB views -- on a local
directory and on S3 (moto on 127.0.0.1), the same tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from newswire import lake
from newswire.catalog import connect, refresh_catalog

from tests.conftest import LAKE_BACKENDS

DAY = date(2017, 12, 4)


def log_rows(n: int, run: str = "r1") -> list[dict]:
    return [{"run_id": run, "purpose": "page", "url": f"http://a.example/{i}",
             "request_url": f"http://a.example/{i}", "attempt": 1,
             "status": 200, "error": None, "bytes": 10, "elapsed_ms": 5,
             "fetched_at": datetime(2017, 12, 4, 10, tzinfo=UTC), "pipeline_version": "t"}
            for i in range(n)]


@pytest.fixture(params=LAKE_BACKENDS)
def where(request: pytest.FixtureRequest, tmp_path: Path) -> lake.Lake:
    """An empty lake: a local directory, or s3://<fresh bucket>/lake."""
    if request.param == "s3":
        return lake.Lake.of(request.getfixturevalue("s3_lake"))
    return lake.Lake.of(tmp_path / "lake")


def data_files(where: lake.Lake, table: str) -> list[str]:
    """Every file under a table's folder, relative to the table."""
    root = where.key(where.url(table))
    if not where.fs.exists(root):
        return []
    return sorted(p[len(root) + 1:] for p in where.fs.find(root))


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


def test_s3_partition_is_a_part_file_named_by_its_manifest(s3_lake: str) -> None:
    where = lake.Lake.of(s3_lake)
    part = lake.write_partition(where, "fetch_log", "src", DAY,
                                lake.to_table("fetch_log", log_rows(3, run="run-7")))
    folder = f"{s3_lake}/fetch_log/source=src/date=2017-12-04"
    assert str(part).startswith(f"{folder}/part-") and str(part).endswith(".parquet")
    manifest = lake.read_manifest(where, "fetch_log", "src", DAY)
    assert manifest is not None
    assert (manifest["file"], manifest["rows"], manifest["run_id"]) == (
        str(part).rsplit("/", 1)[1], 3, "run-7")
    with where.fs.open(where.key(str(part)), "rb") as handle:
        meta = pq.read_metadata(handle)
    assert meta.schema.to_arrow_schema().metadata[b"schema_version"] == b"1"
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert lake.partition_rows(where, "fetch_log", "src", DAY) == 3


def test_rewrite_replaces_never_appends(where: lake.Lake) -> None:
    for run in ("r1", "r2", "r3"):
        lake.write_partition(where, "fetch_log", "src", DAY,
                             lake.to_table("fetch_log", log_rows(4, run)))
    files = data_files(where, "fetch_log")
    parquet = [f for f in files if f.endswith(".parquet")]
    assert len(parquet) == 1, files  # the superseded files are gone
    expected = ["source=src/date=2017-12-04/data.parquet"] if where.is_local else [
        parquet[0], "source=src/date=2017-12-04/_manifest.json"]
    assert files == sorted(expected)
    back = lake.read_partition(where, "fetch_log", "src", DAY)
    assert back.num_rows == 4 and set(back.column("run_id").to_pylist()) == {"r3"}


def test_rows_read_back_equal_rows_written(where: lake.Lake) -> None:
    written = lake.to_table("fetch_log", log_rows(5))
    lake.write_partition(where, "fetch_log", "src", DAY, written)
    back = lake.read_partition(where, "fetch_log", "src", DAY)
    assert back.to_pylist() == written.to_pylist()
    assert [(s, d) for s, d, _ in lake.partitions(where, "fetch_log")] == [("src", DAY)]
    assert lake.read_partition(where, "fetch_log", "src", date(2017, 12, 5)).num_rows == 0


def test_published_staged_file_replaces_the_partition(where: lake.Lake,
                                                      tmp_path: Path) -> None:
    lake.write_partition(where, "fetch_log", "src", DAY,
                         lake.to_table("fetch_log", log_rows(2)))
    staged = tmp_path / "staged.parquet"
    pq.write_table(lake.to_table("fetch_log", log_rows(6, "staged")), staged)
    lake.publish_file(where, "fetch_log", "src", DAY, staged)
    assert not staged.exists()
    back = lake.read_partition(where, "fetch_log", "src", DAY)
    assert back.num_rows == 6 and set(back.column("run_id").to_pylist()) == {"staged"}
    assert len([f for f in data_files(where, "fetch_log") if f.endswith(".parquet")]) == 1


def test_failed_write_keeps_the_previous_partition(where: lake.Lake, monkeypatch) -> None:
    lake.write_partition(where, "fetch_log", "src", DAY, lake.to_table("fetch_log",
                                                                        log_rows(2)))
    before = data_files(where, "fetch_log")

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lake.pq, "write_table", crash)
    with pytest.raises(lake.LakeError, match="previous version is kept"):
        lake.write_partition(where, "fetch_log", "src", DAY,
                             lake.to_table("fetch_log", log_rows(5)))
    monkeypatch.undo()
    assert lake.read_partition(where, "fetch_log", "src", DAY).num_rows == 2
    assert data_files(where, "fetch_log") == before  # no leftovers


def test_rows_that_break_the_schema_are_rejected(tmp_path: Path) -> None:
    bad = log_rows(1)
    bad[0]["attempt"] = "first"
    with pytest.raises((TypeError, ValueError)):
        lake.to_table("fetch_log", bad)
    with pytest.raises(lake.LakeError, match="unknown table"):
        lake.schema_for("nope")
    with pytest.raises(lake.LakeError, match="unsupported lake location"):
        lake.Lake.of("gs://bucket/lake")


def test_catalog_views_read_partitions_with_hive_columns(where: lake.Lake,
                                                         tmp_path: Path) -> None:
    lake.write_partition(where, "fetch_log", "a", DAY, lake.to_table("fetch_log",
                                                                      log_rows(2)))
    lake.write_partition(where, "fetch_log", "b", date(2017, 12, 5),
                         lake.to_table("fetch_log", log_rows(3)))
    catalog = refresh_catalog(where, tmp_path / "c.duckdb")
    # connect() finds an S3 lake from the catalog itself and can read it.
    con = connect(catalog)
    rows = con.execute("select source, date, count(*) from fetch_log group by all "
                       "order by all").fetchall()
    assert rows == [("a", DAY, 2), ("b", date(2017, 12, 5), 3)]
    # Tables with no partitions yet are typed, empty views.
    assert con.execute("select count(*) from articles").fetchone() == (0,)
    cols = dict(con.execute("select column_name, data_type from information_schema.columns "
                            "where table_name = 'articles'").fetchall())
    assert cols["published_at"] == "TIMESTAMP WITH TIME ZONE" and cols["date"] == "DATE"
    con.close()


def test_catalog_refresh_while_a_reader_holds_it_open(where: lake.Lake,
                                                      tmp_path: Path) -> None:
    catalog = refresh_catalog(where, tmp_path / "c.duckdb")
    reader = connect(catalog, where)
    lake.write_partition(where, "fetch_log", "a", DAY, lake.to_table("fetch_log",
                                                                      log_rows(2)))
    refresh_catalog(where, catalog)  # swapped in beside the open reader
    assert reader.execute("select count(*) from fetch_log").fetchone() == (0,)
    reader.close()
    with connect(catalog, where) as fresh:
        assert fresh.execute("select count(*) from fetch_log").fetchone() == (2,)


def test_local_catalog_needs_nothing_but_duckdb(tmp_path: Path) -> None:
    lake.write_partition(tmp_path / "lake", "fetch_log", "a", DAY,
                         lake.to_table("fetch_log", log_rows(2)))
    catalog = refresh_catalog(tmp_path / "lake", tmp_path / "c.duckdb")
    with duckdb.connect(str(catalog), read_only=True) as con:
        assert con.execute("select count(*) from fetch_log").fetchone() == (2,)
