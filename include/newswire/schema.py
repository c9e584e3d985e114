"""The lake's tables: one row model per table.

A row model is a dataclass whose fields are the table's columns, in file order, each
with its Arrow type and its meaning. It gives the Parquet schema every partition is
written with (:func:`schema_for`), the typed records stages hand each other
(:func:`to_table`, :func:`rows_of`), and the data dictionary (``dictionary.py``).
"""

from __future__ import annotations

import contextlib
import operator
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, TypeVar

import pyarrow as pa

from newswire import PIPELINE_VERSION
from newswire.constants import TABLES
from newswire.records import Section


def retaining_allocator() -> str:
    """Arrow's buffers from jemalloc, where this pyarrow has it and no
    ARROW_DEFAULT_MEMORY_POOL chose otherwise; returns the allocator in use. With the
    default (mimalloc) each day's tables, page bodies and all, landed in fresh 2 MB huge
    pages the kernel zeroed on first touch (perf: clear_page_erms under
    do_huge_pmd_anonymous_page, a tenth of the pipeline process's main thread at 1,000
    pages); jemalloc reuses what the day before freed (main thread -7%, peak RSS -13%)."""
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        # A pyarrow built without jemalloc keeps its default.
        with contextlib.suppress(NotImplementedError):
            pa.set_memory_pool(pa.jemalloc_memory_pool())
    return pa.default_memory_pool().backend_name


retaining_allocator()  # every process of the pipeline reads or writes tables through here

# 2: articles.id became articles.article_id, ids became host-less (urls.article_id),
# fetch_log.article_id; articles.published_precision and template_stats arrived with it.
# 3: articles.agency (the agency a dateline credits; null in partitions migrated from 2).
SCHEMA_VERSION = "3"
# Columns renamed since an older schema version: table -> {old name: new name}.
RENAMED = {"articles": {"id": "article_id"}}


class SchemaError(ValueError):
    """An unknown table, or rows that are not the table's rows."""


STRING, BINARY = pa.string(), pa.binary()
INT16, INT32, INT64, FLOAT64 = pa.int16(), pa.int32(), pa.int64(), pa.float64()
DATE, TIMESTAMP = pa.date32(), pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(pa.string())
SECTIONS = pa.list_(pa.struct([("heading", pa.string()), ("paragraphs", STRINGS)]))

# Meanings of columns that several tables share (a table's own text comes first).
COMMON_DOCS = {
    "run_id": "The Airflow run (or CLI run) that wrote the row.",
    "pipeline_version": "newswire's version that wrote the row.",
    "model": "Stanza version, language, model layout and a digest of each model file.",
    "article_id": "articles.article_id of the article (join on source, date and "
                  "article_id).",
    "start_char": "Offset of the first character in articles.body (0-based).",
    "end_char": "Offset one past the last character in articles.body.",
    "text": "The text as written in the article.",
    "url": "Canonical URL (normalised, tracking parameters removed).",
}

ARTICLE_ID_DOC = (
    "Stable id (16 hex digits of a SHA-1) of the source and the URL's path and query "
    "without scheme, host, port, tracking parameters and AMP marks: a site moving to "
    "https or dropping www. keeps its articles' ids.")

_MISSING: Any = object()


def column(arrow_type: pa.DataType, doc: str = "", *, default: Any = _MISSING) -> Any:
    """A column of a row model: its Arrow type, its meaning, and a default if it has one."""
    metadata = {"arrow": arrow_type, "doc": doc}
    if default is _MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


ROW_MODELS: dict[str, type] = {}
Row = TypeVar("Row")


def row_model(table: str) -> Callable[[type[Row]], type[Row]]:
    def register(cls: type[Row]) -> type[Row]:
        ROW_MODELS[table] = cls
        cls.TABLE = table  # type: ignore[attr-defined]
        return cls

    return register


