"""Cleaning: one fetched page in, one article record out.

The steps, each in its own module:

1. decode and parse once (``decode``, ``dom``); read what the page declares for machines
   (``metadata``: JSON-LD, meta tags);
2. choose the site profile: the source's, or the first that recognises the page
   (``profiles``, data in ``profiles.yaml``);
3. the body, by the extractor chain in ``extract_sections``: the site profile's body,
   trafilatura, a body the page marks itself, the page's <article> element, JSON-LD
   ``articleBody``;
4. furniture out of the body (``boilerplate``: notices, share bars, credits, "related"
   lists, header lines), recurring paragraphs the source's template learning found
   (``templates``), then the dateline (``dateline``);
5. the dates (``dates``): the page's own (machine, then visible) win over the feed's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

import py3langid
from lxml import etree
from lxml.html import HtmlElement

from newswire.clean import extractors
from newswire.clean.boilerplate import Furniture, clean_sections
from newswire.clean.dateline import Dateline, find_dateline, place_alone, split_marked
from newswire.clean.dates import PageDate, date_line, parse_iso
from newswire.clean.decode import ASCII_COMPATIBLE, MIXED, decode_html
from newswire.clean.dom import Page, parse_page
from newswire.clean.lexicon import lexicon
from newswire.clean.metadata import Metadata, extract_metadata
from newswire.clean.places import fold
from newswire.clean.profiles import (
    AUTO,
    GENERIC,
    ClassIndex,
    Profile,
    choose_profile,
    date_candidates,
    first_text,
)
from newswire.clean.templates import TemplateState, apply_templates
from newswire.clean.text import normalize_text
from newswire.records import Article, Section
from newswire.urls import article_id, canonical_url

# An element whose class is "dateline" (not "article-header__dateline", a time): the place.
# Found through the class attributes (``//@class[...]/..``): the same elements as
# ``//*[...]``, without evaluating the test on every element (profiles.py says why).
_MARKED_DATELINE = etree.XPath(
    "//@class[contains(concat(' ', normalize-space(.), ' '), ' dateline ')]/..")
MIN_SHORT_POST = 40  # characters: a post of a sentence or two, not a menu word
LANGID_CHARS = 1500  # enough text to tell the language; langid's time grows with it


class CleanError(ValueError):
    """The page holds no article we can extract (the reason is recorded, the run goes on)."""


def extract_sections(page: Page, url: str | None, profile: Profile,
                     meta: Metadata, classes: ClassIndex | None = None
                     ) -> tuple[list[Section], str]:
    """The body and the name of the extractor that found it (``articles.extractor``)."""
    root = page.root
    traf: list[etree._Element | None] = []

    def trafilatura_text(min_chars: int) -> list[Section] | None:
        if not traf:  # extracted once, on first use: the short-post retry reads it again
            traf.append(extractors.trafilatura_body(page.trafilatura_tree, url))
        return extractors.trafilatura_sections(traf[0], min_chars)

    chain: list[tuple[str, Callable[[], list[Section] | None]]] = []
    # A site's own profile knows its body. A mark any site may use (itemprop=articleBody,
    # .entry-content) comes after trafilatura: on trafilatura's 990-page set, the 321
    # pages with such a mark scored F1 0.947 through trafilatura and 0.931 through the
    # mark (the mark often leaves out text written outside <p>, or wraps teasers).
    if profile.name != GENERIC and profile.body_first:
        chain.append((profile.name,
                      lambda: extractors.extract_profile_body(root, profile, classes)))
    chain += [
        ("trafilatura", lambda: trafilatura_text(extractors.MIN_BODY_CHARS // 2)),
        ("marked_body", lambda: extractors.extract_marked_body(
            root, [*profile.body, *extractors.generic_body_selectors()], profile.remove,
            classes)),
        ("article_element", lambda: extractors.extract_article_element(root)),
        ("jsonld_body", lambda: extractors.extract_jsonld_body(meta.body_hint)),
        # A short post (a few lines) is still an article when nothing longer is found.
        ("trafilatura", lambda: trafilatura_text(MIN_SHORT_POST)),
    ]
    for name, extract in chain:
        sections = extract()
        if sections:
            return sections, name
    raise CleanError("no article text found by any extractor")


def detect_lang(text: str) -> str | None:
    if len(text) < 40:
        return None
    lang, _score = py3langid.classify(text[:LANGID_CHARS])
    return str(lang)


def reads_language(profile: str) -> bool:
    """Whether a source's pages are read to tell their language: a source configured
    with its site's profile is a site we know, whose declared language is taken."""
    return profile in (AUTO, GENERIC)


