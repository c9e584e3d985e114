"""Sharded NLP: the cut, and a sharded run writing exactly the rows an unsharded one does
(real offline stanza models, the sample source's days on 127.0.0.1)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from newswire.config import Settings
from newswire.constants import NLP_TABLES
from newswire.stages import annotate_shard, annotate_source, publish, run_interval
from newswire.stages.shards import Shard, cut_by_chars, halve_last, plan_shards

from tests.conftest import requires_models

START = datetime(2017, 12, 4, tzinfo=UTC)
END = START + timedelta(days=2)


def test_cut_keeps_order_and_closes_a_shard_at_the_limit() -> None:
    assert cut_by_chars([], 10) == []
    assert cut_by_chars([4, 4, 4, 4, 4], 10) == [(0, 3, 12), (3, 2, 8)]
    assert cut_by_chars([25, 1, 1], 10) == [(0, 1, 25), (1, 2, 2)]  # never split an article
    assert cut_by_chars([3, 3], 1) == [(0, 1, 3), (1, 1, 3)]
    cut = cut_by_chars(range(1, 101), 500)
    assert sum(length for _, length, _ in cut) == 100
    assert [offset for offset, _, _ in cut] == sorted(offset for offset, _, _ in cut)


def test_cut_is_even_and_a_multiple_of_the_processes_that_take_it() -> None:
    # 4 x 120k would leave a last run of 101k: four runs of ~115k instead.
    lengths = [1_000 + (n * 37) % 800 for n in range(330)]
    total = sum(lengths)
    assert 3 * 120_000 < total < 4 * 120_000
    cut = cut_by_chars(lengths, 120_000)
    assert len(cut) == 4
    assert max(chars for *_, chars in cut) - min(chars for *_, chars in cut) < 2 * 1_800
    # Two processes: five runs' worth becomes six, so neither takes three while the
    # other takes two.
    five = lengths + lengths[:60]
    assert len(cut_by_chars(five, 120_000)) == 5
    six = cut_by_chars(five, 120_000, multiple_of=2)
    assert len(six) == 6 and sum(length for _, length, _ in six) == len(five)
    assert [offset for offset, _, _ in six] == sorted({offset for offset, _, _ in six})
    assert cut_by_chars([5], 100, multiple_of=2) == [(0, 1, 5)]  # articles are not split
    assert cut_by_chars([0, 0], 10) == [(0, 2, 0)]  # empty bodies: still one shard


def test_the_pool_cuts_the_end_of_a_day_finer() -> None:
    lengths = [1_000 + (n * 37) % 800 for n in range(500)]
    runs = cut_by_chars(lengths, 120_000, 16)
    cut = halve_last(runs, lengths, 2)
    assert len(runs) == 16 and len(cut) == 18
    assert cut[:14] == runs[:14]  # the rest as it was; the last two runs in halves
    assert [(o, n) for o, n, _ in cut] == [(o, n) for o, n, _ in cut_order(cut)]
    assert sum(n for _, n, _ in cut) == 500 and sum(c for *_, c in cut) == sum(lengths)
    assert max(c for *_, c in cut[14:]) < 0.6 * min(c for *_, c in runs)
    assert halve_last([(0, 1, 5_000)], [5_000], 2) == [(0, 1, 5_000)]  # one article stays
    assert halve_last(runs, lengths, 0) == runs


def cut_order(cut: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """``cut`` checked to be consecutive runs from the first article."""
    assert cut[0][0] == 0
    assert all(a[0] + a[1] == b[0] for a, b in itertools.pairwise(cut))
    return cut


def test_shard_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSWIRE_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("NEWSWIRE_SHARD_CHARS", "5000")
    monkeypatch.setenv("NEWSWIRE_TORCH_THREADS", "2")
    assert Settings.from_env().shard_multiple == 1
    monkeypatch.setenv("NEWSWIRE_SHARD_MULTIPLE", "4")
    settings = Settings.from_env()
    assert (settings.shard_chars, settings.torch_threads, settings.shard_multiple) == (
        5000, 2, 4)
    monkeypatch.setenv("NEWSWIRE_SHARD_MULTIPLE", "0")
    with pytest.raises(ValueError, match="NEWSWIRE_SHARD_MULTIPLE"):
        Settings.from_env()
    monkeypatch.setenv("NEWSWIRE_SHARD_MULTIPLE", "2")
    monkeypatch.setenv("NEWSWIRE_SHARD_CHARS", "many")
    with pytest.raises(ValueError, match="NEWSWIRE_SHARD_CHARS"):
        Settings.from_env()


def nlp_rows(catalog: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(catalog), read_only=True) as con:
        return {table: con.execute(f"select * from {table} order by all").fetchall()
                for table in NLP_TABLES}


def cleaned_manifests(settings: Settings) -> list[str]:
    return sorted(str(p) for p in settings.staging.rglob("clean.json"))


@requires_models
def test_sharded_run_writes_the_rows_of_an_unsharded_one(settings: Settings,
                                                         tmp_path: Path) -> None:
    # One article per shard: the most cuts the sample days allow.
    sharded = dataclasses.replace(settings, shard_chars=1)
    run_interval(sharded, START, END, "same")
    shard_rows = nlp_rows(settings.catalog)
    assert all(shard_rows.values()), {t: len(r) for t, r in shard_rows.items()}
    shards = list(settings.staging.rglob("shards/*/shard.json"))
    assert len(shards) == 9  # 2 + 3 articles of sample_aa, 2 + 2 of sample_wire

    # The same days in another lake, through the unsharded stage.
    other = dataclasses.replace(settings, lake=tmp_path / "lake-b",
                                catalog=tmp_path / "b.duckdb", staging=tmp_path / "stg-b")
    run_interval(other, START, END, "same", nlp=False)
    publish(other, [annotate_source(other, path) for path in cleaned_manifests(other)])
    assert nlp_rows(other.catalog) == shard_rows


@requires_models
def test_a_shard_run_again_rewrites_the_same_files(settings: Settings,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from newswire.stages import shards

    run_interval(settings, START, START + timedelta(days=1), "again", ["sample_aa"],
                 nlp=False)
    (cleaned,) = cleaned_manifests(settings)
    (path,) = plan_shards(settings, cleaned)  # two short articles: one shard
    shard = Shard.load(path)
    assert (shard.offset, shard.length, shard.lang) == (0, 2, "tr")
    first = Path(annotate_shard(settings, path)).read_text()
    files = sorted(shard.folder.glob("*.parquet"))
    assert len(files) == len(NLP_TABLES)
    blobs = [f.read_bytes() for f in files]

    # The shard says its language: annotating it never reads the sources file (whose
    # validation imports the cleaner into an NLP process).
    def no_sources(*args: object) -> None:
        raise AssertionError("a shard with its language loaded the sources file")

    with monkeypatch.context() as patched:
        patched.setattr(shards, "load_source", no_sources)
        second = Path(annotate_shard(settings, path)).read_text()
    assert [f.read_bytes() for f in sorted(shard.folder.glob("*.parquet"))] == blobs
    assert first.split('"seconds"')[0] == second.split('"seconds"')[0]

    # A shard planned before shards recorded their language: read from the sources file.
    dataclasses.replace(shard, lang=None).save()
    assert Shard.load(path).lang is None
    third = Path(annotate_shard(settings, path)).read_text()
    assert [f.read_bytes() for f in sorted(shard.folder.glob("*.parquet"))] == blobs
    assert first.split('"seconds"')[0] == third.split('"seconds"')[0]


def test_only_the_processes_that_fork_tasks_preload_models() -> None:
    from airflow_local_settings import forks_task_processes

    assert forks_task_processes(["/venv/bin/airflow", "scheduler"])
    assert forks_task_processes(["/venv/bin/airflow", "celery", "worker", "-q", "default"])
    assert not forks_task_processes(["/venv/bin/airflow", "api-server"])
    assert not forks_task_processes(["/venv/bin/airflow", "dag-processor"])
    assert not forks_task_processes(["/venv/bin/airflow", "celery", "flower"])
    assert not forks_task_processes(["python", "-m", "pytest"])


def test_a_task_supervisor_waits_on_its_task_once_the_sockets_are_closed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The race the local-settings hook closes: every socket of the task closed, the
    process not reaped yet. Airflow's supervisor would sleep in select() on no sockets
    for its whole wait (here 30 s); with the hook it waits on the process and returns
    its exit code as soon as it exits (0.5 s)."""
    import subprocess
    import sys
    import time
    import types

    import psutil
    from airflow.sdk.execution_time import supervisor
    from airflow_local_settings import notice_exit_promptly

    watched = supervisor.WatchedSubprocess
    monkeypatch.setattr(watched, "_service_subprocess", watched._service_subprocess)
    assert notice_exit_promptly() and not notice_exit_promptly()  # once per process
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    task = types.SimpleNamespace(_exit_code=None, _open_sockets={},
                                 _process=supervisor.PsutilTracker(psutil.Process(child.pid)),
                                 _process_exit_monotonic=None)
    task._check_subprocess_exit = lambda **kw: watched._check_subprocess_exit(task, **kw)
    started = time.monotonic()
    assert watched._service_subprocess(task, max_wait_time=30.0) == 0
    assert time.monotonic() - started < 10 and task._process_exit_monotonic is not None


