"""Turkish: who said a quotation, from the grammar of its cue.

A finite or converb cue ("…" dedi, "…" diyerek) has the clause's subject as speaker: the
last name in the nominative before the quotation ("Juncker, "…" dedi"; "… değerlendiren
Juncker, "…" diye konuştu"), else a title that names its holder ("Beyaz Saray Sözcüsü,"),
else a generic noun for an organisation ("Bakanlıktan yapılan açıklamada"). A
participle ('"…" diyen Ban, …') names the noun phrase after it; a passive ('Açıklamada,
"…" denildi') the author of the statement the article reports; a genitive before a noun
for words said ('Erdoğan'ın "…" sözlerini hatırlatan X'), before a verb that recalls words
('X'in, "…" anımsatan Y') or before a clause made a noun ('X'in "…" diyerek yaptığı
çağrı') the person quoted. A name is no subject when a noun owns it ("Biden yönetiminin",
"X ile Y arasındaki"); the said-nouns, recall verbs and such nouns are lexicon lists.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from newswire.nlp.entities import load_gazetteer, strip_honorifics_after, strip_suffix
from newswire.nlp.lexicon import Lexicon, fold_case
from newswire.nlp.marks import Quotation
from newswire.nlp.speakers import (
    Cue,
    Document,
    Quote,
    Segment,
    Speaker,
    Tracker,
    fold,
    genitive,
    nominative,
    title_stem,
)


@dataclass(frozen=True)
class _Rules:
    """What the rules read from the lexicon: built once per lexicon, not per article."""

    said_noun: re.Pattern[str]
    title_stems: frozenset[str]
    statement: re.Pattern[str]
    # An organisation's name, maybe its abbreviation, then a comma or a subject particle.
    subject_after_org: re.Pattern[str]
    # The phrase before a comma or a subject particle: "Rutte, …", "Şimşek ise …".
    subject_head: re.Pattern[str]
    # What joins two quotations into one chain: a comma, "ve", "ile".
    quotation_link: re.Pattern[str]
    according_to: re.Pattern[str] | None  # "… göre" right before a quotation
    clause_particle: re.Pattern[str]  # a particle ending a reported clause's subject


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
    particles = "|".join(map(re.escape, lex.subject_particles))
    quotation_links = "|".join(map(re.escape, lex.words("quotes.quotation_links"))) or "(?!)"
    according = "|".join(map(re.escape, sorted(lex.words("quotes.according_to"), key=len,
                                               reverse=True)))
    clause_particles = "|".join(r"\s+".join(map(re.escape, p.split()))
                                for p in lex.words("quotes.clause_particles"))
    return _Rules(
        said_noun=re.compile(
            rf"^\s*[,]?\s*(?:(?:(?:{links})\s+)?(?:{said})(?:ler|lar)?(?:s?[ıiuü])"
            rf"(?:n[ıiuü]n|n[ae]|n[ıiuü]|nd[ae]|yl[ae])?|(?:{said_forms}))(?![\w])"),
        title_stems=frozenset(title_stem(t, lex) for t in lex.title_words),
        statement=re.compile(rf"(?<![\w])(?:{statement})(?![\w])"),
        subject_after_org=re.compile(
            rf"\s*(?:\([^()]{{1,20}}\)\s*)?(?:,|\s(?:{particles})\b)"),
        subject_head=re.compile(
            rf"\s*([^,\"“”'‘’:;]{{2,80}}?)\s*(?:,|\s(?:{particles})\s)"),
        quotation_link=re.compile(rf"\s*(?:,|(?:,\s*)?(?:{quotation_links}))?\s*"),
        according_to=re.compile(rf"(?:^|\s)(?:{according})\s*[,:]?\s*$") if according
        else None,
        clause_particle=re.compile(rf"\s+(?:{clause_particles})$"))


class TurkishAttribution:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lex = doc.lex
        self.quoted_third_person = False  # the last quotation was someone else's words
        rules = _rules(self.lex)
        self.said_noun = rules.said_noun
        self.title_stems = rules.title_stems
        self.statement = rules.statement
        self.patterns = rules

    def subject(self, start: int, limit: int) -> Speaker | None:
        """The subject of the clause in [start, limit): the last name in the nominative
        (a person first), else a role ("Beyaz Saray Sözcüsü,"), else None."""
        doc = self.doc
        names = [m for m in doc.names_in(start, limit) if nominative(doc, m)]
        people = [m for m in names if m.label == "PER"]
        if people:
            return doc.speaker_of(people[-1])
        # "Milli Savunma Bakanlığı (MSB), …": its abbreviation may stand between.
        strong = [m for m in names if m.label == "ORG" and self.patterns.subject_after_org.match(
            doc.folded[m.end:m.end + 32])]
        if strong:
            return doc.speaker_of(strong[-1])
        # "Rutte, …", "Şimşek ise …": a name the model missed, before a comma or a
        # subject particle.
        head = self.patterns.subject_head.match(doc.text[start:limit])
        if head:
            phrase = head.group(1).strip()
            words = phrase.split()
            if words and all(w[:1].isupper() for w in words):
                if title_stem(words[-1], self.lex) in self.title_stems:
                    holder = doc.holder_of(phrase)
                    if holder:
                        return holder
                elif (len(words) <= 3 and not self.statement.search(fold(phrase))
                      and phrase not in self.lex.org_references  # "Müdürlük,"
                      and not self._locative_opener(phrase, start + head.start(1))):
                    who = doc.bare_name(start + head.start(1), start + head.end(1))
                    if who is not None:
                        return who
        return self._org_reference(start, limit)

    def _locative_opener(self, phrase: str, at: int) -> bool:
        """ "Toplantıda,", "Görüşmeden,": one capitalised word in the locative or the
        ablative, with no apostrophe and not a name the entity layer found, opens the
        sentence as an adverbial; it is no bare name."""
        if len(phrase.split()) != 1 or any(m.start <= at < m.end for m in self.doc.names):
            return False
        return bool(re.search(r"(?:[dt][ae]n?)$", fold(phrase)))

    def colon_speaker(self, start: int, limit: int, tracker: Tracker) -> Speaker | None:
        """Who a colon hands the next words to: 'Bakan Soylu'nun şu cümleleri …
        yer vermişti:' gives them to the genitive; a passive to the statement's author;
        otherwise the clause's subject."""
        doc = self.doc
        # ... or with the said-noun between: "Soylu'nun açıklaması şöyle:"
        # ... or a particle too: "Kaya'nın yorumu ise şöyle:"
        owned = re.search(r"(\S+)['’´](?:n?[ıiuü]n)\s+(?:\w+\s+){0,2}(?:şu|şöyle|şunları)\b",
                          doc.folded[start:limit])
        if owned:
            owners = [m for m in doc.names_in(start, start + owned.end(1) + 6)
                      if genitive(doc, m)]
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
        owners = [m for m in doc.names_in(start, limit) if genitive(doc, m)
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
        """ "Erdoğan'ın "…" sözlerini": the genitive right before the quotation (or before
        the first of quotations joined by "ve": 'X'in "…" ve "…" sözleri'), when a
        said-noun follows, or a verb that recalls someone's words ('X'in, "…"
        anımsatan Y')."""
        self.quoted_third_person = False
        doc = self.doc
        first, last = self._quotation_chain(q)
        after = last.end + len(last.close_mark or "")
        said = self.said_noun.match(doc.folded[after:after + 60])
        if not said and not self._recalled(after) and not self._relative_clause(after):
            return None
        owner = self._genitive_before(first, seg_start)
        if owner is None:
            return None
        if not said and NOMINALISED.search(doc.folded[first.start:last.end].rstrip(" .,;!?…")):
            # A recall verb with no said-noun: the words of a person, not a partial
            # quotation inside reported speech ('Y, X'in "…kazandığını" hatırlattı').
            return None
        self.quoted_third_person = True
        return owner

    def _quotation_chain(self, q: Quotation) -> tuple[Quotation, Quotation]:
        """The first and last of the quotations joined to ``q`` by "ve", "ile" or a comma
        ('"…", "…" ve "…" sözleri')."""
        outer = sorted(self.doc.outer, key=lambda o: o.outer_start)
        if q not in outer:
            return q, q
        i = j = outer.index(q)
        while i > 0 and self._joined(outer[i - 1], outer[i]):
            i -= 1
        while j + 1 < len(outer) and self._joined(outer[j], outer[j + 1]):
            j += 1
        return outer[i], outer[j]

    def _joined(self, a: Quotation, b: Quotation) -> bool:
        if a.close_mark is None or a.paragraph != b.paragraph:
            return False
        between = self.doc.folded[a.end + len(a.close_mark):b.outer_start]
        return bool(self.patterns.quotation_link.fullmatch(between))

    def _recalled(self, after: int) -> bool:
        """A verb recalling words said right after the quotation ('"…" anımsatan')."""
        cue = self._cue_right_after(after)
        return cue is not None and cue.lemma in self.lex.words("quotes.recall_verbs")

    def _relative_clause(self, after: int) -> bool:
        """ 'X'in "…" diyerek yaptığı çağrı': a converb in a clause made a noun ("yaptığı",
        "verdiğini"), whose subject is the genitive before the quotation."""
        cue = self._cue_right_after(after)
        if cue is None or cue.kind != "converb":
            return False
        words = self.doc.folded[cue.end:cue.end + 60].split()[:3]
        return any(RELATIVE.search(w.strip(",.;:")) for w in words)

    def _cue_right_after(self, after: int) -> Cue | None:
        cue = next(iter(self.doc.cues_in(after, after + 40)), None)
        if cue is None or self.doc.text[after:cue.start].strip(" ,"):
            return None
        return cue

    def _genitive_before(self, q: Quotation, seg_start: int) -> Speaker | None:
        """The name in the genitive right before a quotation: after a comma
        ('Karahan'ın, "…"'), or with a pronoun or two between ("X'in kendisine "…"
        dediğini"): lower-case words, no comma."""
        doc = self.doc
        before = [m for m in doc.names_in(seg_start, q.outer_start)
                  if genitive(doc, m)]
        if before:
            between = doc.text[before[-1].end:q.outer_start]
            if len(between) <= 3 or (len(between.split()) <= 2 and between.strip().islower()
                                     and not re.search(r"[,;:.]", between)
                                     and not any(POSSESSED.search(w) and not
                                                 w.startswith("kendi")
                                                 for w in fold(between).split())):
                return doc.speaker_of(before[-1])
        # A name the entity layer did not tag in this case ("Atatürk'ün, "…"",
        # "Lider Sevgi Ural'ın, "…""): the capitalised words ending in the genitive, after
        # any title, resolved to a person of the document when one has that name.
        run = re.search(r"((?:[A-ZÇĞİÖŞÜ][\w.-]*\s+){0,4}[A-ZÇĞİÖŞÜ][\w.-]*['’´]n?[ıiuü]n)"
                        r"\s*,?\s*$", doc.text[seg_start:q.outer_start])
        if run is None:
            return None
        at = seg_start + run.start(1)
        known = load_gazetteer()
        if doc.inside_quotation(at) or any(
                m.start < seg_start + run.end(1) and m.end > at and m.label != "PER"
                and (m.label == "ORG" or known.label(m.canonical)) for m in doc.names):
            # "Türkiye'nin", "NATO'nun": a known place or an organisation. A person the
            # weak model tagged as a place ("Atatürk'ün") is still a person here.
            return None
        words = run.group(1).split()
        words[-1] = strip_suffix(words[-1])
        titled = [i for i, w in enumerate(words) if w in self.lex.title_words]
        words = words[titled[-1] + 1:] if titled else words
        while words and (words[0] in self.lex.not_entities or words[0] in self.lex.titles):
            words = words[1:]
        if not words:
            return None
        name = strip_honorifics_after(" ".join(words), self.lex)
        full = doc.people.full_name(name) or next(
            (m.canonical for m in doc.names if m.label == "PER"
             and m.canonical.split()[-1] == name.split()[-1]), None)
        return Speaker(full or name, doc.roles.get(full or name), "PER")

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
        source = self.according_to(seg.start, q.outer_start)
        if source is not None:
            return source, None, True
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
        # 'Soyunma odasında "Altın madalya" mesajı': a said-noun after the quotation makes
        # even a short one words said: the clause's subject's ('X, Y'nin tutumunu "…"
        # ifadesiyle eleştirdi'), else whoever speaks around it.
        if self.named_as_said(q):
            return self.subject(seg.start, q.outer_start), None, True
        return None, None, False

    def according_to(self, start: int, limit: int) -> Speaker | None:
        """ "Ekonomist Ali Kaya'ya göre, "…"", "Kaya'nın değerlendirmesine göre "…"",
        "Kaya'nın ifadesiyle "…"": the name in a case before the words of
        ``quotes.according_to`` right before the quotation said it (not "Buna göre", not
        a source: "AA'nın haberine göre")."""
        doc = self.doc
        if self.patterns.according_to is None:
            return None
        found = self.patterns.according_to.search(doc.folded[start:limit])
        if found is None:
            return None
        at = start + found.start()
        owners = [m for m in doc.names_in(start, at, ("PER", "ORG"))
                  if _CASED.search(m.text) and m.canonical not in self.lex.agencies]
        if not owners:
            return None
        between = doc.folded[owners[-1].end:at + len(found.group())].split()
        if len(between) > 2 or any(phrase.startswith(" ".join(between[:-1]) + " ")
                                   for phrase in self.lex.source_phrases
                                   if len(between) == 2):
            return None
        return doc.speaker_of(owners[-1])

    def named_as_said(self, q: Quotation) -> bool:
        """A said-noun follows the quotation ('"…" mesajı', '"…" çağrısında')."""
        after = q.end + len(q.close_mark or "")
        return bool(self.said_noun.match(self.doc.folded[after:after + 60]))

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


# A name with a case ending after an apostrophe ("Kaya'ya", "Kaya'nın").
_CASED = re.compile(r"[’'´]\w+$")
# The ending of a nominalised clause ("kazandığını", "gelmesini", "olacaklarını"): a
# quotation ending so is part of reported speech, not words quoted whole.
NOMINALISED = re.compile(r"(?:ğ[ıiuü]n[ıiuü]|ğ[ıiuü]|m[ae]s[ıi]n[ıi]|m[ae]y[ıi]|"
                         r"kl[ae]r[ıi]n[ıi])$")
# A noun with a possessive and a case ending ("tutumunu", "kararına"): after a genitive
# it is what the genitive owns ('X'in tutumunu "…" ifadesiyle eleştirdi': the words are
# not X's).
POSSESSED = re.compile(r"s?[ıiuü]n(?:[ıiuü]|[ae]|d[ae]|d[ae]n)$")
# A verb made a noun or an adjective by -DIK / -(y)AcAK ("verdiği", "yaptığı",
# "çağırdığını", "yapacağı"), with its possessive and case endings.
RELATIVE = re.compile(r"(?:[dt][ıiuü]ğ|[ae]c[ae]ğ)(?:[ıiuü]|l[ae]r[ıi])"
                      r"(?:n[ıiuü]|n[ae]|nd[ae]|n[ıiuü]n|yl[ae])?$")
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
        head_word = rules.patterns.clause_particle.sub("", clause)
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
