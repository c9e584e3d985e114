"""python -m newswire, as a user runs it (a real process, the sample source on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from newswire.constants import NLP_TABLES

from tests.conftest import FIXTURES, HAVE_MODELS, REPO, STANZA_DIR


def newswire(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newswire", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def cli_env(tmp_path: Path, sample_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(NEWSWIRE_LAKE=str(tmp_path / "lake"),
               NEWSWIRE_CATALOG=str(tmp_path / "nw.duckdb"),
               NEWSWIRE_SAMPLE_URL=sample_url,
               PYTHONPATH=str(REPO / "include"))
    env.pop("NEWSWIRE_SOURCES", None)
    if HAVE_MODELS:
        env["NEWSWIRE_STANZA_DIR"] = str(STANZA_DIR)
    return env


def test_run_then_query(tmp_path: Path, sample_url: str) -> None:
    env = cli_env(tmp_path, sample_url)
    nlp = [] if HAVE_MODELS else ["--no-nlp"]
    run = newswire("run", "--from", "2017-12-04", "--to", "2017-12-05", *nlp, env=env)
    assert run.returncode == 0, run.stderr
    assert "[1/2] 2017-12-04" in run.stdout and "[2/2] 2017-12-05" in run.stdout
    assert "newswire report 2017-12-04 .. 2017-12-05" in run.stdout
    # A quiet success: a line per day, the report, nothing on stderr (stanza's
    # "Unsupported language: tr", library INFO logging: only with -v).
    assert run.stderr == "" and len(run.stdout.splitlines()) <= 60
    if HAVE_MODELS:
        assert re.search(r"^\[1/2\] 2017-12-04 articles=4 quotes=[1-9]\d* ", run.stdout, re.M)
    query = newswire("query", "select source, date, count(*) as n from articles "
                     "group by all order by all", "--format", "json", env=env)
    assert query.returncode == 0, query.stderr
    rows = json.loads(query.stdout)
    assert rows == [
        {"source": "sample_aa", "date": "2017-12-04", "n": 2},
        {"source": "sample_aa", "date": "2017-12-05", "n": 3},
        {"source": "sample_wire", "date": "2017-12-04", "n": 2},
        {"source": "sample_wire", "date": "2017-12-05", "n": 2},
    ]
    table = newswire("query", "select count(*) as n from raw_pages", env=env)
    assert table.stdout.splitlines() == ["n", "-", "9", "(1 row)"]


def test_query_errors_are_clear(tmp_path: Path, sample_url: str) -> None:
    env = cli_env(tmp_path, sample_url)
    bad = newswire("query", "select * from no_such_table", env=env)
    assert bad.returncode == 1 and "no_such_table" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_run_rejects_bad_dates(tmp_path: Path, sample_url: str) -> None:
    env = cli_env(tmp_path, sample_url)
    bad = newswire("run", "--from", "2017-13-01", env=env)
    assert bad.returncode == 2 and "not a date" in bad.stderr
    backwards = newswire("run", "--from", "2017-12-05", "--to", "2017-12-04", env=env)
    assert backwards.returncode == 2 and "before --from" in backwards.stderr


def test_bad_sources_file_is_reported(tmp_path: Path, sample_url: str) -> None:
    env = cli_env(tmp_path, sample_url)
    broken = tmp_path / "s.yaml"
    broken.write_text("sources:\n  - id: q\n    lang: tr\n    feeds: [http://x/]\n    nope: 1\n")
    env["NEWSWIRE_SOURCES"] = str(broken)
    result = newswire("run", "--from", "2017-12-04", env=env)
    assert result.returncode == 2 and "sources[q].nope" in result.stderr


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_run_starts_the_nlp_fork_server_before_importing_the_pipeline(
        tmp_path: Path, sample_url: str) -> None:
    """``run`` starts its NLP fork server first, so the models load while the run imports
    the pipeline and validates its config: nothing heavy is imported yet, the languages
    come from the sources the run reads (here only the English one), and this process's
    environment is left as it was. Not at all without NLP or with one worker."""
    script = """
import os, sys
from multiprocessing import forkserver
from newswire import cli

def started(*argv):
    cli.start_nlp_early(cli.build_parser().parse_args(["run", "--from", "2017-12-04", *argv]))
    return forkserver._forkserver._forkserver_pid

