"""Bad input and attacks: hostile pages, feeds and sitemaps served on 127.0.0.1 through a
day's run, and every user-facing input validated (CLI, report parameters, the UI plugin,
sources.yaml).

Each hostile page ends as a recorded failure (fetch_log, runs.errors) or as a best-effort
article with a warning; the good pages of the same feed land."""

from __future__ import annotations

import re
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from newswire.catalog import query
from newswire.clean import clean_html
from newswire.clean.decode import MIXED, decode_html
from newswire.config import Settings
from newswire.discover import parse_sitemap
from newswire.fetch import Fetcher
from newswire.sources import Politeness, SourcesError, load_sources
from newswire.stages import run_interval
from newswire.urls import netloc_entry

from tests.conftest import REPO
from tests.servers import (
    HOSTILE_BEST_EFFORT,
    HOSTILE_CLEAN_FAILS,
    HOSTILE_FETCH_FAILS,
    HOSTILE_GOOD,
    HOSTILE_NEVER_REQUESTED,
    HUGE_BYTES,
    MIXED_CP1254_PART,
    MIXED_UTF8_PART,
    MisbehavingHandler,
    hostile_sitemap,
    invalid_bytes_page,
    mixed_encoding_page,
)

DAY = date(2017, 12, 5)
CAP = 2_000_000  # above the 1.1 MB deeply nested page, far below the 50 MB ones


