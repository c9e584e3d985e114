"""Sharded NLP under Airflow's CeleryExecutor: one worker against two.

    .venv/bin/python bench/bench_celery.py [--articles 160] [--shard-chars 20000]
                                           [--concurrency 1] [--quick]
    (NEWSWIRE_STANZA_DIR set; Debian's redis-server and postgresql, see
    scripts/distributed.py install)

The same synthetic AA day (bench/synthetic_archive.py on 127.0.0.1, politeness delay 0;
bodies of real news sentences with ``--text real``, the default where ../shared has them,
as bench_shards.py reads: template text is cheaper to annotate once words are remembered,
so its shards are short and the per-task overheads weigh more than on a real day)
runs through ``newswire_daily`` twice, each time on a fresh deployment of
scripts/distributed.py (Redis, PostgreSQL, api-server, scheduler, dag-processor, all on
loopback, models preloaded in each worker with ``NEWSWIRE_PRELOAD_NLP=1``): once with one
Celery worker, once with two, each worker taking ``--concurrency`` tasks at a time (one:
a worker stands for a one-core machine). Measured from Airflow's own task instances: the
``annotate`` tasks' wall time, from the first shard's start to the last shard's end.
Target (issue 14): two workers <= 0.6x one worker. Peak RSS of each worker's processes
is polled.

Takes /tmp/newswire-airflow.lock itself (it starts Airflow, PostgreSQL and Celery on
fixed ports). Not part of ``make test``; ``bench/run_all.py --celery`` runs it.
Writes bench/results/celery.md and celery.json.
"""

from __future__ import annotations

import argparse
import fcntl
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime
from itertools import pairwise
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from bench_fetch_clean import archive_server  # noqa: E402
from bench_shards import PeakRss  # noqa: E402
from common import RESULTS, machine, machine_line, table, write_results  # noqa: E402
from synthetic_archive import FIRST_DAY, REAL_SENTENCES, sources_yaml  # noqa: E402

from scripts.distributed import celery_deployment  # noqa: E402

SOURCE_ID = "bench_aa"
TARGET = 0.6
AIRFLOW_LOCK = "/tmp/newswire-airflow.lock"


