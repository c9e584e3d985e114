"""newswire on Airflow's CeleryExecutor with two workers (`make test-distributed`).

Debian's Redis and PostgreSQL on 127.0.0.1, Airflow's api-server, scheduler,
dag-processor and two `airflow celery worker`s, all started by
`scripts/distributed.py`: the daily DAG over four sample days runs on both workers and
writes the same lake as the embedded default (`dag.test()` on the embedded PostgreSQL);
a worker killed with SIGKILL in the middle of a task costs a retry on the other worker,
not the run; and nothing started is left running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from scripts.distributed import (
    Deployment,
    Unavailable,
    celery_deployment,
    ensure_debian_packages,
    run_days,
    survivors,
)
from tests.conftest import REPO, STANZA_DIR, requires_models

pytestmark = [pytest.mark.airflow, pytest.mark.distributed]

FIRST, LAST = date(2017, 12, 4), date(2017, 12, 7)
FAULT_DAY = date(2017, 12, 8)
# Columns that differ between any two runs of the same day, wherever they run: the
# run's id, wall-clock stamps and timings. Everything else (page bodies and hashes,
# ETags, statuses, attempts, articles, every NLP row, the model digests, the runs
# table's counts and modes) must be equal.
RUN_SPECIFIC = {"run_id", "fetched_at", "recorded_at", "seconds", "elapsed_ms"}
ARTIFACT = REPO / "test-artifacts" / "distributed.json"


def lake_rows(lake: Path, first: date, last: date) -> dict[str, list[dict]]:
    """Every table's rows for the days, by partition, without run-specific columns."""
    tables: dict[str, list[dict]] = {}
    for table in sorted(p for p in lake.iterdir() if p.is_dir() and p.name[0] != "_"):
        rows = []
        for path in sorted(table.glob("source=*/date=*/*.parquet")):
            day = date.fromisoformat(path.parent.name.split("=", 1)[1])
            if not first <= day <= last:
                continue
            where = {"source": path.parent.parent.name.split("=", 1)[1], "date": str(day)}
            for row in pq.read_table(path).to_pylist():
                rows.append({**where, **{k: row[k] for k in sorted(row)
                                         if k not in RUN_SPECIFIC}})
        tables[table.name] = sorted(rows, key=repr)
    return tables


def differences(ours: list[dict], theirs: list[dict]) -> list[str]:
    """The columns whose values differ between two row sets (for the failure message)."""
    columns = sorted({k for row in ours + theirs for k in row})
    return [c for c in columns if sorted(repr(r.get(c)) for r in ours)
            != sorted(repr(r.get(c)) for r in theirs)]


