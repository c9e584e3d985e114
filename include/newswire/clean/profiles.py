"""Site profiles (``profiles.yaml``): chosen by the source, or recognised from the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

import cssselect
import cssselect.parser as cssparser
from lxml import etree
from lxml.cssselect import CSSSelector, LxmlHTMLTranslator
from lxml.html import HtmlElement

from newswire.clean.dom import element_text
from newswire.clean.places import fold
from newswire.clean.text import normalize_text
from newswire.yaml_data import load_yaml

PROFILES_FILE = Path(__file__).with_name("profiles.yaml")
AUTO = "auto"  # recognise the profile from the page
GENERIC = "generic"
DATELINE_PLACES = ("lead", "alone", "trailing")


class ProfileError(ValueError):
    """profiles.yaml is invalid, or a source names a profile that does not exist."""


# cssselect writes an attribute test as a predicate on every element of the walk
# (``*[@class and contains(concat(' ', normalize-space(@class), ' '), ' x ')]``), which
# libxml2 evaluates element by element: a selector such as ``.byline`` cost a third of a
# millisecond on a news page. The same test on the walk's attributes of that name, then
# their elements (``*/@class[...]/..``), finds the same elements in the same order, about
# twice as fast. Only a step whose whole predicate is one such test is rewritten.
_NAME = r"(\*|[A-Za-z][\w-]*)"
_LITERAL = r"('[^']*')"
_ATTRIBUTE_STEPS = [
    (re.compile(_NAME + r"\[@class and contains\(concat\(' ', normalize-space\(@class\), "
                r"' '\), " + _LITERAL + r"\)\]"),
     r"\1/@class[contains(concat(' ', normalize-space(.), ' '), \2)]/.."),  # .x
    (re.compile(_NAME + r"\[@([\w-]+) and (contains|starts-with)\(@\2, " + _LITERAL
                + r"\)\]"), r"\1/@\2[\3(., \4)]/.."),  # [a*='x'], [a^='x']
    (re.compile(_NAME + r"\[@([\w-]+) = " + _LITERAL + r"\]"), r"\1/@\2[. = \3]/.."),  # [a='x']
]


class AttributeWalkTranslator(LxmlHTMLTranslator):
    """cssselect's HTML translator, attribute tests walking the attributes (see above)."""

    def css_to_xpath(self, css: str, prefix: str = "descendant-or-self::") -> str:
        path = super().css_to_xpath(css, prefix)
        for step, walk in _ATTRIBUTE_STEPS:
            path = step.sub(walk, path)
        return path


def _selectors(values: list[str] | None, where: str) -> list[etree.XPath]:
    compiled = []
    for css in values or []:
        try:
            compiled.append(CSSSelector(css, translator=AttributeWalkTranslator()))
        except Exception as exc:  # cssselect raises its own SelectorSyntaxError family
            raise ProfileError(f"{where}: bad selector {css!r}: {exc}") from exc
    return compiled


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    hosts: tuple[str, ...] = ()
    markers: tuple[etree.XPath, ...] = ()
    site_names: frozenset[str] = frozenset()
    generators: tuple[str, ...] = ()
    body: tuple[etree.XPath, ...] = ()
    lead: tuple[etree.XPath, ...] = ()
    byline: tuple[etree.XPath, ...] = ()
    date: tuple[etree.XPath, ...] = ()
    remove: tuple[etree.XPath, ...] = ()
    notice: tuple[re.Pattern[str], ...] = ()
    dateline: tuple[str, ...] = DATELINE_PLACES
    body_first: bool = True  # the body selectors before trafilatura (a site's own markup)

    def recognises(self, root: HtmlElement, host: str, site_name: str | None,
                   generator: str | None, source: str | None = None,
                   classes: ClassIndex | None = None) -> bool:
        if host and any(host == h or host.endswith("." + h) for h in self.hosts):
            return True
        if site_name and fold(site_name) in self.site_names:
            return True
        if generator and any(g.lower() in generator.lower() for g in self.generators):
            return True
        return any(select(marker, root, source, classes) for marker in self.markers)

    def is_notice(self, paragraph: str) -> bool:
        return any(p.search(paragraph) for p in self.notice)


