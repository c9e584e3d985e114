"""clean: every page of the interval's days (stored, and fetched by this run) into
articles, staged per day, so that a rerun after a better cleaner rebuilds from the raw
zone without the network."""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq

from newswire.clean import CleanError, clean_html, reads_language, with_templates
from newswire.clean.templates import TemplateStore, day_stats, raw_digest, state_for_day
from newswire.config import Settings
from newswire.records import Article
from newswire.schema import ArticleRow, RawPage, TemplateStatsRow, rows_of, schema_for
from newswire.sources import Source
from newswire.stages.common import (
    CleanCounts,
    Cleaned,
    Discovered,
    Fetched,
    StagedFile,
    StageManifest,
    load_source,
    replace_rows,
    run_dir,
    stage_rows,
    utc,
)
from newswire.stages.fetch import fetch_source
from newswire.store import Partition

log = logging.getLogger("newswire")


def clean_source(settings: Settings, fetched_manifest: str, *, workers: int = 1) -> str:
    """Clean the interval's pages of one source. One broken page never sinks the day: it
    is counted and its error recorded. Returns the path of the :class:`Cleaned` manifest,
    which also carries the fetched pages and log for publish. With ``workers`` > 1 the
    pages are cleaned in a pool of that many processes (the CLI's ``--workers``); the
    articles are the same, in the same order."""
    fetched = StageManifest.load(fetched_manifest)
    assert isinstance(fetched, Fetched), fetched_manifest
    cleaner = SourceCleaner(settings, load_source(settings, fetched.source), fetched.run_id,
                            workers)
    fresh = fetched.staged("raw_pages")
    for day in fetched.days():
        cleaner.add_day(day, fresh.get(day))
    return cleaner.finish(fetched_manifest)


def fetch_and_clean(settings: Settings, discovered: str, *, refetch: bool = False,
                    workers: int = 1) -> tuple[str, str]:
    """``fetch_source`` then ``clean_source``, each page handed to the cleaning pool as
    it arrives and each day finished once fetched, while later ones are fetched (the
    CLI's ``run``; the DAG runs the two as separate tasks). The same manifests, staged
    files and articles as the two stages one after the other. Returns the paths of the
    Fetched and Cleaned manifests."""
    listed = StageManifest.load(discovered)
    assert isinstance(listed, Discovered), discovered
    # The pool's processes start here, before the fetch's threads.
    cleaner = SourceCleaner(settings, load_source(settings, listed.source), listed.run_id,
                            workers)
    fetched = fetch_source(settings, discovered, refetch=refetch, on_page=cleaner.queue.put,
                           on_day=cleaner.add_day, listed=listed)
    return fetched, cleaner.finish(fetched)


class SourceCleaner:
    """The clean stage of one source, a day at a time (``add_day``, in the interval's
    order), then its manifest (``finish``). Days are cleaned in the pool ahead of the one
    being finished here (template learning, staging)."""

    def __init__(self, settings: Settings, source: Source, run_id: str, workers: int) -> None:
        self.settings, self.source, self.run_id = settings, source, run_id
        self.started = time.monotonic()
        self.out = run_dir(settings, run_id, source.id)
        self.queue = CleanQueue(source, workers)
        self.counts = CleanCounts()
        self.errors: list[str] = []
        self.files: list[StagedFile] = []
        self.templates = TemplateFiles(settings, source, self.out)
        self.pending: deque[tuple[date, list[RawPage], list[tuple[Future, int] | None]]] = \
            deque()

    def add_day(self, day: date, fresh: StagedFile | None) -> None:
        """``fresh``: the day's raw pages this run staged (None: the stored ones)."""
        handed, self.queue.handed = self.queue.handed, []
        if fresh is not None and not fresh.keep and handed and len(handed) == fresh.rows:
            # The staged file is these pages and nothing else (no stored page kept or
            # moved): taken as they are, in the file's order, rather than read back.
            pages = sorted(handed, key=lambda page: page.article_id)
        else:
            pages = day_pages(self.settings, self.source.id, day, fresh, self.queue.bodies)
        self.pending.append((day, pages, self.queue.take(pages)))
        # Every page of the day was handed in before it ended (take hands in the rest).
        self.queue.bodies.clear()
        self.queue.handed.clear()
        while len(self.pending) > (CLEAN_AHEAD_DAYS if self.queue.pool is not None else 0):
            self._finish_day(*self.pending.popleft())

    def _finish_day(self, day: date, pages: list[RawPage],
                    pending: list[tuple[Future, int] | None]) -> None:
        outcomes = [self.queue.outcome(page, waiting)
                    for page, waiting in zip(pages, pending, strict=True)]
        cleaned = [(page, article) for page, outcome in zip(pages, outcomes, strict=True)
                   if (article := _counted(page, outcome, day, self.counts, self.errors))]
        if cleaned:
            # Paragraphs recurring across the source's articles are furniture, learned
            # from the raw pages of a fixed window of days (order-free: clean/templates.py).
            todays = day_stats(day, [(a.id, a.sections) for _, a in cleaned],
                               raw_digest(p.body_sha256 for p in pages))
            state = state_for_day(day, todays, self.templates.store())
            cleaned = [(page, with_templates(a, state)) for page, a in cleaned]
        rows = sorted((article_row(a, page.body_sha256, self.run_id) for page, a in cleaned),
                      key=lambda r: r.article_id)
        self.files.append(stage_rows(self.out, "articles", day, rows))

    def finish(self, fetched_manifest: str) -> str:
        """Every day finished; returns the path of the :class:`Cleaned` manifest."""
        while self.pending:
            self._finish_day(*self.pending.popleft())
        fetched = StageManifest.load(fetched_manifest)
        assert isinstance(fetched, Fetched), fetched_manifest
        manifest = Cleaned(run_id=fetched.run_id, source=self.source.id, start=fetched.start,
                           end=fetched.end, mode=fetched.mode, counts=self.counts,
                           errors=self.errors,
                           files=[*fetched.files, *self.files, *self.templates.files()],
                           seconds=round(time.monotonic() - self.started, 3))
        log.info("clean %s: %s", self.source.id, self.counts)
        return manifest.save(self.out)


