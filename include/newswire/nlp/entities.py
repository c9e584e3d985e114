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


_ABBREVIATION = re.compile(r"(?:[A-Z]\.){2,}$")
# Case endings Turkish writes without an apostrophe after common-noun heads
# ("Dünya Sağlık Örgütünün", "Olimpiyat Komitesini"), longest first.
_TR_BARE_SUFFIXES = ("nden", "ndan", "nin", "nın", "nun", "nün", "nde", "nda", "ne", "na",
                     "ni", "nı", "nu", "nü", "yi", "yı", "ye", "ya", "in", "ın", "un", "ün",
                     "i", "ı", "u", "ü", "e", "a")


def base_name(text: str) -> str:
    words = text.split()
    if not words:
        return text
    name = " ".join([*words[:-1], strip_suffix(words[-1])]).strip(" ,;:()\"“”«»")
    if name.endswith(".") and not _ABBREVIATION.search(name):
        name = name.rstrip(".")
    return re.sub(r"^(?:the|The)\s+", "", name)


def known_form(name: str, gaz: Gazetteer) -> str | None:
    """The gazetteer's form of a name, also when Turkish suffixed it without an
    apostrophe ("Uluslararası Olimpiyat Komitesinin" -> "... Komitesi")."""
    if gaz.label(name):
        return name
    words = name.split()
    if len(words) < 2:
        return None
    for suffix in _TR_BARE_SUFFIXES:
        if words[-1].endswith(suffix) and len(words[-1]) > len(suffix) + 2:
            candidate = " ".join([*words[:-1], words[-1][: -len(suffix)]])
            if gaz.label(candidate):
                return candidate
    return None


def trim_span(text: str, start: int, end: int, gaz: Gazetteer) -> tuple[int, int]:
    """Drop words a name does not start or end with: articles, dates, lower-case words
    ("Şubatta Güney Kore" -> "Güney Kore", "Dijsselbloem on Jan" -> "Dijsselbloem")."""
    words = _words(text, start, end)

    def is_date(word: str) -> bool:
        bare = strip_suffix(word).rstrip(".,")
        return bare in gaz.dates or any(bare.lower().startswith(d.lower()) and len(d) > 3
                                        for d in gaz.dates if d[:1].isupper() and
                                        len(bare) <= len(d) + 4)

    while len(words) > 1 and (words[0][0] in ("the", "The", "a", "A") or is_date(words[0][0])
                              or (not words[0][0][:1].isupper()
                              and not words[0][0][:1].isdigit())):
        words = words[1:]
    while len(words) > 1 and (is_date(words[-1][0]) or (not words[-1][0][:1].isupper()
                              and not words[-1][0][:1].isdigit())):
        words = words[:-1]
    if not words:
        return start, start
    return words[0][1], words[-1][2]


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
            start, end = trim_span(text, start, end, gaz)
            if end <= start or (_inside_role(text, end, gaz) and not known_form(
                    base_name(text[start:end]), gaz)):
                continue  # "AB Dış İlişkiler" of "AB Dış İlişkiler ... Temsilcisi X"
            mention = _mention(text, start, end, label, gaz)
            if mention:
                mentions.append(mention)
    mentions += _titled_people(text, mentions, gaz)
    mentions = _gazetteer_mentions(text, mentions, gaz)
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
    known = known_form(name, gaz)
    if name in gaz.dates or name.split()[0] in gaz.dates:
        label = "DATE"
    elif name.split()[-1] in EVENT_HEADS:
        label = "MISC"
    elif known:
        label = gaz.label(known) or label
        name = known
    if role is None and label in ("PER", "ORG", "LOC", "MISC") and not known:
        # A title right before a name makes it a person ("Sözcüsü Stephane Dujarric").
        role = role_before(text, start, gaz)
        if role:
            label = "PER"
    return Mention(written, start, end, label, gaz.canonical(name), role)


_NAME_AFTER_TITLE = re.compile(
    r"(?P<name>[A-ZÇĞİÖŞÜ][\w.-]+(?:\s+(?:al-|bin\s+|van\s+|de\s+)?[A-ZÇĞİÖŞÜ][\w-]+){1,3}"
    r"(?:[’']\w+)?)")


@functools.lru_cache(maxsize=8)
def _title_pattern(titles: frozenset[str]) -> re.Pattern[str]:
    """Every capitalised title in one pattern (longest first), compiled once: one pass over
    the text instead of one per title, which was a third of the NLP stage's own time."""
    alternatives = "|".join(re.escape(t) for t in sorted(
        (t for t in titles if t[:1].isupper()), key=lambda t: (-len(t), t)))
    return re.compile(rf"(?<![\w'’])(?:{alternatives})\s+")


def _titled_people(text: str, found: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """People the model missed but a title announces: "Bakanı Mevlüt Çavuşoğlu,"."""
    people = []
    taken = [(m.start, m.end) for m in found]
    for match in _title_pattern(frozenset(gaz.titles)).finditer(text):
        name = _NAME_AFTER_TITLE.match(text, match.end())
        if not name:
            continue
        start, end = name.span()
        words = [strip_suffix(w) for w in name.group().split()]
        if (any(a < end and start < b for a, b in taken) or words[0] in gaz.titles
                or known_form(" ".join(words), gaz) or words[0] in gaz.dates):
            continue
        role = role_before(text, start, gaz)
        people.append(Mention(name.group(), start, end, "PER", base_name(name.group()),
                              role, source="title"))
        taken.append((start, end))
    return people


def _inside_role(text: str, end: int, gaz: Gazetteer) -> bool:
    """True when the words after ``end`` continue a role up to a title word."""
    following = text[end:end + 80].split()
    for word in following[:6]:
        bare = strip_suffix(word.strip(",.;:"))
        if bare in gaz.titles:
            return True
        if not (bare[:1].isupper() or bare in ("ve", "and", "of")):
            return False
    return False


def _gazetteer_mentions(text: str, found: list[Mention], gaz: Gazetteer) -> list[Mention]:
    pattern = gazetteer_pattern() if gaz is load_gazetteer() else _gazetteer_pattern(gaz)
    if pattern is None:
        return found
    kept = list(found)
    for match in pattern.finditer(text):
        start, end = match.span()
        overlapping = [m for m in kept if m.start < end and start < m.end]
        # A longer gazetteer name replaces the model's pieces of it ("Cox's Bazar"); a
        # model span that contains the gazetteer name (a person, a longer name) wins.
        if any(m.start < start or m.end > end or m.label == "PER" for m in overlapping):
            continue
        name = base_name(match.group())
        label = gaz.label(name)
        if label:
            kept = [m for m in kept if m not in overlapping]
            kept.append(Mention(match.group(), start, end, label, gaz.canonical(name),
                                source="gazetteer"))
    return kept


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
            # "Karadağ" is a country, but in an article about Selim Karadağ it is him.
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
