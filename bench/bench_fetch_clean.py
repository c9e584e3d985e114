"""Fetch + clean over a synthetic AA archive served on 127.0.0.1: pages/s and peak memory.

    .venv/bin/python bench/bench_fetch_clean.py [--quick] [--sizes 1000 10000] [--per-day 100]
                                                [--workers N] [--rounds 3]

For each archive size, in a fresh process (so each peak is its own): the pipeline's real
stages (``discover_source`` over the archive's sitemap index and day sitemaps, then
``fetch_and_clean``: the real Fetcher, each page cleaned while later ones are fetched,
as ``run`` does; then ``publish``) into a temporary lake, the politeness delay 0 (our
own server, in another process), cleaning in ``--workers`` processes as ``python -m
newswire run --workers N`` does (default: the cores). Reports pages/s, peak RSS
(``ru_maxrss``) and RSS after start-up, and checks every cleaned body against the
paragraphs the page was rendered from. Memory is flat when the largest
archive's peak is within 25% of the smallest one's.

Baseline, in the same run: a plain ``requests`` GET of the same pages in one session (no
robots.txt, no storage, no cleaning), so the ratio shows what the pipeline costs over the
bare transfer. Each size is measured in ``--rounds`` rounds (raw GET, then pipeline) and
the median round reported with the rounds' range: the two runs take turns with the
other users of a shared machine. CPU seconds of the timed window are reported for every
process (ours, the cleaning processes, the archive server; the raw GET's client and
server): a pipeline whose CPU over the cores nears its wall time is bound by the cores.
Writes bench/results/fetch_clean.md and fetch_clean.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

# bench/ (common, synthetic_archive) and include/ (newswire), run from anywhere.
sys.path[:0] = [str(Path(__file__).resolve().parent),
                str(Path(__file__).resolve().parents[1] / "include")]

from common import (  # noqa: E402
    REPO,
    RESULTS,
    current_rss_mb,
    machine,
    machine_line,
    peak_rss_mb,
    table,
    write_results,
)
from synthetic_archive import SyntheticArchive, sources_yaml  # noqa: E402

FLAT_TOLERANCE = 1.25  # the largest archive's peak RSS / the smallest one's
QUICK_SIZES = [50, 200]
SOURCE_ID = "bench_aa"


@contextmanager
def serve_archive(pages: int, per_day: int, real_text: bool = False
                  ) -> Iterator[tuple[str, int]]:
    """The synthetic archive in its own process (its memory and CPU are not ours): its
    base URL and process id (whose CPU time the children read, see ``process_cpu_s``).
    ``real_text``: bodies of real news sentences (synthetic_archive's ``--real-text``)."""
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "synthetic_archive.py"), "--pages", str(pages),
         "--per-day", str(per_day), *(["--real-text"] if real_text else [])],
        stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("serving "):
            raise RuntimeError(f"synthetic archive did not start: {line!r}")
        yield line.split()[1], proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def archive_server(pages: int, per_day: int, real_text: bool = False) -> Iterator[str]:
    """The synthetic archive's base URL, served by another process (see serve_archive)."""
    with serve_archive(pages, per_day, real_text) as (base, _pid):
        yield base


def process_cpu_s(pid: int | None) -> float | None:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux); None
    where that cannot be read. The server's share tells how much of the two runs' CPU
    is the archive's, not ours."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text("ascii").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def cpu_since(pid: int | None, before: float | None) -> float | None:
    now = process_cpu_s(pid)
    return round(now - before, 2) if now is not None and before is not None else None