@row_model("raw_pages")
@dataclass(slots=True, kw_only=True)
class RawPage:
    """The raw zone: one row per fetched page (latest successful fetch), the HTML bytes
    included, so every later stage can be re-run without the web."""

    url: str = column(STRING)
    final_url: str | None = column(
        STRING, "URL the page was finally served from (after allowed redirects).")
    article_id: str = column(STRING, ARTICLE_ID_DOC)
    fetched_at: datetime = column(TIMESTAMP, "When the page was fetched (UTC).")
    status: int | None = column(INT16, "HTTP status of the stored response (200).")
    content_type: str | None = column(STRING, "Content-Type header as served.")
    etag: str | None = column(STRING, "ETag header, sent back as If-None-Match next time.")
    last_modified: str | None = column(
        STRING, "Last-Modified header, sent back as If-Modified-Since.")
    found_via: str = column(STRING, "feed or sitemap.")
    listed_in: str = column(STRING, "URL of the feed or sitemap that listed the page.")
    listed_published_at: datetime | None = column(
        TIMESTAMP, "Publication time the feed or sitemap gave (UTC).")
    listed_title: str | None = column(STRING, "Title the feed or sitemap gave.")
    body: bytes | None = column(
        BINARY, "The HTML as bytes (null after raw-zone retention dropped it).")
    body_sha256: str = column(STRING, "SHA-256 of the HTML bytes (hex).")
    bytes: int = column(INT64, "Size of the HTML in bytes (decompressed).")
    run_id: str = column(STRING)
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)


@row_model("fetch_log")
@dataclass(slots=True, kw_only=True)
class FetchLogEntry:
    """Every HTTP request of the day's latest run (feeds, sitemaps, pages, redirect hops,
    retries and refusals)."""

    run_id: str = column(STRING)
    purpose: str = column(STRING, "feed, sitemap or page.")
    url: str = column(STRING, "The URL the pipeline set out to fetch.")
    article_id: str | None = column(
        STRING, "raw_pages.article_id of the page a page request was for (null for feeds "
        "and sitemaps).", default=None)
    request_url: str = column(
        STRING, "The URL this request asked for (differs on redirect hops).")
    attempt: int = column(INT16, "1 for the first try, 2.. for retries.")
    status: int | None = column(
        INT16, "HTTP status; null when no response came (timeout, refusal).")
    error: str | None = column(STRING, "Why the request failed, or null.")
    bytes: int = column(INT64, "Bytes received (decompressed).")
    elapsed_ms: int = column(INT64, "Time the request took, in milliseconds.")
    fetched_at: datetime | None = column(TIMESTAMP, "When the request started (UTC).")
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)


@row_model("articles")
@dataclass(slots=True, kw_only=True)
class ArticleRow:
    """One cleaned article per page: metadata, sections and body."""

    article_id: str = column(STRING, ARTICLE_ID_DOC)
    url: str = column(STRING)
    lang: str | None = column(STRING, "Language detected from the body (ISO 639-1).")
    source_lang: str = column(STRING, "The source's declared language.")
    title: str | None = column(STRING, "Headline.")
    summary: str | None = column(STRING, "Lead or description.")
    byline: str | None = column(STRING, "Author(s) as printed.")
    dateline: str | None = column(
        STRING, "Place of the dateline, in natural case (\"Brüksel\" for \"BRÜKSEL (AA) - "
        "...\").")
    agency: str | None = column(
        STRING, "News agency the dateline credits, as printed (\"AA\" for \"BRÜKSEL (AA) - "
        "...\", \"Reuters\" for \"BRUSSELS (Reuters) -\").", default=None)
    published_at: datetime | None = column(
        TIMESTAMP, "Publication time (UTC; the page's own date, JSON-LD, meta tags or the "
        "visible date, before the feed's). With published_precision 'day', the calendar "
        "day at 00:00 UTC (no time was printed).")
    modified_at: datetime | None = column(
        TIMESTAMP, "Last modification time (UTC), when the page gives one.")
    sections: list[Section] = column(
        SECTIONS, "Headings with their paragraphs, in page order (heading null first).")
    body: str = column(STRING, "Paragraphs separated by blank lines (NFC, no boilerplate).")
    content_hash: str = column(STRING, "SHA-256 of body (hex): changes when the text changes.")
    extractor: str = column(
        STRING, "Which extractor produced the body: a site profile's name (aa, reuters, "
        "apnews, wordpress: clean/profiles.yaml), marked_body (a body the page marks), "
        "trafilatura, article_element (the page's <article>), jsonld_body.")
    warnings: list[str] = column(
        STRINGS, "Things a reader should know (language mismatch, date from the feed, the "
        "page's date differing from the feed's).")
    raw_sha256: str | None = column(
        STRING, "raw_pages.body_sha256 of the page it was cleaned from.")
    run_id: str = column(STRING)
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)
    published_precision: str | None = column(
        STRING, "How much of published_at is known: day (a date printed without a time), "
        "minute or second.", default=None)


