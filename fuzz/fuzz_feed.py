"""Fuzz feed discovery: any bytes in, feed items out or a ValueError; the selection
keeps only canonical, allowed, in-interval URLs."""

from __future__ import annotations

from datetime import UTC, datetime

import atheris
from _common import bytes_from, run

with atheris.instrument_imports(include=["newswire"]):
    from newswire.discover import parse_feed, select_items
    from newswire.sources import Source
    from newswire.urls import canonical_url, host_allowed

SOURCE = Source(id="a", lang="en", feeds=["http://a.example/rss"])
START, END = datetime(2017, 12, 4, tzinfo=UTC), datetime(2017, 12, 5, tzinfo=UTC)


def feed_bytes(data: bytes) -> bytes:
    """Raw bytes, or fuzzed items inside an RSS or Atom skeleton (so feedparser yields
    entries and the selection runs)."""
    if not data or data[0] % 3 == 0:
        return bytes_from(data[1:])
    items = bytes_from(data[1:])
    if data[0] % 3 == 1:
        return (b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item>"
                b"<title>x</title><link>" + items + b"</link><pubDate>Mon, 04 Dec 2017 "
                b"10:00:00 +0000</pubDate></item><item>" + items + b"</item></channel></rss>")
    return (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t"
            b"</title><entry><link href='http://a.example/" + items + b"'/><updated>"
            + items + b"</updated></entry></feed>")


def test_one_input(data: bytes) -> None:
    try:
        items = parse_feed(feed_bytes(data), "http://a.example/rss")
    except ValueError:
        return
    chosen = select_items(items, SOURCE, START, END)
    assert sum(chosen.skipped.values()) + len(chosen.items) == len(items)
    for item in chosen.items:
        assert item.url == canonical_url(item.url)
        assert host_allowed(item.url, SOURCE.allowed_domains)
        assert START <= item.published_at < END


if __name__ == "__main__":
    run(test_one_input)
