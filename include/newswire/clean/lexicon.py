"""The cleaner's word lists (``lexicon.yaml``), loaded and compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newswire.clean.places import fold, language_words
from newswire.yaml_data import load_yaml

LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")

# Month abbreviations that the gazetteer's full names do not cover.
_MONTH_ABBREVIATIONS = ["oca", "şub", "mar", "nis", "may", "haz", "tem", "ağu", "eyl", "eki",
                        "kas", "ara", "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept",
                        "oct", "nov", "dec"]


def _alternation(words: list[str]) -> str:
    return "|".join(sorted((re.escape(fold(w)) for w in words), key=len, reverse=True))


@dataclass(frozen=True)
class Lexicon:
    kickers: frozenset[str]
    agencies: frozenset[str]
    notice_strong: re.Pattern[str]
    notice_families: dict[str, re.Pattern[str]]
    share_words: frozenset[str]
    related_heading: re.Pattern[str]
    read_also: re.Pattern[str]
    credit_line: re.Pattern[str]
    byline_prefix: re.Pattern[str]
    date_words: frozenset[str]
    update_words: re.Pattern[str]
    month_words: frozenset[str]
    weekday_words: frozenset[str]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = load_yaml(LEXICON_FILE.read_text(encoding="utf-8"))
    notice = data["notice"]
    months = language_words()["months"]
    weekdays = language_words()["weekdays"]
    return Lexicon(
        kickers=frozenset(fold(k) for k in data["dateline_kickers"]),
        agencies=frozenset(fold(a) for a in data["agencies"]),
        # Patterns run on fold()ed text: written in lower case, dotless i folded to i.
        notice_strong=re.compile("|".join(f"(?:{fold(p)})" for p in notice["strong"])),
        notice_families={name: re.compile(rf"(?<!\w)(?:{_alternation(words)})")
                         for name, words in notice["families"].items()},
        share_words=frozenset(fold(w) for w in data["share_words"]),
        related_heading=re.compile(
            "^(?:" + "|".join(f"(?:{fold(p)})" for p in data["related_headings"])
            + r")\s*[:.!?]*$"),
        read_also=re.compile("^(?:" + "|".join(f"(?:{fold(p)})" for p in data["read_also_cues"])
                             + r")\s*(?::|»|>>)\s*\S"),
        credit_line=re.compile("^(?:" + "|".join(f"(?:{fold(p)})"
                                                   for p in data["credit_lines"]) + ")"),
        byline_prefix=re.compile(rf"^(?:{_alternation(data['byline_prefixes'])})\s*[:\-–]?\s+"),
        date_words=frozenset(fold(w) for w in data["date_words"]),
        update_words=re.compile(rf"(?<!\w)(?:{_alternation(data['update_words'])})(?!\w)"),
        month_words=frozenset([fold(m).rstrip(".") for m in months] + _MONTH_ABBREVIATIONS),
        weekday_words=frozenset(fold(d) for d in weekdays),
    )
