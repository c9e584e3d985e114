"""Pages in the styles of real agency and newspaper sites (tests/fixtures/layouts), with
the gold each cleaned page must give back: body, dateline, byline, date, no leaks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

LAYOUTS_DIR = Path(__file__).parent / "fixtures" / "layouts"
MONTHS_TR = ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos",
             "Eylül", "Ekim", "Kasım", "Aralık"]
WEEKDAYS_TR = ["Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi", "Pazar"]


@dataclass
class LayoutPage:
    layout: str
    style: str
    slug: str
    lang: str
    timezone: str
    html: str
    path: str
    title: str
    paragraphs: list[str]
    dateline: str | None  # natural case; None: the site prints none
    byline: str | None  # None: the site prints none
    published: datetime  # aware, local
    precision: str  # what the page prints: day or minute
    leaks: list[str] = field(default_factory=list)


def _upper(text: str, lang: str) -> str:
    return (text.replace("i", "İ").replace("ı", "I") if lang == "tr" else text).upper()


def _date_fields(local: datetime) -> dict[str, str]:
    hour12 = local.hour % 12 or 12
    return {"dd": f"{local.day:02d}", "mm": f"{local.month:02d}", "yyyy": str(local.year),
            "HH": f"{local.hour:02d}", "MM": f"{local.minute:02d}", "day": str(local.day),
            "month_tr": MONTHS_TR[local.month - 1], "weekday_tr": WEEKDAYS_TR[local.weekday()],
            "month_en": local.strftime("%B"), "month_abbr": local.strftime("%b"),
            "month_en_upper": local.strftime("%b").upper(), "hh12": str(hour12),
            "ampm": "AM" if local.hour < 12 else "PM", "iso": local.isoformat(),
            "iso_z": local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "ms": str(int(local.timestamp() * 1000))}


def _body(layout: dict, article: dict, lang: str, fields: dict[str, str]) -> str:
    place = article["place"]
    names = {"PLACE": _upper(place, lang), "Place": place, "byline": article["byline"],
             **fields}
    paragraphs = [escape(p, quote=False) for p in article["paragraphs"]]
    form = layout["dateline"]
    blocks = []
    if "lead" in form:
        paragraphs[0] = form["lead"].format(**names) + paragraphs[0]
    elif "trailing" in form:
        paragraphs[-1] = paragraphs[-1] + form["trailing"].format(**names)
    elif "alone" in form:
        blocks.append(form["alone"].format(**names))
    if "signoff" in layout:  # an agency's credit after the last sentence: " (AA)"
        paragraphs[-1] = paragraphs[-1] + layout["signoff"]
    inserts = layout.get("inserts", {})  # furniture a site puts between paragraphs
    for n, text in enumerate(paragraphs):
        blocks.append(layout["paragraph"].format(text=text, n=n))
        if n in inserts and n < len(paragraphs) - 1:
            blocks.append(inserts[n].format(**names))
    return "\n".join(blocks)


def layout_pages(names: list[str] | None = None) -> list[LayoutPage]:
    layouts = yaml.safe_load((LAYOUTS_DIR / "layouts.yaml").read_text("utf-8"))
    articles = yaml.safe_load((LAYOUTS_DIR / "articles.yaml").read_text("utf-8"))
    pages = []
    for name, layout in layouts.items():
        if names and name not in names:
            continue
        lang, tz = layout["lang"], layout["timezone"]
        for article in articles[lang]:
            local = datetime.fromisoformat(article["published"]).replace(tzinfo=ZoneInfo(tz))
            fields = _date_fields(local)
            values = {"title": escape(article["title"]), "lead": escape(article["lead"]),
                      "byline": escape(article["byline"]), "place": escape(article["place"]),
                      "date": layout["date"].format(**fields),
                      "body": _body(layout, article, lang, fields), **fields}
            pages.append(LayoutPage(
                layout=name, style=layout["style"], slug=article["slug"], lang=lang,
                timezone=tz, html=layout["page"].format(**values),
                path=f"/{name}/{local:%Y/%m/%d}/{article['slug']}.html",
                title=article["title"], paragraphs=list(article["paragraphs"]),
                dateline=article["place"] if layout["dateline"] else None,
                byline=article["byline"] if layout.get("byline_shown", True) else None,
                published=local,
                precision=layout["precision"], leaks=list(layout["leaks"])))
    return pages


def expected_published(page: LayoutPage) -> datetime:
    """What published_at must be: the printed time, or for a bare day that day at 00:00
    UTC (precision "day")."""
    if page.precision == "day":
        return datetime(page.published.year, page.published.month, page.published.day,
                        tzinfo=UTC)
    return page.published.astimezone(UTC)
