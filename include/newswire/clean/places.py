"""Place names for the dateline check: the NLP gazetteer's locations, read-only.

A dateline is only cut from the body when its place is a place: the gazetteer knows it,
or the wire form itself vouches for it (see ``dateline.py``). Lookups ignore case and the
Turkish dotted/dotless i, so "BRÜKSEL", "Brüksel" and "brüksel" find the same entry, and
the entry gives the natural spelling the ``dateline`` column stores.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from newswire.nlp.gazetteer import GAZETTEER_FILE, gazetteer_yaml
from newswire.yaml_data import load_yaml

LEXICON_DIR = Path(__file__).resolve().parents[1] / "nlp" / "lexicon"

FOLD_CACHE = 16_384  # folded strings kept: the boilerplate checks fold each line 4-5 times


@lru_cache(maxsize=FOLD_CACHE)
def fold(text: str) -> str:
    """A case- and dot-insensitive key: 'İSTANBUL', 'Istanbul', 'istanbul' -> 'istanbul'."""
    # str.replace, not str.translate with a dict table: the same mapping, many times faster.
    text = unicodedata.normalize("NFC", text).replace("İ", "i").replace("I", "i") \
        .replace("ı", "i").replace("’", "'").casefold()
    return " ".join(text.replace("i̇", "i").split())


def gazetteer_data() -> dict:
    # The NLP gazetteer's own parse of the file (one per process, see gazetteer_yaml).
    return gazetteer_yaml(GAZETTEER_FILE)


@lru_cache(maxsize=1)
def language_words() -> dict[str, list[str]]:
    """Month names, weekday names and words never a name on their own, of every language,
    from the per-language lexicons the NLP stage reads too (one place for such words)."""
    found: dict[str, list[str]] = {"months": [], "weekdays": [], "not_entities": []}
    for path in sorted(LEXICON_DIR.glob("*.yaml")):
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        time = data.get("time") or {}
        found["months"] += [str(m) for m in time.get("months") or {}]
        found["weekdays"] += [str(d) for d in time.get("weekdays") or {}]
        found["not_entities"] += [str(w) for w in data.get("not_entities") or []]
    return found


@lru_cache(maxsize=1)
def known_places() -> dict[str, tuple[str, ...]]:
    """fold(name) -> its spellings ("Istanbul", "İstanbul"), for every gazetteer location
    and its aliases."""
    data = gazetteer_data()
    places: dict[str, list[str]] = {}
    for name in data.get("LOC") or []:
        places.setdefault(fold(name), []).append(name)
    for alias, canonical in (data.get("aliases") or {}).items():
        if fold(str(canonical)) in places:
            spellings = places.setdefault(fold(str(alias)), [])
            if str(alias) not in spellings:
                spellings.append(str(alias))
    return {key: tuple(names) for key, names in places.items()}


def _upper(text: str, lang: str) -> str:
    return (text.replace("i", "İ").replace("ı", "I") if lang == "tr" else text).upper()


@lru_cache(maxsize=1)
def not_places() -> frozenset[str]:
    """Organisations and words the gazetteer says are never a place on their own."""
    data = gazetteer_data()
    words = [*(data.get("ORG") or [])]
    words += language_words()["not_entities"]
    places = known_places()
    return frozenset(fold(w) for w in words if fold(w) not in places)


def place_name(text: str) -> str | None:
    """The gazetteer's spelling of ``text`` when it is a known place, else None: the one
    written with the same letters ("İSTANBUL" -> "İstanbul", "ISTANBUL" -> "Istanbul")."""
    spellings = known_places().get(fold(text))
    if not spellings:
        return None
    for name in spellings:
        if text in (name, _upper(name, "tr"), _upper(name, "en")):
            return name
    return spellings[0]


def _title_word(word: str, lang: str) -> str:
    if not word:
        return word
    head, tail = word[0], word[1:]
    if lang == "tr":
        tail = tail.replace("I", "ı").replace("İ", "i")
    return head.upper() + tail.lower()


def natural_case(text: str, lang: str = "tr") -> str:
    """'BRÜKSEL' -> 'Brüksel', 'DİYARBAKIR' -> 'Diyarbakır', 'NEW YORK' -> 'New York';
    the gazetteer's spelling wins where it knows the place; text already in mixed case
    is kept as written."""
    known = place_name(text)
    if known:
        return known
    if text != text.upper():
        return text
    parts = []
    for word in text.split(" "):
        pieces = word.split("-")
        parts.append("-".join(_title_word(p, lang) for p in pieces))
    return " ".join(parts)
