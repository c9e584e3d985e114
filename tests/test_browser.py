"""The operator's path, in a real browser: log in, open the daily DAG, fill the Backfill
dialog for three days, submit, wait for the runs, check the lake through DuckDB; then the
same range again with "All Runs" leaves the counts unchanged.

Headless Debian chromium driven by Playwright (`make browser-deps` installs chromium;
CI runs it). Screenshots of the dialog and of the finished grid go to test-artifacts/.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.airflow_helpers import Standalone, pipeline_standalone
from tests.conftest import REPO

pytestmark = pytest.mark.airflow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory, sample_url: str) -> Iterator[Standalone]:
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium: run `make browser-deps` (Debian's chromium package)")
    with pipeline_standalone(tmp_path_factory.mktemp("browser"), sample_url) as instance:
        yield instance


def logged_in_page(pw, airflow: Standalone, height: int):
    """Headless Debian chromium, logged in through Airflow's login form."""
    password = airflow.log.read_text().split("login: admin / ", 1)[1].split()[0]
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.goto(airflow.base + "/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(airflow.base + "/")
    return browser, page


def latest_backfill(airflow: Standalone) -> dict | None:
    found = airflow.api("/api/v2/backfills?dag_id=newswire_daily&limit=100")["backfills"]
    return max(found, key=lambda b: b["id"]) if found else None


def wait_for_backfill(airflow: Standalone, after: int, timeout: float = 480) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        backfill = latest_backfill(airflow)
        if backfill and backfill["id"] > after and backfill["completed_at"]:
            return backfill
        time.sleep(3)
    raise AssertionError("the backfill submitted from the UI did not complete")


def lake_counts(airflow: Standalone) -> list[tuple]:
    with duckdb.connect(airflow.env["NEWSWIRE_CATALOG"], read_only=True) as con:
        return con.execute("select source, date, count(*) from articles where date between "
                           "'2017-12-05' and '2017-12-07' group by all order by all"
                           ).fetchall()


def submit_backfill(page, base: str, behaviour: str, shot: str) -> None:
    page.goto(f"{base}/dags/newswire_daily")
    page.get_by_role("button", name="Trigger").first.click()
    dialog = page.get_by_role("dialog").first
    dialog.get_by_text("Backfill", exact=True).click()
    for index, day in enumerate(["2017/12/05", "2017/12/07"]):
        page.get_by_test_id("datetime-input").nth(index).click()
        page.get_by_placeholder("YYYY/MM/DD").last.fill(day)
        page.get_by_placeholder("HH:mm").last.fill("00:00")
        dialog.get_by_text("Date Range", exact=True).click()  # closes the date popover
    dialog.get_by_text(behaviour, exact=True).click()
    unpause = dialog.get_by_text("Unpause newswire_daily on trigger")
    if unpause.count():
        checkbox = unpause.locator("xpath=ancestor::label[1]")
        if checkbox.get_attribute("data-state") != "checked":
            unpause.click()
    dialog.get_by_text("3 runs will be triggered.").wait_for(timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    dialog.get_by_role("button", name="Run Backfill").click()
    dialog.wait_for(state="hidden", timeout=20_000)


def test_backfill_dialog_in_a_real_browser(airflow: Standalone) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    # Paused, as a fresh deployment may be: the dialog unpauses and backfills at once.
    airflow.api("/api/v2/dags/newswire_daily", {"is_paused": True}, method="PATCH")
    with sync_playwright() as pw:
        browser, page = logged_in_page(pw, airflow, height=1000)

        submit_backfill(page, airflow.base, "Missing Runs", "backfill-dialog.png")
        first = wait_for_backfill(airflow, after=0)
        assert airflow.api("/api/v2/dags/newswire_daily")["is_paused"] is False
        runs = airflow.api("/api/v2/dags/newswire_daily/dagRuns?run_type=backfill")
        states = {r["dag_run_id"]: r["state"] for r in runs["dag_runs"]}
        assert states == {f"backfill__2017-12-0{d}T00:00:00+00:00": "success"
                          for d in (6, 7, 8)}
        counts = lake_counts(airflow)
        assert counts == [("sample_aa", d, 3) for d in _days()] + \
            [("sample_wire", d, 2) for d in _days()]
        page.goto(f"{airflow.base}/dags/newswire_daily")
        page.get_by_text("check_annotations").first.wait_for(timeout=20_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "backfill-grid.png"), full_page=True)

        submit_backfill(page, airflow.base, "All Runs", "backfill-dialog-all-runs.png")
        wait_for_backfill(airflow, after=first["id"])
        runs = airflow.api("/api/v2/dags/newswire_daily/dagRuns?run_type=backfill")
        assert {r["state"] for r in runs["dag_runs"]} == {"success"}
        assert len(runs["dag_runs"]) == 3
        assert lake_counts(airflow) == counts
        page.goto(f"{airflow.base}/dags/newswire_daily")
        page.wait_for_timeout(2000)
        page.screenshot(path=str(ARTIFACTS / "backfill-grid-after-all-runs.png"),
                        full_page=True)
        browser.close()


def _days() -> list:
    from datetime import date

    return [date(2017, 12, 5), date(2017, 12, 6), date(2017, 12, 7)]


def test_reports_plugin_behind_the_airflow_login(airflow: Standalone) -> None:
    """After the backfills, the reporting DAG (on the articles Asset) has written the
    days' HTML reports; the plugin serves them only to logged-in users."""
    import urllib.error
    import urllib.request

    from playwright.sync_api import sync_playwright

    reports = Path(airflow.env["NEWSWIRE_LAKE"]) / "_reports"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not (reports / "2017-12-07.html").exists():
        time.sleep(3)
    assert (reports / "2017-12-07.html").exists()

    def get(path: str, token: str | None) -> tuple[int, str]:
        request = urllib.request.Request(airflow.base + path)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    assert get("/newswire/", None)[0] in (401, 403)
    status, index = get("/newswire/", airflow.token)
    assert status == 200 and 'href="day/2017-12-07"' in index
    status, page = get("/newswire/day/2017-12-07", airflow.token)
    assert status == 200 and page.count("<svg") == 3 and "Quotes per speaker" in page
    assert get("/newswire/day/..%2F..%2Fetc%2Fpasswd", airflow.token)[0] in (404, 400)
    assert get("/newswire/day/2017-12-31", airflow.token)[0] == 404
    assert get("/newswire/live?from=2017-12-05&to=2017-12-07", airflow.token)[0] == 200
    status, page = get("/newswire/live?from=x&to=2017-12-07", airflow.token)
    assert status == 400 and "from: a date as YYYY-MM-DD" in page  # an HTML page, not JSON
    assert get("/newswire/live?from=2017-12-07&to=2017-12-05", airflow.token)[0] == 400

    with sync_playwright() as pw:
        browser, page = logged_in_page(pw, airflow, height=1100)
        page.goto(airflow.base + "/plugin/newswire-reports")
        frame = page.frame_locator("iframe").first
        frame.get_by_role("link", name="2017-12-07").click()
        frame.get_by_text("Quotes per speaker").wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "reports-plugin.png"), full_page=True)
        browser.close()
