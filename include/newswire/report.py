"""The short report printed after a run: articles per source and day, a few titles."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from newswire.catalog import query
from newswire.config import Settings

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


def write_daily_report(settings: Settings, day: date) -> Path:
    """The day's report as a text file in the lake (``_reports/<day>.txt``), replaced
    atomically when the day is re-run."""
    folder = settings.lake / "_reports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{day.isoformat()}.txt"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(render_report(settings, day, day) + "\n", "utf-8")
    tmp.replace(target)
    return target
