"""Body extractors, from most to least specific. Each returns sections or None."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import lru_cache

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Extractor

from newswire.clean.blocks import (
    BR,
    MAX_HEADING_CHARS,
    container_sections,
    split_breaks,
    strip_noise,
    text_length,
)
from newswire.clean.boilerplate import is_boilerplate
from newswire.clean.dom import element_text
from newswire.clean.profiles import GENERIC, ClassIndex, Profile, profiles, select
from newswire.clean.text import normalize_text
from newswire.records import Section

MIN_BODY_CHARS = 200


def _xpath(expression: str) -> etree.XPath:
    return etree.XPath(expression, smart_strings=False)


def _body_copy(container: HtmlElement) -> HtmlElement:
    """A detached copy to strip noise from: the page's tree is shared with trafilatura."""
    copied = copy.deepcopy(container)
    copied.tail = None  # the text after the container is not part of it
    return copied


def extract_profile_body(root: HtmlElement, profile: Profile,
                         classes: ClassIndex | None = None) -> list[Section] | None:
    """The body where the site's profile says it is, without the profile's furniture."""
    return extract_marked_body(root, list(profile.body), profile.remove, classes) \
        if profile.body else None


# A bare <article> marks the whole story (header, share bar, teasers; often one per
# teaser card), not its body: it comes after trafilatura, which finds the body better
# (on trafilatura's 990-page evaluation set, 275 pages picked by <article> first lost
# 5% recall and gained a quarter more false positives against trafilatura).
_ARTICLE_ELEMENT: list[etree.XPath] = [_xpath("//article")]


def generic_body_selectors() -> list[etree.XPath]:
    return list(profiles()[GENERIC].body)


def extract_marked_body(root: HtmlElement, selectors: list[etree.XPath] | None = None,
                        remove: tuple[etree.XPath, ...] = (),
                        classes: ClassIndex | None = None) -> list[Section] | None:
    """Pages that mark their body (schema.org itemprop, common class names: the generic
    profile's ``body`` selectors, in order of trust). ``classes``: the page's class
    index (``profiles.select``)."""
    if selectors is None:
        selectors = generic_body_selectors()
    for selector in selectors:
        candidates: list[HtmlElement] = select(selector, root, classes=classes)
        if not candidates:
            continue
        # A page often marks teasers the same way (<article> per related story): the
        # candidate with the most text is the article.
        container = max(candidates, key=lambda tag: len(element_text(tag))) \
            if len(candidates) > 1 else candidates[0]
        container = _body_copy(container)
        for furniture in remove:
            for tag in furniture(container):
                tag.drop_tree()
        strip_noise(container)
        sections = container_sections(container)
        if text_length(sections) >= MIN_BODY_CHARS:
            return sections
    return None


def extract_article_element(root: HtmlElement) -> list[Section] | None:
    """The page's <article> with the most text, when trafilatura found nothing."""
    return extract_marked_body(root, _ARTICLE_ELEMENT)


def trafilatura_body(tree: HtmlElement | None, url: str | None) -> etree._Element | None:
    """trafilatura's main text as its own tree (<p>, <head>, <list>/<item>, <quote>,
    <table>/<row>/<cell>, <lb/>), or None. ``tree`` is the one trafilatura would parse
    from the page (None where it refuses the page); it copies a tree before pruning it,
    so the page's tree is left as it was.

    ``bare_extraction`` hands the tree over unserialised: ``extract`` would fingerprint
    the text and write the tree out as XML twice (a tenth of the cleaner's time), for us
    to parse it back. Its full extraction (with its comparison against readability and
    jusText): a fast first pass, redone in full where it came out thin, cost more than
    the comparison on every page, and the fast pass kept whole-page text (menus, teaser
    lists) or lost sections on the pages it judged solid."""
    if tree is None:
        return None
    document = trafilatura.bare_extraction(tree, url=url, options=trafilatura_options(url))
    return document.body if document is not None else None


# What bare_extraction is asked for (it builds its Extractor from these).
TRAFILATURA_SETTINGS = {"output_format": "xml", "comments": False, "tables": True,
                        "images": False, "formatting": False, "with_metadata": False}


@lru_cache(maxsize=1)
def _trafilatura_template() -> Extractor:
    return Extractor(**TRAFILATURA_SETTINGS)  # type: ignore[arg-type]


def trafilatura_options(url: str | None) -> Extractor:
    """The Extractor ``bare_extraction`` would build for ``url`` from our settings: built
    once, then copied for each page with the page's URL, as Extractor sets it (building
    one reads a dozen values from trafilatura's configuration: 40 us a page). trafilatura
    copies the options it changes itself (its recall retry), so a copy is never shared."""
    options = copy.copy(_trafilatura_template())
    options.url = url
    source = url or None
    options.source = source and source.encode("utf-8", "replace").decode("utf-8")
    return options


def trafilatura_sections(body: etree._Element | None,
                         min_chars: int = MIN_BODY_CHARS // 2) -> list[Section] | None:
    """trafilatura's main text (``trafilatura_body``) as sections, kept with its
    headings; None when it holds less than ``min_chars`` of text."""
    if body is None:
        return None
    sections: list[Section] = [Section(None, [])]
    for kind, raw in _xml_blocks(body):
        text = normalize_text(raw)
        if not text:
            continue
        if kind == "head" and not _reads_as_paragraph(text):
            sections.append(Section(text, []))
        elif not is_boilerplate(text):
            sections[-1].paragraphs.append(text)
    sections = [s for s in sections if s.paragraphs]
    return sections if sections and text_length(sections) >= min_chars else None


def extract_trafilatura(tree: HtmlElement | None, url: str | None,
                        min_chars: int = MIN_BODY_CHARS // 2) -> list[Section] | None:
    """trafilatura's main text as sections (the chain extracts once and reads the body
    twice: see ``clean.extract_sections``)."""
    return trafilatura_sections(trafilatura_body(tree, url), min_chars)


_XML_TEXT = etree.XPath("descendant::text() | descendant::lb", smart_strings=False)


def _reads_as_paragraph(heading: str) -> bool:
    """A "heading" that is a sentence of text (a standfirst set in <h2>, a pull quote):
    kept as a paragraph, not as a section title (nor dropped with an empty section)."""
    return len(heading) > MAX_HEADING_CHARS or heading.endswith((".", "!", "?", "…"))


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
            # <lb/> is a line break: without it the words on either side ran together.
            for text in split_breaks("".join(
                    BR if isinstance(n, etree._Element) else n for n in _XML_TEXT(child))):
                yield "p", text
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
