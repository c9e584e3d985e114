"""What the newswire DAG files share."""

from __future__ import annotations

from typing import Any

import pendulum

# Early enough that operators can backfill the archive (the seed article is from 2017).
START_DATE = pendulum.datetime(2017, 1, 1, tz="UTC")

# The supporting DAGs (reporting, maintenance): one run at a time, one retry.
SUPPORT_DAG_ARGS: dict[str, Any] = {
    "start_date": START_DATE,
    "catchup": False,
    "max_active_runs": 1,
    "default_args": {"retries": 1},
    "tags": ["newswire"],
}


def settings():  # -> newswire.config.Settings, imported inside tasks only
    from newswire.config import Settings

    return Settings.from_env()
