"""Cleaning: one fetched page in, one article record out.

The extractor chain lives in ``extract_sections``: the site profile first, then
a body the page marks itself, then trafilatura, then the page's <article> element,
then JSON-LD ``articleBody``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

import py3langid

from newswire.clean import extractors
from newswire.clean.decode import MIXED, decode_html
from newswire.clean.dom import Page, parse_page
from newswire.clean.metadata import Metadata, extract_metadata, parse_datetime, visible_dates
from newswire.clean.text import normalize_text, split_dateline
from newswire.records import Article, Section
from newswire.urls import article_id, canonical_url


class CleanError(ValueError):
    """The page holds no article we can extract (the reason is recorded, the run goes on)."""


def extract_sections(page: Page, url: str | None, profile: str,
                     meta: Metadata) -> tuple[list[Section], str]:
    root = page.root
    chain: list[tuple[str, Callable[[], list[Section] | None]]] = []
    if profile == "aa":
        chain.append(("aa", lambda: extractors.extract_aa(root)))
    chain += [
        ("marked_body", lambda: extractors.extract_marked_body(root)),
        ("trafilatura", lambda: extractors.extract_trafilatura(page.trafilatura_tree, url)),
        ("marked_body", lambda: extractors.extract_article_element(root)),
        ("jsonld_body", lambda: extractors.extract_jsonld_body(meta.body_hint)),
    ]
    for name, extract in chain:
        sections = extract()
        if sections:
            return sections, name
    raise CleanError("no article text found by any extractor")


def detect_lang(text: str) -> str | None:
    if len(text) < 40:
        return None
    lang, _score = py3langid.classify(text[:5000])
    return str(lang)


def clean_html(body: bytes | str, url: str, *, source: str = "adhoc", source_lang: str = "tr",
               profile: str = "generic", timezone: str = "UTC",
               content_type: str | None = None,
               fallback_published_at: datetime | None = None) -> Article:
    """Clean one page into an ``Article``. Raises ``CleanError`` when there is no article."""
    html, encoding = decode_html(body, content_type) if isinstance(body, bytes) else (body, None)
    if not html.strip():
        raise CleanError("empty page")
    # Parsed once, in C: our extractors and trafilatura share the tree (dom.py says why).
    page = parse_page(html)
    if page is None:
        raise CleanError("no HTML elements in the page")
    meta = extract_metadata(page.root, timezone)
    sections, extractor = extract_sections(page, url, profile, meta)
    warnings: list[str] = []
    if encoding == MIXED:
        warnings.append("mixed encodings: UTF-8 with windows-1254 bytes, decoded piece by piece")

    # The dateline opens the first paragraph: "BRÜKSEL (AA) - ..."
    dateline, first = split_dateline(sections[0].paragraphs[0])
    if dateline:
        if first:
            sections[0].paragraphs[0] = first
        else:
            sections[0].paragraphs.pop(0)
        sections = [s for s in sections if s.paragraphs]

    summary = meta.summary
    byline = meta.byline
    published_at = meta.published_at
    if profile == "aa":
        summary = extractors.aa_lead(page.root) or summary
        byline = extractors.aa_byline(page.root) or byline
        if published_at is None:
            dates = visible_dates(extractors.aa_visible_date(page.root) or "", timezone)
            published_at = dates[0] if dates else None
    if published_at is None and fallback_published_at is not None:
        published_at = fallback_published_at
        warnings.append("published_at from the feed or sitemap, not the page")
    if published_at is None:
        warnings.append("no publication date found")

    paragraphs = [p for s in sections for p in s.paragraphs]
    text = "\n\n".join(paragraphs)
    lang = detect_lang(text) or meta.lang
    if lang and lang != source_lang:
        warnings.append(f"language {lang} differs from the source's {source_lang}")
    canonical = canonical_url(url)
    return Article(
        id=article_id(canonical),
        source=source,
        url=canonical,
        lang=lang,
        source_lang=source_lang,
        title=normalize_text(meta.title) if meta.title else None,
        summary=summary,
        byline=byline,
        dateline=dateline,
        published_at=published_at,
        modified_at=meta.modified_at,
        sections=sections,
        body=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        extractor=extractor,
        warnings=warnings,
    )


__all__ = ["CleanError", "clean_html", "parse_datetime"]
