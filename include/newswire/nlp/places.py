"""Places any English article may name, from ISO 3166 (the ``pycountry`` package).

The offline English NER model misses many provinces and regions ("Aceh", "Idlib",
"Donetsk") and short forms ("S. Korea"); the gazetteer lists only the places the
agencies name most. ISO 3166-1 gives every country's name, common name and official
name; ISO 3166-2 every province, state and region, mostly in the local spelling
("Tehrān"), so each is also known without its diacritics ("Tehran").

A name is a place here only where the other layers found nothing better (see
``entities._run_mentions``). Names that are ordinary English words ("Central",
"Mayo"), given names, organisation heads or titles are left out: the data for that
is ``names.not_places`` in the English lexicon and the lists the lexicon already has.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import pycountry

from newswire.nlp.lexicon import Lexicon, given_names, lexicon
from newswire.nlp.wordscan import word_spans

# "South Korea" -> "S. Korea": compass words that news headlines shorten.
_COMPASS = {"North": "N.", "South": "S.", "East": "E.", "West": "W."}


def ascii_fold(name: str) -> str:
    """ "Tehrān" -> "Tehran", "Ḩalab" -> "Halab": the letters without their marks
    ("İstanbul" -> "Istanbul")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _iso_names() -> set[str]:
    names: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:  # "Korea, Republic of": an index form
                names.add(value)
    for sub in pycountry.subdivisions:
        if "," not in sub.name and "(" not in sub.name:
            names.add(sub.name)
    return names


def _usable(name: str, lex: Lexicon, banned: frozenset[str]) -> bool:
    words = name.split()
    if not words or any(not w[:1].isupper() and w.lower() not in lex.words(
            "names.particles") | {"of", "and", "the"} for w in words):
        return False
    if len(name) < 3 or any(len(w.strip(".")) < 2 and not w.endswith(".") for w in words):
        return False
    if name in banned or name.lower() in banned:
        return False
    ordinary = (lex.org_heads | lex.loc_heads | lex.not_entities | lex.title_words_any_case
                | set(lex.months) | set(lex.weekdays))
    return not (len(words) == 1 and (name in ordinary or name.lower() in ordinary))


@functools.cache
def place_names(lang: str = "en") -> frozenset[str]:
    """Every usable ISO 3166 country and subdivision name, as written and folded, and
    the compass short forms of country names ("S. Korea"); loaded once."""
    lex = lexicon(lang)
    banned = lex.words("names.not_places") | given_names()[0] | given_names()[1]
    out: set[str] = set()
    for name in _iso_names():
        for form in {name, ascii_fold(name)}:
            if _usable(form, lex, banned):
                out.add(form)
    for country in pycountry.countries:
        common = getattr(country, "common_name", None) or country.name
        first, _, rest = common.partition(" ")
        if first in _COMPASS and rest:
            out.add(f"{_COMPASS[first]} {rest}")
    return frozenset(out)


def is_place_name(name: str, text: str, lex: Lexicon) -> bool:
    """Whether ``name`` (a whole piece of a capitalised run) is an ISO 3166 place;
    English only. A one-word name the article also writes in lower case is an ordinary
    word there ("Central" at a sentence start, "central bank" later)."""
    if lex.lang != "en" or name not in place_names(lex.lang):
        return False
    if " " not in name and _surname_in(name, text, lex):
        return False
    return " " in name or next(word_spans(text, name.lower(), "-", "-"), None) is None


@functools.lru_cache(maxsize=2048)
def _after_word(name: str) -> re.Pattern[str]:
    """ "John Kerry", "Mr. Kerry": a capitalised word, then the place's name. Compiled
    once per place (ISO 3166 names are a bounded set), not once per article."""
    return re.compile(rf"([A-Z][\w'-]*\.?) {re.escape(name)}(?![\w-])")


@functools.cache
def _person_words(lex: Lexicon) -> frozenset[str]:
    """Words written before a surname: given names, honorifics, titles."""
    return given_names()[0] | lex.words("names.honorifics") | lex.title_words_any_case


def _surname_in(name: str, text: str, lex: Lexicon) -> bool:
    """ "John Kerry", "Mr. Kerry", "Secretary Kerry": the article also writes the word
    after a given name, an honorific or a title, so it is a person's surname there
    (ISO 3166 has Kerry, Lincoln, Durham ...), not the place."""
    people = _person_words(lex)
    for found in _after_word(name).finditer(text):
        if found.group(1) in people or found.group(1).rstrip(".") in people:
            return True
    return False
