"""Roads, venues and lists of companies: names the capitalised-run reader cuts apart or
labels by their parts (English).

- "Interstate 10", "Route 66", "Highway 1": a road word and its number are one place.
  The number is no name word, so a run of capitalised words stops at the road word and
  "Highway" alone would be the place.
- "Wembley Stadium", "Stadium Australia", "Istanbul Airport": a venue head next to a
  place (or a sponsor) the gazetteer knows names one place, the venue; not the town
  and a bare "Stadium".
- "shares of Velmor, Osterby and Pelican airlines": names listed before a plural noun
  for organisations are each an organisation, whatever they look like alone (a town, a
  surname, a word).

The words are the lexicon's (``names.road_words``, ``names.venue_heads``,
``names.plural_org_nouns``); this module only reads text and returns spans, so that
``entities`` decides what becomes of the mentions there.
"""

from __future__ import annotations

import functools
import re
from typing import Protocol

from newswire.nlp.lexicon import Lexicon
from newswire.nlp.places import is_place_name


class _Labels(Protocol):
    def label(self, name: str) -> str | None: ...


class _Mention(Protocol):
    start: int
    label: str
    canonical: str


@functools.cache
def _road_pattern(words: frozenset[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+")
                            for w in sorted(words, key=len, reverse=True))
    # "Interstate 10", "Route 66A", "Highway 1"; "I-95" is the interstate's short form.
    return re.compile(rf"(?<![\w-])(?:(?:{alternatives})\s+\d{{1,4}}[A-Z]?|I-\d{{1,3}})"
                      r"(?![\w-])")


def road_spans(text: str, lex: Lexicon, gaz: _Labels) -> list[tuple[int, int, str]]:
    """(start, end, name) of each numbered road: "Interstate 10", "U.S. Route 1",
    "Illinois Route 29" (a place right before the road is part of its name)."""
    pattern = _road_pattern(lex.words("names.road_words"))
    if pattern is None:
        return []
    out = []
    for m in pattern.finditer(text):
        start, name = m.start(), re.sub(r"\s+", " ", m.group())
        place = re.search(r"(?<![\w-])([A-Z][a-z]+(?: [A-Z][a-z]+)?) $",
                          text[max(0, start - 30):start])
        if place and (gaz.label(place.group(1)) == "LOC"
                      or is_place_name(place.group(1), text, lex)):
            start, name = start - len(place.group(0)), f"{place.group(1)} {name}"
        out.append((start, m.end(), name))
    return out


def is_venue_head(word: str, lex: Lexicon) -> bool:
    return word in lex.words("names.venue_heads")


def venue_joins(before_kind: str, before_words: list[str], before_label: str | None,
                kind: str, words: list[str], label: str | None, lex: Lexicon) -> bool:
    """Whether two neighbouring pieces of a run are one venue: a known place or
    organisation, then a bare venue head ("Wembley" + "Stadium", "Emirates" +
    "Stadium"); or a bare venue head, then a known place ("Stadium" + "Australia")."""
    if before_words and before_words[-1].endswith(("'s", "’s")):
        return False  # "Qatar's Stadium ...": an owner, not the venue's name
    if kind == "name" and len(words) == 1 and is_venue_head(words[0], lex):
        return before_kind == "gazetteer" and before_label in ("LOC", "ORG")
    return (before_kind == "name" and len(before_words) == 1
            and is_venue_head(before_words[0], lex)
            and kind == "gazetteer" and label == "LOC")


def venue_led(words: list[str], lex: Lexicon) -> bool:
    """ "Stadium Merdeka", "Estadio Azteca": a venue head first, then its name."""
    return len(words) >= 2 and is_venue_head(words[0], lex)


_NAME = r"[A-Z][\w&.'’-]*(?: [A-Z][\w&.'’-]*){0,2}"


@functools.cache
def _list_pattern(nouns: frozenset[str]) -> re.Pattern[str] | None:
    if not nouns:
        return None
    alternatives = "|".join(map(re.escape, sorted(nouns, key=len, reverse=True)))
    return re.compile(
        rf"(?P<names>{_NAME}(?:, {_NAME})*,? (?:and|or|&) {_NAME}) (?:{alternatives})\b")


def listed_organisations(text: str, lex: Lexicon) -> list[tuple[int, int, str]]:
    """(start, end, name) of each name in "A, B and C airlines", "A and B banks": a
    list of capitalised names right before a plural noun for organisations (lower
    case: "Delta and United airlines", not "Delta Airlines")."""
    pattern = _list_pattern(lex.words("names.plural_org_nouns"))
    if pattern is None:
        return []
    out = []
    for found in pattern.finditer(text):
        names = found.group("names")
        offset = found.start("names")
        for part in re.finditer(_NAME, names):
            name = part.group()
            if name in lex.not_entities or name.lower() in ("and", "or"):
                continue
            out.append((offset + part.start(), offset + part.end(), name))
    return out


def company_short_forms(text: str, mentions: list[_Mention], gaz: _Labels,
                        lex: Lexicon) -> None:
    """ "Velmor Airlines" ... "Velmor's stock", "Velmor had": after a company named in
    full ("X" + one of ``names.company_heads``), a lone "X" the model calls a person or a
    place is that company (its canonical name). Not after a preposition of place ("flies
    to Velmor"); and a known place needs a company noun after its possessive ("Alaska's
    shares", not "Alaska's governor")."""
    heads = lex.words("names.company_heads")
    companies: dict[str, tuple[int, str]] = {}
    for m in mentions:
        words = m.canonical.split()
        if m.label == "ORG" and len(words) == 2 and words[1] in heads \
                and words[0] not in lex.not_entities:
            companies.setdefault(words[0], (m.start, m.canonical))
    if not companies:
        return
    for m in mentions:
        hit = companies.get(m.canonical)
        if hit is None or m.label not in ("PER", "LOC") or m.start < hit[0]:
            continue
        before = text[max(0, m.start - 15):m.start].lower().split()
        if before and before[-1] in lex.words("names.place_prepositions"):
            continue
        after = re.match(r"(?:[’']s)?\s+([\w-]+)", text[m.start + len(m.canonical):][:40])
        if (gaz.label(m.canonical) == "LOC" or is_place_name(m.canonical, text, lex)) and \
                not (after and after.group(1) in lex.words("names.company_nouns_after")):
            continue
        m.label, m.canonical = "ORG", hit[1]
