"""Polite HTTP fetching: robots.txt, per-host rate limit, retries that honour
Retry-After, conditional GET, a size cap, and redirects only into allowed domains.

Every HTTP request (redirect hops and retries included) is returned as a
``FetchAttempt`` so the caller can record it in ``fetch_log``.
"""

from __future__ import annotations

import email.utils
import fcntl
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import certifi
import requests.utils
import urllib3
from protego import Protego
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from newswire.clock import SYSTEM_CLOCK, Clock
from newswire.sources import Politeness
from newswire.urls import host_allowed

RETRYABLE_STATUS = {429, 500, 502, 503, 504}
REDIRECT_STATUS = {301, 302, 303, 307, 308}
# robots.txt: RFC 9309 asks crawlers to follow at least five redirects.
ROBOTS_REDIRECTS = 5
ROBOTS_MAX_BYTES = 500_000
# Requests of the next day sent while the caller handles the day before (Fetcher.
# fetch_ahead): enough to cover a day's staging at loopback speed, few pages in memory.
FETCH_AHEAD = 64




@dataclass
class FetchAttempt:
    url: str
    attempt: int
    status: int | None
    error: str | None
    bytes: int
    elapsed_ms: int
    fetched_at: datetime


@dataclass
class FetchResult:
    """The outcome of fetching one URL: ok, not modified, or failed with a reason."""

    url: str
    final_url: str
    status: int | None
    body: bytes | None
    headers: dict[str, str]
    error: str | None
    attempts: list[FetchAttempt] = field(default_factory=list)
    not_modified: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and (self.body is not None or self.not_modified)


class FetchError(Exception):
    """A request failed for good: the message says why (recorded, never raised past fetch)."""