def article_lang(text: str, declared: str | None, source_lang: str,
                 trusted: bool = True) -> str | None:
    """The article's language: the source's where the page declares the same one
    (``<html lang>``, JSON-LD ``inLanguage``) and the declaration is ``trusted``,
    without reading the text; else detected from the text, the declared one where the
    text is too short to tell."""
    if trusted and declared == source_lang:
        return source_lang
    return detect_lang(text) or declared


_UNKNOWN = object()  # the first <h1> not looked for yet


def _scopes(root: HtmlElement, h1: object = _UNKNOWN) -> list[HtmlElement]:
    """Where to look for the visible date: around the headline first (the page's top bar
    often prints today's date), widening one level at a time, then the whole page.
    ``h1``: the page's first <h1> (or None: it has none) where it was found already."""
    if h1 is _UNKNOWN:
        h1 = next(root.iter("h1"), None)
    assert h1 is None or isinstance(h1, HtmlElement)
    scopes: list[HtmlElement] = []
    node = h1.getparent() if h1 is not None else None
    while node is not None and len(scopes) < 4:
        scopes.append(node)
        node = node.getparent()
    return [*scopes, root]


def visible_date(root: HtmlElement, profile: Profile, tz: str,
                 source: str | None = None, classes: ClassIndex | None = None,
                 h1: object = _UNKNOWN) -> tuple[PageDate | None, PageDate | None]:
    """(published, modified) printed on the page, where the profile's date selectors
    point, nearest the headline first (``h1``: see ``_scopes``)."""
    selectors = profile.date or choose_profile(GENERIC, root, None).date
    # each selector run once, on the page (and not where the HTML says it cannot match)
    candidates = date_candidates(root, selectors, source=source, classes=classes)
    for scope in _scopes(root, h1):
        for element, text in candidates:
            if scope is not root and scope is not element \
                    and scope not in element.iterancestors():
                continue
            published, modified = _read_date(text, tz)
            if published or modified:
                return published, modified
    return None, None


def _read_date(text: str, tz: str) -> tuple[PageDate | None, PageDate | None]:
    if text.isdigit() and len(text) in (10, 13):  # a Unix timestamp (s or ms)
        from datetime import UTC
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        try:
            return PageDate(datetime.fromtimestamp(seconds, UTC), "second", "visible"), None
        except (ValueError, OverflowError, OSError):
            return None, None
    if text[:4].isdigit() and "-" in text[:8]:
        return parse_iso(text, tz, "visible"), None
    return date_line(text, tz)


def _more_precise(machine: PageDate | None, visible: PageDate | None, tz: str
                  ) -> PageDate | None:
    """The machine-readable date, unless it is a bare day and the page prints a time on
    that same day."""
    if machine is None:
        return visible
    if (machine.precision == "day" and visible is not None and visible.precision != "day"
            and visible.local_day(tz) == machine.day):
        return visible
    return machine


def resolve_published(page_date: PageDate | None, feed: datetime | None, tz: str,
                      warnings: list[str]) -> PageDate | None:
    """The page's date wins over the feed's; where they name different days, a warning.
    A bare day from the page takes the feed's time when the feed names the same day."""
    feed_date = PageDate(feed, "second", "feed") if feed is not None else None
    if page_date is None:
        if feed_date is not None:
            warnings.append("published_at from the feed or sitemap, not the page")
        return feed_date
    if feed_date is None:
        return page_date
    if page_date.local_day(tz) != feed_date.local_day(tz):
        warnings.append(f"the page's date {page_date.local_day(tz)} differs from the feed's "
                        f"{feed_date.local_day(tz)}; the page's is kept")
        return page_date
    if page_date.precision == "day":
        return PageDate(feed_date.value, "second", "page day, feed time")
    return page_date


