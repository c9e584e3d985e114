"""Text normalisation shared by every extractor."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2007\u202f\u2000-\u200a\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalize_text(text: str) -> str:
    """NFC, no-break and odd spaces to plain spaces, hard line breaks re-joined."""
    text = unicodedata.normalize("NFC", text)
    # Most paragraphs need nothing more: a printable text holds no control, zero-width or
    # odd space (all of those are "Other" or "Separator" in Unicode, which isprintable()
    # refuses, the ASCII space aside), so without two spaces in a row the two regexes
    # below would leave it as it is (they cost a fifth of the cleaner's text handling).
    if text.isprintable() and "  " not in text:
        return text.strip()
    text = _ZERO_WIDTH.sub("", text)
    return _SPACES.sub(" ", text).strip()
