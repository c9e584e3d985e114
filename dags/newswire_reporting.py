"""newswire_reporting: after each published day, refresh the DuckDB catalog and write
the day's reports (text, and HTML with charts, shown in the UI by the newswire_reports
plugin). Scheduled on the daily DAG's Assets, not on a clock."""

from __future__ import annotations

from airflow.sdk import dag, task
from newswire_airflow.common import SUPPORT_DAG_ARGS, asset
from newswire_airflow.common import settings as _settings

ARTICLES = asset("articles")


@dag(
    dag_id="newswire_reporting",
    schedule=[ARTICLES],
    doc_md=__doc__,
    **SUPPORT_DAG_ARGS,
)
def newswire_reporting():
    @task
    def days_published(triggering_asset_events=None) -> list[str]:
        """The days of the runs that produced the triggering asset events."""
        days = set()
        for events in (triggering_asset_events or {}).values():
            for event in events:
                run = getattr(event, "source_dag_run", None)
                start = getattr(run, "data_interval_start", None) if run else None
                if start is not None:
                    days.add(start.date().isoformat())
        return sorted(days)

    @task
    def refresh_catalog() -> str:
        from newswire.catalog import refresh_catalog

        settings = _settings()
        return str(refresh_catalog(settings.lake, settings.catalog))

    @task
    def write_reports(days: list[str]) -> list[str]:
        from datetime import date

        from newswire.daily_reports import write_daily_report

        settings = _settings()
        return [str(write_daily_report(settings, date.fromisoformat(d))) for d in days]

    days = days_published()
    refresh_catalog() >> write_reports(days)


newswire_reporting()
