"""Turning an HTML container into sections of paragraphs."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from newswire.clean.boilerplate import is_boilerplate
from newswire.clean.dom import element_text, text_and_breaks
from newswire.clean.text import normalize_text
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
BLOCK_TAGS = ["p", *sorted(HEADING_TAGS), "blockquote", "li", "pre"]
ENCLOSING_BLOCKS = ["p", "blockquote", "li", "pre"]
MAX_HEADING_CHARS = 90
MAX_LABEL_CHARS = 40  # a line in capitals before a <br>: "ANKARA", "BRUSSELS, June 3"
BR = _BR = "\x00br\x00"  # a marker no page text contains (NULs are dropped by parsers)
_BREAKS = re.compile(f"{_BR}\\s*{_BR}")  # two line breaks in a row end a paragraph
# Only tags with a class, id or role can be noise by name: the regex runs on those alone.
_MARKED = etree.XPath("descendant::*[@class or @id or @role]")


def strip_noise(root: HtmlElement) -> None:
    """Drop page furniture inside ``root`` (a copy: the page's own tree stays whole)."""
    for tag in list(root.iterdescendants(*NOISE_TAGS)):
        tag.drop_tree()  # keeps the tail: the text after the tag is not the tag's
    for tag in _MARKED(root):
        marks = " ".join([tag.get("class") or "", tag.get("id") or ""]).strip()
        role = tag.get("role") or ""
        if (marks and NOISE_CLASS.search(marks)) or role in ("navigation", "complementary"):
            # A tag inside one dropped already is dropped from the detached copy: harmless.
            tag.drop_tree()


def _bold_heading(p: HtmlElement) -> str | None:
    """A paragraph that is only a short bold line reads as a section heading (AA does this)."""
    if len(p) != 1 or (p.text and p.text.strip()):
        return None
    child = p[0]
    if child.tag in ("strong", "b") and not (child.tail and child.tail.strip()):
        text = normalize_text(element_text(child, " "))
        if 0 < len(text) <= MAX_HEADING_CHARS and not text.endswith((".", ":", "?", "!")):
            return text
    return None


def split_breaks(text: str) -> list[str]:
    """Paragraphs of a text whose line breaks are marked with ``BR``: two breaks in a row
    split it, a single break is a space; a short line in capitals before the first break
    ("<b>ANKARA</b><br>Text...") is a paragraph of its own (a dateline, most often)."""
    if _BR not in text:  # most paragraphs: one, as the split below would find
        return [t for t in (normalize_text(text),) if t]
    parts = _BREAKS.split(text)
    head, sep, rest = parts[0].partition(_BR)
    label = normalize_text(head)
    if sep and rest.strip() and 0 < len(label) <= MAX_LABEL_CHARS and label.upper() == label \
            and any(ch.isalpha() for ch in label):
        parts[0:1] = [head, rest]
    return [t for t in (normalize_text(part.replace(_BR, " ")) for part in parts) if t]


def _paragraph_texts(p: HtmlElement) -> list[str]:
    """A <p>'s text, split at its line breaks as ``split_breaks`` says."""
    return split_breaks(text_and_breaks(p, _BR))


INLINE_TAGS = frozenset({"a", "b", "strong", "em", "i", "u", "span", "small", "sup", "sub",
                         "code", "mark", "abbr", "time", "q", "cite", "font", "s", "del",
                         "ins", "var", "kbd", "samp", "bdi", "bdo", "dfn", "data"})
# Text written straight into a <div> (no <p>) counts as a paragraph when it reads like
# text: long enough, with words, not a label or a link list ("Share", "Tags: a, b").
MIN_LOOSE_CHARS = 80
MIN_LOOSE_WORDS = 12
# A <div> holding nothing but one sentence is a paragraph written as a <div> (Reuters
# does this): shorter is fine when it ends like a sentence.
MIN_SENTENCE_WORDS = 5
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*$")


def _loose_paragraphs(parts: list[str], leaf: bool = False) -> list[str]:
    joined = "".join(parts)
    if not joined.strip():  # the line breaks between blocks (most runs): no paragraph
        return []
    texts = _BREAKS.split(joined)
    found = []
    for raw in texts:
        text = normalize_text(raw.replace(_BR, " "))
        words = len(text.split())
        if (len(text) >= MIN_LOOSE_CHARS and words >= MIN_LOOSE_WORDS) or (
                leaf and words >= MIN_SENTENCE_WORDS and _SENTENCE_END.search(text)):
            found.append(text)
    return found


def _blocks(container: HtmlElement) -> list[tuple[str, HtmlElement | str]]:
    """The container's blocks in document order: ("node", <p>/<h2>/<li>/...) or ("text",
    a paragraph of text written straight into a <div>). Walked with a stack, not
    recursion: a page may nest thousands of <div>s."""
    blocks: list[tuple[str, HtmlElement | str]] = []
    # Each frame: the element, the index of its next child, its pending inline text.
    stack: list[tuple[HtmlElement, int, list[str]]] = [(container, 0, [container.text or ""])]
    while stack:
        node, index, run = stack.pop()
        if index >= len(node):
            leaf = node is not container and not any(
                isinstance(c.tag, str) and c.tag not in INLINE_TAGS and c.tag != "br"
                for c in node)
            blocks += [("text", t) for t in _loose_paragraphs(run, leaf)]
            continue
        child = node[index]
        stack.append((node, index + 1, run))
        if not isinstance(child.tag, str):  # a comment or processing instruction
            run.append(child.tail or "")
        elif child.tag in INLINE_TAGS:
            run.append(text_and_breaks(child, _BR))
            run.append(child.tail or "")
        elif child.tag == "br":
            run.append(_BR)
            run.append(child.tail or "")
        else:
            blocks += [("text", t) for t in _loose_paragraphs(run)]
            run.clear()
            run.append(child.tail or "")
            if child.tag in BLOCK_TAGS:
                blocks.append(("node", child))
            else:  # a <div>, <section>, <ul>, <table>...: its own blocks come next
                stack.append((child, 0, [child.text or ""]))
    return blocks


def container_sections(container: HtmlElement) -> list[Section]:
    """Walk a content container in document order: headings open sections, paragraphs
    fill. Text written straight into a <div> counts when it reads like text (see
    MIN_LOOSE_CHARS): pages that break lines with <br> instead of writing <p>s lost
    whole articles when it was left out."""
    sections: list[Section] = [Section(None, [])]
    for kind, block in _blocks(container):
        if kind == "text":
            texts = [block] if isinstance(block, str) else []
        else:
            node = block
            assert isinstance(node, HtmlElement)
            if node.tag in HEADING_TAGS:
                text = normalize_text(element_text(node, " "))
                if text and len(text) <= MAX_HEADING_CHARS:
                    sections.append(Section(text, []))
                    continue
                # A long "heading" is a paragraph set in <h2> (a standfirst): text.
            if node.tag == "p":
                heading = _bold_heading(node)
                if heading:
                    sections.append(Section(heading, []))
                    continue
            if node.tag == "pre":  # code or verse: one block, its line breaks as spaces
                texts = [t for t in [normalize_text(element_text(node))] if t]
            elif node.tag in HEADING_TAGS:
                texts = [t for t in [normalize_text(element_text(node, " "))] if t]
            else:
                texts = _paragraph_texts(node)
        for text in texts:
            if not is_boilerplate(text):
                sections[-1].paragraphs.append(text)
    return [s for s in sections if s.paragraphs]


def text_length(sections: list[Section]) -> int:
    return sum(len(p) for s in sections for p in s.paragraphs)
