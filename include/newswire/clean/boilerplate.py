"""Page furniture inside the extracted body, found by kind rather than by exact sentence.

- notice lines: copyright, reuse and subscription notices, in Turkish and English
  (a strong cue such as "©" or "tüm hakları saklıdır", or cues of two kinds: a
  subscription or copyright word with an agency/website word);
- share bars: a line made only of share words and network names;
- credit lines: "Reporting by ...", "Fotoğraf: ...", "Kaynak: ...";
- "related" lists: a heading such as "İlgili Haberler" / "Read more" and what follows;
- header lines above the body: category, byline and date lines ("Dünya | Ahmet Yılmaz |
  03.06.2026 14:05", "By Robin Emmott", "Güncelleme: 03.06.2026").

The words are data (``lexicon.yaml``); these functions only say where they may stand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from newswire.clean.dateline import place_alone
from newswire.clean.dates import PageDate, date_line, find_dates
from newswire.clean.lexicon import lexicon
from newswire.clean.places import fold
from newswire.records import Section

NOTICE_MAX_CHARS = 400
CREDIT_MAX_CHARS = 200
SHARE_MAX_CHARS = 120
HEADER_MAX_CHARS = 200
HEADER_MAX_WORDS = 8  # words left on a date line once the date and date words are gone
HEADER_BARE_WORDS = 4  # the same, on a line without separators between its parts
_SEPARATORS = re.compile(r"[|•·]")
TOP_LINES = 4  # header lines are looked for among the body's first paragraphs
READ_ALSO_MAX_CHARS = 200  # a cue and one story's title
TEASER_MAX_CHARS = 120  # a teaser title under a "related" heading
ORPHAN_LABEL_MAX_CHARS = 40
RELATED_MAX_CHARS = 80
_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE = re.compile(r"[.!?…]\s+\S|[.!?…]$")
_SHARE_FILLERS = frozenset({"on", "ile", "via", "this", "article", "haberi", "bu", "the",
                            "story", "us", "et", "ol", "link", "bizi", "takip", "google"})
_STRONG_FAMILIES = ("copyright", "subscription")


def is_notice(paragraph: str) -> bool:
    """A copyright, reuse or subscription notice (not one agency's exact sentence)."""
    return len(paragraph) <= NOTICE_MAX_CHARS and _notice(fold(paragraph))


def _notice(text: str) -> bool:
    lex = lexicon()
    if lex.notice_strong.search(text):
        return True
    families = lex.notice_families
    # Two families, one of them strong: the strong ones first, the rest only then.
    if not any(families[name].search(text) for name in _STRONG_FAMILIES if name in families):
        return False
    return sum(1 for pattern in families.values() if pattern.search(text)) >= 2


def is_share_bar(paragraph: str) -> bool:
    return len(paragraph) <= SHARE_MAX_CHARS and _share_bar(fold(paragraph))


def _share_bar(text: str) -> bool:
    share = lexicon().share_words
    words = []
    for match in _WORDS.finditer(text):  # up to the first word that is not a share word
        if match.group() not in share:
            return False
        words.append(match.group())
    return bool(words) and any(w not in _SHARE_FILLERS for w in words)


def is_credit_line(paragraph: str) -> bool:
    return len(paragraph) <= CREDIT_MAX_CHARS and _credit_line(fold(paragraph))


def _credit_line(text: str) -> bool:
    return bool(lexicon().credit_line.match(text))


def is_related_heading(text: str) -> bool:
    return len(text) <= RELATED_MAX_CHARS and _related_heading(fold(text))


def _related_heading(text: str) -> bool:
    return bool(lexicon().related_heading.match(text))


def is_read_also(paragraph: str) -> bool:
    """'Lea también: <another story's title>', 'Czytaj też: ...': a pointer, not text."""
    return len(paragraph) <= READ_ALSO_MAX_CHARS and _read_also(fold(paragraph))


def _read_also(text: str) -> bool:
    return bool(lexicon().read_also.match(text))


def is_label_line(paragraph: str) -> bool:
    """A line that is only a kicker or an update stamp ("SON DAKİKA", "BREAKING",
    "GÜNCELLEME (10:42)"), or only an agency's sign-off ("- Anadolu Agency", "(AA)")."""
    return len(paragraph) <= ORPHAN_LABEL_MAX_CHARS and _label_line(fold(paragraph))


def _label_line(text: str) -> bool:
    lex = lexicon()
    words = _WORDS.findall(text)
    if not words:
        return False
    if " ".join(words) in lex.kickers or " ".join(words) in lex.agencies:
        return True
    rest = [w for w in words if w not in lex.date_words]
    return bool(rest) and len(rest) < len(words) and " ".join(rest) in lex.kickers


# Each kind of furniture: the longest line it may be, and its test on the folded line.
_KINDS = ((NOTICE_MAX_CHARS, _notice), (SHARE_MAX_CHARS, _share_bar),
          (CREDIT_MAX_CHARS, _credit_line), (RELATED_MAX_CHARS, _related_heading),
          (READ_ALSO_MAX_CHARS, _read_also), (ORPHAN_LABEL_MAX_CHARS, _label_line))
_LONGEST_KIND = max(limit for limit, _ in _KINDS)


@lru_cache(maxsize=8192)
def is_boilerplate(paragraph: str) -> bool:
    """A line that is furniture wherever it stands in a body: any kind above, the line
    folded once. Cached: the extractor asks about each line, then the cleaning again."""
    size = len(paragraph)
    if size > _LONGEST_KIND:
        return False
    text = fold(paragraph)
    return any(size <= limit and is_kind(text) for limit, is_kind in _KINDS)


def is_byline_line(paragraph: str, byline: str | None = None) -> bool:
    """'By Robin Emmott', 'Haber: Ayşe Yılmaz', 'Robin Emmott | Reuters'."""
    if len(paragraph) > HEADER_MAX_CHARS or _SENTENCE.search(paragraph.rstrip(".")):
        return False
    # Words enough to tell a line too long, not every word of a paragraph of text.
    words = list(islice(_WORDS.finditer(paragraph), HEADER_MAX_WORDS + 3))
    if not words or len(words) > HEADER_MAX_WORDS + 2:
        return False
    text = fold(paragraph)
    if lexicon().byline_prefix.match(text) and len(words) <= HEADER_MAX_WORDS:
        return True
    return bool(byline) and fold(byline) in text and len(words) <= len(byline.split()) + 4


def header_date(paragraph: str, tz: str) -> tuple[PageDate | None, PageDate | None] | None:
    """(published, modified) when ``paragraph`` is a date line (a date and little else:
    a category, a byline, 'Güncelleme'); None when it is text that mentions a date."""
    if len(paragraph) > HEADER_MAX_CHARS:
        return None
    dates = find_dates(paragraph, tz)
    if not dates:
        return None
    rest, last = [], 0
    for start, end, _date in dates:
        rest.append(paragraph[last:start])
        last = end
    rest.append(paragraph[last:])
    residue = " ".join(rest)
    if _SENTENCE.search(residue.strip().rstrip(".")):
        return None
    lex = lexicon()
    ignorable = lex.date_words | lex.weekday_words | lex.month_words
    words = [w for w in _WORDS.findall(fold(residue)) if w not in ignorable]
    # "Dünya | Ayşe Yılmaz | 03.06.2026": parts set apart by separators may hold a few
    # more words than a line without any ("Bern, 17.08.2007 - Rede von ... " is text).
    limit = HEADER_MAX_WORDS if _SEPARATORS.search(residue) else HEADER_BARE_WORDS
    if len(words) > limit:
        return None
    return date_line(paragraph, tz)


@dataclass
class Furniture:
    """What the header lines said, for the article's metadata."""

    published: PageDate | None = None
    modified: PageDate | None = None
    byline: str | None = None
    removed: list[str] = field(default_factory=list)


def _is_short_label(paragraph: str, lang: str) -> bool:
    """A category label ('Dünya', 'World News'): only dropped beside a header line."""
    if len(paragraph) > 40:  # first: the body's paragraphs are longer (no word count)
        return False
    words = _WORDS.findall(paragraph)
    return (0 < len(words) <= 3 and not _SENTENCE.search(paragraph)
            and place_alone(paragraph, lang) is None)


def strip_header_lines(paragraphs: list[str], *, title: str | None, byline: str | None,
                       tz: str, lang: str, furniture: Furniture,
                       summary: str | None = None) -> list[str]:
    """Drop the category / byline / date lines that open a body, and the headline or the
    standfirst repeated there (the article keeps them as title and summary)."""
    drop: set[int] = set()
    labels: set[int] = set()
    repeated = {fold(t) for t in (title, summary) if t}
    for index, paragraph in enumerate(paragraphs[:TOP_LINES]):
        if fold(paragraph) in repeated:
            drop.add(index)
            continue
        dated = header_date(paragraph, tz)
        if dated:
            furniture.published = furniture.published or dated[0]
            furniture.modified = furniture.modified or dated[1]
            drop.add(index)
        elif is_byline_line(paragraph, byline):
            furniture.byline = furniture.byline or _byline_name(paragraph)
            drop.add(index)
        elif is_boilerplate(paragraph):
            drop.add(index)
        elif _is_short_label(paragraph, lang):
            labels.add(index)
        # Not a break: a standfirst often stands above the date line ("lead, Issued on
        # ..., text"); a date line is a date and a few words, never a sentence of text.
    # A label counts as furniture only next to a line that is furniture for sure.
    drop |= {i for i in labels if i - 1 in drop or i + 1 in drop}
    if len(drop) == len(paragraphs):  # a short post whose description is the post itself
        drop -= {i for i, p in enumerate(paragraphs) if fold(p) in repeated}
    furniture.removed += [paragraphs[i] for i in sorted(drop)]
    return [p for i, p in enumerate(paragraphs) if i not in drop]


def _byline_name(line: str) -> str | None:
    # fold() keeps the length of Turkish and English text, so the prefix's end carries over.
    prefix = lexicon().byline_prefix.match(fold(line))
    text = line[prefix.end():] if prefix else line
    name = re.split(r"\s*[|•·/]\s*", text.strip())[0].strip(" ,-–")
    return name or None


def _is_orphan_label(paragraph: str) -> bool:
    """A short label ending in a colon with nothing after it ("Credit:", "Kaynaklar:"):
    what it introduced was cut away as furniture, or never was text."""
    return len(paragraph) <= ORPHAN_LABEL_MAX_CHARS and paragraph.rstrip().endswith(":")


def _is_teaser(paragraph: str) -> bool:
    """A teaser title: short, and not a sentence."""
    return len(paragraph) <= TEASER_MAX_CHARS and not _SENTENCE.search(paragraph)


_SIGN_OFF = re.compile(
    r"(?<=[.!?\"”’…])\s*[(\[/–—-]+\s*(?P<agency>[^()\[\]/\n]{2,30}?)\s*[)\]/]?\s*$")


def strip_sign_off(paragraph: str) -> str:
    """'... dedi. (AA)', '... said. - Reuters': the agency's sign-off after the last
    sentence is not text (any agency the lexicon knows)."""
    match = _SIGN_OFF.search(paragraph)
    if match and fold(match.group("agency")) in lexicon().agencies:
        return paragraph[:match.start()].rstrip()
    return paragraph


def strip_tail(paragraphs: list[str], *, byline: str | None) -> list[str]:
    """Drop notices, credits, share bars and bylines that close a body, and a "related"
    list with everything after its heading."""
    kept = list(paragraphs)
    for index, paragraph in enumerate(kept):
        if index >= len(kept) // 2 and is_related_heading(paragraph):
            # The heading and the teaser titles under it go; text after them stays
            # (a "Related" box set in the middle of a story).
            end = index + 1
            while end < len(kept) and _is_teaser(kept[end]):
                end += 1
            kept = kept[:index] + kept[end:]
            break
    while kept and (is_boilerplate(kept[-1]) or is_byline_line(kept[-1], byline)
                    or _is_orphan_label(kept[-1])):
        kept.pop()
    if kept:
        kept[-1] = strip_sign_off(kept[-1])
    return kept


def clean_sections(sections: list[Section], *, title: str | None, byline: str | None,
                   tz: str, lang: str, extra_notice: object = None,
                   summary: str | None = None) -> tuple[list[Section], Furniture]:
    """The body without furniture, and what the header lines said."""
    furniture = Furniture()
    kept: list[Section] = []
    for section in sections:
        heading = section.heading
        if heading and is_related_heading(heading):
            if all(_is_teaser(p) for p in section.paragraphs):
                continue  # a "related" box: its heading and teaser titles
            heading = None  # a stray "Related" label over text: the text stays
        paragraphs = [p for p in section.paragraphs
                      if not is_boilerplate(p)
                      and not (callable(extra_notice) and extra_notice(p))]
        if not kept:  # header lines open the first section that has text
            paragraphs = strip_header_lines(paragraphs, title=title, byline=byline, tz=tz,
                                            lang=lang, furniture=furniture, summary=summary)
        if paragraphs:
            kept.append(Section(heading, paragraphs))
    if kept:
        last = kept[-1]
        tail = strip_tail(last.paragraphs, byline=byline or furniture.byline)
        kept[-1] = Section(last.heading, tail)
        kept = [s for s in kept if s.paragraphs]
    return kept, furniture
