"""Organisations inside and around the organisation names the entity layer found.

A long organisation name holds its parent ("European Central Bank Governing Council"
holds "European Central Bank", "İçişleri Bakanlığı Basın ve Halkla İlişkiler
Müşavirliği" holds "İçişleri Bakanlığı", "U.N. Security Council" holds "U.N."), and an
office named after its country or its post is one name with them ("Russia's Foreign
Ministry", "Chinese Embassy in Syria"). The article names each of these organisations,
so each is an entity too; the mentions the layer found stay as they are.

These mentions are added after quotes are attributed: they name organisations for the
entities table and never change who said what.
"""

from __future__ import annotations

import re

from newswire.nlp.entities import Gazetteer, Mention, bare_head, load_gazetteer
from newswire.nlp.lexicon import Lexicon, lexicon

# Mentions whose offsets index the body (a headline's or a dateline's index other text).
_BODY_SOURCES = ("model", "gazetteer", "title", "text", "document", "credit")
_POSSESSIVE_GAP = re.compile(r"[’']s\s+$")


def nested_organisations(text: str, mentions: list[Mention], lang: str,
                         gaz: Gazetteer | None = None) -> list[Mention]:
    """The organisations inside and around ``mentions``' organisation names, not already
    mentions of the same span."""
    gaz = gaz or load_gazetteer()
    lex = lexicon(lang)
    body = [m for m in mentions if m.source in _BODY_SOURCES]
    taken = {(m.start, m.end) for m in body}
    out: list[Mention] = []
    for k, m in enumerate(body):
        if m.label != "ORG":
            continue
        for found in (*_parents(text, m, lex, gaz), *_with_place(text, m, body, lex),
                      *_with_unit(text, m, body[k + 1:], lex)):
            if (found.start, found.end) not in taken:
                taken.add((found.start, found.end))
                out.append(found)
    return out


def _parents(text: str, m: Mention, lex: Lexicon, gaz: Gazetteer) -> list[Mention]:
    """The parent organisations a name starts with: a known organisation or an acronym
    ("U.N." + "Security Council"), or a name ending in an organisation head followed by
    another capitalised name ("European Central Bank" + "Governing Council"), and the
    name between two such heads ("... Üniversitesi" + "Kandilli Rasathanesi" + ...)."""
    words = m.canonical.split()
    out: list[Mention] = []
    last_head = 0
    for i in range(len(words) - 1):
        following = words[i + 1]
        head = bare_head(words[i], lex.org_heads)
        # A known organisation, or an acronym opening the name ("TCDD Genel Müdürlüğü").
        known = gaz.label(" ".join(words[:i + 1])) == "ORG" or (
            i == 0 and 2 <= len(words[0]) <= 6 and words[0].isalpha() and words[0].isupper()
            and gaz.label(words[0]) != "LOC")  # "US House Committee": "US" is a place
        if not following[:1].isupper() or (bare_head(following, lex.org_heads)
                                            and not known):
            continue  # "Police Department": one head after another is one name
        if not (known or (head and i >= 1)):
            continue
        spans = [" ".join(words[:i + 1])]
        if head and last_head and i + 1 - last_head >= 2:
            spans.append(" ".join(words[last_head:i + 1]))
        for name in spans:
            at = text.find(name, m.start, m.end)
            if at >= 0:
                out.append(Mention(name, at, at + len(name), "ORG", name, source="text"))
        if head:
            last_head = i + 1
    return out


def _with_place(text: str, m: Mention, body: list[Mention], lex: Lexicon
                ) -> list[Mention]:
    """ "Russia's Foreign Ministry": a place's possessive before an office; "Chinese
    Embassy in Syria": a post (``names.posts_in_places``) and the place it is in."""
    words = m.canonical.split()
    if not words or not bare_head(words[-1], lex.org_heads):
        return []
    out: list[Mention] = []
    owner = next((p for p in body if p.label == "LOC" and p.end <= m.start
                  and _POSSESSIVE_GAP.fullmatch(text[p.end:m.start])), None)
    if owner is None:
        owner = next((p for p in body if p.label == "LOC" and p.end <= m.start
                      and re.fullmatch(r"[’']s", text[p.end - 2:p.end])
                      and not text[p.end:m.start].strip()), None)
    if owner is not None:
        out.append(_span(text, owner.start, m.end))
    if words[-1] in lex.words("names.posts_in_places"):
        place = next((p for p in body if p.label == "LOC"
                      and re.fullmatch(r"\s+in\s+", text[m.end:p.start])), None)
        if place is not None:
            out.append(_span(text, m.start, place.end))
    return out


def _with_unit(text: str, m: Mention, after: list[Mention], lex: Lexicon
               ) -> list[Mention]:
    """ "İçişleri Bakanlığı" + "Basın ve Halkla İlişkiler Müşavirliği": an organisation
    right before its unit (both ending in a head, nothing but a space between) is one
    name as well."""
    unit = next((u for u in after if u.start >= m.end), None)
    if (unit is None or unit.label != "ORG" or text[m.end:unit.start] != " "
            or text[m.start:m.end] != m.canonical
            or not bare_head(m.canonical.split()[-1], lex.org_heads)
            or not bare_head(unit.canonical.split()[-1], lex.org_heads)):
        return []
    return [Mention(text[m.start:unit.end], m.start, unit.end, "ORG",
                    f"{m.canonical} {unit.canonical}", source="text")]


def _span(text: str, start: int, end: int) -> Mention:
    name = text[start:end]
    return Mention(name, start, end, "ORG", name, source="text")
