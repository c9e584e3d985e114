"""Time expressions in Turkish and English news copy, resolved to date ranges.

Agency copy says "5-6 Aralık'ta", "geçen hafta", "on Tuesday" or "next year" and leaves
the reader to resolve it against the dateline.  This module finds such mentions with
regular expressions and resolves each to an inclusive (start_date, end_date) window
relative to the publication date.

Every rule runs on a case-folded copy of the text that keeps each character at its
index, so a match's span is also its span in the original.  Overlapping candidates
are settled in favour of the longest, so "gelecek yıl temmuzda" wins over "gelecek yıl".

Deliberate choices:

* A date or month given without a year takes the year that puts it nearest to the
  publication date ("13 Aralık" in a December article is this December, "1 Ocak" is
  next January, "kasım ayı" in early December is the November just gone).
* A bare weekday takes its nearest occurrence, today included ("on Tuesday" in a
  Wednesday story is yesterday, in a Saturday story it is the coming Tuesday);
  "last"/"geçen" and "next"/"gelecek" force the past or the future.
* dateparser resolves English day-and-month strings; its search_dates is not used to
  find mentions because it misreads ordinary words ("on Wednesday, in a" -> January,
  "of $41" -> 2041) and its Turkish coverage is patchy.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import dateparser

from newswire.nlp.lexicon import fold_case, lexicon

__all__ = ["MONTHS", "TimeMention", "extract_time_mentions", "fold_case"]


@dataclass
class TimeMention:
    text: str  # exact substring: source[start:end] == text
    start: int
    end: int
    start_date: date
    end_date: date  # inclusive


# Month and weekday names and relative words come from the lexicons ("time").
TR_MONTHS = lexicon("tr").months
EN_MONTHS = lexicon("en").months
# Month words of both languages, case-folded; quantities uses them to tell dates from counts.
MONTHS = {**TR_MONTHS, **EN_MONTHS}

TR_WEEKDAYS = lexicon("tr").weekdays
EN_WEEKDAYS = lexicon("en").weekdays

# Relative words mapped to a step in periods: -1 the previous one, 0 this one, +1 the next.
TR_STEP = lexicon("tr").relative
EN_STEP = lexicon("en").relative

Window = tuple[date, date]


# --------------------------------------------------------------------------- calendar


def month_window(year: int, month: int) -> Window:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, 1), date(year, month, last)


def year_window(year: int) -> Window:
    return date(year, 1, 1), date(year, 12, 31)


def week_window(day: date) -> Window:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def shift_month(year: int, month: int, step: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + step
    return index // 12, index % 12 + 1


def nearest_month(published: date, month: int) -> tuple[int, int]:
    """The year/month pair of this month name closest to publication, ties to the future."""
    here = published.year * 12 + published.month - 1
    options = [(year, month) for year in range(published.year - 1, published.year + 2)]
    return min(options, key=lambda ym: (abs(ym[0] * 12 + ym[1] - 1 - here),
                                        ym[0] * 12 + ym[1] - 1 < here))


def nearest_day(published: date, month: int, day: int) -> date:
    """The day-and-month closest to publication, ties to the future."""
    options = []
    for year in range(published.year - 1, published.year + 2):
        try:
            options.append(date(year, month, day))
        except ValueError:  # 29 February outside leap years
            continue
    if not options:
        raise ValueError(f"no such day: {day}.{month}")
    return min(options, key=lambda d: (abs((d - published).days), d < published))


def weekday_date(published: date, weekday: int, step: int | None) -> date:
    """A weekday resolved against publication.

    step None: the nearest occurrence, publication day included; -1: strictly before;
    +1: strictly after; 0: the one in the publication's ISO week.
    """
    ahead = (weekday - published.weekday()) % 7
    if step == 0:
        return published + timedelta(days=weekday - published.weekday())
    if step == 1:
        return published + timedelta(days=ahead or 7)
    if step == -1:
        return published - timedelta(days=(7 - ahead) % 7 or 7)
    if ahead <= 3:
        return published + timedelta(days=ahead)
    return published - timedelta(days=7 - ahead)


def relative_period(published: date, unit: str, step: int) -> Window:
    """Week, weekend, month or year that lies `step` periods from publication."""
    if unit == "week":
        return week_window(published + timedelta(weeks=step))
    if unit == "weekend":
        monday = week_window(published + timedelta(weeks=step))[0]
        return monday + timedelta(days=5), monday + timedelta(days=6)
    if unit == "month":
        return month_window(*shift_month(published.year, published.month, step))
    return year_window(published.year + step)


def day_window(day: date) -> Window:
    return day, day


def year_of(text: str | None) -> int | None:
    """A four-digit year, if plausible for news copy."""
    if text is None:
        return None
    year = int(text)
    return year if 1800 <= year <= 2200 else None


# --------------------------------------------------------------------------- rules


@dataclass
class _Candidate:
    start: int
    end: int
    window: Window
    granularity: str  # "day", "month", "year", "week": "aynı ay" looks for a month before


Resolver = Callable[[re.Match[str], date], Window | None]


@dataclass
class _Rule:
    pattern: re.Pattern[str]
    resolve: Resolver
    granularity: str = "day"
    capitalised: str | None = None  # group whose first letter must be upper-case...
    unless: tuple[str, ...] = ()  # ...unless one of these groups matched ("salı günü")


def _find(rules: list[_Rule], source: str, folded: str, published: date
          ) -> Iterator[_Candidate]:
    for rule in rules:
        for match in rule.pattern.finditer(folded):
            if (rule.capitalised and not any(match[group] for group in rule.unless)
                    and not _starts_upper(source, match, rule.capitalised)):
                continue
            try:
                window = rule.resolve(match, published)
            except (ValueError, OverflowError):  # 31 Şubat, year 0 and the like
                continue
            if window is None:
                continue
            start, end = match.span("m") if "m" in rule.pattern.groupindex else match.span()
            yield _Candidate(start, end, window, rule.granularity)


def _starts_upper(source: str, match: re.Match[str], group: str) -> bool:
    start = match.start(group)
    return start >= 0 and source[start].isupper()


def _alternation(words: dict[str, int]) -> str:
    # Longest first so "cumartesi" is tried before "cuma" and "january" before "jan".
    return "|".join(sorted(words, key=len, reverse=True))


# Turkish ---------------------------------------------------------------------------

_TR_MONTH = _alternation(TR_MONTHS)
# Case endings written straight onto a month used as a common noun ("temmuzda"), or
# after an apostrophe when it is a date's proper name ("13 Aralık'ta").
_TR_CASE = r"(?:ta|da|te|de|tan|dan|ten|den|nda|nde|ndan|nden|na|ne|a|e|ı|i|u|ü|ın|in|un|ün)"
_TR_TAIL = rf"(?:'\w+|{_TR_CASE})?(?!\w)"
_TR_AY = r"\s+ay(?:ı|ın|ında|ına|ından|ının)?(?!\w)"
_TR_REL = r"(?P<rel>geçen|bu|gelecek|önümüzdeki)"


def _tr_month(name: str) -> str:
    return f"(?P<{name}>{_TR_MONTH})"


@functools.cache
def _turkish_rules() -> list[_Rule]:
    """The Turkish rules, compiled once; each resolves a match against a date."""
    def day_range(match: re.Match[str], published: date) -> Window | None:
        month = TR_MONTHS[match["mon"]]
        first = _day(published, month, int(match["d1"]), year_of(match["y"]))
        last = date(first.year, month, int(match["d2"]))
        return (first, last) if first <= last else None

    def cross_range(match: re.Match[str], published: date) -> Window:
        first = _day(published, TR_MONTHS[match["mon"]], int(match["d1"]), None)
        last = date(first.year, TR_MONTHS[match["mon2"]], int(match["d2"]))
        if last < first:  # "30 Aralık - 2 Ocak" runs into the next year
            last = date(first.year + 1, last.month, last.day)
        return first, last

    def single_day(match: re.Match[str], published: date) -> Window:
        return day_window(_day(published, TR_MONTHS[match["mon"]], int(match["d1"]),
                               year_of(match["y"])))

    def month_year(match: re.Match[str], published: date) -> Window | None:
        year = year_of(match["y"])
        return month_window(year, TR_MONTHS[match["mon"]]) if year else None

    def rel_year_month(match: re.Match[str], published: date) -> Window:
        return month_window(published.year + TR_STEP[match["rel"]], TR_MONTHS[match["mon"]])

    def two_months(match: re.Match[str], published: date) -> Window:
        year, month = nearest_month(published, TR_MONTHS[match["mon"]])
        later = TR_MONTHS[match["mon2"]]
        last_year = year if later >= month else year + 1
        return month_window(year, month)[0], month_window(last_year, later)[1]

    def bare_month(match: re.Match[str], published: date) -> Window:
        return month_window(*nearest_month(published, TR_MONTHS[match["mon"]]))

    def year_only(match: re.Match[str], published: date) -> Window | None:
        year = year_of(match["y"])
        return year_window(year) if year else None

    def period(unit: str) -> Resolver:
        return lambda match, published: relative_period(published, unit,
                                                        TR_STEP[match["rel"] or "bu"])

    def day_word(match: re.Match[str], published: date) -> Window:
        offset = {"dün": -1, "bugün": 0, "yarın": 1}[match["w"]]
        return day_window(published + timedelta(days=offset))

    def weekday(match: re.Match[str], published: date) -> Window:
        step = TR_STEP[match["rel"]] if match["rel"] else None
        return day_window(weekday_date(published, TR_WEEKDAYS[match["wd"]], step))

    weekday_names = _alternation(TR_WEEKDAYS)
    return [
        _Rule(re.compile(rf"(?<!\w)(?P<d1>\d{{1,2}})\s*-\s*(?P<d2>\d{{1,2}})\s+{_tr_month('mon')}"
                         rf"(?:\s+(?P<y>\d{{4}}))?{_TR_TAIL}"), day_range),
        _Rule(re.compile(rf"(?<!\w)(?P<d1>\d{{1,2}})\s+{_tr_month('mon')}\s*-\s*"
                         rf"(?P<d2>\d{{1,2}})\s+{_tr_month('mon2')}{_TR_TAIL}"), cross_range),
        _Rule(re.compile(rf"(?<!\w)(?P<d1>\d{{1,2}})\s+{_tr_month('mon')}"
                         rf"(?:\s+(?P<y>\d{{4}}))?{_TR_TAIL}"), single_day),
        _Rule(re.compile(rf"(?<!\w){_tr_month('mon')}\s+(?P<y>\d{{4}}){_TR_TAIL}"),
              month_year, "month"),
        _Rule(re.compile(rf"(?<!\w){_TR_REL}\s+(?:yıl|sene)(?:ın|nin|ki)?\s+{_tr_month('mon')}"
                         rf"(?:{_TR_AY}|{_TR_TAIL})"), rel_year_month, "month"),
        _Rule(re.compile(rf"(?<!\w){_tr_month('mon')}\s+(?:ve|ile|-)\s+{_tr_month('mon2')}"
                         r"\s+ay(?:lar|ları|larında|larda|larına)(?!\w)"), two_months, "months"),
        _Rule(re.compile(rf"(?<!\w){_tr_month('mon')}{_TR_AY}"), bare_month, "month"),
        # A month alone only with a case ending: "ocakta", "Aralık'ta"; bare "ocak" and
        # "aralık" are too often the nouns "hearth" and "interval".
        _Rule(re.compile(rf"(?<!\w){_tr_month('mon')}(?:'\w+|{_TR_CASE})(?!\w)"),
              bare_month, "month"),
        _Rule(re.compile(r"(?<!\w)(?P<y>\d{4})(?:\s+yıl(?:ı|ın|ında|ına|ından|ının)?|"
                         r"'(?:de|da|te|ta|den|dan|ten|tan|e|a|ye|ya|in|ın|un|ün|nin|nın|"
                         r"deki|daki|teki|taki))(?!\w)"), year_only, "year"),
        _Rule(re.compile(rf"(?<!\w){_TR_REL}\s+hafta(?:ya|nın|ki|da|dan|ta|tan)?(?!\w)"),
              period("week"), "week"),
        _Rule(re.compile(rf"(?<!\w)(?:{_TR_REL}\s+)?hafta\s*sonu(?:nda|na|ndan)?(?!\w)"),
              period("weekend"), "week"),
        _Rule(re.compile(rf"(?<!\w){_TR_REL}\s+ay(?:ın|a|da|dan|ki)?(?!\w)"),
              period("month"), "month"),
        _Rule(re.compile(rf"(?<!\w){_TR_REL}\s+(?:yıl|sene)"
                         r"(?:ın|nin|a|ya|e|ye|da|de|dan|den|ki|ı|i)?(?!\w)"),
              period("year"), "year"),
        # "bugüne kadar" (so far) is no mention of today, hence no case endings here.
        _Rule(re.compile(r"(?<!\w)(?P<w>bugün|dün|yarın)(?:kü|ki)?"
                         r"(?:\s+(?:sabah|akşam|gece|öğle)\w*)?(?!\w)"), day_word),
        _Rule(re.compile(r"(?<!\w)(?P<w>bu)\s+(?:sabah|akşam|gece)(?!\w)"),
              lambda match, published: day_window(published)),
        # Weekday names double as nouns ("pazar" is also "market"), so they count when
        # written as names (capitalised), with "günü" or after "geçen"/"gelecek".
        _Rule(re.compile(rf"(?<!\w)(?:{_TR_REL}\s+)?(?P<wd>{weekday_names})"
                         r"(?P<gun>\s+gün(?:ü|ünde|üne|ünden)(?!\w))?(?:'\w+)?(?!\w)"),
              weekday, capitalised="wd", unless=("gun", "rel")),
    ]


def _tr_same_month_last_year(folded: str, earlier: list[_Candidate],
                             published: date) -> Iterator[_Candidate]:
    """ "geçen yılın aynı ayına": the month last mentioned, one year back."""
    pattern = re.compile(r"(?<!\w)geçen\s+(?:yıl|sene)(?:ın|nin)?\s+aynı\s+ay"
                         r"(?:ı|ına|ında|ından)?(?!\w)")
    for match in pattern.finditer(folded):
        months = [c for c in earlier if c.granularity == "month" and c.end <= match.start()]
        if months:
            anchor = max(months, key=lambda c: c.end).window[0]
            year, month = anchor.year, anchor.month
        else:
            year, month = published.year, published.month
        if year > 1:  # date() has no year 0
            yield _Candidate(match.start(), match.end(), month_window(year - 1, month), "month")


def _day(published: date, month: int, day: int, year: int | None) -> date:
    return date(year, month, day) if year else nearest_day(published, month, day)


# English ---------------------------------------------------------------------------

_EN_MONTH = _alternation(EN_MONTHS)
_EN_FULL_MONTH = "|".join(sorted((m for m in EN_MONTHS if len(m) > 4 or m in
                                  ("may", "june", "july")), key=len, reverse=True))
_EN_REL = r"(?P<rel>last|this|next|coming)"
_EN_ORDINAL = r"(?:st|nd|rd|th)?"


def _en_month(name: str) -> str:
    # An abbreviation may carry its full stop: "Dec. 12".
    return rf"(?P<{name}>{_EN_MONTH})(?!\w)\.?"


@functools.cache
def _english_rules() -> list[_Rule]:
    """The English rules, compiled once; each resolves a match against a date."""
    def day_range(match: re.Match[str], published: date) -> Window | None:
        month = EN_MONTHS[match["mon"]]
        first = _day(published, month, int(match["d1"]), year_of(match["y"]))
        last = date(first.year, month, int(match["d2"]))
        return (first, last) if first <= last else None

    def single_day(match: re.Match[str], published: date) -> Window | None:
        day = _en_day(match.group(0), published, explicit_year=match["y"] is not None)
        return day_window(day) if day else None

    def month_year(match: re.Match[str], published: date) -> Window | None:
        year = year_of(match["y"])
        return month_window(year, EN_MONTHS[match["mon"]]) if year else None

    def rel_month(match: re.Match[str], published: date) -> Window:
        month = EN_MONTHS[match["mon"]]
        step = EN_STEP.get(match.groupdict().get("rel") or "")  # "early"/"late": no step
        if step == 0:
            return month_window(published.year, month)
        if step == -1:
            year = published.year if month < published.month else published.year - 1
            return month_window(year, month)
        if step == 1:
            year = published.year if month > published.month else published.year + 1
            return month_window(year, month)
        return month_window(*nearest_month(published, month))

    def year_only(match: re.Match[str], published: date) -> Window | None:
        year = year_of(match["y"])
        return year_window(year) if year and 1900 <= year <= 2100 else None

    def period(match: re.Match[str], published: date) -> Window:
        return relative_period(published, match["unit"], EN_STEP[match["rel"]])

    def day_word(match: re.Match[str], published: date) -> Window:
        offset = {"yesterday": -1, "tomorrow": 1}.get(match["w"], 0)
        return day_window(published + timedelta(days=offset))

    def part_of_year(match: re.Match[str], published: date) -> Window | None:
        year = year_of(match["y"]) if match["y"] else published.year + EN_STEP[match["rel"]]
        if year is None:
            return None
        order = {"first": 0, "1st": 0, "second": 1, "2nd": 1,
                 "third": 2, "3rd": 2, "fourth": 3, "4th": 3}[match["n"]]
        size = 3 if match["part"] == "quarter" else 6
        if order * size >= 12:  # "third half"
            return None
        first_month = order * size + 1
        return (month_window(year, first_month)[0],
                month_window(year, first_month + size - 1)[1])

    def weekday(match: re.Match[str], published: date) -> Window:
        step = EN_STEP[match["rel"]] if match["rel"] else None
        return day_window(weekday_date(published, EN_WEEKDAYS[match["wd"]], step))

    year = r"(?:,?\s+(?P<y>\d{4}))?"
    after_month = r"(?!\w)(?!['.]?\s*\d)(?!'s)"
    return [
        _Rule(re.compile(rf"(?<!\w){_en_month('mon')}\s*(?P<d1>\d{{1,2}})\s*-\s*"
                         rf"(?P<d2>\d{{1,2}}){year}(?!\w)"), day_range, capitalised="mon"),
        _Rule(re.compile(rf"(?<!\w)(?P<d1>\d{{1,2}})\s*-\s*(?P<d2>\d{{1,2}})\s+"
                         rf"{_en_month('mon')}{year}(?!\w)"), day_range, capitalised="mon"),
        _Rule(re.compile(rf"(?<!\w){_en_month('mon')}\s*(?P<d1>\d{{1,2}}){_EN_ORDINAL}"
                         rf"{year}(?!\w)"), single_day, capitalised="mon"),
        _Rule(re.compile(rf"(?<!\w)(?P<d1>\d{{1,2}}){_EN_ORDINAL}\s+(?:of\s+)?"
                         rf"{_en_month('mon')}{year}(?!\w)"), single_day, capitalised="mon"),
        _Rule(re.compile(rf"(?<!\w){_en_month('mon')},?\s+(?P<y>\d{{4}})(?!\w)"),
              month_year, "month", capitalised="mon"),
        _Rule(re.compile(rf"(?<!\w)(?P<m>(?P<rel>last|next|this|early|late|mid-|mid)\s*"
                         rf"(?P<mon>{_EN_FULL_MONTH})){after_month}"),
              rel_month, "month", capitalised="mon"),
        _Rule(re.compile(r"(?<!\w)(?:in|since|until|till|by|from|during|before|after|through|"
                         rf"throughout)\s+(?P<m>(?P<mon>{_EN_FULL_MONTH})){after_month}"),
              rel_month, "month", capitalised="mon"),
        _Rule(re.compile(r"(?<!\w)(?:in|since|until|till|by|from|during|before|after|through|"
                         r"throughout)\s+(?P<m>(?P<y>\d{4}))(?!\w)(?!\s*(?:%|percent))"),
              year_only, "year"),
        _Rule(re.compile(rf"(?<!\w){_EN_REL}\s+(?P<unit>week|weekend|month|year)(?!\w)"),
              period, "week"),
        _Rule(re.compile(r"(?<!\w)(?P<w>today|tonight|yesterday|tomorrow)(?!\w)"), day_word),
        _Rule(re.compile(r"(?<!\w)(?P<w>this)\s+(?:morning|afternoon|evening)(?!\w)"),
              day_word),
        _Rule(re.compile(r"(?<!\w)(?:the\s+)?(?P<n>first|second|third|fourth|1st|2nd|3rd|4th)"
                         r"\s+(?P<part>quarter|half)\s+of\s+(?:(?P<rel>last|this|next)\s+year|"
                         r"(?P<y>\d{4}))(?!\w)"), part_of_year, "months"),
        _Rule(re.compile(rf"(?<!\w)(?:{_EN_REL}\s+)?(?P<wd>{_alternation(EN_WEEKDAYS)})(?!\w)"),
              weekday, capitalised="wd"),
    ]


def _en_day(text: str, published: date, *, explicit_year: bool) -> date | None:
    """A day-and-month string ("Dec. 12", "12th of December, 2017") read by dateparser.

    dateparser copes with the abbreviations and ordinals; without an explicit year we
    only keep its day and month and pick the year nearest to publication ourselves.
    """
    base = datetime(published.year, published.month, published.day)
    parsed = dateparser.parse(text, languages=["en"], settings={
        "RELATIVE_BASE": base, "REQUIRE_PARTS": ["day", "month"]})
    if parsed is None:
        return None
    if explicit_year:
        return parsed.date()
    return nearest_day(published, parsed.month, parsed.day)


# --------------------------------------------------------------------------- entry point


def extract_time_mentions(text: str, lang: str, published: date,
                          folded: str | None = None) -> list[TimeMention]:
    """Time mentions in `text`, resolved against `published`, sorted by start.

    lang is "tr" or "en".  Spans never overlap; where candidates collide the longest
    one wins.
    """
    if lang not in ("tr", "en"):
        raise ValueError(f"unsupported language: {lang!r}")
    folded = fold_case(text, lang) if folded is None else folded
    if lang == "tr":
        candidates = list(_find(_turkish_rules(), text, folded, published))
        candidates += list(_tr_same_month_last_year(folded, candidates, published))
    else:
        candidates = list(_find(_english_rules(), text, folded, published))
    return [TimeMention(text[c.start:c.end], c.start, c.end, *c.window)
            for c in _longest_first(candidates)]


def _longest_first(candidates: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates, longer ones winning, returned in text order."""
    chosen: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
        if all(candidate.end <= c.start or candidate.start >= c.end for c in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: c.start)
