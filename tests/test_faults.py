"""Faults: a publish killed with SIGKILL, two runs of the same day at once, a source down
for a whole day, a full disk on publish.

The crash test takes the lake as a location string so that it can be parametrised with
an ``s3://`` lake later; today it runs on the local lake only.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from newswire.catalog import query
from newswire.config import Settings
from newswire.discover import SourceUnreachable
from newswire.schema import to_table
from newswire.stages import run_interval
from newswire.store import LakeError, Partition, open_store

from tests.conftest import REPO
from tests.servers import refused_url

DAY = date(2017, 12, 4)
NEXT_DAY = date(2017, 12, 5)


def interval(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def use_lake(monkeypatch: pytest.MonkeyPatch, root: Path, sample_url: str,
             sources: Path | None = None) -> Settings:
    monkeypatch.setenv("NEWSWIRE_SAMPLE_URL", sample_url)
    monkeypatch.setenv("NEWSWIRE_LAKE", str(root / "lake"))
    monkeypatch.setenv("NEWSWIRE_CATALOG", str(root / "newswire.duckdb"))
    monkeypatch.setenv("NEWSWIRE_SOURCES", str(sources or REPO / "include" / "sources.yaml"))
    monkeypatch.delenv("NEWSWIRE_STAGING", raising=False)
    return Settings.from_env()


def rows_of(table: pa.Table, ignore: tuple[str, ...] = ()) -> list[dict]:
    keep = [c for c in table.column_names if c not in ignore]
    return sorted(table.select(keep).to_pylist(), key=repr)


# --------------------------------------------------------------------------- crash safety

# Publishes one partition over and over through the lake's two publish paths (a written
# partition, and a staged file moved in), alternating two known versions, until killed.
# With "pause" it stops in the middle of its second write instead, the new version
# complete on disk beside the old one but not yet renamed over it, and says so: the
# parent kills it there, so some kills are known to land mid-write.
PUBLISHER = """
import os, shutil, sys, time
from datetime import date
from pathlib import Path
import pyarrow.parquet as pq
sys.path.insert(0, sys.argv[1])
from newswire.store import Partition, open_store
lake, table, source, day = sys.argv[2], sys.argv[3], sys.argv[4], date.fromisoformat(sys.argv[5])
versions = [pq.read_table(path) for path in sys.argv[6:8]]
staging = Path(sys.argv[8])
pause = sys.argv[9] == "pause"

def paused_replace(src, dst):
    print("mid-write", flush=True)
    time.sleep(600)

n = 0
while True:
    version = versions[n % 2]
    if n % 4 < 2:
        open_store(lake).write_partition(Partition(table, source, day), version)
    else:
        staged = staging / f"staged-{n}.parquet"
        shutil.copyfile(sys.argv[6 + n % 2], staged)
        open_store(lake).publish_file(Partition(table, source, day), staged)
    if n == 0:
        print("ready", flush=True)
        if pause:
            os.replace = paused_replace
    n += 1
"""


@pytest.fixture(params=["local"])
def lake_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where the crash test's lake lives, as NEWSWIRE_LAKE would say it. An ``s3`` param
    (moto server, ``s3://bucket/lake``) can join once that backend is in."""
    yield str(tmp_path / "lake")


def visible_files(lake: str, table: str) -> list[str]:
    """What a reader's glob sees: every Parquet file of the table."""
    found = [path for _, path in open_store(lake).partitions(table)]
    if "://" not in lake:
        globbed = sorted(str(p) for p in Path(lake, table).glob("source=*/date=*/*.parquet"))
        assert globbed == sorted(found)
    return found


