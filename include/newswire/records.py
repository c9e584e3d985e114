"""Typed records passed between stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass
class Section:
    heading: str | None
    paragraphs: list[str]


@dataclass
class Article:
    id: str
    source: str
    url: str
    lang: str | None
    source_lang: str
    title: str | None
    summary: str | None
    byline: str | None
    dateline: str | None
    published_at: datetime | None  # precision "day": that calendar day at 00:00 UTC
    modified_at: datetime | None
    sections: list[Section]
    body: str
    content_hash: str
    extractor: str
    warnings: list[str] = field(default_factory=list)
    # How much of published_at the page (or feed) gave: "day", "minute" or "second".
    published_precision: str | None = None
    # The agency the dateline credits ("AA" for "BRÜKSEL (AA) -"), when it names one.
    agency: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("published_at", "modified_at"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        return data
