"""YAML data files (lexicons, gazetteer, profiles, rules), parsed with libyaml's C
loader when PyYAML has it: the same safe subset as ``yaml.safe_load``, several times
faster on the large gazetteer and lexicons every process reads once."""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with the C loader where available."""
    return yaml.load(text, Loader=SAFE_LOADER)
