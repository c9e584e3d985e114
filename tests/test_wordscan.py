"""wordscan.word_spans finds a name exactly where the regex it replaces would."""

from __future__ import annotations

import random
import re

import pytest
from newswire.nlp.wordscan import pattern, word_spans

TEXT = ("Juncker'in açıklaması: Juncker, Brüksel'de konuştu. JunckerPlan değil; "
        "Jean-Juncker değil; Juncker’e göre 'Juncker' ve Juncker´ın ekibi. Juncker'")


def test_case_endings_belong_to_the_name() -> None:
    spans = list(word_spans(TEXT, "Juncker", "'’", case_ending=True))
    # Not "JunckerPlan" nor "'Juncker'" (an apostrophe before); "Jean-Juncker" counts.
    assert [TEXT[s:e] for s, e in spans] == [
        "Juncker'in", "Juncker", "Juncker", "Juncker’e", "Juncker´ın", "Juncker"]


def test_no_word_character_around_the_word() -> None:
    assert list(word_spans("Kerry, kerry and Kerry-based", "kerry", "-", "-")) == [(7, 12)]
    assert list(word_spans("al-Falih said", "Falih", "'’", "'’-")) == [(3, 8)]
    assert list(word_spans("Falih's", "Falih", "'’", "'’-")) == []


@pytest.mark.parametrize(("not_before", "not_after", "case_ending"), [
    ("'’", "", True), ("'’", "'’-", False), ("-", "-", False)])
def test_same_matches_as_the_regex(not_before: str, not_after: str,
                                   case_ending: bool) -> None:
    rnd = random.Random(14)
    letters = "ab '’´-_.1İı é\u00a0"
    for _ in range(20_000):
        text = "".join(rnd.choice(letters) for _ in range(rnd.randint(0, 14)))
        word = "".join(rnd.choice("ab' -") for _ in range(rnd.randint(0, 3)))
        expected = [m.span() for m in re.finditer(
            pattern(word, not_before, not_after, case_ending), text)]
        assert list(word_spans(text, word, not_before, not_after, case_ending)) == expected, \
            (text, word)
