"""Fuzz sitemap discovery: any bytes (gzip too) in, entries or child sitemaps out, or
the errors discover() records (ValueError, XMLSyntaxError); no entity is ever expanded."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import atheris
from _common import bytes_from, run
from lxml import etree

with atheris.instrument_imports(include=["newswire"]):
    from newswire.discover import parse_sitemap, select_items
    from newswire.sources import Source

SOURCE = Source(id="a", lang="en", sitemaps=["http://a.example/sitemap.xml"])
START, END = datetime(2017, 12, 4, tzinfo=UTC), datetime(2017, 12, 5, tzinfo=UTC)


def sitemap_bytes(data: bytes) -> bytes:
    """Raw bytes, or fuzzed entries inside a urlset or a sitemap index."""
    if not data or data[0] % 3 == 0:
        return bytes_from(data[1:])
    inner = bytes_from(data[1:])
    ns = b"xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'"
    if data[0] % 3 == 1:
        return (b"<?xml version='1.0'?><urlset " + ns + b"><url><loc>http://a.example/"
                + inner + b"</loc><lastmod>2017-12-04T10:00:00Z</lastmod></url><url>" + inner
                + b"</url></urlset>")
    return (b"<?xml version='1.0'?><sitemapindex " + ns + b"><sitemap><loc>" + inner
            + b"</loc><lastmod>" + inner + b"</lastmod></sitemap></sitemapindex>")


def test_one_input(data: bytes) -> None:
    body = sitemap_bytes(data)
    if len(data) % 3 == 0:
        body = gzip.compress(body)[: max(2, len(body) % 97 + 10)]  # often truncated
    try:
        items, children = parse_sitemap(body, "http://a.example/sitemap.xml")
    except (ValueError, etree.XMLSyntaxError):
        return
    assert not (items and children)
    for item in items:
        assert "root:" not in item.url  # file:///etc/passwd was not read
    select_items(items, SOURCE, START, END)


if __name__ == "__main__":
    run(test_one_input)
