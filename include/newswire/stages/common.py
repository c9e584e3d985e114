"""What the stages share: the typed manifests they hand each other, the staging area,
the UTC days of an interval, run modes, and the lock for a partition's read-merge-write.

Stages hand each other *paths* (small JSON manifests in the staging area), never data:
a manifest says what the stage did (typed counts, errors) and which staged Parquet files
it wrote for which partitions (:class:`StagedFile`); ``publish`` moves those into the lake.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import json
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from newswire.config import Settings
from newswire.schema import to_table
from newswire.store import Partition
from newswire.store.base import write_parquet

if TYPE_CHECKING:  # loaded when first needed: an NLP process never fetches, and never
    # reads the sources file (pydantic, and the cleaner its profile check imports)
    from newswire.discover import DiscoveredItem
    from newswire.fetch import FetchAttempt, Fetcher
    from newswire.sources import Source

MODES = ("daily", "backfill", "refetch", "reprocess_only")


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def days_in(start: datetime, end: datetime) -> Iterator[date]:
    """UTC days that [start, end) touches; a day run yields exactly one."""
    day = utc(start).date()
    last = (utc(end) - timedelta(microseconds=1)).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def run_mode(run_type: str | None, refetch: bool = False, reprocess_only: bool = False) -> str:
    """How a run treats stored pages:

    - ``daily``: discover and fetch (conditional GET against what is stored);
    - ``backfill``: days whose raw pages are stored are rebuilt from the raw zone (no
      network); other days are discovered from the archive (sitemaps) and fetched;
    - ``refetch``: discover and fetch every page again, ignoring ETags;
    - ``reprocess_only``: no network at all, rebuild from the raw zone.
    """
    if reprocess_only:
        return "reprocess_only"
    if refetch:
        return "refetch"
    return "backfill" if (run_type or "").lower().startswith("backfill") else "daily"


def list_sources(settings: Settings, only: list[str] | None = None) -> list[str]:
    from newswire.sources import load_sources

    return [s.id for s in load_sources(settings.sources_file, only=only)]


def load_source(settings: Settings, source_id: str) -> Source:
    from newswire.sources import load_sources

    return load_sources(settings.sources_file, only=[source_id])[0]


def fetcher_for(settings: Settings, source: Source) -> Fetcher:
    from newswire.fetch import Fetcher

    # Per-host slots shared by every process using this lake (concurrent DAG runs).
    return Fetcher(source.politeness, source.allowed_domains, settings.user_agent,
                   clock=settings.clock, host_state_dir=settings.staging / "_hosts")


def run_dir(settings: Settings, run_id: str, source: str) -> Path:
    """The staging folder of one run and source: its manifests and staged files."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id)
    return settings.staging / safe / source