def test_kill_9_while_publishing_leaves_one_complete_version_and_the_rerun_completes(
        lake_location: str, tmp_path: Path, sample_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = use_lake(monkeypatch, tmp_path, sample_url)
    assert str(settings.lake) == str(Path(lake_location).resolve())
    run_interval(settings, *interval(DAY), "before", ["sample_aa"], nlp=False)
    first = open_store(lake_location).read_partition(Partition("articles", "sample_aa", DAY))
    assert first.num_rows >= 2
    # Version A: the day as the pipeline published it; version B: the same articles
    # many times over with other titles (large enough for kills to land mid-write).
    big = pa.concat_tables([first] * 400)
    big = big.set_column(big.column_names.index("title"), "title",
                         pa.array([f"B {i}" for i in range(big.num_rows)]))
    versions = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    pq.write_table(first, versions[0])
    pq.write_table(big, versions[1])
    expected = [rows_of(first), rows_of(big)]
    staging = Path(settings.staging)  # the same filesystem as the lake, as in a run
    staging.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    seen = set()
    paused_kills = 0
    for kill in range(1, 13):
        # Every third child is killed where it pauses mid-write; the others at a random
        # moment of their loop.
        pause = kill % 3 == 0
        child = subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(REPO / "include"), lake_location,
             "articles", "sample_aa", DAY.isoformat(), *map(str, versions), str(staging),
             "pause" if pause else "run"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline() == "ready\n", \
            child.stderr.read() if child.stderr else ""
        if pause:
            assert child.stdout.readline() == "mid-write\n"
            # The new version is whole in its temp file, not yet renamed over the partition.
            pending = max(Path(lake_location).rglob(".*.tmp"), key=lambda p: p.stat().st_mtime)
            assert rows_of(pq.read_table(pending)) == expected[1]
            paused_kills += 1
        else:
            time.sleep(rng.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
        assert child.returncode == -signal.SIGKILL
        got = rows_of(open_store(lake_location).read_partition(
            Partition("articles", "sample_aa", DAY)))
        assert got in expected, f"kill {kill}: a partition that is neither version"
        seen.add(expected.index(got))
        files = visible_files(lake_location, "articles")
        assert len(files) == 1 and files[0].endswith("data.parquet")
        with duckdb.connect() as con:  # an analyst's glob over the table
            n = con.execute("select count(*) from read_parquet(?, hive_partitioning = true)",
                            [str(Path(lake_location, "articles", "*", "*", "*.parquet"))]
                            ).fetchone()[0]
        assert n in (first.num_rows, big.num_rows)
    # A kill mid-write leaves the new version's complete temp file beside the partition
    # (never visible to the globs above; the lake's maintenance sweeps it): at least
    # one per paused kill, so those kills did land between writing and renaming.
    leftovers = list(Path(lake_location).rglob(".*.tmp")) if "://" not in lake_location else []
    assert paused_kills == 4 and len(leftovers) >= paused_kills
    print(f"versions seen {sorted(seen)}; {len(leftovers)} writes killed mid-way")
    # The rerun of the day completes and publishes the pipeline's own version again.
    run_interval(settings, *interval(DAY), "after-crash", ["sample_aa"], nlp=False)
    again = open_store(lake_location).read_partition(Partition("articles", "sample_aa", DAY))
    assert rows_of(again, ("run_id",)) == rows_of(first, ("run_id",))
    assert set(again.column("run_id").to_pylist()) == {f"after-crash__{DAY}"}


# --------------------------------------------------------------------------- concurrency


def newswire_cli(*args: str, root: Path, sample_url: str) -> subprocess.Popen:
    env = {**os.environ, "NEWSWIRE_LAKE": str(root / "lake"),
           "NEWSWIRE_CATALOG": str(root / "newswire.duckdb"),
           "NEWSWIRE_SAMPLE_URL": sample_url, "PYTHONPATH": str(REPO / "include")}
    env.pop("NEWSWIRE_SOURCES", None)
    env.pop("NEWSWIRE_STAGING", None)
    return subprocess.Popen([sys.executable, "-m", "newswire", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lake_rows(root: Path, table: str, ignore: tuple[str, ...]) -> dict[str, list[dict]]:
    return {source: rows_of(open_store(root / "lake").read_partition(
                Partition(table, source, DAY)), ignore)
            for source in ("sample_aa", "sample_wire")}


@pytest.fixture(scope="module")
def concurrent_runs(tmp_path_factory: pytest.TempPathFactory, sample_url: str
                    ) -> tuple[Path, Path]:
    """A day run once alone (the reference), and twice at once in another lake: a
    scheduled run and a backfill of the same day, as two processes."""
    root = tmp_path_factory.mktemp("concurrent")
    day = ["--from", DAY.isoformat(), "--no-nlp", "--quiet"]
    reference = newswire_cli("run", *day, "--run-id", "single", root=root / "single",
                             sample_url=sample_url)
    _, err = reference.communicate(timeout=300)
    assert reference.returncode == 0, err
    both = root / "both"
    runs = [newswire_cli("run", *day, "--run-id", "scheduled", root=both,
                         sample_url=sample_url),
            newswire_cli("run", *day, "--mode", "backfill", "--run-id", "backfill", root=both,
                         sample_url=sample_url)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    return root / "single", both


def test_two_runs_of_the_same_day_at_once_leave_one_consistent_partition(
        concurrent_runs: tuple[Path, Path]) -> None:
    single, both = concurrent_runs
    volatile = ("run_id", "fetched_at", "elapsed_ms", "recorded_at", "seconds")
    for table, key in (("articles", "article_id"), ("raw_pages", "article_id")):
        got = lake_rows(both, table, volatile)
        for source, rows in got.items():
            keys = [r[key] for r in rows]
            assert len(keys) == len(set(keys)), f"{table}/{source}: duplicate rows"
        assert got == lake_rows(single, table, volatile), table
    # fetch_log holds one run's requests, never a mix of both runs' logs.
    for source in ("sample_aa", "sample_wire"):
        log = open_store(both / "lake").read_partition(Partition("fetch_log", source, DAY))
        alone = open_store(single / "lake").read_partition(Partition("fetch_log", source, DAY))
        assert len(set(log.column("run_id").to_pylist())) == 1
        assert log.num_rows == alone.num_rows


# Records one run's row in `runs` the way publish does, with the window between reading
# the day's partition and writing it back widened to a second: what a slow disk or a busy
# worker does to two runs that publish at the same moment.
RECORDER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from newswire.config import Settings
from newswire.stages import record_run
from newswire.store import LocalStore
read = LocalStore.read_partition

def slow_read(store, partition, *args, **kwargs):
    rows = read(store, partition, *args, **kwargs)
    if partition.table == "runs":
        time.sleep(1.0)
    return rows

LocalStore.read_partition = slow_read
record_run(Settings.from_env(), sys.argv[2])
"""


def test_two_runs_recorded_at_once_each_keep_their_runs_row(
        tmp_path: Path, sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each run reads the day's `runs` partition, adds its row and writes it back; the
    read is slowed down so that, without the partition lock, the later write would drop
    the other run's row (it did: ['backfill'] only)."""
    from newswire.stages.common import CleanCounts, Cleaned

    settings = use_lake(monkeypatch, tmp_path, sample_url)
    start, end = interval(DAY)
    manifests = [Cleaned(run_id=run, source="s", start=start, end=end,
                         counts=CleanCounts(cleaned=1)).save(Path(settings.staging) / run / "s")
                 for run in ("scheduled", "backfill")]
    children = [subprocess.Popen([sys.executable, "-c", RECORDER, str(REPO / "include"), m],
                                 stderr=subprocess.PIPE, text=True) for m in manifests]
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    ids = settings.lake.read_partition(Partition("runs", "s", DAY)).column("run_id").to_pylist()
    assert sorted(ids) == ["backfill", "scheduled"]


# --------------------------------------------------------------------------- source down


def test_a_source_down_all_day_fails_the_run_and_the_others_land(
        tmp_path: Path, sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("""sources:
  - {id: sample_aa, lang: tr, profile: aa, timezone: Europe/Istanbul,
     feeds: ["${AA_URL}/aa/rss.xml"], sitemaps: ["${AA_URL}/aa/sitemap.xml"],
     politeness: {min_delay_s: 0, timeout_s: 5}}
  - {id: sample_wire, lang: en, feeds: ["${WIRE_URL}/wire/feed.atom"],
     sitemaps: ["${WIRE_URL}/wire/sitemap.xml"],
     politeness: {min_delay_s: 0, timeout_s: 2, max_retries: 1, backoff_s: 0.01}}
""")
    monkeypatch.setenv("AA_URL", sample_url)
    monkeypatch.setenv("WIRE_URL", sample_url)
    settings = use_lake(monkeypatch, tmp_path, sample_url, sources)
    run_interval(settings, *interval(DAY), "up", nlp=False)
    stored = {t: settings.lake.read_partition(Partition(t, "sample_wire", DAY))
              for t in ("articles", "raw_pages", "fetch_log")}
    assert stored["articles"].num_rows >= 1
    # The wire's server is gone (its port refuses connections): the pipeline says which
    # source could not be read and why, rather than record an empty day.
    dead = refused_url()
    monkeypatch.setenv("WIRE_URL", dead)
    with pytest.raises(SourceUnreachable, match=r"source sample_wire could not be read: "
                       r"feed \S+/wire/feed.atom: gave up after 2 attempt\(s\): "
                       r"ConnectionError: connection refused"):
        run_interval(settings, *interval(DAY), "down", nlp=False, refetch=True)
    # The CLI lands the Turkish source for both days (a refetch of the stored day, and
    # the next day), then fails naming the wire and the reason.
    cli = subprocess.run([sys.executable, "-m", "newswire", "run", "--from", str(DAY),
                          "--to", str(NEXT_DAY), "--no-nlp", "--refetch", "--quiet"],
                         env={**os.environ, "PYTHONPATH": str(REPO / "include")},
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert cli.returncode == 5, cli.stderr
    errors = [line for line in cli.stderr.splitlines() if line.startswith("error: ")]
    assert errors[0].startswith("error: source sample_wire could not be read: feed ")
    assert f"connection refused ({dead.removeprefix('http://')})" in errors[0]
    assert errors[-1] == "error: not read: sample_wire (see above)"
    assert "Traceback" not in cli.stderr
    assert f"[1/2] {DAY} articles=" in cli.stdout and "sources=sample_aa (" in cli.stdout
    for table, before in stored.items():  # nothing stored of the wire is lost
        after = settings.lake.read_partition(Partition(table, "sample_wire", DAY))
        assert rows_of(after) == rows_of(before), table
    _, rows = query(settings.catalog, "select source, date, count(*) from articles "
                    "group by all order by all")
    counts = {(s, d): n for s, d, n in rows}
    assert counts[("sample_aa", DAY)] >= 1 and counts[("sample_aa", NEXT_DAY)] >= 1
    assert ("sample_wire", NEXT_DAY) not in counts


# --------------------------------------------------------------------------- full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (root only; skipped where mounting is not permitted)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'}); "
                    "test_full_disk_by_file_size_limit covers a full disk without mounting")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fetch_log_rows(count: int, payload: int, seed: int) -> pa.Table:
    rng = random.Random(seed)
    return to_table("fetch_log", [
        {"run_id": f"r{seed}", "purpose": "page", "url": f"http://a.example/{i}",
         "request_url": rng.randbytes(payload).hex(), "attempt": 1, "status": 200,
         "error": None, "bytes": payload, "elapsed_ms": 1, "fetched_at": None,
         "pipeline_version": "test"} for i in range(count)])


def assert_failed_write_kept_the_old_version(lake: Path, previous: pa.Table,
                                             error: LakeError) -> None:
    target = lake / "fetch_log" / "source=s" / f"date={DAY}" / "data.parquet"
    assert f"could not write {target}" in str(error)
    assert "the previous version is kept" in str(error)
    stored = open_store(lake).read_partition(Partition("fetch_log", "s", DAY))
    assert rows_of(stored) == rows_of(previous)
    assert sorted(p.name for p in target.parent.iterdir()) == ["data.parquet"]  # no temp


def test_full_disk_on_publish_is_a_clear_error_and_keeps_the_previous_version(
        small_disk: Path) -> None:
    lake = small_disk / "lake"
    previous = fetch_log_rows(10, 100, seed=1)
    open_store(lake).write_partition(Partition("fetch_log", "s", DAY), previous)
    with pytest.raises(LakeError) as caught:
        open_store(lake).write_partition(Partition("fetch_log", "s", DAY),
                                         fetch_log_rows(300, 5000, seed=2))
    assert "No space left on device" in str(caught.value)
    assert_failed_write_kept_the_old_version(lake, previous, caught.value)


FSIZE_WRITER = """
import json, resource, signal, sys
from datetime import date
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
from tests.test_faults import fetch_log_rows
from newswire.store import LakeError, Partition, open_store
store = open_store(sys.argv[3])
partition = Partition("fetch_log", "s", date.fromisoformat(sys.argv[4]))
store.write_partition(partition, fetch_log_rows(10, 100, seed=1))
# Files may grow to 256 KiB from here on; a bigger write fails with EFBIG (not SIGXFSZ).
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
try:
    store.write_partition(partition, fetch_log_rows(300, 5000, seed=2))
except LakeError as exc:
    print(json.dumps({"error": str(exc)}))
else:
    print(json.dumps({"error": None}))
"""


def test_full_disk_by_file_size_limit(tmp_path: Path) -> None:
    """The same without mounting: RLIMIT_FSIZE makes the write fail part-way."""
    import json

    lake = tmp_path / "lake"
    done = subprocess.run([sys.executable, "-c", FSIZE_WRITER, str(REPO / "include"),
                           str(REPO), str(lake), DAY.isoformat()],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    error = json.loads(done.stdout.splitlines()[-1])["error"]
    assert error is not None and "File too large" in error
    assert_failed_write_kept_the_old_version(lake, fetch_log_rows(10, 100, seed=1),
                                             LakeError(error))
