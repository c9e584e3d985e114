"""From the NER model's spans to document-level entities with canonical names.

The offline models are weak (a bare surname tagged ORGANIZATION, "Aralık'ta" tagged
LOCATION, titles swallowed into person spans), so the model's spans go through, in order:

1. ``split_span``: a span crossing a Turkish genitive ("NATO'nun Açık Kapı Politikası")
   is split there;
2. ``split_role``: a title inside or right before a name becomes the mention's role
   ("NATO Genel Sekreteri Jens Stoltenberg" -> role "NATO Genel Sekreteri", PER
   "Jens Stoltenberg");
3. the gazetteer (``gazetteer.yaml``) fixes LOC/ORG labels, merges aliases and adds
   the places and organisations the model missed; month and weekday names become DATE;
4. ``consolidate``: per document, a surname of a full name maps to that name, and a name
   tagged PER once is PER everywhere.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

GAZETTEER_FILE = Path(__file__).with_name("gazetteer.yaml")
MODEL_LABELS = {"PERSON": "PER", "PER": "PER", "LOCATION": "LOC", "LOC": "LOC",
                "GPE": "LOC", "ORGANIZATION": "ORG", "ORG": "ORG", "MONEY": "MONEY",
                "TIME": "DATE", "DATE": "DATE", "MISC": "MISC", "NORP": "MISC"}
APOSTROPHES = "'’"
_SUFFIX = re.compile(r"[’']\w+$")
_POSSESSIVE = re.compile(r"[’']s$")
_WORD = re.compile(r"\S+")
# Heads that make a capitalised span an event or a policy, not a place or organisation.
EVENT_HEADS = {"Zirvesi", "Toplantısı", "Konferansı", "Politikası", "Forumu", "Kongresi",
               "Summit", "Conference", "Meeting", "Forum", "Olimpiyatları", "Oyunları",
               "Şampiyonası", "Games", "Olympics", "Championship"}


@dataclass
class Gazetteer:
    labels: dict[str, str] = field(default_factory=dict)  # name -> LOC/ORG
    aliases: dict[str, str] = field(default_factory=dict)
    titles: set[str] = field(default_factory=set)  # single title words ("Bakanı")
    title_phrases: list[list[str]] = field(default_factory=list)
    dates: set[str] = field(default_factory=set)  # month and weekday names
    not_entities: set[str] = field(default_factory=set)

    def canonical(self, name: str) -> str:
        return self.aliases.get(name, name)

    def label(self, name: str) -> str | None:
        return self.labels.get(name) or self.labels.get(self.canonical(name))


@functools.cache
def load_gazetteer(path: Path = GAZETTEER_FILE) -> Gazetteer:
    if not path.exists():
        return Gazetteer()
    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    gaz = Gazetteer()
    for label in ("LOC", "ORG"):
        for name in raw.get(label) or []:
            gaz.labels.setdefault(str(name), label)
    gaz.aliases = {str(k): str(v) for k, v in (raw.get("aliases") or {}).items()}
    for lang_titles in (raw.get("titles") or {}).values():
        for title in lang_titles or []:
            words = str(title).split()
            gaz.title_phrases.append(words)
            gaz.titles.add(words[-1])
            gaz.titles.add(words[-1].lower())
    for key in ("months", "weekdays"):
        for names in (raw.get(key) or {}).values():
            gaz.dates.update(str(n) for n in names or [])
    for names in (raw.get("not_entities") or {}).values():
        gaz.not_entities.update(str(n) for n in names or [])
    return gaz


@dataclass
class Mention:
    text: str  # as written, with any case suffix
    start: int
    end: int
    label: str
    canonical: str
    role: str | None = None
    source: str = "model"  # model, gazetteer or document


def strip_suffix(word: str) -> str:
    """Brüksel'deki -> Brüksel; Stoltenberg'in -> Stoltenberg; Britain's -> Britain."""
    word = _POSSESSIVE.sub("", word)
    return _SUFFIX.sub("", word)


def base_name(text: str) -> str:
    words = text.split()
    if not words:
        return text
    return " ".join([*words[:-1], strip_suffix(words[-1])]).strip(" ,.;:()\"“”«»")


