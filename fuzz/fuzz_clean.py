"""Fuzz the cleaner: any bytes in, an Article out or a CleanError; fields consistent."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import atheris
from _common import bytes_from, run

with atheris.instrument_imports(include=["newswire"]):
    from newswire.clean import CleanError, clean_html

URL = "https://ornek.example/haber/1"
LISTED = datetime(2017, 12, 5, tzinfo=UTC)


def test_one_input(data: bytes) -> None:
    body = bytes_from(data)
    profile = "aa" if len(data) % 2 else "generic"
    try:
        article = clean_html(body, URL, profile=profile, timezone="Europe/Istanbul",
                             content_type="text/html", fallback_published_at=LISTED)
    except CleanError:
        return
    paragraphs = [p for s in article.sections for p in s.paragraphs]
    assert paragraphs and all(paragraphs), article.sections
    assert article.body == "\n\n".join(paragraphs)
    assert article.content_hash == hashlib.sha256(article.body.encode()).hexdigest()
    assert article.published_at is not None and article.published_at.tzinfo is not None


if __name__ == "__main__":
    run(test_one_input)
