"""Amounts in Turkish and English news copy: a number, its scale and what it counts.

"3 bin asker", "1,8 milyar dolara", "yüzde 35", "$2.5 billion", "3,000 more troops":
agency copy writes amounts in a few fixed shapes, so this module reads them with
regular expressions around each written number:

    [currency sign | "yüzde" | "%"] number [scale word] [percent | currency | counted noun]

The counted noun is found by small per-language heuristics (skip modifiers such as
"more"/"yeni", prefer an English plural, take the head of a Turkish noun compound such
as "aile çadırı").  A number left without a noun ("8'e çıkarmak", "forecasts of 200,000.")
refers back to the amount before it, so it takes that amount's unit.

Numbers that are years, days of a month, clock times, ordinals or parts of names
("G20", "F-16") are not amounts and are skipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from newswire.nlp.lexicon import fold_case, lexicon
from newswire.nlp.timex import MONTHS, TR_MONTHS

__all__ = ["Quantity", "extract_quantities"]


@dataclass
class Quantity:
    text: str  # exact substring: source[start:end] == text
    start: int
    end: int
    value: float  # scaled: "3 bin asker" -> 3000.0
    unit: str | None  # counted noun (lower-case), currency code, or "percent"


# A written number: digits with thousands separators or a decimal mark.  Not glued to a
# preceding letter, digit, dash, slash or colon: "G20", "F-16", "12/05", "14:30".
_NUMBER = re.compile(r"(?<![\w.,/:\-])\d+(?:[.,]\d+)*")

# Quantity words come from the lexicons (lexicon/tr.yaml, lexicon/en.yaml: "quantities").
_TRW, _ENW = lexicon("tr").quantities, lexicon("en").quantities
_TR_SCALES = {word: float(value) for word, value in _TRW["scales"].items()}
# Case endings follow vowel harmony, so "bine"/"bini" but never "bina" (building).
_TR_SCALE_SUFFIX_START = {"bin": "eidl", "milyon": "auld", "milyar": "aıld", "trilyon": "auld"}
_EN_SCALES = {word: float(value) for word, value in _ENW["scales"].items()}
_EN_SYMBOL_SCALES = {k: float(v) for k, v in _ENW["symbol_scales"].items()}  # "$5m", "£2bn"

_SYMBOLS = dict(_ENW["symbols"])
_CODES = dict(_ENW["codes"])
_EN_CURRENCIES = dict(_ENW["currencies"])
_TR_CURRENCIES = dict(_TRW["currencies"])

_EN_NUMBERS = {word: int(value) for word, value in _ENW["spelled"].items()}
# Spelled numbers that count before a noun; "one" is mostly a pronoun ("one of them").
_EN_SPELLED = {w: v for w, v in _EN_NUMBERS.items() if w != _ENW["article"] and v < 100}
_EN_UNITS_DIGIT = {w: v for w, v in _EN_NUMBERS.items() if v < 10}
_TR_NUMBERS = {word: int(value) for word, value in _TRW["spelled"].items()}

# Words that end the search for a counted noun.
_EN_STOP = frozenset(_ENW["stop_words"])
_EN_MODIFIERS = frozenset(_ENW["modifiers"])
_TR_STOP = frozenset(_TRW["stop_words"])
_TR_MODIFIERS = frozenset(_TRW["modifiers"])
# Measures name the unit even when the counted stuff follows: "12 ton ilaç", "3,5 milyon doz".
_TR_MEASURES = frozenset(_TRW["measures"])

# Participle, tense and infinitive endings: a word with one is a verb, not a counted noun.
_TR_VERB = re.compile(
    r"(?:acağ|eceğ|acak|ecek|dığ|diğ|duğ|düğ|tığ|tiğ|tuğ|tüğ|[dt][ıiuü]kl[ae]r|yor|mış|miş|muş"
    r"|müş|arak|erek)|(?:[dt][ıiuü](?:k|m|lar|ler)?|m[ae]k|m[ae]s[ıi]\w*)$")
# Endings that show a Turkish noun is already inflected, so it cannot be the bare first
# part of a compound ("ülkenin dışişleri" is "the country's ministers", not a compound).
_TR_INFLECTED = re.compile(
    r"(?:n[ıiuü]n|[ıiuü]n|y[ae]|y[ıiuü]|d[ae]|t[ae]|d[ae]n|t[ae]n|yl[ae]|l[ae]r\w*|m[ıiuü]z)$")
# Third-person possessive, optionally followed by a case ending: the head of a compound
# ("aile çadırı", "sağlık personelinin").
_TR_POSSESSIVE = re.compile(
    r"s?[ıiuü](?:n[ıiuü]n|n[ae]|nd[ae]|nd[ae]n|n[ıiuü]|yl[ae])?$")
_TR_ORDINAL = re.compile(r"[ıiuü]?nc[ıiuü]\w*$")  # 13'üncü, 3'ncü
_TR_MORE_THAN = frozenset(_TRW["more_than"])

_WORD = re.compile(r"[ \t\n\xa0]+([^\W\d_]+(?:[-.'][^\W\d_]+)*)")

_INHERIT_DISTANCE = 250  # chars within which a bare number refers back to an amount


@dataclass
class _Word:
    text: str  # case-folded, apostrophe suffix included
    start: int
    end: int

    @property
    def stem(self) -> str:
        """The word without a Turkish case suffix after an apostrophe."""
        return self.text.split("'", 1)[0]


@dataclass
class _Reading:
    """What is known about one amount while it is being read."""

    start: int
    end: int
    value: float
    unit: str | None = None
    currency: str | None = None
    nominal: bool = False  # the number carries its own case ending: "8'e", "1 milyona"


def extract_quantities(text: str, lang: str, folded: str | None = None) -> list[Quantity]:
    """Amounts in `text` ("tr" or "en"), sorted by start."""
    if lang not in ("tr", "en"):
        raise ValueError(f"unsupported language: {lang!r}")
    folded = fold_case(text, lang) if folded is None else folded
    found: list[Quantity] = []
    skip_until = 0
    for match in _NUMBER.finditer(folded):
        if match.start() < skip_until:
            continue
        range_end = _range_end(folded, match.end())
        if range_end:  # "5-6 Aralık", "10-15 kişi": a range is not one amount
            skip_until = range_end
            continue
        reading = _read_number(folded, match, lang)
        if reading is None:
            continue
        _read_unit(folded, reading, lang, found)
        if not math.isfinite(reading.value):
            continue  # "999...9 milyar": more digits than a float holds is no amount
        found.append(Quantity(text[reading.start:reading.end], reading.start, reading.end,
                              reading.value, reading.unit))
    found += _spelled_english(text, folded) if lang == "en" else _spelled_turkish(text, folded)
    return _without_overlaps(found)


# --------------------------------------------------------------------------- the number


def _range_end(folded: str, pos: int) -> int:
    match = re.compile(r"\s?-\s?\d+(?:[.,]\d+)*").match(folded, pos)
    return match.end() if match else 0


def _read_number(folded: str, match: re.Match[str], lang: str) -> _Reading | None:
    raw, pos = match.group(), match.end()
    value = _parse_number(raw, lang)
    if value is None or _is_clock_or_date(folded, match, lang):
        return None
    reading = _Reading(match.start(), pos, value)
    _read_prefix(folded, reading, lang)
    if reading.currency is None and re.fullmatch(r"\d{4}", raw) and 1800 <= int(raw) <= 2100:
        return None  # a year: "2017", "2018'de", "since 2000"
    return _read_glued(folded, reading, lang)


def _parse_number(raw: str, lang: str) -> float | None:
    """A number in the language's notation, or None when it is not one of ours."""
    if lang == "tr":
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", raw):  # 1.200 / 1.200,5
            return float(raw.replace(".", "").replace(",", "."))
        if re.fullmatch(r"\d+(?:,\d+)?", raw):  # 32,40
            return float(raw.replace(",", "."))
        if re.fullmatch(r"\d+\.\d+", raw):
            hours, minutes = raw.split(".")
            if len(minutes) == 2 and len(hours) <= 2 and int(hours) <= 23 and int(minutes) <= 59:
                return None  # a clock time: "14.30"
            return float(raw)
        return None
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):  # 1,200 / 1,200.5
        return float(raw.replace(",", ""))
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        return float(raw)
    return None


