"""The pipeline's stages, as plain functions the DAG's tasks and the CLI both call.

Stages hand each other *paths* (small JSON manifests in the staging area), never
data. Incremental state is explicit: a day's partition in the lake.

    discover_source -> fetch_source -> clean_source -> publish
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from newswire import PIPELINE_VERSION
from newswire.catalog import refresh_catalog
from newswire.clean import CleanError, clean_html, with_templates
from newswire.clean.templates import TemplateStore, day_stats, raw_digest, state_for_day
from newswire.config import Settings
from newswire.discover import Discovery, discover
from newswire.fetch import Fetcher
from newswire.lake import (
    NLP_TABLES,
    delete_files,
    partition_rows,
    publish_file,
    read_partition,
    schema_for,
    to_table,
    write_partition,
)
from newswire.records import Article
from newswire.sources import Source, load_sources
from newswire.urls import article_id

log = logging.getLogger("newswire")


@dataclass
class StageManifest:
    """What one stage did for one source over one interval; saved as JSON in staging."""

    stage: str
    run_id: str
    source: str
    start: str
    end: str
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    mode: str = "daily"
    skip_days: list[str] = field(default_factory=list)

    def save(self, path: Path) -> str:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(path)
        return str(path)

    @classmethod
    def load(cls, path: str | Path) -> StageManifest:
        return cls(**json.loads(Path(path).read_text("utf-8")))


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def days_in(start: datetime, end: datetime) -> Iterator[date]:
    """UTC days that [start, end) touches; a day run yields exactly one."""
    day = utc(start).date()
    last = (utc(end) - timedelta(microseconds=1)).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _run_dir(settings: Settings, run_id: str, source: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", run_id)
    return settings.staging / safe / source


def _source(settings: Settings, source_id: str) -> Source:
    return load_sources(settings.sources_file, only=[source_id])[0]


def _fetcher(settings: Settings, source: Source) -> Fetcher:
    # Per-host slots shared by every process using this lake (concurrent DAG runs).
    return Fetcher(source.politeness, source.allowed_domains, settings.user_agent,
                   host_state_dir=settings.staging / "_hosts")


MODES = ("daily", "backfill", "refetch", "reprocess_only")


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


def stored_days(settings: Settings, source_id: str, start: datetime, end: datetime
                ) -> list[str]:
    """Days of the interval whose raw zone holds pages for this source."""
    days = []
    for day in days_in(start, end):
        if partition_rows(settings.lake, "raw_pages", source_id, day) > 0:
            days.append(day.isoformat())
    return days


def list_sources(settings: Settings, only: list[str] | None = None) -> list[str]:
    return [s.id for s in load_sources(settings.sources_file, only=only)]


# -- discover -----------------------------------------------------------------------
def discover_source(settings: Settings, source_id: str, start: datetime, end: datetime,
                    run_id: str, mode: str = "daily") -> str:
    started = time.monotonic()
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
    source = _source(settings, source_id)
    skip: list[str] = []
    if mode in ("backfill", "reprocess_only"):
        skip = stored_days(settings, source_id, start, end)
    all_days = [d.isoformat() for d in days_in(start, end)]
    if mode == "reprocess_only" or (skip and set(skip) >= set(all_days)):
        found = Discovery([], [], [], {})  # rebuilt from the raw zone: no network
    else:
        found = discover(source, _fetcher(settings, source), utc(start), utc(end))
    out = _run_dir(settings, run_id, source_id)
    items = [{"url": i.url, "found_via": i.found_via, "listed_in": i.listed_in,
              "published_at": i.published_at.isoformat() if i.published_at else None,
              "title": i.title} for i in found.items
             if i.published_at and utc(i.published_at).date().isoformat() not in skip]
    (out).mkdir(parents=True, exist_ok=True)
    (out / "discovered.json").write_text(json.dumps(items, ensure_ascii=False, indent=1),
                                         "utf-8")
    attempts = [{"purpose": purpose, **vars(a)} for purpose, a in found.attempts]
    (out / "discovery_attempts.json").write_text(json.dumps(attempts, default=str), "utf-8")
    manifest = StageManifest(
        "discover", run_id, source_id, utc(start).isoformat(), utc(end).isoformat(),
        counts={"discovered": len(items), **{f"skipped_{k}": v for k, v in
                                              found.skipped.items()}},
        errors=found.errors,
        files={"discovered": str(out / "discovered.json"),
               "attempts": str(out / "discovery_attempts.json")},
        seconds=round(time.monotonic() - started, 3), mode=mode,
        skip_days=skip if mode != "reprocess_only" else all_days,
    )
    for error in found.errors:
        log.warning("discover %s: %s", source_id, error)
    log.info("discover %s %s..%s: %d items", source_id, start, end, len(items))
    return manifest.save(out / "discover.json")


# -- fetch ----------------------------------------------------------------------------
def fetch_source(settings: Settings, discover_manifest: str, *, refetch: bool = False) -> str:
    """Fetch the discovered pages into raw_pages (merged with what is stored) and
    write the run's fetch_log. Failed pages are logged and keep any stored copy. Days
    rebuilt from the raw zone (backfill, reprocess_only) are left as they are."""
    started = time.monotonic()
    disc = StageManifest.load(discover_manifest)
    refetch = refetch or disc.mode == "refetch"
    source = _source(settings, disc.source)
    fetcher = _fetcher(settings, source)
    items = json.loads(Path(disc.files["discovered"]).read_text("utf-8"))
    discovery_attempts = json.loads(Path(disc.files["attempts"]).read_text("utf-8"))
    counts = {"fetched": 0, "not_modified": 0, "failed": 0, "kept_stored": 0}
    errors: list[str] = []
    start, end = datetime.fromisoformat(disc.start), datetime.fromisoformat(disc.end)
    for day in days_in(start, end):
        if day.isoformat() in disc.skip_days:
            counts["days_from_raw_zone"] = counts.get("days_from_raw_zone", 0) + 1
            continue
        stored = {row["url"]: row for row in
                  read_partition(settings.lake, "raw_pages", source.id, day).to_pylist()}
        # Feed and sitemap requests belong to the interval's first day.
        log_rows = ([_log_row(disc.run_id, a["purpose"], a) for a in discovery_attempts]
                    if day == utc(start).date() else [])
        day_items = [i for i in items
                     if datetime.fromisoformat(i["published_at"]).astimezone(UTC).date() == day]
        fresh: dict[str, dict] = {}
        for item in day_items:
            url = item["url"]
            previous = stored.get(url)
            conditional = previous and not refetch
            result = fetcher.fetch(
                url,
                etag=previous.get("etag") if conditional else None,
                last_modified=previous.get("last_modified") if conditional else None,
            )
            log_rows.extend(_log_row(disc.run_id, "page", vars(a), url)
                            for a in result.attempts)
            if result.not_modified and previous:
                counts["not_modified"] += 1
                continue
            if not result.ok or result.body is None:
                counts["failed"] += 1
                errors.append(f"{url}: {result.error}")
                log.warning("fetch %s failed: %s", url, result.error)
                if previous:
                    counts["kept_stored"] += 1
                continue
            counts["fetched"] += 1
            fresh[url] = {
                "url": url,
                "final_url": result.final_url,
                "article_id": article_id(url),
                "fetched_at": result.attempts[-1].fetched_at,
                "status": result.status,
                "content_type": result.headers.get("content-type"),
                "etag": result.headers.get("etag"),
                "last_modified": result.headers.get("last-modified"),
                "found_via": item["found_via"],
                "listed_in": item["listed_in"],
                "listed_published_at": datetime.fromisoformat(item["published_at"]),
                "listed_title": item.get("title"),
                "body": result.body,
                "body_sha256": hashlib.sha256(result.body).hexdigest(),
                "bytes": len(result.body),
                "run_id": disc.run_id,
                "pipeline_version": PIPELINE_VERSION,
            }
        # Another run of the same day (a backfill beside the daily run) may have stored
        # pages since we read the partition: merge our fresh pages into what is stored
        # now, under the partition's lock, so neither run's pages are lost.
        with partition_lock(settings, "raw_pages", source.id, day):
            current = {row["url"]: row for row in
                       read_partition(settings.lake, "raw_pages", source.id, day).to_pylist()}
            current.update(fresh)
            rows = sorted(current.values(), key=lambda r: r["url"])
            write_partition(settings.lake, "raw_pages", source.id, day,
                            to_table("raw_pages", rows))
        write_partition(settings.lake, "fetch_log", source.id, day,
                        to_table("fetch_log", log_rows))
    out = _run_dir(settings, disc.run_id, source.id)
    manifest = StageManifest("fetch", disc.run_id, source.id, disc.start, disc.end,
                             counts={"discovered": len(items), **counts}, errors=errors,
                             seconds=round(time.monotonic() - started, 3), mode=disc.mode,
                             skip_days=disc.skip_days)
    log.info("fetch %s: %s", source.id, counts)
    return manifest.save(out / "fetch.json")


def _log_row(run_id: str, purpose: str, attempt: dict, url: str | None = None) -> dict:
    """One fetch_log row: ``url`` is what we set out to fetch, ``request_url`` what this
    request asked for (they differ on redirect hops)."""
    fetched_at = attempt["fetched_at"]
    if isinstance(fetched_at, str):
        fetched_at = datetime.fromisoformat(fetched_at)
    return {"run_id": run_id, "purpose": purpose, "url": url or attempt["url"],
            "request_url": attempt["url"],
            "attempt": attempt["attempt"], "status": attempt["status"],
            "error": attempt["error"], "bytes": attempt["bytes"],
            "elapsed_ms": attempt["elapsed_ms"], "fetched_at": fetched_at,
            "pipeline_version": PIPELINE_VERSION}


# -- clean ----------------------------------------------------------------------------
def clean_source(settings: Settings, fetch_manifest: str) -> str:
    """Clean every stored raw page of the interval's days (so a rerun after a better
    cleaner rebuilds from the raw zone) into staged article files."""
    started = time.monotonic()
    fetched = StageManifest.load(fetch_manifest)
    source = _source(settings, fetched.source)
    out = _run_dir(settings, fetched.run_id, source.id)
    counts = {"cleaned": 0, "failed": 0}
    errors: list[str] = []
    files: dict[str, str] = {}
    start, end = datetime.fromisoformat(fetched.start), datetime.fromisoformat(fetched.end)
    store = _template_store(settings, source)
    for day in days_in(start, end):
        raw = read_partition(settings.lake, "raw_pages", source.id, day).to_pylist()
        rows = []
        cleaned = []
        for page in raw:
            try:
                cleaned.append((page, _clean_page(source, page)))
            except CleanError as exc:
                counts["failed"] += 1
                errors.append(f"{page['url']}: {exc}")
                log.warning("clean %s failed: %s", page["url"], exc)
                continue
            except Exception as exc:  # one broken page never sinks the day
                counts["failed"] += 1
                errors.append(f"{page['url']}: unexpected {type(exc).__name__}: {exc}")
                log.exception("clean %s crashed", page["url"])
                continue
        # Paragraphs recurring across the source's articles are furniture (order-free:
        # learned from the raw pages of a fixed window, clean/templates.py).
        if cleaned:
            todays = day_stats(day, [(a.id, a.sections) for _, a in cleaned],
                               raw_digest(p["body_sha256"] for p in raw))
            templates = state_for_day(day, todays, store)
            cleaned = [(page, with_templates(a, templates)) for page, a in cleaned]
        for page, article in cleaned:
            published = article.published_at
            if published is not None and utc(published).date() != day:
                article.warnings.append(
                    f"page date {utc(published).date()} differs from listed date {day}")
            row = article.to_dict()
            row.update(published_at=published, modified_at=article.modified_at,
                       raw_sha256=page["body_sha256"], run_id=fetched.run_id,
                       pipeline_version=PIPELINE_VERSION)
            rows.append(row)
            counts["cleaned"] += 1
        rows.sort(key=lambda r: r["id"])
        staged = out / f"articles-{day.isoformat()}.parquet"
        staged.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(to_table("articles", rows), staged, compression="zstd")
        files[f"articles/{day.isoformat()}"] = str(staged)
    manifest = StageManifest("clean", fetched.run_id, source.id, fetched.start, fetched.end,
                             counts=counts, errors=errors, files=files,
                             seconds=round(time.monotonic() - started, 3), mode=fetched.mode)
    log.info("clean %s: %s", source.id, counts)
    return manifest.save(out / "clean.json")


def _clean_page(source: Source, page: dict) -> Article:
    return clean_html(page["body"], page["url"], source=source.id, source_lang=source.lang,
                      profile=source.profile, timezone=source.timezone,
                      content_type=page["content_type"],
                      fallback_published_at=page["listed_published_at"])


def _template_store(settings: Settings, source: Source) -> TemplateStore:
    """The lake as template learning reads and writes it (template_stats, raw_pages)."""

    def raw_digest_of(day: date) -> str | None:
        shas = read_partition(settings.lake, "raw_pages", source.id, day,
                              columns=["body_sha256"]).column("body_sha256").to_pylist()
        return raw_digest(shas) if shas else None

    def clean_day(day: date) -> list[tuple[str, list]]:
        found = []
        for page in read_partition(settings.lake, "raw_pages", source.id, day).to_pylist():
            with contextlib.suppress(Exception):  # a page that fails is left out, as in clean
                article = _clean_page(source, page)
                found.append((article.id, article.sections))
        return found

    return TemplateStore(
        read_rows=lambda day: read_partition(settings.lake, "template_stats", source.id,
                                             day).to_pylist(),
        write_rows=lambda day, rows: write_partition(settings.lake, "template_stats", source.id,
                                                     day, to_table("template_stats", rows)),
        raw_digest_of=raw_digest_of, clean_day=clean_day)


# -- annotate (NLP) --------------------------------------------------------------------
def annotate_source(settings: Settings, clean_manifest: str, batch_size: int = 16) -> str:
    """Run the NLP stage over the interval's published articles of one source and stage
    its tables. A language without models is skipped with a recorded reason; with no
    models at all the stage fails, saying what to do (the articles stay published)."""
    from newswire.nlp.annotate import Document, annotate
    from newswire.nlp.models import ModelNotFound, find_models

    started = time.monotonic()
    cleaned = StageManifest.load(clean_manifest)
    source = _source(settings, cleaned.source)
    out = _run_dir(settings, cleaned.run_id, source.id)
    counts: dict[str, int] = {"articles": 0}
    errors: list[str] = []
    files: dict[str, str] = {}
    try:
        spec = find_models(source.lang)
    except ModelNotFound as exc:
        if not _any_models():
            raise ModelNotFound(f"NLP stage for {source.id}: {exc}") from exc
        errors.append(f"skipped: {exc}")
        log.warning("annotate %s skipped: %s", source.id, exc)
        spec = None
    start, end = datetime.fromisoformat(cleaned.start), datetime.fromisoformat(cleaned.end)
    for day in days_in(start, end) if spec else []:
        articles = read_partition(settings.lake, "articles", source.id, day).to_pylist()
        docs = [Document(a["id"], a["body"], (utc(a["published_at"]).date()
                                              if a["published_at"] else day))
                for a in articles if a["body"]]
        annotations = annotate(docs, source.lang, spec, batch_size) if docs else []
        rows = _nlp_rows(annotations, spec.identity, cleaned.run_id)
        for table, table_rows in rows.items():
            staged = out / f"{table}-{day.isoformat()}.parquet"
            pq.write_table(to_table(table, table_rows), staged, compression="zstd")
            files[f"{table}/{day.isoformat()}"] = str(staged)
            counts[table] = counts.get(table, 0) + len(table_rows)
        counts["articles"] += len(docs)
    manifest = StageManifest("annotate", cleaned.run_id, source.id, cleaned.start,
                             cleaned.end, counts=counts, errors=errors, files=files,
                             seconds=round(time.monotonic() - started, 3), mode=cleaned.mode)
    log.info("annotate %s with %s: %s", source.id, spec.identity if spec else None, counts)
    return manifest.save(out / "annotate.json")


def _any_models() -> bool:
    from newswire.nlp.models import PROCESSORS, ModelNotFound, find_models

    for lang in PROCESSORS:
        try:
            find_models(lang)
            return True
        except ModelNotFound:
            continue
    return False


def _nlp_rows(annotations: list, model: str, run_id: str) -> dict[str, list[dict]]:
    tail = {"model": model, "run_id": run_id, "pipeline_version": PIPELINE_VERSION}
    rows: dict[str, list[dict]] = {t: [] for t in NLP_TABLES}
    for ann in annotations:
        aid = {"article_id": ann.id}
        rows["sentences"] += [{**aid, "sentence_index": s.index, "text": s.text,
                               "start_char": s.start, "end_char": s.end, **tail}
                              for s in ann.sentences]
        rows["tokens"] += [{**aid, "sentence_index": t.sentence, "token_index": t.index,
                            "text": t.text, "lemma": t.lemma, "upos": t.upos,
                            "feats": t.feats, "start_char": t.start, "end_char": t.end,
                            **tail} for t in ann.tokens]
        rows["entities"] += [{**aid, "text": m.text, "label": m.label,
                              "canonical": m.canonical, "role": m.role, "origin": m.source,
                              "start_char": m.start, "end_char": m.end, **tail}
                             for m in ann.entities]
        rows["quotes"] += [{**aid, "quote": q.quote, "speaker": q.speaker,
                            "speaker_role": q.speaker_role, "cue": q.cue,
                            "cue_text": q.cue_text, "kind": q.kind, "start_char": q.start,
                            "end_char": q.end, **tail} for q in ann.quotes]
        rows["quantities"] += [{**aid, "text": q.text, "value": q.value, "unit": q.unit,
                                "start_char": q.start, "end_char": q.end, **tail}
                               for q in ann.quantities]
        rows["time_mentions"] += [{**aid, "text": t.text, "start_date": t.start_date,
                                   "end_date": t.end_date, "start_char": t.start,
                                   "end_char": t.end, **tail} for t in ann.time_mentions]
    return rows


# -- publish --------------------------------------------------------------------------
def publish(settings: Settings, manifests: list[str]) -> dict[str, int]:
    """Move staged tables into the lake (one atomic rename, or upload and manifest
    commit, per partition) and refresh the DuckDB catalog. Returns rows published per
    table. On S3 the files the new ones replace are deleted only after the catalog
    stops naming them, so analysts' queries never hit a missing file."""
    published: dict[str, int] = {}
    superseded: list[str] = []
    for path in manifests:
        manifest = StageManifest.load(path)
        for key, staged in sorted(manifest.files.items()):
            table, day = key.split("/")
            staged_path = Path(staged)
            if not staged_path.exists():
                continue  # already published by an earlier try of this task
            rows = pq.read_metadata(staged_path).num_rows
            schema_for(table)  # an unknown table name fails loudly here
            publish_file(settings.lake, table, manifest.source, date.fromisoformat(day),
                         staged_path, superseded)
            published[table] = published.get(table, 0) + rows
    for path in manifests:
        record_run(settings, path, superseded)
    refresh_catalog(settings.lake, settings.catalog)
    delete_files(settings.lake, superseded)
    log.info("published %s; catalog %s", published, settings.catalog)
    return published


