"""Discovery from feeds and sitemaps, on the sample source served on 127.0.0.1."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from newswire.discover import (
    SourceUnreachable,
    discover,
    parse_date,
    parse_feed,
    parse_sitemap,
)
from newswire.fetch import Fetcher
from newswire.sources import Source, load_sources

from tests.servers import refused_url

DAY = datetime(2017, 12, 4, tzinfo=UTC)
NEXT = datetime(2017, 12, 5, tzinfo=UTC)
LATE = datetime(2017, 12, 9, tzinfo=UTC)


def test_sample_source_day_is_discovered_once_per_article(settings) -> None:
    source = load_sources(settings.sources_file, only=["sample_aa"])[0]
    fetcher = Fetcher(source.politeness, source.allowed_domains, settings.user_agent)
    found = discover(source, fetcher, DAY, NEXT)
    urls = [i.url for i in found.items]
    assert any("nato-genel-sekreteri-stoltenberg" in u for u in urls)
    assert found.errors == [] and len(urls) == 2
    # A recent day is both in the feed (with utm_ parameters) and in the sitemap.
    found = discover(source, fetcher, LATE, LATE + (NEXT - DAY))
    urls = [i.url for i in found.items]
    assert len(urls) == len(set(urls)) == 3
    assert all("utm_" not in u for u in urls)
    assert found.skipped["duplicate"] >= 1
    assert all(LATE <= i.published_at < LATE + (NEXT - DAY) for i in found.items)
    assert found.errors == []
    purposes = {purpose for purpose, _ in found.attempts}
    assert purposes == {"feed", "sitemap"}


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>in</title><link>http://a.example/x?utm_source=rss#top</link>
<pubDate>Mon, 04 Dec 2017 23:59:00 +0000</pubDate></item>
<item><title>next day in Istanbul, same UTC day</title><link>http://a.example/y</link>
<pubDate>Tue, 05 Dec 2017 01:30:00 +0300</pubDate></item>
<item><title>out</title><link>http://a.example/z</link>
<pubDate>Tue, 05 Dec 2017 00:00:00 +0000</pubDate></item>
<item><title>undated</title><link>http://a.example/u</link></item>
<item><title>foreign</title><link>http://evil.example/p</link>
<pubDate>Mon, 04 Dec 2017 10:00:00 +0000</pubDate></item>
</channel></rss>"""


def test_feed_items_are_filtered_to_the_interval() -> None:
    items = parse_feed(RSS, "http://a.example/rss")
    assert len(items) == 5
    from newswire.discover import select_items
    from newswire.sources import Source

    source = Source(id="a", lang="en", feeds=["http://a.example/rss"])
    chosen = select_items(items, source, DAY, NEXT)
    assert [i.url for i in chosen.items] == ["http://a.example/y", "http://a.example/x"]
    assert chosen.skipped == {"undated": 1, "out_of_interval": 1, "foreign_host": 1,
                              "bad_url": 0, "duplicate": 0, "listed_earlier": 0}


def test_not_a_feed_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a feed"):
        parse_feed(b"<html><body>hello</body></html>", "http://a.example/rss")


SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://a.example/sitemaps/2017-11.xml</loc><lastmod>2017-11-30T23:00:00Z</lastmod></sitemap>
<sitemap><loc>http://a.example/sitemaps/2017-12.xml</loc><lastmod>2017-12-09T10:00:00Z</lastmod></sitemap>
</sitemapindex>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://a.example/news/1</loc><lastmod>2017-12-08T10:00:00Z</lastmod>
<news:news><news:publication_date>2017-12-04T12:00:00+03:00</news:publication_date>
<news:title>Bir</news:title></news:news></url>
<url><loc>http://a.example/news/2</loc><lastmod>2017-12-05T08:00:00Z</lastmod></url>
</urlset>"""


def test_sitemap_index_and_news_urlset() -> None:
    entries, children = parse_sitemap(SITEMAP_INDEX, "http://a.example/sitemap.xml")
    assert entries == [] and [c for c, _ in children] == [
        "http://a.example/sitemaps/2017-11.xml", "http://a.example/sitemaps/2017-12.xml"]
    entries, children = parse_sitemap(gzip.compress(URLSET), "http://a.example/s.xml.gz")
    assert children == []
    # The news publication date wins over lastmod (a later edit).
    assert entries[0].published_at == datetime(2017, 12, 4, 9, 0, tzinfo=UTC)
    assert entries[0].title == "Bir"
    assert entries[1].published_at == datetime(2017, 12, 5, 8, 0, tzinfo=UTC)


def test_sitemap_entities_are_not_expanded() -> None:
    hostile = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a.example/&x;</loc>
<lastmod>2017-12-04</lastmod></url></urlset>"""
    entries, _ = parse_sitemap(hostile, "http://a.example/s.xml")
    assert all("root:" not in (e.url or "") for e in entries)