def _is_clock_or_date(folded: str, match: re.Match[str], lang: str) -> bool:
    """A day of a month ("13 Aralık", "Dec. 12") or a clock time ("saat 14", "9 a.m.")."""
    before = folded[max(0, match.start() - 12):match.start()]
    after = folded[match.end():match.end() + 12]
    previous = re.search(r"([^\W\d_]+)\.?\s+$", before)
    if previous and (previous.group(1) in MONTHS or previous.group(1) == "saat"):
        return True
    following = re.match(r"\s*([^\W\d_]+)", after)
    if following and _is_month_word(following.group(1), lang):
        return True
    return bool(re.match(r":\d|\s?(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|utc\b)", after))


def _is_month_word(word: str, lang: str) -> bool:
    if word in MONTHS:
        return True
    # Turkish writes "aralıkta", "temmuzda": a month followed by a short case ending.
    return lang == "tr" and any(word.startswith(m) and len(word) - len(m) <= 4
                                for m in TR_MONTHS)


def _read_prefix(folded: str, reading: _Reading, lang: str) -> None:
    """A currency sign or code, "%" or "yüzde" just before the number."""
    before = folded[max(0, reading.start - 8):reading.start]
    sign = re.search(r"(us\$|a\$|c\$|hk\$|\$|€|£|₺)\s?$", before)
    code = re.search(r"(?<![^\W\d_])(usd|eur|gbp|try)\s$", before)
    percent = re.search(r"(?:(?<![^\W\d_])yüzde\s+|%\s?)$", before)
    if sign:
        reading.currency = _SYMBOLS[sign.group(1)]
        reading.start -= len(sign.group(0))
    elif code and lang == "en":  # "try" is an English verb only where Turkish isn't
        reading.currency = _CODES[code.group(1)]
        reading.start -= len(code.group(0))
    elif percent:
        reading.unit = "percent"
        reading.start -= len(percent.group(0))


