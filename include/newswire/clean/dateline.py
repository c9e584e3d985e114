"""Datelines: where wire copy says a story was filed, cut from the body and kept apart.

The forms, any agency, any case (the agency is whatever stands in the parentheses):

- place and agency: "BRÜKSEL (AA) -", "NEW YORK (AP) —", "Paris (AFP) -",
  "BRUSSELS, Jan 21 (Reuters) -", "ANKARA, (DHA) -", "MOSCOW, February 3. /TASS/.",
  "Hasan ÖZTÜRK/ANKARA, (DHA) -" (a reporter before the place);
- place alone, in capitals: "ANKARA -", "İSTANBUL –", "BRUSSELS, June 3 —";
- a paragraph that is only a place ("ANKARA", often bold), first in the body;
- a trailing place at the end of the body: "... dedi. – BRÜKSEL".

The place check keeps an ordinary first word or sentence from being cut: a place is one
the gazetteer knows, or (only in capitals, where the wire form vouches for it) a word
long enough not to be an acronym and not a kicker ("SON DAKİKA -", "UPDATE -") or an
organisation the gazetteer knows ("NATO -"). Mixed-case places need the gazetteer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newswire.clean.lexicon import lexicon
from newswire.clean.places import fold, natural_case, not_places, place_name

DASH = r"(?:-{1,2}|[–—])"
# An agency in parentheses or slashes: "(AA)", "(Reuters)", "/TASS/", "(dpa)".
_AGENCY = r"(?:\((?P<agency>[^()]{2,30})\)|/(?P<agency2>[A-ZÇĞİÖŞÜa-zçğıöşü .-]{2,20})/)"
_WITH_AGENCY = re.compile(
    rf"^(?P<head>[^()\n]{{2,70}}?)\s*,?\s*{_AGENCY}\s*[.,:]?\s*(?:{DASH}\s*)?(?=\S)")
_NO_AGENCY = re.compile(rf"^(?P<head>[^()\n\-–—]{{2,50}}?)\s+{DASH}\s*(?=\S)")
_TRAILING = re.compile(rf"\s+{DASH}\s*(?P<head>[^\W\d_][^()\n\-–—.]{{1,40}}?)\s*\.?$")
_ALONE = re.compile(r"^(?P<head>[^\W\d_][^()\n]{1,60}?)\s*[.,:]?$")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_HAS_DIGIT = re.compile(r"\d")
MIN_UNKNOWN_LETTERS = 5  # a shorter unknown capitalised word may be an acronym (UEFA)
MAX_PLACE_WORDS = 4


@dataclass(frozen=True)
class Dateline:
    place: str  # natural case: "Brüksel", "New York", "Kadıköy/İstanbul"
    agency: str | None = None
    reporter: str | None = None
    date_text: str | None = None


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def _is_caps(text: str) -> bool:
    letters = _letters(text)
    return bool(letters) and letters == letters.upper() and letters != letters.lower()


def _looks_like_place(text: str) -> bool:
    words = text.split()
    return (0 < len(words) <= MAX_PLACE_WORDS and not _HAS_DIGIT.search(text)
            and all(_WORD.fullmatch(w) for w in words)
            and all(w[0].isupper() or w.lower() in ("de", "of", "al", "el", "la", "upon")
                    for w in words))


def _known_or_vouched(place: str, vouched: bool, wire_credit: bool = False) -> bool:
    """A place the gazetteer knows, or an unknown one in capitals that the form vouches
    for (an agency credit follows it) or that is too long to be an acronym; in mixed case
    ("Rotterdam (AFP) -") only before a wire agency's credit."""
    if not _looks_like_place(place):
        return False
    key = fold(place)
    if key in lexicon().kickers:
        return False
    if place_name(place):
        return True
    if not _is_caps(place):
        return wire_credit and key not in not_places() and len(place.split()) <= 3
    if key in not_places():
        # "UNITED NATIONS, Dec 6 (Reuters) -" is a place in a dateline; "NATO -" is not.
        return vouched and len(place.split()) > 1
    return vouched or len(_letters(place)) >= MIN_UNKNOWN_LETTERS


def _split_head(head: str) -> tuple[str, str | None]:
    """'BRUSSELS, Jan 21' -> ('BRUSSELS', 'Jan 21'); 'MOSCOW, February 3.' likewise."""
    head = head.strip().rstrip(",").strip()
    place, _, rest = head.partition(",")
    rest = rest.strip().rstrip(".").strip()
    return place.strip(), (rest or None)


def _date_like(text: str | None) -> bool:
    if text is None:
        return True
    months = lexicon().month_words
    return len(text) <= 30 and (bool(_HAS_DIGIT.search(text))
                                or any(fold(w).rstrip(".") in months for w in text.split()))


def _place(head: str, lang: str, vouched: bool,
           wire_credit: bool = False) -> tuple[str, str | None] | None:
    """(natural place, reporter) from 'PLACE', 'DISTRICT/PROVINCE' or 'Reporter/PLACE'."""
    segments = [s.strip() for s in head.split("/") if s.strip()]
    if not segments or len(segments) > 3:
        return None
    *before, last = segments
    if not _known_or_vouched(last, vouched, wire_credit):
        return None
    places, reporter = [last], None
    for segment in reversed(before):
        if _is_caps(segment) and _known_or_vouched(segment, vouched):
            places.insert(0, segment)
        elif reporter is None and not _is_caps(segment) and len(segment.split()) <= 4:
            reporter = segment
        else:
            return None
    return "/".join(natural_case(p, lang) for p in places), reporter