@requires_models
def test_a_task_forked_after_preload_finds_the_models_loaded() -> None:
    """What NEWSWIRE_PRELOAD_NLP buys under Airflow, which forks a process per task:
    the forked task's pipeline comes from the parent's cache, not from disk."""
    import gc
    import os

    from newswire.nlp.models import find_models, load_pipeline
    from newswire.stages import preload_models

    assert set(preload_models(["tr"])) == {"tr"}
    assert gc.get_freeze_count() > 0  # the models' objects, out of the collector's sight
    misses = load_pipeline.cache_info().misses
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the "task"
        load_pipeline(find_models("tr"))
        info = load_pipeline.cache_info()
        os.write(write, b"hit" if info.misses == misses and info.hits > 0 else b"miss")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 16)
    os.waitpid(pid, 0)
    assert answer == b"hit"


@requires_models
def test_the_pool_forks_its_processes_from_a_server_that_loaded_the_models(
        tmp_path: Path) -> None:
    """The CLI's pool: one fork server loads the models (started by ``start``, without
    waiting for it), and each pool process is a fork of it, models already in memory;
    the owner's environment is left as it was. In a fresh interpreter, as the CLI is (a
    script file: the pool's processes find ``probe`` in it)."""
    import subprocess
    import sys

    script = tmp_path / "pool.py"
    script.write_text("""
import os, sys
from multiprocessing import forkserver

def probe():
    from newswire.stages import nlp_preload
    return os.getppid(), dict(nlp_preload.LOADED)

if __name__ == "__main__":
    from newswire.config import Settings
    from newswire.stages.shards import ShardRunner
    with ShardRunner(Settings.from_env(), 2) as runner:
        runner.start(["tr"])
        server = forkserver._forkserver._forkserver_pid
        parent, loaded = runner._pool.submit(probe).result(timeout=300)
        print(parent == server, sorted(loaded), "NEWSWIRE_PRELOAD_LANGS" in os.environ,
              runner._pool._mp_context.get_start_method())
""")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=False, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["True", "['tr']", "False", "forkserver"]


