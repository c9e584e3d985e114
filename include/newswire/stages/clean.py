"""clean: every page of the interval's days (stored, and fetched by this run) into
articles, staged per day, so that a rerun after a better cleaner rebuilds from the raw
zone without the network."""

from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from newswire.clean import CleanError, clean_html
from newswire.config import Settings
from newswire.records import Article
from newswire.schema import ArticleRow, RawPage, rows_of
from newswire.sources import Source
from newswire.stages.common import (
    CleanCounts,
    Cleaned,
    Fetched,
    StagedFile,
    StageManifest,
    load_source,
    merge_rows,
    run_dir,
    stage_rows,
    utc,
)
from newswire.store import Partition

log = logging.getLogger("newswire")


def clean_source(settings: Settings, fetched_manifest: str) -> str:
    """Clean the interval's pages of one source. One broken page never sinks the day: it
    is counted and its error recorded. Returns the path of the :class:`Cleaned` manifest,
    which also carries the fetched pages and log for publish."""
    started = time.monotonic()
    fetched = StageManifest.load(fetched_manifest)
    assert isinstance(fetched, Fetched), fetched_manifest
    source = load_source(settings, fetched.source)
    out = run_dir(settings, fetched.run_id, source.id)
    counts = CleanCounts()
    errors: list[str] = []
    files: list[StagedFile] = []
    fresh = fetched.staged("raw_pages")
    for day in fetched.days():
        rows = [row for page in day_pages(settings, source.id, day, fresh.get(day))
                if (row := _clean_page(page, source, day, fetched.run_id, counts, errors))]
        rows.sort(key=lambda r: r.id)
        files.append(stage_rows(out, "articles", day, rows))
    manifest = Cleaned(run_id=fetched.run_id, source=source.id, start=fetched.start,
                       end=fetched.end, mode=fetched.mode, counts=counts, errors=errors,
                       files=[*fetched.files, *files],
                       seconds=round(time.monotonic() - started, 3))
    log.info("clean %s: %s", source.id, counts)
    return manifest.save(out)


def day_pages(settings: Settings, source_id: str, day: date,
              fetched: StagedFile | None) -> list[RawPage]:
    """The day's raw pages: those stored, with this run's fetched ones in their place."""
    stored = settings.lake.read_partition(Partition("raw_pages", source_id, day))
    if fetched is not None:
        stored = merge_rows(stored, pq.read_table(Path(fetched.path)), "url")
    return rows_of(RawPage, stored)


def _clean_page(page: RawPage, source: Source, day: date, run_id: str, counts: CleanCounts,
                errors: list[str]) -> ArticleRow | None:
    try:
        article = clean_html(page.body or b"", page.url, source=source.id,
                             source_lang=source.lang, profile=source.profile,
                             timezone=source.timezone, content_type=page.content_type,
                             fallback_published_at=page.listed_published_at)
    except CleanError as exc:
        counts.failed += 1
        errors.append(f"{page.url}: {exc}")
        log.warning("clean %s failed: %s", page.url, exc)
        return None
    except Exception as exc:  # one broken page never sinks the day
        counts.failed += 1
        errors.append(f"{page.url}: unexpected {type(exc).__name__}: {exc}")
        log.exception("clean %s crashed", page.url)
        return None
    if article.published_at is not None and utc(article.published_at).date() != day:
        article.warnings.append(
            f"page date {utc(article.published_at).date()} differs from listed date {day}")
    counts.cleaned += 1
    return article_row(article, page.body_sha256, run_id)


def article_row(article: Article, raw_sha256: str | None, run_id: str) -> ArticleRow:
    return ArticleRow(
        id=article.id, url=article.url, lang=article.lang, source_lang=article.source_lang,
        title=article.title, summary=article.summary, byline=article.byline,
        dateline=article.dateline, published_at=article.published_at,
        modified_at=article.modified_at, sections=article.sections, body=article.body,
        content_hash=article.content_hash, extractor=article.extractor,
        warnings=article.warnings, raw_sha256=raw_sha256, run_id=run_id)

