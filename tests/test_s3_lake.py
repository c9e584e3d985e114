"""What only a lake on object storage has: manifest commits, orphans, the S3 secret and
the Airflow connection. Against moto on 127.0.0.1."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from newswire.catalog import connect, refresh_catalog, s3_secret_sql
from newswire.config import Settings
from newswire.maintenance import remove_orphan_files
from newswire.quality import run_checks
from newswire.schema import SCHEMA_VERSION, to_table
from newswire.store import LakeError, Partition, S3Store, Store, open_store

from tests.test_lake import log_rows

DAY = date(2017, 12, 4)
PART = Partition("fetch_log", "src", DAY)


def upload_uncommitted(where: Store, rows: int) -> str:
    """What a crash between upload and manifest commit leaves: a part file no manifest
    names."""
    folder = where.folder_of(PART)
    orphan = f"{folder}/part-20171204T000000000000Z-crashed.parquet"
    with where.fs.open(where.key(orphan), "wb") as handle:
        pq.write_table(to_table("fetch_log", log_rows(rows, "crashed")), handle)
    return orphan


def test_a_crash_before_the_commit_is_invisible_and_swept_later(s3_lake: str,
                                                                tmp_path: Path) -> None:
    where = open_store(s3_lake)
    where.write_partition(PART, to_table("fetch_log", log_rows(2)))
    orphan = upload_uncommitted(where, 7)
    # Readers and the catalog see the committed partition only.
    assert where.read_partition(PART).num_rows == 2
    catalog = refresh_catalog(where, tmp_path / "c.duckdb")
    with connect(catalog, where) as con:
        assert con.execute("select count(*), min(run_id) from fetch_log").fetchone() == (
            2, "r1")
    # A fresh upload may be a write about to commit: too young to be swept.
    assert where.remove_orphans(older_than_s=3600) == []
    assert where.fs.exists(where.key(orphan))
    time.sleep(1.1)  # S3 modification times have one-second resolution
    assert where.remove_orphans(older_than_s=1) == [orphan]
    assert not where.fs.exists(where.key(orphan))
    # The committed file is never an orphan.
    assert where.read_partition(PART).num_rows == 2
    assert where.remove_orphans(older_than_s=0) == []


def test_a_crash_before_the_first_commit_leaves_no_partition(s3_lake: str,
                                                             tmp_path: Path) -> None:
    where = open_store(s3_lake)
    upload_uncommitted(where, 3)
    assert where.read_partition(PART).num_rows == 0
    assert where.partitions("fetch_log") == []
    with connect(refresh_catalog(where, tmp_path / "c.duckdb"), where) as con:
        assert con.execute("select count(*) from fetch_log").fetchone() == (0,)


@pytest.mark.parametrize("settings", ["s3"], indirect=True)
def test_maintenance_removes_orphans(settings: Settings) -> None:
    upload_uncommitted(settings.lake, 1)
    assert remove_orphan_files(settings, older_than_hours=1) == 0
    time.sleep(1.1)
    assert remove_orphan_files(settings, older_than_hours=0.5 / 3600) == 1


@pytest.mark.parametrize("settings", ["s3"], indirect=True)
def test_quality_checks_read_the_committed_files(settings: Settings) -> None:
    table = to_table("fetch_log", log_rows(2))
    settings.lake.write_partition(PART, table.replace_schema_metadata({"schema_version": "0"}))
    refresh_catalog(settings.lake, settings.catalog)
    # write_partition stamps the schema version this pipeline writes ...
    assert [f.check for f in run_checks(settings, "publish", ["src"], DAY)
            if f.check == "schema_drift"] == []
    # ... and a committed file with another one is caught.
    part = settings.lake.committed_file(PART)
    assert part is not None
    with settings.lake.fs.open(settings.lake.key(part), "wb") as handle:
        pq.write_table(table.replace_schema_metadata({"schema_version": "0"}), handle)
    drift = [f for f in run_checks(settings, "publish", ["src"], DAY)
             if f.check == "schema_drift"]
    assert len(drift) == 1 and f"schema_version 0 (expected {SCHEMA_VERSION})" in drift[0].message


def test_settings_for_an_s3_lake_keep_catalog_and_staging_local(
        s3_lake: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_LAKE", s3_lake + "/")
    for name in ("NEWSWIRE_CATALOG", "NEWSWIRE_STAGING"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert str(settings.lake) == s3_lake and not settings.lake.is_local
    assert settings.catalog.is_absolute() and settings.catalog.name == "newswire.duckdb"
    assert settings.staging.is_absolute() and "s3:" not in str(settings.staging)
    monkeypatch.setenv("NEWSWIRE_STAGING", "s3://bucket/staging")
    with pytest.raises(LakeError, match="NEWSWIRE_STAGING must be a filesystem path"):
        Settings.from_env()


def test_s3_secret_for_httpfs_comes_from_the_aws_variables(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key'id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    assert s3_secret_sql() == (
        "CREATE OR REPLACE SECRET newswire_lake (TYPE s3, KEY_ID 'key''id', "
        "SECRET 'secret', REGION 'eu-west-1', ENDPOINT '127.0.0.1:9000', "
        "URL_STYLE 'path', USE_SSL false)")


def test_airflow_connection_supplies_endpoint_and_keys(
        s3_lake: str, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    pytest.importorskip("airflow.sdk")
    from newswire_airflow.common import export_lake_connection, settings

    monkeypatch.setenv("NEWSWIRE_LAKE", s3_lake)
    monkeypatch.setenv("NEWSWIRE_STAGING", str(tmp_path / "staging"))
    monkeypatch.setenv("NEWSWIRE_CATALOG", str(tmp_path / "c.duckdb"))
    # The test server's keys come from the connection only.
    key, secret = os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_NEWSWIRE_LAKE", json.dumps({
        "conn_type": "aws", "login": key, "password": secret,
        "extra": {"endpoint_url": s3_endpoint, "region_name": "us-east-1"}}))
    configured = settings()
    assert os.environ["AWS_ENDPOINT_URL_S3"] == s3_endpoint
    configured.lake.write_partition(PART, to_table("fetch_log", log_rows(1)))
    assert configured.lake.read_partition(PART).num_rows == 1
    monkeypatch.delenv("AIRFLOW_CONN_NEWSWIRE_LAKE")
    monkeypatch.setenv("NEWSWIRE_LAKE", "/tmp/a-local-lake")
    assert export_lake_connection() is False  # a local lake needs no connection


def test_manifest_names_rows_and_run(s3_lake: str) -> None:
    where = open_store(s3_lake)
    started = datetime.now(UTC)
    assert isinstance(where, S3Store)
    where.write_partition(PART, to_table("fetch_log", log_rows(4, "run-a")))
    manifest = where.read_manifest(PART)
    assert manifest is not None and manifest["rows"] == 4 and manifest["run_id"] == "run-a"
    assert datetime.fromisoformat(manifest["committed_at"]) >= started
