"""The stages end to end without a scheduler, against servers on 127.0.0.1 (the lake in a
local directory, and with ``@both_lakes`` also on S3)."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from newswire.catalog import query
from newswire.config import Settings
from newswire.discover import SourceUnreachable
from newswire.quality import QualityGateFailed
from newswire.sample_site.site import load_content
from newswire.stages import run_interval
from newswire.store import Partition

from tests.conftest import FakeClock, both_lakes
from tests.servers import FEED_PATHS

FIRST = date(2017, 12, 4)
LAST = date(2017, 12, 6)


def interval(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    return start, start + timedelta(days=(last - first).days + 1)


def expected_counts(first: date, last: date) -> dict[tuple[str, date], int]:
    counts: Counter = Counter()
    for source, articles in load_content().items():
        for article in articles:
            day = article.published_at.astimezone(UTC).date()
            if first <= day <= last:
                counts[(source, day)] += 1
    return dict(counts)


def lake_counts(settings: Settings, table: str = "articles") -> dict[tuple[str, date], int]:
    _, rows = query(settings.catalog, f"select source, date, count(*) from {table} "
                    "group by all")
    return {(s, d): n for s, d, n in rows}


@both_lakes
def test_sample_days_land_in_the_expected_partitions(settings: Settings) -> None:
    run_interval(settings, *interval(FIRST, LAST), "test-run", nlp=False)
    expected = expected_counts(FIRST, LAST)
    assert expected, "the sample content has articles in these days"
    assert lake_counts(settings) == expected
    assert lake_counts(settings, "raw_pages") == expected
    for (source, day), _ in expected.items():
        path = settings.lake.committed_file(Partition("articles", source, day))
        assert path is not None and path.startswith(
            settings.lake.url("articles", f"source={source}", f"date={day}"))
    assert {(p.source, p.day) for p, _ in settings.lake.partitions("articles")} == set(expected)
    _, rows = query(settings.catalog, "select count(*), count(distinct article_id), "
                    "count(*) filter (where published_at is null), "
                    "count(*) filter (where length(body) < 200), "
                    "count(distinct pipeline_version), min(run_id) from articles")
    total, distinct, undated, short, versions, run_id = rows[0]
    assert total == distinct == sum(expected.values())
    assert undated == 0 and short == 0 and versions == 1
    assert run_id.startswith("test-run__")
    # Every article is in the partition of its own UTC publication day.
    _, rows = query(settings.catalog, "select count(*) from articles "
                    "where cast(published_at at time zone 'UTC' as date) <> date")
    assert rows == [(0,)]


@both_lakes
def test_rerunning_a_day_leaves_identical_rows(settings: Settings) -> None:
    run_interval(settings, *interval(FIRST, FIRST), "first", nlp=False)
    before = {t: lake_counts(settings, t) for t in ("articles", "raw_pages", "fetch_log")}
    _, ids_before = query(settings.catalog, "select article_id, content_hash from articles "
                          "order by 1")
    run_interval(settings, *interval(FIRST, FIRST), "second", nlp=False)
    after = {t: lake_counts(settings, t) for t in ("articles", "raw_pages", "fetch_log")}
    _, ids_after = query(settings.catalog, "select article_id, content_hash from articles "
                         "order by 1")
    assert before == after and ids_before == ids_after
    # The second run found nothing new: conditional GETs answered 304.
    _, statuses = query(settings.catalog, "select distinct status from fetch_log "
                        "where purpose = 'page'")
    assert statuses == [(304,)]
    # Each partition is one data file, whatever the backend.
    lake = settings.lake
    files = [f for f in lake.fs.find(lake.key(lake.url("articles")))
             if f.endswith(".parquet")]
    assert len(files) == len(before["articles"])


def test_source_down_on_rerun_keeps_what_is_stored(settings: Settings, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    run_interval(settings, *interval(FIRST, FIRST), "first", nlp=False)
    before = lake_counts(settings)
    # Nothing listens on this port any more: the whole source is down.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    monkeypatch.setenv("NEWSWIRE_SAMPLE_URL", f"http://127.0.0.1:{dead}")
    # the retries' back-off is recorded, not slept through
    down = dataclasses.replace(Settings.from_env(), clock=FakeClock())
    # A source read nowhere fails the run, naming it and why (not an empty day) ...
    with pytest.raises(SourceUnreachable, match=r"^source sample_aa could not be read: feed "
                       r"http://127\.0\.0\.1:\d+/aa/rss\.xml: .*connection refused"):
        run_interval(down, *interval(FIRST, FIRST), "while-down", nlp=False)
    assert lake_counts(down) == before  # ... and nothing stored is lost


def test_misbehaving_source_day_completes_with_failures_recorded(
        bad_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"""sources:
  - id: bad
    lang: tr
    feeds: ["{bad_server}/feed.xml"]
    politeness: {{min_delay_s: 0, timeout_s: 0.5, max_retries: 1, backoff_s: 0.01,
                  max_retry_after_s: 1.5, max_bytes: 200000}}
