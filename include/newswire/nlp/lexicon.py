"""The per-language lexicons (``lexicon/tr.yaml``, ``lexicon/en.yaml``): the words the NLP
rules are made of, read once per process.

Quotes, entities, quantities and time mentions all read their words from here: reporting
verbs and the endings that make them cues, titles, honorifics and name particles, words
that are never entities, quantity and currency words, month and weekday names. A module
keeps the grammar (how a language inflects, what follows what); the words are data.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from newswire.yaml_data import load_yaml

LEXICON_DIR = Path(__file__).with_name("lexicon")
GIVEN_NAMES_FILE = Path(__file__).with_name("given_names.yaml")
LANGUAGES = ("tr", "en")


class LexiconError(ValueError):
    """A lexicon file is malformed (a missing section, a value YAML read as a non-string)."""


@dataclass(frozen=True, eq=False)
class Lexicon:
    lang: str
    nested_quotes: bool
    verbs: dict[str, str]  # stem (tr) or written form (en) -> lemma
    phrases: dict[str, str]  # "ifadelerini kullan" -> lemma
    forms: dict[str, str]  # irregular whole forms -> kind (finite, participle, ...)
    endings: dict[str, tuple[str, ...]]  # kind -> endings (tr)
    said_nouns: tuple[str, ...]
    statement_nouns: tuple[str, ...]
    colon_words: tuple[str, ...]
    subject_particles: frozenset[str]
    source_phrases: tuple[str, ...]
    quoted_as: frozenset[str]
    listener_verbs: frozenset[str]
    person_pronouns: frozenset[str]
    group_pronouns: frozenset[str]
    particles: frozenset[str]
    honorifics: tuple[str, ...]
    agencies: frozenset[str]
    org_suffixes: tuple[str, ...]
    place_nouns_before: frozenset[str]
    place_nouns_after: tuple[str, ...]
    org_heads: frozenset[str]
    loc_heads: frozenset[str]
    org_references: dict[str, str]
    titles: tuple[str, ...]
    not_entities: frozenset[str]
    quantities: dict
    months: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, int]
    lists: dict[str, frozenset[str]]  # "quotes.postpositions" -> words

    def words(self, key: str) -> frozenset[str]:
        """A word list of the file by its dotted key ("quotes.postpositions")."""
        return self.lists.get(key, frozenset())

    @functools.cached_property
    def title_words(self) -> frozenset[str]:
        """Last words of titles ("Bakanı", "Sekreteri", "spokesman"), for splitting a
        role off a name."""
        return frozenset(t.split()[-1] for t in self.titles)

    @functools.cached_property
    def title_words_any_case(self) -> frozenset[str]:
        """``title_words`` as written and in lower case ("Minister", "minister")."""
        return self.title_words | {t.lower() for t in self.title_words}

    @functools.cached_property
    def cue_pattern(self) -> re.Pattern[str]:
        """A reporting cue in case-folded text. Turkish: a stem with one of the endings
        (group ``stem`` + ``end``) or an irregular form (group ``form``); English: a
        written form (group ``form``)."""
        if self.lang == "tr":
            stems = sorted({*self.verbs, *self.phrases}, key=len, reverse=True)
            endings = sorted({e for es in self.endings.values() for e in es},
                             key=len, reverse=True)
            forms = sorted(self.forms, key=len, reverse=True)
            return re.compile(
                r"(?<![\w'’])(?:(?P<form>" + "|".join(map(_words_re, forms)) + r")|"
                r"(?P<stem>" + "|".join(map(_words_re, stems)) + r")"
                r"(?P<end>" + "|".join(map(re.escape, endings)) + r"))(?![\w'’])")
        forms = sorted(self.verbs, key=len, reverse=True)
        return re.compile(r"(?<![\w'’-])(?P<form>" + "|".join(map(_words_re, forms))
                          + r")(?![\w'’-])")

    def cue_kind(self, match: re.Match[str]) -> str:
        """finite, participle, converb or passive (Turkish); participle for an English
        -ing form, else finite."""
        if self.lang == "tr":
            if match.group("form"):
                return self.forms[re.sub(r"\s+", " ", match.group("form"))]
            end = match.group("end")
            return next(kind for kind, endings in self.endings.items() if end in endings)
        return "participle" if match.group("form").endswith("ing") else "finite"

    def cue_lemma(self, match: re.Match[str]) -> str:
        if self.lang == "tr":
            if match.group("form"):
                return "de"
            stem = re.sub(r"\s+", " ", match.group("stem"))
            return self.phrases.get(stem) or self.verbs[stem]
        return self.verbs[re.sub(r"\s+", " ", match.group("form"))]


def _words_re(phrase: str) -> str:
    return r"\s+".join(re.escape(w) for w in phrase.split())


def _strings(raw: object, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise LexiconError(f"{where}: expected a list of strings (quote words YAML reads as "
                           f"booleans or numbers, such as on/no/yes), got {raw!r}")
    return tuple(raw)


def _mapping(raw: object, where: str, value_type: type = str) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, value_type)
                                            for k, v in raw.items()):
        raise LexiconError(f"{where}: expected a mapping of strings to {value_type.__name__},"
                           f" got {raw!r}")
    return dict(raw)


def _checked(section: dict, where: str) -> dict:
    """A section of word lists and word mappings, every word a string."""
    for key, value in section.items():
        if isinstance(value, list):
            _strings(value, f"{where}.{key}")
        elif isinstance(value, dict) and not all(isinstance(k, str) for k in value):
            raise LexiconError(f"{where}.{key}: a key YAML read as a non-string "
                               f"(quote on/no/yes): {value!r}")
    return dict(section)


def read_lexicon(path: Path) -> Lexicon:
    raw = load_yaml(path.read_text("utf-8")) or {}
    for section in ("lang", "quotes", "names", "titles", "not_entities", "quantities", "time"):
        if section not in raw:
            raise LexiconError(f"{path}: no {section!r} section")
    q, n, t = raw["quotes"], raw["names"], raw["time"]
    endings = {kind: _strings(values, f"{path}: quotes.endings.{kind}")
               for kind, values in (q.get("endings") or {}).items()}
    return Lexicon(
        lang=raw["lang"],
        nested_quotes=bool(q.get("nested")),
        verbs=_mapping(q.get("verbs"), f"{path}: quotes.verbs"),
        phrases=_mapping(q.get("phrases"), f"{path}: quotes.phrases"),
        forms=_mapping(q.get("forms"), f"{path}: quotes.forms"),
        endings=endings,
        said_nouns=_strings(q.get("said_nouns"), f"{path}: quotes.said_nouns"),
        statement_nouns=_strings(q.get("statement_nouns"), f"{path}: quotes.statement_nouns"),
        colon_words=_strings(q.get("colon_words"), f"{path}: quotes.colon_words"),
        subject_particles=frozenset(_strings(q.get("subject_particles"), f"{path}: quotes")),
        source_phrases=_strings(q.get("source_phrases"), f"{path}: quotes.source_phrases"),
        quoted_as=frozenset(_strings(q.get("quoted_as"), f"{path}: quotes.quoted_as")),
        listener_verbs=frozenset(_strings(q.get("listener_verbs"), f"{path}: quotes")),
        person_pronouns=frozenset(_strings(q.get("person_pronouns"), f"{path}: quotes")),
        group_pronouns=frozenset(_strings(q.get("group_pronouns"), f"{path}: quotes")),
        particles=frozenset(_strings(n.get("particles"), f"{path}: names.particles")),
        honorifics=_strings(n.get("honorifics"), f"{path}: names.honorifics"),
        agencies=frozenset(_strings(n.get("agencies"), f"{path}: names.agencies")),
        org_suffixes=_strings(n.get("org_suffixes"), f"{path}: names.org_suffixes"),
        place_nouns_before=frozenset(_strings(n.get("place_nouns_before"), f"{path}: names")),
        place_nouns_after=_strings(n.get("place_nouns_after"), f"{path}: names"),
        org_heads=frozenset(_strings(n.get("org_heads"), f"{path}: names.org_heads")),
        loc_heads=frozenset(_strings(n.get("loc_heads"), f"{path}: names.loc_heads")),
        org_references=_mapping(n.get("org_references"), f"{path}: names.org_references"),
        titles=_strings(raw["titles"], f"{path}: titles"),
        not_entities=frozenset(_strings(raw["not_entities"], f"{path}: not_entities")),
        quantities=_checked(raw["quantities"], f"{path}: quantities"),
        months=_mapping(t.get("months"), f"{path}: time.months", int),
        weekdays=_mapping(t.get("weekdays"), f"{path}: time.weekdays", int),
        relative=_mapping(t.get("relative"), f"{path}: time.relative", int),
        lists={f"{section}.{key}": frozenset(_strings(value, f"{path}: {section}.{key}"))
               for section in ("quotes", "names") for key, value in raw[section].items()
               if isinstance(value, list)},
    )


@functools.cache
def lexicon(lang: str) -> Lexicon:
    """The lexicon of ``lang`` ("tr" or "en"), read once per process."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language: {lang!r}")
    return read_lexicon(LEXICON_DIR / f"{lang}.yaml")


def fold_case(text: str, lang: str) -> str:
    """Lower-case text without changing its length, so match offsets stay valid.

    Turkish dotted and dotless capitals are mapped first (İ -> i, I -> ı); characters
    whose lower-case form has another length (İ outside Turkish) are left as they are.
    Typographic apostrophes and dashes become ASCII ones so one pattern covers both.
    """
    if lang == "tr":
        text = text.replace("İ", "i").replace("I", "ı")
    text = text.replace("’", "'").replace("‘", "'").replace("´", "'").replace(
        "–", "-").replace("—", "-")
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@functools.cache
def given_names(path: Path = GIVEN_NAMES_FILE) -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames written first) from the data file (any language)."""
    raw = load_yaml(path.read_text("utf-8")) or {}
    return (frozenset(map(str, raw.get("given") or [])),
            frozenset(map(str, raw.get("family_first") or [])))
