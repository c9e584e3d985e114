"""The pipeline's stages, as plain functions the DAG's tasks and the CLI both call:

    discover_source -> fetch_source -> clean_source -> publish
                                                    -> annotate_source -> publish
                       (or, sharded: plan_shards -> annotate_shard ... -> gather_shards)

Each stage reads the manifest of the one before (a path) and writes its own, with the
Parquet files it staged; ``publish`` moves staged files into the lake and records the
run. ``run_interval`` runs them all, a day at a time, as the daily DAG does.
"""

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
    run_mode,
)
from newswire.stages.discover import discover_source
from newswire.stages.fetch import fetch_source
from newswire.stages.publish import (
    SourcesNotRead,
    check_sources_read,
    publish,
    record_run,
)
from newswire.stages.run import run_interval
from newswire.stages.shards import (
    ShardRunner,
    annotate_shard,
    gather_shards,
    plan_shards,
    preload_models,
    use_torch_threads,
)

__all__ = [
    "MODES", "Annotated", "Cleaned", "Discovered", "Fetched", "ShardRunner", "SourcesNotRead",
    "StageManifest", "StagedFile", "annotate_articles", "annotate_shard", "annotate_source",
    "check_sources_read", "clean_source",
    "days_in", "discover_source", "fetch_and_clean", "fetch_source", "gather_shards",
    "list_sources",
    "plan_shards", "preload_models", "publish", "record_run", "run_interval", "run_mode",
    "use_torch_threads",
]
