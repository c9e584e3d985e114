"""newswire on Airflow's CeleryExecutor: Redis, PostgreSQL, Airflow and two workers.

    python scripts/distributed.py install            # Debian's redis-server and postgresql
    python scripts/distributed.py run [FROM] [TO] [--workers 2] [--concurrency 2]
                                      [--work DIR] [--report FILE]

`run` starts, all on 127.0.0.1 and under a work directory of its own:

- a Redis from Debian's `redis-server` (the Celery broker; no persistence, a password);
- a PostgreSQL cluster of its own (`initdb` from Debian's `/usr/lib/postgresql/*/bin`):
  Airflow's metadata DB and Celery's result backend;
- Airflow with the CeleryExecutor: `db migrate`, `api-server`, `scheduler`,
  `dag-processor` and N `airflow celery worker`s called worker1..N (each task instance
  records the worker that ran it in its `hostname`);
- the bundled sample source;

then triggers `newswire_daily` once per day (run type manual, the same "daily" mode as
the embedded default's `dag.test()`), waits for the runs, prints the tasks per worker,
and stops every process it started, also on failure and Ctrl-C. The lake and staging
are one local directory that both workers share (same machine); on several machines
they would be a shared file system or s3://.

Nothing listens outside 127.0.0.1 except the workers' log servers, which Airflow binds
on all interfaces (each worker gets its own free port: `[logging]
worker_log_server_port`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: `scripts` is then not importable
    sys.path.insert(0, str(REPO))

from scripts.local_airflow import (  # noqa: E402
    ADMIN_USER,
    VENV_BIN,
    airflow_env,
    free_port,
    http_ok,
    rest,
    start_service,
    stop_process_group,
    stop_process_groups,
    wait_ready,
)

DAG_ID = "newswire_daily"
DEBIAN_PACKAGES = ("redis-server", "postgresql")
# Every process started here (and every child of theirs) carries this variable, so
# stragglers can be found whatever their name: psutil reads /proc/<pid>/environ.
MARKER = "NEWSWIRE_DEPLOYMENT"


class Unavailable(RuntimeError):
    """Debian's redis-server or postgresql is missing and cannot be installed here."""


# -- Debian's packages ----------------------------------------------------------------
def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL's bin directory (/usr/lib/postgresql/<major>/bin)."""
    found = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()]
    return max(found, key=lambda p: int(p.parent.name), default=None) if found else None


def redis_server() -> Path | None:
    path = shutil.which("redis-server")
    return Path(path) if path else None


def ensure_debian_packages() -> tuple[Path, Path]:
    """(redis-server, PostgreSQL bin dir); apt-get installs what is missing (as root)."""
    redis, pg_bin = redis_server(), postgres_bin()
    if redis and pg_bin:
        return redis, pg_bin
    missing = [name for name, have in zip(DEBIAN_PACKAGES, (redis, pg_bin), strict=True)
               if not have]
    if os.geteuid() != 0:
        raise Unavailable(f"{' and '.join(missing)} not installed and not root: "
                          f"sudo apt-get install {' '.join(DEBIAN_PACKAGES)}")
    if not shutil.which("apt-get"):
        raise Unavailable(f"{' and '.join(missing)} not installed and no apt-get here")
    apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *DEBIAN_PACKAGES]
    done = subprocess.run(install, env=apt_env, capture_output=True, text=True)
    if done.returncode != 0:  # a stale package index: refresh it once
        subprocess.run(["apt-get", "update", "-qq"], env=apt_env, capture_output=True)
        done = subprocess.run(install, env=apt_env, capture_output=True, text=True)
    redis, pg_bin = redis_server(), postgres_bin()
    if done.returncode != 0 or not (redis and pg_bin):
        raise Unavailable(f"apt-get install {' '.join(DEBIAN_PACKAGES)} failed: "
                          f"{(done.stderr or done.stdout).strip()[-500:]}")
    return redis, pg_bin


