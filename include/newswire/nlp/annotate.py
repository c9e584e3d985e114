"""Annotate documents: stanza (sentences, tokens, lemmas, entities) in batches, then our
own layers on top (names, quotes, quantities, time mentions).

Each document's text is case-folded once here and handed to every layer that matches
words (quotes, quantities, time mentions); stanza's sentences are the quote layer's
sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from newswire.nlp.entities import (
    Mention,
    agency_names,
    dateline_names,
    headline_names,
    promote_speakers,
    resolve_names,
)
from newswire.nlp.lexicon import fold_case
from newswire.nlp.models import ModelSpec, forget_lemmas_past_cap, load_pipeline
from newswire.nlp.nested_orgs import nested_organisations
from newswire.nlp.quantities import Quantity, extract_quantities
from newswire.nlp.quotes import Quote, extract_quotes
from newswire.nlp.timex import TimeMention, extract_time_mentions


@dataclass
class Document:
    id: str
    text: str
    published: date | None
    title: str | None = None  # the headline (its names are entities too)
    dateline: str | None = None  # the dateline's place the cleaner cut from the body
    agency: str | None = None  # the agency that dateline credits ("AA", "Reuters")


@dataclass
class Sentence:
    index: int
    text: str
    start: int
    end: int


@dataclass
class Token:
    sentence: int
    index: int
    text: str
    lemma: str | None
    upos: str | None
    feats: str | None
    start: int
    end: int


@dataclass
class Annotation:
    id: str
    sentences: list[Sentence] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    entities: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    time_mentions: list[TimeMention] = field(default_factory=list)


def run_stanza(texts: list[str], spec: ModelSpec, batch_size: int = 16) -> list:
    """stanza over many documents at once (stanza batches inside each call)."""
    import stanza

    pipeline = load_pipeline(spec)
    out = []
    for i in range(0, len(texts), batch_size):
        batch = [stanza.Document([], text=t) for t in texts[i:i + batch_size]]
        out.extend(pipeline(batch) if batch else [])
        forget_lemmas_past_cap(pipeline)
    return out


def annotate_document(doc_id: str, text: str, stanza_doc, lang: str,
                      published: date | None, title: str | None = None,
                      dateline: str | None = None, agency: str | None = None) -> Annotation:
    """Our layers over one document stanza has read. Names in the headline, the
    dateline's place and the agency it credits are entities of the article too (their
    offsets index the title, the dateline and the agency: origin "headline", "dateline"
    and "agency")."""
    ann = Annotation(doc_id)
    for s_index, sentence in enumerate(stanza_doc.sentences):
        first, last = sentence.tokens[0], sentence.tokens[-1]
        ann.sentences.append(Sentence(s_index, text[first.start_char:last.end_char],
                                      first.start_char, last.end_char))
        t_index = 0
        for token in sentence.tokens:
            for word in token.words:
                ann.tokens.append(Token(s_index, t_index, word.text, word.lemma, word.upos,
                                        word.feats, token.start_char, token.end_char))
                t_index += 1
    folded = fold_case(text, lang)
    spans = [(ent.type, ent.start_char, ent.end_char) for ent in stanza_doc.ents]
    names = resolve_names(text, spans, lang, agency=agency)
    ann.entities = names.mentions
    ann.quotes = extract_quotes(text, ann.entities, lang,
                                [(s.start, s.end) for s in ann.sentences], folded,
                                names.people)
    ann.entities = promote_speakers(
        text, ann.entities, {q.speaker for q in ann.quotes if q.kind == "direct"}, lang)
    ann.entities += nested_organisations(text, ann.entities, lang)
    ann.entities += (headline_names(title, names, lang) + dateline_names(dateline, lang)
                     + agency_names(agency))
    ann.quantities = extract_quantities(text, lang, folded)
    if published is not None:
        ann.time_mentions = extract_time_mentions(text, lang, published, folded)
    return ann


def annotate(documents: list[Document], lang: str, spec: ModelSpec,
             batch_size: int = 16) -> list[Annotation]:
    stanza_docs = run_stanza([d.text for d in documents], spec, batch_size)
    return [annotate_document(d.id, d.text, sd, lang, d.published, d.title, d.dateline,
                              d.agency)
            for d, sd in zip(documents, stanza_docs, strict=True)]
