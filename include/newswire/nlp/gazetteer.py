"""The gazetteer (gazetteer.yaml): known places and organisations with their labels,
aliases (AB = Avrupa Birliği = EU) and the groups they join into. Its own module, light
to import: the catalog's ``entity_aliases`` table needs the groups, not the entity
rules."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from newswire.yaml_data import load_yaml

GAZETTEER_FILE = Path(__file__).with_name("gazetteer.yaml")

# Function words inside names, written in either case ("Doctors without Borders").
_FUNCTION_WORDS = ("without", "sans", "the", "of", "for", "and", "to", "in", "on", "at",
                   "de", "du", "la", "le", "des")


@dataclass
class Gazetteer:
    labels: dict[str, str] = field(default_factory=dict)  # name -> LOC/ORG
    aliases: dict[str, str] = field(default_factory=dict)  # variant -> canonical
    groups: dict[str, str] = field(default_factory=dict)  # any name -> its group's key

    def canonical(self, name: str) -> str:
        """The alias target (grouping only: mentions keep the article's own name)."""
        return self.aliases.get(name, name)

    def label(self, name: str) -> str | None:
        return self.labels.get(name) or self.labels.get(self.canonical(name))

    def group(self, name: str) -> str:
        return self.groups.get(name, name)

    @functools.cached_property
    def function_word_pattern(self) -> re.Pattern[str] | None:
        """The names with a function word inside ("Doctors Without Borders", "Save the
        Children"), the function words in any case."""
        parts = []
        for name in sorted(self.labels, key=len, reverse=True):
            words = name.split()
            if len(words) < 3 or not any(w.lower() in _FUNCTION_WORDS for w in words[1:-1]):
                continue
            parts.append(r"\s+".join(f"(?i:{re.escape(w)})" if w.lower() in _FUNCTION_WORDS
                                     else re.escape(w) for w in words))
        if not parts:
            return None
        return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")

    @functools.cached_property
    def first_words(self) -> dict[str, int]:
        """First word of every name -> the most words a name starting with it has."""
        out: dict[str, int] = {}
        for name in (*self.labels, *self.aliases):
            words = name.split()
            out[words[0]] = max(out.get(words[0], 0), len(words))
        return out


@functools.cache
def gazetteer_yaml(path: Path = GAZETTEER_FILE) -> dict:
    """The gazetteer file as parsed, once per process and shared, read-only: the
    cleaner's place names (clean/places.py) and the groups here (the catalog's
    entity_aliases, so every publish) read the same file, and parsing it takes about a
    tenth of a second. Empty for a missing file."""
    if not path.exists():
        return {}
    return load_yaml(path.read_text("utf-8")) or {}


@functools.cache
def load_gazetteer(path: Path = GAZETTEER_FILE) -> Gazetteer:
    if not path.exists():
        return Gazetteer()
    raw = gazetteer_yaml(path)
    gaz = Gazetteer()
    for label in ("LOC", "ORG"):
        for name in raw.get(label) or []:
            gaz.labels.setdefault(str(name), label)
    gaz.aliases = {str(k): str(v) for k, v in (raw.get("aliases") or {}).items()}
    # Groups: aliases and cross-language equivalents, joined (union-find).
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for variant, target in gaz.aliases.items():
        join(variant, target)
    for names in raw.get("equivalents") or []:
        for other in names[1:]:
            join(str(names[0]), str(other))
    members: dict[str, list[str]] = {}
    for name in list(parent):
        members.setdefault(find(name), []).append(name)
    for root, names in members.items():
        # The group's key: a name that is no alias of another (the gazetteer's canonical).
        key = min((n for n in names if n not in gaz.aliases), default=root)
        for name in names:
            gaz.groups[name] = key
    return gaz


def alias_rows(gaz: Gazetteer | None = None) -> list[tuple[str, str]]:
    """(name, group key) for every name the gazetteer groups: the catalog's
    ``entity_aliases`` table."""
    gaz = gaz or load_gazetteer()
    return sorted(gaz.groups.items())
