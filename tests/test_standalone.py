"""`make airflow`: airflow standalone on 127.0.0.1 with our DAGs, a login that works
against Airflow's own API server, and a Ctrl-C that stops every process it started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from scripts.local_airflow import free_port
from tests.conftest import REPO

pytestmark = pytest.mark.airflow


def get_json(url: str, token: str | None = None, data: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "standalone exited early"
        try:
            health = get_json(base + "/api/v2/monitor/health")
            if all(health.get(k, {}).get("status") == "healthy"
                   for k in ("metadatabase", "scheduler", "dag_processor")):
                return health
        except OSError:
            pass
        time.sleep(2)
    raise AssertionError("Airflow did not become healthy")


def test_standalone_serves_our_dag_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, NEWSWIRE_AIRFLOW_HOME=str(tmp_path / "airflow"),
               NEWSWIRE_LAKE=str(tmp_path / "lake"))
    log = open(tmp_path / "standalone.log", "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, str(REPO / "scripts" / "local_airflow.py"),
                             "standalone", "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    family: list[psutil.Process] = []
    try:
        wait_healthy(base, proc)
        printed = (tmp_path / "standalone.log").read_text()
        assert f"Airflow UI: {base}/  login: admin / " in printed
        password = printed.split("login: admin / ", 1)[1].split()[0]
        token = get_json(base + "/auth/token",
                         data={"username": "admin", "password": password})["access_token"]
        dag = get_json(base + "/api/v2/dags/newswire_daily", token)
        assert dag["dag_id"] == "newswire_daily" and dag["is_paused"] is False
        assert get_json(base + "/api/v2/importErrors", token)["total_entries"] == 0
        # Only the API port (and Airflow's log servers) listen; the API on loopback.
        family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(True)]
        pids = {p.pid for p in family}
        listening = {c.laddr for c in psutil.net_connections("tcp")
                     if c.status == psutil.CONN_LISTEN and c.pid in pids}
        assert ("127.0.0.1", port) in {(a.ip, a.port) for a in listening}
        assert len(family) >= 5  # scheduler, api-server, dag-processor, triggerer, ...
    finally:
        # What a user's Ctrl-C sends to the foreground process.
        os.kill(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=90)
        finally:
            log.close()
    time.sleep(1)
    alive = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [p.cmdline() for p in alive]
    assert not (tmp_path / "airflow" / "pgdata" / "postmaster.pid").exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/api/v2/monitor/health", timeout=3)