def _read_glued(folded: str, reading: _Reading, lang: str) -> _Reading | None:
    """Letters glued to the number: "$5m", "1990s", "20th", "8'e", "13'üncü"."""
    pos = reading.end
    glued = re.match(r"(['])?([^\W\d_]+)", folded[pos:pos + 12])
    if not glued:
        return reading
    letters = glued.group(2)
    if glued.group(1):  # Turkish case ending after an apostrophe
        if lang == "en" or _TR_ORDINAL.match(letters):
            return None
        reading.nominal = True
        reading.end += len(glued.group(0))
        return reading
    # "2.5bn" on its own; "5m" and "10k" only after a currency sign, else metres and such.
    scale = _EN_SCALES.get(letters) if letters in ("bn", "mln", "mn") else None
    if lang == "en" and reading.currency and letters in _EN_SYMBOL_SCALES:
        scale = _EN_SYMBOL_SCALES[letters]
    if lang == "en" and scale:
        reading.value *= scale
        reading.end += len(letters)
        return reading
    return None  # 1990s, 20th, 3rd, 5km: not amounts


# --------------------------------------------------------------------------- what follows


def _read_unit(folded: str, reading: _Reading, lang: str, found: list[Quantity]) -> None:
    """Scale, then percent, currency or counted noun; failing those, the unit referred to."""
    if not reading.nominal:
        _read_scale(folded, reading, lang)
    after = folded[reading.end:reading.end + 40]
    percent_words = r"|\s+(?:percent|per\s+cent|pct)(?!\w)" if lang == "en" else ""
    percent = re.match(r"\s?%" + percent_words, after)
    if reading.unit is None and percent:
        reading.unit = "percent"
        reading.end += percent.end()
    if reading.unit is None and reading.currency is None and not reading.nominal:
        _read_currency_word(folded, reading, lang)
    if reading.currency:
        reading.unit = reading.currency
    if reading.unit is not None:
        return
    if lang == "tr":
        _read_turkish_noun(folded, reading)
    else:
        _read_english_noun(folded, reading)
    if reading.unit is None and lang == "tr":
        reading.unit = _tr_counted_before(folded, reading.start)
    if reading.unit is None and _refers_back(folded, reading, lang):
        reading.unit = _unit_before(found, reading.start)


