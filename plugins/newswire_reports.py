"""Airflow plugin: the newswire HTML reports inside the Airflow UI.

A FastAPI app mounted at /newswire on Airflow's API server (behind Airflow's own login)
serves the daily reports the reporting DAG writes, a report for any period and the named
reports; a "Newswire reports" entry in the UI's navigation shows them in the Airflow page.
Bad input (a malformed date, an unknown report) gets a readable 400 page, not JSON.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Annotated

from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI(title="newswire reports")
MAX_DAYS = 366
STYLE = "font-family:sans-serif;margin:24px"


def _settings():
    from newswire_airflow.common import settings

    return settings()  # the lake on object storage may take its keys from a connection


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
            f"{escape(title)}</title></head><body style='{STYLE}'><h1>{escape(title)}</h1>"
            f"{body}</body></html>")


def _what_was_wrong(error: dict) -> str:
    """One validation error as a sentence: "from: a date as YYYY-MM-DD, not 'x'"."""
    name = str(error["loc"][-1]) if error.get("loc") else "input"
    if error.get("type") == "missing":
        return f"{name}: missing"
    if "date" in error.get("type", ""):
        return f"{name}: a date as YYYY-MM-DD, not {error.get('input')!r}"
    return f"{name}: {error.get('msg')}"


@app.exception_handler(RequestValidationError)
async def bad_input(request: Request, exc: RequestValidationError) -> HTMLResponse:
    problems = "".join(f"<li>{escape(_what_was_wrong(e))}</li>" for e in exc.errors())
    return HTMLResponse(_page("Bad request", f"<ul>{problems}</ul>{_BACK}"), status_code=400)


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
    title = {400: "Bad request", 401: "Not logged in", 403: "Forbidden",
             404: "Not found"}.get(exc.status_code, f"Error {exc.status_code}")
    return HTMLResponse(_page(title, f"<p>{escape(str(exc.detail))}</p>{_BACK}"),
                        status_code=exc.status_code, headers=exc.headers)


_BACK = "<p><a href='/newswire/'>newswire reports</a></p>"


def _period(first: date, last: date) -> None:
    if last < first or last - first > timedelta(days=MAX_DAYS):
        raise HTTPException(status_code=400,
                            detail=f"'to' must be on or after 'from', within {MAX_DAYS} days")


@app.get("/", response_class=HTMLResponse)
def index(user: GetUserDep) -> str:
    from newswire.daily_reports import daily_report_days
    from newswire.report import named_reports

    days = daily_report_days(_settings())
    items = "".join(f'<li><a href="day/{escape(d)}">{escape(d)}</a></li>' for d in days)
    options = "".join(f"<option>{escape(name)}</option>" for name in named_reports())
    dates = ("<input type='date' name='from' required> "
             "<input type='date' name='to' required>")
    return _page("newswire reports",
                 f"<form action='live'>Any period: {dates} <button>Show</button></form>"
                 f"<form action='report'>A named report: <select name='name'>{options}"
                 f"</select> {dates} <button>Show</button></form>"
                 f"<h2>Daily reports</h2><ul>{items or '<li>none yet</li>'}</ul>")


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
    _period(first, last)
    from newswire.html_report import build_html_report

    return build_html_report(_settings(), first, last)


@app.get("/report", response_class=HTMLResponse)
def named(user: GetUserDep, name: str, first: Annotated[date, Query(alias="from")],
          last: Annotated[date, Query(alias="to")]) -> str:
    """A named report (include/sql/reports/NAME.sql) for a period, as an HTML table."""
    _period(first, last)
    from newswire.report import ReportError, render, run_named_report

    try:
        columns, rows = run_named_report(_settings(), name, first, last)
    except ReportError as exc:  # an unknown report: the message lists the known ones
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return render(columns, rows, "html", f"{name} {first} .. {last}")


class NewswireReportsPlugin(AirflowPlugin):
    name = "newswire_reports"
    fastapi_apps = [{"app": app, "url_prefix": "/newswire", "name": "newswire reports"}]  # noqa: RUF012
    external_views = [{"name": "Newswire reports", "href": "newswire/",  # noqa: RUF012
                       "destination": "nav", "url_route": "newswire-reports",
                       "category": "browse"}]
