"""Gold annotations and scoring (``python -m newswire evaluate``).

Gold lives with the sample source's content files (``gold`` key) and in any extra
JSON files of the same shape. Quotes match when the predicted quote contains the gold
``contains`` text (or overlaps it by most of its length) and the speakers share a
surname; entities are compared per document as sets of (label, canonical name).
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from newswire.clean.text import normalize_text
from newswire.sample_site.site import CONTENT_DIR

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.json")


@dataclass
class GoldDoc:
    id: str
    lang: str
    text: str
    published: date
    gold: dict


def load_gold(content_dir: Path = CONTENT_DIR, extra: list[Path] | None = None
              ) -> list[GoldDoc]:
    docs = []
    paths = sorted(content_dir.glob("*/*.json")) + list(extra or [])
    for path in paths:
        raw = json.loads(Path(path).read_text("utf-8"))
        if not raw.get("gold"):
            continue
        paragraphs = [normalize_text(p) for s in raw["sections"] for p in s["paragraphs"]]
        published = datetime.fromisoformat(raw["published_at"]).date()
        docs.append(GoldDoc(Path(path).stem, raw["lang"], "\n\n".join(paragraphs),
                            published, raw["gold"]))
    return docs


def surname(name: str | None) -> str:
    if not name:
        return ""
    words = re.sub(r"[’']s$", "", name.strip()).split()
    return words[-1].lower() if words else ""


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    if not predicted or not gold:
        return False
    if surname(predicted) == surname(gold):
        return True
    p, g = predicted.lower(), gold.lower()
    return p in g or g in p


def quote_matches(pred_text: str, contains: str) -> bool:
    if contains in pred_text:
        return True
    return pred_text in contains and len(pred_text) > 0.6 * len(contains)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    quotes: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    speaker_correct: int = 0
    speaker_total: int = 0
    entities: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    amounts: Score = field(default_factory=Score)
    dates: Score = field(default_factory=Score)
    misses: list[str] = field(default_factory=list)

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_correct / self.speaker_total if self.speaker_total else 1.0

    def entity_total(self) -> Score:
        total = Score()
        for label in ("PER", "ORG", "LOC"):
            s = self.entities[label]
            total.tp, total.fp, total.fn = total.tp + s.tp, total.fp + s.fp, total.fn + s.fn
        return total

    def quote_total(self) -> Score:
        total = Score()
        for s in self.quotes.values():
            total.tp, total.fp, total.fn = total.tp + s.tp, total.fp + s.fp, total.fn + s.fn
        return total

    def figures(self) -> dict[str, float]:
        q, e = self.quote_total(), self.entity_total()
        out = {"quote_precision": q.precision, "quote_recall": q.recall, "quote_f1": q.f1,
               "speaker_accuracy": self.speaker_accuracy, "entity_f1": e.f1,
               "amount_recall": self.amounts.recall, "date_recall": self.dates.recall}
        for label in ("PER", "ORG", "LOC"):
            out[f"entity_f1_{label}"] = self.entities[label].f1
        return {k: round(v, 4) for k, v in out.items()}


def score_document(doc: GoldDoc, ann, report: Report) -> None:
    gold = doc.gold
    # Quotes: each gold quote is matched at most once, by text, then by speaker.
    used: set[int] = set()
    for g in gold.get("quotes", []):
        kind = g.get("kind", "direct")
        candidates = [i for i, q in enumerate(ann.quotes)
                      if i not in used and quote_matches(q.quote, g["contains"])]
        candidates.sort(key=lambda i: ann.quotes[i].kind != kind)  # same kind first
        if candidates:
            report.speaker_total += 1
        hit = next((i for i in candidates if same_speaker(ann.quotes[i].speaker,
                                                          g["speaker"])), None)
        if hit is not None:
            used.add(hit)
            report.quotes[kind].tp += 1
            report.speaker_correct += 1
        else:
            report.quotes[kind].fn += 1
            got = [(ann.quotes[i].speaker, ann.quotes[i].quote[:50]) for i in candidates]
            report.misses.append(f"{doc.id}: quote [{g['speaker']}] {g['contains'][:60]!r}"
                                 f" -> {got or 'not found'}")
    for i, q in enumerate(ann.quotes):
        if i not in used:
            report.quotes[q.kind].fp += 1
            report.misses.append(f"{doc.id}: extra {q.kind} [{q.speaker}] {q.quote[:60]!r}")
    # Entities: document-level sets of canonical names.
    for label in ("PER", "ORG", "LOC"):
        want = {n.lower() for n in gold.get("entities", {}).get(label, [])}
        have = {m.canonical.lower() for m in ann.entities if m.label == label}
        s = report.entities[label]
        s.tp += len(want & have)
        s.fp += len(have - want)
        s.fn += len(want - have)
        for name in sorted(want - have):
            report.misses.append(f"{doc.id}: missing {label} {name}")
        for name in sorted(have - want):
            report.misses.append(f"{doc.id}: extra {label} {name}")
    for g in gold.get("amounts", []):
        ok = any(abs(q.value - g["value"]) < 1e-6 and _overlaps(q.text, g["text"])
                 for q in ann.quantities)
        report.amounts.tp += ok
        report.amounts.fn += not ok
        if not ok:
            report.misses.append(f"{doc.id}: amount {g['text']!r} = {g['value']}")
    for g in gold.get("dates", []):
        ok = any(t.start_date.isoformat() == g["start"] and t.end_date.isoformat() == g["end"]
                 and _overlaps(t.text, g["text"]) for t in ann.time_mentions)
        report.dates.tp += ok
        report.dates.fn += not ok
        if not ok:
            report.misses.append(f"{doc.id}: date {g['text']!r} {g['start']}..{g['end']}")


def _overlaps(a: str, b: str) -> bool:
    return a in b or b in a


def thresholds() -> dict[str, float]:
    """The bars ``evaluate`` holds the pipeline to (NEWSWIRE_EVAL_THRESHOLDS overrides)."""
    path = Path(os.environ.get("NEWSWIRE_EVAL_THRESHOLDS", THRESHOLDS_FILE))
    return json.loads(path.read_text("utf-8"))


def format_report(report: Report) -> str:
    lines = ["metric                 value   threshold", "---------------------  ------  ---------"]
    limits = thresholds()
    for key, value in report.figures().items():
        limit = limits.get(key)
        mark = "" if limit is None else ("  ok" if value >= limit else "  BELOW")
        lines.append(f"{key:<22} {value:6.3f}  {'' if limit is None else f'{limit:6.3f}'}{mark}")
    for kind, s in sorted(report.quotes.items()):
        lines.append(f"quotes {kind:<15} P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}"
                     f" (tp {s.tp} fp {s.fp} fn {s.fn})")
    return "\n".join(lines)


def below_thresholds(report: Report) -> list[str]:
    figures = report.figures()
    return [f"{k} {figures[k]:.3f} < {v:.3f}" for k, v in thresholds().items()
            if figures.get(k, 0.0) < v]