@row_model("template_stats")
@dataclass(slots=True, kw_only=True)
class TemplateStatsRow:
    """The cleaner's template learning: per source and day, how many of the day's
    articles hold each recurring paragraph (a paragraph in at least 80% of the articles
    of a 7-day window is page furniture)."""

    fingerprint: str = column(STRING, "SHA-1 (16 hex digits) of the paragraph, case-folded.")
    articles: int = column(INT32, "How many of the day's articles hold the paragraph.")
    day_articles: int = column(INT32, "How many articles the day had.")
    sample: str = column(STRING, "The paragraph (first 200 characters).")
    raw_digest: str = column(
        STRING, "SHA-256 of the day's raw page hashes: which pages it was learned from.")
    template_version: str = column(
        STRING, "Version of the fingerprint rule (stale rows are recomputed).")


# NLP tables: every row names the article, its character offsets into the article's
# ``body``, and the stanza models that produced it (``model``).


@row_model("sentences")
@dataclass(slots=True, kw_only=True)
class SentenceRow:
    """Sentences of each article body (stanza)."""

    article_id: str = column(STRING)
    sentence_index: int = column(INT32, "Position of the sentence in the article (0-based).")
    text: str = column(STRING)
    start_char: int = column(INT32)
    end_char: int = column(INT32)
    model: str = column(STRING)
    run_id: str = column(STRING)
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)


@row_model("tokens")
@dataclass(slots=True, kw_only=True)
class TokenRow:
    """Words of each article body with lemma, part of speech and morphology (stanza)."""

    article_id: str = column(STRING)
    sentence_index: int = column(INT32, "Sentence the word belongs to.")
    token_index: int = column(
        INT32, "Position of the word in its sentence (0-based, multi-word tokens split "
        "into words).")
    text: str = column(STRING)
    lemma: str | None = column(STRING, "Dictionary form.")
    upos: str | None = column(STRING, "Universal part-of-speech tag.")
    feats: str | None = column(
        STRING, "Universal morphological features (Case=Loc|Number=Sing...).")
    start_char: int = column(
        INT32, "Offset of the token (of the multi-word token for its words).")
    end_char: int = column(INT32, "Offset one past the token's end.")
    model: str = column(STRING)
    run_id: str = column(STRING)
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)


