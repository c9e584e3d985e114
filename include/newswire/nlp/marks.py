"""Quotation marks: where each quotation in an article starts and ends.

Agency copy and the sites that republish it use every kind of mark: straight "…", curly
“…”, a reversed ” as opening mark, single ‘…’ and '…', two apostrophes ''…'', guillemets
«…» and „…“. Apostrophes inside words (Brexit'e, Oğuz’un, don't) are not marks.

A quotation may run over paragraphs. English reopens the mark at each new paragraph and
never closes the earlier one; Turkish copy often leaves the middle paragraphs without
marks and closes the quotation in its last paragraph. Both are read here: an unclosed
quotation runs to its paragraph's end, and carries on into following paragraphs only
up to a paragraph that closes a quotation it never opened (paragraphs that are
quotations of their own, such as quote subheadings, stay what they are).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE_OPEN = "“„«"
DOUBLE_CLOSE = "”»"
DOUBLE_EITHER = '"'
SINGLE_OPEN = "‘"
SINGLE_CLOSE = "’"
SINGLE_EITHER = "'´"
OPEN_PUNCT = "([{-–—:;,/"
CLOSE_PUNCT = ".,;:!?)]}-–—…"
# Paragraph text around a quotation that does not make it less than the whole paragraph.
_FURNITURE = re.compile(r"^[\s\-–—.,;:!?…*•]*$")
_COLON_LEAD = re.compile(r"^[\s\-–—]*(?P<who>[^\"“”'‘’:]{2,80}?)\s*:\s*$")
CARRY_LIMIT = 4  # paragraphs an unclosed quotation may carry on over


@dataclass
class Quotation:
    start: int  # the quoted text (marks and inner edge spaces excluded), document offsets
    end: int
    paragraph: int
    open_mark: str | None  # None: carried on from an earlier paragraph
    close_mark: str | None  # None: runs to the end of its paragraph
    depth: int = 0  # 0 outermost; 1 inside another quotation
    whole: bool = False  # nothing else in the paragraph (bar dashes and punctuation)
    lead: str | None = None  # "Ban" of a paragraph 'Ban: "…"'
    continued: bool = False  # carried on from the paragraph before
    open_at: int | None = None  # offset of the opening mark

    @property
    def outer_start(self) -> int:
        """Where the quotation begins, opening mark included."""
        return self.open_at if self.open_at is not None else self.start


@dataclass
class _Mark:
    at: int
    text: str
    double: bool
    can_open: bool
    can_close: bool


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: runs of text between blank lines."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]


ALL_MARKS = DOUBLE_OPEN + DOUBLE_CLOSE + DOUBLE_EITHER + SINGLE_OPEN + SINGLE_CLOSE \
    + SINGLE_EITHER


def is_mark(ch: str | None) -> bool:
    return ch is not None and ch in ALL_MARKS


# Where a mark may be: the scan looks at these characters only (an article is mostly
# letters, and testing each of them in Python cost a tenth of the quote layer).
_CANDIDATE = re.compile("[" + re.escape(ALL_MARKS) + "]")


def _marks(text: str, start: int, end: int) -> list[_Mark]:
    found: list[_Mark] = []
    i = start
    for candidate in _CANDIDATE.finditer(text, start, end):
        if candidate.start() < i:
            continue  # the second half of a '' taken as one mark
        i = candidate.start()
        c = text[i]
        size = 2 if text.startswith("''", i) else 1
        if size == 2 or c in DOUBLE_OPEN + DOUBLE_CLOSE + DOUBLE_EITHER + SINGLE_OPEN \
                + SINGLE_CLOSE + SINGLE_EITHER:
            before = text[i - 1] if i > start else None
            after = text[i + size] if i + size < end else None
            word_before = before is not None and before.isalnum()
            word_after = after is not None and after.isalnum()
            double = size == 2 or c in DOUBLE_OPEN + DOUBLE_CLOSE + DOUBLE_EITHER
            if not double and word_before and word_after:
                i += size
                continue  # an apostrophe: Brexit'e, Oğuz’un, don't
            can_open = (before is None or before.isspace() or before in OPEN_PUNCT
                        or is_mark(before)) and after is not None
            can_close = before is not None and (after is None or after.isspace()
                                                or after in CLOSE_PUNCT or is_mark(after))
            if not double:
                # A single mark opens before a word and closes after one.
                can_open = can_open and after is not None and not after.isspace()
                can_close = can_close and not before.isspace()
            if size == 1 and c in DOUBLE_OPEN + SINGLE_OPEN and can_open:
                can_close = False
            if can_open or can_close:
                found.append(_Mark(i, text[i:i + size], double, can_open, can_close))
        i += size
    return found


def _inner(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _scan(text: str, index: int, p_start: int, p_end: int
          ) -> tuple[list[Quotation], int | None]:
    """Quotations of one paragraph, and the first double mark that closes a quotation
    the paragraph never opened (a carried-on quotation ends there)."""
    quotations: list[Quotation] = []
    stack: list[_Mark] = []
    stray: int | None = None
    for mark in _marks(text, p_start, p_end):
        open_doubles = [m for m in stack if m.double]
        if mark.double:
            opens = False
            if mark.text in DOUBLE_OPEN:
                opens = mark.can_open or not open_doubles
            elif mark.text in DOUBLE_CLOSE:
                opens = not open_doubles and mark.can_open and not mark.can_close
                if not open_doubles and mark.can_open and mark.can_close:
                    opens = True  # ” Şiddet …”: a reversed opening mark
            else:
                opens = not open_doubles and mark.can_open
            if opens:
                stack.append(mark)
                continue
            if not open_doubles:
                if stray is None and mark.can_close and not quotations:
                    stray = mark.at
                continue
            while stack and not stack[-1].double:
                stack.pop()  # a single mark left open inside was an apostrophe
            opening = stack.pop()
            start, end = _inner(text, opening.at + len(opening.text), mark.at)
            if end > start:
                quotations.append(Quotation(start, end, index, opening.text, mark.text,
                                            depth=len(stack), open_at=opening.at))
        else:
            open_singles = stack and not stack[-1].double
            if open_singles and mark.can_close:
                opening = stack.pop()
                start, end = _inner(text, opening.at + len(opening.text), mark.at)
                if end > start:
                    quotations.append(Quotation(start, end, index, opening.text, mark.text,
                                                depth=len(stack), open_at=opening.at))
            elif mark.can_open:
                stack.append(mark)
    unclosed = [m for m in stack if m.double]
    if unclosed:
        opening = unclosed[0]
        start, end = _inner(text, opening.at + len(opening.text), p_end)
        if end > start:
            quotations.append(Quotation(start, end, index, opening.text, None, depth=0,
                                        open_at=opening.at))
    quotations.sort(key=lambda q: (q.start, q.depth))
    return quotations, stray


def _mark_whole(text: str, q: Quotation, p_start: int, p_end: int) -> None:
    before = text[p_start:q.outer_start]
    after_at = q.end
    while after_at < p_end and (text[after_at].isspace() or text[after_at] in
                                DOUBLE_OPEN + DOUBLE_CLOSE + DOUBLE_EITHER + SINGLE_OPEN
                                + SINGLE_CLOSE + SINGLE_EITHER):
        after_at += 1
    after = text[after_at:p_end]
    if not _FURNITURE.match(after):
        return
    if _FURNITURE.match(before):
        q.whole = True
        return
    lead = _COLON_LEAD.match(before)
    if lead and len(lead.group("who").split()) <= 8:
        q.whole = True
        q.lead = lead.group("who").strip()


def find_quotations(text: str, nested: bool = True) -> list[Quotation]:
    """Every quotation in ``text`` (paragraphs separated by blank lines), in order.
    ``nested`` False leaves out quotations inside quotations."""
    spans = paragraphs(text)
    scanned = [_scan(text, i, s, e) for i, (s, e) in enumerate(spans)]
    found: list[Quotation] = []
    carried: dict[int, Quotation] = {}
    for i, (quotations, _stray) in enumerate(scanned):
        for q in quotations:
            if q.depth == 0:
                _mark_whole(text, q, *spans[i])
    for i, (quotations, _stray) in enumerate(scanned):
        last = next((q for q in reversed(quotations) if q.depth == 0), None)
        if last is None or last.close_mark is not None or i in carried:
            continue
        _carry(text, spans, scanned, i, carried)
    for i, (quotations, _stray) in enumerate(scanned):
        if i in carried:
            found.append(carried[i])
        found += [q for q in quotations if nested or q.depth == 0]
    return sorted(found, key=lambda q: (q.start, q.depth))


def _carry(text: str, spans: list[tuple[int, int]],
           scanned: list[tuple[list[Quotation], int | None]], i: int,
           carried: dict[int, Quotation]) -> None:
    """Carry an unclosed quotation of paragraph ``i`` into the paragraphs after it, when
    one of them closes it."""
    middle: list[int] = []
    for j in range(i + 1, min(len(spans), i + 1 + CARRY_LIMIT)):
        quotations, stray = scanned[j]
        p_start = spans[j][0]
        if stray is not None:
            for k in middle:
                s, e = _inner(text, *spans[k])
                carried[k] = Quotation(s, e, k, None, None, whole=True, continued=True)
            s, e = _inner(text, p_start, stray)
            if e > s:
                carried[j] = Quotation(s, e, j, None, text[stray], continued=True)
            return
        if quotations and all(q.whole for q in quotations if q.depth == 0):
            continue  # a quote subheading between the paragraphs of a long quotation
        if quotations:
            return  # a paragraph with quotations of its own: the earlier one ended
        middle.append(j)
