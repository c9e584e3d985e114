"""Text normalisation shared by every extractor."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u2007\u202f\u2000-\u200a\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# Lines that are page furniture, not article text: agency footers, share bars,
# cookie notices, "related" teasers. Matched against a whole normalised paragraph.
BOILERPLATE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^Anadolu Ajansı web sitesinde, AA Haber Akış Sistemi \(HAS\)",
        r"^Anadolu Agency website contains only a portion of the news",
        r"^(©|\(c\)|copyright)\s*\d{0,4}\s*(anadolu|reuters|associated press)",
        r"^(paylaş|share)( on)?\s*(facebook|twitter|x|whatsapp|linkedin|e-?posta|email)?\s*$",
        r"^(ilgili haberler|related (news|stories|articles)|read more|devamını oku)\b",
        r"^(bu (web )?sitede|this (web)?site uses) .{0,40}(çerez|cookie)",
        r"^(we use cookies|çerez(ler)? kullan)",
        r"^(abone ol|subscribe)( now)?\s*[.!]?$",
        r"^(reporting by|editing by|writing by)\b",
    )
]

_DATELINE = re.compile(
    r"^(?P<city>[A-ZÇĞİÖŞÜÂÎÛ][A-ZÇĞİÖŞÜÂÎÛ .'’/-]{1,40}?)"
    r"(?:,\s*[^()]{1,40}?)?\s*\((?P<agency>AA|Reuters|AP|AFP|dpa|Anadolu Agency|Anadolu)\)"
    r"\s*[-–—]+\s*"
)


def normalize_text(text: str) -> str:
    """NFC, no-break and odd spaces to plain spaces, hard line breaks re-joined."""
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    return _SPACES.sub(" ", text).strip()


def is_boilerplate(paragraph: str) -> bool:
    return any(pattern.search(paragraph) for pattern in BOILERPLATE)


def split_dateline(paragraph: str) -> tuple[str | None, str]:
    """'BRÜKSEL (AA) - NATO ...' -> ('BRÜKSEL', 'NATO ...')."""
    match = _DATELINE.match(paragraph)
    if not match:
        return None, paragraph
    return match.group("city").strip(), paragraph[match.end():].strip()