def embedded_default_lake(tmp: Path, sample_url: str) -> float:
    """The same days through the embedded default (`scripts/local_airflow.py run-days`,
    dag.test per day); returns how long the runs took."""
    env = dict(os.environ, NEWSWIRE_AIRFLOW_HOME=str(tmp / "airflow"),
               NEWSWIRE_LAKE=str(tmp / "lake"), NEWSWIRE_CATALOG=str(tmp / "nw.duckdb"),
               NEWSWIRE_SAMPLE_URL=sample_url, NEWSWIRE_STANZA_DIR=str(STANZA_DIR))
    env.pop("NEWSWIRE_STAGING", None)
    script = [sys.executable, str(REPO / "scripts" / "local_airflow.py")]
    subprocess.run([*script, "setup"], env=env, check=True, capture_output=True)
    try:
        started = time.monotonic()
        done = subprocess.run([*script, "run-days", str(FIRST), str(LAST)], env=env,
                              capture_output=True, text=True, timeout=1200)
        took = time.monotonic() - started
    finally:
        subprocess.run([*script, "stop-db"], env=env, capture_output=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    # Its PostgreSQL (run from tmp/airflow/pgdata) is stopped too.
    left = [f"{p.pid} {p.info['name']}" for p in psutil.process_iter(["name", "cmdline"])
            if any(str(tmp) in arg for arg in p.info["cmdline"] or [])]
    assert left == [], f"the embedded default left {left}"
    return took


def kill_a_worker_mid_task(deployment: Deployment, day: date) -> dict:
    """Trigger `day`, SIGKILL the worker running its first `annotate` (the longest task:
    stanza) while it runs, and wait for the run."""
    run_id = deployment.trigger(day)
    deadline = time.monotonic() + 600
    victim = None
    while victim is None:
        instances = deployment.task_instances(run_id)
        running = [ti for ti in instances if ti["task_id"] == "annotate"
                   and ti["state"] == "running" and ti["hostname"] in deployment.workers]
        if running:
            victim = running[0]
            break
        assert not any(ti["task_id"] == "annotate" and ti["state"] == "success"
                       for ti in instances), "annotate finished before it could be killed"
        assert time.monotonic() < deadline, "annotate never ran"
        time.sleep(0.5)
    killed_at = time.monotonic()
    pids = deployment.kill_worker(victim["hostname"])
    states = deployment.wait_runs([run_id], timeout=900)
    return {"run_id": run_id, "state": states[run_id], "victim": victim,
            "killed_pids": pids, "recovered_s": round(time.monotonic() - killed_at, 1),
            "instances": deployment.task_instances(run_id)}


@requires_models
@pytest.mark.skipif(os.environ.get("NEWSWIRE_TEST_DISTRIBUTED") == "0",
                    reason="NEWSWIRE_TEST_DISTRIBUTED=0 (it takes 6-10 minutes on 2 cores)")
@pytest.mark.timeout(2400)
def test_celery_executor_two_workers_same_lake_survives_a_dead_worker(
        tmp_path: Path, sample_url: str) -> None:
    try:
        ensure_debian_packages()
    except Unavailable as exc:
        pytest.skip(f"Debian's redis-server/postgresql unavailable: {exc}")
    embedded_s = embedded_default_lake(tmp_path / "embedded", sample_url)

    started = time.monotonic()
    work = tmp_path / "celery"
    with celery_deployment(work, sample_url=sample_url, workers=2, concurrency=2,
                           extra_env={"NEWSWIRE_STANZA_DIR": str(STANZA_DIR)}) as deployment:
        services = {name: proc.pid for name, proc in deployment.services.items()}
        summary = run_days(deployment, FIRST, LAST)

        # Every run and every task instance succeeded, first time.
        assert set(summary["runs"].values()) == {"success"}, summary["runs"]
        assert summary["task_states"] == {"success": summary["task_instances"]}
        # 7 tasks + 4 mapped over 2 (discover, fetch, clean per source; annotate per shard)
        assert summary["task_instances"] == 4 * 15
        # ... and both workers ran tasks.
        per_worker = summary["tasks_per_worker"]
        assert set(per_worker) == {"worker1", "worker2"}, per_worker
        assert all(count > 0 for count in per_worker.values()), per_worker

        # The same lake as the embedded default, row for row.
        ours = lake_rows(work / "lake", FIRST, LAST)
        theirs = lake_rows(tmp_path / "embedded" / "lake", FIRST, LAST)
        assert sorted(ours) == sorted(theirs)
        assert {"articles", "raw_pages", "fetch_log", "quotes", "tokens", "runs"} <= set(ours)
        for table in ours:
            assert ours[table], f"{table}: no rows for {FIRST}..{LAST}"
            assert ours[table] == theirs[table], (
                f"{table}: {len(ours[table])} rows vs {len(theirs[table])}; columns "
                f"differing: {differences(ours[table], theirs[table])}")

        # A worker dies (SIGKILL, with its task) in the middle of annotate.
        fault = kill_a_worker_mid_task(deployment, FAULT_DAY)
        victim = fault["victim"]
        survivor = next(w for w in deployment.workers if w != victim["hostname"])
        assert fault["state"] == "success", fault
        retried = next(ti for ti in fault["instances"] if ti["task_id"] == "annotate"
                       and ti["map_index"] == victim["map_index"])
        assert retried["state"] == "success"
        assert retried["try_number"] > 1, retried
        assert retried["hostname"] == survivor, retried
        tries = deployment.tries(fault["run_id"], "annotate", victim["map_index"])
        first_try = min(tries, key=lambda t: t["try_number"])
        assert first_try["try_number"] == 1, tries
        assert first_try["hostname"] == victim["hostname"], tries
        assert first_try["state"] != "success", tries
        assert all(ti["state"] == "success" for ti in fault["instances"])
        # The retried annotate published its NLP rows for the day.
        assert sorted(p.parent.parent.name for p in
                      (work / "lake" / "quotes").glob(f"source=*/date={FAULT_DAY}/*.parquet")
                      ) == ["source=sample_aa", "source=sample_wire"]
    total_s = time.monotonic() - started

    # Every process started (and every child of theirs) is gone; nothing needed the
    # last-resort sweep.
    assert deployment.stragglers == []
    assert survivors(deployment.marker) == []
    for name, pid in services.items():
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == \
            psutil.STATUS_ZOMBIE, f"{name} ({pid}) still running"

    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps({
        "days": [str(FIRST), str(LAST)],
        "tasks_per_worker": per_worker,
        "task_instances": summary["task_instances"],
        "embedded_default_runs_s": round(embedded_s, 1),
        "celery_runs_s": summary["runs_s"],
        "celery_startup_s": round(deployment.timings["startup_s"], 1),
        "celery_stop_s": round(deployment.timings["stop_s"], 1),
        "celery_total_s": round(total_s, 1),
        "fault": {"killed_worker": victim["hostname"], "task": "annotate",
                  "map_index": victim["map_index"], "retried_on": retried["hostname"],
                  "try_number": retried["try_number"],
                  "run_recovered_s": fault["recovered_s"]},
        "per_task": [{k: ti[k] for k in ("dag_run_id", "task_id", "map_index",
                                          "hostname", "duration")}
                     for ti in summary["instances"]],
    }, indent=2))