def _profile(name: str, raw: dict) -> Profile:
    where = f"profiles.yaml: {name}"
    recognise = raw.get("recognise") or {}
    dateline = tuple(raw.get("dateline") or DATELINE_PLACES)
    unknown = set(dateline) - set(DATELINE_PLACES)
    if unknown:
        raise ProfileError(f"{where}.dateline: unknown {sorted(unknown)}")
    return Profile(
        name=name, title=str(raw.get("name") or name),
        hosts=tuple(h.lower() for h in recognise.get("hosts") or []),
        markers=tuple(_selectors(recognise.get("selectors"), f"{where}.recognise")),
        site_names=frozenset(fold(s) for s in recognise.get("site_names") or []),
        generators=tuple(recognise.get("generators") or []),
        body=tuple(_selectors(raw.get("body"), f"{where}.body")),
        lead=tuple(_selectors(raw.get("lead"), f"{where}.lead")),
        byline=tuple(_selectors(raw.get("byline"), f"{where}.byline")),
        date=tuple(_selectors(raw.get("date"), f"{where}.date")),
        remove=tuple(_selectors(raw.get("remove"), f"{where}.remove")),
        notice=_notice_patterns([str(p) for p in raw.get("notice") or []]),
        dateline=dateline,
        body_first=bool(raw.get("body_first", True)),
    )


def _notice_patterns(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    """The site's notice regexes as one alternation where they combine (a line is a
    notice when any matches: one search a paragraph, not one per pattern)."""
    separate = tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    if len(separate) < 2 or any(_BACKREFERENCE.search(p) for p in patterns):
        return separate
    try:
        return (re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE),)
    except re.error:  # a pattern with its own global flags, say
        return separate


_BACKREFERENCE = re.compile(r"\\\d|\(\?P=")  # group numbers change in an alternation


@lru_cache(maxsize=1)
def profiles() -> dict[str, Profile]:
    """Every profile, in the order recognition tries them (``generic`` last)."""
    raw = load_yaml(PROFILES_FILE.read_text(encoding="utf-8")) or {}
    entries = raw.get("profiles") or {}
    if GENERIC not in entries:
        raise ProfileError("profiles.yaml: the 'generic' profile is missing")
    ordered = [n for n in entries if n != GENERIC] + [GENERIC]
    return {name: _profile(name, entries[name]) for name in ordered}


def profile_names() -> list[str]:
    return [AUTO, *profiles()]


def choose_profile(requested: str, root: HtmlElement, url: str | None,
                   site_name: str | None = None, generator: str | None = None,
                   source: str | None = None, classes: ClassIndex | None = None) -> Profile:
    """The source's profile, or for ``auto`` the first one that recognises the page."""
    known = profiles()
    if requested != AUTO:
        if requested not in known:
            raise ProfileError(f"unknown profile {requested!r}; known: {profile_names()}")
        return known[requested]
    host = (urlsplit(url).hostname or "").lower() if url else ""
    for profile in known.values():
        if profile.name != GENERIC and profile.recognises(root, host, site_name, generator,
                                                               source, classes):
            return profile
    return known[GENERIC]


def first_text(root: HtmlElement, selectors: tuple[etree.XPath, ...],
               max_chars: int = 300, source: str | None = None,
               classes: ClassIndex | None = None) -> str | None:
    """The text of the first element the first matching selector finds (``source``:
    the page's HTML, to skip the selectors that cannot match it; ``classes``: the
    page's class index, see ``select``)."""
    for selector in selectors:
        for element in select(selector, root, source, classes):
            if _bigger_than(element, MAX_TEXT_ELEMENTS):
                continue  # a container of the whole story ("lead" on a wrapper)
            text = normalize_text(element_text(element, " "))
            if text and len(text) <= max_chars:
                return text
    return None


MAX_TEXT_ELEMENTS = 40  # a lead or byline is a few elements; reading a wrapper's text is slow


def _bigger_than(element: HtmlElement, limit: int) -> bool:
    """More than ``limit`` elements inside: counted up to the limit, not the whole tree."""
    return next(islice(element.iter(), limit, None), None) is not None


