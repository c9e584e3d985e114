"""`make run` as a user runs it: scripts/local_airflow.py demo, through Airflow's scheduler
(LocalExecutor) on the embedded PostgreSQL, the sample source on 127.0.0.1.

A successful day prints a short, quiet summary, and Airflow holds the run with its true
start and end and a log file per task; a day whose only source cannot be read fails the
task after its retries (the failure callback fires) and the command exits non-zero."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import HAVE_MODELS, REPO, STANZA_DIR
from tests.servers import refused_url

pytestmark = pytest.mark.airflow

DAY = "2017-12-04"
STAGES = ("discover", "fetch", "clean", "publish", "annotate", "publish_annotations")


def demo(tmp: Path, *days: str, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NEWSWIRE_SOURCES"}
    env.update(NEWSWIRE_AIRFLOW_HOME=str(tmp / "airflow"), NEWSWIRE_LAKE=str(tmp / "lake"),
               NEWSWIRE_CATALOG=str(tmp / "nw.duckdb"), **extra)
    if HAVE_MODELS:
        env["NEWSWIRE_STANZA_DIR"] = str(STANZA_DIR)
    return subprocess.run([sys.executable, str(REPO / "scripts" / "local_airflow.py"), "demo",
                           *days], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=1500)


def metadata(home: Path, sql: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Rows from Airflow's metadata DB of that home (its PostgreSQL started for this)."""
    import sqlalchemy

    from scripts import local_airflow

    monkeypatch.setenv("NEWSWIRE_AIRFLOW_HOME", str(home))
    try:
        engine = sqlalchemy.create_engine(local_airflow.start_postgres())
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(sqlalchemy.text(sql))]
        engine.dispose()
        return rows
    finally:
        local_airflow.stop_postgres()


def test_from_after_to_is_an_error_before_anything_starts(tmp_path: Path) -> None:
    result = demo(tmp_path, "2017-12-06", "2017-12-04")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: FROM 2017-12-06 is after TO 2017-12-04"]
    assert not (tmp_path / "airflow").exists()


def test_a_successful_day_is_quiet_and_airflow_has_its_run_and_logs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = datetime.now(UTC)
    result = demo(tmp_path, DAY, DAY)
    finished = datetime.now(UTC)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = (result.stdout + result.stderr).splitlines()
    noise = [line for line in lines if "[error" in line or "[warning" in line
             or re.match(r"(error|warning|traceback)\b", line.strip(), re.I)
             or "Warning:" in line]
    assert noise == []
    assert len(lines) <= 60, "\n".join(lines)  # 1,400 lines for six days before
    stage_lines = {m.group(1): m.group(2) for line in lines
                   if (m := re.match(rf"{DAY}  (\w+) +(.+?) +[\d.]+s$", line))}
    assert tuple(stage_lines) == STAGES
    assert stage_lines["publish"] == "4 articles"
    if HAVE_MODELS:
        assert re.fullmatch(r"4 articles, [1-9]\d* quotes", stage_lines["annotate"])
    assert f"newswire report {DAY} .. {DAY}" in result.stdout
    # The run as the UI shows it: when it really started and ended.
    home = tmp_path / "airflow"
    [(run_id, state, start, end)] = metadata(
        home, "select run_id, state, start_date, end_date from dag_run where dag_id = "
              "'newswire_daily' and logical_date = '2017-12-05T00:00:00+00:00'", monkeypatch)
    assert state == "success" and started < start < end < finished
    # And each task's log, where the UI reads it.
    tis = metadata(home, "select task_id, map_index, try_number, state from task_instance "
                         f"where run_id = '{run_id}'", monkeypatch)
    assert len(tis) >= 9 and {t[3] for t in tis} == {"success"}
    for task_id, map_index, tries, _ in tis:
        mapped = f"map_index={map_index}/" if map_index >= 0 else ""
        log = (home / "logs" / "dag_id=newswire_daily" / f"run_id={run_id}"
               / f"task_id={task_id}" / f"{mapped}attempt={tries}.log")
        assert "Done. Returned value was" in log.read_text(), log


