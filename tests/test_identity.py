"""One article, one row: an article's id survives the site moving (port, http -> https,
host alias, tracking parameters, AMP links), a rerun replaces the day, an article listed
on two days lands on one, and lakes of schema version 1 migrate.

The sample source is served for real on 127.0.0.1 (over TLS too, with a certificate made
here that the fetcher is told to trust through REQUESTS_CA_BUNDLE)."""

from __future__ import annotations

import ipaddress
import re
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from newswire.catalog import query, refresh_catalog
from newswire.config import Settings
from newswire.discover import DiscoveredItem, select_items
from newswire.migrate import migrate_lake
from newswire.sample_site.server import make_handler
from newswire.sample_site.site import build_site
from newswire.schema import SCHEMA_VERSION, schema_for
from newswire.sources import Source
from newswire.stages import run_interval
from newswire.store import Partition, SchemaVersionError
from newswire.urls import article_id, canonical_url, is_amp_variant, legacy_article_id

from tests.conftest import REPO, both_lakes

DAY = date(2017, 12, 4)
TABLES = ("raw_pages", "fetch_log", "articles", "template_stats")


# --------------------------------------------------------------------------- the id


@pytest.mark.parametrize(("variant", "amp"), [
    ("https://www.example.com/news/world/1234", False),
    ("http://m.example.com:8080/news/world/1234/", False),
    ("https://example.com/news/world/1234?utm_source=rss&utm_medium=feed&fbclid=x", False),
    ("http://example.com/news/world/1234?gclid=1&mc_cid=2&mc_eid=3#comments", False),
    ("https://amp.example.com/news/world/1234", True),
    ("https://example.com/amp/news/world/1234", True),
    ("https://example.com/news/world/1234/amp/", True),
    ("https://example.com/news/world/1234.amp", True),
    ("https://example.com/news/world/1234?amp", False),  # canonical_url drops a bare key
    ("https://example.com/news/world/1234?amp=1&outputType=amp", True),
])
def test_the_id_survives_scheme_host_alias_port_tracking_and_amp(variant: str,
                                                                  amp: bool) -> None:
    assert article_id("s", variant) == article_id("s", "http://example.com/news/world/1234")
    assert is_amp_variant(variant) == amp


def test_the_id_keeps_what_tells_articles_apart() -> None:
    base = "https://example.com/news?id=1"
    assert article_id("s", base) != article_id("s", "https://example.com/news?id=2")
    assert article_id("s", base) != article_id("t", base)  # one path, two sources
    assert article_id("s", "https://example.com/News/1") != article_id(
        "s", "https://example.com/news/1")  # paths are case-sensitive
    assert article_id("s", "https://example.com/ampere/1") != article_id(
        "s", "https://example.com/1")  # only a whole segment is an AMP mark
    assert article_id("s", "https://x.com/a?b=2&a=1") == article_id("s", "https://x.com/a?a=1&b=2")


def test_an_article_listed_on_two_days_lands_on_the_earliest() -> None:
    """The feed says the 4th, the sitemap the 5th (through its AMP link): whichever day
    runs, the article belongs to the 4th, once."""
    source = Source(id="s", lang="en", feeds=["http://a.example/rss"])
    fourth = datetime(2017, 12, 4, 22, tzinfo=UTC)

    def listed() -> list[DiscoveredItem]:
        feed, sitemap = ("feed", "http://a.example/rss"), ("sitemap", "http://a.example/sm")
        return [DiscoveredItem("https://www.a.example/n/1/amp", *sitemap,
                               fourth + timedelta(hours=3), None),
                DiscoveredItem("http://a.example/n/1?utm_source=rss", *feed, fourth, "Title"),
                DiscoveredItem("http://a.example/n/2", *sitemap, fourth + timedelta(hours=4),
                               None)]

    day4 = select_items(listed(), source, *interval(date(2017, 12, 4)))
    day5 = select_items(listed(), source, *interval(date(2017, 12, 5)))
    assert [i.url for i in day4.items] == ["http://a.example/n/1"]
    assert day4.items[0].title == "Title"
    assert [i.url for i in day5.items] == ["http://a.example/n/2"]
    assert day5.skipped["listed_earlier"] == 1 and day5.skipped["duplicate"] == 1


