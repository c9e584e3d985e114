"""The HTML report: charts (Altair specs rendered to inline SVG by vl-convert, offline:
no JavaScript in the page, nothing fetched) and the named reports' tables for a period.
Everything shown is escaped (vl-convert escapes the text it draws)."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

import altair as alt

from newswire.catalog import query
from newswire.config import Settings
from newswire.report import named_reports, run_named_report

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


def _count_axis(title: str, values: list[float]) -> alt.Axis:
    """An axis of counts: whole-number ticks only (a peak of 1 reads 0, 1; not 0.5)."""
    return alt.Axis(title=title, format="d", tickCount=int(min(max(values, default=1), 5)))


def _svg(chart: alt.Chart) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_dict())


def bar_chart(title: str, labels: list[str], values: list[float], x_title: str = "Quotes",
              y_title: str = "Speaker", width: int = 460) -> str:
    """Horizontal bars, one per label, largest first."""
    rows = [{"label": label, "value": value}
            for label, value in zip(labels, values, strict=True)]
    chart = alt.Chart(alt.Data(values=rows), title=title, width=width).mark_bar().encode(
        x=alt.X("value:Q", axis=_count_axis(x_title, values)),
        y=alt.Y("label:N", title=y_title, sort="-x", axis=alt.Axis(labelLimit=180)))
    text = chart.mark_text(align="left", dx=3).encode(text="value:Q")
    return _svg(alt.layer(chart, text, title=title))


def line_chart(title: str, days: list[date], series: dict[str, dict[date, float]],
               y_title: str = "Articles", legend: str = "Entity", width: int = 460) -> str:
    """One line per series over the days (missing days count as 0)."""
    rows = [{"day": day.isoformat(), "value": points.get(day, 0), "series": name}
            for name, points in series.items() for day in days]
    # utc time unit: a day is drawn as that day whatever the renderer's time zone; the
    # period's days make the axis even when no series has a point.
    period = [alt.DateTime(year=d.year, month=d.month, date=d.day, utc=True)
              for d in (days[0], days[-1])] if days else alt.Undefined
    chart = alt.Chart(alt.Data(values=rows), title=title, width=width).mark_line(
        point=True).encode(
        x=alt.X("utcyearmonthdate(day):T", title="Day", scale=alt.Scale(domain=period),
                axis=alt.Axis(format="%b %d", tickCount="day")),
        y=alt.Y("value:Q", axis=_count_axis(y_title, [r["value"] for r in rows])),
        color=alt.Color("series:N", title=legend, legend=alt.Legend(labelLimit=200)))
    return _svg(chart)


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
        line_chart("Articles per source and day", days, per_source, legend="Source"),
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
