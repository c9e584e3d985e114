"""Turkish: who said a quotation, from the grammar of its cue.

A finite or converb cue ("…" dedi, "…" diyerek) has the clause's subject as speaker: the
last name in the nominative before the quotation ("Juncker, "…" dedi"; "… değerlendiren
Juncker, "…" diye konuştu"), else a title that names its holder ("Beyaz Saray Sözcüsü,"),
else a generic noun for an organisation ("Bakanlıktan yapılan açıklamada"). A
participle ('"…" diyen Ban, …') names the noun phrase after it; a passive ('Açıklamada,
"…" denildi') the author of the statement the article reports; a genitive before a noun
for words said ('Erdoğan'ın "…" sözlerini hatırlatan X') the person quoted.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from newswire.nlp.lexicon import Lexicon, fold_case
from newswire.nlp.marks import Quotation
from newswire.nlp.speakers import (
    GENITIVE,
    Cue,
    Document,
    Quote,
    Segment,
    Speaker,
    Tracker,
    fold,
    nominative,
    title_stem,
)


@dataclass(frozen=True)
class _Rules:
    """What the rules read from the lexicon: built once per lexicon, not per article."""

    said_noun: re.Pattern[str]
    title_stems: frozenset[str]
    particles: str
    statement: re.Pattern[str]


@functools.cache
def _rules(lex: Lexicon) -> _Rules:
    said = "|".join(re.escape(n) for n in sorted(lex.said_nouns, key=len, reverse=True))
    # "sözlerini", "iddialarına", "ifadesi": a said-noun with a possessive ending,
    # maybe after a link ('"…" şeklindeki sözlerine'); or a nominalised "demek"
    # ('X'in "…" dediğini'): the genitive before the quotation said it.
    links = "|".join(re.escape(w) for w in sorted(lex.words("quotes.said_noun_links"),
                                                  key=len, reverse=True)) or "(?!)"
    said_forms = "|".join(re.escape(w) for w in sorted(
        lex.words("quotes.said_forms"), key=len, reverse=True)) or "(?!)"
    statement = "|".join(re.escape(n) for n in sorted(lex.statement_nouns, key=len,
                                                      reverse=True))
    return _Rules(
        said_noun=re.compile(
            rf"^\s*[,]?\s*(?:(?:(?:{links})\s+)?(?:{said})(?:ler|lar)?(?:s?[ıiuü])"
            rf"(?:n[ıiuü]n|n[ae]|n[ıiuü]|nd[ae]|yl[ae])?|(?:{said_forms}))(?![\w])"),
        title_stems=frozenset(title_stem(t, lex) for t in lex.title_words),
        particles="|".join(map(re.escape, lex.subject_particles)),
        statement=re.compile(rf"(?<![\w])(?:{statement})(?![\w])"))


class TurkishAttribution:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lex = doc.lex
        self.quoted_third_person = False  # the last quotation was someone else's words
        rules = _rules(self.lex)
        self.said_noun = rules.said_noun
        self.title_stems = rules.title_stems
        self.particles = rules.particles
        self.statement = rules.statement

    def subject(self, start: int, limit: int) -> Speaker | None:
        """The subject of the clause in [start, limit): the last name in the nominative
        (a person first), else a role ("Beyaz Saray Sözcüsü,"), else None."""
        doc = self.doc
        names = [m for m in doc.names_in(start, limit) if nominative(doc, m)]
        people = [m for m in names if m.label == "PER"]
        if people:
            return doc.speaker_of(people[-1])
        strong = [m for m in names if m.label == "ORG" and re.match(
            rf"\s*(?:,|\s(?:{self.particles})\b)", doc.folded[m.end:m.end + 12])]
        if strong:
            return doc.speaker_of(strong[-1])
        head = re.match(r"\s*([^,\"“”'‘’:;]{2,80}?)\s*,", doc.text[start:limit])
        if head:
            phrase = head.group(1).strip()
            words = phrase.split()
            if words and all(w[:1].isupper() for w in words):
                if title_stem(words[-1], self.lex) in self.title_stems:
                    holder = doc.holder_of(phrase)
                    if holder:
                        return holder
                elif len(words) <= 3 and not self.statement.search(fold(phrase)):
                    who = doc.bare_name(start + head.start(1), start + head.end(1))
                    if who is not None:
                        return who
        return self._org_reference(start, limit)

    def colon_speaker(self, start: int, limit: int, tracker: Tracker) -> Speaker | None:
        """Who a colon hands the next words to: 'Bakan Soylu'nun şu cümleleri …
        yer vermişti:' gives them to the genitive; a passive to the statement's author;
        otherwise the clause's subject."""
        doc = self.doc
        # ... or with the said-noun between: "Soylu'nun açıklaması şöyle:"
        genitive = re.search(r"(\S+)['’´](?:n?[ıiuü]n)\s+(?:\w+\s+)?(?:şu|şöyle|şunları)\b",
                             doc.folded[start:limit])
        if genitive:
            owners = [m for m in doc.names_in(start, start + genitive.end(1) + 6)
                      if GENITIVE.search(m.text)]
            if owners:
                return doc.speaker_of(owners[-1])
        cues = doc.cues_in(start, limit)
        if cues and cues[-1].kind == "passive":
            return self.statement_author(start, cues[-1].start, tracker)
        return self.subject(start, cues[-1].start if cues else limit)

    def _org_reference(self, start: int, limit: int) -> Speaker | None:
        for m in re.finditer(r"(?<![\w])([A-ZÇĞİÖŞÜ][a-zçğıöşü]+)", self.doc.text[start:limit]):
            word = m.group(1)
            for noun in self.lex.org_references:
                if word.startswith(noun) and len(word) - len(noun) <= 4:
                    found = self.doc.organisation(noun, start + m.start())
                    if found:
                        return found
        return None

    def statement_author(self, start: int, limit: int, tracker: Tracker) -> Speaker | None:
        """Whose written statement a passive cue reports: the genitive before
        "açıklamada" ("İstanbul Valiliği'nin yaptığı açıklamada"), a generic noun
        ("Bakanlıktan yapılan açıklamada"), else the statement's known author."""
        doc = self.doc
        owners = [m for m in doc.names_in(start, limit) if GENITIVE.search(m.text)
                  and self.statement.search(doc.folded, m.end, min(limit, m.end + 60))]
        if owners:
            return doc.speaker_of(owners[-1])
        org = self._org_reference(start, limit)
        if org:
            return org
        named = [m for m in doc.names_in(start, limit) if nominative(doc, m)
                 and m.label == "ORG"]
        if named:
            return doc.speaker_of(named[-1])
        return tracker.issuer

    def cue_after(self, q: Quotation, end: int) -> Cue | None:
        """The first cue after a quotation in its segment, before the next quotation and
        the sentence's end."""
        limit = end
        for other in self.doc.outer:
            if other.outer_start > q.end and other.outer_start < limit:
                limit = other.outer_start
                break
        cues = self.doc.cues_in(q.end, limit)
        if not cues:
            return None
        cue = cues[0]
        between = self.doc.text[q.end:cue.start]
        if re.search(r"[.!?]\s", between) or len(between.split()) > 14:
            return None
        return cue

    def participle_head(self, cue: Cue, end: int) -> Speaker | None:
        """The noun phrase a participle cue describes: '"…" diyen Ban, …'."""
        doc = self.doc
        stop = re.search(r"[,.;:]", doc.text[cue.end:end])
        limit = cue.end + (stop.start() if stop else min(end - cue.end, 80))
        names = [m for m in doc.names_in(cue.end, limit + 1) if nominative(doc, m)]
        if names:
            return doc.speaker_of(names[0])
        phrase = doc.text[cue.end:limit].strip()
        if phrase:
            holder = doc.holder_of(phrase)
            if holder:
                return holder
            if stop and doc.text[cue.end + stop.start()] == ",":
                return doc.bare_name(cue.end, limit)
        return None

    def genitive_owner(self, q: Quotation, seg_start: int) -> Speaker | None:
        """ "Erdoğan'ın "…" sözlerini": the genitive right before the quotation."""
        self.quoted_third_person = False
        if not self.said_noun.match(self.doc.folded[q.end + 1:q.end + 40]):
            return None
        before = [m for m in self.doc.names_in(seg_start, q.outer_start)
                  if GENITIVE.search(m.text)]
        # Right before the quotation, or with a pronoun or two between ("X'in kendisine
        # "…" dediğini"): lower-case words, no comma.
        between = self.doc.text[before[-1].end:q.outer_start] if before else ""
        if before and (len(between) <= 3 or (
                len(between.split()) <= 2 and between.strip().islower()
                and not re.search(r"[,;:.]", between))):
            self.quoted_third_person = True
            return self.doc.speaker_of(before[-1])
        return None

    def attribute(self, q: Quotation, seg: Segment, tracker: Tracker
                  ) -> tuple[Speaker | None, Cue | None, bool]:
        """(speaker, cue, found): found False means the quotation is no speech."""
        doc = self.doc
        owner = self.genitive_owner(q, seg.start)
        if owner:
            return owner, None, True
        cue = self.cue_after(q, seg.end)
        if cue is not None:
            if cue.kind == "participle":
                who = self.participle_head(cue, seg.end) or self.subject(seg.start,
                                                                         q.outer_start)
            elif cue.kind == "passive":
                who = self.statement_author(seg.start, q.outer_start, tracker)
            else:
                who = self.subject(seg.start, q.outer_start)
                if who is None:
                    who = self._subject_outside(seg, q)
            return who, cue, True
        before = doc.text[seg.start:q.outer_start]
        if re.search(r"[:;]\s*$", before):
            cues = doc.cues_in(seg.start, q.outer_start)
            return self.colon_speaker(seg.start, q.outer_start, tracker), \
                (cues[-1] if cues else None), True
        if re.match(r"^\s*[^,\"“”]{2,80},\s*$", before):
            who = self.subject(seg.start, q.outer_start)  # 'Rutte, "…"' with no verb
            if who:
                return who, None, True
        cues = doc.cues_in(seg.start, seg.end)
        if cues:
            # A partial quotation inside reported speech: '… kararının "…" olduğunu …
            # dile getirdi'; the clause's cue names the speaker.
            cue = next((c for c in cues if c.start > q.end), cues[-1])
            if cue.kind == "participle" and cue.start > q.end:
                return self.participle_head(cue, seg.end), cue, True
            if cue.kind == "passive":
                return self.statement_author(seg.start, q.outer_start, tracker), cue, True
            return self.subject(seg.start, seg.end) or self._subject_outside(seg, q), cue, \
                True
        return None, None, False

    def _subject_outside(self, seg: Segment, q: Quotation) -> Speaker | None:
        """The subject named after the quotation ('"…" diye konuştu Tusk' is rare, but
        '"…" demişti Tekin' and block layouts are not)."""
        return self.subject(q.end + 1, seg.end)

    def clause_speaker(self, cue: Cue, seg: Segment, tracker: Tracker) -> Speaker | None:
        """The speaker of a reporting verb outside quotations (for the tracker and for
        reported speech)."""
        if cue.kind == "participle":
            return self.participle_head(cue, seg.end)
        if cue.kind == "passive":
            return self.statement_author(seg.start, cue.start, tracker)
        return self.subject(seg.start, cue.start)


