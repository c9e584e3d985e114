"""Gold annotations and scoring (``python -m newswire evaluate``).

Two gold formats are read:

- **statements JSONL** (``../shared/data/real_statements/{tr,en}.jsonl``): one article a
  line with ``paragraphs`` and exhaustive direct ``quotes`` (``speaker``, ``quote``,
  ``paragraph``), ``entities`` by label and ``amounts``;
- **sample content JSON** (the sample source's article files, ``gold`` key): quotes of
  both kinds given by a ``contains`` substring, entities, amounts and dates.

Text is fed to the NLP stage as the pipeline feeds it: each paragraph normalised as the
cleaner does, the dateline cut off the first one, paragraphs joined by blank lines
(``article_body``). Quotes match on their text in the same paragraph; a speaker is right
when the surnames agree (``speaker_surname``) and better when the full canonical names
agree (``speaker_full``); entities are compared as per-document sets of canonical names.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from newswire.clean.dateline import Dateline, find_dateline
from newswire.clean.text import normalize_text

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.json")
LABELS = ("PER", "ORG", "LOC")


@dataclass
class GoldQuote:
    speaker: str
    role: str | None
    text: str
    paragraph: int | None  # None: anywhere in the article (sample gold)
    kind: str = "direct"
    contains: bool = False  # sample gold: the predicted quote must contain ``text``


@dataclass
class GoldDoc:
    id: str
    lang: str
    paragraphs: list[str]
    published: date | None
    style: str  # "statements" (JSONL) or "sample" (content JSON)
    quotes: list[GoldQuote] = field(default_factory=list)
    entities: dict[str, list[str]] = field(default_factory=dict)
    amounts: list[dict] = field(default_factory=list)
    dates: list[dict] = field(default_factory=list)
    title: str | None = None
    text: str = ""
    starts: list[int] = field(default_factory=list)  # offset of each paragraph in text
    dateline: str | None = None  # the dateline's place, as the cleaner gives it
    agency: str | None = None  # the agency the dateline credits, as the cleaner gives it

    def __post_init__(self) -> None:
        if not self.text:
            self.text, self.starts, found = article_body(self.paragraphs, self.lang)
            if found is not None:
                self.dateline, self.agency = found.place, found.agency

    def paragraph_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)


def article_body(paragraphs: list[str], lang: str = "tr"
                 ) -> tuple[str, list[int], Dateline | None]:
    """The body the pipeline annotates (the cleaner's normalisation, its dateline cut,
    paragraphs joined by blank lines), where each paragraph starts in it and the
    dateline (its place and agency). A paragraph the dateline took whole stays as an empty one, so
    that the gold's paragraph numbers still hold."""
    texts = [normalize_text(p) for p in paragraphs]
    dateline, rest = find_dateline(texts, lang)
    if dateline is not None:
        texts = [""] * (len(texts) - len(rest)) + rest if len(rest) < len(texts) else rest
    starts, cursor = [], 0
    for t in texts:
        starts.append(cursor)
        cursor += len(t) + 2
    return "\n\n".join(texts), starts, dateline


def load_gold(paths: list[Path]) -> list[GoldDoc]:
    """Gold documents from JSONL statement files, content JSON files and directories of
    content JSON files (``<dir>/*/*.json``); content files without gold are skipped."""
    docs: list[GoldDoc] = []
    for path in map(Path, paths):
        if path.is_dir():
            docs += load_gold(sorted(path.glob("*/*.json")))
        elif path.suffix == ".jsonl":
            docs += [_statements_doc(json.loads(line))
                     for line in path.read_text("utf-8").splitlines() if line.strip()]
        else:
            doc = _sample_doc(path.stem, json.loads(path.read_text("utf-8")))
            if doc is not None:
                docs.append(doc)
    return docs


def _statements_doc(raw: dict) -> GoldDoc:
    quotes = [GoldQuote(q["speaker"], q.get("speaker_role"), normalize_text(q["quote"]),
                        q["paragraph"]) for q in raw.get("quotes", [])]
    published = date.fromisoformat(raw["published"]) if raw.get("published") else None
    return GoldDoc(raw["id"], raw["lang"], list(raw["paragraphs"]), published, "statements",
                   quotes, {k: list(v) for k, v in (raw.get("entities") or {}).items()},
                   list(raw.get("amounts") or []), title=raw.get("title"))