def date_candidates(root: HtmlElement, selectors: tuple[etree.XPath, ...],
                    limit: int = 24, source: str | None = None,
                    classes: ClassIndex | None = None) -> list[tuple[HtmlElement, str]]:
    """(element, text) for the elements that may hold the visible date, in selector order:
    a ``datetime``/``content``/``data-timestamp`` attribute first, then the text. Big
    containers (a class name with "info" or "meta" on a whole sidebar) are skipped."""
    found: list[tuple[HtmlElement, str]] = []
    # The elements themselves, not their id(): a selector's elements are proxies that
    # lxml frees with its result list, and the next selector's may reuse a freed id (an
    # element skipped as seen: 3 of trafilatura's 990 pages lost their visible date).
    seen: set[HtmlElement] = set()
    for selector in selectors:
        for element in select(selector, root, source, classes):
            if element in seen or _in_furniture(element):
                continue
            seen.add(element)
            for attr in ("datetime", "content", "data-date", "data-timestamp"):
                value = element.get(attr)
                if value:
                    found.append((element, value))
            if not _bigger_than(element, MAX_DATE_ELEMENTS):
                text = normalize_text(element_text(element, " "))
                if text and len(text) <= 200:
                    found.append((element, text))
            if len(found) >= limit:
                return found
    return found


MAX_DATE_ELEMENTS = 12  # a date line is an element or two, not a container of dozens


_FURNITURE = etree.XPath("ancestor::*[self::nav or self::footer or self::aside]",
                         smart_strings=False)


def _in_furniture(element: HtmlElement) -> bool:
    return bool(_FURNITURE(element))


# -- selectors the page cannot match -----------------------------------------------------
# A selector is a walk over the whole page (thousands of elements on many pages), and the
# generic profile tries a dozen for the date, the lead and the byline: they cost as much
# as trafilatura's extraction. A selector can only match where every class name, id and
# attribute value it names is written in the page's HTML, so a substring test on the
# source skips most of them ("tarih", "muhabir", "standfirst" on an English blog).


def _literals(tree: object) -> list[str]:
    """The class names, ids and attribute values a cssselect parse tree requires."""
    found: list[str] = []
    if isinstance(tree, cssparser.Class):
        found.append(tree.class_name)
    elif isinstance(tree, cssparser.Hash):
        found.append(tree.id)
    elif isinstance(tree, cssparser.Attrib) and tree.operator != "exists":
        value = tree.value.value if isinstance(tree.value, cssparser.Token) else tree.value
        if isinstance(value, str) and value:
            found.append(value)
    if isinstance(tree, cssparser.Negation):  # what a :not() names need not be there
        return found + _literals(tree.selector)
    for part in ("selector", "subselector"):
        child = getattr(tree, part, None)
        if child is not None:
            found += _literals(child)
    return found


@lru_cache(maxsize=512)
def required_strings(css: str) -> tuple[str, ...]:
    """What the page's HTML must contain for ``css`` to match (empty: no test)."""
    parsed = cssselect.parse(css)
    if len(parsed) != 1:  # "a, b": either may match
        return ()
    return tuple(_literals(parsed[0].parsed_tree))


def may_match(selector: etree.XPath, source: str | None) -> bool:
    """False only when ``selector`` cannot match a page whose HTML is ``source``."""
    if source is None or not isinstance(selector, CSSSelector):
        return True
    return all(text in source for text in required_strings(selector.css))


# -- selectors answered from the page's class names --------------------------------------
# Each selector the page may match is an XPath walk over the whole tree (10-25 us on a
# bench page of 760 elements, four to six of them a page), and may_match's substring
# tests cost a third as much again. Most profile selectors are class names joined by
# spaces ("span.tarih", ".detay-bilgi .tarih"): one walk over the page's class
# attributes finds every element such a selector can match, so they are answered from
# that index; any other selector is still run as XPath.

_CLASSED = etree.XPath("descendant-or-self::*/@class/..", smart_strings=False)


def _class_names(value: str | None) -> set[str]:
    """The names in a class attribute as the translator's test reads them: separated by
    XML whitespace (XPath's normalize-space), not by every Unicode space."""
    if not value:
        return set()
    return set(value.replace("\t", " ").replace("\n", " ").replace("\r", " ").split(" ")) \
        - {""}


