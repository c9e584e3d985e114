"""Settings read once from the environment, with defaults for a local run."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_SOURCES_FILE = REPO_ROOT / "include" / "sources.yaml"


@dataclass(frozen=True)
class Settings:
    lake: Path
    catalog: Path
    sources_file: Path
    staging: Path
    user_agent: str

    @classmethod
    def from_env(cls) -> Settings:
        lake = Path(os.environ.get("NEWSWIRE_LAKE", REPO_ROOT / "lake")).resolve()
        catalog = Path(
            os.environ.get("NEWSWIRE_CATALOG", lake.parent / "newswire.duckdb")
        ).resolve()
        sources = Path(os.environ.get("NEWSWIRE_SOURCES", DEFAULT_SOURCES_FILE)).resolve()
        # Staging holds a run's intermediate files (paths travel in XComs);
        # it lives beside the lake so a rename into the lake never crosses devices.
        staging = Path(os.environ.get("NEWSWIRE_STAGING", lake / "_staging")).resolve()
        agent = os.environ.get(
            "NEWSWIRE_USER_AGENT", "newswire/0.1 (+https://example.invalid/newswire-bot)"
        )
        return cls(lake=lake, catalog=catalog, sources_file=sources, staging=staging,
                   user_agent=agent)