""")
    monkeypatch.setenv("NEWSWIRE_SOURCES", str(sources))
    monkeypatch.setenv("NEWSWIRE_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("NEWSWIRE_CATALOG", str(tmp_path / "c.duckdb"))
    settings = dataclasses.replace(Settings.from_env(), clock=FakeClock())
    day = date(2017, 12, 5)
    # The day is stored, then the quality gate fails it, naming the check and numbers.
    with pytest.raises(QualityGateFailed, match=r"fetch_failure_spike: 8 pages of 13 "
                       r"failed to fetch for bad on 2017-12-05 \(62%\)"):
        run_interval(settings, *interval(day, day), "bad-day", nlp=False)
    con = duckdb.connect(str(settings.catalog), read_only=True)
    stored = {r[0].removeprefix(bad_server) for r in
              con.execute("select url from raw_pages").fetchall()}
    assert stored == {"/ok", "/retry-429", "/flaky-503", "/redirect-local", "/cp1254"}
    # A page failed when no attempt for it (redirect hops included) got a whole 200.
    failed = {r[0].removeprefix(bad_server): r[1] for r in con.execute(
        "select url, max(error) from fetch_log where purpose = 'page' group by url "
        "having count(*) filter (where status = 200 and error is null) = 0").fetchall()}
    assert set(failed) == {"/always-503", "/slow", "/truncated", "/oversize",
                           "/oversize-chunked", "/redirect-foreign", "/missing",
                           "/private/secret"}
    assert "oversize" in failed["/oversize"] and "timeout" in failed["/slow"]
    assert "outside allowed_domains" in failed["/redirect-foreign"]
    assert "robots.txt" in failed["/private/secret"]
    titles = {r[0] for r in con.execute("select title from articles").fetchall()}
    assert "Türkçe sayfa: ığüşöç" in titles
    assert con.execute("select count(*) from articles").fetchone()[0] == len(stored)
    con.close()
    assert len(FEED_PATHS) == 13


def _dead_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_reprocess_only_rebuilds_from_the_raw_zone_without_network(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    run_interval(settings, *interval(FIRST, FIRST), "daily", nlp=False)
    before = lake_counts(settings)
    _, log_before = query(settings.catalog, "select count(*), min(run_id) from fetch_log")
    monkeypatch.setenv("NEWSWIRE_SAMPLE_URL", _dead_url())
    offline = Settings.from_env()
    run_interval(offline, *interval(FIRST, FIRST), "again", nlp=False, mode="reprocess_only")
    assert lake_counts(offline) == before
    _, log_after = query(offline.catalog, "select count(*), min(run_id) from fetch_log")
    assert log_after == log_before  # nothing fetched, the log of the daily run stays
    _, runs = query(offline.catalog, "select run_id, mode, fetched, days_from_raw_zone, "
                    "cleaned from runs where source = 'sample_aa' order by run_id")
    assert runs == [("again__2017-12-04", "reprocess_only", 0, 1, 2),
                    ("daily__2017-12-04", "daily", 2, 0, 2)]


def test_backfill_discovers_archive_days_from_sitemaps_and_reuses_stored_days(
        settings: Settings) -> None:
    archive_day = date(2017, 11, 20)  # only in the sitemaps, not in the live feed
    run_interval(settings, *interval(FIRST, FIRST), "daily", nlp=False)
    run_interval(settings, *interval(archive_day, archive_day), "bf1", nlp=False,
                 mode="backfill")
    run_interval(settings, *interval(FIRST, FIRST), "bf1", nlp=False, mode="backfill")
    counts = lake_counts(settings)
    assert counts[("sample_aa", archive_day)] >= 1
    assert counts[("sample_wire", archive_day)] >= 1
    _, rows = query(settings.catalog, "select run_id, mode, discovered, fetched, "
                    "days_from_raw_zone from runs where source = 'sample_aa' order by all")
    by_run = {(r[0], r[1]): r[2:] for r in rows}
    # The archive day was discovered and fetched; the stored day was not touched.
    assert by_run[("bf1__2017-11-20", "backfill")][1] >= 1
    assert by_run[("bf1__2017-12-04", "backfill")] == (0, 0, 1)
    # Twice the same backfill: same rows, one runs row per run.
    run_interval(settings, *interval(archive_day, archive_day), "bf1", nlp=False,
                 mode="backfill")
    assert lake_counts(settings) == counts
    _, n = query(settings.catalog, "select count(*) from runs where run_id = 'bf1__2017-11-20'")
    assert n == [(2,)]  # one per source


def test_host_slots_are_shared_across_processes(tmp_path: Path) -> None:
    """Two processes reserve slots for one host through the slot file: whichever process
    asks, the six slots are 0.25 s apart (each child prints its slots instead of sleeping
    until them)."""
    import subprocess
    import sys

    code = ("import sys, time; sys.path.insert(0, 'include')\n"
            "from pathlib import Path\n"
            "from newswire.clock import Clock\n"
            "from newswire.fetch import HostRateLimiter\n"
            "class NoSleep(Clock):\n"
            "    def time(self):\n"
            "        self.now = time.time()\n"
            "        return self.now\n"
            "    def sleep(self, seconds): pass\n"
            "clock = NoSleep()\n"
            "limiter = HostRateLimiter(clock, state_dir=Path(sys.argv[1]))\n"
            "for _ in range(3):\n"
            "    pause = limiter.wait('news.example', 0.25)\n"
            "    print(clock.now + pause, flush=True)\n")
    from tests.conftest import REPO

    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=REPO,
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    slots = sorted(float(line) for p in procs for line in p.communicate(timeout=60)[0].split())
    assert all(p.returncode == 0 for p in procs) and len(slots) == 6
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    assert min(gaps) >= 0.25 - 1e-5, gaps  # (slot files keep microseconds)


@pytest.mark.parametrize("nlp_first", [False, True], ids=["run_interval", "cli"])
def test_run_forks_the_cleaning_processes_before_the_nlp_pool_starts_a_thread(
        nlp_first: bool) -> None:
    """``run`` starts the cleaning pool before the NLP pool: forks of this process,
    already warm, not a forkserver's fresh processes that import and load the cleaner
    themselves while the first pages wait (starting a process pool starts its manager
    thread). In a fresh interpreter, as the CLI is: the tests' own server threads would
    make any pool a forkserver's. The CLI starts the NLP pool's fork server first of all
    (it loads the models while the run imports and fetches): a process, not a thread, so
    the cleaning pool is still a fork of this process, and the NLP pool is the same one,
    its processes forked from that server when the first shards come."""

    code = ("import os, sys, threading; sys.path.insert(0, 'include')\n"
            "from newswire.config import Settings\n"
            "from newswire.stages.clean import _POOLS\n"
            "from newswire.stages.common import list_sources\n"
            "from newswire.stages.run import start_pools\n"
            "from newswire.stages.shards import ShardRunner\n"
            "settings = Settings.from_env()\n"
            "runner = ShardRunner(settings, 2)\n"
            f"runner.start(['tr']) if {nlp_first} else None\n"
            "early, threads = runner._pool, threading.active_count()\n"
            "start_pools(settings, list_sources(settings, None), runner, nlp=True)\n"
            "print(_POOLS[2]._mp_context.get_start_method(), runner._pool is not None,\n"
            "      threading.active_count() > 1, threads, early in (None, runner._pool),\n"
            "      runner._pool._mp_context.get_start_method(), flush=True)\n"
            "for process in [*runner._pool._processes.values(),\n"
            "                *_POOLS[2]._processes.values()]:\n"
            "    process.kill()\n"
            "os._exit(0)\n")
    assert words_printed_by(code) == ["fork", "True", "True", "1", "True", "forkserver"]


def test_forked_cleaning_processes_start_with_the_warm_heap_frozen() -> None:
    """The cleaning pool's forks share the parent's warm heap; it is frozen before they
    fork (gc.freeze), so no full collection in them or in the parent walks and copies it.
    In a fresh interpreter with no other thread, as the CLI is (see above)."""

    code = ("import gc, sys; sys.path.insert(0, 'include')\n"
            "from newswire.stages.clean import clean_pool, close_clean_pools\n"
            "before = gc.get_freeze_count()\n"
            "pool = clean_pool(2, languages=False)\n"
            "print(before, gc.get_freeze_count() > 10_000, pool._mp_context.get_start_method(),\n"
            "      pool.submit(gc.get_freeze_count).result() > 10_000, flush=True)\n"
            "close_clean_pools()\n")
    assert words_printed_by(code) == ["0", "True", "fork", "True"]


def test_publish_to_a_local_lake_loads_no_fsspec_nor_dataset_and_one_gazetteer() -> None:
    """Publish's fixed cost in the CLI's one process: a local lake's catalog check reads
    footers without fsspec, the staged-order check reads its one file without
    pyarrow.dataset (each a tenth of a second to import), and the gazetteer the cleaner
    parsed is the one the catalog's entity_aliases reads (parsed once). In a fresh
    interpreter: the tests' own imports would hide a module loaded on first use."""

    code = ("import sys, tempfile; sys.path.insert(0, 'include')\n"
            "from datetime import date\n"
            "from pathlib import Path\n"
            "from newswire.catalog import query, refresh_catalog\n"
            "from newswire.clean.places import known_places\n"
            "from newswire.nlp.gazetteer import gazetteer_yaml\n"
            "from newswire.schema import to_table\n"
            "from newswire.stages.common import stage_table\n"
            "from newswire.stages.publish import _sorted_by\n"
            "from newswire.store import Partition, open_store\n"
            "known_places()  # the cleaning pool's warm-up\n"
            "root = Path(tempfile.mkdtemp())\n"
            "rows = to_table('fetch_log', [{'run_id': 'r', 'purpose': 'page', 'url': u}\n"
            "                              for u in ('https://b.example/', 'https://a.example/')])\n"
            "day = date(2018, 1, 1)\n"
            "staged = stage_table(root / 'staging', 'fetch_log', day, rows)\n"
            "in_order = stage_table(root, 'fetch_log', day, rows, 'url')  # sorted by url\n"
            "print(_sorted_by(Path(staged.path), 'url'), _sorted_by(Path(in_order.path), 'url'))\n"
            "lake = open_store(root / 'lake')\n"
            "lake.write_partition(Partition('fetch_log', 'src', day), rows)\n"
            "refresh_catalog(lake, root / 'newswire.duckdb')\n"
            "catalog = root / 'newswire.duckdb'\n"
            "print(query(catalog, 'select count(*) from fetch_log')[1][0][0],\n"
            "      query(catalog, 'select count(*) > 0 from entity_aliases')[1][0][0],\n"
            "      'fsspec' in sys.modules, 'pyarrow.dataset' in sys.modules,\n"
            "      gazetteer_yaml.cache_info().misses, flush=True)\n")
    assert words_printed_by(code) == ["False", "True", "2", "True", "False", "False", "1"]


