"""Every benchmark, one after the other, and one summary table.

    NEWSWIRE_STANZA_DIR=../shared/models/stanza .venv/bin/python bench/run_all.py [--quick]
    make bench                                  (the same, with the offline models)

Runs bench_clean (990 real-world pages + our news pages), bench_fetch_clean (1k and 10k
pages), bench_nlp (NLP stage vs raw stanza), bench_e2e (a day of 500 articles through
the DAG), bench_shards (sharded NLP) and, with --warehouse, bench_warehouse, with
--celery, bench_celery (Airflow on Celery, one worker vs two); each writes its own result files in
bench/results/, and this writes bench/results/summary.md: one row per figure (ours,
the baseline measured in the same run, the ratio, the target, met?) plus the memory
figures. A benchmark that fails to run is a row saying so; the exit status is non-zero
when any target is missed or any benchmark failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, RESULTS, SHARED, machine, machine_line, table

BENCH = REPO / "bench"


def run(script: str, args: list[str], log: Path) -> tuple[int, float]:
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as handle:
        code = subprocess.run([sys.executable, str(BENCH / script), *args], stdout=handle,
                              stderr=subprocess.STDOUT, cwd=REPO, check=False).returncode
    return code, time.perf_counter() - started


def load(out: Path, name: str) -> dict | None:
    path = out / f"{name}.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else None


def yes(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**no**")


def clean_rows(data: dict) -> list[list[str]]:
    rows = []
    for key, label in (("real_world", "real-world pages"), ("news", "our news pages")):
        part = data.get(key) or {}
        if part.get("skipped"):
            rows.append([f"clean F1, {label}", "skipped", "", "", "", part["skipped"]])
            continue
        if not part:
            continue
        pages = part["scores"][part["ours"]]["pages"]
        rows.append([f"clean F1 ({pages} {label}; {part['ours']})", f"{part['f1_ours']:.3f}",
                     f"{part['f1_baseline']:.3f} ({part['baseline']})",
                     f"{part['f1_ours'] / part['f1_baseline']:.3f}", "≥ 1.0",
                     yes(part["f1_met"])])
        if key == "real_world":
            rows.append([f"clean F1 ({pages} {label}), issue 12's target",
                         f"{part['f1_ours']:.3f}", "", "", "≥ 0.94", yes(part["f1_ours"] >= 0.94)])
        rows.append([f"clean pages/s ({label})", f"{part['pages_per_s_ours']:.1f}",
                     f"{part['pages_per_s_baseline']:.1f}", f"{part['speed_ratio']:.2f}",
                     "≥ 0.67 (within 1.5x)", yes(part["speed_met"])])
    layouts = (data.get("layouts") or {}).get("totals")
    if layouts:
        pages = layouts["pages"]
        styles = len((data.get("layouts") or {}).get("per_layout") or {})
        rows += [
            [f"layouts: datelines found ({pages} pages, {styles} site styles)",
             str(layouts.get("datelines found", 0)), str(pages),
             f"{layouts.get('datelines found', 0) / pages:.2f}", "≥ 0.95",
             yes(layouts.get("datelines found", 0) / pages >= 0.95)],
            ["layouts: datelines invented", str(layouts.get("datelines invented", 0)), "", "",
             "0", yes(not layouts.get("datelines invented"))],
            ["layouts: pages with furniture left in the body",
             str(layouts.get("pages with leaks", 0)), "", "", "0",
             yes(not layouts.get("pages with leaks"))],
            ["layouts: the page's own date found", str(layouts.get("dates found", 0)),
             str(pages), f"{layouts.get('dates found', 0) / pages:.2f}", "1.0",
             yes(layouts.get("dates found", 0) == pages)],
        ]
    return rows


FETCH_CLEAN_TARGET = 0.6  # pipeline pages/s over a plain GET's, delay 0 on loopback


def fetch_clean_rows(data: dict) -> list[list[str]]:
    rows = []
    for r in data["results"]:
        raw = r["raw_get"]["pages_per_s"]
        ratio = r["pages_per_s"] / raw
        rows.append([f"fetch+clean pages/s ({r['pages']:,} pages)", f"{r['pages_per_s']:.1f}",
                     f"{raw:.1f} (plain GET)", f"{ratio:.2f}",
                     f"≥ {FETCH_CLEAN_TARGET} (issue 14)", yes(ratio >= FETCH_CLEAN_TARGET)])
        rows.append([f"fetch+clean bodies = gold ({r['pages']:,} pages)",
                     f"{r['check']['bodies_matching_gold']:,}", f"{r['pages']:,}",
                     f"{r['check']['bodies_matching_gold'] / r['pages']:.3f}", "1.0",
                     yes(r["check"]["bodies_matching_gold"] == r["pages"])])
    first, last = data["results"][0], data["results"][-1]
    rows.append([f"fetch+clean peak RSS MB ({last['pages']:,} vs {first['pages']:,} pages)",
                 f"{last['peak_rss_mb']:.0f}", f"{first['peak_rss_mb']:.0f}",
                 f"{data['memory_ratio']:.2f}", "≤ 1.25 (flat)", yes(data["memory_flat"])])
    return rows


def nlp_rows(out: Path) -> list[list[str]]:
    """bench_nlp.py writes markdown only: read its table back."""
    path = out / "nlp.md"
    if not path.exists():
        return []
    rows = []
    for line in path.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 6 and cells[0] in ("tr", "en"):
            lang, _docs, _tokens, raw, stage, overhead = cells
            ratio = float(stage.replace(",", "")) / float(raw.replace(",", ""))
            over = float(overhead.rstrip("%"))
            rows.append([f"NLP tokens/s ({lang})", stage, f"{raw} (raw stanza)",
                         f"{ratio:.2f}", "overhead < 15%", yes(over < 15)])
    return rows


def e2e_rows(data: dict) -> list[list[str]]:
    rows = [[f"end to end, a day of {data['articles']} articles (dag.test)",
             f"{data['wall_seconds']:.0f} s ({data['ms_per_article']:.0f} ms/article)",
             f"{data['stage_seconds_total']:.0f} s (stage work)",
             f"{data['wall_seconds'] / max(data['stage_seconds_total'], 1e-9):.2f}", "—",
             "—"]]
    for task in data["tasks"]:
        rows.append([f"  task {task['task']}", f"{task['seconds']:.1f} s", "", "", "", ""])
    return rows


def shard_rows(data: dict) -> list[list[str]]:
    def own(run: dict) -> float:  # the stage's own seconds (older results: process wall)
        return run.get("stage_s", run["seconds"])

    stage, day, n = data["stage"], data["whole_day"], data["articles"]
    single, sharded = stage["single"], stage["sharded"]
    # Older results read the template day; newer ones say which day they read.
    text = {"real": "real news sentences", "templates": "template text"}[
        data.get("text", "templates")]
    filed = stage.get("as_filed")  # older results: no stage as the issue found it
    stage_rows = [
        [f"NLP stage, a day of {n} articles ({text}), {data['workers']} workers "
         f"({sharded['result']['shards']} shards; the stages' own seconds)",
         f"{own(sharded):.0f} s ({1000 * own(sharded) / n:.0f} ms/article)",
         f"{own(filed):.0f} s (the stage as issue 14 found it: tree "
         f"{stage['issue_tree']}, one process)", f"{stage['ratio_as_filed']:.2f}x",
         f"≥ {stage['target']}", yes(stage["met"])],
        ["  the same, against this tree's own stage in one process", "",
         f"{own(single):.0f} s", f"{stage['ratio']:.2f}x", "", ""],
    ] if filed else [
        [f"NLP stage, a day of {n} articles, {data['workers']} workers "
         f"({sharded['result']['shards']} shards; the stage's own seconds)",
         f"{own(sharded):.0f} s ({1000 * own(sharded) / n:.0f} ms/article)",
         f"{own(single):.0f} s (one process)", f"{stage['ratio']:.2f}x",
         f"≥ {stage['target']}", yes(stage["met"])]]
    return [
        *stage_rows,
        [f"whole day ({text}), `newswire run --workers {data['workers']}`",
         f"{day['pipeline']['seconds']:.0f} s", f"{day['raw_stanza']['seconds']:.0f} s "
         "(raw stanza, one process)", f"{day['ratio_raw_over_pipeline']:.2f}",
         f"≥ {day['target']}", yes(day["met"])],
        *([["  the same, against stanza as newswire loads it (one process)", "",
            f"{day['raw_stanza_as_loaded']['seconds']:.0f} s",
            f"{day['ratio_as_loaded_over_pipeline']:.2f}", "", ""]]
          if "raw_stanza_as_loaded" in day else []),
        ["model load per annotate task (tr)",
         f"{data['model_load']['forked_load_s']:.1f} s (forked after preload)",
         f"{data['model_load']['fresh_load_s']:.1f} s (fresh process)", "", "", ""],
    ]


def celery_rows(data: dict) -> list[list[str]]:
    one, two = data["one_worker"], data["two_workers"]
    return [[f"annotate wall time on Celery, {data['articles']} articles "
             f"({two['annotate']['shards']} shards), 2 workers",
             f"{two['annotate']['wall_s']:.0f} s", f"{one['annotate']['wall_s']:.0f} s "
             "(1 worker)", f"{data['ratio']:.2f}x", f"≤ {data['target']}", yes(data["met"])]]


def warehouse_rows(out: Path) -> list[list[str]]:
    path = out / "warehouse.md"
    return [["warehouse", f"see {path.name}", "", "", "", ""]] if path.exists() else []


def measured_lines(out: Path, status: dict[str, tuple[int, float]]) -> list[str]:
    lines = []
    for name in status:
        data = load(out, name)
        if data and "machine" in data:
            lines.append(f"- {name}: {machine_line(data['machine'])}")
        elif (out / f"{name}.md").exists():
            load_line = re.search(r"^load average .*$", (out / f"{name}.md").read_text("utf-8"),
                                  re.MULTILINE)
            if load_line:
                lines.append(f"- {name}: {load_line.group(0)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="every bench in its smoke mode")
    parser.add_argument("--warehouse", action="store_true", help="also bench_warehouse")
    parser.add_argument("--celery", action="store_true", help="also bench_celery")
    parser.add_argument("--only", nargs="+", choices=["clean", "fetch_clean", "nlp", "e2e",
                                                      "shards", "warehouse", "celery"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--summarize", action="store_true",
                        help="run nothing: rebuild summary.md from the result files there")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / "newswire-bench-logs"
    logs.mkdir(parents=True, exist_ok=True)
    quick = ["--quick"] if args.quick else []
    stanza = os.environ.get("NEWSWIRE_STANZA_DIR") or str(SHARED / "models" / "stanza")
    os.environ.setdefault("NEWSWIRE_STANZA_DIR", stanza)
    plan = [("clean", "bench_clean.py", [*quick, "--out", str(out)]),
            ("fetch_clean", "bench_fetch_clean.py", [*quick, "--out", str(out)]),
            ("nlp", "bench_nlp.py", [*quick, "--out", str(out)]),
            ("e2e", "bench_e2e.py", [*quick, "--out", str(out)]),
            ("shards", "bench_shards.py", [*quick, "--out", str(out)])]
    if args.warehouse:
        plan.append(("warehouse", "bench_warehouse.py", ["--days", "30"] if args.quick else []))
    if (args.celery or (args.only and "celery" in args.only)
            or (args.summarize and (out / "celery.json").exists())):
        plan.append(("celery", "bench_celery.py", [*quick, "--out", str(out)]))
    if args.only:
        plan = [p for p in plan if p[0] in args.only]
    before = machine()
    status: dict[str, tuple[int, float]] = {}
    if args.summarize:
        status = {name: (0, 0.0) for name, _, _ in plan
                  if (out / f"{name}.json").exists() or (out / f"{name}.md").exists()}
        plan = []
    for name, script, script_args in plan:
        if name in ("nlp", "shards") and not (Path(stanza) / "tr" / "ner.pt").exists():
            print(f"nlp: skipped, no stanza models in {stanza}", flush=True)
            continue
        print(f"{name}: running {script} {' '.join(script_args)} (log {logs / name}.log)",
              flush=True)
        code, seconds = run(script, script_args, logs / f"{name}.log")
        status[name] = (code, seconds)
        print(f"{name}: exit {code} after {seconds:.0f}s", flush=True)

    rows: list[list[str]] = []
    failures = []
    for name, (code, _seconds) in status.items():
        loaded = ("clean", "fetch_clean", "e2e", "shards", "celery")
        data = load(out, name) if name in loaded else None
        if name in loaded and data is None:
            rows.append([name, "FAILED to run", "", "", "", f"see {logs / name}.log"])
            failures.append(name)
            continue
        if name == "clean":
            rows += clean_rows(data)
        elif name == "fetch_clean":
            rows += fetch_clean_rows(data)
        elif name == "nlp":
            rows += nlp_rows(out)
        elif name == "e2e":
            rows += e2e_rows(data)
        elif name == "shards":
            rows += shard_rows(data)
        elif name == "celery":
            rows += celery_rows(data)
        elif name == "warehouse":
            rows += warehouse_rows(BENCH / "results")  # it writes there only
        if code != 0:
            failures.append(name)
    after = machine()
    memory = []
    fetch_clean = load(out, "fetch_clean") if "fetch_clean" in status else None
    if fetch_clean:
        for r in fetch_clean["results"]:
            memory.append(f"- fetch+clean {r['pages']:,} pages ({r['days']} days of "
                          f"{r['per_day']}): RSS after start-up {r['rss_start_mb']:.0f} MB, "
                          f"peak {r['peak_rss_mb']:.0f} MB, at the end "
                          f"{r['rss_end_mb']:.0f} MB; plain GET peak "
                          f"{r['raw_get']['peak_rss_mb']:.0f} MB"
                          + (f"; the largest of {r['workers']} cleaning workers peak "
                             f"{r['clean_worker_peak_rss_mb']:.0f} MB"
                             if r.get("clean_worker_peak_rss_mb") else ""))
        memory.append(f"- peak ratio {fetch_clean['memory_ratio']:.2f}: "
                      f"{'flat' if fetch_clean['memory_flat'] else 'NOT flat'}")
    nlp_md = out / "nlp.md"
    if "nlp" in status and nlp_md.exists():
        peak = re.search(r"peak RSS: ([\d,]+) MB", nlp_md.read_text("utf-8"))
        if peak:
            memory.append(f"- NLP bench peak RSS {peak.group(1)} MB (stanza tr + en loaded)")
    md = "\n".join([
        "# Benchmark summary", "",
        (f"Rebuilt from the result files ({machine_line(after)})."
         if args.summarize else
         f"`bench/run_all.py{' --quick' if args.quick else ''}`: started "
         f"{machine_line(before)}; finished {machine_line(after)}.")
        + " The machine is shared (2 cores): absolute figures move with the load, the "
        "ratios are measured in the same run against a baseline on the same pages.", "",
        table(["bench", "ours", "baseline", "ratio", "target", "met?"], rows), "",
        "## Memory", "", *(memory or ["(fetch+clean not run)"]), "",
        "## When and under what load", "", *measured_lines(out, status), "",
        "Details: " + ", ".join(f"`{n}.md`" for n in status) + " in this folder; logs in "
        f"`{logs}`.",
    ])
    (out / "summary.md").write_text(md + "\n", encoding="utf-8")
    print(md)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
