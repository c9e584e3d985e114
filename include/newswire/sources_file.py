"""The sources file's text read as YAML (``${VAR}`` expanded), not yet validated.

Light on purpose (no pydantic, no cleaner): ``python -m newswire run`` reads here which
languages a run needs before it imports the pipeline, to start its NLP fork server
first; :func:`newswire.sources.load_sources` validates what :func:`read_sources_file`
reads.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from newswire.yaml_data import load_yaml


class SourcesError(ValueError):
    """The sources file is missing, unreadable or invalid; the message names the bad key."""


_ENV_REF = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}")


def expand_env(text: str) -> str:
    """``${VAR}`` and ``${VAR:-default}`` in the sources file, so one file serves the
    embedded default, tests (a sample server on another port) and deployments."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = os.environ.get(name)
        if value is None:
            if default is None:
                raise SourcesError(f"environment variable {name} is not set (no default)")
            return default
        return value

    return _ENV_REF.sub(replace, text)


def read_sources_file(path: Path) -> dict[str, Any]:
    """The file's mapping, env references expanded; SourcesError if it has none."""
    try:
        raw = load_yaml(expand_env(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise SourcesError(f"sources file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise SourcesError(f"{path}: expected a mapping with a 'sources' key")
    return raw


def source_langs(path: Path, only: list[str] | None = None) -> tuple[str, ...]:
    """The languages of the sources a run reads (those named in ``only``, else the
    enabled ones), as the file says before validation: a guess that costs only speed
    when the file is invalid (the run then fails on validating it anyway)."""
    entries = read_sources_file(path).get("sources")
    if not isinstance(entries, list):
        raise SourcesError(f"{path}: 'sources' is not a list")
    entries = [entry for entry in entries if isinstance(entry, dict)]
    if only and set(only) - {entry.get("id") for entry in entries}:
        raise SourcesError(f"{path}: unknown source id(s) in {only}")
    return tuple(sorted({
        str(entry.get("lang")) for entry in entries
        if (entry.get("id") in only if only else entry.get("enabled", True) is not False)}))
