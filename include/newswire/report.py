"""The short report printed after a run: articles per source and day, a few titles."""

from __future__ import annotations

from datetime import date

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


def print_report(settings: Settings, first: date, last: date) -> None:
    params = [first, last]
    print(f"\nnewswire report {first} .. {last}")
    print(format_table(*query(settings.catalog, COUNTS_SQL, params, lake=settings.lake)))
    print()
    print(format_table(*query(settings.catalog, TITLES_SQL, params, lake=settings.lake)))
    print()
    print(format_table(*query(settings.catalog, SPEAKERS_SQL, params, lake=settings.lake)))
    print()
    print(format_table(*query(settings.catalog, FETCH_SQL, params, lake=settings.lake)))