@contextlib.contextmanager
def partition_lock(settings: Settings, partition: Partition) -> Iterator[None]:
    """An exclusive lock on one partition for a read-merge-write, shared by every process
    that uses this staging area (one machine, or a volume all workers mount)."""
    folder = settings.staging / "_locks"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{partition.table}-{partition.source}-{partition.day.isoformat()}.lock"
    with open(folder / name, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- staged files ------------------------------------------------------------------------
@dataclass(frozen=True)
class StagedFile:
    """A Parquet file a stage wrote for one partition of its source. ``publish`` makes it
    the partition; with a ``merge_key`` the partition becomes its rows plus the stored
    rows whose key is in ``keep`` (pages the run found and left as stored: answered 304,
    or failed), read when it publishes (:func:`replace_rows`)."""

    table: str
    day: date
    path: str
    rows: int
    merge_key: str | None = None
    keep: list[str] = field(default_factory=list)

    def partition(self, source: str) -> Partition:
        return Partition(self.table, source, self.day)


def stage_rows(folder: Path, table: str, day: date, rows: list[Any],
               merge_key: str | None = None, keep: list[str] | None = None) -> StagedFile:
    """Write a partition's rows (row models) as a staged Parquet file."""
    if merge_key is not None and rows and not isinstance(rows[0], Mapping):
        # Put in the key's order as rows (a stable sort, as Arrow's), so that the table
        # is written as it is rather than copied whole, page bodies and all, by a sort.
        keys = [getattr(row, merge_key) for row in rows]
        if None not in keys:
            rows = [rows[i] for i in sorted(range(len(rows)), key=keys.__getitem__)]
    return stage_table(folder, table, day, to_table(table, rows), merge_key, keep)


def stage_table(folder: Path, table: str, day: date, data: pa.Table,
                merge_key: str | None = None, keep: list[str] | None = None) -> StagedFile:
    folder.mkdir(parents=True, exist_ok=True)
    if merge_key is not None and not _in_order(data[merge_key]):
        # In the partition's order: publish may take it as it is.
        data = data.sort_by(merge_key)
    path = folder / f"{table}-{day.isoformat()}.parquet"
    tmp = path.with_name(path.name + ".tmp")
    write_parquet(data, tmp)
    tmp.replace(path)  # a retried task never leaves half a file behind
    return StagedFile(table, day, str(path), data.num_rows, merge_key, sorted(keep or []))


def _in_order(keys: pa.ChunkedArray) -> bool:
    """Whether a column is already in the order a stable sort by it gives (no nulls:
    Arrow puts them last)."""
    values = keys.to_pylist()
    return None not in values and values == sorted(values)


def replace_rows(stored: pa.Table, fresh: pa.Table, key: str, keep: list[str]) -> pa.Table:
    """What a run found for a partition: its ``fresh`` rows, and the ``stored`` rows whose
    key is in ``keep`` and not among the fresh ones; every other stored row goes (a rerun
    replaces the day). Sorted by key, done in Arrow (page bodies never become Python
    objects)."""
    wanted = pa.array(sorted(set(keep)), type=pa.string())
    kept = stored.filter(pc.and_(pc.is_in(stored[key], value_set=wanted),
                                 pc.invert(pc.is_in(stored[key], value_set=fresh[key]))))
    schema = fresh.schema
    merged = pa.concat_tables([kept.select(schema.names).cast(schema), fresh])
    return merged.sort_by(key)


# -- manifests ---------------------------------------------------------------------------
@dataclass(kw_only=True)
class StageManifest:
    """What one stage did for one source over one interval; saved as JSON in staging."""

    stage: ClassVar[str]
    run_id: str
    source: str
    start: datetime
    end: datetime
    mode: str = "daily"
    errors: list[str] = field(default_factory=list)
    files: list[StagedFile] = field(default_factory=list)
    seconds: float = 0.0

    def days(self) -> Iterator[date]:
        return days_in(self.start, self.end)

    def staged(self, table: str) -> dict[date, StagedFile]:
        return {f.day: f for f in self.files if f.table == table}

    def save(self, folder: Path) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.stage}.json"
        tmp = path.with_suffix(".tmp")
        data = {"stage": self.stage, **_encode(self)}
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(path)
        return str(path)

    @staticmethod
    def load(path: str | Path, *, summary: bool = False) -> StageManifest:
        """The manifest saved at ``path``. ``summary``: without the records it lists
        (discovered items, listing requests, staged files: left empty), for readers of
        its counts, errors and interval only (a day's items are most of its decoding)."""
        data = json.loads(Path(path).read_text("utf-8"))
        kind = MANIFESTS[data.pop("stage")]
        if summary:
            for name in LISTED:
                data.pop(name, None)
        return _decode(kind, data)


@dataclass(kw_only=True)
class DiscoverCounts:
    discovered: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> items dropped


@dataclass(frozen=True)
class ListingRequest:
    """One request made to read a feed or a sitemap (``purpose``), for the fetch log."""

    purpose: str
    attempt: FetchAttempt


@dataclass(kw_only=True)
class Discovered(StageManifest):
    stage: ClassVar[str] = "discover"
    counts: DiscoverCounts = field(default_factory=DiscoverCounts)
    items: list[DiscoveredItem] = field(default_factory=list)
    requests: list[ListingRequest] = field(default_factory=list)
    skip_days: list[date] = field(default_factory=list)  # rebuilt from the raw zone


