"""docker-compose.yaml, the Dockerfile and .env.example: valid against the Compose
specification and consistent with the code (Docker cannot run on the build machines,
so these are checked statically)."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.conftest import REPO, SHARED

COMPOSE_FILE = REPO / "docker-compose.yaml"
SCHEMA_FILE = SHARED / "schemas" / "compose-spec.json"
AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker", "airflow-init")
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $$ escapes.
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
# Variables our code reads: os.environ.get("X"), os.environ["X"], ${X} in sources.yaml.
CODE_VARIABLE = re.compile(r"""["'{]((?:NEWSWIRE|AWS)_[A-Z0-9_]+)["'}:]""")
# Read by tests and benchmarks only, or set by the tools that start Airflow locally.
NOT_FOR_PRODUCTION = {"NEWSWIRE_EVAL_THRESHOLDS", "NEWSWIRE_AIRFLOW_HOME"}
# Set by the code itself for a child process it starts (what the CLI's NLP fork server
# loads), never by an operator.
INTERNAL = {"NEWSWIRE_PRELOAD_LANGS", "NEWSWIRE_PRELOAD_THREADS", "NEWSWIRE_PRELOAD_PARENT"}
# The AWS variables the lake reads, where one of several names is enough (botocore's
# own lookup covers a missing session token).
AWS_ALTERNATIVES = [{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"},
                    {"AWS_REGION", "AWS_DEFAULT_REGION"}, {"AWS_SESSION_TOKEN"}]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text("utf-8"))


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    values = {}
    for line in (REPO / ".env.example").read_text("utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def common_environment(compose: dict) -> dict[str, str]:
    return compose["x-airflow-common"]["environment"]


def test_compose_file_is_valid_against_the_compose_specification(compose: dict) -> None:
    if not SCHEMA_FILE.exists():
        pytest.skip(f"the Compose specification schema is not here ({SCHEMA_FILE}); "
                    "it comes with ../shared")
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                                 for e in errors)
    # The schema accepts what it does not know under x- keys only; a misspelt service
    # key must fail, so make sure the validator is really strict here.
    broken = json.loads(json.dumps(compose))
    broken["services"]["redis"]["helthcheck"] = {}
    assert list(validator.iter_errors(broken))


def test_services_match_airflows_celery_deployment(compose: dict) -> None:
    services = compose["services"]
    for name in (*AIRFLOW_SERVICES, "postgres", "redis", "minio", "minio-init"):
        assert name in services, name
    env = common_environment(compose)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    # A real auth manager, not the development SimpleAuthManager.
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("FabAuthManager")
    assert services["airflow-worker"]["command"] == "celery worker"
    assert "mc mb" in services["minio-init"]["command"][0]
    for name in AIRFLOW_SERVICES:
        mounts = services[name]["volumes"]
        assert "./include:/opt/airflow/include" in mounts, name
        assert services[name]["environment"]["PYTHONPATH"] == "/opt/airflow/include"
        depends = services[name]["depends_on"]
        assert "minio-init" in depends and "postgres" in depends and "redis" in depends


def test_every_dependency_and_volume_is_declared(compose: dict) -> None:
    services, volumes = compose["services"], compose.get("volumes", {})
    for name, service in services.items():
        for target in service.get("depends_on", {}):
            assert target in services, f"{name} depends on unknown service {target}"
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (REPO / source).exists(), f"{name} mounts {source}, which is missing"
            else:
                assert source in volumes, f"{name} mounts undeclared volume {source}"


def test_only_loopback_ports_are_published(compose: dict) -> None:
    published = []
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            published.append(name)
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} widely"
    assert "airflow-apiserver" in published
    for name in ("postgres", "redis"):
        assert "ports" not in compose["services"][name]


def test_every_interpolated_variable_comes_from_env_example(env_example: dict) -> None:
    text = COMPOSE_FILE.read_text("utf-8")
    used = {m.group(1): m.group(2) for m in INTERPOLATION.finditer(text)}
    assert used, "no ${VAR} found: the pattern is broken"
    missing = sorted(v for v, op in used.items() if v not in env_example)
    assert not missing, f"set in .env.example: {missing}"
    required = {v for v, op in used.items() if op in (None, ":?", "?")}
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_FERNET_KEY",
            "MINIO_ROOT_PASSWORD", "AIRFLOW_ADMIN_PASSWORD"} <= required
    unused = sorted(set(env_example) - set(used))
    assert not unused, f".env.example sets variables compose never reads: {unused}"


