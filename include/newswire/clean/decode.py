"""Bytes to text for Turkish and English pages (UTF-8, windows-1254, ISO-8859-9...)."""

from __future__ import annotations

import codecs
import re

from bs4.dammit import EncodingDetector
from charset_normalizer import from_bytes

# Declared Latin-1 on Turkish pages is almost always windows-1254 in practice
# (WHATWG maps iso-8859-1 to windows-1252 for the same reason).
_ALIASES = {"iso-8859-1": "windows-1252", "latin-1": "windows-1252", "ascii": "windows-1252",
            "us-ascii": "windows-1252", "iso-8859-9": "iso-8859-9", "latin5": "iso-8859-9"}


def _known(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("'\"").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


# A valid multi-byte UTF-8 sequence; legacy Turkish text almost never forms one by chance.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                            rb"|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
MIXED = "utf-8+cp1254"
# Codecs (as decode_html names them) that read every byte below 0x80 as that ASCII
# character and use no such byte inside another character's bytes.
ASCII_COMPATIBLE = frozenset({"utf-8", MIXED, "cp1254", "cp1252", "iso8859-9", "iso8859-1",
                              "ascii"})


def _legacy_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as windows-1254."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("cp1254", errors="replace"), exc.end


codecs.register_error("newswire-cp1254", _legacy_bytes)


def _mostly_utf8(body: bytes) -> bool:
    """True when a page that is not valid UTF-8 still holds mostly UTF-8 text: a stray
    byte or a pasted windows-1254 paragraph must not turn the whole page into mojibake."""
    sequences = _UTF8_SEQUENCE.findall(body)
    stray = len(_HIGH_BYTE.findall(body)) - sum(len(s) for s in sequences)
    return len(sequences) >= 3 and len(sequences) >= stray


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return _known(value)
    return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page: BOM, then HTTP charset, then <meta charset>, then UTF-8, then mostly
    UTF-8 with windows-1254 bytes in between (encoding ``MIXED``), then a guess."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            rest = body[len(bom):]  # exactly one BOM: a second one is text
            try:
                return rest.decode(name), name
            except UnicodeDecodeError:
                if name == "utf-8":  # a UTF-8 page with stray legacy bytes
                    return rest.decode("utf-8", errors="newswire-cp1254"), MIXED
                return rest.decode(name, errors="replace"), name
    # The page's <meta charset> is looked for only where the HTTP header's charset is
    # missing or wrong (two regex searches over the page).
    for declared in (lambda: charset_from_content_type(content_type),
                     lambda: _known(EncodingDetector.find_declared_encoding(
                         body, is_html=True, search_entire_document=False))):
        name = declared()
        if name:
            try:
                return body.decode(name), name
            except UnicodeDecodeError:
                continue  # a wrong declaration: fall through to detection
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(body):
        return body.decode("utf-8", errors="newswire-cp1254"), MIXED
    best = from_bytes(body[:200_000], cp_isolation=["cp1254", "iso8859_9", "cp1252", "utf_8"])
    guess = best.best()
    name = _known(guess.encoding) if guess else None
    name = name or "cp1254"
    return body.decode(name, errors="replace"), name