def words_printed_by(code: str) -> list[str]:
    """What ``code`` prints, word by word, run in a fresh interpreter from the repository
    root (no thread of the tests' servers in it, as in the CLI); it must succeed."""
    import subprocess
    import sys

    from tests.conftest import REPO

    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


def test_sources_not_read_are_named_after_the_others_land(tmp_path: Path) -> None:
    from newswire.stages import Cleaned, SourcesNotRead, check_sources_read

    day = datetime(2017, 12, 4, tzinfo=UTC)
    read = [Cleaned(run_id="r", source=source, start=day, end=day + timedelta(days=1))
            .save(tmp_path / source) for source in ("sample_wire", "sample_aa")]
    assert check_sources_read(["sample_aa", "sample_wire"], read) == ["sample_aa",
                                                                       "sample_wire"]
    with pytest.raises(SourcesNotRead, match=r"^not read: down, gone \(discover, fetch or "
                                             r"clean failed: see those tasks' logs\); "
                                             r"published: sample_aa, sample_wire$"):
        check_sources_read(["gone", "sample_aa", "down", "sample_wire"], read)
    with pytest.raises(SourcesNotRead, match=r"not read: down .*; published: none$"):
        check_sources_read(["down"], [])


def test_cleaning_in_a_pool_stages_the_articles_of_one_process(settings: Settings) -> None:
    """``clean_source(workers=2)`` (a process pool; this process runs server threads, so
    the pool's workers come from a forkserver) stages the same articles, in the same
    order, as cleaning here."""
    import pyarrow.parquet as pq
    from newswire.stages import StageManifest, clean_source, discover_source, fetch_source
    from newswire.stages.clean import close_clean_pools

    start, end = interval(FIRST, LAST)
    fetched = fetch_source(settings, discover_source(settings, "sample_aa", start, end,
                                                     "pool-run", "daily"))
    staged = {}
    try:
        for workers in (1, 2):
            manifest = StageManifest.load(clean_source(settings, fetched, workers=workers))
            assert manifest.counts.cleaned > 0 and manifest.counts.failed == 0
            staged[workers] = [pq.read_table(f.path).to_pylist() for f in manifest.files
                               if f.table in ("articles", "template_stats")]
    finally:
        close_clean_pools()
    assert staged[1] == staged[2] and any(staged[1])