@row_model("entities")
@dataclass(slots=True, kw_only=True)
class EntityRow:
    """Named-entity mentions with document-level canonical names and roles."""

    article_id: str = column(STRING)
    text: str = column(STRING)
    label: str = column(STRING, "PER, ORG, LOC, MISC, DATE or MONEY.")
    canonical: str | None = column(
        STRING, "Document-level name as the article gives it, without case endings "
        "(\"Stoltenberg'in\" -> \"Jens Stoltenberg\", \"Brüksel'deki\" -> \"Brüksel\"); "
        "aliases (AB, EU) are grouped in `entity_aliases`.")
    role: str | None = column(
        STRING, "Title in front of a person's name (\"NATO Genel Sekreteri\").")
    origin: str | None = column(
        STRING, "How the mention was found: text (a run of name words), title (after a "
        "title), dateline (offsets index articles.dateline), agency (offsets index "
        "articles.agency), headline (offsets index "
        "articles.title), credit (\"(DHA)\" after a paragraph), document (another form of "
        "a name found earlier), model (dates and money the NER model tagged).")
    start_char: int = column(INT32)
    end_char: int = column(INT32)
    model: str = column(STRING)
    run_id: str = column(STRING)
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)


@row_model("quotes")
@dataclass(slots=True, kw_only=True)
class QuoteRow:
    """Direct and reported speech with its speaker and reporting verb."""

    article_id: str = column(STRING)
    quote: str = column(STRING, "The quoted text (direct) or the reported clause (indirect).")
    speaker: str | None = column(
        STRING, "Canonical name of who said it; null only when unknown.")
    speaker_role: str | None = column(
        STRING, "The speaker's title, when the article gives one.")
    cue: str | None = column(
        STRING, "Reporting verb as a lemma (söyle, de, ifade et, diye konuş, say, tell...).")
    cue_text: str | None = column(
        STRING, "The reporting verb as written (söyledi, ifadelerini kullandı, said).")
    kind: str = column(STRING, "direct (quotation marks) or indirect (reported speech).")
    start_char: int = column(INT32)
    end_char: int = column(INT32)
    model: str = column(STRING)
    run_id: str = column(STRING)
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)


@row_model("quantities")
@dataclass(slots=True, kw_only=True)
class QuantityRow:
    """Amounts with their value and unit (counted noun, currency or percent)."""

    article_id: str = column(STRING)
    text: str = column(STRING)
    value: float | None = column(
        FLOAT64, "The number, scaled (\"3 bin\" -> 3000, \"450 milyon\" -> 450000000).")
    unit: str | None = column(
        STRING, "Counted noun as written (lower case), currency code (TRY, USD, EUR, "
        "GBP) or percent.")
    start_char: int = column(INT32)
    end_char: int = column(INT32)
    model: str = column(STRING)
    run_id: str = column(STRING)
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)


@row_model("time_mentions")
@dataclass(slots=True, kw_only=True)
class TimeMentionRow:
    """Dates and periods mentioned, resolved against the publication date."""

    article_id: str = column(STRING)
    text: str = column(STRING)
    start_date: date | None = column(DATE, "First day the mention refers to.")
    end_date: date | None = column(DATE, "Last day the mention refers to (inclusive).")
    start_char: int = column(INT32)
    end_char: int = column(INT32)
    model: str = column(STRING)
    run_id: str = column(STRING)
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)


@row_model("runs")
@dataclass(slots=True, kw_only=True)
class RunRow:
    """One row per (DAG run, source, day): what each stage did, with which versions."""

    run_id: str = column(STRING)
    mode: str = column(STRING, "daily, backfill, refetch or reprocess_only.")
    interval_start: datetime = column(TIMESTAMP, "Start of the run's data interval (UTC).")
    interval_end: datetime = column(
        TIMESTAMP, "End of the run's data interval (UTC, exclusive).")
    discovered: int = column(INT64, "Pages listed for the interval.")
    fetched: int = column(INT64, "Pages fetched (200).")
    not_modified: int = column(INT64, "Pages answered 304 (stored copy kept).")
    fetch_failed: int = column(INT64, "Pages that failed (recorded in fetch_log).")
    kept_stored: int = column(INT64, "Failed pages whose stored copy was kept.")
    days_from_raw_zone: int = column(
        INT64, "Days rebuilt from stored pages without the network.")
    cleaned: int = column(INT64, "Articles cleaned.")
    clean_failed: int = column(INT64, "Pages with no extractable article.")
    annotated: int = column(INT64, "Articles through the NLP stage.")
    quotes: int = column(INT64, "Quotes extracted.")
    entities: int = column(INT64, "Entity mentions extracted.")
    model: str | None = column(STRING)
    errors: list[str] = column(STRINGS, "Messages of the stages (truncated to 200).")
    seconds: float = column(FLOAT64, "Time the stages took, added up.")
    recorded_at: datetime = column(TIMESTAMP, "When the row was written (UTC).")
    pipeline_version: str = column(STRING, default=PIPELINE_VERSION)


