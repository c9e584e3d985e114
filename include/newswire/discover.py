"""Discovery: which article URLs a source published in a time interval.

Feeds (RSS/Atom, parsed by feedparser) hold recent items; sitemaps (including
sitemap indexes and Google News sitemaps) reach back into the archive.
"""

from __future__ import annotations

import calendar
import contextlib
import gzip
import io
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser
from dateutil import parser as dateparser
from lxml import etree

from newswire.fetch import FetchAttempt, Fetcher, FetchResult
from newswire.sources import Source
from newswire.urls import UrlError, article_id, canonical_url, host_allowed

MAX_SITEMAP_DEPTH = 3
MAX_XML_BYTES = 50_000_000


class SourceUnreachable(Exception):
    """None of a source's feeds and sitemaps could be read (refused, DNS failure, an HTTP
    error, not a feed): the run cannot know what the source published, so it fails
    rather than record an empty day. A listing that was read and lists nothing for the
    interval is not this: that day is empty."""

    def __init__(self, source: str, reasons: list[str]) -> None:
        self.source = source
        self.reasons = reasons
        super().__init__(f"source {source} could not be read: {'; '.join(reasons)}")


@dataclass
class DiscoveredItem:
    url: str
    found_via: str  # "feed" or "sitemap"
    listed_in: str
    published_at: datetime | None
    title: str | None


@dataclass
class Discovery:
    items: list[DiscoveredItem]
    attempts: list[tuple[str, FetchAttempt]]  # (purpose, attempt)
    errors: list[str]
    skipped: dict[str, int]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A W3C datetime as sitemaps write it ("2018-01-01", "2018-01-01T15:27:00+03:00", "...Z"):
# read by datetime.fromisoformat, 200 times faster than dateutil (a sitemap has thousands).
_W3C_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                       r"(?:Z|[+-]\d{2}:?\d{2})?)?")


def parse_date(text: str | None) -> datetime | None:
    """An ISO-8601 or RFC-822 date as an aware UTC datetime (naive means UTC)."""
    if not text:
        return None
    text = text.strip()
    if _W3C_DATE.fullmatch(text):
        with contextlib.suppress(ValueError):  # 2018-02-30: dateutil says why
            return _utc(datetime.fromisoformat(text))
    try:
        return _utc(dateparser.parse(text))
    except (ValueError, OverflowError, TypeError):
        return None


_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


def parse_feed(body: bytes, feed_url: str,
               content_type: str = "application/xml") -> list[DiscoveredItem]:
    # feedparser expands internal entities: a feed that declares any is refused (no
    # legitimate feed needs them; "billion laughs" does).
    if _ENTITY_DECLARATION.search(body[:65536]):
        raise ValueError("feed declares XML entities (refused: entity expansion attack)")
    parsed = feedparser.parse(io.BytesIO(body), response_headers={
        "content-location": feed_url, "content-type": content_type})
    if not parsed.entries and not parsed.get("version"):
        raise ValueError(f"not a feed ({parsed.get('bozo_exception') or 'no RSS or Atom root'})")
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = (datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None)
        items.append(DiscoveredItem(link, "feed", feed_url, published, entry.get("title")))
    return items