# --------------------------------------------------------------------------- the site moves


def interval(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class Site:
    """The sample source on a fresh port of 127.0.0.1, named ``scheme://host:port``, its
    feeds and sitemaps listing each article through ``link`` (a variant of its URL),
    which the server also answers."""

    def __init__(self, scheme: str = "http", host: str = "127.0.0.1",
                 link: Callable[[str], str] = lambda url: url,
                 tls: tuple[Path, Path] | None = None) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler({}))
        self.url = f"{scheme}://{host}:{self.server.server_address[1]}"
        resources = build_site(self.url)
        pages = [path for path, r in resources.items()
                 if r.content_type.startswith("text/html")]
        # Each listed article URL (ended by "<", a quote, or RSS's own "?utm_..."),
        # replaced by its variant, in one pass.
        listed = re.compile("(" + "|".join(re.escape(self.url + p) for p in
                                           sorted(pages, key=len, reverse=True))
                            + ')([<"?])')

        def variant(match: re.Match) -> str:
            new = escape(link(match.group(1)))
            end = match.group(2)
            return new + ("&amp;" if "?" in new else "?") if end == "?" else new + end

        for resource in list(resources.values()):
            if resource.content_type.endswith("xml"):
                resource.body = listed.sub(variant, resource.body.decode()).encode()
        for page in pages:  # the variant's path is served too (the AMP page)
            resources.setdefault(link(self.url + page).split("?")[0][len(self.url):],
                                 resources[page])
        self.server.RequestHandlerClass = make_handler(resources)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def lake_state(settings: Settings) -> tuple[dict, dict]:
    """Rows per table, source and day; and the article ids per source."""
    counts = {}
    for table in TABLES:
        _, rows = query(settings.catalog, f"select source, date, count(*) from {table} "
                        "group by all order by all")
        counts[table] = rows
    _, rows = query(settings.catalog, "select source, list(article_id order by article_id) "
                    "from articles group by all order by all")
    return counts, dict(rows)


def page_statuses(settings: Settings) -> list[tuple]:
    """(status, requests) of the day's page requests, and how many pages are stored."""
    _, rows = query(settings.catalog, "select status, count(*) from fetch_log "
                    "where purpose = 'page' group by all order by all")
    _, pages = query(settings.catalog, "select count(*) from raw_pages")
    return [*rows, pages[0]]


@pytest.fixture
def tls_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # trusted by this process only
    return cert, key


def test_the_site_moving_keeps_ids_rows_and_conditional_gets(
        settings: Settings, monkeypatch: pytest.MonkeyPatch,
        tls_files: tuple[Path, Path]) -> None:
    moves: list[tuple[str, dict]] = [
        ("first", {}),
        ("another port", {}),
        ("https", {"scheme": "https", "tls": tls_files}),
        ("another host name", {"host": "localhost"}),
        ("tracking parameters", {"link": lambda u: f"{u}?utm_source=x&utm_medium=y&fbclid=z"}),
        ("AMP pages", {"link": lambda u: f"{u}/amp"}),
        ("AMP query", {"host": "localhost", "link": lambda u: f"{u}?amp=1&gclid=q"}),
    ]
    reference = None
    urls_before: dict[str, list] = {}
    for n, (move, options) in enumerate(moves):
        site = Site(**options)
        try:
            monkeypatch.setenv("NEWSWIRE_SAMPLE_URL", site.url)
            run_interval(settings, *interval(DAY), f"move{n}", nlp=False)
        finally:
            site.close()
        state = lake_state(settings)
        assert state[1], move
        if reference is None:
            reference = state
            statuses = page_statuses(settings)
            assert statuses == [(200, statuses[-1][0]), statuses[-1]]
            for table in ("raw_pages", "articles"):
                urls_before[table] = query(settings.catalog,
                                           f"select url from {table} order by all")[1]
            continue
        assert state == reference, move
        # The stored pages were found under the new URLs' ids: asked for with their
        # ETags, answered 304, and kept.
        statuses = page_statuses(settings)
        assert statuses == [(304, statuses[-1][0]), statuses[-1]], move
        # ... under the URLs the site lists them at now (without tracking parameters),
        # but not at an AMP page's: the article's URL stays the plain page's.
        for table in ("raw_pages", "articles"):
            _, urls = query(settings.catalog, f"select url from {table} order by all")
            if "AMP" in move:
                assert urls == urls_before[table], move
            else:
                assert all(u.startswith(site.url.replace(":443", "")) for (u,) in urls), move
            urls_before[table] = urls
    _, urls = query(settings.catalog, "select distinct url from raw_pages")
    assert all("amp" not in u and "utm" not in u and "gclid" not in u for (u,) in urls)