def record_run(settings: Settings, manifest_path: str,
               superseded: list[str] | None = None) -> None:
    """Upsert this run's row in ``runs`` from the stage manifests beside ``manifest_path``
    (a re-run of the same run replaces its row; other runs' rows stay)."""
    folder = Path(manifest_path).parent
    stages = {name: StageManifest.load(folder / f"{name}.json")
              for name in ("discover", "fetch", "clean", "annotate")
              if (folder / f"{name}.json").exists()}
    first = next(iter(stages.values()))
    fetch = stages.get("fetch", first).counts
    clean = stages.get("clean", first).counts
    annotate = stages.get("annotate")
    model = None
    if annotate is not None and annotate.files:
        staged_or_published = [f for f in annotate.files.values() if Path(f).exists()]
        model = None if not staged_or_published else _model_of(staged_or_published[0])
    row = {
        "run_id": first.run_id, "mode": first.mode,
        "interval_start": datetime.fromisoformat(first.start),
        "interval_end": datetime.fromisoformat(first.end),
        "discovered": stages["discover"].counts.get("discovered", 0)
        if "discover" in stages else 0,
        "fetched": fetch.get("fetched", 0), "not_modified": fetch.get("not_modified", 0),
        "fetch_failed": fetch.get("failed", 0), "kept_stored": fetch.get("kept_stored", 0),
        "days_from_raw_zone": fetch.get("days_from_raw_zone", 0),
        "cleaned": clean.get("cleaned", 0), "clean_failed": clean.get("failed", 0),
        "annotated": annotate.counts.get("articles", 0) if annotate else 0,
        "quotes": annotate.counts.get("quotes", 0) if annotate else 0,
        "entities": annotate.counts.get("entities", 0) if annotate else 0,
        "model": model or _stored_model(settings, first),
        "errors": [e for m in stages.values() for e in m.errors][:200],
        "seconds": round(sum(m.seconds for m in stages.values()), 3),
        "recorded_at": datetime.now(UTC), "pipeline_version": PIPELINE_VERSION,
    }
    for day in days_in(row["interval_start"], row["interval_end"]):
        # Runs of the same day may record at once: read-modify-write under a lock.
        with partition_lock(settings, "runs", first.source, day):
            rows = [r for r in read_partition(settings.lake, "runs", first.source,
                                              day).to_pylist()
                    if r["run_id"] != first.run_id]
            write_partition(settings.lake, "runs", first.source, day,
                            to_table("runs", sorted([*rows, row], key=lambda r: r["run_id"])),
                            superseded)