def _staged(manifest: object, tables: tuple[str, ...]) -> dict[str, list]:
    """The manifest's staged rows per table, without what differs between two runs (the
    run id, the time of a request)."""
    import pyarrow.parquet as pq

    found: dict[str, list] = {}
    for staged in manifest.files:  # type: ignore[attr-defined]
        if staged.table in tables:
            rows = pq.read_table(staged.path).to_pylist()
            found.setdefault(staged.table, []).append(
                [{k: v for k, v in row.items() if k not in ("run_id", "fetched_at")}
                 for row in rows])
    return found


def test_fetch_and_clean_overlapped_stages_what_the_two_stages_stage(settings: Settings
                                                                     ) -> None:
    """``fetch_and_clean`` (pages cleaned in a pool of two while later ones are fetched,
    as ``run`` does) stages the same raw pages, articles and template statistics, with
    the same counts and errors, as ``fetch_source`` then ``clean_source`` here."""
    from newswire.stages import (
        StageManifest,
        clean_source,
        discover_source,
        fetch_and_clean,
        fetch_source,
    )
    from newswire.stages.clean import close_clean_pools

    start, end = interval(FIRST, LAST)
    tables = ("raw_pages", "articles", "template_stats")
    one = clean_source(settings, fetch_source(settings, discover_source(
        settings, "sample_aa", start, end, "one-by-one", "daily")))
    try:
        fetched, cleaned = fetch_and_clean(settings, discover_source(
            settings, "sample_aa", start, end, "overlapped", "daily"), workers=2)
    finally:
        close_clean_pools()
    first, second = StageManifest.load(one), StageManifest.load(cleaned)
    assert second.counts == first.counts and second.counts.cleaned > 0
    assert second.errors == first.errors
    assert StageManifest.load(fetched).counts.fetched == second.counts.cleaned
    assert _staged(second, tables) == _staged(first, tables)
    assert set(_staged(second, tables)) == set(tables)


