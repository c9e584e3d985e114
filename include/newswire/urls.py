"""Canonical URLs: one spelling per article, so ids and dedupe are stable."""

from __future__ import annotations

import functools
import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

from newswire.yaml_data import load_yaml

RULES_FILE = Path(__file__).with_name("url_rules.yaml")


class UrlError(ValueError):
    """A URL we refuse to handle (bad scheme, no host)."""


@dataclass(frozen=True)
class UrlRules:
    """url_rules.yaml: tracking parameters courlan keeps, and the marks of AMP variants."""

    tracking_params: frozenset[str]
    amp_query: dict[str, str | None]  # key -> the value that marks AMP (None: any)
    amp_segments: frozenset[str]
    amp_suffixes: tuple[str, ...]


@functools.cache
def url_rules() -> UrlRules:
    data = load_yaml(RULES_FILE.read_text("utf-8"))
    return UrlRules(frozenset(p.lower() for p in data["tracking_params"]),
                    {k.lower(): v for k, v in data["amp_query"].items()},
                    frozenset(s.lower() for s in data["amp_segments"]),
                    tuple(s.lower() for s in data["amp_suffixes"]))


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
    tracking = url_rules().tracking_params
    query = "&".join(pair for pair in normalised.query.split("&")
                     if pair and pair.partition("=")[0].lower() not in tracking)
    return urlunsplit((normalised.scheme, normalised.netloc, resolved, query, ""))


@functools.lru_cache(maxsize=100_000)
def identity_path(url: str) -> str:
    """What identifies an article within its source: the canonical URL's path and query
    without scheme, host or port, AMP marks (url_rules.yaml) and a trailing slash, so
    ``https://www.x.com/a/1/amp?utm_source=rss`` and ``http://x.com:8080/a/1`` agree."""
    rules = url_rules()
    parts = urlsplit(canonical_url(url))
    segments = [s for s in parts.path.split("/") if s and s.lower() not in rules.amp_segments]
    if segments:
        last = segments[-1]
        for suffix in rules.amp_suffixes:
            if last.lower().endswith(suffix) and len(last) > len(suffix):
                segments[-1] = last[: -len(suffix)]
                break
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _is_amp_mark(k, v, rules)]
    path = "/" + "/".join(segments)
    return f"{path}?{urlencode(sorted(query))}" if query else path


def is_amp_variant(url: str) -> bool:
    """Whether the URL is marked as an article's AMP page (an ``amp.`` host, an AMP path
    segment or suffix, an AMP query key: url_rules.yaml)."""
    rules = url_rules()
    parts = urlsplit(canonical_url(url))
    segments = [s.lower() for s in parts.path.split("/") if s]
    return ((parts.hostname or "").startswith("amp.")
            or any(s in rules.amp_segments for s in segments)
            or bool(segments and segments[-1].endswith(rules.amp_suffixes))
            or any(_is_amp_mark(k, v, rules)
                   for k, v in parse_qsl(parts.query, keep_blank_values=True)))


def _is_amp_mark(key: str, value: str, rules: UrlRules) -> bool:
    key = key.lower()
    if key not in rules.amp_query:
        return False
    wanted = rules.amp_query[key]
    return wanted is None or value.lower() == wanted


def article_id(source: str, url: str) -> str:
    """An article's stable id: 16 hex digits of the SHA-1 of its source's id and its
    :func:`identity_path`. A site moving to https, dropping ``www.``, changing port,
    adding tracking parameters or listing the AMP page keeps its articles' ids."""
    key = f"{source}\n{identity_path(url)}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def legacy_article_id(url: str) -> str:
    """The id schema version 1 gave an article (a hash of the whole canonical URL, host
    and port included); ``migrate`` maps it to :func:`article_id`."""
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
    except ValueError:
        return False  # an unbalanced IPv6 bracket
    return _netloc_allowed(parts.scheme, parts.netloc, tuple(allowed_domains))


# A source's pages share a host or two: each (scheme, host and port, allowed domains) is
# decided once per process, not again for each of a day's thousand URLs.
@functools.lru_cache(maxsize=4096)
def _netloc_allowed(scheme: str, netloc: str, allowed_domains: tuple[str, ...]) -> bool:
    parts = SplitResult(scheme, netloc, "", "", "")  # hostname and port read netloc only
    try:
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return False  # a port that is not a number
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
