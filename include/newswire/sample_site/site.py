"""Builds the sample sites' pages, feeds and sitemaps from the bundled content files
(articles.py) and the generated archive (archive.py)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from newswire.sample_site.archive import archive_articles
from newswire.sample_site.articles import CONTENT_DIR, SITES, SampleArticle, load_content

__all__ = ["CONTENT_DIR", "Resource", "SampleArticle", "build_site", "load_content"]

# One AA page is served in windows-1254, as older Turkish sites still do.
LEGACY_ENCODING_INDEX = 1
FEED_ITEMS = 12


def _paragraph_html(text: str) -> str:
    # Kept as written: the seed's hard line breaks and no-break spaces stay in the page.
    return f"<p>{escape(text, quote=False)}</p>"


def render_aa(article: SampleArticle) -> str:
    # AA prints Turkish local time without a zone.
    local = article.published_at.astimezone(ZoneInfo("Europe/Istanbul"))
    body: list[str] = []
    first = True
    for section in article.sections:
        if section.get("heading"):
            body.append(f"<h3>{escape(section['heading'])}</h3>")
        for para in section["paragraphs"]:
            if first and article.dateline:
                para = f"{article.dateline} (AA) - {para}"
            first = False
            body.append(_paragraph_html(para))
        if len(body) == 3:
            body.append('<div class="detay-foto-editor"><img src="/static/foto.jpg" alt="">'
                        f'<span class="caption">Foto: {escape(article.title)} (AA)</span></div>')
    body.append("<p>Anadolu Ajansı web sitesinde, AA Haber Akış Sistemi (HAS) üzerinden "
                "abonelere sunulan haberler, özetlenerek yayımlanmaktadır. Abonelik için "
                "lütfen iletişime geçiniz.</p>")
    tags = "".join(f'<a href="/aa/etiket/{escape(t)}">{escape(t)}</a>' for t in article.tags)
    return f"""<!DOCTYPE html>
<html lang="tr"><head><meta charset="{{charset}}">
<title>{escape(article.title)}</title>
<meta property="og:title" content="{escape(article.title)}">
<meta name="description" content="{escape(article.lead)}">
<link rel="canonical" href="{escape(article.path)}">
</head><body>
<header class="site-header"><nav><a href="/aa/">Gündem</a> <a href="/aa/dunya/">Dünya</a>
<a href="/aa/ekonomi/">Ekonomi</a> <a href="/aa/spor/">Spor</a></nav></header>
<div class="cookie-notice">Bu sitede çerezler kullanılmaktadır. Devam ederek çerez
politikamızı kabul etmiş olursunuz.</div>
<div class="container">
<div class="detay-spot-category"><h1>{escape(article.title)}</h1>
<h4>{escape(article.lead)}</h4></div>
<div class="detay-bilgi"><span class="detay-muhabir">{escape(article.byline)}</span>
<span class="tarih">{local:%d.%m.%Y %H:%M}</span></div>
<div class="share-bar"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">WhatsApp</a></div>
<div class="detay-icerik"><div>
{chr(10).join(body)}
</div></div>
<div class="detay-etiket">{tags}</div>
<div class="related-news"><h3>İlgili Haberler</h3><ul>
<li><a href="/aa/dunya/">Dünya gündeminden son gelişmeler</a></li></ul></div>
</div>
<footer><p>© 2017 Anadolu Ajansı. Tüm hakları saklıdır.</p></footer>
</body></html>"""


def render_wire(article: SampleArticle) -> str:
    jsonld = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": article.title, "description": article.lead,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated.isoformat(),
        "author": [{"@type": "Person", "name": article.byline}],
        "inLanguage": article.lang,
        "publisher": {"@type": "Organization", "name": "Sample Wire"},
    }
    body: list[str] = []
    first = True
    for section in article.sections:
        if section.get("heading"):
            body.append(f"<h2>{escape(section['heading'])}</h2>")
        for para in section["paragraphs"]:
            if first and article.dateline:
                day = article.published_at
                para = f"{article.dateline}, {day:%b} {day.day} (Reuters) - {para}"
            first = False
            body.append(_paragraph_html(para))
    body.append("<p>Reporting by Sample Wire staff; Editing by the desk</p>")
    ld = json.dumps(jsonld, ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{{charset}}">
<title>{escape(article.title)} | Sample Wire</title>
<script type="application/ld+json">{ld}</script>
</head><body>
<nav class="topnav"><a href="/wire/">World</a> <a href="/wire/business/">Business</a></nav>
<main><article>
<h1>{escape(article.title)}</h1>
<p class="byline">By {escape(article.byline)}</p>
<time datetime="{article.published_at.isoformat()}">{article.published_at:%B %d, %Y}</time>
<div class="article-body">
{chr(10).join(body)}
</div>
<aside class="related"><h3>Related stories</h3><a href="/wire/">More world news</a></aside>
</article></main>
<footer>© 2017 Sample Wire. All rights reserved.</footer>
</body></html>"""


