"""The analysts' warehouse: views, table macros, named reports, the data dictionary."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from newswire.catalog import query
from newswire.config import Settings
from newswire.dictionary import describe, render_dictionary
from newswire.report import FORMATS, ReportError, named_reports, render, run_named_report
from newswire.schema import SCHEMAS
from newswire.stages import run_interval

from tests.conftest import LAKE_BACKENDS, REPO, requires_models
from tests.s3_helpers import aws_env, new_bucket

FIRST, LAST = date(2017, 12, 4), date(2017, 12, 5)


@pytest.fixture(scope="module", params=LAKE_BACKENDS)
def warehouse(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              sample_url: str) -> Iterator[Settings]:
    """Two sample days with NLP in a local lake, and in s3://<bucket>/lake on moto (the
    AWS variables stay set while the module's tests read it)."""
    from tests.conftest import HAVE_MODELS, STANZA_DIR

    if not HAVE_MODELS:
        pytest.skip("no stanza models")
    tmp = tmp_path_factory.mktemp("warehouse")
    old = dict(os.environ)
    os.environ.update(NEWSWIRE_SAMPLE_URL=sample_url, NEWSWIRE_LAKE=str(tmp / "lake"),
                      NEWSWIRE_CATALOG=str(tmp / "nw.duckdb"),
                      NEWSWIRE_STAGING=str(tmp / "staging"),
                      NEWSWIRE_STANZA_DIR=str(STANZA_DIR),
                      NEWSWIRE_SOURCES=str(REPO / "include" / "sources.yaml"))
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        os.environ.update(aws_env(endpoint),
                          NEWSWIRE_LAKE=f"s3://{new_bucket(endpoint)}/lake")
    try:
        settings = Settings.from_env()
        start = datetime(2017, 12, 4, tzinfo=UTC)
        run_interval(settings, start, start + timedelta(days=2), "warehouse")
        yield settings
    finally:
        os.environ.clear()
        os.environ.update(old)


@requires_models
def test_macros_answer_the_analysts_questions(warehouse: Settings) -> None:
    _, said = query(warehouse.catalog, "select speaker, kind, quote from quotes_by("
                    "'Stoltenberg', date '2017-12-04', date '2017-12-05') "
                    "where quote ilike '%Kuzey Kore%'")
    assert {row[0] for row in said} == {"Jens Stoltenberg"} and len(said) == 2
    _, mentions = query(warehouse.catalog, "select entity, label, count(*) from mentions_of("
                        "'Brüksel', date '2017-12-04', date '2017-12-05') group by all")
    # The gazetteer groups the Turkish and English names of the city (entity_aliases).
    assert {row[:2] for row in mentions} == {("Brüksel", "LOC"), ("Brussels", "LOC")}
    _, together = query(warehouse.catalog, "select entity from cooccurring('Stoltenberg', "
                        "date '2017-12-04', date '2017-12-05')")
    assert {"NATO", "Kuzey Kore", "Brüksel"} <= {row[0] for row in together}
    _, stats = query(warehouse.catalog, "select source, date, articles, quotes, "
                     "failed_requests from daily_source_stats order by all")
    assert [(s, d, a) for s, d, a, _q, _f in stats] == [
        ("sample_aa", FIRST, 2), ("sample_aa", LAST, 3), ("sample_wire", FIRST, 2),
        ("sample_wire", LAST, 2)]
    assert all(q > 0 and f == 0 for *_x, q, f in stats)


@requires_models
@pytest.mark.parametrize("name", sorted(named_reports()))
def test_every_named_report_runs_in_every_format(warehouse: Settings, name: str) -> None:
    columns, rows = run_named_report(warehouse, name, FIRST, LAST)
    assert columns and rows, name
    for fmt in FORMATS:
        text = render(columns, rows, fmt, name)
        assert text
    parsed = json.loads(render(columns, rows, "json"))
    assert len(parsed) == len(rows) and set(parsed[0]) == set(columns)


@requires_models
def test_report_parameters_are_bound_and_output_escaped(warehouse: Settings) -> None:
    with pytest.raises(ReportError, match="unknown report"):
        run_named_report(warehouse, "x'; drop view articles; --", FIRST, LAST)
    with pytest.raises(ReportError, match="before"):
        run_named_report(warehouse, "coverage", LAST, FIRST)
    page = render(["title"], [("<script>alert(1)</script>",)], "html", "<b>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    cli = subprocess.run([sys.executable, "-m", "newswire", "report", "who_said_what",
                          "--from", "2017-12-04'; --", "--to", "2017-12-05"],
                         env={**os.environ, "NEWSWIRE_LAKE": str(warehouse.lake),
                              "NEWSWIRE_STAGING": str(warehouse.staging),
                              "NEWSWIRE_CATALOG": str(warehouse.catalog)},
                         capture_output=True, text=True, cwd=REPO)
    assert cli.returncode == 2 and "not a date" in cli.stderr


