"""Partitions: layout, atomic replacement, idempotence, DuckDB views -- on a local
directory and on S3 (moto on 127.0.0.1), the same tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from newswire.catalog import built_from, connect, refresh_catalog
from newswire.schema import (
    SCHEMA_VERSION,
    FetchLogEntry,
    RunRow,
    SchemaError,
    rows_of,
    schema_for,
    to_table,
)
from newswire.store import LakeError, LocalStore, Partition, S3Store, Store, open_store

from tests.conftest import LAKE_BACKENDS

DAY = date(2017, 12, 4)
PART = Partition("fetch_log", "src", DAY)


def log_rows(n: int, run: str = "r1") -> list[dict]:
    return [{"run_id": run, "purpose": "page", "url": f"http://a.example/{i}",
             "request_url": f"http://a.example/{i}", "attempt": 1,
             "status": 200, "error": None, "bytes": 10, "elapsed_ms": 5,
             "fetched_at": datetime(2017, 12, 4, 10, tzinfo=UTC), "pipeline_version": "t"}
            for i in range(n)]


@pytest.fixture(params=LAKE_BACKENDS)
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An empty lake: a local directory, or s3://<fresh bucket>/lake."""
    if request.param == "s3":
        return open_store(request.getfixturevalue("s3_lake"))
    return open_store(tmp_path / "lake")


def data_files(where: Store, table: str) -> list[str]:
    """Every file under a table's folder, relative to the table."""
    root = where.key(where.url(table))
    if not where.fs.exists(root):
        return []
    return sorted(p[len(root) + 1:] for p in where.fs.find(root))


def test_partition_layout_schema_version_and_compression(tmp_path: Path) -> None:
    path = LocalStore(tmp_path).write_partition(PART, to_table("fetch_log", log_rows(3)))
    assert path == str(tmp_path / "fetch_log" / "source=src" / "date=2017-12-04"
                       / "data.parquet")
    meta = pq.read_metadata(path)
    assert meta.num_rows == 3
    assert meta.schema.to_arrow_schema().metadata[b"schema_version"] == SCHEMA_VERSION.encode()
    assert meta.row_group(0).column(0).compression == "ZSTD"
    # Partition columns live in the path only (hive style), not in the file.
    assert "source" not in meta.schema.names and "date" not in meta.schema.names


def test_s3_partition_is_a_part_file_named_by_its_manifest(s3_lake: str) -> None:
    where = open_store(s3_lake)
    assert isinstance(where, S3Store)
    part = where.write_partition(PART, to_table("fetch_log", log_rows(3, run="run-7")))
    folder = f"{s3_lake}/fetch_log/source=src/date=2017-12-04"
    assert part.startswith(f"{folder}/part-") and part.endswith(".parquet")
    manifest = where.read_manifest(PART)
    assert manifest is not None
    assert (manifest["file"], manifest["rows"], manifest["run_id"]) == (
        part.rsplit("/", 1)[1], 3, "run-7")
    with where.fs.open(where.key(part), "rb") as handle:
        meta = pq.read_metadata(handle)
    assert meta.schema.to_arrow_schema().metadata[b"schema_version"] == SCHEMA_VERSION.encode()
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert where.partition_rows(PART) == 3


def test_rewrite_replaces_never_appends(where: Store) -> None:
    for run in ("r1", "r2", "r3"):
        where.write_partition(PART, to_table("fetch_log", log_rows(4, run)))
    files = data_files(where, "fetch_log")
    parquet = [f for f in files if f.endswith(".parquet")]
    assert len(parquet) == 1, files  # the superseded files are gone
    expected = ["source=src/date=2017-12-04/data.parquet"] if where.is_local else [
        parquet[0], "source=src/date=2017-12-04/_manifest.json"]
    assert files == sorted(expected)
    back = where.read_partition(PART)
    assert back.num_rows == 4 and set(back.column("run_id").to_pylist()) == {"r3"}


def test_rows_read_back_equal_rows_written(where: Store) -> None:
    written = to_table("fetch_log", log_rows(5))
    where.write_partition(PART, written)
    back = where.read_partition(PART)
    assert back.to_pylist() == written.to_pylist()
    assert [p for p, _ in where.partitions("fetch_log")] == [PART]
    assert where.read_partition(Partition("fetch_log", "src", date(2017, 12, 5))).num_rows == 0


def test_rows_as_row_models_make_the_same_table() -> None:
    records = [FetchLogEntry(**row) for row in log_rows(3)]
    assert to_table("fetch_log", records).equals(to_table("fetch_log", log_rows(3)))
    assert rows_of(FetchLogEntry, to_table("fetch_log", records)) == records
    with pytest.raises(SchemaError, match="fetch_log rows are FetchLogEntry"):
        to_table("fetch_log", [RunRow.__new__(RunRow)])


def test_published_staged_file_replaces_the_partition(where: Store, tmp_path: Path) -> None:
    where.write_partition(PART, to_table("fetch_log", log_rows(2)))
    staged = tmp_path / "staged.parquet"
    pq.write_table(to_table("fetch_log", log_rows(6, "staged")), staged)
    where.publish_file(PART, staged)
    assert staged.exists()  # its stage's manifest still names it
    back = where.read_partition(PART)
    assert back.num_rows == 6 and set(back.column("run_id").to_pylist()) == {"staged"}
    assert len([f for f in data_files(where, "fetch_log") if f.endswith(".parquet")]) == 1


