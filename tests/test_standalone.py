"""`make airflow`: airflow standalone on 127.0.0.1 with our DAGs, a login that works
against Airflow's own API server, and a Ctrl-C that stops every process it started."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.airflow_helpers import standalone

pytestmark = pytest.mark.airflow


def test_standalone_serves_our_dag_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    with standalone(tmp_path) as airflow:
        printed = airflow.log.read_text()
        assert f"Airflow UI: {airflow.base}/  login: admin / " in printed
        dag = airflow.api("/api/v2/dags/newswire_daily")
        assert dag["dag_id"] == "newswire_daily" and dag["is_paused"] is False
        assert airflow.api("/api/v2/importErrors")["total_entries"] == 0
        # The API listens on loopback.
        pids = {p.pid for p in airflow.family}
        listening = {(c.laddr.ip, c.laddr.port) for c in psutil.net_connections("tcp")
                     if c.status == psutil.CONN_LISTEN and c.pid in pids}
        port = int(airflow.base.rsplit(":", 1)[1])
        assert ("127.0.0.1", port) in listening
        assert len(airflow.family) >= 5  # scheduler, api-server, dag-processor, triggerer...
        family, home, base = airflow.family, airflow.home, airflow.base
    time.sleep(1)
    alive = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [p.cmdline() for p in alive]
    assert not (home / "pgdata" / "postmaster.pid").exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/api/v2/monitor/health", timeout=3)
