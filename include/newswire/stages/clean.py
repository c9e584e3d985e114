"""clean: every page of the interval's days (stored, and fetched by this run) into
articles, staged per day, so that a rerun after a better cleaner rebuilds from the raw
zone without the network."""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from newswire.clean import CleanError, clean_html, with_templates
from newswire.clean.templates import TemplateStore, day_stats, raw_digest, state_for_day
from newswire.config import Settings
from newswire.records import Article
from newswire.schema import ArticleRow, RawPage, TemplateStatsRow, rows_of
from newswire.sources import Source
from newswire.stages.common import (
    CleanCounts,
    Cleaned,
    Fetched,
    StagedFile,
    StageManifest,
    load_source,
    replace_rows,
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
    templates = TemplateFiles(settings, source, out)
    for day in fetched.days():
        pages = day_pages(settings, source.id, day, fresh.get(day))
        cleaned = [(page, article) for page in pages
                   if (article := _clean_page(page, source, day, counts, errors))]
        if cleaned:
            # Paragraphs recurring across the source's articles are furniture, learned
            # from the raw pages of a fixed window of days (order-free: clean/templates.py).
            todays = day_stats(day, [(a.id, a.sections) for _, a in cleaned],
                               raw_digest(p.body_sha256 for p in pages))
            state = state_for_day(day, todays, templates.store())
            cleaned = [(page, with_templates(a, state)) for page, a in cleaned]
        rows = sorted((article_row(a, page.body_sha256, fetched.run_id) for page, a in cleaned),
                      key=lambda r: r.article_id)
        files.append(stage_rows(out, "articles", day, rows))
    files += templates.files()
    manifest = Cleaned(run_id=fetched.run_id, source=source.id, start=fetched.start,
                       end=fetched.end, mode=fetched.mode, counts=counts, errors=errors,
                       files=[*fetched.files, *files],
                       seconds=round(time.monotonic() - started, 3))
    log.info("clean %s: %s", source.id, counts)
    return manifest.save(out)


def day_pages(settings: Settings, source_id: str, day: date,
              fetched: StagedFile | None) -> list[RawPage]:
    """The day's raw pages: those stored or, when this run fetched the day, the pages it
    found (fetched now, or kept as stored), as publish will store them."""
    stored = settings.lake.read_partition(Partition("raw_pages", source_id, day))
    if fetched is not None:
        stored = replace_rows(stored, pq.read_table(Path(fetched.path)), "article_id",
                              fetched.keep)
    return rows_of(RawPage, stored)


def _clean_page(page: RawPage, source: Source, day: date, counts: CleanCounts,
                errors: list[str]) -> Article | None:
    try:
        article = clean_html_page(page, source)
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
    return article


def clean_html_page(page: RawPage, source: Source) -> Article:
    return clean_html(page.body or b"", page.url, source=source.id, source_lang=source.lang,
                      profile=source.profile, timezone=source.timezone,
                      content_type=page.content_type,
                      fallback_published_at=page.listed_published_at)


class TemplateFiles:
    """Template learning's statistics for one source: read from the lake's
    template_stats, and staged (published with the articles) where a day's are new,
    missing or stale."""

    def __init__(self, settings: Settings, source: Source, folder: Path) -> None:
        self.settings, self.source, self.folder = settings, source, folder
        self.staged: dict[date, StagedFile] = {}

    def store(self) -> TemplateStore:
        return TemplateStore(read_rows=self.read_rows, write_rows=self.write_rows,
                             raw_digest_of=self.raw_digest_of, clean_day=self.clean_day)

    def files(self) -> list[StagedFile]:
        return [self.staged[day] for day in sorted(self.staged)]

    def read_rows(self, day: date) -> list[dict]:
        return self.settings.lake.read_partition(
            Partition("template_stats", self.source.id, day)).to_pylist()

    def write_rows(self, day: date, rows: list[dict]) -> None:
        self.staged[day] = stage_rows(self.folder, "template_stats", day,
                                      [TemplateStatsRow(**row) for row in rows])

    def raw_digest_of(self, day: date) -> str | None:
        shas = self.settings.lake.read_partition(
            Partition("raw_pages", self.source.id, day), columns=["body_sha256"])
        found = [sha for sha in shas.column("body_sha256").to_pylist() if sha]
        return raw_digest(found) if found else None

    def clean_day(self, day: date) -> list[tuple[str, list]]:
        found = []
        for page in day_pages(self.settings, self.source.id, day, None):
            with contextlib.suppress(Exception):  # a page that fails is left out, as in clean
                article = clean_html_page(page, self.source)
                found.append((article.id, article.sections))
        return found


def article_row(article: Article, raw_sha256: str | None, run_id: str) -> ArticleRow:
    return ArticleRow(
        article_id=article.id, url=article.url, lang=article.lang, source_lang=article.source_lang,
        title=article.title, summary=article.summary, byline=article.byline,
        dateline=article.dateline, agency=article.agency,
        published_at=article.published_at,
        modified_at=article.modified_at, sections=article.sections, body=article.body,
        content_hash=article.content_hash, extractor=article.extractor,
        warnings=article.warnings, raw_sha256=raw_sha256, run_id=run_id,
        published_precision=article.published_precision)