def day_pages(settings: Settings, source_id: str, day: date,
              fetched: StagedFile | None, bodies: Mapping[str, bytes] | None = None
              ) -> list[RawPage]:
    """The day's raw pages: those stored or, when this run fetched the day, the pages it
    found (fetched now, or kept as stored), as publish will store them. ``bodies``: the
    bodies of pages this process still holds, by their SHA-256; a day whose staged pages
    are all among them and that keeps no stored page is read without its bodies (the
    largest column, read back just after it was written)."""
    if fetched is not None and bodies is not None and not fetched.keep:
        light = pq.read_table(Path(fetched.path), columns=[
            f.name for f in schema_for("raw_pages") if f.name != "body"])
        if all(sha in bodies for sha in light["body_sha256"].to_pylist()):
            return [RawPage(**row, body=bodies[row["body_sha256"]])
                    for row in light.sort_by("article_id").to_pylist()]
    stored = settings.lake.read_partition(Partition("raw_pages", source_id, day))
    if fetched is not None:
        stored = replace_rows(stored, pq.read_table(Path(fetched.path)), "article_id",
                              fetched.keep)
    return rows_of(RawPage, stored)


CLEAN_AHEAD_DAYS = 2  # days handed to the pool before the one being finished (memory)
CLEAN_BATCH = 8  # pages per task sent to a cleaning process
CLEAN_IN_FLIGHT = 16  # batches handed to the pool and not yet cleaned (memory)

Outcome = Article | str
_PageKey = tuple[str, str | None, str | None, datetime | None]


def _page_key(page: RawPage) -> _PageKey:
    """What cleaning reads from a page: the same key, the same article (an aware
    datetime equals the same instant in any timezone)."""
    return page.url, page.body_sha256, page.content_type, page.listed_published_at