def day_interval(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def hostile_settings(tmp_path: Path, bad_server: str, monkeypatch: pytest.MonkeyPatch
                     ) -> Settings:
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"""sources:
  - id: hostile
    lang: tr
    feeds: ["{bad_server}/hostile/feed.xml"]
    sitemaps: ["{bad_server}/hostile/sitemap.xml"]
    politeness: {{min_delay_s: 0, timeout_s: 5, max_retries: 1, backoff_s: 0.01,
                  max_retry_after_s: 1, max_bytes: {CAP}, max_redirects: 3}}
""")
    monkeypatch.setenv("NEWSWIRE_SOURCES", str(sources))
    monkeypatch.setenv("NEWSWIRE_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("NEWSWIRE_CATALOG", str(tmp_path / "c.duckdb"))
    monkeypatch.delenv("NEWSWIRE_STAGING", raising=False)
    return Settings.from_env()


def test_hostile_feed_day_records_each_failure_and_lands_the_good_pages(
        bad_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = hostile_settings(tmp_path, bad_server, monkeypatch)
    probes_before = (MisbehavingHandler.hits["/xxe-probe"]
                     + MisbehavingHandler.hits["/xxe-probe-dtd"])
    summary = run_interval(settings, *day_interval(DAY), "hostile", nlp=False)
    assert summary[DAY.isoformat()]["articles"] == len(HOSTILE_GOOD) + len(
        HOSTILE_BEST_EFFORT) + 1  # + the page only the hostile sitemap lists

    def paths(sql: str) -> dict[str, object]:
        _, rows = query(settings.catalog, sql)
        return {r[0].removeprefix(bad_server): r[1] for r in rows}

    landed = paths("select url, title from articles")
    assert set(landed) == {*HOSTILE_GOOD, *HOSTILE_BEST_EFFORT, "/good/sitemap"}
    # Every fetch failure is in fetch_log with its reason; each was tried once (a refusal
    # is not retried) and the run went on.
    failed = paths("select url, max(error) from fetch_log where purpose = 'page' "
                   "group by url having count(*) filter (where status = 200 "
                   "and error is null) = 0")
    assert set(failed) == set(HOSTILE_FETCH_FAILS)
    assert re.search(r"oversize: Content-Length 50000000 > cap", failed["/huge-declared"])
    assert f"oversize: more than {CAP} bytes" in failed["/huge-streamed"]
    assert "oversize" in failed["/gzip-bomb"]
    assert "too many redirects" in failed["/redirect-loop"]
    assert "127.0.0.1:5432/ is outside allowed_domains" in failed["/redirect-admin-port"]
    # The deeply nested page was fetched and stored (nothing is lost) but is a recorded
    # clean failure, not a crash.
    stored = paths("select url, bytes from raw_pages")
    assert set(stored) == set(landed) | set(HOSTILE_CLEAN_FAILS)
    _, runs = query(settings.catalog, "select fetch_failed, clean_failed, cleaned, errors "
                    "from runs")
    (fetch_failed, clean_failed, cleaned, errors), = runs
    assert (fetch_failed, clean_failed, cleaned) == (len(HOSTILE_FETCH_FAILS), 1,
                                                     len(landed))
    assert any(e.startswith(f"{bad_server}/deep-nesting: ") for e in errors)
    # Mixed encodings: both halves read right, and the article says how it was decoded.
    _, mixed = query(settings.catalog, "select body, warnings from articles "
                     "where url like '%/mixed-encoding'")
    body, warnings = mixed[0]
    assert MIXED_UTF8_PART in body and MIXED_CP1254_PART in body
    assert any(w.startswith("mixed encodings") for w in warnings)
    _, invalid = query(settings.catalog, "select body from articles "
                       "where url like '%/invalid-bytes'")
    assert "Dışişleri Bakanı Çavuşoğlu" in invalid[0][0]  # a stray byte mangles nothing else
    # Links to other ports, file:// or the metadata address were never requested, and the
    # sitemap's external entities were neither read nor fetched.
    _, requested = query(settings.catalog, "select request_url, status, error from fetch_log")
    for url, status, error in requested:
        # A refused hop is recorded with no status: it was never sent.
        assert url.startswith(bad_server + "/") or (status is None and "refused" in error), url
    _, wanted = query(settings.catalog, "select distinct url from fetch_log")
    assert not {u for u, in wanted} & set(HOSTILE_NEVER_REQUESTED)
    assert (MisbehavingHandler.hits["/xxe-probe"]
            + MisbehavingHandler.hits["/xxe-probe-dtd"]) == probes_before
    _, leaked = query(settings.catalog, "select count(*) from articles "
                      "where body like '%root:%' or url like '%root:%'")
    assert leaked == [(0,)]


@pytest.mark.parametrize("path", ["/huge-declared", "/huge-streamed"])
def test_50_mb_page_is_refused_without_buffering_it(bad_server: str, path: str) -> None:
    polite = Politeness(min_delay_s=0, timeout_s=10, max_retries=2, backoff_s=0.01,
                        max_bytes=CAP)
    fetcher = Fetcher(polite, [netloc_entry(bad_server)], "newswire-test/1")
    tracemalloc.start()
    try:
        result = fetcher.fetch(bad_server + path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.ok and result.body is None and "oversize" in result.error
    assert len(result.attempts) == 1  # not retried: it would be just as big again
    # Memory stays near the cap, far below the page: the body is streamed, then dropped.
    assert peak < 2 * CAP < HUGE_BYTES // 10


def test_mixed_encoding_page_is_decoded_piece_by_piece() -> None:
    page = mixed_encoding_page()
    text, encoding = decode_html(page, "text/html; charset=utf-8")
    assert encoding == MIXED
    assert MIXED_UTF8_PART in text and MIXED_CP1254_PART in text
    article = clean_html(page, "http://x.example/karma", content_type="text/html")
    assert MIXED_UTF8_PART in article.body and MIXED_CP1254_PART in article.body
    assert "mixed encodings: UTF-8 with windows-1254 bytes" in article.warnings[0]
    # A whole windows-1254 page is still that, not "mixed".
    legacy = ("<html><body><p>" + (MIXED_CP1254_PART + " ") * 10 + "</p></body></html>")
    assert decode_html(legacy.encode("cp1254"), None) == (legacy, "cp1254")


def test_invalid_byte_sequences_do_not_garble_the_rest_of_the_page() -> None:
    text, _ = decode_html(invalid_bytes_page(), "text/html; charset=utf-8")
    assert "Dışişleri Bakanı Çavuşoğlu, Ankara'da" in text
    assert "Ã" not in text.split("<p>", 2)[2]  # no mojibake after the junk


def test_sitemap_external_entities_are_not_resolved(bad_server: str) -> None:
    before = MisbehavingHandler.hits["/xxe-probe"] + MisbehavingHandler.hits["/xxe-probe-dtd"]
    entries, children = parse_sitemap(hostile_sitemap(bad_server), bad_server + "/s.xml")
    assert children == []
    assert [e.url for e in entries] == [bad_server + "/good/sitemap", bad_server + "/good/3"]
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    assert all(passwd not in e.url for e in entries)
    after = MisbehavingHandler.hits["/xxe-probe"] + MisbehavingHandler.hits["/xxe-probe-dtd"]
    assert after == before


# --------------------------------------------------------------------------- validation


@pytest.fixture
def cli(settings: Settings, capsys: pytest.CaptureFixture[str]):
    """``python -m newswire ARGS`` in this process: (exit status, stdout, stderr)."""
    from newswire.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse refuses an argument
            status = int(exc.code or 0)
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


@pytest.mark.parametrize(("args", "status", "message"), [
    (["run", "--from", "2017-02-30"], 2, "not a date (YYYY-MM-DD): '2017-02-30'"),
    (["run", "--from", "2017-12-04'; drop table articles; --"], 2, "not a date"),
    (["run", "--from", "2017-12-05", "--to", "2017-12-04"], 2,
     "--to 2017-12-04 is before --from 2017-12-05"),
    (["run", "--from", "2017-12-04", "--source", "nope"], 2,
     "unknown source id(s) ['nope']; known: ["),
    (["run", "--from", "2017-12-04", "--mode", "yolo"], 2, "invalid choice: 'yolo'"),
    (["report", "no_such_report"], 2, "unknown report 'no_such_report'; known: "),
    (["report", "daily_digest; drop table articles"], 2, "unknown report"),
    (["report", "daily_digest", "--from", "2017-12-09", "--to", "2017-12-04"], 2,
     "--to 2017-12-04 is before --from 2017-12-09"),
    (["report", "daily_digest", "--from", "yesterday"], 2, "not a date"),
    (["report", "daily_digest", "--format", "xml"], 2, "invalid choice: 'xml'"),
    (["clean", "x.html", "--profile", "evil"], 2, "invalid choice: 'evil'"),
    (["sample-site", "--port", "http"], 2, "invalid int value: 'http'"),
])
def test_cli_arguments_are_validated(cli, args: list[str], status: int, message: str
                                     ) -> None:
    code, out, err = cli(*args)
    assert code == status
    assert message in err
    assert "Traceback" not in err and out == ""


def test_report_parameters_are_bound_never_formatted(settings: Settings) -> None:
    """A report's SQL names its parameters ($from_day, $to_day) and never holds Python
    formatting; a value that is SQL text stays a value."""
    from newswire.report import ReportError, named_reports, run_named_report

    reports = named_reports()
    assert {"daily_digest", "who_said_what", "top_speakers", "top_entities"} <= set(reports)
    for report in reports.values():
        assert "$from_day" in report.sql and "$to_day" in report.sql, report.name
        assert not re.search(r"\{[a-z_]*\}|%\(|%s", report.sql), report.name
    with pytest.raises(ReportError, match=r"unknown report '\.\./\.\./etc/passwd'"):
        run_named_report(settings, "../../etc/passwd", date(2017, 12, 4), date(2017, 12, 5))


def test_every_sql_call_in_the_package_binds_its_values() -> None:
    """No ``execute``/``query`` in the package gets SQL built with ``%`` or ``.format``,
    or an f-string with a value that is not quoted by ``catalog._literal``; DDL (views,
    secrets: DuckDB binds no parameters there) comes from the helpers listed here."""
    import ast

    allowed = {("catalog.py", "view_sql"), ("catalog.py", "s3_secret_sql")}
    offenders = []
    for path in sorted((REPO / "include" / "newswire").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "sql", "query") and node.args):
                continue
            sql = node.args[0]
            unquoted = isinstance(sql, ast.JoinedStr) and any(
                not (isinstance(part.value, ast.Call) and isinstance(part.value.func, ast.Name)
                     and part.value.func.id == "_literal")
                for part in sql.values if isinstance(part, ast.FormattedValue))
            formatted = (unquoted
                         or (isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Mod))
                         or (isinstance(sql, ast.Call) and isinstance(sql.func, ast.Attribute)
                             and sql.func.attr == "format"))
            helper = (sql.func.id if isinstance(sql, ast.Call)
                      and isinstance(sql.func, ast.Name) else None)
            if formatted or (helper and (path.name, helper) not in allowed):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(("text", "message"), [
    ("sources:\n  - id: ../../etc\n    lang: tr\n    feeds: [http://a.example/rss]\n",
     "sources[../../etc].id: String should match pattern"),
    ("sources:\n  - id: X\n    lang: tr\n    feeds: [http://a.example/rss]\n",
     "sources[X].id: String should match pattern"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: ['javascript:alert(1)']\n",
     "sources[x].feeds: Value error, not an http(s) URL"),
    ("sources:\n  - id: x\n    lang: tr\n    sitemaps: ['file:///etc/passwd']\n",
     "sources[x].sitemaps: Value error, not an http(s) URL"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [http://a/]\n    politeness: "
     "{max_bytes: -1}\n", "sources[x].politeness.max_bytes"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [http://a/]\n    politeness: "
     "{max_redirects: 1000}\n", "sources[x].politeness.max_redirects"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [http://a/]\n    politeness: "
     "{min_delay_s: soon}\n", "sources[x].politeness.min_delay_s"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [http://a/]\n    timezone: Mars/Olympus\n",
     "sources[x].timezone: Value error, unknown time zone 'Mars/Olympus'"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [http://a/]\n    profile: evil\n",
     "sources[x].profile"),
    ("sources: !!python/object/apply:os.system ['echo pwned']\n", "not valid YAML"),
    ("sources: 3\n", "sources: Input should be a valid list"),
    ("", "expected a mapping with a 'sources' key"),
])
def test_sources_file_errors_name_the_bad_key(tmp_path: Path, text: str, message: str
                                              ) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    with pytest.raises(SourcesError, match=re.escape(message)):
        load_sources(path)


# --------------------------------------------------------------------------- UI plugin


@pytest.fixture
def plugin_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The plugin's FastAPI app under FastAPI's TestClient, Airflow's login replaced by a
    fixed user (the login itself is tested against a real Airflow in test_browser.py)."""
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow_home"))
    monkeypatch.syspath_prepend(str(REPO / "plugins"))
    pytest.importorskip("airflow.api_fastapi.core_api.security")
    import newswire_reports
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.testclient import TestClient

    newswire_reports.app.dependency_overrides[get_user] = lambda: None
    try:
        yield TestClient(newswire_reports.app)
    finally:
        newswire_reports.app.dependency_overrides.clear()


@pytest.mark.parametrize(("url", "status", "detail"), [
    ("/live?from=x&to=2017-12-07", 400, "from: a date as YYYY-MM-DD, not &#x27;x&#x27;"),
    ("/live?from=2017-12-07", 400, "to: missing"),
    ("/live?from=2017-12-07&to=2017-12-05", 400, "&#x27;to&#x27; must be on or after"),
    ("/live?from=2015-01-01&to=2017-12-05", 400, "within 366 days"),
    ("/live?from=2017-12-05'%20or%201=1--&to=2017-12-07", 400, "from: a date as YYYY-MM-DD"),
    ("/day/..%2F..%2Fetc%2Fpasswd", 404, None),
    ("/day/2017-12-31", 404, "no report for 2017-12-31"),
    ("/day/not-a-date", 400, "day: a date as YYYY-MM-DD"),
])
def test_plugin_query_string_is_validated(plugin_client, settings: Settings, url: str,
                                          status: int, detail: str | None) -> None:
    response = plugin_client.get(url)
    assert response.status_code == status, response.text
    if detail:
        assert detail in response.text
    assert "root:" not in response.text


def test_plugin_pages_escape_what_they_show(plugin_client, settings: Settings,
                                            tmp_path: Path) -> None:
    """A report file named like markup, and lake values that are markup (a title, a
    speaker), are shown as text."""
    from newswire.catalog import refresh_catalog
    from newswire.schema import to_table
    from newswire.store import Partition, open_store

    lake = tmp_path / "lake"
    evil = "<script>alert('x')</script>"
    reports = lake / "_reports"
    reports.mkdir(parents=True)
    (reports / "<script>alert(1)<\u2215script>.html").write_text("x")
    day = date(2017, 12, 5)
    published = datetime(2017, 12, 5, 10, tzinfo=UTC)
    store = open_store(lake)
    store.write_partition(Partition("articles", "evil", day), to_table("articles", [{
        "article_id": "a1", "url": "http://e.example/1", "lang": "en", "source_lang": "en",
        "title": evil, "summary": None, "byline": None, "dateline": None,
        "published_at": published, "modified_at": None, "sections": [],
        "body": "<img src=x onerror=alert(1)> said hello.", "content_hash": "h",
        "extractor": "x", "warnings": [], "raw_sha256": "r", "run_id": "r",
        "pipeline_version": "t"}]))
    store.write_partition(Partition("quotes", "evil", day), to_table("quotes", [{
        "article_id": "a1", "quote": "hello", "speaker": "<img src=x onerror=alert(1)>",
        "speaker_role": None, "cue": "say", "cue_text": "said", "kind": "direct",
        "start_char": 0, "end_char": 5, "model": "m", "run_id": "r",
        "pipeline_version": "t"}]))
    refresh_catalog(lake, settings.catalog)
    index = plugin_client.get("/")
    assert index.status_code == 200
    assert "&lt;script&gt;" in index.text and "<script>" not in index.text
    live = plugin_client.get("/live?from=2017-12-04&to=2017-12-06")
    assert live.status_code == 200
    assert "<script>" not in live.text and "<img" not in live.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in live.text


def test_redirect_to_an_unparseable_location_is_a_recorded_failure(bad_server: str) -> None:
    polite = Politeness(min_delay_s=0, timeout_s=5, max_retries=1, backoff_s=0.01)
    fetcher = Fetcher(polite, [netloc_entry(bad_server)], "newswire-test/1")
    result = fetcher.fetch(bad_server + "/redirect-bad-ipv6")
    assert not result.ok
    assert result.error == f"refused: bad redirect from {bad_server}/redirect-bad-ipv6: " \
        "Invalid IPv6 URL"
    assert [a.error for a in result.attempts] == [result.error]  # recorded, not retried
