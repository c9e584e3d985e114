"""The short report printed after a run: articles per source and day, a few titles."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from newswire.catalog import query
from newswire.config import Settings

REPORTS_DIR = Path(__file__).resolve().parents[1] / "sql" / "reports"
FORMATS = ("table", "csv", "json", "html")


class ReportError(ValueError):
    """An unknown report or format, or bad parameters; the message says which."""


@dataclass(frozen=True)
class NamedReport:
    name: str
    description: str
    sql: str


def named_reports(directory: Path = REPORTS_DIR) -> dict[str, NamedReport]:
    reports = {}
    for path in sorted(directory.glob("*.sql")):
        text = path.read_text("utf-8")
        head = dict(re.findall(r"^--\s*(name|description):\s*(.+)$", text, re.M))
        reports[head.get("name", path.stem)] = NamedReport(head.get("name", path.stem),
                                                          head.get("description", ""), text)
    return reports


def run_named_report(settings: Settings, name: str, first: date, last: date
                     ) -> tuple[list[str], list[tuple]]:
    """Run ``include/sql/reports/NAME.sql`` with $from_day/$to_day bound (never
    formatted into the SQL)."""
    reports = named_reports()
    if name not in reports:
        raise ReportError(f"unknown report {name!r}; known: {', '.join(sorted(reports))}")
    if last < first:
        raise ReportError(f"--to {last} is before --from {first}")
    return query(settings.catalog, reports[name].sql,
                 {"from_day": first, "to_day": last}, lake=settings.lake)


def render(columns: list[str], rows: list[tuple], fmt: str, title: str = "") -> str:
    if fmt == "table":
        return format_table(columns, rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
        return out.getvalue()
    if fmt == "json":
        return json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str,
                          ensure_ascii=False, indent=1)
    if fmt == "html":
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>"
                                        for v in row) + "</tr>" for row in rows)
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
                f"{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                "</body></html>")
    raise ReportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")

COUNTS_SQL = """
SELECT source, date, count(*) AS articles,
       count(*) FILTER (WHERE published_at IS NULL) AS undated,
       round(avg(length(body))) AS avg_chars
FROM articles WHERE date BETWEEN ? AND ? GROUP BY ALL ORDER BY date, source
"""
TITLES_SQL = """
SELECT source, date, title FROM articles WHERE date BETWEEN ? AND ?
QUALIFY row_number() OVER (PARTITION BY source ORDER BY published_at) <= 2
ORDER BY source, date
"""
SPEAKERS_SQL = """
SELECT speaker, count(*) AS quotes, count(*) FILTER (WHERE kind = 'direct') AS direct,
       count(DISTINCT article_id) AS articles
FROM statements WHERE date BETWEEN ? AND ? AND speaker IS NOT NULL
GROUP BY ALL ORDER BY quotes DESC, speaker LIMIT 8
"""
FETCH_SQL = """
SELECT source, count(*) AS requests, count(*) FILTER (WHERE error IS NOT NULL) AS failed
FROM fetch_log WHERE date BETWEEN ? AND ? GROUP BY ALL ORDER BY source
"""


def format_table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def render_report(settings: Settings, first: date, last: date) -> str:
    params = [first, last]
    parts = [f"newswire report {first} .. {last}"]
    for sql in (COUNTS_SQL, TITLES_SQL, SPEAKERS_SQL, FETCH_SQL):
        parts.append(format_table(*query(settings.catalog, sql, params, lake=settings.lake)))
    return "\n\n".join(parts)


def print_report(settings: Settings, first: date, last: date) -> None:
    print("\n" + render_report(settings, first, last))
