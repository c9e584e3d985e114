"""Airflow standalone, started for real on 127.0.0.1 for a test, and its REST API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from scripts.local_airflow import free_port
from tests.conftest import REPO


def call(url: str, token: str | None = None, data: dict | None = None,
         method: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as resp:
        return json.loads(resp.read())


@dataclass
class Standalone:
    base: str
    home: Path
    proc: subprocess.Popen
    log: Path
    env: dict[str, str]
    token: str = ""
    family: list[psutil.Process] = field(default_factory=list)

    def api(self, path: str, data: dict | None = None, method: str | None = None) -> dict:
        return call(self.base + path, self.token, data, method)

    def cli_env(self) -> dict[str, str]:
        """The environment `airflow` CLI commands need to reach this instance."""
        env = dict(self.env)
        conn = (self.home / "sql_alchemy_conn").read_text()
        port = self.base.rsplit(":", 1)[1]
        env.update(AIRFLOW_HOME=str(self.home), AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=conn,
                   AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
                   AIRFLOW__CORE__LOAD_EXAMPLES="False", AIRFLOW__API__PORT=port,
                   AIRFLOW__API__BASE_URL=self.base,
                   AIRFLOW__CORE__EXECUTION_API_SERVER_URL=self.base + "/execution/")
        return env


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "standalone exited early"
        try:
            health = call(base + "/api/v2/monitor/health")
            if all(health.get(k, {}).get("status") == "healthy"
                   for k in ("metadatabase", "scheduler", "dag_processor")):
                return
        except OSError:
            pass
        time.sleep(2)
    raise AssertionError("Airflow did not become healthy")


@contextmanager
def standalone(tmp: Path, extra_env: dict[str, str] | None = None) -> Iterator[Standalone]:
    """`scripts/local_airflow.py standalone` (what `make airflow` runs), stopped with the
    SIGINT a user's Ctrl-C sends."""
    port = free_port()
    env = dict(os.environ, NEWSWIRE_AIRFLOW_HOME=str(tmp / "airflow"),
               NEWSWIRE_LAKE=str(tmp / "lake"), **(extra_env or {}))
    log_path = tmp / "standalone.log"
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, str(REPO / "scripts" / "local_airflow.py"),
                             "standalone", "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    instance = Standalone(f"http://127.0.0.1:{port}", tmp / "airflow", proc, log_path, env)
    try:
        wait_healthy(instance.base, proc)
        printed = log_path.read_text()
        password = printed.split("login: admin / ", 1)[1].split()[0]
        instance.token = call(instance.base + "/auth/token",
                              data={"username": "admin", "password": password})["access_token"]
        instance.family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(True)]
        yield instance
    finally:
        os.kill(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=90)
        finally:
            log.close()


@contextmanager
def pipeline_standalone(tmp: Path, sample_url: str) -> Iterator[Standalone]:
    """Standalone wired to the sample source, a lake and catalog under ``tmp``, and the
    offline stanza models when they are there."""
    from tests.conftest import HAVE_MODELS, STANZA_DIR

    env = {"NEWSWIRE_SAMPLE_URL": sample_url, "NEWSWIRE_CATALOG": str(tmp / "nw.duckdb")}
    if HAVE_MODELS:
        env["NEWSWIRE_STANZA_DIR"] = str(STANZA_DIR)
    with standalone(tmp, env) as instance:
        yield instance