@requires_models
def test_the_shards_are_handed_out_while_the_models_load(settings: Settings) -> None:
    """``submit`` hands the shards to the pool from a thread of its own: the pool's
    processes are forks of the fork server, which answers only once it has loaded the
    models, and the caller publishes the day's articles meanwhile. So ``submit`` returns
    before any pool process exists (the server is still importing torch), the shards
    come back complete, and no hand-out thread is left once they are gathered (the next
    day's cleaning pool may fork the caller). In a fresh interpreter, as the CLI is: no
    fork server already warm."""
    import subprocess
    import sys

    run_interval(settings, START, START + timedelta(days=1), "handed", ["sample_aa"],
                 nlp=False)
    (cleaned,) = cleaned_manifests(settings)
    script = f"""
import threading
from newswire.config import Settings
from newswire.stages import StageManifest
from newswire.stages.shards import ShardRunner
with ShardRunner(Settings.from_env(), 2) as runner:
    runner.start(["tr"])
    waiting = runner.submit([{cleaned!r}])
    processes = len(runner._pool._processes)
    (manifest,) = waiting()
    print(processes, StageManifest.load(manifest).counts.articles,
          sum(thread.name == "newswire-shards" for thread in threading.enumerate()))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["0", "2", "0"]


@requires_models
def test_the_fork_server_leaves_with_its_owner_without_teardown(tmp_path: Path) -> None:
    """Once its owner is gone the NLP fork server exits at once, not through the
    interpreter's teardown with torch loaded, during which it held the owner's output
    open (a caller reading it waited). A handler of the teardown, registered before the
    server's preload, never runs."""
    import os
    import subprocess
    import sys

    marker = tmp_path / "teardown-ran"
    (tmp_path / "teardown_marker.py").write_text(
        f"import atexit\natexit.register(lambda: open({str(marker)!r}, 'w').close())\n")
    script = """
import multiprocessing, os
from concurrent.futures import ProcessPoolExecutor
os.environ.update(NEWSWIRE_PRELOAD_LANGS="tr", NEWSWIRE_PRELOAD_THREADS="1",
                  NEWSWIRE_PRELOAD_PARENT=str(os.getpid()))
context = multiprocessing.get_context("forkserver")
context.set_forkserver_preload(["teardown_marker", "newswire.stages.nlp_preload"])
with ProcessPoolExecutor(1, mp_context=context) as pool:
    print(pool.submit(os.getppid).result() != os.getpid())  # a fork of the server
"""
    # The fork server finds its preload modules on PYTHONPATH (not this process's path).
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": path}, check=False,
                          timeout=400)  # returns once the server closed them too
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["True"]
    assert not marker.exists()