# -- the worker's name on each task instance ------------------------------------------
def worker_hostname() -> str:
    """`[core] hostname_callable` for workers sharing one machine: the name this worker
    was started with (what a task instance's `hostname` then says), else the FQDN, as
    Airflow's default does. On one host per worker the default is enough."""
    return os.environ.get("NEWSWIRE_WORKER_NAME") or socket.getfqdn()


# -- the deployment -------------------------------------------------------------------
@dataclass
class Deployment:
    work: Path
    base: str
    env: dict[str, str]
    marker: str
    workers: list[str]
    services: dict[str, subprocess.Popen] = field(default_factory=dict)
    token: str = ""
    stragglers: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    killed: set[str] = field(default_factory=set)

    # REST API
    def api(self, path: str, data: dict | None = None, method: str | None = None) -> dict:
        return rest(self.base, path, self.token, data, method)

    def trigger(self, day: date, conf: dict | None = None) -> str:
        """One run of the daily DAG for `day`: its logical date is the interval's end."""
        run_id = f"distributed__{day.isoformat()}"
        self.api(f"/api/v2/dags/{DAG_ID}/dagRuns", {
            "dag_run_id": run_id, "logical_date": f"{day + timedelta(days=1)}T00:00:00Z",
            "conf": conf or {}})
        return run_id

    def run_states(self, run_ids: list[str]) -> dict[str, str]:
        return {run_id: self.api(f"/api/v2/dags/{DAG_ID}/dagRuns/{_q(run_id)}")["state"]
                for run_id in run_ids}

    def wait_runs(self, run_ids: list[str], timeout: float = 900) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while True:
            states = self.run_states(run_ids)
            if all(state in ("success", "failed") for state in states.values()):
                return states
            if time.monotonic() > deadline:
                raise TimeoutError(f"runs not finished after {timeout:.0f}s: {states}")
            self.check_alive()
            time.sleep(2)

    def task_instances(self, run_id: str) -> list[dict]:
        return self.api(f"/api/v2/dags/{DAG_ID}/dagRuns/{_q(run_id)}/taskInstances"
                        "?limit=1000")["task_instances"]

    def tries(self, run_id: str, task_id: str, map_index: int) -> list[dict]:
        return self.api(f"/api/v2/dags/{DAG_ID}/dagRuns/{_q(run_id)}/taskInstances/"
                        f"{task_id}/{map_index}/tries")["task_instances"]

    def check_alive(self) -> None:
        dead = {name: proc.returncode for name, proc in self.services.items()
                if proc.poll() is not None and name not in self.killed}
        if dead:
            raise RuntimeError(f"exited early: {dead}; logs in {self.work / 'logs'}")

    def kill_worker(self, name: str) -> list[int]:
        """SIGKILL a worker and every process under it, as when its machine dies."""
        import psutil

        proc = self.services[name]
        family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(True)]
        for member in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()
        psutil.wait_procs(family, timeout=10)
        self.killed.add(name)
        proc.wait(timeout=10)
        return [member.pid for member in family]


def _q(run_id: str) -> str:
    return urllib.parse.quote(run_id, safe="")