def test_env_example_commits_no_secret(env_example: dict) -> None:
    secrets = [k for k in env_example if re.search(r"PASSWORD|SECRET|FERNET", k)]
    assert len(secrets) >= 5
    for key in secrets:
        assert env_example[key] == "change-me", key
    assert not (REPO / ".env").exists() or ".env" in (REPO / ".gitignore").read_text()


def code_variables() -> set[str]:
    found: set[str] = set()
    files = [*REPO.glob("include/**/*.py"), *REPO.glob("dags/*.py"),
             *REPO.glob("plugins/*.py"), REPO / "include" / "sources.yaml"]
    for path in files:
        found |= set(CODE_VARIABLE.findall(path.read_text("utf-8")))
    return found - NOT_FOR_PRODUCTION - INTERNAL


def test_every_variable_the_code_reads_is_set_for_airflow(compose: dict) -> None:
    read = code_variables()
    assert {"NEWSWIRE_LAKE", "NEWSWIRE_STAGING", "NEWSWIRE_STANZA_DIR"} <= read
    env = common_environment(compose)
    newswire_set = {k for k in env if k.startswith("NEWSWIRE_")}
    unset = read - set(env)
    for names in AWS_ALTERNATIVES:
        if names & set(env) or names == {"AWS_SESSION_TOKEN"}:
            unset -= names
    assert not sorted(unset), f"not set in docker-compose.yaml: {unset}"
    assert not sorted(newswire_set - read), f"set but never read: {newswire_set - read}"
    # The lake is on the object store, reached with the standard AWS variables.
    assert env["NEWSWIRE_LAKE"].startswith("s3://")
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert env[name], name


def test_airflow_settings_in_compose_are_real_options(compose: dict) -> None:
    from airflow.configuration import conf

    # Airflow's own options and those of the installed providers (celery among them).
    described = conf.configuration_description
    env = dict(common_environment(compose))
    env.update(compose["services"]["airflow-worker"]["environment"])
    options = [k for k in env if k.startswith("AIRFLOW__")]
    assert len(options) >= 10
    for key in options:
        _, section, option = key.split("__", 2)
        assert option.lower() in described.get(section.lower(), {}).get("options", {}), key


def test_task_supervisors_look_at_their_process_every_second(compose: dict, tmp_path) -> None:
    """Airflow's default 5 s kept a worker's slot up to 5 s after a task ended (README,
    "Backfills and operations"); production, local Airflow and Celery here agree."""
    from scripts.distributed import celery_env
    from scripts.local_airflow import MIN_HEARTBEAT_INTERVAL_S

    key = "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL"
    assert MIN_HEARTBEAT_INTERVAL_S == "1"
    assert common_environment(compose)[key] == MIN_HEARTBEAT_INTERVAL_S
    env = celery_env(tmp_path / "airflow", 8080, "u:p@127.0.0.1:1/db",
                     "redis://127.0.0.1:1/0", "marker", {})
    assert env[key] == MIN_HEARTBEAT_INTERVAL_S


def test_dockerfile_builds_on_the_pinned_airflow_and_bakes_the_models(compose: dict) -> None:
    dockerfile = (REPO / "Dockerfile").read_text("utf-8")
    pinned = re.search(r"^apache-airflow\[[^\]]*\]==([\d.]+)$",
                       (REPO / "requirements.txt").read_text("utf-8"), re.M)
    assert pinned
    base = re.search(r"^FROM apache/airflow:([\d.]+)-python3\.11$", dockerfile, re.M)
    assert base and base.group(1) == pinned.group(1)
    assert "-r /opt/newswire/requirements.txt -c /opt/newswire/constraints.txt" in dockerfile
    assert "python -m newswire models download" in dockerfile
    stanza_dir = re.search(r"NEWSWIRE_STANZA_DIR=(\S+)", dockerfile)
    assert stanza_dir
    assert common_environment(compose)["NEWSWIRE_STANZA_DIR"] == stanza_dir.group(1)
    for line in re.findall(r"^COPY .*$", dockerfile, re.M):
        for source in line.split()[1:-1]:
            if not source.startswith("--"):
                assert (REPO / source).exists(), source
