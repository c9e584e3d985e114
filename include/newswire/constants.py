"""Names the library, the DAGs and the plugin share, in one place so they cannot drift.

Plain Python with no imports of ours or Airflow's: the DAG files read it at parse time
(``newswire_airflow`` turns the names into Airflow objects), the lake's schema module
checks that it defines exactly these tables.
"""

from __future__ import annotations

from datetime import UTC, datetime

# The lake's tables, by the task that publishes them.
# the daily DAG's `publish` (template_stats: the cleaner's template learning)
PUBLISHED_TABLES = ("raw_pages", "fetch_log", "articles", "template_stats")
NLP_TABLES = ("sentences", "tokens", "entities", "quotes", "quantities", "time_mentions")
RUNS_TABLE = "runs"  # one row per (run, source, day), written by every publish
TABLES = (*PUBLISHED_TABLES, *NLP_TABLES, RUNS_TABLE)

# The first day the daily DAG knows: early enough that operators can backfill the
# archive (the seed article is from December 2017).
START_DATE = datetime(2017, 1, 1, tzinfo=UTC)


def asset_name(table: str) -> str:
    """The Airflow Asset a table is published as (the reporting DAG waits on articles')."""
    return f"newswire.{table}"


def asset_uri(table: str) -> str:
    return f"file:///newswire/lake/{table}"
