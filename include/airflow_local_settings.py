"""Airflow's local-settings hook (every Airflow process imports it at start; include/ is
on PYTHONPATH). newswire uses it in the processes that fork task processes for two
things: with ``NEWSWIRE_PRELOAD_NLP=1`` they load the stanza models once, before they
fork; and their task supervisors notice a task's exit at once (``notice_exit_promptly``).

On Linux Airflow 3 runs every task in a fresh ``os.fork()`` of the process that picked
it up: a LocalExecutor worker (itself forked from ``airflow scheduler``) or a Celery
pool process (forked from ``airflow celery worker``). A model cache inside the task dies
with the task, so each ``annotate`` shard would load stanza again (seconds a language);
a model loaded in the scheduler or Celery worker before the fork is in every task's
memory from the start, shared copy-on-write. See README, "Backfills and operations".
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import Any


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


def notice_exit_promptly() -> bool:
    """A task supervisor that waits on the task process itself once the process has
    closed every socket it had to the supervisor, instead of sleeping in ``select()``
    on no sockets at all. Airflow's supervisor checks for the exit with a non-blocking
    ``wait`` right after the last socket's EOF; a process that closed its sockets and
    was still tearing down its memory (an annotate task with ~0.5 GB of models mapped)
    is not reaped yet, and the supervisor then slept ``[workers] min_heartbeat_interval``
    (1 s here) before it looked again, holding the worker's slot: 2-3 of the ~19 tasks
    of a Celery bench day (``slot held after a task's end`` in bench/results/celery.md).
    Returns whether the supervisor was changed (once per process)."""
    try:
        from airflow.sdk.execution_time import supervisor
    except ImportError:  # no task SDK in this process
        return False
    watched = supervisor.WatchedSubprocess
    original = watched._service_subprocess
    if getattr(original, "newswire_prompt_exit", False):
        return False

    def service_subprocess(self: Any, max_wait_time: float, raise_on_timeout: bool = False,
                           expect_signal: int | None = None) -> int | None:
        if self._exit_code is None and not self._open_sockets:
            with contextlib.suppress(self._process.TimeoutExpired):
                self._process.wait(timeout=max(0.01, max_wait_time))
            return self._check_subprocess_exit(raise_on_timeout=raise_on_timeout,
                                               expect_signal=expect_signal)
        return original(self, max_wait_time, raise_on_timeout, expect_signal)

    service_subprocess.newswire_prompt_exit = True  # type: ignore[attr-defined]
    watched._service_subprocess = service_subprocess
    return True


_preload_nlp()
if forks_task_processes(sys.argv):
    notice_exit_promptly()