def test_the_cleaning_queue_hands_each_page_to_the_pool_once() -> None:
    """Pages handed in as they are fetched, then taken for their day: a day whose pages
    are not a multiple of the batch size still sends each page once (the last, partly
    filled batch is sent as it is, not filled again with its own pages)."""
    from concurrent.futures import Future

    from newswire.schema import RawPage
    from newswire.sources import Source
    from newswire.stages.clean import CLEAN_BATCH, CleanQueue

    sent: list[str] = []

    class Pool:  # records what would be cleaned; every outcome "failed"
        def submit(self, fn: object, batch: list[RawPage], source: Source) -> Future:
            sent.extend(page.url for page in batch)
            future: Future = Future()
            future.set_result([f"no article: {page.url}" for page in batch])
            return future

    def page(n: int) -> RawPage:
        return RawPage(url=f"https://example.org/{n}", final_url=None, article_id=str(n),
                       fetched_at=datetime(2024, 1, 1, tzinfo=UTC), status=200,
                       content_type="text/html", etag=None, last_modified=None,
                       found_via="sitemap", listed_in="", listed_published_at=None,
                       listed_title=None, body=b"<p>x</p>", body_sha256=f"sha{n}", bytes=8,
                       run_id="r")

    queue = CleanQueue(Source(id="x", lang="tr", profile="aa",
                          feeds=["https://example.org/rss"]), 1)
    queue.pool = Pool()  # type: ignore[assignment]
    pages = [page(n) for n in range(CLEAN_BATCH * 2 + 3)]
    for one in pages:
        queue.put(one)
    pending = queue.take(pages)
    assert sorted(sent) == sorted(p.url for p in pages)  # each page once
    assert [queue.outcome(p, w) for p, w in zip(pages, pending, strict=True)] == \
        [f"no article: {p.url}" for p in pages]


