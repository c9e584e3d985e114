"""fetch: the discovered pages of each day, staged for publish with the day's fetch log.

Only pages fetched now are staged; a page answered 304, or one that failed, keeps its
stored copy, found by the page's stable id (``urls.article_id``: a page that moved to
https, another host alias or port is still asked for with its ETag). Published, the
day's ``raw_pages`` are the pages the run found, nothing else (a rerun replaces the day);
a day the listings no longer show at all keeps what is stored. Days rebuilt from the raw
zone (backfill of stored days, reprocess_only) are left as they are.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from newswire.config import Settings
from newswire.discover import DiscoveredItem
from newswire.fetch import FetchAttempt, FetchResult
from newswire.schema import FetchLogEntry, RawPage, rows_of
from newswire.stages.common import (
    Discovered,
    FetchCounts,
    Fetched,
    StagedFile,
    StageManifest,
    fetcher_for,
    load_source,
    run_dir,
    stage_rows,
    utc,
)
from newswire.store import Partition
from newswire.urls import article_id, is_amp_variant

log = logging.getLogger("newswire")


def fetch_source(settings: Settings, discovered: str, *, refetch: bool = False,
                 on_page: Callable[[RawPage], None] | None = None,
                 on_day: Callable[[date, StagedFile | None], None] | None = None,
                 listed: Discovered | None = None) -> str:
    """Fetch the pages a :class:`Discovered` manifest lists (conditional GETs against the
    stored copies unless ``refetch``). Returns the path of the :class:`Fetched` manifest.
    ``on_page`` is handed each page fetched now as it arrives, ``on_day`` each day of the
    interval in order once its raw pages are staged (None: a day from the raw zone), so
    that a caller can clean them meanwhile. ``listed``: the manifest, when the caller has
    already read it (a thousand items are read once, not twice)."""
    started = time.monotonic()
    listed = listed or StageManifest.load(discovered)
    assert isinstance(listed, Discovered), discovered
    refetch = refetch or listed.mode == "refetch"
    source = load_source(settings, listed.source)
    fetcher = fetcher_for(settings, source)
    out = run_dir(settings, listed.run_id, source.id)
    counts = FetchCounts(discovered=len(listed.items))
    errors: list[str] = []
    files: list[StagedFile] = []
    by_day: dict[date, list[DiscoveredItem]] = defaultdict(list)
    for item in listed.items:
        if item.published_at is not None:
            by_day[utc(item.published_at).date()].append(item)
    first_day = utc(listed.start).date()
    fetched_days = [day for day in listed.days() if day not in listed.skip_days]
    asked: dict[date, tuple[dict[str, dict], list[str]]] = {}  # stored copies, page ids

    def day_asks() -> Iterator[list[tuple[str, str | None, str | None]]]:
        for day in fetched_days:
            stored = _validators(settings, source.id, day)
            page_ids, asks = _asks(source.id, by_day[day], stored, not refetch)
            asked[day] = stored, page_ids
            yield asks

    # A day's requests go out while the day before it is staged and handed on.
    with contextlib.closing(fetcher.fetch_ahead(day_asks())) as results:
        for day in listed.days():
            if day in listed.skip_days:
                counts.days_from_raw_zone += 1
                if on_day is not None:
                    on_day(day, None)
                continue
            # Feed and sitemap requests belong to the interval's first day.
            entries = ([_log_entry(listed.run_id, r.purpose, r.attempt.url, r.attempt)
                        for r in listed.requests] if day == first_day else [])
            day_results = next(results)
            stored, page_ids = asked.pop(day)
            pages, keep = _fetch_day(listed.run_id, by_day[day], page_ids, day_results, stored,
                                     entries, counts, errors, on_page)
            moved = {stored[page_id]["article_id"]: item.url for page_id, item in
                     zip(page_ids, by_day[day], strict=True)
                     if page_id in stored and stored[page_id]["article_id"] in keep
                     and stored[page_id]["url"] != item.url and not is_amp_variant(item.url)}
            if moved:  # kept pages now listed under another URL (https, another host...)
                pages += _moved_pages(settings, source.id, day, moved)
                keep = [k for k in keep if k not in moved]
            if not by_day[day]:
                keep = sorted({row["article_id"] for row in stored.values()})
            files.append(stage_rows(out, "raw_pages", day, pages, "article_id", keep))
            files.append(stage_rows(out, "fetch_log", day, entries))
            if on_day is not None:
                on_day(day, files[-2])
    manifest = Fetched(run_id=listed.run_id, source=source.id, start=listed.start,
                       end=listed.end, mode=listed.mode, counts=counts, errors=errors,
                       files=files, skip_days=listed.skip_days,
                       seconds=round(time.monotonic() - started, 3))
    log.info("fetch %s: %s", source.id, counts)
    return manifest.save(out)


def _validators(settings: Settings, source_id: str, day: date) -> dict[str, dict]:
    """Stable id -> the stored copy's id, ETag and Last-Modified (the HTML is not read).
    The id is also computed from the stored URL, so that a row an older id scheme keyed
    is still found."""
    stored = settings.lake.read_partition(
        Partition("raw_pages", source_id, day),
        columns=["url", "article_id", "etag", "last_modified"])
    by_id = {}
    for row in stored.to_pylist():
        by_id[article_id(source_id, row["url"])] = row
        by_id[row["article_id"]] = row
    return by_id


def _moved_pages(settings: Settings, source_id: str, day: date,
                 moved: dict[str, str]) -> list[RawPage]:
    """Stored pages, unchanged (answered 304), under the URL they are listed at now, so
    the article's url follows the site (its id already did)."""
    stored = settings.lake.read_partition(Partition("raw_pages", source_id, day))
    pages = rows_of(RawPage, stored.filter(pc.is_in(
        stored["article_id"], value_set=pa.array(list(moved), pa.string()))))
    for page in pages:
        page.url = moved[page.article_id]
        page.article_id = article_id(source_id, page.url)
    return pages