def split_lead(paragraph: str, lang: str = "tr") -> tuple[Dateline | None, str]:
    """A dateline opening ``paragraph``: (dateline, the paragraph without it)."""
    match = _WITH_AGENCY.match(paragraph)
    if match:
        agency = (match.group("agency") or match.group("agency2") or "").strip()
        head, date_text = _split_head(match.group("head"))
        if _agency_like(agency) and _date_like(date_text):
            # Capitals are vouched for by any agency; mixed case ("Paris (AFP)") needs the
            # gazetteer or a wire agency's credit.
            found = _place(head, lang, vouched=True,
                           wire_credit=fold(agency) in lexicon().agencies)
            if found:
                return (Dateline(found[0], agency, found[1], date_text),
                        paragraph[match.end():].strip())
    match = _NO_AGENCY.match(paragraph)
    if match:
        head, date_text = _split_head(match.group("head"))
        if _is_caps(head) and _date_like(date_text):
            found = _place(head, lang, vouched=False)
            if found:
                return Dateline(found[0], None, found[1], date_text), \
                    paragraph[match.end():].strip()
    return None, paragraph


def _agency_like(agency: str) -> bool:
    words = agency.split()
    if not words or len(words) > 4 or _HAS_DIGIT.search(agency):
        return False
    return all(w[0].isupper() or w.lower() in ("dpa", "afp", "ap") for w in words)


def place_alone(paragraph: str, lang: str = "tr") -> Dateline | None:
    """A paragraph that is only a place ('ANKARA', 'Brussels', 'BRUSSELS, June 3')."""
    match = _ALONE.match(paragraph.strip())
    if not match:
        return None
    head, date_text = _split_head(match.group("head"))
    if not _date_like(date_text):
        return None
    if not _is_caps(head) and not place_name(head.split("/")[-1].strip()):
        return None
    found = _place(head, lang, vouched=False)
    return Dateline(found[0], None, found[1], date_text) if found else None


def split_trailing(paragraph: str, lang: str = "tr") -> tuple[Dateline | None, str]:
    """'... dedi. – BRÜKSEL' -> (Brüksel, '... dedi.')."""
    match = _TRAILING.search(paragraph)
    if not match or not _is_caps(match.group("head")):
        return None, paragraph
    found = _place(match.group("head").strip(), lang, vouched=False)
    if not found:
        return None, paragraph
    return Dateline(found[0], None, found[1]), paragraph[:match.start()].rstrip()


PLACES = ("lead", "alone", "trailing")


def find_dateline(paragraphs: list[str], lang: str = "tr", places: tuple[str, ...] = PLACES
                  ) -> tuple[Dateline | None, list[str]]:
    """The dateline of a body given as paragraphs, and the paragraphs without it.
    ``places``: where the site puts datelines (a profile's ``dateline``)."""
    if not paragraphs:
        return None, paragraphs
    first = paragraphs[0]
    alone = place_alone(first, lang) if "alone" in places else None
    if alone and len(paragraphs) > 1:
        # "ANKARA" alone, and the next paragraph may still open with "(AA) -".
        rest = list(paragraphs[1:])
        credit = re.match(rf"^{_AGENCY}\s*[.,:]?\s*{DASH}\s*", rest[0])
        if credit:
            agency = (credit.group("agency") or credit.group("agency2") or "").strip()
            rest[0] = rest[0][credit.end():]
            if _agency_like(agency):
                alone = Dateline(alone.place, agency, alone.reporter, alone.date_text)
        return alone, rest
    dateline, text = split_lead(first, lang) if "lead" in places else (None, first)
    if dateline:
        return dateline, ([text] if text else []) + paragraphs[1:]
    if "trailing" not in places:
        return None, paragraphs
    last = paragraphs[-1]
    if len(paragraphs) > 1:
        alone = place_alone(last, lang)
        if alone and _is_caps(last):
            return alone, paragraphs[:-1]
    dateline, text = split_trailing(last, lang)
    if dateline:
        return dateline, paragraphs[:-1] + ([text] if text else [])
    return None, paragraphs


def split_marked(paragraph: str, marked: str, lang: str = "tr") -> tuple[Dateline | None, str]:
    """A place the page marks as its dateline (<span class="dateline">ISTANBUL</span>) run
    into the first sentence without a dash: cut when the paragraph opens with it and it is
    a place (the same check as a place alone: the gazetteer, or capitals)."""
    marked = marked.strip().rstrip(" ,.:–—-")
    after = paragraph[len(marked):]
    if not marked or not paragraph.startswith(marked) or after[:1].isalnum():
        return None, paragraph
    found = place_alone(marked, lang)
    rest = re.sub(rf"^[\s,.:]*(?:{DASH}\s*)?", "", after)
    return (found, rest) if found and rest else (None, paragraph)