@contextlib.contextmanager
def partition_lock(settings: Settings, table: str, source: str, day: date) -> Iterator[None]:
    """An exclusive lock on one partition for a read-merge-write, shared by every process
    that uses this staging area (one machine, or a volume all workers mount)."""
    folder = settings.staging / "_locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{table}-{source}-{day.isoformat()}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _model_of(parquet_file: str) -> str | None:
    table = pq.read_table(parquet_file, columns=["model"])
    return table.column("model")[0].as_py() if table.num_rows else None


def _stored_model(settings: Settings, manifest: StageManifest) -> str | None:
    day = utc(datetime.fromisoformat(manifest.start)).date()
    table = read_partition(settings.lake, "quotes", manifest.source, day, columns=["model"])
    return table.column("model")[0].as_py() if table.num_rows else None


def run_interval(settings: Settings, start: datetime, end: datetime, run_id: str,
                 only: list[str] | None = None, *, refetch: bool = False,
                 nlp: bool = True, mode: str | None = None, gates: bool = True) -> dict:
    """All stages for every source, one UTC day at a time, as the daily DAG does; the
    quality gates run after each day is published (QualityGateFailed names the checks)."""
    summary: dict[str, dict] = {}
    failures: list[str] = []
    sources = list_sources(settings, only)
    for day in days_in(start, end):
        day_start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        day_end = day_start + timedelta(days=1)
        day_run = f"{run_id}__{day.isoformat()}"
        cleaned = []
        for source_id in sources:
            d = discover_source(settings, source_id, day_start, day_end, day_run,
                                mode or ("refetch" if refetch else "daily"))
            f = fetch_source(settings, d, refetch=refetch)
            cleaned.append(clean_source(settings, f))
        published = publish(settings, cleaned)
        if gates:
            failures += _gate_failures(settings, "publish", sources, day)
        if nlp:
            annotated = [annotate_source(settings, path) for path in cleaned]
            published.update(publish(settings, annotated))
            if gates:
                failures += _gate_failures(settings, "annotate", sources, day)
        summary[day.isoformat()] = published
    if failures:
        from newswire.quality import QualityGateFailed

        raise QualityGateFailed("; ".join(failures))
    return summary


def _gate_failures(settings: Settings, stage: str, sources: list[str], day: date) -> list[str]:
    from newswire.quality import QualityGateFailed, gate

    try:
        for finding in gate(settings, stage, sources, day):
            log.warning("quality %s: %s", finding.check, finding.message)
    except QualityGateFailed as exc:
        return [str(exc)]
    return []