if tuple(ROW_MODELS) != TABLES:
    raise SchemaError(f"row models {tuple(ROW_MODELS)} differ from constants.TABLES")

SCHEMAS: dict[str, pa.Schema] = {
    table: pa.schema([(f.name, f.metadata["arrow"]) for f in fields(model)])
    for table, model in ROW_MODELS.items()
}


# Stamped once per table: a schema is immutable, and every staged file, partition read
# and empty partition asks for one (stamping it again was a tenth of a millisecond each).
_STAMPED: dict[str, pa.Schema] = {}


def schema_for(table: str) -> pa.Schema:
    """The table's Arrow schema, stamped with the schema version and the table's name."""
    stamped = _STAMPED.get(table)
    if stamped is None:
        try:
            schema = SCHEMAS[table]
        except KeyError as exc:
            raise SchemaError(f"unknown table {table!r}; known: {', '.join(TABLES)}") from exc
        stamped = _STAMPED[table] = schema.with_metadata(
            {"schema_version": SCHEMA_VERSION, "table": table})
    return stamped


def describe(table: str, column_name: str) -> str:
    """What a column means (for the data dictionary)."""
    for f in fields(ROW_MODELS[table]):
        if f.name == column_name:
            return f.metadata["doc"] or COMMON_DOCS.get(column_name, "")
    return ""


def table_doc(table: str) -> str:
    return " ".join((ROW_MODELS[table].__doc__ or "").split())


def _sections_to_arrow(value: list[Section] | None) -> list[dict] | None:
    if value is None:
        return None
    return [{"heading": s.heading, "paragraphs": s.paragraphs} for s in value]


def to_table(table: str, rows: Sequence[Any]) -> pa.Table:
    """Rows of a table as an Arrow table with its schema. Rows are the table's row
    model; plain mappings are accepted too (tests and tools write rows by hand)."""
    schema = schema_for(table)
    if not rows or isinstance(rows[0], Mapping):
        unknown = set(rows[0]) - set(schema.names) if rows else set()
        if unknown:  # a renamed column (articles.id) would otherwise be dropped unseen
            raise SchemaError(f"{table} has no column {', '.join(sorted(unknown))}")
        return pa.Table.from_pylist(list(rows), schema=schema)
    model = ROW_MODELS[table]
    if not isinstance(rows[0], model):
        raise SchemaError(f"{table} rows are {model.__name__}, not {type(rows[0]).__name__}")
    arrays = []
    for f in schema:
        values = list(map(operator.attrgetter(f.name), rows))
        if f.type == SECTIONS:
            values = [_sections_to_arrow(v) for v in values]
        arrays.append(pa.array(values, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def rows_of(model: type[Row], data: pa.Table) -> list[Row]:
    """A table's rows as row models (columns the model lacks are an error; columns
    missing from ``data`` take the model's defaults)."""
    names = [f.name for f in fields(model)]  # type: ignore[arg-type]
    wanted = [n for n in names if n in data.column_names]
    rows = []
    for values in data.select(wanted).to_pylist():
        if "sections" in values and values["sections"] is not None:
            values["sections"] = [Section(s["heading"], s["paragraphs"])
                                  for s in values["sections"]]
        rows.append(model(**values))
    return rows

