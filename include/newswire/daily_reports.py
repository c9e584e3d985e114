"""The daily reports the reporting DAG keeps in the lake: the day's text report and the
week's HTML report, written, listed and read back (the Airflow plugin shows them)."""

from __future__ import annotations

from datetime import date, timedelta

from newswire.config import Settings
from newswire.html_report import build_html_report
from newswire.report import render_report

REPORTS_FOLDER = "_reports"


def write_daily_report(settings: Settings, day: date, week: int = 7) -> str:
    """The day's reports in the lake, replaced atomically when the day is re-run:
    ``_reports/<day>.txt`` (the day) and ``_reports/<day>.html`` (charts and tables for
    the week ending that day). Returns where the text report is."""
    html = build_html_report(settings, day - timedelta(days=week - 1), day)
    settings.lake.write_text(f"{REPORTS_FOLDER}/{day.isoformat()}.html", html)
    text = render_report(settings, day, day) + "\n"
    return settings.lake.write_text(f"{REPORTS_FOLDER}/{day.isoformat()}.txt", text)


def daily_report_days(settings: Settings) -> list[str]:
    """Days with an HTML report in the lake, newest first."""
    names = settings.lake.list_names(REPORTS_FOLDER)
    return sorted((n.removesuffix(".html") for n in names if n.endswith(".html")),
                  reverse=True)


def read_daily_report(settings: Settings, day: date, suffix: str = ".html") -> str | None:
    """A daily report's text, or None when that day has none."""
    return settings.lake.read_text(f"{REPORTS_FOLDER}/{day.isoformat()}{suffix}")
