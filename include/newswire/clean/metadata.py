"""Article metadata: JSON-LD first, then meta tags, then visible text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import dateparser
from bs4 import BeautifulSoup, Tag
from dateutil import parser as isoparser

from newswire.clean.text import normalize_text

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle",
                  "blogposting", "report", "opinionnewsarticle", "backgroundnewsarticle"}


@dataclass
class Metadata:
    title: str | None = None
    summary: str | None = None
    byline: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    lang: str | None = None
    body_hint: str | None = None  # JSON-LD articleBody, a last-resort body


def _jsonld_objects(soup: BeautifulSoup) -> list[dict]:
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if "@graph" in node:
                walk(node["@graph"])
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                found.append(node)

    for script in soup.find_all("script", type="application/ld+json"):
        try:
            walk(json.loads(script.string or ""))
        except (json.JSONDecodeError, TypeError):
            continue
    return found


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta",
                                                                       attrs={"name": name})
        if tag is None:
            tag = soup.find(attrs={"itemprop": name})
        if isinstance(tag, Tag):
            value = tag.get("content") or tag.get("datetime") or tag.get_text()
            if isinstance(value, str) and value.strip():
                return normalize_text(value)
    return None


def parse_datetime(text: str | None, tz: str = "UTC") -> datetime | None:
    """An aware datetime from ISO or a visible date ('04.12.2017 15:30', '4 Aralık 2017').
    Naive values are read in the source's timezone."""
    if not text:
        return None
    text = text.strip()
    zone = ZoneInfo(tz)
    try:
        value = isoparser.isoparse(text)
    except ValueError:
        value = dateparser.parse(
            text, languages=["tr", "en"],
            settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first",
                      "RETURN_AS_TIMEZONE_AWARE": False, "STRICT_PARSING": False},
        )
        if value is None:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value


def _author_name(value: object) -> str | None:
    if isinstance(value, str):
        return normalize_text(value) or None
    if isinstance(value, dict):
        return _author_name(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_author_name(v) for v in value) if n]
        return ", ".join(names) or None
    return None


_VISIBLE_DATE = re.compile(r"\b(\d{1,2}[./]\d{1,2}[./]\d{4}(?:\s*[-,]?\s*\d{1,2}:\d{2})?)")


def extract_metadata(soup: BeautifulSoup, tz: str = "UTC") -> Metadata:
    meta = Metadata()
    for obj in _jsonld_objects(soup):
        meta.title = meta.title or (normalize_text(str(obj.get("headline", ""))) or None)
        meta.summary = meta.summary or (normalize_text(str(obj.get("description", ""))) or None)
        meta.byline = meta.byline or _author_name(obj.get("author"))
        meta.published_at = meta.published_at or parse_datetime(obj.get("datePublished"), tz)
        meta.modified_at = meta.modified_at or parse_datetime(obj.get("dateModified"), tz)
        lang = obj.get("inLanguage")
        if isinstance(lang, str):
            meta.lang = meta.lang or lang.split("-")[0].lower()
        body = obj.get("articleBody")
        if isinstance(body, str) and body.strip():
            meta.body_hint = meta.body_hint or body
    meta.title = meta.title or _meta(soup, "og:title", "twitter:title")
    if meta.title is None:
        h1 = soup.find("h1")
        title_tag = h1 or soup.find("title")
        if title_tag:
            meta.title = normalize_text(title_tag.get_text(" ")) or None
    meta.summary = meta.summary or _meta(soup, "og:description", "description",
                                         "twitter:description")
    meta.byline = meta.byline or _meta(soup, "author", "article:author", "byl")
    meta.published_at = meta.published_at or parse_datetime(
        _meta(soup, "article:published_time", "datePublished", "pubdate", "publish-date",
              "date", "DC.date.issued"), tz)
    meta.modified_at = meta.modified_at or parse_datetime(
        _meta(soup, "article:modified_time", "dateModified", "og:updated_time"), tz)
    if meta.published_at is None:
        time_tag = soup.find("time", attrs={"datetime": True})
        if isinstance(time_tag, Tag):
            meta.published_at = parse_datetime(str(time_tag["datetime"]), tz)
    html = soup.find("html")
    if meta.lang is None and isinstance(html, Tag) and html.get("lang"):
        meta.lang = str(html["lang"]).split("-")[0].lower()
    return meta


def visible_dates(text: str, tz: str) -> list[datetime]:
    """Dates printed on the page, as AA does ('04.12.2017 15:30')."""
    found = []
    for match in _VISIBLE_DATE.finditer(text):
        value = parse_datetime(match.group(1).replace("-", " "), tz)
        if value:
            found.append(value)
    return found
