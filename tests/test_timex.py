"""Time mentions: one test per rule, a no-crash property, and the gold sample set."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newswire.nlp.timex import TimeMention, extract_time_mentions, fold_case

from tests.gold_scoring import recall_precision

CONTENT = Path(__file__).resolve().parents[1] / "include/newswire/sample_site/content"

# Measured on the bundled sample set when these thresholds were set: recall 65/65 = 1.000,
# precision 65/66 = 0.985 (the gold dates are not exhaustive: the one "extra" is a
# real "bugün").  The margin allows a few regressions before the test fails.
MIN_RECALL = 0.95
MIN_PRECISION = 0.90

MONDAY = date(2017, 12, 4)
WEDNESDAY = date(2017, 12, 6)
SATURDAY = date(2017, 12, 9)


def resolved(text: str, lang: str, published: date) -> list[tuple[str, str, str]]:
    return [(m.text, m.start_date.isoformat(), m.end_date.isoformat())
            for m in extract_time_mentions(text, lang, published)]


# --------------------------------------------------------------------------- Turkish


@pytest.mark.parametrize(("text", "expected"), [
    ("5-6 Aralık'ta", ("5-6 Aralık'ta", "2017-12-05", "2017-12-06")),
    ("13 Aralık'ta", ("13 Aralık'ta", "2017-12-13", "2017-12-13")),
    ("1 Ocak'ta", ("1 Ocak'ta", "2018-01-01", "2018-01-01")),  # nearest year: next January
    ("4 Aralık 2017", ("4 Aralık 2017", "2017-12-04", "2017-12-04")),
    ("30 Kasım-2 Aralık", ("30 Kasım-2 Aralık", "2017-11-30", "2017-12-02")),
    ("İSTANBUL 13 ARALIK'TA", ("13 ARALIK'TA", "2017-12-13", "2017-12-13")),
    ("yarın", ("yarın", "2017-12-05", "2017-12-05")),
    ("bugün", ("bugün", "2017-12-04", "2017-12-04")),
    ("dün", ("dün", "2017-12-03", "2017-12-03")),
    ("Geçen hafta", ("Geçen hafta", "2017-11-27", "2017-12-03")),
    ("bu hafta içinde", ("bu hafta", "2017-12-04", "2017-12-10")),
    ("gelecek hafta", ("gelecek hafta", "2017-12-11", "2017-12-17")),
    ("önümüzdeki hafta", ("önümüzdeki hafta", "2017-12-11", "2017-12-17")),
    ("hafta sonu", ("hafta sonu", "2017-12-09", "2017-12-10")),
    ("geçen ay", ("geçen ay", "2017-11-01", "2017-11-30")),
    ("gelecek ay", ("gelecek ay", "2018-01-01", "2018-01-31")),
    ("geçen yıl", ("geçen yıl", "2016-01-01", "2016-12-31")),
    ("Gelecek yıl", ("Gelecek yıl", "2018-01-01", "2018-12-31")),
    ("önümüzdeki yıl", ("önümüzdeki yıl", "2018-01-01", "2018-12-31")),
    ("gelecek yıl temmuzda", ("gelecek yıl temmuzda", "2018-07-01", "2018-07-31")),
    ("gelecek yılın temmuz ayında", ("gelecek yılın temmuz ayında", "2018-07-01", "2018-07-31")),
    ("geçen yıl temmuzda", ("geçen yıl temmuzda", "2016-07-01", "2016-07-31")),
    ("ocakta", ("ocakta", "2018-01-01", "2018-01-31")),
    ("ocak ayında", ("ocak ayında", "2018-01-01", "2018-01-31")),
    ("kasım ayı", ("kasım ayı", "2017-11-01", "2017-11-30")),  # nearest: the one just gone
    ("2018 yılında", ("2018 yılında", "2018-01-01", "2018-12-31")),
    ("2018'de", ("2018'de", "2018-01-01", "2018-12-31")),
    ("Pazartesi", ("Pazartesi", "2017-12-04", "2017-12-04")),
    ("salı günü", ("salı günü", "2017-12-05", "2017-12-05")),
    ("Cuma günü", ("Cuma günü", "2017-12-01", "2017-12-01")),  # nearest: 3 days back
    ("geçen salı", ("geçen salı", "2017-11-28", "2017-11-28")),
    ("gelecek cuma", ("gelecek cuma", "2017-12-08", "2017-12-08")),
])
def test_turkish_mentions(text: str, expected: tuple[str, str, str]) -> None:
    assert resolved(text, "tr", MONDAY) == [expected]


def test_turkish_two_months_and_same_month_last_year() -> None:
    assert resolved("aralık ve ocak aylarında", "tr", WEDNESDAY) == [
        ("aralık ve ocak aylarında", "2017-12-01", "2018-01-31")]
    # "aynı ay" is the month mentioned before it, not the publication month.
    text = "kasım ayı ihracatı geçen yılın aynı ayına göre arttı"
    assert resolved(text, "tr", date(2017, 12, 5)) == [
        ("kasım ayı", "2017-11-01", "2017-11-30"),
        ("geçen yılın aynı ayına", "2016-11-01", "2016-11-30")]


@pytest.mark.parametrize("text", [
    "bugüne kadar 1.200 ton gıda",  # "so far", not today
    "tüm dünya",  # "dünya" holds "dün"
    "İspanya pazarında",  # "pazar" the market
    "cuma namazı",  # lower-case weekday with no "günü": a noun
    "toplam 2017 kişi",  # a bare number is no year
])
def test_turkish_non_mentions(text: str) -> None:
    assert extract_time_mentions(text, "tr", MONDAY) == []


def test_longest_mention_wins() -> None:
    found = extract_time_mentions("gelecek yıl temmuzda açılacak", "tr", MONDAY)
    assert [m.text for m in found] == ["gelecek yıl temmuzda"]


# --------------------------------------------------------------------------- English


@pytest.mark.parametrize(("text", "expected"), [
    ("on Dec. 12", ("Dec. 12", "2017-12-12", "2017-12-12")),
    ("December 12", ("December 12", "2017-12-12", "2017-12-12")),
    ("12th of December", ("12th of December", "2017-12-12", "2017-12-12")),
    ("Dec 5-6", ("Dec 5-6", "2017-12-05", "2017-12-06")),
    ("on Dec. 14-15, 2018", ("Dec. 14-15, 2018", "2018-12-14", "2018-12-15")),
    ("on Jan. 13", ("Jan. 13", "2018-01-13", "2018-01-13")),
    ("next Tuesday", ("next Tuesday", "2017-12-12", "2017-12-12")),
    ("on Tuesday", ("Tuesday", "2017-12-05", "2017-12-05")),  # nearest: yesterday
    ("on Friday", ("Friday", "2017-12-08", "2017-12-08")),  # nearest: in two days
    ("last Wednesday", ("last Wednesday", "2017-11-29", "2017-11-29")),
    ("last week", ("last week", "2017-11-27", "2017-12-03")),
    ("this week", ("this week", "2017-12-04", "2017-12-10")),
    ("next week", ("next week", "2017-12-11", "2017-12-17")),
    ("this weekend", ("this weekend", "2017-12-09", "2017-12-10")),
    ("last month", ("last month", "2017-11-01", "2017-11-30")),
    ("next year", ("next year", "2018-01-01", "2018-12-31")),
    ("last year", ("last year", "2016-01-01", "2016-12-31")),
    ("tomorrow", ("tomorrow", "2017-12-07", "2017-12-07")),
    ("yesterday", ("yesterday", "2017-12-05", "2017-12-05")),
    ("Today", ("Today", "2017-12-06", "2017-12-06")),
    ("in February", ("February", "2018-02-01", "2018-02-28")),
    ("in July", ("July", "2017-07-01", "2017-07-31")),  # nearest: five months back
    ("next July", ("next July", "2018-07-01", "2018-07-31")),
    ("December 2000", ("December 2000", "2000-12-01", "2000-12-31")),
    ("in 2018", ("2018", "2018-01-01", "2018-12-31")),
    ("in the first quarter of next year",
     ("the first quarter of next year", "2018-01-01", "2018-03-31")),
    ("the second half of 2018", ("the second half of 2018", "2018-07-01", "2018-12-31")),
])
def test_english_mentions(text: str, expected: tuple[str, str, str]) -> None:
    assert resolved(text, "en", WEDNESDAY) == [expected]


def test_weekday_is_the_nearest_occurrence() -> None:
    # In a Saturday story "on Tuesday" is three days ahead, not four days back.
    assert resolved("due to begin on Tuesday", "en", SATURDAY) == [
        ("Tuesday", "2017-12-12", "2017-12-12")]
    assert resolved("said on Saturday", "en", SATURDAY) == [
        ("Saturday", "2017-12-09", "2017-12-09")]


@pytest.mark.parametrize("text", [
    "May said the deal was done",  # Theresa May
    "prices may rise",
    "on Wednesdays",
    "in the 1990s",
    "the monday meeting",  # lower case: not written as a name
])
def test_english_non_mentions(text: str) -> None:
    assert extract_time_mentions(text, "en", WEDNESDAY) == []


def test_impossible_dates_are_dropped_not_raised() -> None:
    assert resolved("31 Şubat'ta", "tr", MONDAY) == [("Şubat'ta", "2018-02-01", "2018-02-28")]
    assert extract_time_mentions("Feb. 30", "en", WEDNESDAY) == []


def test_fold_case_keeps_offsets() -> None:
    text = "İSTANBUL IĞDIR İzmir’de"
    folded = fold_case(text, "tr")
    assert len(folded) == len(text)
    assert folded == "istanbul ığdır izmir'de"
    assert len(fold_case("İstanbul", "en")) == len("İstanbul")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        extract_time_mentions("heute", "de", MONDAY)


# --------------------------------------------------------------------------- properties

_PIECES = ["5", "-", "6", "13", "31", "2017", "0000", " ", "Aralık", "aralık", "Şubat", "'ta",
           "’da", "ayında", "aylarında", "ve", "ocak", "geçen", "gelecek", "yılın", "yıl",
           "hafta", "sonu", "aynı", "ay", "Salı", "günü", "Dec.", "December", "next",
           "Tuesday", "quarter", "first", "of", "year", "in", "on", "İ", "I", ",", "."]
_TEXT = st.lists(st.sampled_from(_PIECES) | st.text(max_size=3), max_size=30).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=_TEXT | st.text(), lang=st.sampled_from(["tr", "en"]), published=st.dates())
def test_spans_are_exact_and_disjoint(text: str, lang: str, published: date) -> None:
    found = extract_time_mentions(text, lang, published)
    for mention in found:
        assert text[mention.start:mention.end] == mention.text != ""
        assert mention.start_date <= mention.end_date
    assert all(a.end <= b.start for a, b in pairwise(found))


# --------------------------------------------------------------------------- gold


def gold_articles() -> list[tuple[str, date, list[str], list[dict]]]:
    articles = []
    for path in sorted(CONTENT.glob("*/*.json")):
        data = json.loads(path.read_text("utf-8"))
        # The dateline's own calendar day: the offset in published_at is local time.
        published = datetime.fromisoformat(data["published_at"]).date()
        paragraphs = [p for section in data["sections"] for p in section["paragraphs"]]
        articles.append((data["lang"], published, paragraphs, data["gold"]["dates"]))
    return articles


def matches(mention: TimeMention, gold: dict, paragraph: str) -> bool:
    size = len(gold["text"])
    return (mention.start_date.isoformat() == gold["start"]
            and mention.end_date.isoformat() == gold["end"]
            and any(mention.start < m.start() + size and mention.end > m.start()
                    for m in re.finditer(re.escape(gold["text"]), paragraph)))


def test_gold_dates_recall_and_precision() -> None:
    gold_found, gold_total, extracted_right, extracted = recall_precision(
        [(paragraphs, golds,
          lambda text, lang=lang, day=published: extract_time_mentions(text, lang, day))
         for lang, published, paragraphs, golds in gold_articles()], matches)
    recall = gold_found / gold_total
    precision = extracted_right / extracted
    print(f"dates: recall {gold_found}/{gold_total} = {recall:.3f}, "
          f"precision {extracted_right}/{extracted} = {precision:.3f} "
          "(gold dates are not exhaustive)")
    assert recall >= MIN_RECALL
    assert precision >= MIN_PRECISION
