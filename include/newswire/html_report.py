"""The HTML report: charts (inline SVG, drawn here: no JavaScript, nothing fetched) and
the named reports' tables for a period. Everything shown is escaped."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from newswire.catalog import query
from newswire.config import Settings
from newswire.report import named_reports, run_named_report

PALETTE = ["#017cee", "#00ad46", "#e8542f", "#9b51e0", "#f2a900", "#11a3b5", "#6b7280"]
MENTIONS_SQL = """
WITH top AS (SELECT entity FROM entity_mentions WHERE date BETWEEN $from_day AND $to_day
             GROUP BY entity ORDER BY count(DISTINCT article_id) DESC, entity LIMIT 5)
SELECT entity, date, count(DISTINCT article_id) AS articles FROM entity_mentions
WHERE entity IN (SELECT entity FROM top) AND date BETWEEN $from_day AND $to_day
GROUP BY ALL ORDER BY entity, date
"""
SPEAKERS_SQL = """
SELECT speaker, count(*) AS quotes FROM statements
WHERE speaker IS NOT NULL AND date BETWEEN $from_day AND $to_day
GROUP BY speaker ORDER BY quotes DESC, speaker LIMIT 10
"""
ARTICLES_SQL = """
SELECT source, date, count(*) AS articles FROM articles
WHERE date BETWEEN $from_day AND $to_day GROUP BY ALL ORDER BY source, date
"""


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def bar_chart(title: str, labels: list[str], values: list[float], width: int = 640) -> str:
    """Horizontal bars, one per label."""
    row, left = 22, 190
    height = 40 + row * max(1, len(labels))
    top = max(values, default=0) or 1
    parts = [f'<svg role="img" aria-label="{escape(title)}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 30 + i * row
        w = (width - left - 60) * value / top
        parts += [f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
                  f"{escape(label[:28])}</text>",
                  f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{row - 6}" '
                  f'fill="{PALETTE[0]}"><title>{escape(label)}: {value:g}</title></rect>',
                  f'<text x="{left + w + 4:.1f}" y="{y + 14}" font-size="12">{value:g}</text>']
    parts.append("</svg>")
    return "".join(parts)


def line_chart(title: str, days: list[date], series: dict[str, dict[date, float]],
               width: int = 640, height: int = 240) -> str:
    """One line per series over the days (missing days count as 0)."""
    left, bottom, top_pad = 40, 40, 30
    plot_w, plot_h = width - left - 150, height - bottom - top_pad
    peak = max((v for s in series.values() for v in s.values()), default=0) or 1
    step = plot_w / max(1, len(days) - 1)
    parts = [f'<svg role="img" aria-label="{escape(title)}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" '
             f'y2="{top_pad + plot_h}" stroke="#999"/>']
    for i, day in enumerate(days):
        parts.append(f'<text x="{left + i * step:.1f}" y="{height - 20}" font-size="10" '
                     f'text-anchor="middle">{day:%m-%d}</text>')
    for n, (name, points) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        coords = " ".join(f"{left + i * step:.1f},"
                          f"{top_pad + plot_h - plot_h * points.get(d, 0) / peak:.1f}"
                          for i, d in enumerate(days))
        parts += [f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                  f'points="{coords}"><title>{escape(name)}</title></polyline>',
                  f'<text x="{left + plot_w + 10}" y="{top_pad + 14 * n + 10}" '
                  f'font-size="12" fill="{colour}">{escape(name[:22])}</text>']
    parts.append("</svg>")
    return "".join(parts)


def _table(columns: list[str], rows: list[tuple], limit: int = 30) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>"
                                    for v in row) + "</tr>" for row in rows[:limit])
    more = f"<p>{len(rows) - limit} more rows…</p>" if len(rows) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def build_html_report(settings: Settings, first: date, last: date) -> str:
    params = {"from_day": first, "to_day": last}
    days = _days(first, last)
    _, mention_rows = query(settings.catalog, MENTIONS_SQL, params, lake=settings.lake)
    mentions: dict[str, dict[date, float]] = {}
    for entity, day, count in mention_rows:
        mentions.setdefault(entity, {})[day] = count
    _, speaker_rows = query(settings.catalog, SPEAKERS_SQL, params, lake=settings.lake)
    _, article_rows = query(settings.catalog, ARTICLES_SQL, params, lake=settings.lake)
    per_source: dict[str, dict[date, float]] = {}
    for source, day, count in article_rows:
        per_source.setdefault(source, {})[day] = count
    sections = [
        line_chart("Mentions of the top entities (articles per day)", days, mentions),
        bar_chart("Quotes per speaker", [r[0] for r in speaker_rows],
                  [r[1] for r in speaker_rows]),
        line_chart("Articles per source and day", days, per_source),
    ]
    for name, report in named_reports().items():
        columns, rows = run_named_report(settings, name, first, last)
        sections.append(f"<h2>{escape(name)}</h2><p>{escape(report.description)}</p>"
                        + _table(columns, rows))
    title = f"newswire {first} .. {last}"
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>body{{font-family:sans-serif;margin:24px}}"
            "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;"
            "padding:3px 6px;text-align:left;vertical-align:top}svg{display:block;"
            "margin:18px 0}</style></head><body>"
            f"<h1>{escape(title)}</h1>" + "".join(sections) + "</body></html>")
