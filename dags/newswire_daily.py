"""newswire_daily: discover → fetch → clean → publish → annotate → publish_annotations,
per source, for one UTC day.

A table of contents only: every task calls one function of the ``newswire``
package (include/newswire/pipeline.py) and passes paths, never data.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task

# Astro-style layout: the pipeline package lives in include/ (also pip-installed
# in the local set-up; this keeps a bare Airflow deployment working too).
INCLUDE = Path(__file__).resolve().parents[1] / "include"
if INCLUDE.is_dir() and str(INCLUDE) not in sys.path:
    sys.path.insert(0, str(INCLUDE))

LAKE_TABLES = ("raw_pages", "fetch_log", "articles")
NLP_TABLES = ("sentences", "tokens", "entities", "quotes", "quantities", "time_mentions")


def _asset(table: str) -> Asset:
    return Asset(name=f"newswire.{table}", uri=f"file:///newswire/lake/{table}")


# Between a failed try and the next (doubling each time); a deployment may say otherwise.
RETRY_DELAY = timedelta(seconds=float(os.environ.get("NEWSWIRE_RETRY_DELAY_S", "30")))

ASSETS = [_asset(table) for table in LAKE_TABLES]
NLP_ASSETS = [_asset(table) for table in NLP_TABLES]


def _settings():  # imported at run time: no work at parse time
    from newswire_airflow.common import settings

    return settings()  # an s3:// lake may take its keys from the newswire_lake connection


def _on_failure(context: dict) -> None:
    from newswire_airflow.callbacks import notify_failure

    notify_failure(context)


@dag(
    dag_id="newswire_daily",
    # A real one-day interval ([00:00, 24:00) UTC); @daily gives start == end in Airflow 3.
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    # Early enough that operators can backfill the archive (the seed is from Dec 2017).
    start_date=pendulum.datetime(2017, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=4,
    default_args={"retries": 2, "retry_delay": RETRY_DELAY,
                  "retry_exponential_backoff": True,
                  "on_failure_callback": _on_failure},
    params={
        "sources": Param(None, type=["null", "array"],
                         description="only these source ids (default: all enabled)"),
        "refetch": Param(False, type="boolean",
                         description="ignore stored ETags and fetch every page again"),
        "nlp": Param(True, type="boolean",
                     description="run the NLP stage (needs stanza models)"),
        "reprocess_only": Param(False, type="boolean",
                                description="no network: rebuild the days from the raw zone"),
    },
    tags=["newswire"],
    doc_md=__doc__,
)
def newswire_daily():
    @task
    def list_sources(params: dict | None = None) -> list[str]:
        from newswire.pipeline import list_sources

        return list_sources(_settings(), (params or {}).get("sources"))

    @task(map_index_template="{{ task.op_kwargs['source_id'] }}")
    def discover(source_id: str, data_interval_start=None, data_interval_end=None,
                 run_id: str | None = None, dag_run=None, params: dict | None = None) -> str:
        from newswire.pipeline import discover_source, run_mode

        params = params or {}
        mode = run_mode(str(getattr(dag_run, "run_type", "") or ""),
                        refetch=bool(params.get("refetch")),
                        reprocess_only=bool(params.get("reprocess_only")))
        return discover_source(_settings(), source_id, data_interval_start,
                               data_interval_end, run_id or "manual", mode)

    @task
    def fetch(manifest: str, params: dict | None = None) -> str:
        from newswire.pipeline import fetch_source

        return fetch_source(_settings(), manifest,
                            refetch=bool((params or {}).get("refetch")))

    @task
    def clean(manifest: str) -> str:
        from newswire.pipeline import clean_source

        return clean_source(_settings(), manifest)

    @task(outlets=ASSETS)
    def publish(manifests: list[str]) -> dict[str, int]:
        from newswire.pipeline import publish

        # [:] reads the mapped results in one request; iterating asks for the item past
        # the end, which Airflow answers with an "XCom not found" error in the log.
        return publish(_settings(), list(manifests[:]))

    @task
    def annotate(manifest: str, params: dict | None = None) -> str | None:
        if not (params or {}).get("nlp", True):
            return None
        from newswire.pipeline import annotate_source

        return annotate_source(_settings(), manifest)

    @task(outlets=NLP_ASSETS)
    def publish_annotations(manifests: list[str | None]) -> dict[str, int]:
        from newswire.pipeline import publish

        return publish(_settings(), [m for m in manifests[:] if m])

    @task
    def check_articles(sources: list[str], data_interval_start=None) -> list[str]:
        """Quality gate after publish: fails naming the check and the numbers."""
        from newswire.quality import gate

        return [f"{f.check}: {f.message}" for f in
                gate(_settings(), "publish", list(sources), data_interval_start.date())]

    @task
    def check_annotations(sources: list[str], data_interval_start=None) -> list[str]:
        from newswire.quality import gate

        return [f"{f.check}: {f.message}" for f in
                gate(_settings(), "annotate", list(sources), data_interval_start.date())]

    sources = list_sources()
    discovered = discover.expand(source_id=sources)
    cleaned = clean.expand(manifest=fetch.expand(manifest=discovered))
    published = publish(cleaned)
    annotated = annotate.expand(manifest=cleaned)
    published >> [annotated, check_articles(sources)]
    publish_annotations(annotated) >> check_annotations(sources)


dag_object = newswire_daily()