def _sample_doc(doc_id: str, raw: dict) -> GoldDoc | None:
    gold = raw.get("gold")
    if not gold:
        return None
    quotes = [GoldQuote(q["speaker"], q.get("speaker_role"), q["contains"], None,
                        q.get("kind", "direct"), contains=True)
              for q in gold.get("quotes", [])]
    paragraphs = [p for s in raw["sections"] for p in s["paragraphs"]]
    return GoldDoc(doc_id, raw["lang"], paragraphs,
                   datetime.fromisoformat(raw["published_at"]).date(), "sample", quotes,
                   dict(gold.get("entities") or {}), list(gold.get("amounts") or []),
                   list(gold.get("dates") or []), title=raw.get("title"))


# -- comparing ------------------------------------------------------------------------------
_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'",
                        "’": "'", "´": "'", "`": "'", "\u00a0": " "})


def fold(text: str) -> str:
    """Case- and mark-insensitive form for comparing names and quotes (Turkish İ/I)."""
    text = unicodedata.normalize("NFC", text).translate(_MARKS)
    text = text.replace("İ", "i").replace("I", "ı") if _turkish(text) else text
    return re.sub(r"\s+", " ", text.casefold()).strip()


def _turkish(text: str) -> bool:
    return bool(re.search(r"[çğışöüÇĞİŞÖÜ]", text))


def _plain_name(name: str) -> str:
    """ "the White House" -> "white house"; "Stoltenberg'in" -> "stoltenberg"."""
    name = fold(name)
    name = re.sub(r"^(?:the|sayın)\s+", "", name)
    name = re.sub(r"'(?:s|\w{1,5})$", "", name)
    return name.strip(" ,.;:")


def surname(name: str | None) -> str:
    words = _plain_name(name or "").split()
    return words[-1] if words else ""


def same_speaker(predicted: str | None, gold: str | None) -> bool:
    """Surname match ("Juncker" for "Jean-Claude Juncker")."""
    return bool(predicted and gold and surname(predicted) == surname(gold))


def same_full_name(predicted: str | None, gold: str | None) -> bool:
    return bool(predicted and gold and _plain_name(predicted) == _plain_name(gold))


def _quote_key(text: str) -> str:
    return fold(text).strip(" \"',.;:!?…-")


def quote_matches(predicted: str, gold: GoldQuote) -> bool:
    if gold.contains:  # sample gold: a substring the quote must hold
        if gold.text in predicted:
            return True
        return predicted in gold.text and len(predicted) > 0.6 * len(gold.text)
    a, b = _quote_key(predicted), _quote_key(gold.text)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return short in long_ and len(short) >= 0.8 * len(long_)


# -- scores ---------------------------------------------------------------------------------
@dataclass
class Scores:
    """Counts for one language of one gold set; ``figures`` turns them into rates."""

    gold_quotes: int = 0
    found_quotes: int = 0
    predicted_quotes: int = 0
    right_predictions: int = 0
    speaker_surname: int = 0
    speaker_full: int = 0
    kinds: Counter = field(default_factory=Counter)  # "direct gold", "direct found" ...
    entity_gold: Counter = field(default_factory=Counter)
    entity_found: Counter = field(default_factory=Counter)
    entity_predicted: Counter = field(default_factory=Counter)
    amounts_gold: int = 0
    amounts_found: int = 0
    dates_gold: int = 0
    dates_found: int = 0
    documents: int = 0
    misses: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        def rate(a: int, b: int) -> float:
            return a / b if b else 1.0

        out = {"quote_recall": rate(self.found_quotes, self.gold_quotes),
               "quote_precision": rate(self.right_predictions, self.predicted_quotes),
               "speaker_surname": rate(self.speaker_surname, self.gold_quotes),
               "speaker_full": rate(self.speaker_full, self.gold_quotes)}
        p, r = out["quote_precision"], out["quote_recall"]
        out["quote_f1"] = 2 * p * r / (p + r) if p + r else 0.0
        # Share of the quotes found whose speaker is right (the old "speaker_accuracy").
        out["speaker_accuracy"] = rate(self.speaker_surname, self.found_quotes)
        gold, found = sum(self.entity_gold.values()), sum(self.entity_found.values())
        out["entity_recall"] = rate(found, gold)
        out["entity_precision"] = rate(found, sum(self.entity_predicted.values()))
        ep, er = out["entity_precision"], out["entity_recall"]
        out["entity_f1"] = 2 * ep * er / (ep + er) if ep + er else 0.0
        for label in LABELS:
            out[f"entity_recall_{label}"] = rate(self.entity_found[label],
                                                 self.entity_gold[label])
        out["amount_recall"] = rate(self.amounts_found, self.amounts_gold)
        if self.dates_gold:
            out["date_recall"] = rate(self.dates_found, self.dates_gold)
        return {k: round(v, 4) for k, v in out.items()}