class CleanQueue:
    """Pages handed to the cleaning pool in small batches as they come (fetched now, or
    read from the lake by the clean stage), each page's outcome taken back by the page.
    Without a pool (``workers`` 1, or a pool that broke) pages are cleaned when taken,
    in this process. At most CLEAN_IN_FLIGHT batches wait for the pool: a fetch faster
    than cleaning waits for it rather than holding every page in memory."""

    def __init__(self, source: Source, workers: int) -> None:
        self.source = source
        self.workers = workers
        self.pool = clean_pool(workers, reads_language(source.profile)) if workers > 1 \
            else None
        self._batch: list[RawPage] = []
        self._in_flight: deque[Future] = deque()
        self._outcomes: dict[_PageKey, tuple[Future, int]] = {}
        # The pages handed in since the last day ended, and their bodies (by SHA-256),
        # which SourceCleaner.add_day takes rather than read the day back.
        self.handed: list[RawPage] = []
        self.bodies: dict[str, bytes] = {}

    def put(self, page: RawPage) -> None:
        if self.pool is None:
            return
        self.handed.append(page)
        if page.body is not None and page.body_sha256:
            self.bodies[page.body_sha256] = page.body
        self._batch.append(page)
        if len(self._batch) >= CLEAN_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pool is None or not self._batch:
            return
        batch, self._batch = self._batch, []
        while self._in_flight and self._in_flight[0].done():
            self._in_flight.popleft()
        if len(self._in_flight) >= CLEAN_IN_FLIGHT:
            wait([self._in_flight.popleft()])
        try:
            future = self.pool.submit(_clean_batch, batch, self.source)
        except BrokenProcessPool:  # then cleaned here, when taken
            self._broken()
            return
        self._in_flight.append(future)
        for index, page in enumerate(batch):
            self._outcomes[_page_key(page)] = (future, index)

    def take(self, pages: list[RawPage]) -> list[tuple[Future, int] | None]:
        """Each page's pending outcome (None: to be cleaned here); pages not handed in
        yet are handed in now."""
        # The batch still being filled first: its pages were handed in, and without
        # this each day's last few pages (under CLEAN_BATCH) were handed in and cleaned
        # a second time (40 of every 1,000 pages at 100 pages a day).
        self.flush()
        for page in pages:
            if _page_key(page) not in self._outcomes:
                self.put(page)
        self.flush()
        return [self._outcomes.pop(_page_key(page), None) for page in pages]

    def outcome(self, page: RawPage, pending: tuple[Future, int] | None) -> Outcome:
        if pending is not None:
            future, index = pending
            try:
                return future.result()[index]
            except BrokenProcessPool:  # a worker died (a crash in C): clean here instead
                log.warning("clean pool broke; cleaning %s in this process", page.url)
                self._broken()
        return _try_clean(page, self.source)

    def _broken(self) -> None:
        if self.pool is not None:
            _POOLS.pop(self.workers, None)
            self.pool = None


def _clean_batch(pages: list[RawPage], source: Source) -> list[Outcome]:
    return [_try_clean(page, source) for page in pages]


def _try_clean(page: RawPage, source: Source) -> Article | str:
    """The page's article, or why it has none (a crash is caught and named too)."""
    try:
        return clean_html_page(page, source)
    except CleanError as exc:
        return str(exc)
    except Exception as exc:  # one broken page never sinks the day
        log.warning("clean %s crashed", page.url, exc_info=True)
        return f"unexpected {type(exc).__name__}: {exc}"


def _counted(page: RawPage, outcome: Article | str, day: date, counts: CleanCounts,
             errors: list[str]) -> Article | None:
    if isinstance(outcome, str):
        counts.failed += 1
        errors.append(f"{page.url}: {outcome}")
        log.warning("clean %s failed: %s", page.url, outcome)
        return None
    article = outcome
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


_POOLS: dict[int, ProcessPoolExecutor] = {}
_FROZEN: list[int] = []  # pools whose forks share a heap this process froze for them


def clean_pool(workers: int, languages: bool = True) -> ProcessPoolExecutor:
    """A pool of cleaning processes, started on first use and kept for the process's
    life (every day and source of a run share it). Forks of this process when it runs
    no other thread: they start at once with the cleaner's data already loaded here.
    Otherwise (an HTTP server's thread in tests, a scheduler's) forks of a fresh
    forkserver, never of a process whose other threads may hold locks. The processes
    start here, before the threads of a fetch that hands them pages. ``languages``: load
    the language identifier here too (forks share it), for sources read for it."""
    if workers not in _POOLS:
        if threading.active_count() == 1:
            warm_cleaner(languages)
            # The heap as it is now (modules, the cleaner's data) is the forks' too and
            # lives as long as they do: kept out of the collector's scans here and in
            # them, so that no full collection walks it again, writing to (and so
            # copying) every page of it in each process (gc.freeze before fork; one
            # such collection cost a worker 0.2-0.4 s at 1,000 pages).
            gc.freeze()
            _FROZEN.append(workers)
            context = multiprocessing.get_context("fork")
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["newswire.stages.clean"])
        _POOLS[workers] = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                              initializer=warm_cleaner)
        _POOLS[workers].submit(int)  # forks the processes now (see above)
    return _POOLS[workers]


def close_clean_pools() -> None:
    while _POOLS:
        _POOLS.popitem()[1].shutdown()
    if _FROZEN:
        # What was frozen for the forks is collectable again (at exit too: the
        # interpreter's last collections, which extension modules count on, skip
        # frozen objects).
        _FROZEN.clear()
        gc.unfreeze()


def warm_cleaner(languages: bool = False) -> None:
    """Load the cleaner's data files once per worker, before its first page; the
    language identifier (a second of CPU) where asked, else on first use."""
    from newswire.clean import detect_lang
    from newswire.clean.lexicon import lexicon
    from newswire.clean.places import known_places, language_words
    from newswire.clean.profiles import profiles

    lexicon()
    known_places()
    language_words()
    profiles()
    if languages:
        detect_lang("warm the language identifier up with one sentence of text")


atexit.register(close_clean_pools)


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