def _words(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    return [(m.group(), start + m.start(), start + m.end())
            for m in _WORD.finditer(text[start:end])]


def split_span(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a span after any word with a case suffix that is not the span's last word."""
    pieces = []
    current = start
    words = _words(text, start, end)
    for i, (word, _ws, we) in enumerate(words):
        if i < len(words) - 1 and _SUFFIX.search(word.rstrip(",.;:")):
            pieces.append((current, we))
            current = words[i + 1][1]
    pieces.append((current, end))
    return pieces


def _is_name_word(word: str) -> bool:
    core = word.strip(",.;:()\"“”«»")
    return bool(core) and (core[0].isupper() or core[:1].isdigit())


def split_role(text: str, start: int, end: int, gaz: Gazetteer) -> tuple[str | None, int]:
    """Return (role, name_start) for a span that holds a title before a name."""
    words = _words(text, start, end)
    last_title = -1
    for i, (word, _s, _e) in enumerate(words[:-1]):
        if strip_suffix(word) in gaz.titles:
            last_title = i
    if last_title < 0:
        return None, start
    role = text[words[0][1]:words[last_title][2]]
    return role, words[last_title + 1][1]


def role_before(text: str, start: int, gaz: Gazetteer, max_words: int = 8) -> str | None:
    """The title right before a name: "... Dışişleri Bakanı Mevlüt Çavuşoğlu" -> the
    capitalised run ending in a title word ("Dışişleri Bakanı")."""
    head = text[max(0, start - 160):start]
    words = head.split()
    if not words or strip_suffix(words[-1]) not in gaz.titles:
        return None
    run: list[str] = []
    for word in reversed(words):
        bare = word.strip("()")
        if len(run) >= max_words or not bare:
            break
        if (bare[0].isupper() or bare in gaz.titles or bare.lower() in gaz.titles
                or bare in ("ve", "and", "of", "for", "de", "du")):
            run.append(word)
            if word.endswith(",") or word.endswith("."):
                run.pop()
                break
            continue
        break
    while run and run[-1] in ("ve", "and", "of", "for", "de", "du"):
        run.pop()
    role = " ".join(reversed(run)).strip(" ,")
    return role or None


def _gazetteer_pattern(gaz: Gazetteer) -> re.Pattern[str] | None:
    names = sorted({*gaz.labels, *gaz.aliases}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![\w'’])(?:{alternatives})(?:[’']\w+)?(?![\w])")


@functools.cache
def gazetteer_pattern(path: Path = GAZETTEER_FILE) -> re.Pattern[str] | None:
    return _gazetteer_pattern(load_gazetteer(path))


def resolve_entities(text: str, spans: list[tuple[str, int, int]], lang: str,
                     gaz: Gazetteer | None = None) -> list[Mention]:
    """``spans`` are the model's (label, start, end); returns canonical mentions."""
    gaz = gaz or load_gazetteer()
    mentions: list[Mention] = []
    for model_label, span_start, span_end in spans:
        label = MODEL_LABELS.get(model_label.upper(), "MISC")
        for start, end in split_span(text, span_start, span_end):
            mention = _mention(text, start, end, label, gaz)
            if mention:
                mentions.append(mention)
    mentions += _gazetteer_mentions(text, mentions, gaz)
    mentions.sort(key=lambda m: (m.start, -m.end))
    return consolidate(text, mentions, gaz)


def _mention(text: str, start: int, end: int, label: str, gaz: Gazetteer) -> Mention | None:
    written = text[start:end].strip(" ,.;:")
    if not written:
        return None
    end = start + len(text[start:end].rstrip(" ,.;:"))
    role, name_start = split_role(text, start, end, gaz)
    if role:
        label = "PER"
        start = name_start
        written = text[start:end]
    name = base_name(written)
    if not name or name in gaz.not_entities or strip_suffix(name) in gaz.titles:
        return None
    if name in gaz.dates or name.split()[0] in gaz.dates:
        label = "DATE"
    elif name.split()[-1] in EVENT_HEADS:
        label = "MISC"
    elif gaz.label(name):
        label = gaz.label(name) or label
    if label == "PER" and role is None:
        role = role_before(text, start, gaz)
    return Mention(written, start, end, label, gaz.canonical(name), role)


def _gazetteer_mentions(text: str, found: list[Mention], gaz: Gazetteer) -> list[Mention]:
    pattern = gazetteer_pattern() if gaz is load_gazetteer() else _gazetteer_pattern(gaz)
    if pattern is None:
        return []
    taken = [(m.start, m.end) for m in found]
    added = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            continue
        name = base_name(match.group())
        label = gaz.label(name)
        if label:
            added.append(Mention(match.group(), start, end, label, gaz.canonical(name),
                                 source="gazetteer"))
    return added


def consolidate(text: str, mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """Document-level names: surnames map to full names, PER wins once seen."""
    full_names: dict[str, str] = {}  # surname -> full name
    per_names: set[str] = set()
    for m in mentions:
        if m.label == "PER":
            per_names.add(m.canonical)
            words = m.canonical.split()
            if len(words) >= 2:
                full_names.setdefault(words[-1], m.canonical)
    roles: dict[str, str] = {}
    for m in mentions:
        if m.canonical in full_names and m.label in ("PER", "ORG", "LOC", "MISC"):
            if gaz.label(m.canonical) is None:
                m.canonical = full_names[m.canonical]
                m.label = "PER"
        elif m.canonical in per_names and gaz.label(m.canonical) is None:
            m.label = "PER"
        if m.label == "PER" and m.role:
            roles.setdefault(m.canonical, m.role)
    # Surnames the model missed altogether ("... diyen Stoltenberg,").
    taken = [(m.start, m.end) for m in mentions]
    extra = []
    for surname, full in full_names.items():
        for match in re.finditer(rf"(?<![\w'’]){re.escape(surname)}(?:[’']\w+)?(?!\w)", text):
            s, e = match.span()
            if not any(a < e and s < b for a, b in taken):
                extra.append(Mention(match.group(), s, e, "PER", full, source="document"))
    for m in [*mentions, *extra]:
        if m.label == "PER" and not m.role:
            m.role = roles.get(m.canonical)
    return sorted([*mentions, *extra], key=lambda m: (m.start, -m.end))
