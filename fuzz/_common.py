"""Shared harness for the atheris fuzz targets in this folder.

Each target is ``python fuzz/fuzz_<surface>.py [libFuzzer flags]`` (``-runs=N``,
``-max_total_time=S``, a corpus folder). An exception that escapes ``test_one_input``
(anything but the surface's own typed errors) or a failed invariant is a crash:
atheris prints the input and exits non-zero. ``make fuzz`` runs every target for longer;
tests/test_fuzz.py runs each briefly in CI.

``NEWSWIRE_FUZZ_SELFTEST=1`` makes every target crash on its first input, so the test
can prove that a crash is noticed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import atheris

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "include") not in sys.path:
    sys.path.insert(0, str(REPO / "include"))

# Fragments the structured half of each target strings together: markup, dates, URLs,
# quotation marks, Turkish letters and numerals that agency pages are made of.
PIECES = [
    "<html>", "</html>", "<body>", "<article>", "</article>", "<p>", "</p>", "<div>",
    "</div>", "<div class='detay-icerik'>", "<h2>", "</h2>", "<br>", "<script>", "</script>",
    "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#0;", "&#x110000;", "&nbsp;", "&a;",
    "<meta charset='windows-1254'>", "<meta property='article:published_time' content='",
    "'>", "<?xml version='1.0'?>", "<!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]>",
    "<rss version='2.0'><channel>", "</channel></rss>", "<item>", "</item>", "<link>",
    "</link>", "<pubDate>", "</pubDate>", "<title>", "</title>",
    "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>", "</urlset>",
    "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>", "<sitemap>",
    "<url>", "</url>", "<loc>", "</loc>", "<lastmod>", "</lastmod>",
    "http://a.example/x", "http://[::1", "file:///etc/passwd", "2017-12-04T12:00:00+03:00",
    "Mon, 04 Dec 2017 23:59:00 +0000", "04.12.2017 14:52", "2017-02-30",
    "BRÜKSEL (AA) - ", "Stoltenberg", "NATO Genel Sekreteri Jens Stoltenberg", ", ", ". ",
    "\"", "“", "”", "«", "»", "dedi", "diye konuştu", "söyledi", "said", "told reporters",
    "3", "1.200", "2,5", "9" * 400, "bin", "milyon", "milyar", "billion", "yüzde", "%",
    "dolar", "avro", "$", "Aralık", "5-6 Aralık'ta", "geçen hafta", "gelecek yıl",
    "next Tuesday", "Dec. 14-15", "İ", "ı", "ş", "\u00a0", "\u200b", "\n", "\n\n", " ",
]


def text_from(data: bytes) -> str:
    """Half the inputs as raw Unicode, half as a string of known fragments (so the
    interesting paths are reached without a corpus)."""
    fdp = atheris.FuzzedDataProvider(data)
    if fdp.ConsumeBool():
        return fdp.ConsumeUnicodeNoSurrogates(len(data))
    parts = []
    while fdp.remaining_bytes():
        if fdp.ConsumeBool():
            parts.append(PIECES[fdp.ConsumeIntInRange(0, len(PIECES) - 1)])
        else:
            parts.append(fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 8)))
    return "".join(parts)


def bytes_from(data: bytes) -> bytes:
    """Raw bytes, or fragments encoded as UTF-8 or windows-1254 (or both, glued)."""
    if not data:
        return data
    mode, rest = data[0] % 4, data[1:]
    if mode == 0:
        return rest
    text = text_from(rest)
    if mode == 1:
        return text.encode("utf-8")
    if mode == 2:
        return text.encode("cp1254", errors="replace")
    half = len(text) // 2
    return text[:half].encode("utf-8") + text[half:].encode("cp1254", errors="replace")


def run(test_one_input: Callable[[bytes], None], argv: Sequence[str] | None = None) -> None:
    if os.environ.get("NEWSWIRE_FUZZ_SELFTEST") == "1":
        def crash(data: bytes) -> None:
            raise RuntimeError("fuzz self-test: this crash must be reported")

        target = crash
    else:
        target = test_one_input
    atheris.Setup(list(argv if argv is not None else sys.argv), target)
    atheris.Fuzz()
