"""The reports plugin's answers to bad input: readable HTML pages with the right status,
never raw validation JSON. Its FastAPI app is served for real by uvicorn on 127.0.0.1;
only Airflow's login dependency is replaced (test_browser.py covers the login itself)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.local_airflow import free_port
from tests.conftest import REPO

SERVE = r"""
import sys
import uvicorn
sys.path[:0] = [sys.argv[2] + "/plugins", sys.argv[2] + "/include"]
import newswire_reports
from airflow.api_fastapi.core_api.security import get_user

newswire_reports.app.dependency_overrides[get_user] = lambda: None
uvicorn.run(newswire_reports.app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error")
"""


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("plugin")
    port = free_port()
    env = dict(os.environ, AIRFLOW_HOME=str(tmp / "airflow"), NEWSWIRE_LAKE=str(tmp / "lake"),
               NEWSWIRE_CATALOG=str(tmp / "nw.duckdb"))
    proc = subprocess.Popen([sys.executable, "-c", SERVE, str(port), str(REPO)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
            try:
                urllib.request.urlopen(base + "/day/2017-12-31", timeout=5)
            except urllib.error.HTTPError:
                break  # answering (404: no report for that day)
            except OSError:
                assert time.monotonic() < deadline, "the plugin's app did not start"
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return resp.status, resp.headers.get("content-type", ""), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("content-type", ""), err.read().decode()


@pytest.mark.parametrize(("path", "says"), [
    ("/live?from=2017-13-01&to=2017-12-07",
     "from: a date as YYYY-MM-DD, not &#x27;2017-13-01&#x27;"),
    ("/live?to=2017-12-07", "from: missing"),
    ("/live?from=2017-12-07&to=2017-12-05", "&#x27;to&#x27; must be on or after &#x27;from&#x27;"),
    ("/day/2017-02-30", "day: a date as YYYY-MM-DD, not &#x27;2017-02-30&#x27;"),
    ("/report?name=no_such&from=2017-12-04&to=2017-12-05",
     "unknown report &#x27;no_such&#x27;; known: cooccurrence, coverage, daily_digest"),
    ("/report?name=%3Cscript%3Ealert(1)%3C/script%3E&from=2017-12-04&to=2017-12-05",
     "unknown report &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;"),
])
def test_bad_input_gets_a_readable_400_page(plugin: str, path: str, says: str) -> None:
    status, content_type, page = get(plugin + path)
    assert status == 400 and content_type.startswith("text/html")
    assert page.startswith("<!DOCTYPE html>") and "<h1>Bad request</h1>" in page
    assert says in page
    assert '"detail"' not in page and "<script>" not in page
    assert "<a href='/newswire/'>newswire reports</a>" in page


def test_a_day_without_a_report_is_a_404_page(plugin: str) -> None:
    status, content_type, page = get(plugin + "/day/2017-12-31")
    assert (status, content_type.split(";")[0]) == (404, "text/html")
    assert "<h1>Not found</h1>" in page and "no report for 2017-12-31" in page
    status, _, page = get(plugin + "/day/..%2F..%2Fetc%2Fpasswd")  # no such route
    assert status == 404 and "<h1>Not found</h1>" in page and "root:" not in page


def test_the_index_offers_the_named_reports(plugin: str) -> None:
    status, _, page = get(plugin + "/")
    assert status == 200
    assert "<option>who_said_what</option>" in page and "<li>none yet</li>" in page
    assert Path(REPO / "include" / "sql" / "reports" / "who_said_what.sql").exists()