@contextmanager
def airflow_lock():
    with open(AIRFLOW_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def annotate_span(instances: list[dict]) -> dict:
    """The annotate shards' wall time and who ran them, from Airflow's task instances."""
    shards = [ti for ti in instances if ti["task_id"] == "annotate"]
    if not shards or not all(ti.get("start_date") and ti.get("end_date") for ti in shards):
        raise RuntimeError(f"annotate tasks without times: {shards}")
    first = min(_when(ti["start_date"]) for ti in shards)
    last = max(_when(ti["end_date"]) for ti in shards)
    busy: dict[str, float] = {}
    for ti in shards:
        busy[ti["hostname"]] = busy.get(ti["hostname"], 0.0) + (ti["duration"] or 0.0)
    return {"wall_s": round((last - first).total_seconds(), 2), "shards": len(shards),
            "idle_s_per_worker": idle_time(shards, first, last),
            "states": sorted({ti["state"] for ti in shards}),
            "tries": max(ti["try_number"] for ti in shards),
            "busy_s_per_worker": {k: round(v, 2) for k, v in sorted(busy.items())},
            # 1.0: every worker busy from the first shard's start to the last one's end.
            # Unlike the wall times, it does not move with how fast the box runs stanza.
            "wall_over_mean_busy": round((last - first).total_seconds()
                                         / (sum(busy.values()) / len(busy)), 3),
            "other_tasks_in_span": other_tasks(instances, first, last),
            "shard_s": sorted((round(ti["duration"] or 0.0, 2) for ti in shards),
                              reverse=True)}


def other_tasks(instances: list[dict], first: datetime, last: datetime) -> list[dict]:
    """The run's other tasks that held a worker's slot within the annotate span (the
    articles' ``publish`` runs beside the shards): where a shard's "idle" gap went."""
    out = []
    for ti in instances:
        if ti["task_id"] == "annotate" or not (ti.get("start_date") and ti.get("end_date")):
            continue
        start, end = max(_when(ti["start_date"]), first), min(_when(ti["end_date"]), last)
        if end > start:
            out.append({"task_id": ti["task_id"], "hostname": ti["hostname"],
                        "seconds_in_span": round((end - start).total_seconds(), 2)})
    return out


def idle_time(shards: list[dict], first: datetime, last: datetime) -> dict[str, dict]:
    """Where each worker stood idle within the annotate span: before its first shard,
    between its shards (task hand-over: Celery, the task's start and end), after its
    last one (waiting for the other worker to finish)."""
    out: dict[str, dict] = {}
    for host in sorted({ti["hostname"] for ti in shards}):
        spans = sorted((_when(ti["start_date"]), _when(ti["end_date"]))
                       for ti in shards if ti["hostname"] == host)
        gaps = [(b[0] - a[1]).total_seconds() for a, b in pairwise(spans)]
        out[host] = {"before_s": round((spans[0][0] - first).total_seconds(), 2),
                     "between_s": [round(g, 2) for g in gaps],
                     "after_s": round((last - spans[-1][1]).total_seconds(), 2)}
    return out


# "Workload finished" is what a worker's task supervisor logs once it has reaped the task
# process and closed its sockets: the worker's slot is free for the next task from then.
WORKLOAD_FINISHED = re.compile(r"^(\S+Z) .*Workload finished .*workload_id=([0-9a-f-]+)")


def slot_held_after_end(instances: list[dict], logs: Path) -> dict[str, dict]:
    """Per worker: how long its slot stayed taken after each task of the run had ended
    (the task instance's end_date to its supervisor's "Workload finished", matched on the
    task instance's id): the largest, and how many tasks held it over half a second."""
    ended = {ti["id"]: ti for ti in instances if ti.get("end_date")}
    held: dict[str, list[float]] = {}
    for log in sorted(logs.glob("worker*.log")):
        for line in log.read_text("utf-8", errors="replace").splitlines():
            match = WORKLOAD_FINISHED.match(line)
            if match and match.group(2) in ended:
                ti = ended[match.group(2)]
                seconds = (_when(match.group(1)) - _when(ti["end_date"])).total_seconds()
                held.setdefault(log.stem, []).append(seconds)
    return {worker: {"tasks": len(s), "max_s": round(max(s), 2),
                     "over_half_s": sum(x > 0.5 for x in s)}
            for worker, s in sorted(held.items())}


def one_deployment(work: Path, base: str, workers: int, concurrency: int,
                   shard_chars: int, timeout: float) -> dict:
    work.mkdir(parents=True)
    (work / "sources.yaml").write_text(sources_yaml(base, SOURCE_ID), "utf-8")
    extra = {"NEWSWIRE_SOURCES": str(work / "sources.yaml"),
             "NEWSWIRE_SHARD_CHARS": str(shard_chars), "NEWSWIRE_TORCH_THREADS": "1",
             "NEWSWIRE_SHARD_MULTIPLE": str(workers * concurrency),
             "NEWSWIRE_PRELOAD_NLP": "1"}
    with celery_deployment(work, sample_url=base, workers=workers, concurrency=concurrency,
                           extra_env=extra) as deployment:
        polls = {name: PeakRss(deployment.services[name].pid) for name in deployment.workers}
        started = time.monotonic()
        run_id = deployment.trigger(FIRST_DAY)
        state = deployment.wait_runs([run_id], timeout)[run_id]
        run_s = time.monotonic() - started
        instances = deployment.task_instances(run_id)
        span = annotate_span(instances)
        held = slot_held_after_end(instances, work / "logs")
        rss = {name: max((mb for v in poll.stop().values() for mb in v), default=0.0)
               for name, poll in polls.items()}
        return {"workers": workers, "concurrency": concurrency, "run_state": state,
                "run_s": round(run_s, 1), "annotate": span, "slot_held_after_task_end": held,
                "worker_peak_rss_mb": rss,
                "startup_s": round(deployment.timings.get("startup_s", 0.0), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 24 articles")
    parser.add_argument("--articles", type=int, default=160)
    parser.add_argument("--shard-chars", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--text", choices=["real", "templates"],
                        default="real" if REAL_SENTENCES.exists() else "templates",
                        help="the day's bodies (as bench_shards.py's --text)")
    args = parser.parse_args(argv)
    articles = 24 if args.quick else args.articles
    shard_chars = 4_000 if args.quick else args.shard_chars
    with airflow_lock():
        info = machine()
        runs = {}
        with tempfile.TemporaryDirectory(prefix="newswire-bench-celery-") as tmp, \
                archive_server(articles, articles, args.text == "real") as base:
            for workers in (1, 2):
                runs[workers] = one_deployment(Path(tmp) / f"w{workers}", base, workers,
                                               args.concurrency, shard_chars, args.timeout)
                print(f"{workers} worker(s): annotate {runs[workers]['annotate']['wall_s']} s",
                      flush=True)
        after = machine()
    one, two = runs[1]["annotate"]["wall_s"], runs[2]["annotate"]["wall_s"]
    ratio = two / one
    met = ratio <= TARGET and all(r["run_state"] == "success" for r in runs.values())
    data = {"machine": info, "machine_after": after, "articles": articles,
            "text": args.text, "shard_chars": shard_chars, "one_worker": runs[1],
            "two_workers": runs[2],
            "ratio": round(ratio, 2), "target": TARGET, "met": met}
    rows = [[f"annotate wall time, {articles} articles ({args.text} text) "
             f"({runs[2]['annotate']['shards']} shards), 2 Celery workers x "
             f"{args.concurrency}", f"{two} s", f"{one} s (1 worker x {args.concurrency})",
             f"{ratio:.2f}x", f"<= {TARGET}", "yes" if met else "**no**"]]
    lines = [f"- {n} worker(s): run {r['run_state']} in {r['run_s']} s (deployment start-up "
             f"{r['startup_s']} s, not counted); annotate busy s per worker "
             f"{r['annotate']['busy_s_per_worker']} (wall / mean busy "
             f"{r['annotate'].get('wall_over_mean_busy')}); idle s per worker "
             f"{r['annotate']['idle_s_per_worker']}; other tasks in the span "
             f"{r['annotate'].get('other_tasks_in_span')}; slot held after a task's end "
             f"{r.get('slot_held_after_task_end')}; shard s {r['annotate']['shard_s']}; "
             f"worker peak RSS MB {r['worker_peak_rss_mb']}"
             for n, r in runs.items()]
    md = "\n".join([
        "# Sharded NLP on Celery", "", f"Before: {machine_line(info)}.",
        f"After: {machine_line(after)}.", "",
        table(["figure", "ours", "baseline", "ratio", "target", "met?"], rows), "", *lines,
        ""])
    write_results("celery", md, data, args.out)
    print(md)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
