"""Warehouse benchmark on a synthetic lake: one year x 5 sources.

    .venv/bin/python bench/bench_warehouse.py [--days 365] [--sources 5] [--out DIR]

Writes a lake with realistic row counts (articles, quotes, entities), first as several
small files per partition (as appends would leave it), then compacts it to one file per
partition, and times a one-day query, a one-month query and a full-year aggregation
before and after, with file counts and sizes; then the same queries through views that
list their files (as an S3 lake's catalog does) instead of globbing the partition folders.
Writes bench/results/warehouse.md.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "include"))

import duckdb  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from newswire.catalog import refresh_catalog  # noqa: E402
from newswire.config import Settings  # noqa: E402
from newswire.maintenance import compact  # noqa: E402
from newswire.schema import to_table  # noqa: E402
from newswire.store import Partition  # noqa: E402

SPEAKERS = [f"Speaker {i}" for i in range(400)]
ENTITIES = [(f"Entity {i}", random.Random(i).choice(["PER", "ORG", "LOC"]))
            for i in range(3000)]
PIECES = 4  # small files per partition before compaction

# The same question over three ranges, so the ratio shows what partition pruning buys.
QUERIES = {
    "one day": "select speaker, count(*) from statements where date = DATE '{last}' "
               "group by all order by 2 desc limit 10",
    "one month": "select speaker, count(*) from statements where date between "
                 "DATE '{last}' - INTERVAL 30 DAY AND DATE '{last}' group by all "
                 "order by 2 desc limit 10",
    "full year": "select speaker, count(*) from statements group by all "
                 "order by 2 desc limit 10",
}


def synthesize(settings: Settings, first: date, days: int, sources: int) -> None:
    rng = random.Random(7)
    for s in range(sources):
        source = f"src{s}"
        for n in range(days):
            day = first + timedelta(days=n)
            stamp = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            articles, quotes, entities = [], [], []
            for a in range(rng.randint(20, 40)):
                aid = f"{source}-{day}-{a}"
                articles.append({"article_id": aid, "url": f"http://{source}.example/{day}/{a}",
                                 "lang": "tr", "source_lang": "tr", "title": f"Title {a}",
                                 "summary": "Lead.", "byline": "Desk", "dateline": "ANKARA",
                                 "published_at": stamp, "modified_at": None,
                                 "sections": [{"heading": None,
                                               "paragraphs": ["Paragraph text. " * 20]}],
                                 "body": "Paragraph text. " * 120, "content_hash": "h",
                                 "extractor": "aa", "warnings": [], "raw_sha256": "r",
                                 "run_id": "bench", "pipeline_version": "bench"})
                for q in range(rng.randint(3, 10)):
                    quotes.append({"article_id": aid, "quote": "Quoted words " * 8,
                                   "speaker": rng.choice(SPEAKERS), "speaker_role": None,
                                   "cue": "söyle", "cue_text": "söyledi",
                                   "kind": "direct" if q % 3 == 0 else "indirect",
                                   "start_char": q * 100, "end_char": q * 100 + 90,
                                   "model": "bench", "run_id": "bench",
                                   "pipeline_version": "bench"})
                for e in range(rng.randint(10, 30)):
                    name, label = rng.choice(ENTITIES)
                    entities.append({"article_id": aid, "text": name, "label": label,
                                     "canonical": name, "role": None, "origin": "model",
                                     "start_char": e * 20, "end_char": e * 20 + 8,
                                     "model": "bench", "run_id": "bench",
                                     "pipeline_version": "bench"})
            for table, rows in (("articles", articles), ("quotes", quotes),
                                ("entities", entities)):
                folder = Path(settings.lake.folder_of(Partition(table, source, day)))
                folder.mkdir(parents=True, exist_ok=True)
                for piece in range(PIECES):  # as if appended in batches
                    chunk = rows[piece::PIECES]
                    pq.write_table(to_table(table, chunk), folder / f"part-{piece}.parquet",
                                   compression="zstd")


def files_and_bytes(lake: Path) -> tuple[int, int]:
    files = [p for p in lake.rglob("*.parquet") if "_staging" not in p.parts]
    return len(files), sum(p.stat().st_size for p in files)


def time_queries(catalog: Path, last: date, rounds: int = 5) -> dict[str, float]:
    con = duckdb.connect(str(catalog), read_only=True)
    out = {}
    for name, sql in QUERIES.items():
        sql = sql.format(last=last.isoformat())
        con.execute(sql).fetchall()  # warm the file cache
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            con.execute(sql).fetchall()
            timings.append(time.perf_counter() - started)
        out[name] = statistics.median(timings)
    con.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--sources", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="newswire-bench-"))
    settings = Settings(lake=work / "lake", catalog=work / "nw.duckdb",
                        sources_file=REPO / "include" / "sources.yaml",
                        staging=work / "lake" / "_staging", user_agent="bench")
    first = date(2017, 1, 1)
    last = first + timedelta(days=args.days - 1)
    started = time.perf_counter()
    synthesize(settings, first, args.days, args.sources)
    generated = time.perf_counter() - started
    refresh_catalog(settings.lake, settings.catalog)
    rows = duckdb.connect(str(settings.catalog), read_only=True).execute(
        "select (select count(*) from articles), (select count(*) from quotes), "
        "(select count(*) from entities)").fetchone()
    before_files, before_bytes = files_and_bytes(settings.lake.root)
    before = time_queries(settings.catalog, last)
    started = time.perf_counter()
    compacted = compact(settings, older_than_days=0)
    compaction = time.perf_counter() - started
    refresh_catalog(settings.lake, settings.catalog)
    after_files, after_bytes = files_and_bytes(settings.lake.root)
    after = time_queries(settings.catalog, last)
    listing_catalog = work / "nw-file-lists.duckdb"
    refresh_catalog(settings.lake, listing_catalog, file_lists=True)
    listed = time_queries(listing_catalog, last)
    lines = [
        f"Synthetic lake: {args.days} days x {args.sources} sources; {rows[0]:,} articles, "
        f"{rows[1]:,} quotes, {rows[2]:,} entity mentions (generated in {generated:.0f}s; "
        f"{compacted} partitions compacted in {compaction:.0f}s).",
        "",
        "| | files | MB | one day (ms) | one month (ms) | full year (ms) | one day / full year |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, files, size, t in (("before compaction", before_files, before_bytes, before),
                                  ("after compaction", after_files, after_bytes, after),
                                  ("after compaction, views list files", after_files,
                                   after_bytes, listed)):
        lines.append(f"| {label} | {files:,} | {size / 1e6:,.1f} | {t['one day'] * 1e3:,.1f} | "
                     f"{t['one month'] * 1e3:,.1f} | {t['full year'] * 1e3:,.1f} | "
                     f"{t['one day'] / t['full year']:.3f} |")
    table = "\n".join(lines)
    print(table)
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "warehouse.md").write_text(table + "\n")
    if args.out is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
