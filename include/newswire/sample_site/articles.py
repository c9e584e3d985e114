"""The sample sources' articles: the bundled content files and the records the site
renders (the generated archive makes more of the same records)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CONTENT_DIR = Path(__file__).parent / "content"
# The sources the sample server plays, and the path each lives under.
SITES = {"sample_aa": "aa", "sample_wire": "wire"}


@dataclass
class SampleArticle:
    source: str
    number: int
    slug: str
    lang: str
    published_at: datetime
    modified_at: datetime | None
    category: str
    title: str
    lead: str
    byline: str
    dateline: str | None
    sections: list[dict]
    tags: list[str]
    gold: dict

    @property
    def path(self) -> str:
        if self.source == "sample_aa":
            return f"/aa/{self.category}/{self.slug}/{self.number}"
        day = self.published_at.astimezone(UTC)
        return f"/wire/{day:%Y/%m/%d}/{self.slug}.html"

    @property
    def updated(self) -> datetime:
        return self.modified_at or self.published_at


def load_content(content_dir: Path = CONTENT_DIR) -> dict[str, list[SampleArticle]]:
    sites: dict[str, list[SampleArticle]] = {}
    for source in SITES:
        articles = []
        for number, path in enumerate(sorted((content_dir / source).glob("*.json"))):
            raw = json.loads(path.read_text("utf-8"))
            articles.append(SampleArticle(
                source=source, number=1_000_000 + number, slug=raw["slug"], lang=raw["lang"],
                published_at=datetime.fromisoformat(raw["published_at"]),
                modified_at=(datetime.fromisoformat(raw["modified_at"])
                             if raw.get("modified_at") else None),
                category=raw.get("category") or "news", title=raw["title"],
                lead=raw.get("lead") or "", byline=raw.get("byline") or "",
                dateline=raw.get("dateline"), sections=raw["sections"],
                tags=raw.get("tags") or [], gold=raw.get("gold") or {},
            ))
        sites[source] = sorted(articles, key=lambda a: (a.published_at, a.slug))
    return sites
