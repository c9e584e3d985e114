"""The bundled sample source: every page it serves cleans back to its content."""

from __future__ import annotations

import urllib.request
from datetime import UTC

import pytest
from newswire.clean import clean_html
from newswire.clean.places import natural_case
from newswire.clean.text import normalize_text
from newswire.sample_site.archive import ARCHIVE_DAYS, archive_articles
from newswire.sample_site.site import build_site, load_content

CONTENT = load_content()
ALL = [a for articles in CONTENT.values() for a in articles]
ARCHIVE = archive_articles("sample_aa")[:3] + archive_articles("sample_wire")[:3]
PROFILES = {"sample_aa": ("aa", "tr", "Europe/Istanbul"), "sample_wire": ("generic", "en",
                                                                        "UTC")}


def test_the_sample_covers_at_least_five_consecutive_days_per_source() -> None:
    for articles in CONTENT.values():
        days = sorted({a.published_at.astimezone(UTC).date() for a in articles})
        assert len(days) >= 5
        assert (days[-1] - days[0]).days + 1 == len(days)


@pytest.mark.parametrize("article", ALL + ARCHIVE, ids=[a.slug[:40] for a in ALL + ARCHIVE])
def test_served_page_cleans_back_to_its_content(article, sample_url: str) -> None:
    with urllib.request.urlopen(sample_url + article.path) as resp:
        body, ctype = resp.read(), resp.headers["Content-Type"]
    profile, lang, tz = PROFILES[article.source]
    cleaned = clean_html(body, sample_url + article.path, source=article.source,
                         source_lang=lang, profile=profile, timezone=tz, content_type=ctype)
    expected = [(s.get("heading"), [normalize_text(p) for p in s["paragraphs"]])
                for s in article.sections]
    assert [(s.heading, s.paragraphs) for s in cleaned.sections] == expected
    assert cleaned.title == article.title
    # The page prints "BRÜKSEL (AA) -"; the dateline column keeps it in natural case.
    assert cleaned.dateline == (natural_case(article.dateline, lang) if article.dateline
                                else None)
    assert cleaned.published_at == article.published_at
    assert cleaned.lang == lang, cleaned.warnings
    assert cleaned.byline == article.byline


def test_one_page_is_served_in_windows_1254(sample_url: str) -> None:
    site = build_site(sample_url)
    legacy = [r for r in site.values() if "windows-1254" in r.content_type]
    assert len(legacy) == 1
    with pytest.raises(UnicodeDecodeError):
        legacy[0].body.decode("utf-8")


def test_archive_reaches_back_30_days_through_sitemaps_only(sample_url: str) -> None:
    site = build_site(sample_url)
    feed = site["/aa/rss.xml"].body.decode()
    november = site["/aa/sitemaps/2017-11.xml"].body.decode()
    archive = archive_articles("sample_aa")
    days = {a.published_at.date() for a in archive}
    assert len(days) == ARCHIVE_DAYS
    assert all(a.path in november for a in archive if a.published_at.month == 11)
    assert not any(a.path in feed for a in archive)  # the live feed is recent items only
    assert "/aa/sitemaps/2017-11.xml" in site["/aa/sitemap.xml"].body.decode()
