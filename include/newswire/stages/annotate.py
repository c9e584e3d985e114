"""annotate (NLP): the articles clean staged, through stanza and our layers on top
(canonical entities, quotes, quantities, time mentions), into the NLP tables."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from newswire.config import Settings
from newswire.constants import NLP_TABLES
from newswire.schema import (
    EntityRow,
    QuantityRow,
    QuoteRow,
    SentenceRow,
    TimeMentionRow,
    TokenRow,
    to_table,
)
from newswire.stages.common import (
    AnnotateCounts,
    Annotated,
    Cleaned,
    StagedFile,
    StageManifest,
    load_source,
    run_dir,
    stage_table,
    utc,
)

if TYPE_CHECKING:
    from newswire.nlp.annotate import Annotation
    from newswire.nlp.models import ModelSpec

log = logging.getLogger("newswire")


@dataclass
class NlpRows:
    """The NLP tables' rows for a set of articles."""

    sentences: list[SentenceRow] = field(default_factory=list)
    tokens: list[TokenRow] = field(default_factory=list)
    entities: list[EntityRow] = field(default_factory=list)
    quotes: list[QuoteRow] = field(default_factory=list)
    quantities: list[QuantityRow] = field(default_factory=list)
    time_mentions: list[TimeMentionRow] = field(default_factory=list)

    def tables(self) -> dict[str, pa.Table]:
        return {table: to_table(table, getattr(self, table)) for table in NLP_TABLES}


def annotate_source(settings: Settings, cleaned_manifest: str, batch_size: int = 16) -> str:
    """Annotate the articles a :class:`Cleaned` manifest staged, day by day, and stage
    the NLP tables. A language without models is skipped with a recorded reason; with no
    models at all the stage fails, saying what to do (the articles stay published).
    Returns the path of the :class:`Annotated` manifest."""
    started = time.monotonic()
    cleaned = StageManifest.load(cleaned_manifest)
    assert isinstance(cleaned, Cleaned), cleaned_manifest
    source = load_source(settings, cleaned.source)
    out = run_dir(settings, cleaned.run_id, source.id)
    counts = AnnotateCounts()
    files: list[StagedFile] = []
    spec, errors = models_for(source.id, source.lang)
    for day, staged in sorted(cleaned.staged("articles").items()) if spec else []:
        articles = read_articles(staged.path)
        annotated, rows = annotate_articles(articles, source.lang, spec, cleaned.run_id, day,
                                            batch_size)
        for table, data in rows.tables().items():
            files.append(stage_table(out, table, day, data))
            counts.rows[table] = counts.rows.get(table, 0) + data.num_rows
        counts.articles += annotated
    manifest = Annotated(run_id=cleaned.run_id, source=source.id, start=cleaned.start,
                         end=cleaned.end, mode=cleaned.mode, counts=counts, errors=errors,
                         files=files, model=spec.identity if spec else None,
                         seconds=round(time.monotonic() - started, 3))
    log.info("annotate %s with %s: %s", source.id, manifest.model, counts)
    return manifest.save(out)


def models_for(source_id: str, lang: str) -> tuple[ModelSpec | None, list[str]]:
    """The models for a source's language, or None and the recorded reason to skip it
    (when other languages have models). With no models at all, ModelNotFound says what
    to do."""
    from newswire.nlp.models import ModelNotFound, find_models

    try:
        return find_models(lang), []
    except ModelNotFound as exc:
        if not _any_models():
            raise ModelNotFound(f"NLP stage for {source_id}: {exc}") from exc
        log.warning("annotate %s skipped: %s", source_id, exc)
        return None, [f"skipped: {exc}"]


def read_articles(path: str) -> pa.Table:
    """What the NLP stage reads of staged articles."""
    wanted = ["article_id", "body", "published_at", "title", "dateline", "agency"]
    present = set(pq.read_schema(path).names)  # "agency" arrived with schema version 3
    return pq.read_table(path, columns=[c for c in wanted if c in present])


def annotate_articles(articles: pa.Table, lang: str, spec: ModelSpec, run_id: str,
                      day: date, batch_size: int = 16) -> tuple[int, NlpRows]:
    """Annotate any set of one language's articles (a day, or a part of one): columns
    ``article_id``, ``body``, ``published_at`` (and, when present, ``title``, ``dateline`` and
    ``agency``, whose names are entities too); an article without a date is read as of ``day``.
    Returns how many articles had a body to annotate, and the NLP rows."""
    from newswire.nlp.annotate import Document, annotate

    docs = [Document(a["article_id"], a["body"], utc(a["published_at"]).date()
                     if a["published_at"] else day, a.get("title"), a.get("dateline"),
                     a.get("agency"))
            for a in articles.to_pylist() if a["body"]]
    annotations = annotate(docs, lang, spec, batch_size) if docs else []
    return len(docs), nlp_rows(annotations, spec.identity, run_id)


def nlp_rows(annotations: list[Annotation], model: str, run_id: str) -> NlpRows:
    rows = NlpRows()
    tail = {"model": model, "run_id": run_id}
    for ann in annotations:
        aid = ann.id
        rows.sentences += [SentenceRow(article_id=aid, sentence_index=s.index, text=s.text,
                                       start_char=s.start, end_char=s.end, **tail)
                           for s in ann.sentences]
        rows.tokens += [TokenRow(article_id=aid, sentence_index=t.sentence,
                                 token_index=t.index, text=t.text, lemma=t.lemma,
                                 upos=t.upos, feats=t.feats, start_char=t.start,
                                 end_char=t.end, **tail) for t in ann.tokens]
        rows.entities += [EntityRow(article_id=aid, text=m.text, label=m.label,
                                    canonical=m.canonical, role=m.role, origin=m.source,
                                    start_char=m.start, end_char=m.end, **tail)
                          for m in ann.entities]
        rows.quotes += [QuoteRow(article_id=aid, quote=q.quote, speaker=q.speaker,
                                 speaker_role=q.speaker_role, cue=q.cue, cue_text=q.cue_text,
                                 kind=q.kind, start_char=q.start, end_char=q.end, **tail)
                        for q in ann.quotes]
        rows.quantities += [QuantityRow(article_id=aid, text=q.text, value=q.value,
                                        unit=q.unit, start_char=q.start, end_char=q.end,
                                        **tail) for q in ann.quantities]
        rows.time_mentions += [TimeMentionRow(article_id=aid, text=t.text,
                                              start_date=t.start_date, end_date=t.end_date,
                                              start_char=t.start, end_char=t.end, **tail)
                               for t in ann.time_mentions]
    return rows


def _any_models() -> bool:
    from newswire.nlp.models import PROCESSORS, ModelNotFound, find_models

    for lang in PROCESSORS:
        try:
            find_models(lang)
            return True
        except ModelNotFound:
            continue
    return False
