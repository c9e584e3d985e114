"""Fuzz time mentions: spans index the text, windows are ordered, for any publication
day (the calendar's ends included)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import atheris
from _common import run, text_from

with atheris.instrument_imports(include=["newswire"]):
    from newswire.nlp.timex import extract_time_mentions


def test_one_input(data: bytes) -> None:
    if len(data) < 2:
        return
    published = date.min + timedelta(days=int.from_bytes(data[:3], "big") * 13 % 3652058)
    text = text_from(data[2:])
    for lang in ("tr", "en"):
        found = extract_time_mentions(text, lang, published)
        for mention in found:
            assert text[mention.start:mention.end] == mention.text != "", mention
            assert mention.start_date <= mention.end_date, mention
        assert all(a.end <= b.start for a, b in pairwise(found))


if __name__ == "__main__":
    run(test_one_input)
