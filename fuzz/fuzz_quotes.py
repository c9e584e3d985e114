"""Fuzz quote extraction (the rule-based part, no model): every quote's offsets index
the text it quotes, given entity mentions whose offsets index the text."""

from __future__ import annotations

import atheris
from _common import run, text_from

with atheris.instrument_imports(include=["newswire"]):
    from newswire.nlp.entities import Mention
    from newswire.nlp.quotes import extract_quotes, sentences

LABELS = ["PER", "ORG", "LOC", "MISC", "DATE"]


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data[:8])
    text = text_from(data[8:])
    mentions = []
    for _ in range(fdp.ConsumeIntInRange(0, 4) if text else 0):
        start = fdp.ConsumeIntInRange(0, len(text) - 1)
        end = fdp.ConsumeIntInRange(start + 1, min(len(text), start + 30))
        name = text[start:end]
        mentions.append(Mention(name, start, end, LABELS[start % len(LABELS)], name))
    for lang in ("tr", "en"):
        for quote in extract_quotes(text, mentions, lang):
            assert text[quote.start:quote.end] == quote.quote, quote
            assert quote.kind in ("direct", "indirect")
    for start, end in sentences(text):
        assert 0 <= start < end <= len(text)


if __name__ == "__main__":
    run(test_one_input)
