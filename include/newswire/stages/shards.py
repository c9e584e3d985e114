"""Sharded annotate: the NLP stage cut into pieces that run side by side.

    plan_shards (per cleaned manifest) -> annotate_shard (per shard) -> gather_shards

A day's articles are cut, in their staged order, into as few shards as keep each under
about ``settings.shard_chars`` characters of body, cut evenly. Each shard is annotated on
its own, by a mapped DAG task (so the executor spreads them over every core and worker) or by a
process of :class:`ShardRunner`'s pool (the CLI), with ``settings.torch_threads`` torch
threads: stanza's small LSTMs barely use a second thread, a second process doubles the
work done. ``gather_shards`` puts a source's shards back together, in order, into the
same staged files and ``annotate`` manifest :func:`annotate_source` writes unsharded, so
``publish`` and the recorded run cannot tell the two apart.

Shards, like manifests, travel as paths: a shard is a small JSON file naming a slice
(offset, length) of a staged articles file.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from newswire.config import Settings
from newswire.nlp.forkserver import nlp_context
from newswire.stages.annotate import annotate_articles, models_for, read_articles
from newswire.stages.common import (
    AnnotateCounts,
    Annotated,
    Cleaned,
    StagedFile,
    StageManifest,
    load_record,
    load_source,
    run_dir,
    save_record,
    stage_table,
)

log = logging.getLogger("newswire")

# How many shards :class:`ShardRunner`'s pool cuts a day into per process (a multiple:
# see :func:`cut_by_chars`). More, smaller shards even out the processes' finishing
# times; each costs a read of the day's articles and six small Parquet files.
SHARDS_PER_WORKER = 8


@dataclass(kw_only=True)
class Shard:
    """Rows ``[offset, offset + length)`` of one day's staged articles of a source.
    A day without articles still has one (empty) shard, so its NLP partitions are
    rewritten empty as the unsharded stage does; a source with no day staged at all has
    one with ``day`` None, so it still gets its ``annotate`` manifest."""

    cleaned: str  # the Cleaned manifest the articles come from
    index: int  # the shard's place among its source's shards (the order to gather in)
    day: date | None
    articles: str | None  # the staged articles file
    offset: int = 0
    length: int = 0
    chars: int = 0
    # The source's language, read when planning: a shard's process then never loads the
    # sources file, whose validation of site profiles imports the whole cleaner (~0.4 s
    # CPU and tens of MB per NLP process). None in shards planned before it was recorded.
    lang: str | None = None

    @property
    def folder(self) -> Path:
        return Path(self.cleaned).parent / "shards" / f"{self.index:04d}"

    def save(self) -> str:
        return save_record(self, self.folder / "shard.json")

    @staticmethod
    def load(path: str | Path) -> Shard:
        return load_record(Shard, path)


def cut_by_chars(lengths: Iterable[int], limit: int, multiple_of: int = 1
                 ) -> list[tuple[int, int, int]]:
    """Consecutive runs of items, as (offset, length, chars): as few runs as keep each
    under about ``limit`` characters, their number rounded up to a multiple of
    ``multiple_of`` (the processes that will take them), cut evenly: a day of 461k
    characters with a limit of 120k gives four runs of ~115k, not three of 120k and one
    of 101k, so two processes finish together. An article longer than a run is a run of
    its own; articles are never split."""
    lengths = list(lengths)
    total = sum(lengths)
    if total == 0:
        return [(0, len(lengths), 0)] if lengths else []
    runs_wanted = -(-total // max(1, limit))  # ceil(total / limit)
    multiple_of = max(1, multiple_of)
    step = total / (-(-runs_wanted // multiple_of) * multiple_of)
    runs: list[tuple[int, int, int]] = []
    start = chars = done = 0
    boundary = step
    for count, length in enumerate(lengths, 1):
        chars += length
        done += length
        if done >= boundary:
            runs.append((start, count - start, chars))
            start, chars = count, 0
            boundary = (done // step + 1) * step
    if len(lengths) > start:
        runs.append((start, len(lengths) - start, chars))
    return runs


def halve_last(runs: list[tuple[int, int, int]], lengths: list[int], count: int
               ) -> list[tuple[int, int, int]]:
    """``runs`` with the last ``count`` of them each cut in two (as evenly as whole
    articles allow): handed out longest first, the small ones come last and the
    processes finish closer together than a full shard apart."""
    if count <= 0:
        return runs
    kept, last = runs[:-count], runs[-count:]
    for offset, length, chars in last:
        halves = cut_by_chars(lengths[offset:offset + length], -(-chars // 2) or 1)
        kept += [(offset + start, size, part) for start, size, part in halves] or [
            (offset, length, chars)]
    return kept


def cut_tail(runs: list[tuple[int, int, int]], lengths: list[int], processes: int
             ) -> list[tuple[int, int, int]]:
    """``runs`` with a day's end cut finer for ``processes`` processes taking them
    longest first: the last ``2 * processes`` runs in halves, then the last
    ``processes`` of those halves in halves again. A shard's cost varies ~10% around
    what its characters say (measured per shard on the bench day: tokens or words say
    no better), so the processes drift apart by a few seconds over a day; small
    pieces at the end take that up, and the last one to finish leaves the other idle
    for about half a quarter of a shard instead of half a half (simulated over the
    measured spread: 1.2 -> 0.5 s idle on the 500-article bench day, for 4 shards more
    at ~60 ms each)."""
    if processes <= 0:
        return runs
    return halve_last(halve_last(runs, lengths, 2 * processes), lengths, processes)


def plan_shards(settings: Settings, cleaned_manifest: str, multiple_of: int = 1,
                tail_processes: int = 0) -> list[str]:
    """Cut the articles a :class:`Cleaned` manifest staged into shards (a day's number of
    them a multiple of ``multiple_of``: the processes that take them; a day's end cut
    finer for ``tail_processes`` processes, see :func:`cut_tail`); their paths."""
    cleaned = StageManifest.load(cleaned_manifest)
    assert isinstance(cleaned, Cleaned), cleaned_manifest
    lang = load_source(settings, cleaned.source).lang
    shards: list[Shard] = []
    for day, staged in sorted(cleaned.staged("articles").items()):
        bodies = pq.read_table(staged.path, columns=["body"]).column("body")
        lengths = pc.fill_null(pc.utf8_length(bodies), 0).to_pylist()
        runs = cut_tail(cut_by_chars(lengths, settings.shard_chars, multiple_of),
                        lengths, tail_processes) or [(0, 0, 0)]
        shards += [Shard(cleaned=cleaned_manifest, index=len(shards) + n, day=day,
                         articles=staged.path, offset=offset, length=length, chars=chars,
                         lang=lang)
                   for n, (offset, length, chars) in enumerate(runs)]
    if not shards:
        shards.append(Shard(cleaned=cleaned_manifest, index=0, day=None, articles=None,
                            lang=lang))
    log.info("annotate %s: %d shard(s) of <= ~%d chars", cleaned.source, len(shards),
             settings.shard_chars)
    return [shard.save() for shard in shards]


def annotate_shard(settings: Settings, shard_path: str, batch_size: int = 16) -> str:
    """Annotate one shard and stage its NLP tables beside it. Returns the path of the
    shard's :class:`Annotated` manifest (gathered by :func:`gather_shards`). Running it
    again rewrites the same files: a failed shard is retried alone."""
    started = time.monotonic()
    shard = Shard.load(shard_path)
    cleaned = StageManifest.load(shard.cleaned)
    lang = shard.lang or load_source(settings, cleaned.source).lang
    spec, errors = models_for(cleaned.source, lang)
    counts = AnnotateCounts()
    files: list[StagedFile] = []
    if spec and shard.day is not None and shard.articles:
        articles = read_articles(shard.articles).slice(shard.offset, shard.length)
        counts.articles, rows = annotate_articles(articles, lang, spec,
                                                  cleaned.run_id, shard.day, batch_size)
        for table, data in rows.tables().items():
            files.append(stage_table(shard.folder, table, shard.day, data))
            counts.rows[table] = data.num_rows
    manifest = Annotated(run_id=cleaned.run_id, source=cleaned.source, start=cleaned.start,
                         end=cleaned.end, mode=cleaned.mode, counts=counts, errors=errors,
                         files=files, model=spec.identity if spec else None,
                         seconds=round(time.monotonic() - started, 3))
    return manifest.save(shard.folder)


def gather_shards(settings: Settings, shard_manifests: list[str]) -> list[str]:
    """Each source's annotated shards as one :class:`Annotated` manifest with one staged
    file per NLP table and day (rows in the shards' order), as the unsharded stage
    writes. Returns the manifests' paths, for ``publish``."""
    return _gather_read(settings, {path: read_shard(path) for path in shard_manifests})


# An annotated shard's manifest and its staged tables, read: (table, day, rows) per file.
ReadShard = tuple[Annotated, list[tuple[str, date, pa.Table]]]


def read_shard(shard_manifest: str) -> ReadShard:
    """What :func:`gather_shards` reads of one annotated shard. :class:`ShardRunner`
    reads each shard as soon as it is done, while the others still run, so gathering at
    the end only concatenates and writes."""
    shard = StageManifest.load(shard_manifest)
    assert isinstance(shard, Annotated), shard_manifest
    return shard, [(f.table, f.day, pq.read_table(f.path)) for f in shard.files]


def _gather_read(settings: Settings, read: dict[str, ReadShard]) -> list[str]:
    """:func:`gather_shards` over shards already read (manifest path -> its tables)."""
    by_run: dict[tuple[str, str], list[ReadShard]] = {}
    for path in sorted(read):  # shards/0000, shards/0001, ...: article order
        shard = read[path]
        by_run.setdefault((shard[0].run_id, shard[0].source), []).append(shard)
    return [_gather(settings, shards) for shards in by_run.values()]


def _gather(settings: Settings, read: list[ReadShard]) -> str:
    shards = [shard for shard, _ in read]
    first = shards[0]
    out = run_dir(settings, first.run_id, first.source)
    counts = AnnotateCounts()
    parts: dict[tuple[str, date], list[pa.Table]] = {}
    for shard, tables in read:
        counts.articles += shard.counts.articles
        for table, day, data in tables:
            parts.setdefault((table, day), []).append(data)
    files = []
    for (table, day), tables in parts.items():
        data = pa.concat_tables(tables)
        files.append(stage_table(out, table, day, data))
        counts.rows[table] = counts.rows.get(table, 0) + data.num_rows
    errors = list(dict.fromkeys(e for s in shards for e in s.errors))
    manifest = Annotated(run_id=first.run_id, source=first.source, start=first.start,
                         end=first.end, mode=first.mode, counts=counts, errors=errors,
                         files=files, model=next((s.model for s in shards if s.model), None),
                         seconds=round(sum(s.seconds for s in shards), 3))
    log.info("annotate %s with %s: %s (%d shards)", first.source, manifest.model, counts,
             len(shards))
    return manifest.save(out)


# -- running shards ----------------------------------------------------------------------
def _attempt(settings: Settings, shard: str) -> tuple[str | None, Exception | None]:
    """:func:`annotate_shard`, its failure returned rather than raised (the runner
    retries that shard alone; a pool process that dies still breaks the pool)."""
    try:
        return annotate_shard(settings, shard), None
    except Exception as exc:  # any shard failure: retried once
        return None, exc


def _shard_chars(path: str) -> int:
    return Shard.load(path).chars


def use_torch_threads(threads: int) -> None:
    """Intra-op threads for this process's stanza (one process per core does more work
    than one process with a thread per core)."""
    import torch

    torch.set_num_threads(threads)


def preload_models(langs: Iterable[str] | None = None, threads: int = 1) -> dict[str, float]:
    """Load the stanza models of ``langs`` (default: every language with models) into
    this process's cache, with ``threads`` torch threads set first; seconds per language.

    Called by a process that forks the processes doing the work (a pool's initializer, or
    an Airflow scheduler or Celery worker before it forks task processes), so each of them
    starts with the models in memory. The thread count is set before any torch work so
    the parent never starts an OpenMP thread team a forked child would inherit broken."""
    from newswire.nlp.models import PROCESSORS, ModelNotFound, find_models, load_pipeline

    use_torch_threads(threads)
    seconds: dict[str, float] = {}
    for lang in PROCESSORS if langs is None else langs:
        started = time.monotonic()
        try:
            load_pipeline(find_models(lang))
        except ModelNotFound:
            continue  # a shard records the skip, or fails saying what to do
        seconds[lang] = round(time.monotonic() - started, 3)
    return seconds


def _start_worker(langs: Iterable[str] | None, threads: int) -> None:
    """A pool process's start: the models, and a quick exit when the pool closes."""
    preload_models(langs, threads)
    atexit.register(exit_without_teardown)  # runs first: atexit handlers run last-in, first-out


def exit_without_teardown() -> None:
    """Leave without tearing the interpreter down. With torch and stanza loaded that
    takes seconds of CPU (measured ~3 s on a busy 2-core box), which the pool's owner
    waits for when it closes; a pool process has handed every result back by then."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class _Background:
    """A function run in a thread of its own, started now; :meth:`join` waits for it and
    raises what it raised."""

    def __init__(self, function: Callable[[], None]) -> None:
        self._function = function
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="newswire-shards")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._function()
        except BaseException as exc:  # handed to whoever joins
            self._failure = exc

    def wait(self) -> None:
        self._thread.join()

    def join(self) -> None:
        self._thread.join()
        if self._failure is not None:
            raise self._failure


class ShardRunner:
    """Runs :func:`annotate_shard` over shards: in this process (``workers`` 1), or in a
    pool of ``workers`` processes started on first use and kept for the runner's life
    (several days of a run share it), each loading the models once.

    The pool takes a day in :data:`SHARDS_PER_WORKER` shards per process, handed out
    longest first as processes free up: a shard takes a few seconds, so both processes
    stay busy to the end whatever one shard costs against another (the DAG's shards are
    fewer and larger: each of its tasks has a start-up cost a pool process has not)."""

    def __init__(self, settings: Settings, workers: int = 1) -> None:
        self.settings = settings
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._handing: _Background | None = None  # the latest submit()'s hand-out thread

    def __enter__(self) -> ShardRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def annotate(self, cleaned_manifests: list[str]) -> list[str]:
        """Plan, annotate and gather the NLP stage of these cleaned manifests; the
        ``annotate`` manifests, for ``publish``."""
        return self.submit(cleaned_manifests)()

    def submit(self, cleaned_manifests: list[str]) -> Callable[[], list[str]]:
        """Plan the shards and hand them to the pool; returns the function that waits
        for them and gathers (the ``annotate`` manifests). It returns without waiting
        for the pool's processes (see below): the caller does other work in between
        (publishing the articles) while the models load and the pool annotates. With
        one worker nothing runs before that function is called."""
        per_day = self.workers * (SHARDS_PER_WORKER if self.workers > 1 else 1)
        tail = self.workers if self.workers > 1 else 0  # a day's end: see cut_tail
        shards = [s for path in cleaned_manifests
                  for s in plan_shards(self.settings, path, per_day, tail)]
        if self.workers == 1:
            return lambda: gather_shards(self.settings, [
                self._retried(shard, exc) if exc else done
                for shard in shards for done, exc in [_attempt(self.settings, shard)]])
        # Longest first: the short shards fill in at the end, so no worker idles while
        # another finishes a long one (gather_shards restores the order).
        langs = self._langs(cleaned_manifests)
        ordered = sorted(shards, key=_shard_chars, reverse=True)
        futures: dict[Future[tuple[str | None, Exception | None]], str] = {}
        earlier = self._handing

        def hand_out() -> None:
            if earlier is not None:  # one thread at a time submits, in submit()'s order
                earlier.wait()  # (its failure is its own submit()'s to report)
            pool = self._pool_for(langs)
            for shard in ordered:
                futures[pool.submit(_attempt, self.settings, shard)] = shard

        # Handed to the pool from a thread: the pool's first submit starts its processes,
        # forks of the fork server, which answers only once it has loaded the models
        # (seconds after this process is done fetching and cleaning its first day). This
        # process publishes the day's articles meanwhile. The thread ends once the
        # shards are handed out and gather() waits for it, so no thread of ours is left
        # when the next day runs (the cleaning pool forks this process only while it
        # runs no other thread: see clean_pool).
        handing = _Background(hand_out)
        self._handing = handing

        def gather() -> list[str]:
            handing.join()
            # Each shard read as it finishes, while the pool runs the others (the last
            # ones leave a core idle): what is left at the end is concatenating.
            read: dict[str, ReadShard] = {}
            for future in as_completed(futures):
                done, exc = future.result()
                path = self._retried(futures[future], exc) if exc else done
                read[path] = read_shard(path)
            return _gather_read(self.settings, read)
        return gather

    def _retried(self, shard: str, exc: BaseException) -> str:
        """A shard that failed, run once more on its own (its rows are rewritten
        whole); a second failure fails the stage."""
        log.warning("annotate shard %s failed (%s: %s); retrying it alone", shard,
                    type(exc).__name__, exc)
        if self._pool is None:
            return annotate_shard(self.settings, shard)
        return self._pool.submit(annotate_shard, self.settings, shard).result()

    def start(self, langs: Iterable[str]) -> None:
        """Start loading the models of ``langs`` now, while the caller does other work
        (imports, fetch and clean); no-op with one worker or once started.

        Only the pool's fork server starts here (a process, not a thread: this process
        may still fork others afterwards, as the cleaning pool does while it runs no other
        thread); it loads the models once, and the pool's processes are forked from it,
        models loaded, when the first shards are handed out."""
        if self.workers > 1 and self._pool is None:
            self._pool_for(tuple(sorted(set(langs))))

    def _langs(self, cleaned_manifests: list[str]) -> tuple[str, ...]:
        return tuple(sorted({load_source(self.settings, StageManifest.load(p).source).lang
                             for p in cleaned_manifests}))

    def _pool_for(self, langs: tuple[str, ...]) -> ProcessPoolExecutor:
        with self._pool_lock:  # start() in this thread, submit()'s hand-out in another
            if self._pool is None:
                self._pool = self._new_pool(langs)
            return self._pool

    def _new_pool(self, langs: tuple[str, ...]) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=nlp_context(langs, self.settings.torch_threads),
            initializer=_start_worker, initargs=(langs, self.settings.torch_threads))

    def close(self) -> None:
        if self._handing is not None:  # shards still being handed out: let it finish
            self._handing.wait()
            self._handing = None
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