def _read_scale(folded: str, reading: _Reading, lang: str) -> None:
    """A scale word after the number, and in Turkish a smaller one after that:
    "3 bin", "2,5 milyar", "3 milyon 500 bin", "$2.5 billion"."""
    if lang == "en":
        scale = re.match(r"\s*(thousand|million|billion|trillion|bn|mln|mn)(?!\w)",
                         folded[reading.end:])
        if scale:
            reading.value *= _EN_SCALES[scale.group(1)]
            reading.end += scale.end()
        return
    factor, length, suffix = _turkish_scale(folded, reading.end)
    if not factor:
        return
    reading.value *= factor
    reading.end += length
    if suffix:  # "1 milyona", "600 binden": the amount is a noun in its own right
        reading.nominal = True
        return
    more = re.match(r"\s+(\d{1,3}(?:,\d+)?)(?=\s)", folded[reading.end:])
    if more:
        smaller, more_length, more_suffix = _turkish_scale(folded, reading.end + more.end())
        if smaller and smaller < factor:
            reading.value += float(more.group(1).replace(",", ".")) * smaller
            reading.end += more.end() + more_length
            reading.nominal = bool(more_suffix)


def _turkish_scale(folded: str, pos: int) -> tuple[float, int, str]:
    """(factor, matched length, case suffix) of a Turkish scale word at pos, or zeros."""
    match = re.match(r"\s+(bin|milyon|milyar|trilyon)(?:'?([^\W\d_]*))", folded[pos:])
    if not match:
        return 0.0, 0, ""
    word, suffix = match.group(1), match.group(2)
    if suffix and suffix[0] not in _TR_SCALE_SUFFIX_START[word]:
        return 0.0, 0, ""  # "bina" (building), "binbaşı" (major): not the scale word
    return _TR_SCALES[word], match.end(), suffix


def _read_currency_word(folded: str, reading: _Reading, lang: str) -> None:
    after = folded[reading.end:reading.end + 40]
    if lang == "en":
        word = re.match(r"\s+(?:u\.s\.\s+)?([a-z]+)(?:\s+sterling)?(?!\w)", after)
        if word and word.group(1) in _EN_CURRENCIES:
            reading.currency = _EN_CURRENCIES[word.group(1)]
            reading.end += word.end()
        return
    word = re.match(r"\s+(?:abd\s+|amerikan\s+)?(dolar|avro|euro|sterlin|pound|lira|tl|ruble)"
                    r"((?:'|[aeıioöuüdlyn])[^\W\d_']*(?:'[^\W\d_]+)?)?(?![\w'])", after)
    sign = re.match(r"\s?(\$|€|£|₺)", after)
    if word:
        reading.currency = _TR_CURRENCIES[word.group(1)]
        reading.end += word.end()
    elif sign:
        reading.currency = _SYMBOLS[sign.group(1)]
        reading.end += sign.end()


def _next_words(folded: str, pos: int, count: int) -> list[_Word]:
    """Up to `count` words right after pos, stopping at punctuation."""
    words: list[_Word] = []
    while len(words) < count:
        match = _WORD.match(folded, pos)
        if not match:
            break
        words.append(_Word(match.group(1), match.start(1), match.end(1)))
        pos = match.end()
    return words


def _read_turkish_noun(folded: str, reading: _Reading) -> None:
    words = _next_words(folded, reading.end, 4)
    if reading.nominal:
        # "20'den fazla mevkidaşıyla", "600 binden fazla insan": the noun follows.
        if not (words and words[0].text in _TR_MORE_THAN):
            return
        words = words[1:]
    head = _turkish_head(words)
    if head:
        reading.unit = head.stem
        reading.end = head.end
        reading.nominal = False


