"""Quality gates: DuckDB SQL checks that fail (or warn) naming the check and numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow.parquet as pq
import pytest
from newswire.catalog import refresh_catalog
from newswire.config import Settings
from newswire.quality import QualityGateFailed, gate, load_checks, run_checks
from newswire.schema import SCHEMA_VERSION, to_table
from newswire.store import Partition, SchemaVersionError

from tests.conftest import both_lakes

DAY = date(2017, 12, 10)


def article(i: int, day: date, body: str = "x" * 300) -> dict:
    return {"article_id": f"a{i}", "url": f"http://a.example/{i}", "lang": "tr",
            "source_lang": "tr",
            "title": "t", "summary": None, "byline": None, "dateline": None,
            "published_at": datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
            "modified_at": None, "sections": [], "body": body, "content_hash": "h",
            "extractor": "aa", "warnings": [], "raw_sha256": "r", "run_id": "r",
            "pipeline_version": "t"}


def write_articles(settings: Settings, day: date, rows: list[dict]) -> None:
    settings.lake.write_partition(Partition("articles", "src", day), to_table("articles", rows))


def test_checks_declare_name_stage_and_severity() -> None:
    names = {(c.name, c.stage, c.severity) for c in load_checks()}
    assert ("zero_articles", "publish", "fail") in names
    assert ("quotes_without_speaker", "annotate", "warn") in names


@both_lakes
def test_a_usually_busy_source_with_no_articles_fails_the_gate(settings: Settings) -> None:
    for back in range(1, 8):
        write_articles(settings, DAY - timedelta(days=back), [article(back, DAY)] * 3)
    write_articles(settings, DAY, [])
    refresh_catalog(settings.lake, settings.catalog)
    with pytest.raises(QualityGateFailed,
                       match=r"zero_articles: src has 0 articles on 2017-12-10 \(usually "
                             r"3\.0 a day\)"):
        gate(settings, "publish", ["src"], DAY)
    # A new source with no history does not trip it.
    assert gate(settings, "publish", ["other"], DAY) == []


def test_short_bodies_warn_without_failing(settings: Settings) -> None:
    write_articles(settings, DAY, [article(1, DAY), article(2, DAY, body="kısa")])
    refresh_catalog(settings.lake, settings.catalog)
    findings = gate(settings, "publish", ["src"], DAY)
    assert [(f.check, f.severity) for f in findings] == [("incomplete_articles", "warn")]
    assert "1 of 2 articles of src on 2017-12-10" in findings[0].message


def test_schema_drift_is_caught(settings: Settings) -> None:
    write_articles(settings, DAY, [article(1, DAY)])
    refresh_catalog(settings.lake, settings.catalog)
    path = settings.lake.committed_file(Partition("articles", "src", DAY))
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({"schema_version": "0"}), path)
    findings = run_checks(settings, "publish", ["src"], DAY)
    drift = [f for f in findings if f.check == "schema_drift"]
    assert len(drift) == 1 and f"schema_version 0 (expected {SCHEMA_VERSION}): run " \
        "python -m newswire migrate" in drift[0].message
    # The catalog is not rebuilt over it: one line says what to do.
    with pytest.raises(SchemaVersionError, match=r"^1 partition\(s\) of .* have "
                       r"schema_version 0, not \d+ .*: run `python -m newswire migrate`$"):
        refresh_catalog(settings.lake, settings.catalog, file_lists=True)


@both_lakes
def test_quotes_without_speakers_warn(settings: Settings) -> None:
    rows = [{"article_id": "a", "quote": "q", "speaker": None if i < 3 else "X",
             "speaker_role": None, "cue": "söyle", "cue_text": "söyledi", "kind": "indirect",
             "start_char": 0, "end_char": 1, "model": "m", "run_id": "r",
             "pipeline_version": "t"} for i in range(5)]
    settings.lake.write_partition(Partition("quotes", "src", DAY), to_table("quotes", rows))
    refresh_catalog(settings.lake, settings.catalog)
    findings = gate(settings, "annotate", ["src"], DAY)
    assert [f.message for f in findings] == [
        "3 of 5 quotes of src on 2017-12-10 have no speaker (60% > 20%)"]
