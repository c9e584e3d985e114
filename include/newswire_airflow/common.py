"""What the newswire DAG files share: the Assets the lake's tables are published as,
the supporting DAGs' arguments, the settings a task reads. The names themselves live in
``newswire.constants`` (no Airflow there)."""

from __future__ import annotations

import os
from typing import Any

from airflow.sdk import Asset
from newswire.constants import START_DATE, asset_name, asset_uri


def asset(table: str) -> Asset:
    """The Asset a lake table is published as (the reporting DAG is scheduled on one)."""
    return Asset(name=asset_name(table), uri=asset_uri(table))


# The supporting DAGs (reporting, maintenance): one run at a time, one retry.
SUPPORT_DAG_ARGS: dict[str, Any] = {
    "start_date": START_DATE,
    "catchup": False,
    "max_active_runs": 1,
    "default_args": {"retries": 1},
    "tags": ["newswire"],
}


# Airflow connection with the object-storage endpoint and keys of an s3:// lake.
LAKE_CONNECTION = "newswire_lake"


def export_lake_connection(conn_id: str = LAKE_CONNECTION) -> bool:
    """Put the ``newswire_lake`` connection (type ``aws``: login = access key id,
    password = secret, extra ``{"endpoint_url": ..., "region_name": ...}``) into the
    standard AWS variables the pipeline reads, when the lake is on S3 and the connection
    exists. Returns whether it did; without the connection the variables already set
    (or botocore's own lookup) are used."""
    if not os.environ.get("NEWSWIRE_LAKE", "").startswith("s3://"):
        return False
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(conn_id)
    except AirflowNotFoundException:
        return False
    extra = conn.extra_dejson
    exported = {
        "AWS_ACCESS_KEY_ID": conn.login,
        "AWS_SECRET_ACCESS_KEY": conn.password,
        "AWS_ENDPOINT_URL_S3": extra.get("endpoint_url") or conn.host,
        "AWS_REGION": extra.get("region_name"),
        "AWS_SESSION_TOKEN": extra.get("aws_session_token"),
    }
    os.environ.update({k: v for k, v in exported.items() if v})
    return True


def settings():  # -> newswire.config.Settings, imported inside tasks only
    from newswire.config import Settings

    export_lake_connection()
    return Settings.from_env()