def survivors(marker: str) -> list[str]:
    """Processes still alive that carry this deployment's marker."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "name"]):
        with contextlib.suppress(psutil.Error):
            if proc.environ().get(MARKER) == marker and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(f"{proc.pid} {proc.info['name']}")
    return found


# PostgreSQL ---------------------------------------------------------------------------
def _start_postgres(pg_bin: Path, env: dict[str, str], logs: Path
                    ) -> tuple[subprocess.Popen, Path, str]:
    """A cluster of its own on 127.0.0.1 (scram passwords), with an `airflow` role and DB.

    Root may not run PostgreSQL, so as root it runs as Debian's `postgres` user, in a
    directory of its own under /tmp (a pytest tmp dir is private to root)."""
    as_root = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="newswire-pg-"))
    user = "postgres" if as_root else None
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    superpass, airflow_pass = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    pwfile = root / "pw"
    pwfile.write_text(superpass)
    if as_root:
        shutil.chown(pwfile, "postgres", "postgres")
    data = root / "data"
    init = subprocess.run([str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres",
                           "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                           f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C"],
                          env=env, user=user, capture_output=True, text=True, cwd=root)
    pwfile.unlink()
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed: {init.stderr[-2000:]}")
    port = free_port()
    proc = start_service("postgres", [str(pg_bin / "postgres"), "-D", str(data),
                               "-c", "listen_addresses=127.0.0.1", "-p", str(port),
                               "-c", f"unix_socket_directories={root}",
                               "-c", "max_connections=200", "-c", "fsync=off"],
                  env, logs, user=user, cwd=root)
    import psycopg2

    def connect():
        return psycopg2.connect(host="127.0.0.1", port=port, user="postgres",
                                password=superpass, dbname="postgres", connect_timeout=3)

    wait_ready("postgres", lambda: connect().close() or True, proc, logs / "postgres.log", 60)
    with contextlib.closing(connect()) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"CREATE ROLE airflow LOGIN PASSWORD '{airflow_pass}'")
            cur.execute("CREATE DATABASE airflow OWNER airflow")
    return proc, root, f"airflow:{airflow_pass}@127.0.0.1:{port}/airflow"


def _stop_postgres(proc: subprocess.Popen) -> None:
    """SIGINT is PostgreSQL's fast shutdown: clients disconnected, then a clean stop."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            stop_process_group(proc)


# Redis ---------------------------------------------------------------------------------
def _start_redis(redis: Path, env: dict[str, str], logs: Path, work: Path
                 ) -> tuple[subprocess.Popen, str]:
    port, password = free_port(), secrets.token_urlsafe(16)
    proc = start_service("redis", [str(redis), "--bind", "127.0.0.1", "--port", str(port),
                            "--protected-mode", "yes", "--requirepass", password,
                            "--save", "", "--appendonly", "no", "--dir", str(work)],
                  env, logs)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    import redis as redis_client

    wait_ready("redis-server", lambda: redis_client.Redis.from_url(url).ping(), proc,
          logs / "redis.log", 30)
    return proc, url


# Airflow -------------------------------------------------------------------------------
def celery_env(home: Path, port: int, db: str, broker_url: str, marker: str,
               extra: dict[str, str]) -> dict[str, str]:
    """The embedded default's Airflow settings, with the CeleryExecutor, Redis and the
    PostgreSQL cluster; secrets shared by every component (the API server checks the
    tokens the scheduler signs)."""
    from cryptography.fernet import Fernet

    saved = os.environ.get("NEWSWIRE_AIRFLOW_HOME")
    os.environ["NEWSWIRE_AIRFLOW_HOME"] = str(home)
    try:
        env = airflow_env(port, f"postgresql+psycopg2://{db}")
    finally:
        if saved is None:
            os.environ.pop("NEWSWIRE_AIRFLOW_HOME", None)
        else:
            os.environ["NEWSWIRE_AIRFLOW_HOME"] = saved
    env.update({
        MARKER: marker,
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{db}",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__API__WORKERS": "1",
        # Only the runs asked for: no scheduled or Asset-triggered runs beside them.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        # A dead worker's task is noticed (no heartbeat) after 60s, not 300s.
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "60",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "scripts.distributed.worker_hostname",
        "PYTHONPATH": os.pathsep.join([str(REPO / "include"), str(REPO)]),
        "NEWSWIRE_LAKE": str(home.parent / "lake"),
        "NEWSWIRE_CATALOG": str(home.parent / "newswire.duckdb"),
    })
    env.pop("NEWSWIRE_STAGING", None)
    env.update(extra)
    return env


def _airflow_cmd(*args: str) -> list[str]:
    return [str(VENV_BIN / "airflow"), *args]