def test_a_source_that_cannot_be_read_fails_the_run_but_not_the_sources_that_were_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = refused_url().removeprefix("http://")
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"""sources:
  - id: down
    lang: tr
    feeds: ["http://{refused}/rss.xml"]
    sitemaps: ["${{NEWSWIRE_SAMPLE_URL}}/no-such/sitemap.xml"]
    politeness: {{min_delay_s: 0, max_retries: 0}}
  - id: sample_aa
    lang: tr
    timezone: Europe/Istanbul
    feeds: ["${{NEWSWIRE_SAMPLE_URL}}/aa/rss.xml"]
    sitemaps: ["${{NEWSWIRE_SAMPLE_URL}}/aa/sitemap.xml"]
    politeness: {{min_delay_s: 0}}
""")
    result = demo(tmp_path, DAY, DAY, NEWSWIRE_SOURCES=str(sources), NEWSWIRE_RETRY_DELAY_S="1")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    why = (f"SourceUnreachable: source down could not be read: feed http://{refused}/rss.xml:"
           f" gave up after 1 attempt(s): ConnectionError: connection refused ({refused}); "
           "sitemap http://127.0.0.1:")
    errors = result.stderr.splitlines()
    tries = [line for line in errors if line.startswith(f"{DAY}  discover[down] ")]
    assert [line.split(": ", 1)[0] for line in tries] == [
        f"{DAY}  discover[down] try 1 failed, retrying",
        f"{DAY}  discover[down] try 2 failed, retrying",
        f"{DAY}  discover[down] failed after 3 tries"]
    assert all(why in line and line.endswith("/no-such/sitemap.xml: HTTP 404")
               for line in tries)
    # The source that was read landed in this run, and the run's last check names the other.
    published = re.search(rf"^{DAY}  publish +(\d+) articles ", result.stdout, re.M)
    assert published and int(published[1]) > 0, result.stdout
    [check] = [line for line in errors if line.startswith(f"{DAY}  check_sources_read ")]
    assert check.startswith(f"{DAY}  check_sources_read failed after 1 try: SourcesNotRead: "
                            "not read: down (discover, fetch or clean failed: see those "
                            "tasks' logs); published: sample_aa"), check
    assert errors[-1].startswith(f"FAILED: 1 of 1 day(s): {DAY}")
    articles = list((tmp_path / "lake").glob("articles/**/*.parquet"))
    assert {p.relative_to(tmp_path / "lake").parts[1] for p in articles} == {"source=sample_aa"}
    assert sum(pq.read_metadata(p).num_rows for p in articles) == int(published[1])
    home = tmp_path / "airflow"
    [(run_id, state)] = metadata(home, "select run_id, state from dag_run where dag_id = "
                                       "'newswire_daily'", monkeypatch)
    assert state == "failed"
    tis = dict(metadata(home, "select task_id || '/' || coalesce(rendered_map_index, ''), "
                              "state || ' ' || try_number from task_instance", monkeypatch))
    assert {k: v for k, v in tis.items() if not k.startswith(("annotate/", "list_sources"))
            } == {"discover/down": "failed 3", "discover/sample_aa": "success 1",
                  "fetch/sample_aa": "success 1", "clean/sample_aa": "success 1",
                  "publish/": "success 1", "plan_shards/": "success 1",
                  "publish_annotations/": "success 1", "check_articles/": "success 1",
                  "check_annotations/": "success 1", "check_sources_read/": "failed 1"}
    last = (home / "logs" / "dag_id=newswire_daily" / f"run_id={run_id}" / "task_id=discover"
            / "map_index=0" / "attempt=3.log").read_text()
    # The failure callback fired, once, after the last try.
    assert last.count(f"newswire FAILED dag=newswire_daily task=discover[0] run={run_id} "
                      "try=3: SourceUnreachable: source down could not be read") == 1