def test_fresh_raw_pages_are_published_as_staged_and_a_rerun_merges(settings: Settings
                                                                    ) -> None:
    """A day with no stored raw pages takes the staged file as it is (sorted by page id,
    as a merged partition is); a rerun that fetches every page again merges into what
    is stored: the same pages, once each."""
    import os

    from newswire.stages import StageManifest, discover_source, fetch_source, publish

    start, end = interval(FIRST, LAST)

    def fetch_and_publish(run_id: str, mode: str) -> dict:
        fetched = fetch_source(settings, discover_source(settings, "sample_aa", start, end,
                                                         run_id, mode),
                               refetch=mode == "refetch")
        publish(settings, [fetched])
        return {d: f for d, f in StageManifest.load(fetched).staged("raw_pages").items()
                if f.rows}

    first = fetch_and_publish("first", "daily")
    assert first
    stored = {}
    for day, staged in first.items():
        partition = Partition("raw_pages", "sample_aa", day)
        committed = settings.lake.committed_file(partition)
        assert committed and os.path.samefile(committed, staged.path)
        ids = settings.lake.read_partition(partition, columns=["article_id"])[
            "article_id"].to_pylist()
        assert ids == sorted(set(ids)) and len(ids) == staged.rows
        stored[day] = ids
    again = fetch_and_publish("again", "refetch")
    assert set(again) == set(first)
    for day, staged in again.items():
        partition = Partition("raw_pages", "sample_aa", day)
        committed = settings.lake.committed_file(partition)
        assert committed and not os.path.samefile(committed, staged.path)  # merged
        ids = settings.lake.read_partition(partition, columns=["article_id"])[
            "article_id"].to_pylist()
        assert ids == stored[day]
