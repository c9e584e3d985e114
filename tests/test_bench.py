"""Smoke test of the benchmark suite: the clean bench on 20 pages of each set and
fetch + clean over a 50-page synthetic archive served on 127.0.0.1, with their result
files checked for real numbers (timing targets live in bench/, never in tests)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED

BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))

from synthetic_archive import (  # noqa: E402
    FILLER,
    REAL_PER_ARTICLE,
    REAL_SENTENCES,
    SyntheticArchive,
    read_sentences,
    start_in_thread,
)


def run_bench(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                          text=True, timeout=300, cwd=REPO, check=False)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def test_synthetic_archive_serves_pages_its_sitemaps_list(tmp_path: Path) -> None:
    import requests
    from newswire.clean import clean_html

    archive = SyntheticArchive(pages=30, per_day=10)
    server, base = start_in_thread(archive)
    try:
        index = requests.get(base + "/aa/sitemap.xml", timeout=10)
        assert index.status_code == 200 and index.text.count("<sitemap>") == 3
        day = requests.get(f"{base}/aa/sitemaps/{archive.first_day}.xml", timeout=10).text
        assert day.count("<url>") == 10
        path = archive.article(7).path
        assert path in day
        page = requests.get(base + path, timeout=10)
        assert page.status_code == 200 and len(page.content) > 20_000
        again = requests.get(base + path, timeout=10,
                             headers={"If-None-Match": page.headers["ETag"]})
        assert again.status_code == 304
        assert requests.get(base + path + "0", timeout=10).status_code == 404
    finally:
        server.shutdown()
        server.server_close()
    article = clean_html(page.content, base + path, profile="aa", timezone="Europe/Istanbul")
    assert article.body.split("\n\n") == archive.gold_paragraphs(7)
    assert article.published_at == archive.article(7).published_at


@pytest.mark.skipif(not REAL_SENTENCES.exists(), reason=f"no {REAL_SENTENCES}")
def test_real_text_day_reads_each_sentence_once() -> None:
    """The NLP benches' day: each article's filler is the corpus's next sentences, none
    twice in the day, printed as text (no space before a full stop); the stock day is
    unchanged without them."""
    from newswire.clean import clean_html

    sentences = read_sentences()
    assert len(sentences) > 10_000
    assert all(s and " ." not in s and " ," not in s for s in sentences[:500])
    real = SyntheticArchive(pages=40, per_day=40, sentences=sentences)
    stock = SyntheticArchive(pages=40, per_day=40)
    used = [p for i in range(40) for p in real.gold_paragraphs(i)
            if p not in stock.gold_paragraphs(i)]
    joined = " ".join(used)
    assert all(s in joined for s in sentences[:40 * REAL_PER_ARTICLE])
    assert sentences[40 * REAL_PER_ARTICLE] not in joined
    assert not any(f in joined for f in FILLER)
    assert any(f in p for i in range(40) for p in stock.gold_paragraphs(i) for f in FILLER)
    article = real.article(5)
    page = clean_html(real.page(5), "http://127.0.0.1" + article.path, profile="aa",
                      timezone="Europe/Istanbul")
    assert page.body.split("\n\n") == real.gold_paragraphs(5)


def test_clean_bench_quick_writes_real_figures(tmp_path: Path) -> None:
    done = run_bench("bench_clean.py", "--quick", "--out", str(tmp_path))
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: a target missed, still figures
    data = json.loads((tmp_path / "clean.json").read_text("utf-8"))
    news = data["news"]
    ours = news["scores"][news["ours"]]
    assert ours["pages"] == 20 and ours["errors"] == 0
    assert 0.9 <= ours["f1"] <= 1.0  # our own news pages: the cleaner must get them right
    assert is_number(news["pages_per_s_ours"]) and news["pages_per_s_ours"] > 0
    assert is_number(news["pages_per_s_baseline"]) and news["pages_per_s_baseline"] > 0
    real = data["real_world"]
    if (SHARED / "data" / "trafilatura_eval.tar.gz").exists():
        assert real["scores"][real["ours"]]["pages"] == 20
        assert 0.5 < real["f1_ours"] <= 1.0 and 0.5 < real["f1_baseline"] <= 1.0
        assert is_number(real["speed_ratio"]) and real["speed_ratio"] > 0
    else:
        assert "SKIPPED" in real["skipped"]
    assert "| ours: summary + sections | 20 |" in (tmp_path / "clean.md").read_text("utf-8")


def test_fetch_clean_bench_quick_50_pages(tmp_path: Path) -> None:
    done = run_bench("bench_fetch_clean.py", "--sizes", "50", "--per-day", "25",
                     "--rounds", "2", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    data = json.loads((tmp_path / "fetch_clean.json").read_text("utf-8"))
    [result] = data["results"]
    assert result["pages"] == 50 and result["days"] == 2
    assert result["fetch_counts"]["fetched"] == 50 and result["fetch_counts"]["failed"] == 0
    assert result["check"] == {"articles": 50, "bodies_matching_gold": 50,
                               "extractors": ["aa"]}
    for key in ("pages_per_s", "peak_rss_mb", "rss_start_mb", "seconds"):
        assert is_number(result[key]) and result[key] > 0, key
    assert result["peak_rss_mb"] >= result["rss_start_mb"]
    assert is_number(result["raw_get"]["pages_per_s"]) and result["raw_get"]["pages_per_s"] > 0
    # Two rounds, each a raw GET then a pipeline run; the reported one is among them.
    assert [r["bodies_matching_gold"] for r in result["rounds"]] == [50, 50]
    assert result["pages_per_s"] in [r["pages_per_s"] for r in result["rounds"]]
    for side in ("parent", "cleaning", "server"):  # CPU seconds of the timed window
        assert is_number(result["cpu_seconds"][side]) and result["cpu_seconds"][side] >= 0
    assert result["raw_get"]["cpu_seconds"]["client"] > 0
    md = (tmp_path / "fetch_clean.md").read_text("utf-8")
    assert "| 50 | 2 |" in md and " in 2 rounds)" in md and "CPU seconds" in md


@pytest.mark.parametrize("script", ["bench_clean.py", "bench_fetch_clean.py", "bench_nlp.py",
                                    "bench_e2e.py", "bench_shards.py", "bench_celery.py",
                                    "run_all.py"])
def test_every_bench_has_a_quick_mode(script: str) -> None:
    done = run_bench(script, "--help")
    assert done.returncode == 0 and "--quick" in done.stdout


def test_celery_bench_measures_annotate_from_first_start_to_last_end() -> None:
    from bench_celery import annotate_span

    def ti(task: str, host: str, start: str, end: str, duration: float) -> dict:
        return {"task_id": task, "hostname": host, "state": "success", "try_number": 1,
                "start_date": f"2026-11-30T10:{start}Z", "end_date": f"2026-11-30T10:{end}Z",
                "duration": duration}

    span = annotate_span([ti("clean", "worker1", "00:00", "00:20", 20.0),
                          ti("annotate", "worker1", "00:30", "01:00", 30.0),
                          ti("annotate", "worker2", "00:31", "01:05", 34.0),
                          ti("annotate", "worker1", "01:00", "01:10", 10.0),
                          ti("publish_annotations", "worker2", "01:11", "01:12", 1.0)])
    assert span["wall_s"] == 40.0 and span["shards"] == 3
    assert span["busy_s_per_worker"] == {"worker1": 40.0, "worker2": 34.0}
    assert span["wall_over_mean_busy"] == round(40.0 / 37.0, 3)
    with pytest.raises(RuntimeError, match="annotate"):
        annotate_span([ti("clean", "worker1", "00:00", "00:20", 20.0)])


def test_celery_bench_finds_how_long_a_worker_slot_outlived_each_task(tmp_path) -> None:
    from bench_celery import slot_held_after_end

    (tmp_path / "worker1.log").write_text(
        "2026-11-30T22:35:01.600000Z [info     ] Workload finished              [supervisor] "
        "duration=0.9 exit_code=0 final_state=success loc=supervisor.py:2658 "
        "workload_id=aa-1 workload_type=ExecuteTask\n"
        "2026-11-30T22:35:09.436347Z [info     ] Workload finished              [supervisor] "
        "duration=5.9 exit_code=0 final_state=success loc=supervisor.py:2658 "
        "workload_id=bb-2 workload_type=ExecuteTask\n"
        "2026-11-30T22:35:09.441824Z [info     ] Task execute_workload[x] succeeded in 5.9s\n",
        "utf-8")
    (tmp_path / "worker2.log").write_text(
        "2026-11-30T22:36:00.000000Z [info     ] Workload finished              [supervisor] "
        "duration=1 workload_id=cc-3 workload_type=ExecuteTask\n", "utf-8")
    instances = [{"id": "aa-1", "end_date": "2026-11-30T22:35:01.550000Z"},
                 {"id": "bb-2", "end_date": "2026-11-30T22:35:04.388000Z"},
                 {"id": "cc-3", "end_date": None}]
    held = slot_held_after_end(instances, tmp_path)
    assert held == {"worker1": {"tasks": 2, "max_s": 5.05, "over_half_s": 1}}