TR_COMPLEMENT = re.compile(
    r"(?:ğ[ıiuü]n[ıiuü]|ğ[ıiuü]|k[ıiuü]n[ıiuü]|kl[ae]r[ıi]n[ıi]|m[ae]s[ıi]n[ıi]|m[ae]y[ıi]|"
    r"s[ıiuü]n[ıiuü]|n[ıiuü]|y[ıiuü]|l[ae]r[ıi]n[ıi]|m[ae]k|m[ae]s[ıi])['’]?\w*[,]?$")
TR_VERDIGI = re.compile(r"(?P<who>[^,.;]+?)['’](?:in|ın|un|ün|nin|nın|nun|nün)\s+verdiği\s+"
                        r"bilgi(?:ye|lere)\s+göre,?\s*")
def _looks_like_name(phrase: str, lex: Lexicon) -> bool:
    """A subject phrase: a few words, mostly capitalised ("NATO Genel Sekreteri Jens
    Stoltenberg"), with no reporting verb in it."""
    words = phrase.split()
    if not 0 < len(words) <= 12 or not words[-1][:1].isupper():
        return False
    if lex.cue_pattern.search(fold_case(phrase, lex.lang)):
        return False
    capitalised = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
    return capitalised >= 0.6 * len(words)


def reported_tr(doc: Document, rules: TurkishAttribution, seg: Segment,
                tracker: Tracker) -> list[Quote]:
    """Reported clauses of one sentence ("… ele alacaklarını söyledi"), with the
    speaker of their verb."""
    text, s_start, s_end = doc.text, seg.start, seg.end
    out: list[Quote] = []
    quoted = [(q.outer_start, q.end + 1) for q in seg.quotations]
    consumed = s_start
    for q in seg.quotations:
        cue = rules.cue_after(q, s_end)
        if cue is not None and cue.kind == "participle":
            name = re.match(r"\s*([^,.]{2,80}?)[,.]", text[cue.end:s_end])
            consumed = max(consumed, cue.end + (name.end() if name else 0))
    verdigi = TR_VERDIGI.match(text[s_start:s_end])
    if verdigi:
        who = rules.subject(s_start + verdigi.start("who"), s_start + verdigi.end("who") + 3)
        body = s_start + verdigi.end()
        clause = text[body:s_end].rstrip(" .")
        if who and clause and not quoted:
            out.append(Quote(clause, body, body + len(clause), who.name, who.role,
                             "bilgi ver", "verdiği bilgiye göre", "indirect", s_start))
        return out
    clause_start = consumed
    head = re.match(r"^\s*([^,\"“«]{2,120}?),\s", text[s_start:s_end])
    if head and clause_start == s_start and _looks_like_name(head.group(1), doc.lex):
        clause_start = s_start + head.end()
    for cue in doc.cues_in(s_start, s_end):
        if any(qs <= cue.start < qe for qs, qe in quoted) or cue.start < clause_start:
            continue
        clause = text[clause_start:cue.start].strip(" ,")
        next_start = cue.end
        if cue.kind == "participle":
            speaker = rules.participle_head(cue, s_end)
            name = re.match(r"\s*([^,.\"“«]{2,80}?)[,.]", text[cue.end:s_end])
            if name:
                next_start = cue.end + name.end()
        elif cue.kind == "passive":
            speaker = None
        else:
            speaker = rules.subject(s_start, cue.start)
        words = clause.split()
        particles = "|".join(r"\s+".join(map(re.escape, p.split()))
                             for p in doc.lex.words("quotes.clause_particles"))
        head_word = re.sub(rf"\s+(?:{particles})$", "", clause)
        if (words and cue.kind != "passive" and not re.search(r"[:;]\s*$", clause)
                and (TR_COMPLEMENT.search(head_word.split()[-1]) if head_word.split()
                     else False or cue.lemma.endswith("bulun"))
                and not any(c in clause for c in "\"“”«»") and len(words) >= 3):
            speaker = speaker or tracker.last
            at = text.index(clause, clause_start)
            out.append(Quote(clause, at, at + len(clause), speaker.name if speaker else None,
                             speaker.role if speaker else None, cue.lemma, cue.text,
                             "indirect", s_start))
        if speaker is not None and speaker.label == "PER":
            tracker.spoke(speaker)
        clause_start = next_start
    if not seg.quotations:
        subject = rules.subject(s_start, s_end)
        if subject is not None and subject.label == "PER":
            tracker.spoke(subject)
    return out
