"""Airflow plugin: the newswire HTML reports inside the Airflow UI.

A FastAPI app mounted at /newswire on Airflow's API server (behind Airflow's own login)
serves the daily reports the reporting DAG writes, and a report for any period; a
"Newswire reports" entry in the UI's navigation shows them in the Airflow page.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Annotated

from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse

app = FastAPI(title="newswire reports")
MAX_DAYS = 366


def _settings():
    from newswire_airflow.common import settings

    return settings()  # the lake on object storage may take its keys from a connection


@app.get("/", response_class=HTMLResponse)
def index(user: GetUserDep) -> str:
    from newswire.daily_reports import daily_report_days

    days = daily_report_days(_settings())
    items = "".join(f'<li><a href="day/{escape(d)}">{escape(d)}</a></li>' for d in days)
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>newswire reports"
            "</title></head><body style='font-family:sans-serif'><h1>newswire reports</h1>"
            "<form action='live'>Any period: <input type='date' name='from' required> "
            "<input type='date' name='to' required> <button>Show</button></form>"
            f"<h2>Daily reports</h2><ul>{items or '<li>none yet</li>'}</ul></body></html>")


@app.get("/day/{day}", response_class=HTMLResponse)
def daily(day: date, user: GetUserDep) -> str:
    # ``day`` is parsed as a date by FastAPI: nothing else reaches the file system.
    from newswire.daily_reports import read_daily_report

    page = read_daily_report(_settings(), day)
    if page is None:
        raise HTTPException(status_code=404, detail=f"no report for {day.isoformat()}")
    return page


@app.get("/live", response_class=HTMLResponse)
def live(user: GetUserDep, first: Annotated[date, Query(alias="from")],
         last: Annotated[date, Query(alias="to")]) -> str:
    if last < first or last - first > timedelta(days=MAX_DAYS):
        raise HTTPException(status_code=422,
                            detail=f"'to' must be on or after 'from', within {MAX_DAYS} days")
    from newswire.html_report import build_html_report

    return build_html_report(_settings(), first, last)


class NewswireReportsPlugin(AirflowPlugin):
    name = "newswire_reports"
    fastapi_apps = [{"app": app, "url_prefix": "/newswire", "name": "newswire reports"}]  # noqa: RUF012
    external_views = [{"name": "Newswire reports", "href": "newswire/",  # noqa: RUF012
                       "destination": "nav", "url_route": "newswire-reports",
                       "category": "browse"}]
