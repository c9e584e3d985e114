"""Canonical URLs: one spelling per article, so ids and dedupe are stable."""

from __future__ import annotations

import functools
import hashlib
import posixpath
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url


class UrlError(ValueError):
    """A URL we refuse to handle (bad scheme, no host)."""


# Remembered per process: the stages that ask again (fetch for the id, clean for the
# article's URL and id) get the answer without normalising the URL again.
@functools.lru_cache(maxsize=100_000)
def canonical_url(url: str) -> str:
    """Normalise a URL: lower-case scheme and host, default port, tracking parameters
    (utm_*, fbclid, ...) and the fragment dropped, query sorted, dot segments resolved."""
    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise UrlError(f"not an http(s) URL with a host: {url!r}")
        normalised = urlsplit(normalize_url(url.strip()))
    except UrlError:
        raise
    except ValueError as exc:  # "http://[::1": an unbalanced IPv6 bracket, a bad port
        raise UrlError(f"not a valid URL: {url!r} ({exc})") from exc
    path = normalised.path or "/"
    resolved = posixpath.normpath(path)
    if path.endswith("/") and resolved != "/":
        resolved += "/"
    return urlunsplit((normalised.scheme, normalised.netloc, resolved, normalised.query, ""))


def article_id(url: str) -> str:
    """A stable id for an article: a hash of its canonical URL."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]


DEFAULT_PORTS = {"http": 80, "https": 443}


def netloc_entry(url: str) -> str:
    """The allowed_domains entry for a URL: its host, with the port when it is not the
    scheme's default (a feed on 127.0.0.1:8765 allows that port, not the whole host)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    return host if port in (None, DEFAULT_PORTS.get(parts.scheme)) else f"{host}:{port}"


def host_allowed(url: str, allowed_domains: list[str]) -> bool:
    """True when the URL is http(s) and its host is an allowed domain or a subdomain of one,
    on the port the entry names (``host:port``) or else on the scheme's default port, so
    a feed cannot point us at other services of an allowed host (admin ports)."""
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return False  # a port that is not a number, an unbalanced IPv6 bracket
    host = parts.hostname.lower().rstrip(".")
    for entry in allowed_domains:
        domain, _, wanted = entry.lower().rstrip(".").partition(":")
        if wanted and not wanted.isdigit():
            continue
        if port != (int(wanted) if wanted else DEFAULT_PORTS[parts.scheme]):
            continue
        if host == domain or host.endswith("." + domain):
            return True
    return False