@contextlib.contextmanager
def celery_deployment(work: Path, sample_url: str | None = None, workers: int = 2,
                      concurrency: int = 2, extra_env: dict[str, str] | None = None
                      ) -> Iterator[Deployment]:
    """Everything up (see the module's docstring); every process stopped on exit."""
    redis_bin, pg_bin = ensure_debian_packages()
    started = time.monotonic()
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    marker = secrets.token_hex(8)
    base_env = dict(os.environ, **{MARKER: marker})
    names = [f"worker{i}" for i in range(1, workers + 1)]
    port = free_port()
    deployment = Deployment(work=work, base=f"http://127.0.0.1:{port}", env={},
                            marker=marker, workers=names)
    pg_root: Path | None = None
    postgres: subprocess.Popen | None = None
    try:
        deployment.services["redis"], broker = _start_redis(redis_bin, base_env, logs, work)
        postgres, pg_root, db = _start_postgres(pg_bin, base_env, logs)
        extra = dict(extra_env or {})
        if sample_url is None:
            site_port = free_port()
            sample_url = f"http://127.0.0.1:{site_port}"
            site = start_service("sample-site", [sys.executable, "-m", "newswire", "sample-site",
                                          "--port", str(site_port)],
                          dict(base_env, PYTHONPATH=str(REPO / "include")), logs)
            deployment.services["sample-site"] = site
            wait_ready("sample site", lambda: http_ok(sample_url + "/robots.txt"), site,
                  logs / "sample-site.log", 30)
        extra["NEWSWIRE_SAMPLE_URL"] = sample_url
        env = celery_env(work / "airflow", port, db, broker, marker, extra)
        deployment.env = env
        migrate = subprocess.run(_airflow_cmd("db", "migrate"), env=env,
                                 capture_output=True, text=True)
        if migrate.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed: {migrate.stderr[-3000:]}")
        deployment.timings["infrastructure_s"] = time.monotonic() - started
        for name, cmd in (("api-server", _airflow_cmd("api-server")),
                          ("scheduler", _airflow_cmd("scheduler", "--skip-serve-logs")),
                          ("dag-processor", _airflow_cmd("dag-processor"))):
            deployment.services[name] = start_service(name, cmd, env, logs)
        for name in names:
            worker_env = dict(env, NEWSWIRE_WORKER_NAME=name,
                              AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()))
            deployment.services[name] = start_service(
                name, _airflow_cmd("celery", "worker", "--celery-hostname", f"{name}@%h",
                                   "--concurrency", str(concurrency), "--queues", "default"),
                worker_env, logs)
        api = deployment.services["api-server"]
        wait_ready("api-server", lambda: http_ok(deployment.base + "/api/v2/monitor/health"),
              api, logs / "api-server.log", 180)
        password = json.loads((work / "airflow" / "passwords.json").read_text())[ADMIN_USER]
        deployment.token = deployment.api("/auth/token", {
            "username": ADMIN_USER, "password": password})["access_token"]
        wait_ready("the DAG parsed", lambda: deployment.api(f"/api/v2/dags/{DAG_ID}"), api,
              logs / "dag-processor.log", 180)
        for name in names:  # celery logs "<name>@<host> ready." once it takes tasks
            wait_ready(name, lambda n=name: " ready." in (logs / f"{n}.log").read_text(
                errors="replace"), deployment.services[name], logs / f"{name}.log", 180)
        deployment.api(f"/api/v2/dags/{DAG_ID}", {"is_paused": False}, method="PATCH")
        deployment.timings["startup_s"] = time.monotonic() - started
        yield deployment
    finally:
        stopping = time.monotonic()
        # What runs tasks and schedules them first, then what they talk to.
        first = [p for n, p in deployment.services.items()
                 if n in names or n in ("scheduler", "dag-processor")]
        stop_process_groups(first, timeout=30)
        stop_process_groups([p for p in deployment.services.values() if p not in first],
                            timeout=30)
        if postgres is not None:
            _stop_postgres(postgres)
        # Anything that escaped its process group (none expected): found and killed.
        deployment.stragglers = survivors(marker)
        if deployment.stragglers:
            import psutil

            for line in deployment.stragglers:
                with contextlib.suppress(psutil.Error):
                    psutil.Process(int(line.split()[0])).kill()
        if pg_root is not None:
            shutil.rmtree(pg_root, ignore_errors=True)
        deployment.timings["stop_s"] = time.monotonic() - stopping