def run_child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"child {args} failed ({out.returncode}):\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- measured in a fresh process -------------------------------------------------------
def child_pipeline(base: str, pages: int, per_day: int, work: Path, workers: int,
                   server_pid: int | None = None) -> dict:
    os.environ["NEWSWIRE_LAKE"] = str(work / "lake")
    os.environ["NEWSWIRE_CATALOG"] = str(work / "newswire.duckdb")
    os.environ.pop("NEWSWIRE_STAGING", None)
    sources = work / "sources.yaml"
    sources.write_text(sources_yaml(base, SOURCE_ID), "utf-8")
    os.environ["NEWSWIRE_SOURCES"] = str(sources)
    from dataclasses import asdict

    # Imports stay out of the timed window, as the GET baseline's do: publish loads the
    # catalog module (DuckDB) on first use since NLP processes stopped importing it.
    import newswire.catalog  # noqa: F401
    from newswire.config import Settings
    from newswire.stages import StageManifest, discover_source, fetch_and_clean
    from newswire.stages import publish as publish_stage

    settings = Settings.from_env()
    archive = SyntheticArchive(pages, per_day)
    start = datetime(archive.first_day.year, archive.first_day.month, archive.first_day.day,
                     tzinfo=UTC)
    end = start + timedelta(days=archive.days)
    rss_start = current_rss_mb()
    seconds: dict[str, float] = {}
    server_cpu = process_cpu_s(server_pid)
    cpu = time.process_time()  # every thread of this process
    started = time.perf_counter()
    discovered = discover_source(settings, SOURCE_ID, start, end, "bench", "daily")
    seconds["discover"] = time.perf_counter() - started
    mark = time.perf_counter()
    # As `run` does: pages cleaned while later ones are fetched.
    fetched, cleaned = fetch_and_clean(settings, discovered, workers=workers)
    seconds["fetch+clean"] = time.perf_counter() - mark
    mark = time.perf_counter()
    published = publish_stage(settings, [cleaned])
    seconds["publish"] = time.perf_counter() - mark
    total = time.perf_counter() - started
    cpu_seconds = {"parent": round(time.process_time() - cpu, 2),
                   "server": cpu_since(server_pid, server_cpu)}
    from newswire.stages.clean import close_clean_pools

    close_clean_pools()  # the cleaning workers end here: their peak is then known
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_peak = children.ru_maxrss / 1024
    # The cleaning processes, from their fork (at the window's start) to their end.
    cpu_seconds["cleaning"] = round(children.ru_utime + children.ru_stime, 2)
    return {"pages": pages, "days": archive.days, "per_day": per_day,
            "seconds": round(total, 3), "stage_seconds": {k: round(v, 3)
                                                          for k, v in seconds.items()},
            "pages_per_s": round(pages / total, 2), "workers": workers,
            "cpu_seconds": cpu_seconds,
            "rss_start_mb": round(rss_start, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "clean_worker_peak_rss_mb": round(workers_peak, 1) if workers > 1 else None,
            "rss_end_mb": round(current_rss_mb(), 1),
            "fetch_counts": asdict(StageManifest.load(fetched).counts),
            "clean_counts": asdict(StageManifest.load(cleaned).counts),
            "published": published,
            "lake": str(work / "lake")}


def child_raw_get(base: str, pages: int, per_day: int, server_pid: int | None = None
                  ) -> dict:
    import requests

    archive = SyntheticArchive(pages, per_day)
    session = requests.Session()
    rss_start = current_rss_mb()
    server_cpu = process_cpu_s(server_pid)
    cpu = time.process_time()
    started = time.perf_counter()
    total_bytes = 0
    for index in range(pages):
        response = session.get(base + archive.article(index).path, timeout=30)
        response.raise_for_status()
        total_bytes += len(response.content)
    seconds = time.perf_counter() - started
    cpu_seconds = {"client": round(time.process_time() - cpu, 2),
                   "server": cpu_since(server_pid, server_cpu)}
    return {"pages": pages, "seconds": round(seconds, 3), "cpu_seconds": cpu_seconds,
            "pages_per_s": round(pages / seconds, 2), "bytes": total_bytes,
            "rss_start_mb": round(rss_start, 1), "peak_rss_mb": round(peak_rss_mb(), 1)}


def check_bodies(lake: Path, pages: int, per_day: int) -> dict:
    """Every published article against the paragraphs its page was rendered from."""
    import duckdb
    from newswire.clean.text import normalize_text

    archive = SyntheticArchive(pages, per_day)
    rows = duckdb.sql(
        "select url, body, extractor from read_parquet(?, hive_partitioning = true)",
        params=[str(lake / "articles" / "**" / "*.parquet")]).fetchall()
    gold = {archive.article(i).path: "\n\n".join(normalize_text(p)
                                                for p in archive.gold_paragraphs(i))
            for i in range(pages)}
    matching = sum(1 for url, body, _ in rows
                   if gold.get("/" + url.split("/", 3)[3]) == body)
    return {"articles": len(rows), "bodies_matching_gold": matching,
            "extractors": sorted({r[2] for r in rows})}


def worker_memory(results: list[dict]) -> str:
    peaks = [f"{r['clean_worker_peak_rss_mb']:.0f} MB at {r['pages']:,} pages"
             for r in results if r.get("clean_worker_peak_rss_mb")]
    return (" Peak RSS of the largest cleaning worker process (forked after start-up, sharing its "
            f"pages until written): {', '.join(peaks)}.") if peaks else ""


def _cpu(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


def cpu_account(results: list[dict], cores: int) -> list[str]:
    """Where each run's CPU went, against its wall time: a pipeline whose CPU seconds over
    the cores come near its wall time is bound by the machine's cores, not by waiting;
    the raw GET waits on one request at a time. Other users' load is not counted."""
    rows = []
    for r in results:
        ours, raw = r["cpu_seconds"], r["raw_get"]["cpu_seconds"]
        known = [v for v in ours.values() if v is not None]
        rows.append([f"{r['pages']:,}", _cpu(ours["parent"]), _cpu(ours["cleaning"]),
                     _cpu(ours["server"]), f"{sum(known) / cores:.1f}", f"{r['seconds']:.1f}",
                     _cpu(raw["client"]), _cpu(raw["server"]), f"{r['raw_get']['seconds']:.1f}"])
    return [f"CPU seconds (user + system) in the timed window, on {cores} core(s):", "",
            table(["pages", "pipeline: parent (fetch, stage, publish)", "cleaning processes",
                   "archive server", "pipeline CPU / cores s", "pipeline wall s",
                   "raw GET: client", "archive server", "raw GET wall s"], rows)]


def measure_round(size: int, per_day: int, workers: int) -> dict:
    """One round: the raw GETs, then the pipeline, each in a fresh process, against a
    fresh archive server; the pipeline's result with the raw GET's and the bodies check."""
    with tempfile.TemporaryDirectory(prefix="newswire-bench-") as tmp, \
            serve_archive(size, per_day) as (base, server_pid):
        child_args = ["--base", base, "--server-pid", str(server_pid), "--pages", str(size),
                      "--per-day", str(per_day)]
        raw = run_child(["--child", "raw", *child_args])
        ours = run_child(["--child", "pipeline", "--work", tmp, "--workers", str(workers),
                          *child_args])
        ours["check"] = check_bodies(Path(ours.pop("lake")), size, per_day)
        ours["raw_get"] = raw
    print(f"{size} pages: {ours['pages_per_s']} pages/s (raw GET {raw['pages_per_s']}), "
          f"ratio {ratio_of(ours):.2f}, peak RSS {ours['peak_rss_mb']} MB, bodies "
          f"{ours['check']['bodies_matching_gold']}/{size}", flush=True)
    return ours


def ratio_of(result: dict) -> float:
    return result["pages_per_s"] / result["raw_get"]["pages_per_s"]


def median_round(rounds: list[dict]) -> dict:
    """The round with the median ratio, with every round's ratio beside it. The two runs
    of a round take turns with the other users of this shared machine: one round's
    ratio moves by a tenth with their load (0.57 to 0.79 for the same code), more than
    any change measured here, so the median of a few rounds is reported."""
    ranked = sorted(rounds, key=ratio_of)
    chosen = dict(ranked[len(ranked) // 2])
    chosen["rounds"] = [{"pages_per_s": r["pages_per_s"],
                         "raw_get_pages_per_s": r["raw_get"]["pages_per_s"],
                         "ratio": round(ratio_of(r), 3),
                         "bodies_matching_gold": r["check"]["bodies_matching_gold"]}
                        for r in rounds]
    return chosen


def ratio_cell(result: dict) -> str:
    ratios = [r["ratio"] for r in result.get("rounds", [])]
    spread = f" ({min(ratios):.2f}–{max(ratios):.2f} in {len(ratios)} rounds)" \
        if len(ratios) > 1 else ""
    return f"{ratio_of(result):.2f}{spread}"


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


# -- the parent: one fresh process per size -------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: archives of {QUICK_SIZES} pages")
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds per size, raw GET then pipeline each; the median "
                             "round's figures are reported (default 3)")
    parser.add_argument("--workers", type=int, default=_cores(),
                        help="cleaning processes, as the CLI's run --workers (default: cores)")
    parser.add_argument("--child", choices=["pipeline", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    per_day = args.per_day
    if args.child == "pipeline":
        print(json.dumps(child_pipeline(args.base, args.pages, per_day, args.work,
                                        args.workers, args.server_pid)))
        return 0
    if args.child == "raw":
        print(json.dumps(child_raw_get(args.base, args.pages, per_day, args.server_pid)))
        return 0

    if args.quick:
        per_day = min(per_day, 25)
    sizes = args.sizes or (QUICK_SIZES if args.quick else [1_000, 10_000])
    info = machine()
    results = []
    all_clean = True
    for size in sizes:
        rounds = [measure_round(size, per_day, args.workers) for _ in range(args.rounds)]
        results.append(median_round(rounds))
        all_clean = all_clean and all(r["check"]["bodies_matching_gold"] == size
                                      for r in rounds)

    smallest, largest = results[0], results[-1]
    memory_ratio = largest["peak_rss_mb"] / smallest["peak_rss_mb"]
    flat = memory_ratio <= FLAT_TOLERANCE
    rows = [[f"{r['pages']:,}", r["days"], f"{r['pages_per_s']:.1f}",
             f"{r['raw_get']['pages_per_s']:.1f}",
             ratio_cell(r),
             " / ".join(f"{k} {v:.1f}" for k, v in r["stage_seconds"].items()),
             f"{r['rss_start_mb']:.0f}", f"{r['peak_rss_mb']:.0f}",
             f"{r['check']['bodies_matching_gold']:,}/{r['check']['articles']:,}"]
            for r in results]
    md = "\n".join([
        "## Fetch + clean: synthetic AA archive on 127.0.0.1", "",
        machine_line(info), "",
        table(["pages", "days", "pipeline pages/s", "raw GET pages/s (baseline)", "ratio",
               "seconds per stage", "RSS after start-up MB", "peak RSS MB",
               "bodies = gold"], rows), "",
        f"Each size measured in {args.rounds} round(s), each a raw GET run then a pipeline "
        "run (fresh processes, a fresh archive server); the table shows the round with the "
        "median ratio, and the range of the rounds' ratios.", "",
        f"{per_day} pages a day; discover → fetch (real Fetcher, politeness delay 0, "
        f"conditional GET, robots.txt) and clean (in {args.workers} process(es), as `run "
        f"--workers {args.workers}`: pages cleaned while later ones are fetched) → publish "
        "into a fresh lake, each size in "
        "a fresh process, the archive served by another process.", "",
        f"Memory: peak {largest['peak_rss_mb']:.0f} MB at {largest['pages']:,} pages vs "
        f"{smallest['peak_rss_mb']:.0f} MB at {smallest['pages']:,} pages, ratio "
        f"{memory_ratio:.2f}: {'flat' if flat else 'NOT flat'} (target ≤ {FLAT_TOLERANCE})."
        + worker_memory(results), "",
        *cpu_account(results, _cores()),
    ])
    print(md)
    data = {"machine": info, "quick": args.quick, "per_day": per_day, "results": results,
            "memory_ratio": round(memory_ratio, 3), "memory_flat": flat}
    write_results("fetch_clean", md, data, args.out)
    return 0 if flat and all_clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