def score_document(doc: GoldDoc, ann, scores: Scores) -> None:
    """Add one annotated document's counts to ``scores`` (misses listed as text)."""
    scores.documents += 1
    _score_quotes(doc, ann, scores)
    _score_entities(doc, ann, scores)
    _score_amounts(doc, ann, scores)
    _score_dates(doc, ann, scores)


def _score_quotes(doc: GoldDoc, ann, scores: Scores) -> None:
    # Statements gold annotates direct speech only; sample gold both kinds.
    predicted = [q for q in ann.quotes if doc.style == "sample" or q.kind == "direct"]
    where = [doc.paragraph_at(q.start) for q in predicted]
    used: set[int] = set()
    for g in doc.quotes:
        scores.gold_quotes += 1
        scores.kinds[f"{g.kind} gold"] += 1
        candidates = [i for i, q in enumerate(predicted) if i not in used
                      and (g.paragraph is None or where[i] == g.paragraph)
                      and quote_matches(q.quote, g)]
        # Same kind first, then the right speaker.
        candidates.sort(key=lambda i: (predicted[i].kind != g.kind,
                                       not same_speaker(predicted[i].speaker, g.speaker)))
        if not candidates:
            scores.misses.append(f"{doc.id} p{g.paragraph}: quote not found [{g.speaker}] "
                                 f"{g.text[:70]!r}")
            continue
        hit = candidates[0]
        used.add(hit)
        q = predicted[hit]
        scores.found_quotes += 1
        scores.kinds[f"{g.kind} found"] += 1
        if same_speaker(q.speaker, g.speaker):
            scores.speaker_surname += 1
            scores.speaker_full += same_full_name(q.speaker, g.speaker)
            if not same_full_name(q.speaker, g.speaker):
                scores.misses.append(f"{doc.id} p{g.paragraph}: speaker name {q.speaker!r}, "
                                     f"gold {g.speaker!r}")
        else:
            scores.misses.append(f"{doc.id} p{g.paragraph}: wrong speaker {q.speaker!r} "
                                 f"(cue {q.cue_text!r}), gold {g.speaker!r}: {g.text[:60]!r}")
    scores.predicted_quotes += len(predicted)
    scores.right_predictions += len(used)
    for i, q in enumerate(predicted):
        if i not in used:
            scores.misses.append(f"{doc.id} p{where[i]}: extra {q.kind} quote [{q.speaker}] "
                                 f"{q.quote[:70]!r}")


def _score_entities(doc: GoldDoc, ann, scores: Scores) -> None:
    for label in LABELS:
        want = {_plain_name(n) for n in doc.entities.get(label, [])}
        have = {_plain_name(m.canonical) for m in ann.entities if m.label == label}
        scores.entity_gold[label] += len(want)
        scores.entity_found[label] += len(want & have)
        scores.entity_predicted[label] += len(have)
        for name in sorted(want - have):
            other = sorted({m.label for m in ann.entities if _plain_name(m.canonical) == name})
            scores.misses.append(f"{doc.id}: missing {label} {name!r}"
                                 + (f" (found as {'/'.join(other)})" if other else ""))


def _score_amounts(doc: GoldDoc, ann, scores: Scores) -> None:
    for g in doc.amounts:
        value = float(g["value"])
        ok = any(abs(q.value - value) <= 1e-6 * max(1.0, abs(value))
                 and _overlaps(fold(q.text), fold(g["text"])) for q in ann.quantities)
        scores.amounts_gold += 1
        scores.amounts_found += ok
        if not ok:
            near = [f"{q.text}={q.value:g}" for q in ann.quantities
                    if _overlaps(fold(q.text), fold(g["text"]))]
            scores.misses.append(f"{doc.id}: amount {g['text']!r} = {value:g}"
                                 + (f" (found {', '.join(near)})" if near else ""))