@requires_models
def test_catalog_works_with_only_duckdb(warehouse: Settings, tmp_path: Path) -> None:
    if not warehouse.lake.is_local:
        # Plain DuckDB reads s3:// with its httpfs extension, which cannot be installed
        # without the internet (the catalog's own connect() falls back to fsspec).
        pytest.skip("DuckDB's httpfs extension is not installable offline")
    # A bare interpreter with duckdb importable and nothing of ours on the path.
    code = ("import duckdb, sys\n"
            "con = duckdb.connect(sys.argv[1], read_only=True)\n"
            "print(con.execute(\"select count(*) from statements where speaker = "
            "'Jens Stoltenberg'\").fetchone()[0])\n")
    result = subprocess.run([sys.executable, "-I", "-c", code, str(warehouse.catalog)],
                            capture_output=True, text=True, cwd=tmp_path,
                            env={"PATH": os.environ["PATH"]})
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 3


def test_data_dictionary_names_every_column_and_is_up_to_date() -> None:
    for table, schema in SCHEMAS.items():
        for field in schema:
            assert describe(table, field.name), f"{table}.{field.name} has no description"
    committed = (REPO / "docs" / "data-dictionary.md").read_text("utf-8")
    assert committed == render_dictionary(), "run: python -m newswire dictionary > " \
                                             "docs/data-dictionary.md"


def test_html_report_draws_charts_and_escapes_what_it_shows(tmp_path: Path) -> None:
    from newswire.catalog import refresh_catalog
    from newswire.html_report import build_html_report
    from newswire.schema import to_table
    from newswire.store import Partition

    settings = Settings(lake=tmp_path / "lake", catalog=tmp_path / "c.duckdb",
                        sources_file=REPO / "include" / "sources.yaml",
                        staging=tmp_path / "lake" / "_staging", user_agent="t")
    day = date(2017, 12, 6)
    hostile = "<img src=x onerror=alert(1)>"
    settings.lake.write_partition(Partition("articles", "s", day), to_table("articles", [{
        "article_id": "a1", "url": "http://a.example/1", "lang": "tr", "source_lang": "tr",
        "title": hostile, "summary": None, "byline": None, "dateline": None,
        "published_at": datetime(2017, 12, 6, 9, tzinfo=UTC), "modified_at": None,
        "sections": [], "body": "x" * 300, "content_hash": "h", "extractor": "aa",
        "warnings": [], "raw_sha256": "r", "run_id": "r", "pipeline_version": "t"}]))
    settings.lake.write_partition(Partition("quotes", "s", day), to_table("quotes", [{
        "article_id": "a1", "quote": "q", "speaker": hostile, "speaker_role": None,
        "cue": "de", "cue_text": "dedi", "kind": "direct", "start_char": 0, "end_char": 1,
        "model": "m", "run_id": "r", "pipeline_version": "t"}]))
    refresh_catalog(settings.lake, settings.catalog)
    page = build_html_report(settings, day - timedelta(days=6), day)
    assert page.count("<svg") == 3
    assert hostile not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    # Drawn by Vega-Lite (Altair, vl-convert): each chart has labelled axes with values.
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    texts = [re.findall(r"<text[^>]*>([^<]*)</text>", svg) for svg in charts]
    mentions, speakers, articles = texts
    assert "Quotes per speaker" in speakers and {"Quotes", "Speaker", "0", "1"} <= set(speakers)
    assert "&lt;img src=x onerror=alert(1)&gt;" in speakers  # the bar's label, escaped
    assert "Articles per source and day" in articles
    assert {"Day", "Articles", "Source", "s", "Nov 30", "Dec 06", "0", "1"} <= set(articles)
    assert {"Day", "Articles", "Nov 30", "Dec 06"} <= set(mentions)


@requires_models
def test_daily_reports_are_stored_in_the_lake_and_listed(warehouse: Settings) -> None:
    from newswire.daily_reports import daily_report_days, read_daily_report, write_daily_report

    where = write_daily_report(warehouse, LAST)
    assert where == warehouse.lake.url("_reports", f"{LAST}.txt")
    text = read_daily_report(warehouse, LAST, ".txt")
    assert text is not None and f"sample_aa    {LAST}  3" in text
    page = read_daily_report(warehouse, LAST)
    assert page is not None and page.count("<svg") == 3 and "Jens Stoltenberg" in page
    assert daily_report_days(warehouse) == [LAST.isoformat()]
    assert read_daily_report(warehouse, FIRST) is None


@requires_models
def test_cli_queries_the_lake_in_a_fresh_process(warehouse: Settings) -> None:
    # Lake, catalog and (for S3) endpoint and keys come from the environment only.
    cli = subprocess.run([sys.executable, "-m", "newswire", "query", "--format", "json",
                          "select count(*) as n from statements where speaker = "
                          "'Jens Stoltenberg'"],
                         env={**os.environ, "NEWSWIRE_LAKE": str(warehouse.lake),
                              "NEWSWIRE_CATALOG": str(warehouse.catalog),
                              "NEWSWIRE_STAGING": str(warehouse.staging)},
                         capture_output=True, text=True, cwd=REPO)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)[0]["n"] >= 3
