"""The sources file (``include/sources.yaml``): loaded and validated once, at the edge."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from newswire.sources_file import SourcesError, read_sources_file


class FieldError(ValueError):
    """A validation error that belongs to one item of a list field (``feeds[0]``), so the
    message names that item rather than the whole source."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where


class Politeness(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_delay_s: float = Field(1.0, ge=0, description="seconds between two requests to one host")
    timeout_s: float = Field(20.0, gt=0)
    max_retries: int = Field(3, ge=0, le=10)
    backoff_s: float = Field(1.0, ge=0)
    max_retry_after_s: float = Field(120.0, ge=0)
    max_bytes: int = Field(5_000_000, gt=0)
    max_redirects: int = Field(5, ge=0, le=20)
    obey_robots: bool = True
    # Overlap requests to one host, but only where no delay applies at all (min_delay_s 0
    # and no robots.txt Crawl-delay): with a delay, one request at a time, as before.
    max_parallel: int = Field(4, ge=1, le=16,
                              description="requests in flight to one host when no delay applies")


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    lang: Literal["tr", "en"]
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    # A site profile from clean/profiles.yaml; auto: recognised from each page.
    profile: str = "auto"
    allowed_domains: list[str] = Field(default_factory=list)
    timezone: str = "UTC"
    enabled: bool = True
    name: str | None = None
    politeness: Politeness = Field(default_factory=Politeness)

    @field_validator("feeds", "sitemaps")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"not an http(s) URL: {url!r}")
        return urls

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, name: str) -> str:
        from newswire.clean.profiles import profile_names

        if name not in profile_names():
            raise ValueError(f"unknown profile {name!r}; known: {', '.join(profile_names())}")
        return name

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        # Checked here, not when the first page is cleaned (every page would fail then).
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {name!r}") from exc
        return name

    @model_validator(mode="after")
    def _defaults(self) -> Source:
        from newswire.urls import host_allowed, netloc_entry

        if not self.feeds and not self.sitemaps:
            raise ValueError("a source needs at least one of 'feeds' or 'sitemaps'")
        if not self.allowed_domains:
            # Default: only the hosts (and ports) the source's own feeds and sitemaps use.
            hosts = {netloc_entry(u) for u in [*self.feeds, *self.sitemaps]}
            self.allowed_domains = sorted(h for h in hosts if h)
        # A listing outside the source's own domains would be refused on every request
        # (the fetcher never leaves allowed_domains): that is a mistake in the file.
        for key in ("feeds", "sitemaps"):
            for index, url in enumerate(getattr(self, key)):
                if not host_allowed(url, self.allowed_domains):
                    raise FieldError(f"{key}[{index}]",
                                     f"{url} is outside allowed_domains "
                                     f"{self.allowed_domains} (add its host, with the port "
                                     "when it is not the default one)")
        return self


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source]

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesFile:
        seen: set[str] = set()
        for source in self.sources:
            if source.id in seen:
                raise ValueError(f"duplicate source id {source.id!r}")
            seen.add(source.id)
        return self


def _describe(error: ValidationError, raw: dict) -> str:
    lines = []
    for err in error.errors():
        loc = list(err["loc"])
        where = []
        # Name sources by id rather than by list index: "sources[aa_tr].feeds".
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
            try:
                where.append(f"sources[{raw['sources'][loc[1]].get('id', loc[1])}]")
            except (KeyError, IndexError, AttributeError, TypeError):
                where.append(f"sources[{loc[1]}]")
            loc = loc[2:]
        where.extend(str(part) for part in loc)
        message = err["msg"]
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldError):  # "sources[aa_tr].feeds[0]: ... outside ..."
            where.append(cause.where)
            message = str(cause)
        lines.append(f"{'.'.join(where) or '<root>'}: {message}")
    return "; ".join(lines)


def load_sources(path: Path, *, only: list[str] | None = None,
                 include_disabled: bool = False) -> list[Source]:
    """Read and validate the sources file; return the enabled sources (or those named)."""
    raw = read_sources_file(path)
    try:
        parsed = SourcesFile.model_validate(raw)
    except ValidationError as exc:
        raise SourcesError(f"{path}: {_describe(exc, raw)}") from exc
    sources = parsed.sources
    if only:
        known = {s.id for s in sources}
        unknown = sorted(set(only) - known)
        if unknown:
            raise SourcesError(f"unknown source id(s) {unknown}; known: {sorted(known)}")
        return [s for s in sources if s.id in only]
    return [s for s in sources if s.enabled or include_disabled]