@dataclass(kw_only=True)
class FetchCounts:
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    kept_stored: int = 0
    days_from_raw_zone: int = 0


@dataclass(kw_only=True)
class Fetched(StageManifest):
    stage: ClassVar[str] = "fetch"
    counts: FetchCounts = field(default_factory=FetchCounts)
    skip_days: list[date] = field(default_factory=list)


@dataclass(kw_only=True)
class CleanCounts:
    cleaned: int = 0
    failed: int = 0


@dataclass(kw_only=True)
class Cleaned(StageManifest):
    """``files``: the fetched pages and fetch log carried over from fetch, and the
    articles: everything the daily DAG's ``publish`` task publishes."""

    stage: ClassVar[str] = "clean"
    counts: CleanCounts = field(default_factory=CleanCounts)


@dataclass(kw_only=True)
class AnnotateCounts:
    articles: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # NLP table -> rows


@dataclass(kw_only=True)
class Annotated(StageManifest):
    stage: ClassVar[str] = "annotate"
    counts: AnnotateCounts = field(default_factory=AnnotateCounts)
    model: str | None = None  # the stanza models' identity; None when skipped


MANIFESTS: dict[str, type[StageManifest]] = {
    m.stage: m for m in (Discovered, Fetched, Cleaned, Annotated)}
# The fields of manifests that list records, one per page or file (see load's summary).
LISTED = ("items", "requests", "files")

_SCALARS = (str, int, float, type(None))  # bool is an int


def _encode(value: Any) -> Any:
    """A record as JSON values: dataclasses field by field, dates in ISO 8601."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    names = _field_names(type(value))
    if names is not None:
        return {name: _encode(getattr(value, name)) for name in names}
    return value


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names, once per class (a manifest lists a day's pages, and
    asking dataclasses for them again for each record was most of encoding one); None
    for any other type."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


@functools.cache
def _type_hints(kind: type) -> dict[str, Any]:
    """A record class's resolved hints, once per class (resolving them is slow). The
    fetch side's types are imported only for the records that name them."""
    try:
        return typing.get_type_hints(kind)
    except NameError:
        from newswire.discover import DiscoveredItem
        from newswire.fetch import FetchAttempt

        return typing.get_type_hints(kind, localns={"DiscoveredItem": DiscoveredItem,
                                                    "FetchAttempt": FetchAttempt})


def _decode(kind: Any, value: Any) -> Any:
    """The inverse of :func:`_encode`, led by the type hints of the record classes."""
    return _decoder(kind)(value)


def _identity(value: Any) -> Any:
    return value


@functools.cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """A function decoding JSON values of ``kind``, built once per type: a manifest
    lists a day's pages, and reading the type hints again for each of them was most of
    the cost of loading one."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        inner = _decoder(options[0])
    elif origin is list:
        (item,) = typing.get_args(kind)
        each = _decoder(item)

        def inner(value: Any) -> Any:
            return [each(v) for v in value]
    elif origin is dict:
        _, item = typing.get_args(kind)
        each = _decoder(item)

        def inner(value: Any) -> Any:
            return {k: each(v) for k, v in value.items()}
    elif kind is datetime:
        inner = datetime.fromisoformat
    elif kind is date:
        inner = date.fromisoformat
    elif dataclasses.is_dataclass(kind):
        hints = _type_hints(kind)
        fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(kind)]

        def inner(value: Any) -> Any:
            return kind(**{name: decode(value[name]) for name, decode in fields
                           if name in value})
    else:
        inner = _identity

    def decode(value: Any) -> Any:
        return None if value is None else inner(value)
    return decode


def save_record(record: Any, path: Path) -> str:
    """A record (a dataclass) as a JSON file, written whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(_encode(record), ensure_ascii=False, indent=1), "utf-8")
    tmp.replace(path)
    return str(path)


def load_record(kind: type, path: str | Path) -> Any:
    return _decode(kind, json.loads(Path(path).read_text("utf-8")))
