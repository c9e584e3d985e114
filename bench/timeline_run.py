"""Where the wall time of one synthetic day through ``newswire run`` goes: a timeline.

    .venv/bin/python bench/timeline_run.py [--articles 200] [--workers 2]
    (NEWSWIRE_STANZA_DIR set; take it under flock /tmp/newswire-bench.lock)

Runs the CLI's ``run`` in this process over the synthetic archive (as bench_shards.py
does; the run's stages are imported where the CLI imports them, after it starts the NLP
pool) and prints, in seconds from the start, when each step of ``run_interval`` begins
and ends, when each NLP pool process is up and has its models, and when each shard is
handed back: the gaps where a core idles are the serial parts. A diagnostic, not a
benchmark: the step functions are wrapped here, nothing is measured against a baseline.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent),
                str(Path(__file__).resolve().parents[1] / "include")]

T0 = time.monotonic()  # CLOCK_MONOTONIC: the same clock in the pool's processes


def mark(what: str, t0: float = T0) -> None:
    print(f"{time.monotonic() - t0:7.2f}  {what}", flush=True)


def worker_start(langs: tuple[str, ...], threads: int, t0: float) -> None:
    """The pool's initializer, with its start and end marked."""
    from newswire.stages import shards

    mark(f"NLP process {os.getpid()} up", t0)
    shards._start_worker(langs, threads)
    mark(f"NLP process {os.getpid()} has its models", t0)


def wrapped(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def step(*args: Any, **kwargs: Any) -> Any:
        mark(f"{name} ...")
        result = function(*args, **kwargs)
        mark(f"... {name}")
        return result
    return step


def instrument_run() -> None:
    """The run's steps, wrapped once the CLI is about to import them (after it started
    the NLP pool: importing them here any earlier would hide that early start)."""
    mark("importing the run's stages")
    import newswire.stages.run as run

    for name in ("discover_source", "fetch_and_clean", "publish", "_gate_failures"):
        setattr(run, name, wrapped(name, getattr(run, name)))
    mark("imported the run's stages")


def instrument() -> None:
    from newswire import cli
    from newswire.stages import shards

    run_days = cli._run_days

    def run_days_marked(*args: Any, **kwargs: Any) -> Any:
        instrument_run()
        return run_days(*args, **kwargs)

    cli._run_days = run_days_marked
    cli.start_nlp_early = wrapped("start_nlp_early (the NLP fork server)",
                                  cli.start_nlp_early)
    shards.gather_shards = wrapped("gather_shards", shards.gather_shards)
    shards._gather_read = wrapped("gathering the shards read", shards._gather_read)
    runner = shards.ShardRunner
    runner.start = wrapped("ShardRunner.start", runner.start)
    runner.close = wrapped("ShardRunner.close", runner.close)
    submit = runner.submit

    def submit_marked(self: Any, cleaned: list[str]) -> Callable[[], list[str]]:
        mark("shards submitted")
        return wrapped("waiting for the shards", submit(self, cleaned))

    def new_pool(self: Any, langs: tuple[str, ...]) -> ProcessPoolExecutor:
        # The runner's own context (forks of the fork server that preloads the models),
        # with the initializer marked.
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=shards.nlp_context(langs, self.settings.torch_threads),
            initializer=worker_start, initargs=(langs, self.settings.torch_threads, T0))

    pool_submit = ProcessPoolExecutor.submit
    handed: list[str] = []

    def submit_task(self: ProcessPoolExecutor, fn: Callable, /, *args: Any,
                    **kwargs: Any) -> Any:
        future = pool_submit(self, fn, *args, **kwargs)
        if getattr(fn, "__name__", "") == "_attempt":
            if not handed:  # the pool's processes are up (submit waits for them)
                mark("first shard handed to the pool")
            handed.append(args[1])
            future.add_done_callback(lambda _: mark(f"  shard {Path(args[1]).parent.name} done"))
        return future

    runner.submit = submit_marked
    runner._new_pool = new_pool
    ProcessPoolExecutor.submit = submit_task


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--text", choices=["real", "templates"], default="real",
                        help="the day's bodies (as bench_shards.py's --text)")
    args = parser.parse_args()
    from bench_fetch_clean import archive_server
    from bench_shards import bench_env
    from synthetic_archive import FIRST_DAY

    with tempfile.TemporaryDirectory(prefix="newswire-timeline-") as tmp, \
            archive_server(args.articles, args.articles, args.text == "real") as base:
        os.environ.update(bench_env(Path(tmp), base, args.articles))
        mark("archive served; importing newswire")
        from newswire import cli

        instrument()
        mark("imported")
        code = cli.main(["run", "--from", FIRST_DAY.isoformat(), "--quiet", "--run-id",
                         "timeline", "--workers", str(args.workers)])
        mark(f"run returned {code}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
