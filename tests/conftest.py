from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).parent / "fixtures"
# The offline stanza models CI uses; production downloads the official ones.
STANZA_DIR = Path(os.environ.get("NEWSWIRE_STANZA_DIR", SHARED / "models" / "stanza"))
HAVE_MODELS = (STANZA_DIR / "tr" / "ner.pt").exists() and (STANZA_DIR / "en" / "ner.pt").exists()
requires_models = pytest.mark.skipif(
    not HAVE_MODELS, reason=f"no stanza models in {STANZA_DIR} (set NEWSWIRE_STANZA_DIR)")
for path in (REPO / "include", REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from newswire.clock import Clock  # noqa: E402
from newswire.config import Settings  # noqa: E402
from newswire.sample_site.server import start_in_thread  # noqa: E402

from tests.s3_helpers import aws_env, moto_server, new_bucket  # noqa: E402
from tests.servers import start_misbehaving_server  # noqa: E402

# Lake backends a test runs on with ``@both_lakes`` (the ``settings`` fixture's param):
# a local directory and s3://bucket/lake on a moto server on 127.0.0.1.
LAKE_BACKENDS = ("local", "s3")
both_lakes = pytest.mark.parametrize("settings", LAKE_BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def sample_url() -> Iterator[str]:
    """The bundled sample source, served for real on 127.0.0.1."""
    server, url = start_in_thread()
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def bad_server() -> Iterator[str]:
    """A server on 127.0.0.1 that misbehaves on purpose (see tests/servers.py)."""
    server, url = start_misbehaving_server()
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3-speaking server (moto) on 127.0.0.1; its endpoint URL."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_lake(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``s3://<fresh bucket>/lake`` with the AWS variables pointing at the test server."""
    for key, value in aws_env(s3_endpoint).items():
        monkeypatch.setenv(key, value)
    return f"s3://{new_bucket(s3_endpoint)}/lake"


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path, sample_url: str,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a lake under tmp_path, or on S3 with ``@both_lakes`` / param "s3"."""
    backend = getattr(request, "param", "local")
    monkeypatch.setenv("NEWSWIRE_SAMPLE_URL", sample_url)
    if backend == "s3":
        monkeypatch.setenv("NEWSWIRE_LAKE", request.getfixturevalue("s3_lake"))
        monkeypatch.setenv("NEWSWIRE_STAGING", str(tmp_path / "staging"))
    else:
        monkeypatch.setenv("NEWSWIRE_LAKE", str(tmp_path / "lake"))
        monkeypatch.delenv("NEWSWIRE_STAGING", raising=False)
    monkeypatch.setenv("NEWSWIRE_CATALOG", str(tmp_path / "newswire.duckdb"))
    monkeypatch.setenv("NEWSWIRE_SOURCES", str(REPO / "include" / "sources.yaml"))
    if HAVE_MODELS:
        monkeypatch.setenv("NEWSWIRE_STANZA_DIR", str(STANZA_DIR))
    return Settings.from_env()


class FakeClock(Clock):
    """Time that moves only when the pipeline waits: the waits (politeness, back-off)
    are recorded, not slept."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fixture_page(name: str) -> bytes:
    return (FIXTURES / "pages" / name).read_bytes()


# -- kinds of test ---------------------------------------------------------------------
# Every test has one kind, set here rather than by folders (pyproject.toml describes the
# markers). `make test-fast` runs unit and integration tests; `make test` runs all.
KIND_OF_FILE = {
    "test_architecture.py": "unit",
    "test_backfill.py": "system",
    "test_bench.py": "bench",
    "test_browser.py": "browser",
    "test_callbacks.py": "system",
    "test_clean.py": "unit",
    "test_cli.py": "system",
    "test_compose.py": "unit",
    "test_dag.py": "system",
    "test_demo.py": "system",
    "test_discover.py": "unit",
    "test_entity_macros.py": "unit",
    "test_nested_orgs.py": "unit",
    "test_org_classes.py": "unit",
    "test_name_classes.py": "unit",
    "test_places.py": "unit",
    "test_distributed.py": "system",
    "test_faults.py": "fault",
    "test_fetch.py": "integration",
    "test_fuzz.py": "fuzz",
    "test_hardening.py": "fault",
    "test_identity.py": "integration",
    "test_lake.py": "integration",
    "test_layouts.py": "integration",
    "test_maintenance.py": "integration",
    "test_nlp.py": "unit",
    "test_pipeline.py": "integration",
    "test_properties.py": "fuzz",
    "test_quality.py": "integration",
    "test_quantities.py": "unit",
    "test_quotes.py": "unit",
    "test_reports_plugin.py": "integration",
    "test_s3_lake.py": "integration",
    "test_sample_site.py": "integration",
    "test_shards.py": "unit",
    "test_sources.py": "unit",
    "test_standalone.py": "system",
    "test_timex.py": "unit",
    "test_warehouse.py": "system",
    "test_wordscan.py": "unit",
}
# Tests of another kind than their file's: file::test, or file::test[parameters] for
# one parametrisation (the pipeline on moto's S3 is a whole system, on a directory one
# stage after another).
KIND_OF_TEST = {
    "test_pipeline.py::test_sample_days_land_in_the_expected_partitions[s3]": "system",
    "test_pipeline.py::test_rerunning_a_day_leaves_identical_rows[s3]": "system",
    "test_maintenance.py::test_raw_retention_drops_old_bodies_and_keeps_rows[s3]": "system",
    "test_discover.py::test_sample_source_day_is_discovered_once_per_article": "integration",
    "test_nlp.py::test_missing_models_say_what_to_do": "integration",
    "test_nlp.py::test_flat_model_layout_and_identity": "models",
    "test_nlp.py::test_seed_article_through_real_stanza": "models",
    "test_name_classes.py::test_the_classes_hold_with_the_real_english_model": "models",
    "test_nlp.py::test_nlp_tables_and_statements_view": "system",
    "test_nlp.py::test_no_models_fails_the_nlp_stage_but_keeps_articles": "system",
    "test_nlp.py::test_evaluate_command_meets_the_thresholds": "system",
    "test_nlp.py::test_real_statements_meet_the_floors": "models",
    "test_nlp.py::test_evaluate_reads_the_statements_format": "system",
    "test_nlp.py::test_the_nlp_package_stands_alone": "integration",
    "test_shards.py::test_sharded_run_writes_the_rows_of_an_unsharded_one": "models",
    "test_shards.py::test_a_shard_run_again_rewrites_the_same_files": "models",
    "test_shards.py::test_a_task_forked_after_preload_finds_the_models_loaded": "models",
    "test_warehouse.py::test_data_dictionary_names_every_column_and_is_up_to_date": "unit",
    "test_warehouse.py::test_html_report_draws_charts_and_escapes_what_it_shows":
        "integration",
}
KINDS = ("unit", "integration", "models", "system", "fault", "fuzz", "bench", "browser")


def kind_of(item: pytest.Item) -> str:
    file = Path(str(item.fspath)).name
    name = f"{file}::{getattr(item, 'originalname', item.name)}"
    return (KIND_OF_TEST.get(f"{file}::{item.name}") or KIND_OF_TEST.get(name)
            or KIND_OF_FILE.get(file, "unclassified"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A file missing from KIND_OF_FILE still runs in `make test` ("unclassified", left out
    # of test-fast); test_architecture.py fails naming it.
    for item in items:
        item.add_marker(getattr(pytest.mark, kind_of(item)))