def _turkish_head(words: list[_Word]) -> _Word | None:
    """The counted noun among the words after a number, if any."""
    index = 0
    while index < len(words) - 1 and words[index].stem in _TR_MODIFIERS:
        index += 1
    if index >= len(words):
        return None
    first = words[index]
    if not _could_be_noun(first.stem):
        # A modifier with nothing countable after it is the noun itself: "29 üye".
        return words[index - 1] if index and _could_be_noun(words[index - 1].stem) else None
    if _is_measure(first.stem) or index + 1 >= len(words):
        return first
    second = words[index + 1]
    compound = (_could_be_noun(second.stem) and len(second.stem) >= 4
                and not _TR_INFLECTED.search(first.stem)
                and _TR_POSSESSIVE.search(second.stem) is not None)
    return second if compound else first


def _could_be_noun(word: str) -> bool:
    return word not in _TR_STOP and not _TR_VERB.search(word[2:])


def _is_measure(word: str) -> bool:
    return any(word.startswith(m) and len(word) - len(m) <= 5 for m in _TR_MEASURES)


def _read_english_noun(folded: str, reading: _Reading) -> None:
    hyphen = re.match(r"-([a-z]+)(?!\w)", folded[reading.end:])
    if hyphen:  # "15-member", "a 2-day meeting"
        reading.unit = hyphen.group(1)
        reading.end += hyphen.end()
        return
    head = _english_head(_next_words(folded, reading.end, 3))
    if head:
        reading.unit = head.text
        reading.end = head.end


def _english_head(words: list[_Word]) -> _Word | None:
    """The counted noun: the first plural among the next few words, else the first word.

    Plurals mark the head in "25 member states", "110 suspected cases"; modifiers such
    as "more" are passed over.
    """
    candidates: list[_Word] = []
    for word in words:
        if word.text in _EN_STOP or not re.fullmatch(r"[a-z]+(?:-[a-z]+)*", word.text):
            break
        if word.text not in _EN_MODIFIERS:
            candidates.append(word)
    for word in candidates:
        if word.text.endswith("s") and not word.text.endswith("ss") and len(word.text) > 2:
            return word
    return candidates[0] if candidates else None


def _tr_counted_before(folded: str, start: int) -> str | None:
    """Turkish names the counted thing before the number: "vaka sayısı 1 milyona"."""
    before = folded[max(0, start - 60):start]
    match = re.search(r"([^\W\d_]+)\s+sayısı(?:nın|nı)?\s+(?:(?:yaklaşık|toplam|ise)\s+)*$",
                      before)
    return match.group(1) if match else None


def _refers_back(folded: str, reading: _Reading, lang: str) -> bool:
    """A number with no noun of its own: "bu sayıyı 8'e", "forecasts of 200,000."."""
    if lang == "tr" and reading.nominal:
        return True
    return re.match(r"\s*(?:[.,;:)!?\"”»]|$)", folded[reading.end:]) is not None


def _unit_before(found: list[Quantity], start: int) -> str | None:
    for quantity in reversed(found):
        if start - quantity.end > _INHERIT_DISTANCE:
            return None
        if quantity.unit and quantity.unit != "percent":
            return quantity.unit
    return None


# --------------------------------------------------------------------------- spelled out


