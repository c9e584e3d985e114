"""The data dictionary: every table and column of the lake, with type, unit and meaning.
``python -m newswire dictionary > docs/data-dictionary.md`` regenerates the document
(a test keeps it in step with the pyarrow schemas)."""

from __future__ import annotations

from newswire.lake import SCHEMA_VERSION, SCHEMAS

TABLE_DOCS = {
    "raw_pages": "The raw zone: one row per fetched page (latest successful fetch), the "
                 "HTML bytes included, so every later stage can be re-run without the web.",
    "fetch_log": "Every HTTP request of the day's latest run (feeds, sitemaps, pages, "
                 "redirect hops, retries and refusals).",
    "articles": "One cleaned article per page: metadata, sections and body.",
    "template_stats": "The cleaner's template learning: per source and day, how many of "
                      "the day's articles hold each recurring paragraph (a paragraph in at "
                      "least 80% of the articles of a 7-day window is page furniture).",
    "sentences": "Sentences of each article body (stanza).",
    "tokens": "Words of each article body with lemma, part of speech and morphology (stanza).",
    "entities": "Named-entity mentions with document-level canonical names and roles.",
    "quotes": "Direct and reported speech with its speaker and reporting verb.",
    "quantities": "Amounts with their value and unit (counted noun, currency or percent).",
    "time_mentions": "Dates and periods mentioned, resolved against the publication date.",
    "runs": "One row per (DAG run, source, day): what each stage did, with which versions.",
}

COMMON = {
    "run_id": "The Airflow run (or CLI run) that wrote the row.",
    "pipeline_version": "newswire's version that wrote the row.",
    "model": "Stanza version, language, model layout and a digest of each model file.",
    "article_id": "articles.id of the article (join on source, date and id).",
    "start_char": "Offset of the first character in articles.body (0-based).",
    "end_char": "Offset one past the last character in articles.body.",
    "text": "The text as written in the article.",
    "url": "Canonical URL (normalised, tracking parameters removed).",
}

COLUMN_DOCS = {
    "raw_pages": {
        "final_url": "URL the page was finally served from (after allowed redirects).",
        "article_id": "Stable id from the canonical URL (16 hex digits of its SHA-1).",
        "fetched_at": "When the page was fetched (UTC).",
        "status": "HTTP status of the stored response (200).",
        "content_type": "Content-Type header as served.",
        "etag": "ETag header, sent back as If-None-Match next time.",
        "last_modified": "Last-Modified header, sent back as If-Modified-Since.",
        "found_via": "feed or sitemap.",
        "listed_in": "URL of the feed or sitemap that listed the page.",
        "listed_published_at": "Publication time the feed or sitemap gave (UTC).",
        "listed_title": "Title the feed or sitemap gave.",
        "body": "The HTML as bytes (null after raw-zone retention dropped it).",
        "body_sha256": "SHA-256 of the HTML bytes (hex).",
        "bytes": "Size of the HTML in bytes (decompressed).",
    },
    "fetch_log": {
        "purpose": "feed, sitemap or page.",
        "url": "The URL the pipeline set out to fetch.",
        "request_url": "The URL this request asked for (differs on redirect hops).",
        "attempt": "1 for the first try, 2.. for retries.",
        "status": "HTTP status; null when no response came (timeout, refusal).",
        "error": "Why the request failed, or null.",
        "bytes": "Bytes received (decompressed).",
        "elapsed_ms": "Time the request took, in milliseconds.",
        "fetched_at": "When the request started (UTC).",
    },
    "articles": {
        "id": "Stable id from the canonical URL (16 hex digits of its SHA-1).",
        "lang": "Language detected from the body (ISO 639-1).",
        "source_lang": "The source's declared language.",
        "title": "Headline.",
        "summary": "Lead or description.",
        "byline": "Author(s) as printed.",
        "dateline": "Place of the dateline, in natural case (\"Brüksel\" for "
                    "\"BRÜKSEL (AA) - ...\").",
        "published_at": "Publication time (UTC; the page's own date, JSON-LD, meta tags or "
                        "the visible date, before the feed's). With published_precision "
                        "'day', the calendar day at 00:00 UTC (no time was printed).",
        "modified_at": "Last modification time (UTC), when the page gives one.",
        "sections": "Headings with their paragraphs, in page order (heading null first).",
        "body": "Paragraphs separated by blank lines (NFC, no boilerplate).",
        "content_hash": "SHA-256 of body (hex): changes when the text changes.",
        "extractor": "Which extractor produced the body: a site profile's name (aa, reuters, "
                     "apnews, wordpress: clean/profiles.yaml), marked_body (a body the page "
                     "marks), trafilatura, article_element (the page's <article>), "
                     "jsonld_body.",
        "warnings": "Things a reader should know (language mismatch, date from the feed, "
                    "the page's date differing from the feed's).",
        "published_precision": "How much of published_at is known: day (a date printed "
                               "without a time), minute or second.",
        "raw_sha256": "raw_pages.body_sha256 of the page it was cleaned from.",
    },
    "template_stats": {
        "fingerprint": "SHA-1 (16 hex digits) of the paragraph, case-folded.",
        "articles": "How many of the day's articles hold the paragraph.",
        "day_articles": "How many articles the day had.",
        "sample": "The paragraph (first 200 characters).",
        "raw_digest": "SHA-256 of the day's raw page hashes: which pages it was learned from.",
        "template_version": "Version of the fingerprint rule (stale rows are recomputed).",
    },
    "sentences": {"sentence_index": "Position of the sentence in the article (0-based)."},
    "tokens": {
        "sentence_index": "Sentence the word belongs to.",
        "token_index": "Position of the word in its sentence (0-based, multi-word tokens "
                       "split into words).",
        "lemma": "Dictionary form.", "upos": "Universal part-of-speech tag.",
        "feats": "Universal morphological features (Case=Loc|Number=Sing...).",
        "start_char": "Offset of the token (of the multi-word token for its words).",
        "end_char": "Offset one past the token's end.",
    },
    "entities": {
        "label": "PER, ORG, LOC, MISC, DATE or MONEY.",
        "canonical": "Document-level name (\"Stoltenberg'in\" -> \"Jens Stoltenberg\").",
        "role": "Title in front of a person's name (\"NATO Genel Sekreteri\").",
        "origin": "model, gazetteer, title or document (how the mention was found).",
    },
    "quotes": {
        "quote": "The quoted text (direct) or the reported clause (indirect).",
        "speaker": "Canonical name of who said it; null only when unknown.",
        "speaker_role": "The speaker's title, when the article gives one.",
        "cue": "Reporting verb as a lemma (söyle, de, ifade et, diye konuş, say, tell...).",
        "cue_text": "The reporting verb as written (söyledi, ifadelerini kullandı, said).",
        "kind": "direct (quotation marks) or indirect (reported speech).",
    },
    "quantities": {
        "value": "The number, scaled (\"3 bin\" -> 3000, \"450 milyon\" -> 450000000).",
        "unit": "Counted noun as written (lower case), currency code (TRY, USD, EUR, "
                "GBP) or percent.",
    },
    "time_mentions": {
        "start_date": "First day the mention refers to.",
        "end_date": "Last day the mention refers to (inclusive).",
    },
    "runs": {
        "mode": "daily, backfill, refetch or reprocess_only.",
        "interval_start": "Start of the run's data interval (UTC).",
        "interval_end": "End of the run's data interval (UTC, exclusive).",
        "discovered": "Pages listed for the interval.", "fetched": "Pages fetched (200).",
        "not_modified": "Pages answered 304 (stored copy kept).",
        "fetch_failed": "Pages that failed (recorded in fetch_log).",
        "kept_stored": "Failed pages whose stored copy was kept.",
        "days_from_raw_zone": "Days rebuilt from stored pages without the network.",
        "cleaned": "Articles cleaned.", "clean_failed": "Pages with no extractable article.",
        "annotated": "Articles through the NLP stage.", "quotes": "Quotes extracted.",
        "entities": "Entity mentions extracted.",
        "errors": "Messages of the stages (truncated to 200).",
        "seconds": "Time the stages took, added up.",
        "recorded_at": "When the row was written (UTC).",
    },
}