def test_a_pool_process_leaves_without_teardown_but_flushes_what_it_wrote(
        tmp_path: Path) -> None:
    """A pool process exits at once when the pool closes (the interpreter's teardown
    with torch loaded costs seconds the pool's owner waits for), yet loses no output."""
    import subprocess
    import sys

    marker = tmp_path / "teardown-ran"
    script = f"""
import atexit, logging, sys
atexit.register(lambda: open({str(marker)!r}, "w").close())  # a handler of the teardown
from newswire.stages import shards
shards._start_worker([], 1)
logging.basicConfig(filename={str(tmp_path / "worker.log")!r}, level=logging.INFO)
logging.getLogger("newswire").info("logged")
print("printed", end="")  # a pipe: block-buffered, lost unless flushed
sys.exit(0)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "printed"
    assert "logged" in (tmp_path / "worker.log").read_text()
    assert not marker.exists()


def test_an_nlp_process_imports_only_what_annotating_needs() -> None:
    """A pool process (and a DAG's annotate task) imports the shard runner and the NLP
    layers, not the fetching and cleaning side nor the warehouse: each of those is CPU a
    process spends before its first shard, on a box whose every core is annotating."""
    import subprocess
    import sys

    script = """
import sys
from newswire.stages import annotate_shard, gather_shards, plan_shards, use_torch_threads
import newswire.nlp.annotate, newswire.nlp.models
print(" ".join(sorted(sys.modules)))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=120)
    loaded = set(done.stdout.split())
    assert "newswire.stages.shards" in loaded and "newswire.nlp.annotate" in loaded
    assert loaded.isdisjoint({"newswire.clean", "newswire.fetch", "newswire.discover",
                              "newswire.stages.clean", "newswire.stages.run",
                              "newswire.catalog", "duckdb", "bs4", "trafilatura",
                              "feedparser", "requests",
                              # the sources file's validation and the lake's file systems
                              "newswire.sources", "pydantic", "fsspec", "asyncio"})


def test_the_stages_package_still_offers_every_stage_by_name() -> None:
    import sys

    import newswire.stages as stages
    import newswire.stages.publish  # noqa: F401
    from newswire.stages.clean import fetch_and_clean
    from newswire.stages.run import run_interval as defined

    assert stages.run_interval is defined and stages.fetch_and_clean is fetch_and_clean
    # a function named as its module: the module's import must not replace it
    assert stages.publish is sys.modules["newswire.stages.publish"].publish
    assert all(callable(getattr(stages, name)) or name == "MODES" for name in stages.__all__)
    with pytest.raises(AttributeError, match="no_such_stage"):
        stages.no_such_stage  # noqa: B018


@requires_models
def test_a_failed_shard_is_retried_alone(settings: Settings,
                                         monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture) -> None:
    from newswire.stages import StageManifest, shards

    run_interval(settings, START, START + timedelta(days=1), "retry", ["sample_aa"],
                 nlp=False)
    (cleaned,) = cleaned_manifests(settings)
    one_per_article = dataclasses.replace(settings, shard_chars=1)
    real = shards.annotate_shard
    calls: list[str] = []
    failures = {"0000": 1}  # shard -> attempts that fail

    def flaky(settings: Settings, path: str) -> str:
        name = Path(path).parent.name
        calls.append(name)
        if calls.count(name) <= failures.get(name, 0):
            raise OSError("disk hiccup")
        return real(settings, path)

    monkeypatch.setattr(shards, "annotate_shard", flaky)
    with shards.ShardRunner(one_per_article, 1) as runner:
        (manifest,) = runner.annotate([cleaned])
    assert calls == ["0000", "0000", "0001"]  # the failed shard again, alone, then on
    assert StageManifest.load(manifest).counts.articles == 2
    assert "retrying it alone" in caplog.text

    calls.clear()
    failures = {"0001": 2}
    with shards.ShardRunner(one_per_article, 1) as runner, \
            pytest.raises(OSError, match="disk hiccup"):
        runner.annotate([cleaned])  # failing twice fails the stage
    assert calls == ["0000", "0001", "0001"]