print(started("--no-nlp"), started("--workers", "1"))
server = started("--workers", "2", "--source", "sample_wire")
# The server's pid is known from the fork; /proc shows the environment it was started
# with only once it has exec'd the interpreter (until then ours, or nothing mid-exec).
import time
deadline = time.monotonic() + 30
while True:
    with open(f"/proc/{server}/environ", "rb") as environ:
        told = dict(v.split(b"=", 1) for v in environ.read().split(b"\\0") if b"=" in v)
    if b"NEWSWIRE_PRELOAD_PARENT" in told or time.monotonic() > deadline:
        break
    time.sleep(0.01)
heavy = [m for m in ("pyarrow", "pydantic", "newswire.sources", "newswire.clean",
                     "newswire.stages", "torch") if m in sys.modules]
print(told[b"NEWSWIRE_PRELOAD_LANGS"].decode(), heavy, "NEWSWIRE_PRELOAD_LANGS" in os.environ)
"""
    done = subprocess.run([sys.executable, "-c", script], env=cli_env(tmp_path, sample_url),
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["None", "None", "en", "[]", "False"]


def test_clean_prints_the_article_as_json(tmp_path: Path, sample_url: str) -> None:
    env = cli_env(tmp_path, sample_url)
    result = newswire("clean", str(FIXTURES / "pages" / "aa_bold_headings.html"), "--profile",
                      "aa", "--url", "https://aa.example/x/1", env=env)
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["dateline"] == "Ankara"
    assert article["sections"][1]["heading"] == "İİT zirvesi"
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>")
    failed = newswire("clean", str(empty), env=env)
    assert failed.returncode == 1 and "no article text" in failed.stderr


def test_a_feed_outside_allowed_domains_is_a_config_error(tmp_path: Path,
                                                          sample_url: str) -> None:
    env = cli_env(tmp_path, sample_url)
    sources = tmp_path / "s.yaml"
    sources.write_text("sources:\n  - id: aa_tr\n    lang: tr\n"
                       "    feeds: [https://feeds.example.net/aa.rss]\n"
                       "    allowed_domains: [aa.com.tr]\n")
    env["NEWSWIRE_SOURCES"] = str(sources)
    result = newswire("run", "--from", "2017-12-04", env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"error: {sources}: sources[aa_tr].feeds[0]: https://feeds.example.net/aa.rss is "
        "outside allowed_domains ['aa.com.tr'] (add its host, with the port when it is "
        "not the default one)"]
    assert not (tmp_path / "lake").exists()  # refused at load: nothing was fetched


def test_bad_input_is_one_line_never_a_traceback(tmp_path: Path, sample_url: str) -> None:
    env = cli_env(tmp_path, sample_url)
    missing = newswire("clean", "/nonexistent.html", env=env)
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        "error: cannot read /nonexistent.html: No such file or directory"]
    backwards = newswire("report", "--from", "2017-12-06", "--to", "2017-12-04", env=env)
    assert backwards.returncode == 2 and "before --from" in backwards.stderr
    gold = newswire("evaluate", "--gold", str(tmp_path / "none.json"), env=env)
    assert gold.returncode == 2 and gold.stderr.startswith("error: no such gold file")
    # What no command foresees (here: a port already taken) is one line too; -v shows
    # the traceback.
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = newswire("sample-site", "--port", port, env=env)
        verbose = newswire("-v", "sample-site", "--port", port, env=env)
    assert busy.returncode == 1
    assert busy.stderr.splitlines() == [
        "error: OSError: [Errno 98] Address already in use (run with -v for the traceback)"]
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


@pytest.mark.skipif(not HAVE_MODELS, reason="needs the offline stanza models")
def test_workers_pool_writes_the_rows_of_one_process(tmp_path: Path, sample_url: str) -> None:
    """``run --workers 2`` (a pool of spawned processes, one shard per article) and
    ``--workers 1`` (in this process) write the same NLP rows."""
    tables = {}
    for workers in ("1", "2"):
        (tmp_path / f"w{workers}").mkdir()
        env = cli_env(tmp_path / f"w{workers}", sample_url)
        env["NEWSWIRE_SHARD_CHARS"] = "1"
        run = newswire("run", "--from", "2017-12-04", "--run-id", "same", "--quiet",
                       "--workers", workers, env=env)
        assert run.returncode == 0, run.stderr
        with duckdb.connect(env["NEWSWIRE_CATALOG"], read_only=True) as con:
            tables[workers] = {t: con.execute(f"select * from {t} order by all").fetchall()
                               for t in NLP_TABLES}
    assert all(tables["2"].values()), {t: len(r) for t, r in tables["2"].items()}
    assert tables["2"] == tables["1"]
    bad = newswire("run", "--from", "2017-12-04", "--workers", "0",
                   env=cli_env(tmp_path / "w0", sample_url))
    assert bad.returncode == 2 and "--workers must be 1 or more" in bad.stderr
