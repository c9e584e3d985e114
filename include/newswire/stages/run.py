"""All stages for every source, one UTC day at a time, as the daily DAG does (the CLI's
``run`` command and the tests drive the pipeline through this)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from newswire.clean import reads_language
from newswire.config import Settings
from newswire.stages.clean import clean_pool, fetch_and_clean
from newswire.stages.common import days_in, list_sources, load_source
from newswire.stages.discover import discover_source
from newswire.stages.publish import publish
from newswire.stages.shards import ShardRunner

log = logging.getLogger("newswire")


def run_interval(settings: Settings, start: datetime, end: datetime, run_id: str,
                 only: list[str] | None = None, *, refetch: bool = False,
                 nlp: bool = True, mode: str | None = None, gates: bool = True,
                 workers: int = 1, shards: ShardRunner | None = None) -> dict:
    """The quality gates run after each day is published (QualityGateFailed names the
    checks). The NLP stage runs in shards, in this process (``workers`` 1) or in a pool
    of ``workers`` processes that load the models once for the whole interval; a caller
    running several intervals hands in its own ``shards`` runner to keep one pool.
    Returns rows published per table, per day."""
    if shards is not None:
        return _run_days(settings, start, end, run_id, only, refetch=refetch, nlp=nlp,
                         mode=mode, gates=gates, shards=shards)
    with ShardRunner(settings, workers) as runner:
        return _run_days(settings, start, end, run_id, only, refetch=refetch, nlp=nlp,
                         mode=mode, gates=gates, shards=runner)


def _run_days(settings: Settings, start: datetime, end: datetime, run_id: str,
              only: list[str] | None, *, refetch: bool, nlp: bool, mode: str | None,
              gates: bool, shards: ShardRunner) -> dict:
    summary: dict[str, dict] = {}
    failures: list[str] = []
    sources = list_sources(settings, only)
    start_pools(settings, sources, shards, nlp)
    for day in days_in(start, end):
        day_start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        day_end = day_start + timedelta(days=1)
        day_run = f"{run_id}__{day.isoformat()}"
        cleaned: list[str] = []
        annotating: list[Callable[[], list[str]]] = []
        try:
            for source_id in sources:
                discovered = discover_source(settings, source_id, day_start, day_end,
                                             day_run, mode or ("refetch" if refetch
                                                               else "daily"))
                # Pages are cleaned while later ones are fetched (the DAG: two tasks).
                _, cleaned_path = fetch_and_clean(settings, discovered, refetch=refetch,
                                                  workers=shards.workers)
                cleaned.append(cleaned_path)
                if nlp:  # the pool annotates it while the next source is fetched
                    annotating.append(shards.submit([cleaned_path]))
        except BaseException:
            # A rerun of the day (without a source that could not be read) rewrites the
            # same shards: the ones handed to the pool finish first (with one worker
            # nothing has run yet).
            for waiting in annotating if shards.workers > 1 else []:
                with contextlib.suppress(Exception):
                    waiting()
            raise
        # The pool annotates while this process publishes the articles.
        published = publish(settings, cleaned)
        if gates:
            failures += _gate_failures(settings, "publish", sources, day)
        if nlp:
            annotated = [path for waiting in annotating for path in waiting()]
            published.update(publish(settings, annotated))
            if gates:
                failures += _gate_failures(settings, "annotate", sources, day)
        summary[day.isoformat()] = published
    if failures:
        from newswire.quality import QualityGateFailed

        raise QualityGateFailed("; ".join(failures))
    return summary


def start_pools(settings: Settings, sources: list[str], shards: ShardRunner,
                nlp: bool) -> None:
    """The cleaning processes, then the NLP ones (which load their models while the
    first day is discovered and fetched). In that order: the cleaning pool forks this
    process, already warm, only while no other thread runs, and starting the NLP pool
    starts one (its manager); after it, each cleaning process would start fresh and
    import and load the cleaner itself (a second of CPU each, measured) while the first
    pages wait."""
    if shards.workers > 1:
        clean_pool(shards.workers, any(reads_language(load_source(settings, s).profile)
                                       for s in sources))
    if nlp:
        shards.start(load_source(settings, source_id).lang for source_id in sources)


def _gate_failures(settings: Settings, stage: str, sources: list[str], day: date) -> list[str]:
    from newswire.quality import QualityGateFailed, gate

    try:
        for finding in gate(settings, stage, sources, day):
            log.warning("quality %s: %s", finding.check, finding.message)
    except QualityGateFailed as exc:
        return [str(exc)]
    return []