class ClassIndex:
    """The elements of the tree under ``root`` that carry a class attribute, by class
    name, in document order (built on first use)."""

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        self._by_class: dict[str, list[HtmlElement]] | None = None

    @property
    def built(self) -> bool:
        return self._by_class is not None

    def elements(self, name: str) -> list[HtmlElement]:
        if self._by_class is None:
            self._by_class = {}
            for element in _CLASSED(self.root):
                for class_name in _class_names(element.get("class")):
                    self._by_class.setdefault(class_name, []).append(element)
        return self._by_class.get(name, [])


_Compound = tuple[str | None, tuple[str, ...]]  # (tag or None for *, class names)


def _compound(tree: object) -> _Compound | None:
    classes: list[str] = []
    while isinstance(tree, cssparser.Class):
        classes.append(tree.class_name)
        tree = tree.selector
    if not isinstance(tree, cssparser.Element) or tree.namespace is not None:
        return None
    return (tree.element.lower() if tree.element else None), tuple(reversed(classes))


@lru_cache(maxsize=512)
def class_plan(css: str) -> tuple[_Compound, ...] | None:
    """``css`` as compounds (a tag and class names) joined by descendant combinators, or
    None when it is anything else (ids, attributes, other combinators: run as XPath)."""
    try:
        parsed = cssselect.parse(css)
    except cssselect.SelectorError:
        return None
    if len(parsed) != 1 or parsed[0].pseudo_element is not None:
        return None
    tree, compounds = parsed[0].parsed_tree, []
    while isinstance(tree, cssparser.CombinedSelector):
        if tree.combinator != " ":
            return None
        compounds.append(_compound(tree.subselector))
        tree = tree.selector
    compounds.append(_compound(tree))
    if any(c is None or any(not name or any(ch in name for ch in " \t\r\n")
                            for name in c[1]) for c in compounds):
        return None
    return tuple(reversed(compounds))  # type: ignore[arg-type]


def _matches(element: HtmlElement, compound: _Compound) -> bool:
    tag, classes = compound
    return (tag is None or element.tag == tag) and \
        _class_names(element.get("class")).issuperset(classes)


def _under(element: HtmlElement, compounds: tuple[_Compound, ...]) -> bool:
    """Whether ``element``'s ancestors match ``compounds`` (outermost first) in order;
    the nearest match of each is taken, which finds a chain wherever there is one."""
    wanted = len(compounds) - 1
    if wanted < 0:
        return True
    for ancestor in element.iterancestors():
        if _matches(ancestor, compounds[wanted]):
            wanted -= 1
            if wanted < 0:
                return True
    return False


def _from_index(plan: tuple[_Compound, ...], classes: ClassIndex) -> list[HtmlElement] | None:
    """The elements ``plan`` matches under the index's root, in document order, as the
    selector's XPath finds them; None where the index cannot say (then XPath runs)."""
    last = plan[-1]
    if last[1]:
        return [element for element in classes.elements(last[1][0])
                if _matches(element, last) and _under(element, plan[:-1])]
    if len(plan) < 2:
        return None  # a bare tag: every element of that name, not in the index
    outer = _from_index(plan[:-1], classes)
    if outer is None or len(outer) > 1:
        return None  # (several containers may nest: document order is XPath's to give)
    return [element for container in outer
            for element in container.iterdescendants(*(last[0],) if last[0] else ())
            if isinstance(element.tag, str)]


def select(selector: etree.XPath, root: HtmlElement, source: str | None = None,
           classes: ClassIndex | None = None) -> list[HtmlElement]:
    """What ``selector`` finds under ``root``: nothing where ``source`` (the page's HTML)
    shows it cannot match, else from ``classes`` (an index of ``root``'s tree) where it
    can answer, else by XPath. Once the index is built it answers first: it is exact,
    and cheaper than the substring tests. It is built only for a selector that may
    match: on a real page (300 elements with a class) it costs half a millisecond, more
    than the tests that skip every class selector of most pages' profiles."""
    plan = class_plan(selector.css) if classes is not None and classes.root is root \
        and isinstance(selector, CSSSelector) and root.getparent() is None else None
    # (root.getparent(): the ancestors above a subtree's root are not its own)
    if plan is not None and classes is not None and classes.built:
        found = _from_index(plan, classes)
        if found is not None:
            return found
    if not may_match(selector, source):
        return []
    if plan is not None and classes is not None:
        found = _from_index(plan, classes)
        if found is not None:
            return found
    return selector(root)