def describe(table: str, column: str) -> str:
    return COLUMN_DOCS.get(table, {}).get(column) or COMMON.get(column, "")


def render_dictionary() -> str:
    lines = [
        "# newswire data dictionary",
        "",
        "Generated from the pyarrow schemas by `python -m newswire dictionary`; do not "
        "edit by hand.",
        "",
        "## Layout",
        "",
        "Parquet (zstd), hive-partitioned, one file per partition:",
        "`<lake>/<table>/source=<source id>/date=<YYYY-MM-DD>/data.parquet`. `source` and "
        "`date` (the UTC day of publication; for `runs`, the run's interval day) are in "
        "the path, not in the files: read with hive partitioning on (DuckDB "
        "`read_parquet(..., hive_partitioning = true)`, pyarrow `dataset(..., "
        "partitioning='hive')`, Spark, Polars). Each file's key-value metadata holds "
        f"`schema_version` (now {SCHEMA_VERSION}) and `table`. A partition is replaced "
        "atomically (temp file + rename), so a reader sees a whole old or whole new file.",
        "",
        "On object storage (`s3://bucket/prefix`, no rename) a partition folder holds "
        "`part-<UTC time>-<uuid>.parquet` files and a `_manifest.json` "
        "(`{\"file\": ..., \"rows\": ..., \"run_id\": ..., \"schema_version\": ..., "
        "\"committed_at\": ...}`) naming the one committed file: read only that file "
        "(the catalog's views do). Other Parquet files there are uploads not committed "
        "(yet, or ever: the weekly maintenance removes them).",
        "",
        "The DuckDB catalog (`newswire.duckdb`) has one view per table plus "
        "`statements`, `entity_mentions`, `daily_source_stats` and the table macros "
        "`quotes_by(who, from, to)`, `mentions_of(what, from, to)`, "
        "`cooccurring(what, from, to)`.",
    ]
    for table, schema in SCHEMAS.items():
        lines += ["", f"## {table}", "", TABLE_DOCS.get(table, ""), "",
                  "| column | type | meaning |", "|---|---|---|",
                  "| source | string (partition) | Source id from sources.yaml. |",
                  "| date | date (partition) | UTC day of the partition. |"]
        for field in schema:
            lines.append(f"| {field.name} | {field.type} | {describe(table, field.name)} |")
    return "\n".join(lines) + "\n"