class RetryableError(FetchError):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class HostRateLimiter:
    """At most one request per host every ``delay`` seconds.

    With a ``state_dir`` the limit holds across processes on this machine (concurrent
    DAG runs, a backfill beside the daily run): each request reserves the host's next
    free slot in a small file under an exclusive lock, then sleeps outside the lock."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK, state_dir: Path | None = None) -> None:
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._state_dir = state_dir

    def wait(self, host: str, delay: float) -> float:
        """Wait for the host's next free slot; returns how long that was (seconds)."""
        if delay <= 0:
            return 0.0
        with self._lock:
            pause = (self._reserve_shared(host, delay) if self._state_dir
                     else self._reserve_local(host, delay))
        if pause > 0:
            self._clock.sleep(pause)
        return max(pause, 0.0)

    def _reserve_local(self, host: str, delay: float) -> float:
        now = self._clock.monotonic()
        ready = max(now, self._last.get(host, -delay) + delay)
        self._last[host] = ready
        return ready - now

    def _reserve_shared(self, host: str, delay: float) -> float:
        assert self._state_dir is not None
        self._state_dir.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9.-]", "_", host) or "_"
        with open(self._state_dir / f"{safe}.slot", "a+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                handle.seek(0)
                text = handle.read().strip()
                now = self._clock.time()
                last = float(text) if text else now - delay
                ready = max(now, last + delay)
                handle.seek(0)
                handle.truncate()
                handle.write(f"{ready:.6f}")
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return ready - now


@dataclass(frozen=True)
class Route:
    """How requests to one origin go: the connection pools (direct, or through the
    proxy the environment names for it) and the headers it adds (netrc credentials)."""

    pools: urllib3.PoolManager
    headers: dict[str, str]


class Fetcher:
    """Requests go through urllib3's connection pools directly: requests' session layer
    (cookies, hooks, environment merging, adapters) cost half the CPU of a loopback GET
    (0.49 ms against urllib3's 0.25 ms, measured) and we used none of it. What requests
    read from the environment (proxies and NO_PROXY, ~/.netrc, the CA bundle variables)
    is still read, with requests' own functions, once per origin (``route``);
    ``trust_env=False`` ignores it."""

    def __init__(self, politeness: Politeness, allowed_domains: list[str], user_agent: str,
                 clock: Clock = SYSTEM_CLOCK, host_state_dir: Path | None = None,
                 trust_env: bool = True) -> None:
        self.politeness = politeness
        self.allowed_domains = allowed_domains
        self.user_agent = user_agent
        self.trust_env = trust_env
        # What every request sends, as requests did: gzip (and what urllib3 can decode).
        self._headers = {**urllib3.util.make_headers(keep_alive=True, accept_encoding=True,
                                                     user_agent=user_agent),
                         "Accept": "*/*"}
        self._timeout = urllib3.Timeout(connect=politeness.timeout_s,
                                        read=politeness.timeout_s)
        self._routes: dict[tuple[str, str], Route] = {}
        self._pools: dict[tuple[str | None, str], urllib3.PoolManager] = {}
        self._routes_lock = threading.Lock()
        self._clock = clock
        self._limiter = HostRateLimiter(clock, host_state_dir)
        self._robots: dict[str, Protego | None] = {}
        self._robots_lock = threading.Lock()

    def route(self, url: str) -> Route:
        """The pools and headers for this URL's origin, read from the environment once:
        they depend on scheme and host only."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        route = self._routes.get(key)
        if route is None:
            with self._routes_lock:
                route = self._routes.get(key) or self._new_route(url)
                self._routes[key] = route
        return route

    def _new_route(self, url: str) -> Route:
        proxy, bundle, headers = None, certifi.where(), {}
        if self.trust_env:
            proxies = requests.utils.get_environ_proxies(url)
            proxy = proxies.get(urlsplit(url).scheme) or proxies.get("all")
            auth = requests.utils.get_netrc_auth(url)
            if auth:
                headers.update(urllib3.util.make_headers(basic_auth=":".join(auth)))
            bundle = (os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                      or bundle)
        key = (proxy, bundle)
        if key not in self._pools:
            # As many kept connections per host as requests may be in flight at once.
            options = {"maxsize": max(self.politeness.max_parallel, 1), "retries": False,
                       "cert_reqs": "CERT_REQUIRED", "ca_certs": bundle}
            self._pools[key] = (urllib3.ProxyManager(proxy, **options) if proxy
                                else urllib3.PoolManager(**options))
        return Route(self._pools[key], headers)

    def _get(self, url: str, headers: dict[str, str] | None = None, *,
             redirects: int = 0) -> urllib3.BaseHTTPResponse:
        """One GET, its body left to be streamed; ``redirects`` followed by urllib3
        (robots.txt only: pages follow theirs hop by hop, each hop checked)."""
        route = self.route(url)
        retries: urllib3.Retry | bool = False
        if redirects:
            retries = urllib3.Retry(total=None, connect=0, read=0, other=0, status=0,
                                    redirect=redirects)
        return route.pools.urlopen("GET", url, headers={**self._headers, **route.headers,
                                                        **(headers or {})},
                                   redirect=bool(redirects), retries=retries,
                                   timeout=self._timeout, preload_content=False,
                                   decode_content=True)

    # -- robots.txt -------------------------------------------------------------
    def _robots_for(self, url: str) -> Protego | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            with self._robots_lock:  # fetched once per origin, also with threads
                if origin not in self._robots:
                    self._robots[origin] = self._load_robots(origin)
        return self._robots[origin]

    def _load_robots(self, origin: str) -> Protego | None:
        try:
            resp = self._get(origin + "/robots.txt", redirects=ROBOTS_REDIRECTS)
            try:
                status = resp.status
                data = resp.read(ROBOTS_MAX_BYTES) if status == 200 else b""
            finally:
                _done(resp)
        except urllib3.exceptions.HTTPError:
            return None  # unreachable robots.txt: treated as "no rules" (RFC 9309 2.3.1.3)
        if status >= 500:
            # RFC 9309: a server error on robots.txt means "assume complete disallow".
            return Protego.parse("User-agent: *\nDisallow: /")
        if status != 200:
            return None
        return Protego.parse(data.decode("utf-8", errors="replace"))

    def robots_allows(self, url: str) -> bool:
        if not self.politeness.obey_robots:
            return True
        rules = self._robots_for(url)
        return rules is None or rules.can_fetch(url, self.user_agent)

    def _delay_for(self, url: str) -> float:
        delay = self.politeness.min_delay_s
        if self.politeness.obey_robots:
            rules = self._robots_for(url)
            crawl_delay = rules.crawl_delay(self.user_agent) if rules else None
            if crawl_delay:
                delay = max(delay, float(crawl_delay))
        return delay

    # -- one request, following allowed redirects -------------------------------
    def _request(self, url: str, headers: dict[str, str], attempts: list[FetchAttempt],
                 attempt_no: int) -> tuple[int, dict[str, str], str, bytes | None]:
        """One attempt: its status, headers (lower-case names), final URL and body."""
        current = url

        def refuse(reason: str) -> FetchError:
            # A refusal sends nothing, but is recorded like an attempt (status None).
            attempts.append(FetchAttempt(current, attempt_no, None, reason, 0, 0,
                                         datetime.now(UTC)))
            return FetchError(reason)

        for _hop in range(self.politeness.max_redirects + 1):
            if not host_allowed(current, self.allowed_domains):
                raise refuse(f"refused: {current} is outside allowed_domains")
            if not self.robots_allows(current):
                raise refuse(f"refused by robots.txt: {current}")
            self._limiter.wait(urlsplit(current).hostname or "", self._delay_for(current))
            started = time.monotonic()
            fetched_at = datetime.now(UTC)
            status: int | None = None
            size = 0
            location: str | None = None
            try:
                resp = self._get(current, headers)
                try:
                    status = resp.status
                    # Repeated headers joined with ", ", as requests did.
                    got = {name.lower(): resp.headers[name] for name in resp.headers}
                    location = got.get("location")
                    body = None
                    if status == 200:
                        body = self._read_capped(resp, got)
                        size = len(body)
                finally:
                    _done(resp)
                if status in REDIRECT_STATUS and location is not None:
                    following = urljoin(current, location)  # a bad one fails this hop
                    attempts.append(FetchAttempt(current, attempt_no, status, None, 0,
                                                 _ms(started), fetched_at))
                    current = following
                    continue
            except FetchError as exc:
                attempts.append(FetchAttempt(current, attempt_no, status, str(exc), size,
                                             _ms(started), fetched_at))
                raise
            except ValueError as exc:  # an unparseable redirect Location ("http://[::1")
                what = "bad redirect from" if location is not None else "bad URL"
                error = f"refused: {what} {current}: {exc}"
                attempts.append(FetchAttempt(current, attempt_no, status, error, size,
                                             _ms(started), fetched_at))
                raise FetchError(error) from exc
            except urllib3.exceptions.HTTPError as exc:
                if is_timeout(exc):
                    attempts.append(FetchAttempt(current, attempt_no, status,
                                                 f"timeout: {exc}", size, _ms(started),
                                                 fetched_at))
                    raise RetryableError(f"timeout after {self.politeness.timeout_s}s") \
                        from exc
                reason = f"{error_kind(exc)}: {request_error_reason(exc, current)}"
                attempts.append(FetchAttempt(current, attempt_no, status, reason,
                                             size, _ms(started), fetched_at))
                raise RetryableError(reason) from exc
            error = None
            if status in RETRYABLE_STATUS or status not in (200, 304):
                error = f"HTTP {status}"
            attempts.append(FetchAttempt(current, attempt_no, status, error, size,
                                         _ms(started), fetched_at))
            if status in RETRYABLE_STATUS:
                raise RetryableError(f"HTTP {status}", parse_retry_after(got.get("retry-after")))
            return status, got, current, body
        raise refuse(f"too many redirects (more than {self.politeness.max_redirects})")

    def _read_capped(self, resp: urllib3.BaseHTTPResponse, headers: dict[str, str]) -> bytes:
        cap = self.politeness.max_bytes
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(f"oversize: Content-Length {declared} > cap {cap}")
        chunks: list[bytes] = []
        total = 0
        # stream() yields decoded (gunzipped) bytes: the cap holds on what we keep.
        for chunk in resp.stream(65536, decode_content=True):
            total += len(chunk)
            if total > cap:
                raise FetchError(f"oversize: more than {cap} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    # -- public ------------------------------------------------------------------
    def parallelism(self, urls: Sequence[str]) -> int:
        """How many of these requests may be in flight at once: ``max_parallel`` when no
        delay applies to any of their hosts (min_delay_s 0, no robots.txt Crawl-delay),
        else 1 (one request at a time, each host's delay kept)."""
        limit = min(self.politeness.max_parallel, len(urls))
        if limit <= 1:
            return 1
        origins = {}
        for url in urls:
            parts = urlsplit(url)
            origins.setdefault((parts.scheme, parts.netloc), url)
        # Asked here, in order, so robots.txt is read before any thread starts.
        return limit if all(self._delay_for(url) <= 0 for url in origins.values()) else 1

    def fetch_all(self, requests_: Sequence[tuple[str, str | None, str | None]]
                  ) -> Iterator[FetchResult]:
        """``fetch`` for each (url, etag, last_modified), results in the same order.
        Requests overlap (a few threads) only when :meth:`parallelism` allows it."""
        workers = self.parallelism([url for url, _, _ in requests_])
        if workers == 1:
            for url, etag, last_modified in requests_:
                yield self.fetch(url, etag=etag, last_modified=last_modified)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            yield from pool.map(lambda r: self.fetch(r[0], etag=r[1], last_modified=r[2]),
                                requests_)

    def fetch_ahead(self, batches: Iterable[Sequence[tuple[str, str | None, str | None]]]
                    ) -> Iterator[Iterator[FetchResult]]:
        """``fetch_all`` for each batch in turn (a day's pages), and while the caller
        handles one batch's results (stages the day, cleans it), the next batch's first
        requests (``FETCH_AHEAD`` at most: memory) already in flight, so a day's own work
        no longer stops the fetch. Only where :meth:`parallelism` lets both batches
        overlap; a batch that must go one request at a time is fetched as ``fetch_all``
        does, alone, when its turn comes."""
        pool = ThreadPoolExecutor(max_workers=self.politeness.max_parallel,
                                  thread_name_prefix="fetch")

        def start(batch: Sequence[tuple[str, str | None, str | None]]
                  ) -> list[Future[FetchResult]]:
            return [pool.submit(self.fetch, url, etag=etag, last_modified=modified)
                    for url, etag, modified in batch]

        def overlaps(batch: Sequence[tuple[str, str | None, str | None]]) -> bool:
            return self.parallelism([url for url, _, _ in batch]) > 1

        batches = iter(batches)
        try:
            batch, futures = next(batches, None), []
            while batch is not None:
                parallel = overlaps(batch)
                if parallel:  # what was not asked ahead
                    futures += start(batch[len(futures):])
                following = next(batches, None)  # the caller plans its next day now
                ahead = start(following[:FETCH_AHEAD]) if parallel and following \
                    and overlaps(following) else []
                yield (f.result() for f in futures) if parallel else self.fetch_all(batch)
                batch, futures = following, ahead
        finally:  # a caller that stops early: what was asked ahead is not sent
            pool.shutdown(wait=True, cancel_futures=True)

    def fetch(self, url: str, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchResult:
        """Fetch one URL; never raises for network or HTTP trouble (see ``error``)."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts: list[FetchAttempt] = []
        counter = {"n": 0}
        max_wait = self.politeness.max_retry_after_s

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            backoff = self.politeness.backoff_s * (2 ** (state.attempt_number - 1))
            retry_after = getattr(exc, "retry_after", None)
            return min(max(backoff, retry_after or 0.0), max_wait)

        def one_attempt() -> tuple[int, dict[str, str], str, bytes | None]:
            counter["n"] += 1
            return self._request(url, headers, attempts, counter["n"])

        retrying = Retrying(
            stop=stop_after_attempt(self.politeness.max_retries + 1),
            wait=wait,
            retry=retry_if_exception_type(RetryableError),
            sleep=self._clock.sleep,
            reraise=True,
        )
        try:
            status, resp_headers, final_url, body = retrying(one_attempt)
        except RetryableError as exc:
            last = attempts[-1].status if attempts else None
            return FetchResult(url, url, last, None, {}, f"gave up after {counter['n']} "
                               f"attempt(s): {exc}", attempts)
        except FetchError as exc:
            last = attempts[-1].status if attempts else None
            return FetchResult(url, url, last, None, {}, str(exc), attempts)
        if status == 304:
            return FetchResult(url, final_url, 304, None, resp_headers, None, attempts,
                               not_modified=True)
        if status != 200:
            return FetchResult(url, final_url, status, None, resp_headers,
                               f"HTTP {status}", attempts)
        return FetchResult(url, final_url, 200, body, resp_headers, None, attempts)


# What urllib3's messages ("HTTPConnection(host='127.0.0.1', port=8765): Failed to
# establish a new connection: [Errno 111] Connection refused") come down to.
_REASONS = (("Connection refused", "connection refused"),
            ("Failed to resolve", "DNS lookup failed"),
            ("Name or service not known", "DNS lookup failed"),
            ("Temporary failure in name resolution", "DNS lookup failed"),
            ("Connection reset", "connection reset"),
            ("Network is unreachable", "network unreachable"),
            ("No route to host", "no route to host"),
            ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"))


def is_timeout(exc: urllib3.exceptions.HTTPError) -> bool:
    """A connect or read timeout; not a refused connection, which urllib3 files under
    its timeouts for compatibility."""
    return isinstance(exc, urllib3.exceptions.TimeoutError) \
        and not isinstance(exc, urllib3.exceptions.NewConnectionError)


def error_kind(exc: urllib3.exceptions.HTTPError) -> str:
    """The kind of a failed request, in the words fetch_log has always used (requests'
    exception names): a connection that could not be made or broke is a ConnectionError."""
    if isinstance(exc, urllib3.exceptions.SSLError):
        return "SSLError"
    if isinstance(exc, urllib3.exceptions.ProxyError):
        return "ProxyError"
    if isinstance(exc, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ProtocolError):
        return "ConnectionError"
    return type(exc).__name__


def request_error_reason(exc: Exception, url: str) -> str:
    """A short reason for a failed request, naming the host: "connection refused
    (127.0.0.1:8765)"; urllib3's own text when it is none of the usual ones."""
    text = str(exc)
    for needle, reason in _REASONS:
        if needle in text:
            host = urlsplit(url).netloc
            return f"{reason} ({host})" if host else reason
    return text[:300]


def _done(resp: urllib3.BaseHTTPResponse) -> None:
    """A response finished with: its connection back to the pool. A body read to its end
    has already gone back (kept alive); one left unread (oversize, robots.txt cut short)
    closes the connection first, as requests did."""
    resp.close()
    resp.release_conn()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
