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
from lxml.html import HtmlElement, document_fromstring
from trafilatura.utils import HTML_PARSER, load_html

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


def parse_page(html: str) -> Page | None:
    """The page's tree, or None when it holds no HTML at all (only comments, say)."""
    tree = load_html(html)
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


def element_text(element: HtmlElement, separator: str = "") -> str:
    """The element's text as BeautifulSoup's ``get_text(separator)`` gives it."""
    return separator.join(_TEXT_NODES(element))


def text_and_breaks(element: HtmlElement, br: str) -> str:
    """The element's text with ``br`` in place of each <br>."""
    return "".join(node if isinstance(node, str) else br
                   for node in _TEXT_AND_BREAKS(element))
