"""Data-quality gates: DuckDB SQL checks in ``include/sql/checks``, run after a stage.

Each check file starts with ``-- name:``, ``-- stage:`` (publish or annotate) and
``-- severity:`` (fail or warn) lines and returns one row with a ``message`` column per
problem; no rows means the check passed. Parameters are bound, never formatted in:
``$source``, ``$day``, ``$schema_version``, ``$day_files`` (the day's partition files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from newswire.catalog import connect
from newswire.config import Settings
from newswire.constants import TABLES
from newswire.schema import SCHEMA_VERSION
from newswire.store import Partition

CHECKS_DIR = Path(__file__).resolve().parents[1] / "sql" / "checks"


@dataclass(frozen=True)
class Check:
    name: str
    stage: str
    severity: str
    sql: str


@dataclass
class Finding:
    check: str
    severity: str
    source: str
    day: date
    message: str


class QualityGateFailed(RuntimeError):
    """One or more ``fail`` checks found problems; the message lists them."""


def load_checks(directory: Path = CHECKS_DIR) -> list[Check]:
    checks = []
    for path in sorted(directory.glob("*.sql")):
        text = path.read_text("utf-8")
        head = dict(re.findall(r"^--\s*(name|stage|severity):\s*(\S+)", text, re.M))
        if set(head) != {"name", "stage", "severity"} or head["severity"] not in ("fail",
                                                                               "warn"):
            raise ValueError(f"{path}: needs -- name:, -- stage:, -- severity: fail|warn")
        checks.append(Check(head["name"], head["stage"], head["severity"], text))
    return checks


def run_checks(settings: Settings, stage: str, sources: list[str], day: date,
               ) -> list[Finding]:
    findings: list[Finding] = []
    checks = [c for c in load_checks() if c.stage == stage]
    with connect(settings.catalog, settings.lake) as con:
        for source in sources:
            files = list(settings.lake.committed_files(
                Partition(table, source, day) for table in TABLES).values())
            files = files or ["/dev/null/none.parquet"]
            params = {"source": source, "day": day, "schema_version": SCHEMA_VERSION,
                      "day_files": files}
            for check in checks:
                wanted = {k: v for k, v in params.items()
                          if re.search(rf"\${k}\b", check.sql)}
                if wanted.get("day_files") == ["/dev/null/none.parquet"]:
                    continue
                rows = con.execute(check.sql, wanted).fetchall()
                findings += [Finding(check.name, check.severity, source, day, row[0])
                             for row in rows]
    return findings


def gate(settings: Settings, stage: str, sources: list[str], day: date) -> list[Finding]:
    """Run the stage's checks; raise naming every failing check, return the warnings."""
    findings = run_checks(settings, stage, sources, day)
    failures = [f for f in findings if f.severity == "fail"]
    if failures:
        raise QualityGateFailed("; ".join(f"{f.check}: {f.message}" for f in failures))
    return findings