def _spelled_english(text: str, folded: str) -> list[Quantity]:
    """"six deaths", "eight countries", "twenty-five states", "two million people",
    "a five-match streak", "two of our intellectuals".

    Only with a counted noun after them: "one" counts only before a scale word or a
    hyphen ("one-day"), and a spelled number with no noun ("two of them") is no amount.
    """
    numbers = "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
    units = "|".join(_EN_UNITS_DIGIT)
    pattern = re.compile(rf"(?<![\w-])({numbers})(?:-({units}))?(?![\w])")
    found: list[Quantity] = []
    for match in pattern.finditer(folded):
        first = match.group(1)
        value = float(_EN_NUMBERS[first] + _EN_UNITS_DIGIT.get(match.group(2) or "", 0))
        reading = _Reading(match.start(), match.end(), value)
        _read_scale(folded, reading, "en")
        _read_currency_word(folded, reading, "en")
        hyphen = re.match(r"-([a-z]+)(?![\w-])", folded[reading.end:])
        if reading.currency:
            reading.unit = reading.currency
        elif hyphen and hyphen.group(1) not in _EN_NUMBERS:  # "five-match", "one-day"
            reading.unit, reading.end = hyphen.group(1), reading.end + hyphen.end()
        elif first not in _EN_SPELLED and reading.end == match.end():
            continue  # "one" alone is a pronoun
        else:
            of = re.match(r"\s+of\s+(?:our|the|their|its|his|her|these|those)(?=\s)",
                          folded[reading.end:])
            words = _next_words(folded, reading.end + (of.end() if of else 0), 3)
            head = _english_head(words)
            if head is None or re.match(r"\s+ago(?!\w)", folded[head.end:]) \
                    or head.text in _ENW["spelled_not_units"]:
                continue  # "two of them"; "five years ago" is a time, not an amount
            reading.unit, reading.end = head.text, head.end
        found.append(Quantity(text[reading.start:reading.end], reading.start, reading.end,
                              reading.value, reading.unit))
    return found


def _spelled_turkish(text: str, folded: str) -> list[Quantity]:
    """ "iki ülke", "beş kat", "yirmi beş kişi", "bir milyar vatandaş", "bir hafta".

    A spelled number counts before a noun; "bir" is the indefinite article unless a scale
    word or a unit of time follows ("bir milyar", "bir hafta").
    """
    words = "|".join(sorted(_TR_NUMBERS, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w'])(?:{words})(?:\s+(?:{words}))*(?![\w'])")
    article = _TRW["article"]
    found: list[Quantity] = []
    for match in pattern.finditer(folded):
        parts = match.group().split()
        value = _compose_turkish(parts)
        if value is None:
            continue
        reading = _Reading(match.start(), match.end(), float(value))
        _read_scale(folded, reading, "tr")
        scaled = reading.end != match.end()
        _read_currency_word(folded, reading, "tr")
        if reading.currency:
            reading.unit = reading.currency
        else:
            if reading.nominal:
                continue
            following = _next_words(folded, reading.end, 1)
            if parts == [article] and not scaled and not (
                    following and any(following[0].stem.startswith(u)
                                      for u in _TRW["article_counts_before"])):
                continue  # "bir açıklama": the indefinite article
            # The noun right after is what a spelled number counts ("iki kurum arasında").
            noun = _next_words(folded, reading.end, 1)
            if not noun or not _could_be_noun(noun[0].stem) or any(
                    noun[0].stem.startswith(w) for w in _TRW["spelled_not_units"]):
                continue
            reading.unit, reading.end = noun[0].stem, noun[0].end
        found.append(Quantity(text[reading.start:reading.end], reading.start, reading.end,
                              reading.value, reading.unit))
    return found


def _compose_turkish(parts: list[str]) -> int | None:
    """ "yirmi beş" -> 25, "iki yüz elli" -> 250; None for "beş altı" (a range)."""
    if parts == ["yüz"]:
        return None  # "yüz" alone is as often "face" ("yüz yüze")
    total, current, last = 0, 0, None
    for part in parts:
        value = _TR_NUMBERS[part]
        if value == 100:
            current = (current or 1) * 100
        elif last is not None and last < 100 and value >= last:
            return None  # "beş altı": two numbers, not one
        else:
            current += value
        last = value
    total += current
    return total or None


def _without_overlaps(found: list[Quantity]) -> list[Quantity]:
    kept: list[Quantity] = []
    for quantity in sorted(found, key=lambda q: (q.start, q.start - q.end)):
        if kept and quantity.start < kept[-1].end:
            continue
        kept.append(quantity)
    return kept