def test_not_a_sitemap_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a sitemap"):
        parse_sitemap(b"<html/>", "http://a.example/s.xml")


def test_feed_entity_expansion_is_refused() -> None:
    laughs = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>&c; &xxe;</title>
<link>http://a.example/x</link><pubDate>Mon, 04 Dec 2017 10:00:00 +0000</pubDate></item>
</channel></rss>"""
    with pytest.raises(ValueError, match="entity expansion"):
        parse_feed(laughs, "http://a.example/rss")


def test_sitemap_internal_entities_are_not_expanded() -> None:
    laughs = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>
<loc>http://a.example/&b;</loc><lastmod>2017-12-04</lastmod></url></urlset>"""
    entries, _ = parse_sitemap(laughs, "http://a.example/s.xml")
    assert all("aaaaaaaaaa" not in (e.url or "") for e in entries)


def test_links_to_other_ports_and_schemes_are_dropped() -> None:
    from newswire.discover import DiscoveredItem, select_items
    from newswire.sources import Source

    source = Source(id="s", lang="tr", feeds=["http://127.0.0.1:8765/rss"])
    when = datetime(2017, 12, 4, 10, tzinfo=UTC)
    items = [DiscoveredItem(url, "feed", "f", when, None) for url in (
        "http://127.0.0.1:8765/ok", "http://127.0.0.1:5432/admin", "http://127.0.0.1/x",
        "file:///etc/passwd", "http://169.254.169.254/latest/meta-data")]
    chosen = select_items(items, source, DAY, NEXT)
    assert [i.url for i in chosen.items] == ["http://127.0.0.1:8765/ok"]
    assert chosen.skipped["foreign_host"] == 3 and chosen.skipped["bad_url"] == 1


def _discover(feeds: list[str], sitemaps: list[str], start: datetime = DAY,
              end: datetime = NEXT):
    source = Source(id="down", lang="tr", feeds=feeds, sitemaps=sitemaps,
                    politeness={"min_delay_s": 0, "max_retries": 1, "backoff_s": 0.01})
    return discover(source, Fetcher(source.politeness, source.allowed_domains, "t"),
                    start, end)


def test_a_source_read_nowhere_is_unreachable(sample_url: str) -> None:
    refused = refused_url()
    with pytest.raises(SourceUnreachable) as caught:
        _discover([f"{refused}/rss.xml"], [f"{sample_url}/no-such/sitemap.xml"])
    message = str(caught.value)
    assert caught.value.source == "down"
    assert message.startswith("source down could not be read: ")
    assert f"feed {refused}/rss.xml: gave up after 2 attempt(s): ConnectionError: " \
           f"connection refused ({refused.removeprefix('http://')})" in message
    assert f"sitemap {sample_url}/no-such/sitemap.xml: HTTP 404" in message
    # A page that answers, but is no feed, is not a reading of the source either.
    with pytest.raises(SourceUnreachable, match="not a feed"):
        _discover([f"{sample_url}/robots.txt"], [])


def test_a_listing_read_with_nothing_for_the_day_is_an_empty_day(sample_url: str) -> None:
    # The feed is down but the sitemap answers: discovery goes on, the error is kept.
    found = _discover([f"{sample_url}/no-such/rss.xml"], [f"{sample_url}/aa/sitemap.xml"])
    assert len(found.items) == 2 and found.errors == [
        f"feed {sample_url}/no-such/rss.xml: HTTP 404"]
    # Read, and nothing published that day (long before the sample archive): no error.
    early = datetime(2016, 1, 1, tzinfo=UTC)
    found = _discover([f"{sample_url}/aa/rss.xml"], [], early, early.replace(day=2))
    assert found.items == [] and found.errors == []


@pytest.mark.parametrize("text", [
    "2018-01-01", "2018-01-01T15:27:00+03:00", "2018-01-01T15:27:00Z", "2018-01-01T15:27Z",
    "2018-01-01T15:27:00.5+0300", "2018-01-01 15:27:00", " 2018-01-01T00:00:00-05:00 ",
    "2018-01-01T15:27:00+03", "Mon, 01 Jan 2018 15:27:00 +0300", "20180101"])
def test_parse_date_reads_w3c_dates_as_dateutil_does(text: str) -> None:
    """Sitemap dates take a fast path (fromisoformat); the instant is dateutil's."""
    from dateutil import parser as dateparser

    expected = dateparser.parse(text.strip())
    if expected.tzinfo is None:
        expected = expected.replace(tzinfo=UTC)
    assert parse_date(text) == expected and parse_date(text).tzinfo == UTC


def test_parse_date_gives_none_for_an_impossible_day() -> None:
    assert parse_date("2018-02-30") is None and parse_date("yesterday-ish") is None