def _page_summary(summary: str | None, title: str | None, url: str | None) -> str | None:
    """The page's description as the article's summary, unless it is not about the
    article: the headline again (or a part of it), or the site's own tagline (it names
    the site's host: "Das Blog example.de - ...")."""
    if not summary:
        return None
    text = fold(normalize_text(summary))
    if title and text in fold(title):
        return None
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.") if url else ""
    if "." in host and host in text:
        return None
    return summary


def _clean_byline(text: str | None) -> str | None:
    if not text:
        return None
    prefix = lexicon().byline_prefix.match(fold(text))
    text = text[prefix.end():] if prefix else text
    return normalize_text(text).strip(" ,|-–") or None


def _apply_dateline(sections: list[Section], places: tuple[str, ...], lang: str
                    ) -> tuple[Dateline | None, list[Section], str | None]:
    """Cut the dateline from the first paragraphs (or the last, for a trailing one).
    The third value is a standfirst found above the dateline, if any."""
    if not sections:
        return None, sections, None
    first = sections[0]
    if first.heading and "alone" in places:
        # A bold place alone on the first line reads as a heading: it is the dateline.
        alone = place_alone(first.heading, lang)
        if alone:
            return alone, [Section(None, first.paragraphs), *sections[1:]], None
    lead_places = places if len(sections) == 1 else tuple(p for p in places if p != "trailing")
    dateline, paragraphs = find_dateline(first.paragraphs, lang, places=lead_places)
    if dateline is None and "lead" in places and len(first.paragraphs) > 1:
        # Wire copy starts at its dateline: a standfirst the extractor kept above it
        # ("lead paragraph", "Paris (AFP) - ...", or a place alone: "lead", "ANKARA")
        # is the summary, not body text.
        found, rest = find_dateline(first.paragraphs[1:], lang,
                                    places=tuple(p for p in places if p != "trailing"))
        if found:
            return found, [Section(first.heading, rest), *sections[1:]], first.paragraphs[0]
    if dateline is None and len(sections) > 1 and "trailing" in places:
        last = sections[-1]
        found, tail = find_dateline(last.paragraphs, lang, places=("trailing",))
        if found:
            return found, [*sections[:-1], Section(last.heading, tail)], None
        return None, sections, None
    if dateline is None:
        return None, sections, None
    rest = [Section(first.heading, paragraphs), *sections[1:]]
    return dateline, [s for s in rest if s.paragraphs], None


def _marked_dateline(root: HtmlElement, sections: list[Section], lang: str
                     ) -> tuple[Dateline | None, list[Section]]:
    """A dateline the page marks with class="dateline" and runs into the first sentence
    ("ISTANBUL Text ..."): the markup says where it ends, the place check still applies."""
    if not sections:
        return None, sections
    first = sections[0]
    for element in _MARKED_DATELINE(root)[:2]:
        found, rest = split_marked(first.paragraphs[0], element.text_content(), lang)
        if found:
            return found, [Section(first.heading, [rest, *first.paragraphs[1:]]), *sections[1:]]
    return None, sections


