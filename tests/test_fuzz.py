"""The atheris fuzz targets in fuzz/, each run briefly as a subprocess: an exception that
escapes a target (or a failed invariant) makes atheris exit non-zero with the input.
``make fuzz`` runs them for longer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

FUZZ = REPO / "fuzz"
# (target, runs, seconds): whichever limit comes first ends a target. The cleaner is the
# slowest (trafilatura, lxml), so it gets time rather than a run count.
TARGETS = [("clean", 100_000, 8), ("feed", 3000, 8), ("sitemap", 3000, 8),
           ("quantities", 1500, 8), ("timex", 1500, 8), ("quotes", 1500, 8)]


def fuzz(target: str, tmp_path: Path, *flags: str, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess:
    # Crash reproducers land in tmp_path, never in the checkout.
    return subprocess.run(
        [sys.executable, str(FUZZ / f"fuzz_{target}.py"), "-max_len=2048", "-len_control=0",
         f"-artifact_prefix={tmp_path}/", *flags],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})})


def test_every_surface_has_a_target() -> None:
    assert sorted(p.stem for p in FUZZ.glob("fuzz_*.py")) == sorted(
        f"fuzz_{t}" for t, _, _ in TARGETS)


@pytest.mark.parametrize(("target", "runs", "seconds"), TARGETS,
                         ids=[t for t, _, _ in TARGETS])
def test_fuzz_target_runs_clean(target: str, runs: int, seconds: int, tmp_path: Path
                                ) -> None:
    result = fuzz(target, tmp_path, f"-runs={runs}", f"-max_total_time={seconds}", "-seed=1")
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Done " in result.stderr and "Instrumenting newswire" in result.stderr
    assert not list(tmp_path.glob("crash-*"))


def test_a_crash_is_reported(tmp_path: Path) -> None:
    """The harness notices an escaping exception (so a clean run above means something)."""
    result = fuzz("quotes", tmp_path, "-runs=10", env={"NEWSWIRE_FUZZ_SELFTEST": "1"})
    assert result.returncode != 0
    assert "fuzz self-test: this crash must be reported" in result.stdout + result.stderr
    assert list(tmp_path.glob("crash-*"))
