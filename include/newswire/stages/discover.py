"""discover: which article URLs a source listed for the interval (feeds, sitemaps)."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from newswire.config import Settings
from newswire.discover import Discovery, discover
from newswire.stages.common import (
    MODES,
    DiscoverCounts,
    Discovered,
    ListingRequest,
    days_in,
    fetcher_for,
    load_source,
    run_dir,
    utc,
)
from newswire.store import Partition

log = logging.getLogger("newswire")


def stored_days(settings: Settings, source_id: str, start: datetime, end: datetime
                ) -> list:
    """Days of the interval whose raw zone holds pages for this source."""
    return [day for day in days_in(start, end)
            if settings.lake.partition_rows(Partition("raw_pages", source_id, day)) > 0]


def discover_source(settings: Settings, source_id: str, start: datetime, end: datetime,
                    run_id: str, mode: str = "daily") -> str:
    """List the source's items of [start, end); days rebuilt from the raw zone (backfill
    of stored days, reprocess_only) are skipped, and need no network. Returns the path
    of the :class:`Discovered` manifest."""
    started = time.monotonic()
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
    source = load_source(settings, source_id)
    start, end = utc(start), utc(end)
    all_days = list(days_in(start, end))
    skip = stored_days(settings, source_id, start, end) if mode == "backfill" else []
    if mode == "reprocess_only" or (skip and set(skip) >= set(all_days)):
        found = Discovery([], [], [], {})  # rebuilt from the raw zone: no network
    else:
        found = discover(source, fetcher_for(settings, source), start, end)
    items = [i for i in found.items
             if i.published_at and utc(i.published_at).date() not in skip]
    requests = [ListingRequest(purpose, attempt) for purpose, attempt in found.attempts]
    manifest = Discovered(
        run_id=run_id, source=source_id, start=start, end=end, mode=mode,
        counts=DiscoverCounts(discovered=len(items), skipped=dict(found.skipped)),
        errors=found.errors, items=items, requests=requests,
        skip_days=all_days if mode == "reprocess_only" else skip,
        seconds=round(time.monotonic() - started, 3),
    )
    for error in found.errors:
        log.warning("discover %s: %s", source_id, error)
    log.info("discover %s %s..%s: %d items", source_id, start, end, len(items))
    return manifest.save(run_dir(settings, run_id, source_id))
