"""The pipeline's stages, as plain functions the DAG's tasks and the CLI both call:

    discover_source -> fetch_source -> clean_source -> publish
                                                    -> annotate_source -> publish
                       (or, sharded: plan_shards -> annotate_shard ... -> gather_shards)

Each stage reads the manifest of the one before (a path) and writes its own, with the
Parquet files it staged; ``publish`` moves staged files into the lake and records the
run. ``run_interval`` runs them all, a day at a time, as the daily DAG does.

The names below load with their module on first use (PEP 562), not with the package: an
NLP process (a pool's, or a DAG's annotate task) imports only what annotating needs, and
``newswire run`` starts its NLP pool before it imports the fetching and cleaning side.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newswire.stages.annotate import annotate_articles, annotate_source
    from newswire.stages.clean import clean_source, fetch_and_clean
    from newswire.stages.common import (
        MODES,
        Annotated,
        Cleaned,
        Discovered,
        Fetched,
        StagedFile,
        StageManifest,
        days_in,
        list_sources,
        load_source,
        run_mode,
    )
    from newswire.stages.discover import discover_source
    from newswire.stages.fetch import fetch_source
    from newswire.stages.run import run_interval
    from newswire.stages.shards import (
        ShardRunner,
        annotate_shard,
        gather_shards,
        plan_shards,
        preload_models,
        use_torch_threads,
    )

# Imported now, not on first use: importing the module ``newswire.stages.publish`` would
# otherwise set this package's ``publish`` to that module, over the function.
from newswire.stages.publish import SourcesNotRead, check_sources_read, publish, record_run

# name -> the module of this package that defines it (loaded on first use)
_MODULE_OF = {
    **dict.fromkeys(["annotate_articles", "annotate_source"], "annotate"),
    **dict.fromkeys(["clean_source", "fetch_and_clean"], "clean"),
    **dict.fromkeys(["MODES", "Annotated", "Cleaned", "Discovered", "Fetched", "StagedFile",
                     "StageManifest", "days_in", "list_sources", "load_source", "run_mode"],
                    "common"),
    "discover_source": "discover",
    "fetch_source": "fetch",
    "run_interval": "run",
    **dict.fromkeys(["ShardRunner", "annotate_shard", "gather_shards", "plan_shards",
                     "preload_models", "use_torch_threads"], "shards"),
}

__all__ = [
    "MODES", "Annotated", "Cleaned", "Discovered", "Fetched", "ShardRunner", "SourcesNotRead",
    "StageManifest", "StagedFile", "annotate_articles", "annotate_shard", "annotate_source",
    "check_sources_read", "clean_source",
    "days_in", "discover_source", "fetch_and_clean", "fetch_source", "gather_shards",
    "list_sources", "load_source",
    "plan_shards", "preload_models", "publish", "record_run", "run_interval", "run_mode",
    "use_torch_threads",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value  # found once; later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})
