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


def fixture_page(name: str) -> bytes:
    return (FIXTURES / "pages" / name).read_bytes()
