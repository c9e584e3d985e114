"""Where a known word or name stands in a text, found without a regex per word.

The name layers look for every name of a document elsewhere in it (a surname the model
missed, a headline's "Zuckerberg", a speaker's other mentions). A pattern built per
name, ``(?<![\\w'’])NAME(?:[’'´]\\w+)?(?!\\w)``, is compiled anew for nearly every name
(they are new to ``re``'s cache, and evict the layers' fixed patterns from it): compiling
was a fifth to a third of the layers' CPU. ``word_spans`` does the same search with
``str.find`` and the same boundary rules, match for match (the leftmost match first,
the next searched after its end, as ``re.finditer`` does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

APOSTROPHES = "’'´"  # a case ending after a name: "Stoltenberg’in", "Juncker'e"


def is_word_char(char: str) -> bool:
    """``\\w`` of ``re`` on str: a letter, a digit or a number of any script, or "_"."""
    return char.isalnum() or char == "_"


def word_spans(text: str, word: str, not_before: str = "", not_after: str = "",
               case_ending: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) of each ``word`` in ``text`` that no word character (nor one of
    ``not_before``) precedes and no word character (nor one of ``not_after``) follows;
    ``case_ending``: an apostrophe and word characters right after it belong to the
    match ("Juncker'in"), as ``(?:[’'´]\\w+)?`` does (``pattern`` is the regex it
    stands for, used as is for an empty word)."""
    if not word:
        found = re.finditer(pattern(word, not_before, not_after, case_ending), text)
        yield from (m.span() for m in found)
        return
    size, length = len(word), len(text)
    at = text.find(word)
    while at >= 0:
        end = at + size
        before = text[at - 1] if at else ""
        if before and (is_word_char(before) or before in not_before):
            at = text.find(word, at + 1)
            continue
        if case_ending and end + 1 < length and text[end] in APOSTROPHES \
                and is_word_char(text[end + 1]):
            end += 2
            while end < length and is_word_char(text[end]):
                end += 1
        elif end < length and (is_word_char(text[end]) or text[end] in not_after):
            at = text.find(word, at + 1)
            continue
        yield at, end
        at = text.find(word, end)


def pattern(word: str, not_before: str = "", not_after: str = "",
            case_ending: bool = False) -> str:
    """The regex ``word_spans`` stands for."""
    ending = rf"(?:[{APOSTROPHES}]\w+)?" if case_ending else ""
    return (rf"(?<![\w{re.escape(not_before)}]){re.escape(word)}{ending}"
            rf"(?![\w{re.escape(not_after)}])")
