"""Fuzz amount extraction: spans index the text, in order, values finite."""

from __future__ import annotations

import math
from itertools import pairwise

import atheris
from _common import run, text_from

with atheris.instrument_imports(include=["newswire"]):
    from newswire.nlp.quantities import extract_quantities


def test_one_input(data: bytes) -> None:
    text = text_from(data)
    for lang in ("tr", "en"):
        found = extract_quantities(text, lang)
        for quantity in found:
            assert text[quantity.start:quantity.end] == quantity.text != "", quantity
            assert math.isfinite(quantity.value), quantity
        assert all(a.end <= b.start for a, b in pairwise(found))


if __name__ == "__main__":
    run(test_one_input)
