"""Body extractors, from most to least specific. Each returns sections or None."""

from __future__ import annotations

import copy

import trafilatura
from bs4 import BeautifulSoup, Tag
from lxml import etree

from newswire.clean.blocks import container_sections, strip_noise, text_length
from newswire.clean.text import is_boilerplate, normalize_text
from newswire.records import Section

MIN_BODY_CHARS = 200


def extract_aa(soup: BeautifulSoup) -> list[Section] | None:
    """Anadolu Ajansı article pages: body in div.detay-icerik."""
    container = soup.select_one("div.detay-icerik")
    if container is None:
        return None
    container = copy.copy(container)
    strip_noise(container)
    sections = container_sections(container)
    return sections if text_length(sections) >= MIN_BODY_CHARS else None


def aa_lead(soup: BeautifulSoup) -> str | None:
    lead = soup.select_one("div.detay-spot-category h4") or soup.select_one("h4.detay-spot")
    return normalize_text(lead.get_text(" ")) if lead else None


def aa_byline(soup: BeautifulSoup) -> str | None:
    tag = soup.select_one(".detay-muhabir") or soup.select_one(".detay-bilgi .muhabir")
    return normalize_text(tag.get_text(" ")) if tag else None


def aa_visible_date(soup: BeautifulSoup) -> str | None:
    tag = soup.select_one("span.tarih")
    return normalize_text(tag.get_text(" ")) if tag else None


_BODY_SELECTORS = ["[itemprop=articleBody]", "div.article-body", "div.article__body",
                   "div.story-body", "div.entry-content", "div.post-content", "article"]


def extract_marked_body(soup: BeautifulSoup) -> list[Section] | None:
    """Pages that mark their body (schema.org itemprop, common class names, <article>)."""
    for selector in _BODY_SELECTORS:
        container = soup.select_one(selector)
        if not isinstance(container, Tag):
            continue
        container = copy.copy(container)
        strip_noise(container)
        sections = container_sections(container)
        if text_length(sections) >= MIN_BODY_CHARS:
            return sections
    return None


def extract_trafilatura(html: str, url: str | None) -> list[Section] | None:
    """trafilatura's main-text extraction, kept with its headings."""
    xml = trafilatura.extract(html, url=url, output_format="xml", include_comments=False,
                              include_tables=False, include_images=False,
                              include_formatting=False, with_metadata=False)
    if not xml:
        return None
    root = etree.fromstring(xml.encode("utf-8"),
                            etree.XMLParser(resolve_entities=False, no_network=True))
    sections: list[Section] = [Section(None, [])]
    for node in root.iter("head", "p", "quote", "item"):
        text = normalize_text("".join(node.itertext()))
        if not text:
            continue
        if node.tag == "head":
            sections.append(Section(text, []))
        elif not is_boilerplate(text):
            sections[-1].paragraphs.append(text)
    sections = [s for s in sections if s.paragraphs]
    return sections if text_length(sections) >= MIN_BODY_CHARS // 2 else None


def extract_jsonld_body(body: str | None) -> list[Section] | None:
    if not body:
        return None
    paragraphs = [normalize_text(p) for p in body.split("\n\n")]
    if len(paragraphs) == 1:
        paragraphs = [normalize_text(p) for p in body.splitlines()]
    paragraphs = [p for p in paragraphs if p and not is_boilerplate(p)]
    return [Section(None, paragraphs)] if paragraphs else None
