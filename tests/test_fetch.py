"""The fetcher against a real, misbehaving HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from newswire.clean.decode import decode_html
from newswire.fetch import Fetcher, parse_retry_after
from newswire.sources import Politeness
from newswire.urls import host_allowed, netloc_entry

from tests.conftest import FakeClock

POLITE = Politeness(min_delay_s=0.0, timeout_s=0.5, max_retries=2, backoff_s=0.01,
                    max_retry_after_s=2.0, max_bytes=200_000, max_redirects=3)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fetcher(bad_server: str, clock: FakeClock) -> Fetcher:
    return Fetcher(POLITE, [netloc_entry(bad_server)], "newswire-test/1", clock=clock)


def test_ok_page_is_fetched_with_one_attempt(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/ok")
    assert result.ok and result.status == 200
    assert b"<h1>ok</h1>" in result.body
    assert [a.status for a in result.attempts] == [200]
    assert result.attempts[0].bytes == len(result.body)


def test_429_waits_for_retry_after_then_succeeds(fetcher: Fetcher, bad_server: str,
                                                 clock: FakeClock) -> None:
    result = fetcher.fetch(bad_server + "/retry-429")
    assert result.ok
    assert [a.status for a in result.attempts] == [429, 200]
    assert result.attempts[0].error == "HTTP 429"
    # Retry-After: 1 beats the 0.01 s backoff.
    assert clock.sleeps == [1.0]


def test_backoff_doubles_and_is_capped(bad_server: str, clock: FakeClock) -> None:
    polite = POLITE.model_copy(update={"backoff_s": 0.75, "max_retries": 3})
    fetcher = Fetcher(polite, [netloc_entry(bad_server)], "newswire-test/1", clock=clock)
    assert not fetcher.fetch(bad_server + "/always-503").ok
    assert clock.sleeps == [0.75, 1.5, 2.0]  # 3.0 capped at max_retry_after_s


def test_503_then_200_is_retried(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/flaky-503")
    assert result.ok
    assert [a.status for a in result.attempts] == [503, 200]


def test_persistent_503_gives_up_after_max_retries(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/always-503")
    assert not result.ok and result.body is None
    assert [a.status for a in result.attempts] == [503, 503, 503]
    assert "gave up after 3 attempt(s)" in result.error


def test_timeout_is_recorded(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/slow")
    assert not result.ok
    assert len(result.attempts) == 3
    assert all(a.error.startswith("timeout") for a in result.attempts)


def test_truncated_body_fails(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/truncated")
    assert not result.ok and result.body is None
    assert result.attempts and all(a.error for a in result.attempts)


@pytest.mark.parametrize("path", ["/oversize", "/oversize-chunked"])
def test_oversize_page_is_refused(fetcher: Fetcher, bad_server: str, path: str) -> None:
    result = fetcher.fetch(bad_server + path)
    assert not result.ok and result.body is None
    assert "oversize" in result.error
    assert len(result.attempts) == 1  # not retried: it would be just as big again


def test_redirect_to_foreign_host_is_refused(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/redirect-foreign")
    assert not result.ok
    assert "outside allowed_domains" in result.error
    assert "foreign.invalid" in result.error
    assert [a.status for a in result.attempts] == [302, None]
    assert result.attempts[-1].url == "http://foreign.invalid/landing"


def test_redirect_inside_allowed_domain_is_followed(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/redirect-local")
    assert result.ok and result.final_url == bad_server + "/ok"
    assert [a.status for a in result.attempts] == [301, 200]


def test_redirect_loop_stops(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/redirect-loop")
    assert not result.ok and "too many redirects" in result.error


def test_robots_disallowed_path_is_not_requested(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/private/secret")
    assert not result.ok and "robots.txt" in result.error
    assert [(a.status, a.bytes) for a in result.attempts] == [(None, 0)]


def test_url_outside_allowed_domains_is_not_requested(bad_server: str) -> None:
    fetcher = Fetcher(POLITE, ["example.org"], "newswire-test/1")
    result = fetcher.fetch(bad_server + "/ok")
    assert not result.ok and "outside allowed_domains" in result.error
    assert [a.status for a in result.attempts] == [None]


def test_conditional_get_gives_not_modified(fetcher: Fetcher, bad_server: str) -> None:
    first = fetcher.fetch(bad_server + "/etag")
    assert first.ok and first.headers["etag"] == '"v1"'
    second = fetcher.fetch(bad_server + "/etag", etag=first.headers["etag"])
    assert second.ok and second.not_modified and second.status == 304


def test_windows_1254_page_decodes(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/cp1254")
    text, encoding = decode_html(result.body, result.headers["content-type"])
    assert encoding == "cp1254"
    assert "Türkçe sayfa: ığüşöç" in text


def test_rate_limit_spaces_requests_to_one_host(bad_server: str, clock: FakeClock) -> None:
    polite = POLITE.model_copy(update={"min_delay_s": 0.3})
    fetcher = Fetcher(polite, [netloc_entry(bad_server)], "newswire-test/1", clock=clock)
    for _ in range(3):
        assert fetcher.fetch(bad_server + "/ok").ok
    # robots.txt is free; the first page goes at once, each next one 0.3 s later.
    assert clock.sleeps == pytest.approx([0.3, 0.3])


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    from datetime import UTC, datetime
    now = datetime(2017, 12, 5, 10, 0, tzinfo=UTC)
    assert parse_retry_after("Tue, 05 Dec 2017 10:00:30 GMT", now) == 30.0


def test_allowed_domains_are_port_aware() -> None:
    assert netloc_entry("http://127.0.0.1:8765/aa/rss.xml") == "127.0.0.1:8765"
    assert netloc_entry("https://www.aa.com.tr:443/x") == "www.aa.com.tr"
    allowed = ["127.0.0.1:8765", "aa.com.tr"]
    assert host_allowed("http://127.0.0.1:8765/aa/x", allowed)
    assert not host_allowed("http://127.0.0.1:5432/", allowed)  # another service
    assert not host_allowed("http://127.0.0.1/", allowed)
    assert host_allowed("https://www.aa.com.tr/tr/dunya/x", allowed)
    assert not host_allowed("https://www.aa.com.tr:8443/admin", allowed)
    assert not host_allowed("https://evilaa.com.tr/", allowed)
    assert not host_allowed("file:///etc/passwd", allowed)
    assert not host_allowed("http://127.0.0.1:notaport/", allowed)


def test_gzip_bomb_is_capped_on_decompressed_bytes(fetcher: Fetcher, bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/gzip-bomb")
    assert not result.ok and "oversize" in result.error
    # Less than the cap went over the wire: the cap is on what was decompressed.
    assert result.attempts[0].status == 200


def test_redirect_to_another_port_of_the_same_host_is_refused(fetcher: Fetcher,
                                                              bad_server: str) -> None:
    result = fetcher.fetch(bad_server + "/redirect-admin-port")
    assert not result.ok and "127.0.0.1:5432" in result.error
    assert "outside allowed_domains" in result.error


class _CountingHandler(BaseHTTPRequestHandler):
    """Pages that take 0.1 s each; counts the requests in flight at once."""

    lock = threading.Lock()
    in_flight = 0
    most = 0
    seen = 0  # pages asked for
    robots = b"User-agent: *\nDisallow: /private/\n"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        cls = type(self)
        if self.path == "/robots.txt":
            body = cls.robots
        else:
            with cls.lock:
                cls.in_flight += 1
                cls.seen += 1
                cls.most = max(cls.most, cls.in_flight)
            time.sleep(0.1)
            with cls.lock:
                cls.in_flight -= 1
            body = f"<html><body><p>{self.path}</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def counting_server() -> Iterator[tuple[str, type[_CountingHandler]]]:
    handler = type("Handler", (_CountingHandler,), {})
    with serving(handler) as base:
        yield base, handler


def _asks(base: str) -> list[tuple[str, None, None]]:
    return [(f"{base}/page/{n}", None, None) for n in range(8)]


def test_requests_overlap_only_when_no_delay_applies(counting_server) -> None:
    base, handler = counting_server
    fetcher = Fetcher(POLITE, [netloc_entry(base)], "newswire-test/1")
    assert fetcher.parallelism([url for url, _, _ in _asks(base)]) == POLITE.max_parallel
    results = list(fetcher.fetch_all(_asks(base)))
    # in the order asked, whatever order they were answered in
    assert [r.body for r in results] == [f"<html><body><p>/page/{n}</p></body></html>"
                                         .encode() for n in range(8)]
    assert 1 < handler.most <= POLITE.max_parallel


def test_a_delay_keeps_one_request_at_a_time(counting_server) -> None:
    base, handler = counting_server
    polite = POLITE.model_copy(update={"min_delay_s": 0.01})
    fetcher = Fetcher(polite, [netloc_entry(base)], "newswire-test/1")
    assert fetcher.parallelism([base + "/a", base + "/b"]) == 1
    assert all(r.ok for r in fetcher.fetch_all(_asks(base)))
    assert handler.most == 1


def test_a_robots_crawl_delay_keeps_one_request_at_a_time(counting_server) -> None:
    base, handler = counting_server
    handler.robots = b"User-agent: *\nCrawl-delay: 0.01\n"
    fetcher = Fetcher(POLITE, [netloc_entry(base)], "newswire-test/1")
    assert fetcher.parallelism([base + "/a", base + "/b"]) == 1
    assert all(r.ok for r in fetcher.fetch_all(_asks(base)))
    assert handler.most == 1


def test_fetch_ahead_asks_for_the_next_batch_while_one_is_read(counting_server) -> None:
    """Each batch's results in order, as fetch_all gives them; the next batch's requests
    are sent before the caller has read the one before (a day's staging no longer stops
    the fetch), and no more than max_parallel at once."""
    base, handler = counting_server
    fetcher = Fetcher(POLITE, [netloc_entry(base)], "newswire-test/1")
    batches = [[(f"{base}/page/{day}-{n}", None, None) for n in range(4)] for day in range(3)]
    planned: list[int] = []

    def plan() -> Iterator[list[tuple[str, None, None]]]:
        for day, batch in enumerate(batches):
            planned.append(day)
            yield batch

    bodies = []
    results = fetcher.fetch_ahead(plan())
    for day in range(3):
        found = next(results)
        assert planned == list(range(min(day + 2, 3)))  # this batch and the next planned
        if day == 0:  # the next batch was asked for before this one is read
            time.sleep(0.35)
            assert handler.seen >= 8
        bodies.append([r.body for r in found])
    assert next(results, None) is None
    assert bodies == [[f"<html><body><p>/page/{day}-{n}</p></body></html>".encode()
                       for n in range(4)] for day in range(3)]
    assert 1 < handler.most <= POLITE.max_parallel


def test_fetch_ahead_asks_for_a_few_pages_ahead_only(counting_server, monkeypatch) -> None:
    """Memory: of the next batch, FETCH_AHEAD requests at most go out before the caller
    reads it; the rest when it does, each page once."""
    import newswire.fetch

    base, handler = counting_server
    monkeypatch.setattr(newswire.fetch, "FETCH_AHEAD", 2)
    fetcher = Fetcher(POLITE, [netloc_entry(base)], "newswire-test/1")
    batches = [[(f"{base}/page/{day}-{n}", None, None) for n in range(4)] for day in range(2)]
    results = fetcher.fetch_ahead(batches)
    first = next(results)
    time.sleep(0.35)
    assert handler.seen == 4 + 2
    assert all(r.ok for r in first) and all(r.ok for r in next(results))
    assert handler.seen == 8 and next(results, None) is None


def test_fetch_ahead_waits_its_turn_where_a_delay_applies(counting_server) -> None:
    base, handler = counting_server
    polite = POLITE.model_copy(update={"min_delay_s": 0.01})
    fetcher = Fetcher(polite, [netloc_entry(base)], "newswire-test/1")
    results = fetcher.fetch_ahead([_asks(base), _asks(base)])
    first = next(results)
    time.sleep(0.15)
    assert handler.seen == 0  # nothing sent before the caller reads
    assert all(r.ok for r in first) and all(r.ok for r in next(results))
    assert handler.seen == 16 and handler.most == 1


class _ProxyHandler(BaseHTTPRequestHandler):
    """A forward proxy on 127.0.0.1: answers every request itself, saying what it was
    asked for (a proxied request names the whole URL)."""

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        body = b"<html><body><p>via proxy</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering with ``handler``: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy_server() -> Iterator[str]:
    _ProxyHandler.seen = []
    with serving(_ProxyHandler) as base:
        yield base


def test_proxy_from_the_environment_is_used_per_origin(
        proxy_server: str, bad_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment is read once per origin, not per request, and still obeyed:
    HTTP_PROXY for other hosts (robots.txt and pages alike), NO_PROXY for ours."""
    monkeypatch.setenv("HTTP_PROXY", proxy_server)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    polite = POLITE.model_copy(update={"obey_robots": True})
    fetcher = Fetcher(polite, ["news.example.org", netloc_entry(bad_server)],
                      "newswire-test/1")
    first = fetcher.fetch("http://news.example.org/a/1")
    second = fetcher.fetch("http://news.example.org/a/2")
    assert first.ok and second.ok and b"via proxy" in second.body
    assert _ProxyHandler.seen == ["http://news.example.org/robots.txt",
                                  "http://news.example.org/a/1",
                                  "http://news.example.org/a/2"]
    direct = fetcher.fetch(bad_server + "/ok")  # NO_PROXY: straight to the server
    assert direct.ok and b"<h1>ok</h1>" in direct.body
    assert len(_ProxyHandler.seen) == 3