def test_a_deleted_partition_is_gone_whole(where: Store) -> None:
    where.write_partition(PART, to_table("fetch_log", log_rows(2)))
    assert where.delete_partition(PART) is True
    assert where.committed_file(PART) is None and where.read_partition(PART).num_rows == 0
    assert where.partitions("fetch_log") == []
    assert where.delete_partition(PART) is False


def test_partitions_written_together_are_synced_together(where: Store, tmp_path: Path,
                                                         monkeypatch) -> None:
    """Inside synced_together each partition is replaced whole at once (readers see it);
    a local lake syncs the folders of all of them when the block ends, each once, even
    when the block fails; an object store's commits need nothing more."""
    import newswire.store.local as local

    synced: list[Path] = []
    real_sync = local._fsync_dir
    monkeypatch.setattr(local, "_fsync_dir", lambda path: (synced.append(path),
                                                             real_sync(path)))
    days = [Partition("fetch_log", "src", date(2017, 12, d)) for d in (4, 5, 6)]
    staged = tmp_path / "staged.parquet"
    pq.write_table(to_table("fetch_log", log_rows(4, "staged")), staged)
    with pytest.raises(RuntimeError, match="stop"), where.synced_together():
        where.write_partition(days[0], to_table("fetch_log", log_rows(2)))
        where.publish_file(days[1], staged)
        with where.synced_together():  # an inner block syncs with the outer one
            where.write_partition(days[2], to_table("fetch_log", log_rows(1)))
        where.delete_partition(days[2])
        assert [where.read_partition(p).num_rows for p in days] == [2, 4, 0]
        assert synced == []
        raise RuntimeError("stop")
    assert [where.read_partition(p).num_rows for p in days] == [2, 4, 0]
    if where.is_local:
        folders = sorted(Path(where.url(p.folder)) for p in days)
        assert sorted(synced) == folders
    where.write_partition(days[0], to_table("fetch_log", log_rows(3)))  # outside: at once
    assert len(synced) == (4 if where.is_local else 0)


def test_failed_write_keeps_the_previous_partition(where: Store, monkeypatch) -> None:
    where.write_partition(PART, to_table("fetch_log", log_rows(2)))
    before = data_files(where, "fetch_log")

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", crash)
    with pytest.raises(LakeError, match="previous version is kept"):
        where.write_partition(PART, to_table("fetch_log", log_rows(5)))
    monkeypatch.undo()
    assert where.read_partition(PART).num_rows == 2
    assert data_files(where, "fetch_log") == before  # no leftovers


def test_rows_that_break_the_schema_are_rejected(tmp_path: Path) -> None:
    bad = log_rows(1)
    bad[0]["attempt"] = "first"
    with pytest.raises((TypeError, ValueError)):
        to_table("fetch_log", bad)
    with pytest.raises(SchemaError, match="unknown table"):
        schema_for("nope")
    with pytest.raises(LakeError, match="unsupported lake location"):
        open_store("gs://bucket/lake")


def test_catalog_views_read_partitions_with_hive_columns(where: Store, tmp_path: Path) -> None:
    where.write_partition(Partition("fetch_log", "a", DAY), to_table("fetch_log", log_rows(2)))
    where.write_partition(Partition("fetch_log", "b", date(2017, 12, 5)),
                          to_table("fetch_log", log_rows(3)))
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


def test_catalog_refresh_while_a_reader_holds_it_open(where: Store, tmp_path: Path) -> None:
    catalog = refresh_catalog(where, tmp_path / "c.duckdb")
    reader = connect(catalog, where)
    where.write_partition(Partition("fetch_log", "a", DAY), to_table("fetch_log", log_rows(2)))
    refresh_catalog(where, catalog)  # swapped in beside the open reader
    assert reader.execute("select count(*) from fetch_log").fetchone() == (0,)
    reader.close()
    with connect(catalog, where) as fresh:
        assert fresh.execute("select count(*) from fetch_log").fetchone() == (2,)


def test_catalog_is_rebuilt_only_when_its_views_would_change(where: Store,
                                                             tmp_path: Path) -> None:
    catalog = refresh_catalog(where, tmp_path / "c.duckdb")
    first = built_from(catalog)
    assert first is not None
    built = catalog.stat().st_ino
    assert refresh_catalog(where, catalog).stat().st_ino == built  # nothing changed
    where.write_partition(Partition("fetch_log", "a", DAY), to_table("fetch_log", log_rows(2)))
    refresh_catalog(where, catalog)  # fetch_log's view now reads files
    assert built_from(catalog) != first and catalog.stat().st_ino != built
    built = catalog.stat().st_ino
    where.write_partition(Partition("fetch_log", "b", DAY), to_table("fetch_log", log_rows(3)))
    refresh_catalog(where, catalog)
    # A local lake's views glob the folders: a new partition needs no rebuild; an S3
    # lake's views name the committed files, so they change.
    assert (catalog.stat().st_ino == built) is where.is_local
    with connect(catalog, where) as con:
        assert con.execute("select count(*) from fetch_log").fetchone() == (5,)


def test_local_catalog_needs_nothing_but_duckdb(tmp_path: Path) -> None:
    LocalStore(tmp_path / "lake").write_partition(Partition("fetch_log", "a", DAY),
                                                  to_table("fetch_log", log_rows(2)))
    catalog = refresh_catalog(tmp_path / "lake", tmp_path / "c.duckdb")
    with duckdb.connect(str(catalog), read_only=True) as con:
        assert con.execute("select count(*) from fetch_log").fetchone() == (2,)
