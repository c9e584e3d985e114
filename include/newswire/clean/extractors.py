"""Body extractors, from most to least specific. Each returns sections or None."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator

import trafilatura
from bs4 import BeautifulSoup, Tag
from lxml import etree

from newswire.clean.blocks import container_sections, strip_noise, text_length
from newswire.clean.text import is_boilerplate, normalize_text
from newswire.records import Section

MIN_BODY_CHARS = 200

TagTest = Callable[[Tag], bool]


def _classes(tag: Tag) -> list[str]:
    value = tag.attrs.get("class")
    if isinstance(value, str):
        return value.split()
    return list(value) if value else []


def _css(name: str | None, cls: str) -> TagTest:
    """``name.cls`` (``.cls`` with name None), as CSS matches it."""
    return lambda tag: (name is None or tag.name == name) and cls in _classes(tag)


def _within(test: TagTest, ancestor: TagTest) -> TagTest:
    """``ancestor test``: CSS's descendant combinator."""
    def match(tag: Tag) -> bool:
        return test(tag) and any(ancestor(parent) for parent in tag.parents
                                 if isinstance(parent, Tag))
    return match


def first_matches(root: Tag, tests: list[TagTest]) -> list[Tag | None]:
    """The first tag in document order that passes each test, in one walk over the page
    (soupsieve's select_one walks the whole page once per selector, which cost more than
    parsing it)."""
    found: list[Tag | None] = [None] * len(tests)
    missing = set(range(len(tests)))
    for tag in root.descendants:
        if not isinstance(tag, Tag):
            continue
        for index in list(missing):
            if tests[index](tag):
                found[index] = tag
                missing.discard(index)
        if not missing:
            break
    return found


def all_matches(root: Tag, tests: list[TagTest]) -> list[list[Tag]]:
    """Every tag that passes each test, in document order, in one walk over the page."""
    found: list[list[Tag]] = [[] for _ in tests]
    for tag in root.descendants:
        if isinstance(tag, Tag):
            for index, test in enumerate(tests):
                if test(tag):
                    found[index].append(tag)
    return found


def _first(root: Tag, *tests: TagTest) -> Tag | None:
    """The first match of the first test that matches anything (``a or b`` of select_one)."""
    return next((tag for tag in first_matches(root, list(tests)) if tag is not None), None)


def extract_aa(soup: BeautifulSoup) -> list[Section] | None:
    """Anadolu Ajansı article pages: body in div.detay-icerik."""
    container = _first(soup, _css("div", "detay-icerik"))
    if container is None:
        return None
    container = copy.copy(container)
    strip_noise(container)
    sections = container_sections(container)
    return sections if text_length(sections) >= MIN_BODY_CHARS else None


def aa_lead(soup: BeautifulSoup) -> str | None:
    lead = _first(soup, _within(lambda t: t.name == "h4", _css("div", "detay-spot-category")),
                  _css("h4", "detay-spot"))
    return normalize_text(lead.get_text(" ")) if lead else None


def aa_byline(soup: BeautifulSoup) -> str | None:
    tag = _first(soup, _css(None, "detay-muhabir"),
                 _within(_css(None, "muhabir"), _css(None, "detay-bilgi")))
    return normalize_text(tag.get_text(" ")) if tag else None


def aa_visible_date(soup: BeautifulSoup) -> str | None:
    tag = _first(soup, _css("span", "tarih"))
    return normalize_text(tag.get_text(" ")) if tag else None


# [itemprop=articleBody], div.article-body, ...: in order of trust.
_BODY_SELECTORS: list[TagTest] = [
    lambda tag: tag.attrs.get("itemprop") == "articleBody",
    *(_css("div", cls) for cls in ("article-body", "article__body", "story-body",
                                   "entry-content", "post-content")),
]
# A bare <article> marks the whole story (header, share bar, teasers; often one per
# teaser card), not its body: it comes after trafilatura, which finds the body better
# (on trafilatura's 990-page evaluation set, 275 pages picked by <article> first lost
# 5% recall and gained a quarter more false positives against trafilatura).
_ARTICLE_ELEMENT: list[TagTest] = [lambda tag: tag.name == "article"]


def extract_marked_body(soup: BeautifulSoup,
                        selectors: list[TagTest] = _BODY_SELECTORS) -> list[Section] | None:
    """Pages that mark their body (schema.org itemprop, common class names)."""
    for candidates in all_matches(soup, selectors):
        if not candidates:
            continue
        # A page often marks teasers the same way (<article> per related story): the
        # candidate with the most text is the article.
        container = max(candidates, key=lambda tag: len(tag.get_text())) \
            if len(candidates) > 1 else candidates[0]
        container = copy.copy(container)
        strip_noise(container)
        sections = container_sections(container)
        if text_length(sections) >= MIN_BODY_CHARS:
            return sections
    return None


def extract_article_element(soup: BeautifulSoup) -> list[Section] | None:
    """The page's <article> with the most text, when trafilatura found nothing."""
    return extract_marked_body(soup, _ARTICLE_ELEMENT)


def extract_trafilatura(html: str, url: str | None) -> list[Section] | None:
    """trafilatura's main-text extraction, kept with its headings."""
    xml = trafilatura.extract(html, url=url, output_format="xml", include_comments=False,
                              include_tables=True, include_images=False,
                              include_formatting=False, with_metadata=False)
    if not xml:
        return None
    root = etree.fromstring(xml.encode("utf-8"),
                            etree.XMLParser(resolve_entities=False, no_network=True))
    sections: list[Section] = [Section(None, [])]
    main = root.find("main")
    for kind, raw in _xml_blocks(main if main is not None else root):
        text = normalize_text(raw)
        if not text:
            continue
        if kind == "head":
            sections.append(Section(text, []))
        elif not is_boilerplate(text):
            sections[-1].paragraphs.append(text)
    sections = [s for s in sections if s.paragraphs]
    return sections if text_length(sections) >= MIN_BODY_CHARS // 2 else None


def _xml_blocks(node: etree._Element) -> Iterator[tuple[str, str]]:
    """trafilatura's XML as (kind, text) blocks in document order: <head>, <p>, <quote>
    and <item> are blocks, and so is text written between them (trafilatura keeps a
    page's text outside any <p> as the text or tail of its container: dropping it lost
    whole paragraphs)."""
    if node.text and node.text.strip():
        yield "p", node.text
    for child in node:
        if not isinstance(child.tag, str) or child.tag == "comments":
            pass
        elif child.tag == "head":
            yield "head", "".join(child.itertext())
        elif child.tag in ("p", "quote", "item"):
            yield "p", "".join(child.itertext())
        elif child.tag == "row":  # a table row is one paragraph: "cell | cell | cell"
            cells = [normalize_text("".join(cell.itertext())) for cell in child]
            yield "p", " | ".join(cell for cell in cells if cell)
        elif child.tag != "lb":
            yield from _xml_blocks(child)
        if child.tail and child.tail.strip():
            yield "p", child.tail


def extract_jsonld_body(body: str | None) -> list[Section] | None:
    if not body:
        return None
    paragraphs = [normalize_text(p) for p in body.split("\n\n")]
    if len(paragraphs) == 1:
        paragraphs = [normalize_text(p) for p in body.splitlines()]
    paragraphs = [p for p in paragraphs if p and not is_boilerplate(p)]
    return [Section(None, paragraphs)] if paragraphs else None