def test_a_fetcher_told_not_to_trust_the_environment_ignores_proxies(
        proxy_server: str, bad_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy_server)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    fetcher = Fetcher(POLITE, [netloc_entry(bad_server)], "newswire-test/1", trust_env=False)
    assert fetcher.fetch(bad_server + "/ok").ok
    assert _ProxyHandler.seen == []


class _EchoHandler(BaseHTTPRequestHandler):
    """Answers with the request's headers as its body, gzip-compressed."""

    def do_GET(self) -> None:
        import gzip

        body = gzip.compress("\n".join(f"{k}: {v}" for k, v in self.headers.items())
                             .encode())
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[str]:
    with serving(_EchoHandler) as base:
        yield base


def test_requests_say_who_we_are_take_gzip_and_send_netrc_credentials(
        echo_server: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What each request sends: our User-Agent, the encodings we decode (a gzip body
    arrives decoded), and the credentials ~/.netrc (here $NETRC) holds for the host;
    none where the fetcher is told not to trust the environment."""
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login reader password s3cret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    def sent(fetcher: Fetcher) -> dict[str, str]:
        echoed = fetcher.fetch(echo_server + "/page").body.decode()
        return {k.lower(): v for k, v in (line.split(": ", 1) for line in echoed.split("\n"))}

    headers = sent(Fetcher(POLITE, [netloc_entry(echo_server)], "newswire-test/1"))
    assert headers["user-agent"] == "newswire-test/1"
    assert "gzip" in headers["accept-encoding"]
    assert headers["authorization"] == "Basic cmVhZGVyOnMzY3JldA=="  # reader:s3cret
    untrusting = Fetcher(POLITE, [netloc_entry(echo_server)], "newswire-test/1",
                         trust_env=False)
    assert "authorization" not in sent(untrusting)
