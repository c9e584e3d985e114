"""Helpers every benchmark shares: paths, peak memory, machine load, result files."""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
SHARED = REPO.parent / "shared"
if str(REPO / "include") not in sys.path:
    sys.path.insert(0, str(REPO / "include"))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Resident memory now, from /proc (the peak alone hides what a stage left behind)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return float("nan")


def machine() -> dict[str, object]:
    """What the figures were measured on: the load matters on a shared 2-core box."""
    load = os.getloadavg()
    return {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(), "load_1m": round(load[0], 2), "load_5m": round(load[1], 2),
            "python": platform.python_version()}


def machine_line(info: dict[str, object]) -> str:
    return (f"measured {info['measured_at']} on {info['cpus']} CPUs, load average "
            f"{info['load_1m']} (1 min) / {info['load_5m']} (5 min), Python {info['python']}")


def write_results(name: str, markdown: str, data: dict, out_dir: Path = RESULTS) -> Path:
    """``<name>.md`` for people and ``<name>.json`` for run_all.py and the smoke test."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.md").write_text(markdown.rstrip() + "\n", encoding="utf-8")
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    return path


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
