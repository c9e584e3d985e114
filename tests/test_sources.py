"""sources.yaml: validated at load, errors name the bad key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from newswire.sources import SourcesError, load_sources

from tests.conftest import REPO


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    return path


def test_shipped_file_is_valid_with_aa_entries_disabled(monkeypatch) -> None:
    monkeypatch.delenv("NEWSWIRE_SAMPLE_URL", raising=False)
    every = load_sources(REPO / "include" / "sources.yaml", include_disabled=True)
    by_id = {s.id: s for s in every}
    assert {"sample_aa", "sample_wire", "aa_tr", "aa_en"} <= set(by_id)
    assert not by_id["aa_tr"].enabled and by_id["aa_tr"].profile == "aa"
    assert by_id["aa_tr"].allowed_domains == ["aa.com.tr"]
    enabled = [s.id for s in load_sources(REPO / "include" / "sources.yaml")]
    assert enabled == ["sample_aa", "sample_wire"]
    assert by_id["sample_aa"].feeds == ["http://127.0.0.1:8765/aa/rss.xml"]
    # The port of the feed too: other services of that host stay out of reach.
    assert by_id["sample_aa"].allowed_domains == ["127.0.0.1:8765"]


def test_env_reference_is_expanded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSWIRE_SAMPLE_URL", "http://127.0.0.1:9999")
    source = load_sources(REPO / "include" / "sources.yaml", only=["sample_wire"])[0]
    assert source.feeds == ["http://127.0.0.1:9999/wire/feed.atom"]


@pytest.mark.parametrize(("text", "message"), [
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [http://a.example/rss]\n    colour: red\n",
     "sources[x].colour: Extra inputs are not permitted"),
    ("sources:\n  - id: x\n    lang: de\n    feeds: [http://a.example/rss]\n",
     "sources[x].lang"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [ftp://a.example/rss]\n",
     "sources[x].feeds: Value error, not an http(s) URL"),
    ("sources:\n  - id: x\n    lang: tr\n", "needs at least one of 'feeds' or 'sitemaps'"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [http://a/]\n    politeness: {timeout_s: 0}\n",
     "sources[x].politeness.timeout_s"),
    ("sources:\n  - {id: x, lang: tr, feeds: [http://a/]}\n  - {id: x, lang: en, feeds: [http://b/]}\n",
     "duplicate source id 'x'"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [http://evil.example/rss]\n"
     "    allowed_domains: [aa.com.tr]\n",
     "sources[x].feeds[0]: http://evil.example/rss is outside allowed_domains ['aa.com.tr']"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: [https://www.aa.com.tr/rss]\n"
     "    sitemaps: [https://www.aa.com.tr/s.xml, http://aa.com.tr:8080/s.xml]\n"
     "    allowed_domains: [aa.com.tr]\n",
     "sources[x].sitemaps[1]: http://aa.com.tr:8080/s.xml is outside allowed_domains"),
    ("sources: [\n", "not valid YAML"),
    ("- just a list\n", "expected a mapping"),
    ("sources:\n  - id: x\n    lang: tr\n    feeds: ['${NO_SUCH_VAR_NW}/rss']\n",
     "NO_SUCH_VAR_NW is not set"),
])
def test_invalid_files_name_the_bad_key(tmp_path: Path, text: str, message: str,
                                        monkeypatch) -> None:
    monkeypatch.delenv("NO_SUCH_VAR_NW", raising=False)
    with pytest.raises(SourcesError, match=re.escape(message)):
        load_sources(write(tmp_path, text))


def test_missing_file_and_unknown_source(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="not found"):
        load_sources(tmp_path / "nope.yaml")
    with pytest.raises(SourcesError, match=r"unknown source id\(s\) \['zz'\]"):
        load_sources(REPO / "include" / "sources.yaml", only=["zz"])
