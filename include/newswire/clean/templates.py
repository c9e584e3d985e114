"""Per-source template learning: a paragraph that recurs across many articles of one
source is page furniture ("Abone olun...", a standing notice worded the site's own way).

The rule is order-independent by construction:

- a day's statistics (how many of that day's articles hold each paragraph) are a pure
  function of that day's raw pages: ``day_stats``;
- the furniture used to clean day D is learned from the statistics of a fixed backward
  window, D-6 .. D (``window``), never from "whatever was cleaned before";
- a paragraph is furniture when at least ``MIN_ARTICLES`` articles and at least
  ``MIN_SHARE`` (80%) of the window's articles hold it.

So a backfill and a daily run over the same raw pages give the same articles, whatever
order they run in. The statistics are kept in the lake (table ``template_stats``, one
partition per source and day, with the digest of the raw partition they came from), so a
daily run does not re-clean the six days before it; statistics from other raw pages (the
day was refetched since) or from another cleaner version are recomputed.

A backward window (rather than the day alone) lets a small source (a few articles a day)
reach the threshold; seven days keep a story series' repeated background paragraph
well below 80% of a source's articles.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from newswire.clean.places import fold
from newswire.records import Section

TEMPLATE_VERSION = "1"  # bump when fingerprints or the cleaner's paragraphs change
WINDOW_DAYS = 7
MIN_ARTICLES = 4
# A template's line is on (nearly) every page of it; a sentence a desk reuses often
# ("Toplantıya ... katıldı.") may be in half of them and is still text.
MIN_SHARE = 0.8
MAX_SAMPLE_CHARS = 200


def fingerprint(paragraph: str) -> str:
    """The same line whatever its case and spacing. Numbers count: a daily market line
    ("BIST 100 ... 9.234 puan") is text that changes, not furniture."""
    return hashlib.sha1(fold(paragraph).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class DayStats:
    day: date
    articles: int
    counts: dict[str, int] = field(default_factory=dict)  # fingerprint -> articles
    samples: dict[str, str] = field(default_factory=dict)  # fingerprint -> the text
    raw_digest: str = ""


@dataclass(frozen=True)
class TemplateState:
    furniture: frozenset[str]
    articles: int = 0
    days: tuple[date, ...] = ()

    def is_furniture(self, paragraph: str) -> bool:
        return fingerprint(paragraph) in self.furniture


def raw_digest(body_sha256: Iterable[str]) -> str:
    """Which raw pages a day's statistics came from (order-free)."""
    return hashlib.sha256("\n".join(sorted(body_sha256)).encode()).hexdigest()


def day_stats(day: date, articles: Iterable[tuple[str, list[Section]]],
              digest: str = "") -> DayStats:
    """How many of the day's articles (id, sections) hold each paragraph."""
    counts: Counter[str] = Counter()
    samples: dict[str, str] = {}
    seen_ids: set[str] = set()
    # paragraph -> fingerprint: a line that recurs across the day's articles (what is
    # counted here) is folded and hashed once, not once per article holding it.
    known: dict[str, str] = {}
    for article_id, sections in articles:
        if article_id in seen_ids:
            continue
        seen_ids.add(article_id)
        prints: set[str] = set()
        for section in sections:
            for paragraph in section.paragraphs:
                key = known.get(paragraph)
                if key is None:
                    key = known[paragraph] = fingerprint(paragraph)
                prints.add(key)
                if key not in samples or paragraph < samples[key]:
                    samples[key] = paragraph  # the smallest: the same whatever the order
        counts.update(prints)
    # A paragraph in one article of a big day is text, not furniture: not kept, so the
    # stored statistics stay small (and fresh ones equal stored ones).
    keep_singles = len(seen_ids) < 2 * MIN_ARTICLES
    kept = {k: n for k, n in counts.items() if n >= 2 or keep_singles}
    return DayStats(day, len(seen_ids), kept,
                    {k: samples[k][:MAX_SAMPLE_CHARS] for k in kept}, digest)


def window(day: date) -> list[date]:
    """The days whose statistics clean ``day``: the day and the six before it."""
    return [day - timedelta(days=n) for n in range(WINDOW_DAYS - 1, -1, -1)]


def learn_templates(stats: Iterable[DayStats]) -> TemplateState:
    """The furniture of a window of days."""
    total = 0
    counts: Counter[str] = Counter()
    days = []
    for day in stats:
        total += day.articles
        counts.update(day.counts)
        days.append(day.day)
    needed = max(MIN_ARTICLES, MIN_SHARE * total)
    furniture = frozenset(key for key, n in counts.items() if n >= needed)
    return TemplateState(furniture, total, tuple(sorted(days)))


def apply_templates(sections: list[Section], state: TemplateState) -> list[Section]:
    """The sections without the learned furniture."""
    if not state.furniture:
        return sections
    kept = [Section(s.heading, [p for p in s.paragraphs if not state.is_furniture(p)])
            for s in sections]
    return [s for s in kept if s.paragraphs]


# -- the lake's template_stats table ---------------------------------------------------
def stats_rows(stats: DayStats) -> list[dict]:
    """The day's statistics as template_stats rows, one per paragraph."""
    rows = [{"fingerprint": key, "articles": n, "day_articles": stats.articles,
             "sample": stats.samples.get(key, ""), "raw_digest": stats.raw_digest,
             "template_version": TEMPLATE_VERSION}
            for key, n in sorted(stats.counts.items())]
    if not rows:  # an empty day still records how many articles it had
        rows = [{"fingerprint": "", "articles": 0, "day_articles": stats.articles,
                 "sample": "", "raw_digest": stats.raw_digest,
                 "template_version": TEMPLATE_VERSION}]
    return rows


def stats_from_rows(day: date, rows: list[dict], digest: str) -> DayStats | None:
    """The stored statistics of a day, or None when missing or stale (other raw pages,
    another template version)."""
    if not rows or any(r["raw_digest"] != digest or r["template_version"] != TEMPLATE_VERSION
                       for r in rows):
        return None
    counts = {r["fingerprint"]: int(r["articles"]) for r in rows if r["fingerprint"]}
    samples = {r["fingerprint"]: r["sample"] for r in rows if r["fingerprint"]}
    return DayStats(day, int(rows[0]["day_articles"]), counts, samples, digest)


@dataclass
class TemplateStore:
    """How the pipeline reaches the lake for template learning (plain callables, so this
    module knows nothing of where the lake lives)."""

    read_rows: Callable[[date], list[dict]]  # template_stats rows of a day
    write_rows: Callable[[date, list[dict]], None]
    raw_digest_of: Callable[[date], str | None]  # None: no raw pages that day
    clean_day: Callable[[date], list[tuple[str, list[Section]]]]  # (id, sections) per page


def state_for_day(day: date, todays: DayStats, store: TemplateStore) -> TemplateState:
    """The furniture that cleans ``day``: its own statistics (stored) and the stored ones of
    the six days before (computed from their raw pages where missing or stale)."""
    store.write_rows(day, stats_rows(todays))
    stats = [todays]
    for earlier in window(day)[:-1]:
        digest = store.raw_digest_of(earlier)
        if digest is None:
            continue
        found = stats_from_rows(earlier, store.read_rows(earlier), digest)
        if found is None:
            found = day_stats(earlier, store.clean_day(earlier), digest)
            store.write_rows(earlier, stats_rows(found))
        stats.append(found)
    return learn_templates(stats)
