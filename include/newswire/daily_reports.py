"""The daily reports the reporting DAG keeps in the lake: the day's text report and the
week's HTML report, written, listed and read back (the Airflow plugin shows them)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from newswire.config import Settings
from newswire.html_report import build_html_report
from newswire.report import render_report

REPORTS_FOLDER = "_reports"


def write_daily_report(settings: Settings, day: date, week: int = 7) -> str:
    """The day's reports in the lake, replaced atomically when the day is re-run:
    ``_reports/<day>.txt`` (the day) and ``_reports/<day>.html`` (charts and tables for
    the week ending that day). Returns where the text report is."""
    lake = settings.lake
    pages = {f"{day.isoformat()}.txt": render_report(settings, day, day) + "\n",
             f"{day.isoformat()}.html":
                 build_html_report(settings, day - timedelta(days=week - 1), day)}
    for name, text in pages.items():
        target = lake.url(REPORTS_FOLDER, name)
        if lake.is_local:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(target + ".tmp")
            tmp.write_text(text, "utf-8")
            tmp.replace(target)
        else:  # one PUT: readers get the old object or the new one
            lake.fs.pipe_file(lake.key(target), text.encode("utf-8"))
    return lake.url(REPORTS_FOLDER, f"{day.isoformat()}.txt")


def daily_report_days(settings: Settings) -> list[str]:
    """Days with an HTML report in the lake, newest first."""
    lake = settings.lake
    try:
        names = lake.fs.ls(lake.key(lake.url(REPORTS_FOLDER)), detail=False)
    except FileNotFoundError:
        return []
    days = [n.rsplit("/", 1)[-1].removesuffix(".html") for n in names if n.endswith(".html")]
    return sorted(days, reverse=True)


def read_daily_report(settings: Settings, day: date, suffix: str = ".html") -> str | None:
    """A daily report's text, or None when that day has none."""
    lake = settings.lake
    try:
        data = lake.fs.cat_file(lake.key(lake.url(REPORTS_FOLDER, day.isoformat() + suffix)))
    except FileNotFoundError:
        return None
    return data.decode("utf-8")
