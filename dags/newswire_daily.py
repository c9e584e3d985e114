"""newswire_daily: discover → fetch → clean → publish per source, then plan_shards →
annotate per shard → publish_annotations, for one UTC day.

A table of contents only: every task calls one function of the ``newswire``
package (include/newswire/stages/) and passes paths, never data.
"""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, TriggerRule, dag, task
from newswire.constants import NLP_TABLES, PUBLISHED_TABLES, START_DATE
from newswire_airflow.common import asset

ASSETS = [asset(table) for table in PUBLISHED_TABLES]
NLP_ASSETS = [asset(table) for table in NLP_TABLES]

# Between a failed try and the next (doubling each time); a deployment may say otherwise.
RETRY_DELAY = timedelta(seconds=float(os.environ.get("NEWSWIRE_RETRY_DELAY_S", "30")))

# A source that cannot be read must not hold back the ones that were: the stages after
# discover go on with the sources that got through (the mapped tasks expand over the
# results that exist), and check_sources_read fails the run naming the others.
SOME_SOURCES_READ = TriggerRule.ALL_DONE_MIN_ONE_SUCCESS


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
    start_date=START_DATE,  # early enough to backfill the archive
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
        from newswire.stages import list_sources

        return list_sources(_settings(), (params or {}).get("sources"))

    @task(map_index_template="{{ task.op_kwargs['source_id'] }}")
    def discover(source_id: str, data_interval_start=None, data_interval_end=None,
                 run_id: str | None = None, dag_run=None, params: dict | None = None) -> str:
        from newswire.stages import discover_source, run_mode

        params = params or {}
        mode = run_mode(str(getattr(dag_run, "run_type", "") or ""),
                        refetch=bool(params.get("refetch")),
                        reprocess_only=bool(params.get("reprocess_only")))
        return discover_source(_settings(), source_id, data_interval_start,
                               data_interval_end, run_id or "manual", mode)

    # The staged manifest's folder is named after its source: the index reads the source.
    @task(trigger_rule=SOME_SOURCES_READ,
          map_index_template="{{ task.op_kwargs['manifest'].split('/')[-2] }}")
    def fetch(manifest: str, params: dict | None = None) -> str:
        from newswire.stages import fetch_source

        return fetch_source(_settings(), manifest,
                            refetch=bool((params or {}).get("refetch")))

    @task(trigger_rule=SOME_SOURCES_READ,
          map_index_template="{{ task.op_kwargs['manifest'].split('/')[-2] }}")
    def clean(manifest: str) -> str:
        from newswire.stages import clean_source

        return clean_source(_settings(), manifest)

    @task(outlets=ASSETS, trigger_rule=SOME_SOURCES_READ)
    def publish(manifests: list[str]) -> dict[str, int]:
        from newswire.stages import publish

        # [:] reads the mapped results in one request; iterating asks for the item past
        # the end, which Airflow answers with an "XCom not found" error in the log.
        return publish(_settings(), list(manifests[:]))

    @task(trigger_rule=SOME_SOURCES_READ)
    def plan_shards(manifests: list[str], params: dict | None = None) -> list[str]:
        """The NLP stage cut into shards (paths) over every source's cleaned articles."""
        if not (params or {}).get("nlp", True):
            return []  # nothing to annotate: annotate and what follows are skipped
        from newswire.stages import plan_shards

        settings = _settings()
        return [shard for path in manifests[:]
                for shard in plan_shards(settings, path, settings.shard_multiple)]

    # One task per shard: the executor spreads them over every core and worker, and a
    # shard that fails is retried alone. The index reads <source>/<shard number>.
    @task(map_index_template="{{ task.op_kwargs['shard'].split('/')[-4] }}/"
                             "{{ task.op_kwargs['shard'].split('/')[-2] }}")
    def annotate(shard: str) -> str:
        from newswire.stages import annotate_shard, use_torch_threads

        settings = _settings()
        use_torch_threads(settings.torch_threads)
        return annotate_shard(settings, shard)

    @task(outlets=NLP_ASSETS)
    def publish_annotations(manifests: list[str]) -> dict[str, int]:
        from newswire.stages import gather_shards, publish

        settings = _settings()
        return publish(settings, gather_shards(settings, list(manifests[:])))

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0)  # a retry would answer the same
    def check_sources_read(sources: list[str], manifests: list[str]) -> list[str]:
        """The run's last word: fails naming every source not read (after the others
        were published), so a dead source still fails the run."""
        from newswire.stages import check_sources_read

        return check_sources_read(list(sources), list(manifests[:]))

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
    shards = plan_shards(cleaned)
    annotated = annotate.expand(shard=shards)
    annotations = publish_annotations(annotated)
    published >> [shards, check_articles(sources)]
    # Last, after the NLP too: beside plan_shards it took a worker's slot just as the
    # shards were handed out, and that worker started its first shard a second late.
    [published, annotations] >> check_sources_read(sources, cleaned)
    annotations >> check_annotations(sources)


dag_object = newswire_daily()