def _asks(source_id: str, items: list[DiscoveredItem], stored: dict[str, dict],
          conditional: bool) -> tuple[list[str], list[tuple[str, str | None, str | None]]]:
    """The day's page ids and requests: (url, etag, last_modified), conditional GETs
    for stored pages unless told otherwise."""
    page_ids = [article_id(source_id, item.url) for item in items]
    asks = []
    for page_id, item in zip(page_ids, items, strict=True):
        previous = stored.get(page_id)
        validators = previous if previous and conditional else {}
        asks.append((item.url, validators.get("etag"), validators.get("last_modified")))
    return page_ids, asks


def _fetch_day(run_id: str, items: list[DiscoveredItem], page_ids: list[str],
               results: Iterator[FetchResult], stored: dict[str, dict],
               entries: list[FetchLogEntry], counts: FetchCounts, errors: list[str],
               on_page: Callable[[RawPage], None] | None = None
               ) -> tuple[list[RawPage], list[str]]:
    """The day's pages fetched now (``results``, in the order of ``items``), and the ids
    of the stored pages kept (304, or failed); every request is added to ``entries``."""
    pages, keep = [], []
    for item, page_id, result in zip(items, page_ids, results, strict=True):
        url = item.url
        previous = stored.get(page_id)
        entries.extend(_log_entry(run_id, "page", url, a, page_id) for a in result.attempts)
        if result.not_modified and previous:
            counts.not_modified += 1
            keep.append(previous["article_id"])
            continue
        if not result.ok or result.body is None:
            counts.failed += 1
            errors.append(f"{url}: {result.error}")
            log.warning("fetch %s failed: %s", url, result.error)
            if previous:
                counts.kept_stored += 1
                keep.append(previous["article_id"])
            continue
        counts.fetched += 1
        page = RawPage(
            url=url, final_url=result.final_url, article_id=page_id,
            fetched_at=result.attempts[-1].fetched_at, status=result.status,
            content_type=result.headers.get("content-type"),
            etag=result.headers.get("etag"), last_modified=result.headers.get("last-modified"),
            found_via=item.found_via, listed_in=item.listed_in,
            listed_published_at=item.published_at, listed_title=item.title,
            body=result.body, body_sha256=hashlib.sha256(result.body).hexdigest(),
            bytes=len(result.body), run_id=run_id)
        pages.append(page)
        if on_page is not None:
            on_page(page)
    return pages, keep


def _log_entry(run_id: str, purpose: str, url: str, attempt: FetchAttempt,
               page_id: str | None = None) -> FetchLogEntry:
    """``url`` is what we set out to fetch, ``request_url`` what this request asked for
    (they differ on redirect hops); ``page_id`` the page's stable id."""
    return FetchLogEntry(run_id=run_id, purpose=purpose, url=url, article_id=page_id,
                         request_url=attempt.url,
                         attempt=attempt.attempt, status=attempt.status, error=attempt.error,
                         bytes=attempt.bytes, elapsed_ms=attempt.elapsed_ms,
                         fetched_at=attempt.fetched_at)
