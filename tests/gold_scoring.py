"""Recall and precision of a span extractor against gold annotations, per paragraph."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def recall_precision(articles: Iterable[tuple[list[str], list[dict],
                                              Callable[[str], list[Any]]]],
                     matches: Callable[[Any, dict, str], bool]
                     ) -> tuple[int, int, int, int]:
    """(gold found, gold total, extracted right, extracted) over articles given as
    (paragraphs, gold annotations, the extractor for that article)."""
    gold_total = gold_found = extracted = extracted_right = 0
    for paragraphs, golds, extract in articles:
        per_paragraph = [extract(p) for p in paragraphs]
        for gold in golds:
            gold_total += 1
            gold_found += any(matches(item, gold, p)
                              for p, found in zip(paragraphs, per_paragraph, strict=True)
                              for item in found)
        for paragraph, found in zip(paragraphs, per_paragraph, strict=True):
            extracted += len(found)
            extracted_right += sum(any(matches(item, g, paragraph) for g in golds)
                                   for item in found)
    return gold_found, gold_total, extracted_right, extracted
