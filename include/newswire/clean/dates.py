"""Publication dates as pages print them, with how precise they are.

Forms read: ISO values (JSON-LD, meta tags, ``<time datetime>``: dateutil), and visible
text in Turkish and English: "03.06.2026 14:05", "03.06.2026 - Güncelleme : 04.06.2026",
"15 Ocak 2024 Pazartesi 14:05", "June 3, 2026 10:42 AM", "Updated 2:19 PM EDT, June 3,
2026", "3 June 2026". Locating a date in a line of page furniture is ours (no library
finds Turkish dates in free text fast enough: dateparser's search costs tens of ms a
line); turning a month name of another language into a number falls back to dateparser.

Precision: a date printed without a time is a *day*. It is stored as that calendar day at
00:00 UTC with ``precision="day"``: never a midnight in the source's zone, which would
move the day (00:00 in Istanbul is the previous day in UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import dateparser
from dateutil import parser as isoparser

from newswire.clean.lexicon import LEXICON_FILE, lexicon
from newswire.clean.places import LEXICON_DIR, fold
from newswire.yaml_data import load_yaml

Precision = Literal["day", "minute", "second"]


@dataclass(frozen=True)
class PageDate:
    value: datetime  # aware; for precision "day", the day at 00:00 UTC
    precision: Precision
    origin: str = "page"  # where it was read: "jsonld", "meta", "time", "visible", "feed"

    @property
    def day(self) -> str:
        """The calendar day it names (for a time, in its own zone)."""
        return self.value.date().isoformat()

    def local_day(self, tz: str) -> str:
        if self.precision == "day":
            return self.day
        return self.value.astimezone(ZoneInfo(tz)).date().isoformat()


def day_value(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    months: dict[str, int] = {}
    for path in sorted(LEXICON_DIR.glob("*.yaml")):
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        for name, number in ((data.get("time") or {}).get("months") or {}).items():
            months[fold(str(name))] = int(number)
            months.setdefault(fold(str(name))[:3], int(number))
    months["sept"] = 9
    return months


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    data = load_yaml(LEXICON_FILE.read_text(encoding="utf-8"))
    return {str(k).lower(): str(v) for k, v in (data.get("time_zones") or {}).items()}


_MONTH_WORD = r"[^\W\d_]{3,10}\.?"
_DATE_FORMS = [
    # 03.06.2026, 03/06/2026, 03-06-2026: day first, as Turkish and European pages print.
    re.compile(r"(?<![\d.])(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})(?!\d)"),
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d])"),
    # 15 Ocak 2024, 3 June 2026, 3. Juni 2026
    re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})\.?\s+(?P<mon>{_MONTH_WORD}),?\s+(?P<y>\d{{4}})(?!\d)"),
    # June 3, 2026; Jan. 21 2026
    re.compile(rf"(?P<mon>{_MONTH_WORD})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
               rf"(?P<y>\d{{4}})(?!\d)"),
]
_YEAR = re.compile(r"\d{4}")  # what every one of _DATE_FORMS needs
# "10:42", and "10.42" as Turkish and British pages print it (two digits after the dot).
_TIME = (r"(?P<h>\d{1,2})(?::|\.(?=\d{2}(?![\d.,])))(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
         r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?)(?!\w))?"
         r"(?:\s*(?P<zone>(?:gmt|utc)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[A-Za-zİı]{1,4}(?!\w)))?")
_TIME_AFTER = re.compile(r"^[\s,\-–|/@]*(?:(?:saat|at|um|à|,)\s*)?(?:[^\W\d_]{3,12}\s*,?\s*)?"
                         + _TIME, re.IGNORECASE)
_TIME_BEFORE = re.compile(_TIME + r"[\s,\-–|/]*$", re.IGNORECASE)
_OFFSET = re.compile(r"(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


@lru_cache(maxsize=4096)
def _month(word: str) -> int | None:
    key = fold(word).rstrip(".")
    months = _months()
    if key in months:
        return months[key]
    if key[:3] in months and len(key) <= 9:
        return months[key[:3]]
    # Other spellings of our languages' months ("Haz.", "Sept"). Only tr and en: letting
    # dateparser guess among all its languages cost seconds a page.
    parsed = dateparser.parse(f"1 {word} 2000", languages=["tr", "en"],
                              settings={"STRICT_PARSING": True})
    return parsed.month if parsed else None


def _zone(name: str | None, default: str) -> timezone | ZoneInfo:
    if name:
        offset = _OFFSET.fullmatch(name.strip())
        if offset:
            sign = 1 if offset.group(1) == "+" else -1
            delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0))
            return timezone(sign * delta)
        zone = _zones().get(fold(name.strip()))
        if zone:
            return ZoneInfo(zone)
    return ZoneInfo(default)


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    date: PageDate


def _with_time(year: int, month: int, day: int, match: re.Match[str] | None,
               tz: str) -> PageDate | None:
    try:
        if match is None:
            return PageDate(day_value(year, month, day), "day", "visible")
        hour, minute = int(match.group("h")), int(match.group("mi"))
        ampm = (match.group("ampm") or "").replace(".", "").replace(" ", "").lower()
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        zone_name = match.group("zone")
        if zone_name and not _OFFSET.fullmatch(zone_name.strip()) \
                and fold(zone_name.strip()) not in _zones():
            zone_name = None  # a word after the time ("14:05 Pazartesi"), not a zone
        second = match.group("s")
        value = datetime(year, month, day, hour, minute, int(second or 0),
                         tzinfo=_zone(zone_name, tz))
        return PageDate(value, "second" if second else "minute", "visible")
    except ValueError:
        return None


def find_dates(text: str, tz: str = "UTC") -> list[tuple[int, int, PageDate]]:
    """Every date printed in ``text``, with a time next to it where there is one, as
    (start, end, date) in text order."""
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []
    if not _YEAR.search(text):  # every form has a four-digit year: one scan, not four
        return []
    for form in _DATE_FORMS:
        for match in form.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            month_word = match.groupdict().get("mon")
            month = _month(month_word) if month_word else int(match.group("m"))
            if month is None or not 1 <= month <= 12:
                continue
            year, day = int(match.group("y")), int(match.group("d"))
            start, end = match.start(), match.end()
            time_match = _TIME_AFTER.match(text[end:end + 40])
            if time_match and _weekday_or_connector(time_match.group(0)):
                end += time_match.end()
            else:
                time_match = _TIME_BEFORE.search(text[max(0, start - 30):start])
                if time_match:
                    start = max(0, start - 30) + time_match.start()
            date = _with_time(year, month, day, time_match, tz)
            if date:
                found.append(_Found(start, end, date))
                taken.append((start, end))
    return [(f.start, f.end, f.date) for f in sorted(found, key=lambda f: f.start)]


def _weekday_or_connector(gap: str) -> bool:
    """The words between a date and the time after it are connectors or a weekday
    ('15 Ocak 2024 Pazartesi 14:05'), not another sentence."""
    words = [fold(w) for w in re.findall(r"[^\W\d_]+", gap.split(":")[0])]
    allowed = lexicon().weekday_words | {"saat", "at", "um", "à"}
    return all(w in allowed or w in _zones() or w in ("am", "pm") for w in words)


def date_line(text: str, tz: str = "UTC") -> tuple[PageDate | None, PageDate | None]:
    """(published, modified) from a line of page furniture: what an update word
    ('Güncelleme', 'Updated') introduces is the modified date."""
    dates = find_dates(text, tz)
    if not dates:
        return None, None
    folded = fold(text)
    update = lexicon().update_words.search(folded)
    published = modified = None
    for start, _end, date in dates:
        if update and start >= update.start():
            modified = modified or date
        else:
            published = published or date
    return published, modified


def parse_iso(text: str | None, tz: str = "UTC", origin: str = "meta") -> PageDate | None:
    """An ISO-8601 value (JSON-LD, meta tags, <time datetime>); a bare date is a day.
    Anything else goes through the visible-date reader."""
    if not text or not text.strip():
        return None
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            year, month, day = (int(p) for p in text.split("-"))
            return PageDate(day_value(year, month, day), "day", origin)
        except ValueError:
            return None
    try:
        value = isoparser.isoparse(text)
    except (ValueError, OverflowError):
        published, modified = date_line(text, tz)
        found = published or modified
        return PageDate(found.value, found.precision, origin) if found else None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    precision: Precision = "second" if value.second or re.search(r"T?\d{2}:\d{2}:\d{2}", text) \
        else "minute"
    return PageDate(value, precision, origin)
