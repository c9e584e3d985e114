"""Airflow's local-settings hook (every Airflow process imports it at start; include/ is
on PYTHONPATH). newswire uses it for one thing: with ``NEWSWIRE_PRELOAD_NLP=1``, the
processes that fork task processes load the stanza models once, before they fork.

On Linux Airflow 3 runs every task in a fresh ``os.fork()`` of the process that picked
it up: a LocalExecutor worker (itself forked from ``airflow scheduler``) or a Celery
pool process (forked from ``airflow celery worker``). A model cache inside the task dies
with the task, so each ``annotate`` shard would load stanza again (seconds a language);
a model loaded in the scheduler or Celery worker before the fork is in every task's
memory from the start, shared copy-on-write. See README, "Backfills and operations".
"""

from __future__ import annotations

import logging
import os
import sys


def forks_task_processes(argv: list[str]) -> bool:
    """`airflow scheduler` (LocalExecutor) or `airflow celery worker`."""
    words = argv[1:3]
    return words[:1] == ["scheduler"] or words == ["celery", "worker"]


def _preload_nlp() -> None:
    if os.environ.get("NEWSWIRE_PRELOAD_NLP", "").lower() not in ("1", "true", "yes"):
        return
    if not forks_task_processes(sys.argv):
        return
    log = logging.getLogger("newswire")
    try:
        from newswire.config import Settings
        from newswire.stages.shards import preload_models

        seconds = preload_models(threads=Settings.from_env().torch_threads)
        log.warning("newswire: stanza models loaded before forking tasks: %s", seconds)
    except Exception:  # a scheduler must start even when the models cannot be loaded
        log.exception("newswire: preloading the stanza models failed; tasks load them")


_preload_nlp()