def _score_dates(doc: GoldDoc, ann, scores: Scores) -> None:
    for g in doc.dates:
        ok = any(t.start_date.isoformat() == g["start"] and t.end_date.isoformat() == g["end"]
                 and _overlaps(t.text, g["text"]) for t in ann.time_mentions)
        scores.dates_gold += 1
        scores.dates_found += ok
        if not ok:
            scores.misses.append(f"{doc.id}: date {g['text']!r} {g['start']}..{g['end']}")


def _overlaps(a: str, b: str) -> bool:
    return a in b or b in a


# -- report ---------------------------------------------------------------------------------
def thresholds() -> dict[str, dict[str, float]]:
    """The bars ``evaluate`` holds each gold style to (NEWSWIRE_EVAL_THRESHOLDS overrides):
    ``{"statements": {...}, "sample": {...}}``."""
    path = Path(os.environ.get("NEWSWIRE_EVAL_THRESHOLDS", THRESHOLDS_FILE))
    return json.loads(path.read_text("utf-8"))


ROWS = ("quote_recall", "quote_precision", "quote_f1", "speaker_surname", "speaker_full",
        "speaker_accuracy", "entity_recall", "entity_recall_PER", "entity_recall_ORG",
        "entity_recall_LOC", "entity_precision", "entity_f1", "amount_recall", "date_recall")


def format_report(groups: dict[tuple[str, str], Scores]) -> str:
    """One column per (gold style, language), one row per metric, with the bar."""
    limits = thresholds()
    keys = sorted(groups)
    names = [f"{lang} ({style})" for style, lang in keys]
    width = max(14, *(len(n) for n in names)) + 2
    lines = [f"{'metric':<18}" + "".join(f"{n:>{width}}" for n in names) + "   bar",
             f"{'documents':<18}" + "".join(f"{groups[k].documents:>{width}}" for k in keys)]
    figures = {k: groups[k].figures() for k in keys}
    for row in ROWS:
        if not any(row in figures[k] for k in keys):
            continue
        cells = []
        for k in keys:
            value = figures[k].get(row)
            bar = limits.get(k[0], {}).get(row)
            mark = "" if value is None or bar is None else (" " if value >= bar else "!")
            cells.append(f"{'-' if value is None else f'{value:.3f}'}{mark or ' '}")
        bars = sorted({limits.get(k[0], {}).get(row) for k in keys} - {None})
        lines.append(f"{row:<18}" + "".join(f"{c:>{width}}" for c in cells)
                     + ("   " + "/".join(f"{b:.2f}" for b in bars) if bars else ""))
    lines.append("(! below the bar)")
    return "\n".join(lines)


def below_thresholds(groups: dict[tuple[str, str], Scores]) -> list[str]:
    limits = thresholds()
    failed = []
    for (style, lang), scores in sorted(groups.items()):
        figures = scores.figures()
        failed += [f"{lang} {style} {k} {figures[k]:.3f} < {v:.3f}"
                   for k, v in limits.get(style, {}).items() if k in figures
                   and figures[k] < v]
    return failed


def evaluate(docs: list[GoldDoc], model_root: Path | None = None
             ) -> dict[tuple[str, str], Scores]:
    """Annotate the gold documents as the pipeline does (real stanza, the same
    ``annotate`` path) and score them, per (gold style, language). Raises
    ``ModelNotFound`` when a language has no models."""
    from newswire.nlp.annotate import Document, annotate
    from newswire.nlp.models import find_models

    groups: dict[tuple[str, str], Scores] = {}
    for lang in sorted({d.lang for d in docs}):
        subset = [d for d in docs if d.lang == lang]
        spec = find_models(lang, model_root)
        annotations = annotate([Document(d.id, d.text, d.published, d.title, d.dateline,
                                         d.agency)
                                for d in subset], lang, spec)
        for doc, ann in zip(subset, annotations, strict=True):
            score_document(doc, ann, groups.setdefault((doc.style, lang), Scores()))
    return groups