def tasks_per_worker(instances: list[dict]) -> dict[str, int]:
    return dict(sorted(Counter(ti["hostname"] for ti in instances).items()))


def run_days(deployment: Deployment, first: date, last: date, timeout: float = 900
             ) -> dict:
    """Trigger one run per day, wait, and summarize who ran what."""
    started = time.monotonic()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    run_ids = [deployment.trigger(day) for day in days]
    states = deployment.wait_runs(run_ids, timeout)
    instances = [ti for run_id in run_ids for ti in deployment.task_instances(run_id)]
    return {
        "runs": states,
        "runs_s": round(time.monotonic() - started, 1),
        "task_instances": len(instances),
        "task_states": dict(Counter(ti["state"] for ti in instances)),
        "tasks_per_worker": tasks_per_worker(instances),
        "instances": [{k: ti[k] for k in ("dag_run_id", "task_id", "map_index", "state",
                                          "hostname", "try_number", "duration")}
                      for ti in instances],
    }


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("install")
    run = sub.add_parser("run")
    run.add_argument("first", type=date.fromisoformat, nargs="?", default=date(2017, 12, 4))
    run.add_argument("last", type=date.fromisoformat, nargs="?", default=date(2017, 12, 7))
    run.add_argument("--workers", type=int, default=2)
    run.add_argument("--concurrency", type=int, default=2, help="task slots per worker")
    run.add_argument("--work", type=Path, default=REPO / ".airflow" / "distributed",
                     help="logs, Airflow home, lake (default: .airflow/distributed)")
    run.add_argument("--report", type=Path, help="write the summary here as JSON")
    args = parser.parse_args()
    try:
        if args.cmd == "install":
            redis, pg_bin = ensure_debian_packages()
            print(f"{redis}\n{pg_bin}")
            return 0
        # Ctrl-C and SIGTERM both unwind through celery_deployment's clean-up.
        # Set SIGINT too: a shell starting this in the background ignores it.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        started = time.monotonic()
        # The lake and catalog default to the work directory; these say otherwise.
        extra = {key: os.environ[key] for key in ("NEWSWIRE_STANZA_DIR", "NEWSWIRE_LAKE",
                                                  "NEWSWIRE_CATALOG", "NEWSWIRE_SOURCES")
                 if os.environ.get(key)}
        with celery_deployment(args.work.resolve(), workers=args.workers,
                               concurrency=args.concurrency, extra_env=extra) as deployment:
            print(f"Airflow (CeleryExecutor, {args.workers} workers) on {deployment.base}; "
                  f"started in {deployment.timings['startup_s']:.0f}s; logs in "
                  f"{args.work / 'logs'}", flush=True)
            summary = run_days(deployment, args.first, args.last)
        summary["timings"] = {k: round(v, 1) for k, v in deployment.timings.items()}
        summary["total_s"] = round(time.monotonic() - started, 1)
        summary["stragglers"] = deployment.stragglers
    except Unavailable as exc:
        print(f"unavailable: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    for run_id, state in summary["runs"].items():
        print(f"{run_id}: {state}")
    print(f"task instances per worker: {summary['tasks_per_worker']}")
    print(f"runs took {summary['runs_s']}s, {summary['total_s']}s in all "
          f"(start-up {summary['timings']['startup_s']}s)")
    if args.report:
        args.report.write_text(json.dumps(summary, indent=2, default=str))
    return 0 if set(summary["runs"].values()) == {"success"} else 1


if __name__ == "__main__":
    raise SystemExit(main())
