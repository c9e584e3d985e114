"""The page as one lxml tree, parsed once and shared by every extractor and trafilatura.

Building a BeautifulSoup tree in Python cost about half the cleaner's time, and pages that
fell back to trafilatura were parsed a second time by it. Parsing with trafilatura's own
loader gives the tree trafilatura would build from the same string (so its output does
not change), and ``trafilatura.extract`` copies a tree it is handed before it prunes it,
so our extractors and trafilatura can read the same one.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement, document_fromstring, fromstring
from trafilatura.utils import (
    DOCTYPE_TAG,
    FAULTY_HTML,
    HTML_PARSER,
    is_dubious_html,
    load_html,
)

# Strings BeautifulSoup's get_text() leaves out (its Script, Stylesheet, TemplateString
# and ruby strings): code and markup, not text. Comments are gone already (the parser
# drops them).
_NOT_TEXT = "ancestor::script or ancestor::style or ancestor::template or ancestor::rt " \
            "or ancestor::rp"
_TEXT_NODES = etree.XPath(f"descendant::text()[not({_NOT_TEXT})]", smart_strings=False)
# Text and <br> in document order, for paragraphs that break lines with <br>.
_TEXT_AND_BREAKS = etree.XPath(f"descendant::text()[not({_NOT_TEXT})] | descendant::br",
                               smart_strings=False)


@dataclass
class Page:
    root: HtmlElement  # the whole document, for our extractors and metadata
    trafilatura_tree: HtmlElement | None  # what trafilatura builds itself; None: it refuses


def parse_page(html: str, raw: bytes | None = None) -> Page | None:
    """The page's tree, or None when it holds no HTML at all (only comments, say).
    ``raw``: the bytes ``html`` was decoded from, where ``load_tree`` may read them."""
    tree = load_tree(html, raw)
    if tree is not None:
        # For a fragment lxml hands back its one element: our extractors search the
        # whole document, as they did on a full soup.
        return Page(tree.getroottree().getroot(), tree)
    # trafilatura rejects a page that does not start like HTML and parses to fewer than
    # two elements; our extractors still look at it (its JSON-LD, an <article>).
    try:
        root = document_fromstring(html.encode("utf-8"), parser=HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return Page(root, None)


# What trafilatura's loader strips before parsing (its INVALID_XML_CHARS): a regex
# substitution over the whole page, a fifth of the parse's own time on a 28 KB page. A
# page seldom holds any, which a substring search for each finds several times faster.
_INVALID_XML_CHARS = (*(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)),
                      "\ufffe", "\uffff")
# The same control characters as bytes. In text decoded by a codec that keeps ASCII
# (decode.ASCII_COMPATIBLE) each is its own byte, which no other character's bytes
# contain: looked for in the bytes, they are found several times faster (in a Turkish
# page's text, held two bytes a character, a search for NUL stops at every ASCII one).
_CONTROL_BYTES = tuple(char.encode("ascii") for char in _INVALID_XML_CHARS[:-2])
_NONCHARACTERS = _INVALID_XML_CHARS[-2:]


def _strips_characters(html: str, raw: bytes | None) -> bool:
    """Whether ``html`` holds a character trafilatura's loader strips. ``raw``: the bytes
    it was decoded from by an ASCII-compatible codec, or None."""
    if raw is None:
        return any(char in html for char in _INVALID_XML_CHARS)
    return any(byte in raw for byte in _CONTROL_BYTES) or \
        any(char in html for char in _NONCHARACTERS)


def load_tree(html: str, raw: bytes | None = None) -> HtmlElement | None:
    """``trafilatura.utils.load_html(html)``, the same tree: for a page without the
    characters it would strip, its repairs and first parse without the substitution
    that would find nothing; any other page, or a parse that fails or comes out short,
    is handed to it as it is. ``raw``: the bytes ``html`` was decoded from by a codec
    in ``decode.ASCII_COMPATIBLE`` (they are searched instead), or None."""
    if _strips_characters(html, raw):
        return load_html(html)
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    # repair_faulty_html's other two repairs, as it makes them.
    repaired = html
    if "doctype" in beginning:
        first_line, _, rest = repaired.partition("\n")
        repaired = DOCTYPE_TAG.sub("", first_line, count=1) + "\n" + rest
    for line in repaired[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            repaired = FAULTY_HTML.sub(r"\1>", repaired, count=1)
            break
    try:
        tree = fromstring(repaired, parser=HTML_PARSER)
    except Exception:  # its fallbacks, and what it logs, are trafilatura's
        return load_html(html)
    if tree is None or len(tree) < 1 or (dubious and len(tree) < 2):
        return load_html(html)  # (rare) a second try, or a refusal, as trafilatura makes it
    return tree


_NOT_TEXT_TAGS = ("script", "style", "template", "rt", "rp")


def _leaf_text(element: HtmlElement) -> str | None:
    """The text of an element without children (most paragraphs, headings, meta tags):
    its one text node, as the queries above find it (none inside the tags they leave
    out), without running one (an XPath query per paragraph cost a tenth of the body's
    extraction). None for an element with children, or a node that is not an element."""
    if len(element) or not isinstance(element.tag, str):
        return None
    if element.tag in _NOT_TEXT_TAGS or \
            next(element.iterancestors(*_NOT_TEXT_TAGS), None) is not None:
        return ""
    return element.text or ""


def element_text(element: HtmlElement, separator: str = "") -> str:
    """The element's text as BeautifulSoup's ``get_text(separator)`` gives it."""
    leaf = _leaf_text(element)
    return leaf if leaf is not None else separator.join(_TEXT_NODES(element))


def text_and_breaks(element: HtmlElement, br: str) -> str:
    """The element's text with ``br`` in place of each <br>."""
    leaf = _leaf_text(element)
    if leaf is not None:
        return leaf
    return "".join(node if isinstance(node, str) else br
                   for node in _TEXT_AND_BREAKS(element))
