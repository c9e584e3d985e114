"""newswire_maintenance: weekly lake upkeep (compaction, raw-zone retention, removal of
orphan files a crashed write left, staging clean-up), safe while analysts query.
NEWSWIRE_RAW_RETENTION_DAYS (default 0: keep all HTML) sets how long raw page bodies are
kept; NEWSWIRE_ORPHAN_AGE_HOURS (default 24) how old an unused file must be to go."""

from __future__ import annotations

import os

from airflow.sdk import dag, task
from newswire_airflow.common import SUPPORT_DAG_ARGS
from newswire_airflow.common import settings as _settings


@dag(
    dag_id="newswire_maintenance",
    schedule="@weekly",
    doc_md=__doc__,
    **SUPPORT_DAG_ARGS,
)
def newswire_maintenance():
    @task
    def compact() -> int:
        from newswire.maintenance import compact

        return compact(_settings())

    @task
    def raw_retention() -> list[int]:
        from newswire.maintenance import apply_raw_retention

        keep = int(os.environ.get("NEWSWIRE_RAW_RETENTION_DAYS", "0"))
        return list(apply_raw_retention(_settings(), keep))

    @task
    def remove_orphans() -> int:
        from newswire.maintenance import remove_orphan_files

        hours = float(os.environ.get("NEWSWIRE_ORPHAN_AGE_HOURS", "24"))
        return remove_orphan_files(_settings(), hours)

    @task
    def clean_staging() -> int:
        from newswire.maintenance import clean_staging

        return clean_staging(_settings())

    @task
    def refresh_catalog() -> str:
        from newswire.catalog import refresh_catalog

        settings = _settings()
        return str(refresh_catalog(settings.lake, settings.catalog))

    # Orphans after retention: files retention replaced are deleted by it once the
    # catalog no longer names them, not swept from under a catalog that still does.
    trimmed = raw_retention()
    swept = remove_orphans()
    trimmed >> swept
    [compact(), swept, clean_staging()] >> refresh_catalog()


newswire_maintenance()
