"""Settings read once from the environment, with defaults for a local run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from newswire.clock import SYSTEM_CLOCK, Clock

# The lake's code (pyarrow: ~0.3 s to import) is imported when Settings are made, not
# with this module: ``newswire run`` reads the sources file's name and the torch threads
# from here before anything heavy, to start its NLP fork server first (see cli.py).
if TYPE_CHECKING:
    from newswire.store import Store

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_SOURCES_FILE = REPO_ROOT / "include" / "sources.yaml"


@dataclass(frozen=True)
class Settings:
    lake: Store
    catalog: Path
    sources_file: Path
    staging: Path
    user_agent: str
    # Sharded NLP: a day's articles are annotated in shards of about this many
    # characters of body (NEWSWIRE_SHARD_CHARS), each a task or a pool process of its
    # own with this many torch threads (NEWSWIRE_TORCH_THREADS): stanza's small LSTMs
    # barely use a second thread, a second process doubles the work done.
    shard_chars: int = 120_000
    torch_threads: int = 1
    # The DAG rounds a day's number of shards up to a multiple of this
    # (NEWSWIRE_SHARD_MULTIPLE): the deployment's annotate slots (workers x concurrency),
    # so the slots finish a day together rather than one taking the odd shard alone.
    shard_multiple: int = 1
    # What fetchers wait with (politeness, back-off); tests hand in one that does not sleep.
    clock: Clock = field(default=SYSTEM_CLOCK, compare=False, repr=False)

    def __post_init__(self) -> None:
        from newswire.store import open_store

        # Callers (tests, scripts) may hand a Path or an s3:// string.
        object.__setattr__(self, "lake", open_store(self.lake))

    @classmethod
    def from_env(cls) -> Settings:
        """``NEWSWIRE_LAKE`` is a directory or ``s3://bucket/prefix`` (keys and endpoint
        from the standard AWS variables). The catalog and staging are always local files:
        for an S3 lake they default to ``newswire.duckdb`` and ``staging/`` in the project
        root (set ``NEWSWIRE_STAGING`` to a volume every worker shares)."""
        from newswire.store import LakeError, LocalStore, open_store

        lake = open_store(os.environ.get("NEWSWIRE_LAKE", REPO_ROOT / "lake"))
        beside = lake.root.parent if isinstance(lake, LocalStore) else REPO_ROOT
        catalog = Path(os.environ.get("NEWSWIRE_CATALOG", beside / "newswire.duckdb")).resolve()
        # Staging holds a run's intermediate files (paths travel in XComs). Beside a
        # local lake, so a rename into the lake never crosses devices.
        default_staging = (lake.root / "_staging" if isinstance(lake, LocalStore)
                           else REPO_ROOT / "staging")
        staging_text = os.environ.get("NEWSWIRE_STAGING") or str(default_staging)
        if "://" in staging_text:
            raise LakeError(f"NEWSWIRE_STAGING must be a filesystem path (a volume shared "
                             f"by the workers), not {staging_text!r}")
        agent = os.environ.get(
            "NEWSWIRE_USER_AGENT", "newswire/0.1 (+https://example.invalid/newswire-bot)"
        )
        return cls(lake=lake, catalog=catalog, sources_file=sources_file_from_env(),
                   staging=Path(staging_text).resolve(), user_agent=agent,
                   shard_chars=_positive_int("NEWSWIRE_SHARD_CHARS", 120_000),
                   torch_threads=torch_threads_from_env(),
                   shard_multiple=_positive_int("NEWSWIRE_SHARD_MULTIPLE", 1))


def sources_file_from_env() -> Path:
    return Path(os.environ.get("NEWSWIRE_SOURCES", DEFAULT_SOURCES_FILE)).resolve()


def torch_threads_from_env() -> int:
    return _positive_int("NEWSWIRE_TORCH_THREADS", 1)


def _positive_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, not {text!r}")
    return value
