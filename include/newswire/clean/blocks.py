"""Turning an HTML container into sections of paragraphs."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from newswire.clean.text import is_boilerplate, normalize_text
from newswire.records import Section

# Page furniture that never belongs to article text.
NOISE_TAGS = ["script", "style", "noscript", "template", "iframe", "form", "button", "svg",
              "figure", "figcaption", "aside", "nav", "footer", "header", "video", "audio",
              "picture", "img", "select", "input"]
NOISE_CLASS = re.compile(
    r"(^|[-_ ])(share|sharing|social|related|recommend|cookie|consent|caption|newsletter|"
    r"subscribe|advert|ad-|ads|banner|promo|breadcrumb|tags?|comments?|foto-editor|"
    r"photo-credit|print|toolbar|author-box)([-_ ]|$)",
    re.IGNORECASE,
)
HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6"}
MAX_HEADING_CHARS = 90
_BR = "\x00br\x00"  # a marker no page text contains (NULs are dropped by parsers)


def strip_noise(root: Tag | BeautifulSoup) -> None:
    for tag in root.find_all(NOISE_TAGS):
        tag.decompose()
    for tag in root.find_all(True):
        if tag.decomposed or tag.attrs is None:
            continue
        classes = tag.get("class") or ""  # a string, or a list from a default soup
        marks = " ".join([classes if isinstance(classes, str) else " ".join(classes),
                          str(tag.get("id", ""))]).strip()
        role = str(tag.get("role", ""))
        if (marks and NOISE_CLASS.search(marks)) or role in ("navigation", "complementary"):
            tag.decompose()


def _bold_heading(p: Tag) -> str | None:
    """A paragraph that is only a short bold line reads as a section heading (AA does this)."""
    children = [c for c in p.children if not (isinstance(c, NavigableString) and not c.strip())]
    if len(children) == 1 and isinstance(children[0], Tag) and children[0].name in ("strong",
                                                                                   "b"):
        text = normalize_text(children[0].get_text(" "))
        if 0 < len(text) <= MAX_HEADING_CHARS and not text.endswith((".", ":", "?", "!")):
            return text
    return None


def _paragraph_texts(p: Tag) -> list[str]:
    """A <p>'s text; two <br> in a row split it, a single <br> is a hard line break."""
    for br in p.find_all("br"):
        br.replace_with(_BR)
    parts = re.split(f"{_BR}\\s*{_BR}", p.get_text(""))
    return [t for t in (normalize_text(part.replace(_BR, " ")) for part in parts) if t]


def container_sections(container: Tag) -> list[Section]:
    """Walk a content container in document order: headings open sections, paragraphs fill.
    (Text written straight into <div>s, outside any <p>, is left out on purpose: on
    trafilatura's 990-page evaluation set taking it cost more precision than it gained
    recall; a container with too little text falls through to trafilatura.)"""
    sections: list[Section] = [Section(None, [])]
    for node in container.find_all(["p", *HEADING_TAGS, "blockquote", "li", "pre"]):
        if node.find_parent(["p", "blockquote", "li", "pre"]) is not None:
            continue  # its text is already part of the enclosing block
        if node.name in HEADING_TAGS:
            text = normalize_text(node.get_text(" "))
            if text and len(text) <= MAX_HEADING_CHARS:
                sections.append(Section(text, []))
            continue
        if node.name == "p":
            heading = _bold_heading(node)
            if heading:
                sections.append(Section(heading, []))
                continue
        if node.name == "pre":  # code or verse: one block, its line breaks as spaces
            texts = [t for t in [normalize_text(node.get_text(""))] if t]
        else:
            texts = _paragraph_texts(node)
        for text in texts:
            if not is_boilerplate(text):
                sections[-1].paragraphs.append(text)
    return [s for s in sections if s.paragraphs]


def text_length(sections: list[Section]) -> int:
    return sum(len(p) for s in sections for p in s.paragraphs)