def rss(articles: list[SampleArticle], base: str, title: str) -> str:
    items = []
    for a in sorted(articles, key=lambda a: a.published_at, reverse=True):
        link = f"{base}{a.path}?utm_source=rss&utm_medium=feed"
        items.append(f"""<item><title>{xml_escape(a.title)}</title><link>{xml_escape(link)}</link>
<guid isPermaLink="false">{a.number}</guid><pubDate>{format_datetime(a.published_at)}</pubDate>
<description>{xml_escape(a.lead)}</description></item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{xml_escape(title)}</title><link>{base}/</link>
<description>{xml_escape(title)}</description>
{chr(10).join(items)}
</channel></rss>"""


def atom(articles: list[SampleArticle], base: str, title: str) -> str:
    entries = []
    for a in sorted(articles, key=lambda a: a.published_at, reverse=True):
        entries.append(f"""<entry><title>{xml_escape(a.title)}</title>
<link href="{xml_escape(base + a.path)}"/><id>urn:sample-wire:{a.number}</id>
<published>{a.published_at.isoformat()}</published><updated>{a.updated.isoformat()}</updated>
<summary>{xml_escape(a.lead)}</summary></entry>""")
    newest = max((a.updated for a in articles), default=datetime(2017, 1, 1, tzinfo=UTC))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{xml_escape(title)}</title>
<id>urn:sample-wire</id><updated>{newest.isoformat()}</updated>
{chr(10).join(entries)}
</feed>"""


def sitemap_index(months: dict[str, datetime], base: str, prefix: str) -> str:
    rows = "\n".join(f"<sitemap><loc>{base}/{prefix}/sitemaps/{m}.xml</loc>"
                     f"<lastmod>{last.isoformat()}</lastmod></sitemap>"
                     for m, last in sorted(months.items()))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{rows}\n</sitemapindex>")


def urlset(articles: list[SampleArticle], base: str) -> str:
    rows = []
    for a in articles:
        rows.append(f"""<url><loc>{xml_escape(base + a.path)}</loc><lastmod>{a.updated.isoformat()}</lastmod>
<news:news><news:publication><news:name>Sample</news:name><news:language>{a.lang}</news:language></news:publication>
<news:publication_date>{a.published_at.isoformat()}</news:publication_date><news:title>{xml_escape(a.title)}</news:title></news:news></url>""")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            + "\n".join(rows) + "\n</urlset>")


@dataclass
class Resource:
    body: bytes
    content_type: str
    last_modified: datetime | None = None

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


def build_site(base: str, content_dir: Path = CONTENT_DIR) -> dict[str, Resource]:
    """Every path the sample server answers, with its bytes."""
    base = base.rstrip("/")
    sites = load_content(content_dir)
    resources: dict[str, Resource] = {
        "/robots.txt": Resource(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
    }
    for source, bundled in sites.items():
        prefix = SITES[source]
        legacy = bundled[LEGACY_ENCODING_INDEX] if len(bundled) > LEGACY_ENCODING_INDEX else None
        articles = archive_articles(source) + bundled
        for article in articles:
            if source == "sample_aa":
                html, encoding = render_aa(article), "utf-8"
                if article is legacy:
                    encoding = "windows-1254"
            else:
                html, encoding = render_wire(article), "utf-8"
            body = html.replace("{charset}", encoding).encode(encoding)
            resources[article.path] = Resource(body, f"text/html; charset={encoding}",
                                               article.updated)
        months: dict[str, datetime] = {}
        by_month: dict[str, list[SampleArticle]] = {}
        for article in articles:
            month = article.published_at.astimezone(UTC).strftime("%Y-%m")
            by_month.setdefault(month, []).append(article)
            months[month] = max(months.get(month, article.updated), article.updated)
        for month, members in by_month.items():
            resources[f"/{prefix}/sitemaps/{month}.xml"] = Resource(
                urlset(members, base).encode(), "application/xml")
        resources[f"/{prefix}/sitemap.xml"] = Resource(
            sitemap_index(months, base, prefix).encode(), "application/xml")
        # A live feed holds the newest items only: older days need the sitemaps.
        recent = articles[-FEED_ITEMS:]
        if source == "sample_aa":
            resources["/aa/rss.xml"] = Resource(
                rss(recent, base, "Sample AA - Güncel").encode(), "application/rss+xml")
        else:
            resources["/wire/feed.atom"] = Resource(
                atom(recent, base, "Sample Wire - World").encode(), "application/atom+xml")
    return resources
