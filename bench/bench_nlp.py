"""NLP stage vs raw stanza on the same documents, in one process.

    NEWSWIRE_STANZA_DIR=../shared/models/stanza .venv/bin/python bench/bench_nlp.py [--repeat 4]

Reports tokens per second for raw stanza (the pipeline call alone) and for the NLP stage
(stanza plus entities, quotes, quantities, time mentions), their ratio (the stage's
overhead over raw stanza; target < 15%), and peak memory. The documents are the real
articles of ../shared/data/real_statements when it is there, else the sample source's.
Writes a markdown table to bench/results/nlp.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "include"))

from newswire.nlp.annotate import Document, annotate_document, run_stanza  # noqa: E402
from newswire.nlp.gold import load_gold  # noqa: E402
from newswire.nlp.models import find_models, load_pipeline  # noqa: E402
from newswire.sample_site.site import CONTENT_DIR  # noqa: E402

# The real published articles of the statements development set, when ../shared is
# beside the repository (their text stays there); else the sample source's articles.
STATEMENTS = REPO.parent / "shared" / "data" / "real_statements"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=4, help="copies of the sample set")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (best is kept)")
    parser.add_argument("--quick", action="store_true", help="smoke run: one copy, one round")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.rounds = 1, 1
    rows = []
    for lang in ("tr", "en"):
        real = STATEMENTS / f"{lang}.jsonl"
        gold = load_gold([real] if real.exists() else [CONTENT_DIR])
        docs = [d for d in gold if d.lang == lang] * args.repeat
        documents = [Document(f"{d.id}-{i}", d.text, d.published, d.title, d.dateline)
                     for i, d in enumerate(docs)]
        spec = find_models(lang)
        load_pipeline(spec)  # loading is not what we measure
        run_stanza([documents[0].text], spec)  # warm-up
        raw_best = stage_best = layers_best = float("inf")
        tokens = 0
        for _ in range(args.rounds):
            started = time.perf_counter()
            stanza_docs = run_stanza([d.text for d in documents], spec)
            raw = time.perf_counter() - started
            # Our layers alone, on the documents stanza just read: the same overhead
            # without the noise of a second stanza pass on a shared machine.
            started = time.perf_counter()
            for d, sd in zip(documents, stanza_docs, strict=True):
                annotate_document(d.id, d.text, sd, lang, d.published, d.title, d.dateline)
            layers_best = min(layers_best, time.perf_counter() - started)
            started = time.perf_counter()
            stanza_docs = run_stanza([d.text for d in documents], spec)
            for d, sd in zip(documents, stanza_docs, strict=True):
                annotate_document(d.id, d.text, sd, lang, d.published, d.title, d.dateline)
            stage = time.perf_counter() - started
            raw_best, stage_best = min(raw_best, raw), min(stage_best, stage)
            tokens = sum(len(s.tokens) for sd in stanza_docs for s in sd.sentences)
        rows.append((lang, len(documents), tokens, tokens / raw_best, tokens / stage_best,
                     stage_best / raw_best - 1, layers_best / raw_best))
    lines = ["| lang | docs | tokens | raw stanza tok/s | NLP stage tok/s | overhead | "
             "layers alone / raw stanza |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {lang} | {n} | {tok} | {raw:,.0f} | {stage:,.0f} | {over:+.1%} | "
              f"{alone:.1%} |" for lang, n, tok, raw, stage, over, alone in rows]
    lines.append(f"\npeak RSS: {peak_rss_mb():,.0f} MB")
    load = os.getloadavg()
    lines.append(f"\nload average {load[0]:.2f} (1 min) / {load[1]:.2f} (5 min) on "
                 f"{os.cpu_count()} CPUs; {args.repeat} copies, best of {args.rounds} rounds")
    table = "\n".join(lines)
    print(table)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "nlp.md").write_text(table + "\n")
    worst = max(r[5] for r in rows)
    return 0 if worst < 0.15 else 1


if __name__ == "__main__":
    raise SystemExit(main())
