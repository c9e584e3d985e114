"""Backfills through Airflow's own API server and CLI, against `make airflow`'s
standalone: right partitions, right counts, and the same lake however often they run."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.airflow_helpers import Standalone, pipeline_standalone
from tests.conftest import HAVE_MODELS, REPO

pytestmark = pytest.mark.airflow

DAYS = [date(2017, 12, 5), date(2017, 12, 6), date(2017, 12, 7)]
FROM, TO = "2017-12-05T00:00:00Z", "2017-12-07T00:00:00Z"


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory, sample_url: str) -> Iterator[Standalone]:
    with pipeline_standalone(tmp_path_factory.mktemp("backfill"), sample_url) as instance:
        yield instance


def wait_backfill(airflow: Standalone, backfill_id: int, timeout: float = 420) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if airflow.api(f"/api/v2/backfills/{backfill_id}")["completed_at"]:
            break
        time.sleep(3)
    else:
        raise AssertionError(f"backfill {backfill_id} did not complete")
    runs = airflow.api("/api/v2/dags/newswire_daily/dagRuns?run_type=backfill&limit=100")
    return [r for r in runs["dag_runs"] if r.get("backfill_id") in (backfill_id, None)]


def counts(airflow: Standalone) -> dict[str, list[tuple]]:
    catalog = Path(airflow.env["NEWSWIRE_CATALOG"])
    with duckdb.connect(str(catalog), read_only=True) as con:
        return {t: con.execute(f"select source, date, count(*) from {t} where date between "
                               "'2017-12-05' and '2017-12-07' group by all order by all"
                               ).fetchall()
                for t in ("articles", "raw_pages", "quotes", "entities")}


def backfill_runs(airflow: Standalone) -> dict[str, str]:
    runs = airflow.api("/api/v2/dags/newswire_daily/dagRuns?run_type=backfill&limit=100")
    return {r["dag_run_id"]: r["state"] for r in runs["dag_runs"]}


# Three backfills of three days each, NLP included: about 4 minutes on 2 idle cores,
# over the default 600 s when the machine is busy.
@pytest.mark.timeout(1500)
def test_backfill_api_then_all_runs_then_cli(airflow: Standalone) -> None:
    # 1. The REST API, "missing runs" (what the UI dialog sends by default).
    created = airflow.api("/api/v2/backfills", {
        "dag_id": "newswire_daily", "from_date": FROM, "to_date": TO,
        "reprocess_behavior": "none", "max_active_runs": 3, "dag_run_conf": {}})
    wait_backfill(airflow, created["id"])
    runs = backfill_runs(airflow)
    assert sorted(runs) == ["backfill__2017-12-06T00:00:00+00:00",
                            "backfill__2017-12-07T00:00:00+00:00",
                            "backfill__2017-12-08T00:00:00+00:00"]
    assert set(runs.values()) == {"success"}
    first = counts(airflow)
    assert first["articles"] == [("sample_aa", DAYS[0], 3), ("sample_aa", DAYS[1], 3),
                                 ("sample_aa", DAYS[2], 3), ("sample_wire", DAYS[0], 2),
                                 ("sample_wire", DAYS[1], 2), ("sample_wire", DAYS[2], 2)]
    assert [r[:2] for r in first["raw_pages"]] == [r[:2] for r in first["articles"]]
    if HAVE_MODELS:
        assert [r[:2] for r in first["quotes"]] == [r[:2] for r in first["articles"]]

    # 2. "All runs" over the same range: the runs are cleared and run again.
    again = airflow.api("/api/v2/backfills", {
        "dag_id": "newswire_daily", "from_date": FROM, "to_date": TO,
        "reprocess_behavior": "completed", "max_active_runs": 3, "dag_run_conf": {}})
    wait_backfill(airflow, again["id"])
    assert set(backfill_runs(airflow).values()) == {"success"}
    assert counts(airflow) == first

    # 3. The CLI, "missing and errored" with a conf that forbids the network.
    result = subprocess.run(
        [str(REPO / ".venv" / "bin" / "airflow"), "backfill", "create", "--dag-id",
         "newswire_daily", "--from-date", FROM, "--to-date", TO, "--reprocess-behavior",
         "completed", "--dag-run-conf", '{"reprocess_only": true}'],
        env=airflow.cli_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    latest = airflow.api("/api/v2/backfills?dag_id=newswire_daily&limit=100")["backfills"]
    wait_backfill(airflow, max(b["id"] for b in latest))
    assert set(backfill_runs(airflow).values()) == {"success"}
    assert counts(airflow) == first
    with duckdb.connect(airflow.env["NEWSWIRE_CATALOG"], read_only=True) as con:
        modes = con.execute("select mode, count(*) from runs where date between "
                            "'2017-12-05' and '2017-12-07' group by all order by all"
                            ).fetchall()
    # Every backfill wrote one runs row per (run, source, day); the last one fetched
    # nothing (reprocess_only) and the first ones rebuilt what was stored.
    assert dict(modes)["reprocess_only"] == 6
    # The reporting DAG, scheduled on the articles Asset, wrote each day's report.
    reports = Path(airflow.env["NEWSWIRE_LAKE"]) / "_reports"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(reports.glob("2017-12-0*.txt"))) < 3:
        time.sleep(3)
    assert sorted(p.name for p in reports.glob("2017-12-0*.txt")) == [
        "2017-12-05.txt", "2017-12-06.txt", "2017-12-07.txt"]
    assert "sample_aa    2017-12-06  3" in (reports / "2017-12-06.txt").read_text()