def _xml_root(body: bytes) -> etree._Element:
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as gz:
                body = gz.read(MAX_XML_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:  # truncated or corrupt gzip
            raise ValueError(f"not a readable gzip sitemap: {exc}") from exc
        if len(body) > MAX_XML_BYTES:
            raise ValueError(f"sitemap larger than {MAX_XML_BYTES} bytes uncompressed")
    # No entity expansion, no DTD, no network: sitemaps come from the open web.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, recover=False)
    return etree.fromstring(body, parser=parser)


def parse_sitemap(body: bytes, sitemap_url: str) -> tuple[list[DiscoveredItem],
                                                          list[tuple[str, datetime | None]]]:
    """Return (article entries, child sitemaps) of a sitemap or sitemap index."""
    root = _xml_root(body)
    local = etree.QName(root).localname
    if local == "sitemapindex":
        children = []
        for node in root:
            if not isinstance(node.tag, str) or etree.QName(node).localname != "sitemap":
                continue
            texts = _texts(node)
            if texts.get("loc"):
                children.append((texts["loc"], parse_date(texts.get("lastmod"))))
        return [], children
    if local != "urlset":
        raise ValueError(f"not a sitemap: root element <{local}>")
    items = []
    for node in root:
        if not isinstance(node.tag, str) or etree.QName(node).localname != "url":
            continue
        texts = _texts(node)
        loc = texts.get("loc")
        if not loc:
            continue
        published = parse_date(texts.get("publication_date")) \
            or parse_date(texts.get("lastmod"))
        items.append(DiscoveredItem(loc, "sitemap", sitemap_url, published,
                                    texts.get("title")))
    return items, []


def _texts(node: etree._Element) -> dict[str, str | None]:
    """The text of the first element of each local name in ``node`` (itself included),
    in one pass: a sitemap's thousands of <url> entries are each read once, not once per
    field asked for."""
    found: dict[str, str | None] = {}
    for element in node.iter():
        tag = element.tag
        if isinstance(tag, str):  # not a comment or processing instruction
            name = tag.rpartition("}")[2]  # the local name, as etree.QName gives it
            if name not in found:
                found[name] = (element.text or "").strip() or None
    return found


def discover(source: Source, fetcher: Fetcher, start: datetime, end: datetime) -> Discovery:
    """Items of ``source`` published in [start, end), canonical and deduplicated.

    Raises SourceUnreachable when not one of the source's own feeds and sitemaps could
    be read and parsed (child sitemaps of an index that was read do not count)."""
    start, end = _utc(start), _utc(end)
    found: list[DiscoveredItem] = []
    attempts: list[tuple[str, FetchAttempt]] = []
    errors: list[str] = []
    listings_read = 0

    def got(url: str, purpose: str, result: FetchResult) -> bytes | None:
        attempts.extend((purpose, a) for a in result.attempts)
        if not result.ok or result.body is None:
            errors.append(f"{purpose} {url}: {result.error}")
            return None
        return result.body

    for feed_url in source.feeds:
        body = got(feed_url, "feed", fetcher.fetch(feed_url))
        if body is None:
            continue
        try:
            found.extend(parse_feed(body, feed_url))
            listings_read += 1
        except ValueError as exc:
            errors.append(f"feed {feed_url}: {exc}")

    # Breadth first, a level at a time (an index, then its day sitemaps): each level's
    # sitemaps are asked for together, in order, overlapped only where the source's
    # politeness sets no delay (Fetcher.fetch_all); each is read once.
    level = list(source.sitemaps)
    seen_maps: set[str] = set()
    for depth in range(MAX_SITEMAP_DEPTH + 1):
        asked = [url for url in dict.fromkeys(level) if url not in seen_maps]
        seen_maps.update(asked)
        level = []
        results = fetcher.fetch_all([(url, None, None) for url in asked])
        for map_url, result in zip(asked, results, strict=True):
            body = got(map_url, "sitemap", result)
            if body is None:
                continue
            try:
                entries, children = parse_sitemap(body, map_url)
            except (ValueError, etree.XMLSyntaxError) as exc:
                errors.append(f"sitemap {map_url}: {exc}")
                continue
            found.extend(entries)
            if depth == 0:
                listings_read += 1
            for child, lastmod in children:
                # A child sitemap last modified before the interval holds nothing newer.
                if lastmod is not None and lastmod < start:
                    continue
                if host_allowed(child, source.allowed_domains):
                    level.append(child)

    if listings_read == 0:
        raise SourceUnreachable(source.id, errors)
    selected = select_items(found, source, start, end)
    return Discovery(selected.items, attempts, errors, selected.skipped)


@dataclass
class Selection:
    items: list[DiscoveredItem]
    skipped: dict[str, int]  # why the others were dropped: reason -> count


def select_items(found: list[DiscoveredItem], source: Source, start: datetime,
                 end: datetime) -> Selection:
    """The listed items that are the source's articles of [start, end): canonical URLs on
    its allowed domains, each article once (one stable id, ``urls.article_id``: the AMP
    page, an http link and a tracked link of one article are one item), sorted by date.

    An article listed with different dates (the feed and the sitemap disagree) belongs
    to the earliest listed day, whichever day is run: it lands on one day only."""
    skipped = {"undated": 0, "out_of_interval": 0, "foreign_host": 0, "bad_url": 0,
               "duplicate": 0, "listed_earlier": 0}
    by_id: dict[str, DiscoveredItem] = {}
    listed_in_interval: set[str] = set()
    for item in found:
        try:
            url = canonical_url(item.url)
        except UrlError:
            skipped["bad_url"] += 1
            continue
        if not host_allowed(url, source.allowed_domains):
            skipped["foreign_host"] += 1
            continue
        if item.published_at is None:
            skipped["undated"] += 1
            continue
        item.url = url
        key = article_id(source.id, url)
        if start <= item.published_at < end:
            listed_in_interval.add(key)
        first = by_id.get(key)
        if first is None:
            by_id[key] = item
            continue
        skipped["duplicate"] += 1
        chosen, other = (item, first) if _listed_before(item, first) else (first, item)
        # Feeds carry titles; keep the richer record.
        if chosen.title is None and other.title:
            chosen.title = other.title
        by_id[key] = chosen
    items = []
    for key, item in by_id.items():
        assert item.published_at is not None
        if start <= item.published_at < end:
            items.append(item)
        elif key in listed_in_interval:
            skipped["listed_earlier"] += 1  # also listed in the interval, but earlier
        else:
            skipped["out_of_interval"] += 1
    items.sort(key=lambda i: (i.published_at, i.url))
    return Selection(items, skipped)


def _listed_before(item: DiscoveredItem, other: DiscoveredItem) -> bool:
    """Deterministic: the earlier date, then the shorter (plainer) URL, then the URL."""
    assert item.published_at is not None and other.published_at is not None
    return ((item.published_at, len(item.url), item.url)
            < (other.published_at, len(other.url), other.url))
