"""Canonical URLs: one spelling per article, so ids and dedupe are stable."""

from __future__ import annotations

import hashlib
import posixpath
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url


class UrlError(ValueError):
    """A URL we refuse to handle (bad scheme, no host)."""


def canonical_url(url: str) -> str:
    """Normalise a URL: lower-case scheme and host, default port, tracking parameters
    (utm_*, fbclid, ...) and the fragment dropped, query sorted, dot segments resolved."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UrlError(f"not an http(s) URL with a host: {url!r}")
    normalised = urlsplit(normalize_url(url.strip()))
    path = normalised.path or "/"
    resolved = posixpath.normpath(path)
    if path.endswith("/") and resolved != "/":
        resolved += "/"
    return urlunsplit((normalised.scheme, normalised.netloc, resolved, normalised.query, ""))


def article_id(url: str) -> str:
    """A stable id for an article: a hash of its canonical URL."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def host_allowed(url: str, allowed_domains: list[str]) -> bool:
    """True when the URL is http(s) and its host is an allowed domain or a subdomain of one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower().rstrip(".")
    for domain in allowed_domains:
        domain = domain.lower().rstrip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False