def clean_html(body: bytes | str, url: str, *, source: str = "adhoc", source_lang: str = "tr",
               profile: str = AUTO, timezone: str = "UTC",
               content_type: str | None = None,
               fallback_published_at: datetime | None = None,
               templates: TemplateState | None = None) -> Article:
    """Clean one page into an ``Article``. Raises ``CleanError`` when there is no article.

    ``profile``: a name from profiles.yaml, or ``auto`` to recognise it from the page.
    ``fallback_published_at``: the feed's or sitemap's date, used when the page has none.
    ``templates``: the source's learned page furniture (``templates.learn_templates``)."""
    html, encoding = decode_html(body, content_type) if isinstance(body, bytes) else (body, None)
    if not html.strip():
        raise CleanError("empty page")
    # Parsed once, in C: our extractors and trafilatura share the tree (dom.py says why).
    page = parse_page(html, body if isinstance(body, bytes) and encoding in ASCII_COMPATIBLE
                      else None)
    if page is None:
        raise CleanError("no HTML elements in the page")
    root = page.root
    meta = extract_metadata(root, timezone)
    # The page's elements by class name: most profile selectors are answered from it.
    classes = ClassIndex(root)
    chosen = choose_profile(profile, root, url, meta.site_name, meta.generator, html, classes)
    sections, extractor = extract_sections(page, url, chosen, meta, classes)
    warnings: list[str] = []
    if encoding == MIXED:
        warnings.append("mixed encodings: UTF-8 with windows-1254 bytes, decoded piece by piece")

    generic = chosen.name == GENERIC
    title = normalize_text(meta.title) if meta.title else None
    summary = _page_summary(
        (meta.summary or first_text(root, chosen.lead, source=html, classes=classes))
        if generic
        else (first_text(root, chosen.lead, source=html, classes=classes) or meta.summary),
        title, url)
    byline = _clean_byline(
        (meta.byline or first_text(root, chosen.byline, 120, html, classes)) if generic
        else (first_text(root, chosen.byline, 120, html, classes) or meta.byline))
    furniture: Furniture
    sections, furniture = clean_sections(sections, title=title, byline=byline, tz=timezone,
                                         lang=source_lang, extra_notice=chosen.is_notice,
                                         summary=summary)
    if templates is not None:
        sections = apply_templates(sections, templates)
    dateline, sections, standfirst = _apply_dateline(sections, chosen.dateline, source_lang)
    if dateline is None:
        dateline, sections = _marked_dateline(root, sections, source_lang)
    summary = summary or standfirst
    if not sections:
        raise CleanError("the body held only page furniture")
    byline = byline or _clean_byline(furniture.byline) or \
        (_clean_byline(dateline.reporter) if dateline else None)

    # The first <h1>: metadata's walk of the page found it (or found none).
    shown_published, shown_modified = visible_date(root, chosen, timezone, html, classes,
                                                   meta.h1)
    shown_published = furniture.published or shown_published
    shown_modified = furniture.modified or shown_modified
    page_date = _more_precise(meta.published, shown_published, timezone)
    if page_date is None and (meta.modified or shown_modified):
        page_date = meta.modified or shown_modified
        warnings.append("published_at from the page's update date (no publication date)")
    published = resolve_published(page_date, fallback_published_at, timezone, warnings)
    if published is None:
        warnings.append("no publication date found")
    modified = _more_precise(meta.modified, shown_modified, timezone)

    paragraphs = [p for s in sections for p in s.paragraphs]
    text = "\n\n".join(paragraphs)
    # A source configured with its site's profile is a site we know: where its page
    # declares the source's language, that is the language. Pages of unknown sites are
    # read (on trafilatura's 990-page set, 20 German or French pages declare "en").
    lang = article_lang(text, meta.lang, source_lang, trusted=not reads_language(profile))
    if lang and lang != source_lang:
        warnings.append(f"language {lang} differs from the source's {source_lang}")
    canonical = canonical_url(url)
    return Article(
        id=article_id(source, canonical),
        source=source,
        url=canonical,
        lang=lang,
        source_lang=source_lang,
        title=title,
        summary=summary,
        byline=byline,
        dateline=dateline.place if dateline else None,
        agency=dateline.agency if dateline else None,
        published_at=published.value if published else None,
        published_precision=published.precision if published else None,
        modified_at=modified.value if modified else None,
        sections=sections,
        body=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        extractor=extractor,
        warnings=warnings,
    )


def with_templates(article: Article, state: TemplateState) -> Article:
    """The article without the paragraphs its source's template learning found to be
    furniture (the pipeline learns them from the day's articles, then applies them).
    A dateline behind a furniture line that opened the body is cut now."""
    sections = apply_templates(article.sections, state)
    if sections == article.sections or not sections:
        return article
    dateline, agency = article.dateline, article.agency
    if dateline is None:
        found, sections, _ = _apply_dateline(sections, ("lead", "alone", "trailing"),
                                             article.source_lang)
        dateline = found.place if found else None
        agency = found.agency if found else None
    text = "\n\n".join(p for s in sections for p in s.paragraphs)
    return replace(article, sections=sections, body=text, dateline=dateline, agency=agency,
                   content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest())


__all__ = ["CleanError", "TemplateState", "clean_html", "reads_language", "with_templates"]