def test_a_rerun_drops_the_pages_the_run_no_longer_finds(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored page the day's listings no longer give (an older duplicate under another
    id) goes with the rerun; the day is what the run found."""
    site = Site()
    try:
        monkeypatch.setenv("NEWSWIRE_SAMPLE_URL", site.url)
        run_interval(settings, *interval(DAY), "first", nlp=False)
        before = lake_state(settings)
        partition = Partition("raw_pages", "sample_wire", DAY)
        stored = settings.lake.read_partition(partition)
        ghost = stored.slice(0, 1).to_pylist()[0]
        ghost.update(url=ghost["url"] + "-old", article_id="0" * 16)
        settings.lake.write_partition(partition, pa.concat_tables(
            [stored, pa.Table.from_pylist([ghost], schema=stored.schema)]))
        run_interval(settings, *interval(DAY), "again", nlp=False)
    finally:
        site.close()
    assert lake_state(settings) == before
    ids = settings.lake.read_partition(partition).column("article_id").to_pylist()
    assert "0" * 16 not in ids and len(ids) == len(set(ids))


# --------------------------------------------------------------------------- migrate


def v1_file(folder: Path, table: str, rows: list[dict]) -> Path:
    """A partition file as schema version 1 wrote it (articles: ``id``, no
    published_precision)."""
    schema = schema_for(table)
    if table == "articles":
        fields = [pa.field("id", pa.string()) if f.name == "article_id" else f
                  for f in schema if f.name not in ("published_precision", "agency")]
        schema = pa.schema(fields)
    schema = schema.with_metadata({"schema_version": "1", "table": table})
    path = folder / f"{table}-v1.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


@both_lakes
def test_migrate_rewrites_version_1_partitions_once(settings: Settings, tmp_path: Path) -> None:
    urls = ["http://127.0.0.1:8765/wire/world/a-1", "http://127.0.0.1:9999/wire/world/a-1",
            "http://127.0.0.1:8765/wire/world/b-2"]
    stamp = datetime(2017, 12, 4, 9, tzinfo=UTC)
    articles = [{"id": legacy_article_id(u), "url": canonical_url(u), "lang": "en",
                 "source_lang": "en", "title": f"T{n}", "summary": None, "byline": None,
                 "dateline": None, "published_at": stamp, "modified_at": None,
                 "sections": [{"heading": None, "paragraphs": ["Body."]}], "body": "Body.",
                 "content_hash": "h", "extractor": "generic", "warnings": [],
                 "raw_sha256": "r", "run_id": f"run{n}", "pipeline_version": "0"}
                for n, u in enumerate(urls)]
    quotes = [{"article_id": legacy_article_id(u), "quote": f"q{n}", "speaker": "S",
               "speaker_role": None, "cue": "say", "kind": "direct", "start_char": 0,
               "end_char": 2, "model": "m", "run_id": f"run{n}", "pipeline_version": "0"}
              for n, u in enumerate(urls)]
    quotes_table = schema_for("quotes")
    quotes = [{f.name: q.get(f.name) for f in quotes_table} for q in quotes]
    lake = settings.lake
    for table, rows in (("articles", articles), ("quotes", quotes)):
        lake.publish_file(Partition(table, "sample_wire", DAY), v1_file(tmp_path, table, rows))
    with pytest.raises(SchemaVersionError, match=r"run `python -m newswire migrate`"):
        refresh_catalog(lake, settings.catalog)

    migrated = migrate_lake(lake)
    assert len(migrated.rewritten) == 2 and migrated.current == 0
    refresh_catalog(lake, settings.catalog)
    _, rows = query(settings.catalog, "select article_id, title, run_id, published_precision "
                    "from articles order by all")
    # The article fetched through two ports is one article: the latest run's copy.
    assert rows == [(article_id("sample_wire", urls[0]), "T1", "run1", None),
                    (article_id("sample_wire", urls[2]), "T2", "run2", None)]
    _, rows = query(settings.catalog, "select quote, speaker from statements order by all")
    assert rows == [("q1", "S"), ("q2", "S")]
    for table in ("articles", "quotes"):
        path = lake.committed_file(Partition(table, "sample_wire", DAY))
        assert path and lake.file_schema_version(path) == SCHEMA_VERSION
    again = migrate_lake(lake)
    assert again.rewritten == [] and again.current == 2
    assert again.summary() == (f"nothing to migrate: all 2 partition(s) are at "
                               f"schema_version {SCHEMA_VERSION}")


@both_lakes
def test_migrate_version_2_articles_gain_a_null_agency(settings: Settings,
                                                       tmp_path: Path) -> None:
    """Version 2 -> 3 adds articles.agency (null: version 2 kept only the place) and keeps
    ids and every other value."""
    url = "http://127.0.0.1:8765/wire/world/a-1"
    stable = article_id("sample_wire", url)
    row = {"article_id": stable, "url": canonical_url(url), "lang": "en", "source_lang": "en",
           "title": "T", "summary": None, "byline": None, "dateline": "Brussels",
           "published_at": datetime(2017, 12, 4, 9, tzinfo=UTC), "modified_at": None,
           "sections": [{"heading": None, "paragraphs": ["Body."]}], "body": "Body.",
           "content_hash": "h", "extractor": "generic", "warnings": [], "raw_sha256": "r",
           "run_id": "run1", "pipeline_version": "0", "published_precision": "minute"}
    schema = pa.schema([f for f in schema_for("articles") if f.name != "agency"])
    path = tmp_path / "articles-v2.parquet"
    pq.write_table(pa.Table.from_pylist([row], schema=schema.with_metadata(
        {"schema_version": "2", "table": "articles"})), path)
    partition = Partition("articles", "sample_wire", DAY)
    settings.lake.publish_file(partition, path)
    with pytest.raises(SchemaVersionError, match="version 2"):
        refresh_catalog(settings.lake, settings.catalog)

    assert len(migrate_lake(settings.lake).rewritten) == 1
    refresh_catalog(settings.lake, settings.catalog)
    _, rows = query(settings.catalog, "select article_id, dateline, agency, "
                    "published_precision from articles")
    assert rows == [(stable, "Brussels", None, "minute")]
    committed = settings.lake.committed_file(partition)
    assert committed and settings.lake.file_schema_version(committed) == SCHEMA_VERSION == "3"


def test_migrate_command_says_what_it_did(settings: Settings, tmp_path: Path) -> None:
    rows = [{"run_id": "r", "purpose": "page", "url": "http://127.0.0.1:1/wire/a",
             "request_url": "http://127.0.0.1:1/wire/a", "attempt": 1, "status": 200,
             "error": None, "bytes": 1, "elapsed_ms": 1,
             "fetched_at": datetime(2017, 12, 4, tzinfo=UTC), "pipeline_version": "0"}]
    schema = pa.schema([f for f in schema_for("fetch_log") if f.name != "article_id"])
    path = tmp_path / "fetch_log.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema.with_metadata(
        {"schema_version": "1"})), path)
    settings.lake.publish_file(Partition("fetch_log", "sample_wire", DAY), path)

    def migrate() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "newswire", "migrate"], cwd=REPO,
                              capture_output=True, text=True, timeout=120)

    refused = subprocess.run([sys.executable, "-m", "newswire", "run", "--from", str(DAY),
                              "--no-nlp", "--quiet"], cwd=REPO, capture_output=True,
                             text=True, timeout=120)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"error: 1 partition(s) of {settings.lake} have schema_version 1, not "
        f"{SCHEMA_VERSION} (e.g. fetch_log/source=sample_wire/date={DAY}, version 1): "
        "run `python -m newswire migrate`"]
    first, second = migrate(), migrate()
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"migrated 1 partition(s) to schema_version {SCHEMA_VERSION}")
    assert second.returncode == 0 and second.stdout.startswith("nothing to migrate")
    _, got = query(settings.catalog, "select article_id from fetch_log")
    assert got == [(article_id("sample_wire", rows[0]["url"]),)]

