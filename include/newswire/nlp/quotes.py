"""Who said what: direct quotations and reported speech with their speaker, Turkish and
English.

The layer works on the document stanza produced (its sentences) and on the names the
entity layer resolved, in four steps:

1. **Quotations** (``marks.find_quotations``): every span in quotation marks, including
   block quotations that run over paragraphs.
2. **Segments**: stanza's sentences, joined where a quotation runs across a sentence
   boundary or where a sentence is laid out over paragraphs ('Dujarric,' / '“…”' /
   'ifadelerini kullandı.').
3. **Cues** from the lexicon: reporting verbs and their endings (Turkish "dedi",
   "diyen", "diyerek", "denildi"; English "said", "adding"), nouns for words said
   ("sözlerini", "iddialarına"), and a colon that announces a block quotation.
4. **Speakers**, by the grammar of the cue: a finite verb's subject ("Juncker, "…"
   dedi"; "X said"), the noun phrase after a participle ("…" diyen Ban), the author of a
   written statement for a passive ("Açıklamada, "…" denildi"), the genitive before a
   said-noun ("Erdoğan'ın "…" sözlerini hatırlatan X": Erdoğan). Pronouns, titles
   ("Genel Sekreter", "the spokesman"), generic nouns ("Bakanlık", "the ministry") and
   dropped subjects resolve through a document-level tracker that remembers who spoke,
   who holds which role and who issued the statement the article reports.

Quotations with no cue take the speaker of the block they continue; a quote subheading
(a short line that is only a quotation) takes the speaker of the section it heads.
Short quoted names and scare quotes without a cue are not speech.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newswire.nlp.entities import Mention, PersonIndex, strip_suffix
from newswire.nlp.lexicon import Lexicon, fold_case, lexicon
from newswire.nlp.marks import Quotation, find_quotations, paragraphs


@dataclass
class Quote:
    quote: str
    start: int  # offsets of the quoted text in the document
    end: int
    speaker: str | None
    speaker_role: str | None
    cue: str | None  # the reporting verb as a lemma ("söyle", "ifade kullan", "say")
    cue_text: str | None  # as written ("söyledi", "ifadelerini kullandı", "told")
    kind: str  # direct or indirect
    sentence_start: int = 0


@dataclass
class Speaker:
    name: str
    role: str | None = None
    label: str = "PER"  # PER or ORG


@dataclass
class Cue:
    start: int
    end: int
    kind: str  # finite, participle, converb, passive
    lemma: str
    text: str


# -- sentences ----------------------------------------------------------------------------
_SENTENCE_FINAL = re.compile(r"[.!?…:;][\"”»'’)\]]*\s*$")
_SENTENCE_END = re.compile(r"[.!?…]+[\"”»']?(?=\s+[\"“«'‘A-ZÇĞİÖŞÜ0-9])")
_ABBREVIATION = re.compile(r"\b(?:[A-Z]|Dr|Prof|Doç|Mr|Mrs|Ms|St|No|Jan|Feb|Mar|Apr|Jun|Jul|"
                           r"Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|Gen|Lt|Col|Sen|Rep)\.$")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans by punctuation, for text that did not go through stanza: they never
    cut a quotation and never cross a paragraph."""
    spans: list[tuple[int, int]] = []
    quoted = [(q.outer_start, q.end + 1) for q in find_quotations(text)]
    for p_start, p_end in paragraphs(text):
        start = p_start
        for m in _SENTENCE_END.finditer(text, p_start, p_end):
            cut = m.end()
            if any(s < cut < e for s, e in quoted):
                continue
            if _ABBREVIATION.search(text[max(p_start, m.start() - 5):m.end()]):
                continue
            spans.append((start, cut))
            start = cut + len(text[cut:p_end]) - len(text[cut:p_end].lstrip())
        if start < p_end:
            spans.append((start, p_end))
    return spans


# -- the document -------------------------------------------------------------------------
@dataclass
class _Segment:
    start: int
    end: int
    quotations: list[Quotation] = field(default_factory=list)


class Document:
    """One article as the quote layer sees it: text, names, quotations, segments, cues."""

    def __init__(self, text: str, mentions: list[Mention], lang: str,
                 sentence_spans: list[tuple[int, int]] | None = None,
                 folded: str | None = None, people: PersonIndex | None = None) -> None:
        self.text = text
        self.lang = lang
        self.lex: Lexicon = lexicon(lang)
        self.folded = folded if folded is not None else fold_case(text, lang)
        self.names = [m for m in mentions if m.label in ("PER", "ORG", "LOC", "MISC")
                      and m.canonical.strip()]
        self.people = people if people is not None else PersonIndex(
            m.canonical for m in self.names if m.label == "PER" and len(m.canonical.split()) > 1)
        self.roles: dict[str, str] = {}
        for m in self.names:
            if m.label == "PER" and m.role:
                self.roles.setdefault(m.canonical, m.role)
        self.paragraphs = paragraphs(text)
        self.quotations = find_quotations(text, nested=True)
        self.outer = [q for q in self.quotations if q.depth == 0]
        for q in self.outer:
            cut = _attribution_inside(self, q) if q.close_mark is None else None
            if cut is not None:  # '"… source, said Health Minister X on Twitter.'
                q.end = cut - len(text[:cut]) + len(text[:cut].rstrip())
                q.whole = False
        self.segments = self._segments(sentence_spans or sentences(text))
        self.cues = self._cues()

    # segments -------------------------------------------------------------------------
    def paragraph_of(self, offset: int) -> int:
        for i, (s, e) in enumerate(self.paragraphs):
            if s <= offset <= e:
                return i
        return len(self.paragraphs) - 1

    def _segments(self, spans: list[tuple[int, int]]) -> list[_Segment]:
        spans = sorted((s, e) for s, e in spans if e > s)
        merged: list[list[int]] = []
        for s, e in spans:
            same_paragraph = bool(merged) and self.paragraph_of(merged[-1][0]) == \
                self.paragraph_of(s)
            if same_paragraph and (
                    any(q.outer_start < merged[-1][1] and q.end >= s for q in self.outer)
                    or not _SENTENCE_FINAL.search(self.text[merged[-1][0]:merged[-1][1]])):
                # A quotation runs across the cut, or the model cut a sentence that has
                # not ended ("… Sözcüsü Pedro" / "Lopez de Pablo, …").
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        merged = self._join_laid_out(merged)
        segments = [_Segment(s, e) for s, e in merged]
        for q in self.quotations:
            host = next((g for g in segments if g.start <= q.start < g.end), None)
            if host is None:
                host = min(segments, key=lambda g: abs(g.start - q.start))
            host.quotations.append(q)
        return segments

    def _join_laid_out(self, merged: list[list[int]]) -> list[list[int]]:
        """ 'Dujarric,' / '“…”' / 'ifadelerini kullandı.': one sentence over three
        paragraphs (the middle one a whole quotation, the last a lower-case cue)."""
        out: list[list[int]] = []
        i = 0
        while i < len(merged):
            seg = merged[i]
            if i + 2 < len(merged):
                head, middle, tail = self.text[seg[0]:seg[1]], merged[i + 1], merged[i + 2]
                mid_whole = any(q.whole and middle[0] <= q.start < middle[1]
                                for q in self.outer)
                tail_text = self.text[tail[0]:tail[1]].lstrip()
                if (mid_whole and not re.search(r"[.!?:;\"”]\s*$", head)
                        and tail_text[:1].islower()):
                    out.append([seg[0], tail[1]])
                    i += 3
                    continue
            out.append(seg)
            i += 1
        return out

    # cues -----------------------------------------------------------------------------
    def inside_quotation(self, offset: int) -> bool:
        return any(q.outer_start <= offset < q.end + 1 for q in self.outer)

    def _cues(self) -> list[Cue]:
        found = []
        names = [(m.start, m.end) for m in self.names]
        for m in self.lex.cue_pattern.finditer(self.folded):
            if self.inside_quotation(m.start()) or any(s <= m.start() < e for s, e in names):
                continue  # in a quotation, or part of a name ("Ursula von der Leyen")
            found.append(Cue(m.start(), m.end(), self.lex.cue_kind(m), self.lex.cue_lemma(m),
                             self.text[m.start():m.end()]))
        return found

    def cues_in(self, start: int, end: int) -> list[Cue]:
        return [c for c in self.cues if start <= c.start < end]

    # names ----------------------------------------------------------------------------
    def names_in(self, start: int, end: int, labels: tuple[str, ...] = ("PER", "ORG")
                 ) -> list[Mention]:
        return [m for m in self.names if start <= m.start and m.end <= end
                and m.label in labels and not self.inside_quotation(m.start)]

    def bare_name(self, start: int, end: int) -> Speaker | None:
        """A name the entity layer did not find, where the grammar puts a speaker ('"…"
        diyen Rutte,', 'Rutte, "…" dedi'): the capitalised words there, resolved to a
        longer name of the document when one ends with them."""
        words = re.findall(r"[^\W\d_][\w'’´.-]*", self.text[start:end])
        run: list[str] = []
        for word in words:
            if not word[:1].isupper() or word in self.lex.not_entities:
                if run:
                    break
                continue
            run.append(word)
            if word != strip_suffix(word):
                return None  # "Erdoğan'a": not the subject
        if not run or any(w.rstrip(".") in self.lex.title_words for w in run):
            return None
        name = " ".join(run)
        full = self.people.full_name(name)
        if full is None:
            longer = [m.canonical for m in self.names if m.canonical.split()[-1] == run[-1]
                      and len(m.canonical.split()) > len(run)]
            full = longer[0] if longer else None
        return Speaker(full or name, self.roles.get(full or name), "PER")

    def speaker_of(self, mention: Mention) -> Speaker:
        name = mention.canonical
        if mention.label == "PER":
            name = self.people.full_name(name) or name
            return Speaker(name, mention.role or self.roles.get(name), "PER")
        return Speaker(name, None, mention.label)

    def holder_of(self, role: str) -> Speaker | None:
        """The person whose role a title names ("Genel Sekreter", "Beyaz Saray Sözcüsü",
        "the foreign minister"): a role ending with the same title word."""
        words = [_title_stem(w, self.lex) for w in role.split()]
        if not words:
            return None
        best: tuple[int, str] | None = None
        for name, held in self.roles.items():
            held_words = [_title_stem(w, self.lex) for w in held.split()]
            if not held_words or held_words[-1] != words[-1]:
                continue
            overlap = len(set(words) & set(held_words))
            if best is None or overlap > best[0]:
                best = (overlap, name)
        return Speaker(best[1], self.roles[best[1]], "PER") if best else None

    def organisation(self, noun: str, before: int) -> Speaker | None:
        """The organisation a generic noun refers back to ("Bakanlık", "the ministry"):
        the nearest earlier (else later) organisation whose head matches."""
        head = self.lex.org_references.get(noun) or self.lex.org_references.get(noun.lower())
        if head is None:
            return None
        orgs = [m for m in self.names if m.label == "ORG"
                and _fold(m.canonical.split()[-1]) == _fold(head)]
        if not orgs:
            # "the drugmaker": the organisation the article is about, named first.
            orgs = [m for m in self.names if m.label == "ORG"
                    and m.canonical not in self.lex.agencies]
            if not orgs:
                return None
            return Speaker(orgs[0].canonical, None, "ORG")
        earlier = [m for m in orgs if m.start < before]
        chosen = earlier[-1] if earlier else orgs[0]
        return Speaker(chosen.canonical, None, "ORG")


def _fold(text: str) -> str:
    return text.replace("İ", "i").replace("I", "ı").casefold()


def _title_stem(word: str, lex: Lexicon) -> str:
    """ "Sekreteri" -> "sekreter", "Bakanı" -> "bakan", "spokeswoman" -> "spokeswoman":
    a title with or without the Turkish compound ending."""
    word = _fold(strip_suffix(word.strip(",.;:()")))
    if lex.lang == "tr":
        for ending in ("sı", "si", "su", "sü", "ı", "i", "u", "ü"):
            if word.endswith(ending) and len(word) > len(ending) + 2:
                return word[: -len(ending)]
    return word


# -- the tracker --------------------------------------------------------------------------
@dataclass
class Tracker:
    """What a reader remembers while reading: who spoke last, who the last person was,
    whose statement the article reports, and who a colon hands the next paragraph to."""

    last: Speaker | None = None
    last_person: Speaker | None = None
    last_quoted: Speaker | None = None  # the speaker of the last quotation
    issuer: Speaker | None = None
    colon: Speaker | None = None
    colon_paragraph: int = -1

    def spoke(self, speaker: Speaker | None) -> None:
        if speaker is None:
            return
        self.last = speaker
        if speaker.label == "PER":
            self.last_person = speaker


# -- shared helpers -----------------------------------------------------------------------
_GENITIVE = re.compile(r"[’'´](?:n?[ıiuü]n)$")
_CASE_SUFFIXED = re.compile(r"[’'´]\w+$")


def _nominative(doc: Document, m: Mention) -> bool:
    """A name not in an oblique case: no case suffix, not before a postposition."""
    if _CASE_SUFFIXED.search(m.text) and not re.search(r"[’'´]s$", m.text):
        return False
    after = doc.folded[m.end:m.end + 20].split()
    return not (after and after[0] in doc.lex.words("quotes.postpositions"))


def _speech_like(text: str) -> bool:
    """A quotation that reads as words said rather than a name or a term: several words,
    not all of them capitalised."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    if len(words) < 2:
        return False
    capitalised = sum(1 for w in words if w[:1].isupper())
    # "Global Conversation", "Caspian Policy Center": a name, not words said.
    return not (capitalised == len(words) and len(words) <= 6 and not text.isupper())


def _name_like(text: str, lex: Lexicon) -> bool:
    """A name or a title in quotation marks: every word that is not a function word is
    capitalised ("Measures for Administering the Release of News", ‘KAIROS’)."""
    function_words = lex.words("quotes.function_words")
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if w.lower() not in function_words]
    if not words or len(words) > 16:
        return False
    if len(words) <= 3 and re.search(r"[.!?…]\s*$", text):
        return False  # "Hazırız.": a short sentence said
    return all(w[:1].isupper() for w in words)


def _looks_like_subheading(text: str) -> bool:
    words = text.split()
    return len(words) <= 14 and (text.isupper() or not re.search(r"[.!?…]$", text.strip()))


def _strip_marks(text: str) -> str:
    return text.strip(" \"“”„«»'‘’")


# -- Turkish ------------------------------------------------------------------------------
class TurkishAttribution:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lex = doc.lex
        self.quoted_third_person = False  # the last quotation was someone else's words
        said = "|".join(re.escape(n) for n in sorted(self.lex.said_nouns, key=len,
                                                      reverse=True))
        # "sözlerini", "iddialarına", "ifadesi": a said-noun with a possessive ending.
        self.said_noun = re.compile(rf"^\s*[,]?\s*(?:{said})(?:ler|lar)?(?:s?[ıiuü])"
                                    r"(?:n[ıiuü]n|n[ae]|n[ıiuü]|nd[ae]|yl[ae])?(?![\w])")
        self.title_stems = {_title_stem(t, self.lex) for t in self.lex.title_words}
        statement = "|".join(re.escape(n) for n in sorted(self.lex.statement_nouns, key=len,
                                                           reverse=True))
        self.statement = re.compile(rf"(?<![\w])(?:{statement})(?![\w])")

    def subject(self, start: int, limit: int) -> Speaker | None:
        """The subject of the clause in [start, limit): the last name in the nominative
        (a person first), else a role ("Beyaz Saray Sözcüsü,"), else None."""
        doc = self.doc
        names = [m for m in doc.names_in(start, limit) if _nominative(doc, m)]
        people = [m for m in names if m.label == "PER"]
        if people:
            return doc.speaker_of(people[-1])
        strong = [m for m in names if m.label == "ORG" and re.match(
            r"\s*(?:,|\s(?:da|de|ise|ayrıca)\b)", doc.folded[m.end:m.end + 8])]
        if strong:
            return doc.speaker_of(strong[-1])
        head = re.match(r"\s*([^,\"“”'‘’:;]{2,80}?)\s*,", doc.text[start:limit])
        if head:
            phrase = head.group(1).strip()
            words = phrase.split()
            if words and all(w[:1].isupper() for w in words):
                if _title_stem(words[-1], self.lex) in self.title_stems:
                    holder = doc.holder_of(phrase)
                    if holder:
                        return holder
                elif len(words) <= 3 and not self.statement.search(_fold(phrase)):
                    who = doc.bare_name(start + head.start(1), start + head.end(1))
                    if who is not None:
                        return who
        return self._org_reference(start, limit)

    def colon_speaker(self, start: int, limit: int, tracker: Tracker) -> Speaker | None:
        """Who a colon hands the next words to: 'Bakan Soylu'nun şu cümleleri …
        yer vermişti:' gives them to the genitive; a passive to the statement's author;
        otherwise the clause's subject."""
        doc = self.doc
        genitive = re.search(r"(\S+)['’´](?:n?[ıiuü]n)\s+(?:şu|şöyle|şunları)\b",
                             doc.folded[start:limit])
        if genitive:
            owners = [m for m in doc.names_in(start, start + genitive.end(1) + 6)
                      if _GENITIVE.search(m.text)]
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
        owners = [m for m in doc.names_in(start, limit) if _GENITIVE.search(m.text)
                  and self.statement.search(doc.folded, m.end, min(limit, m.end + 60))]
        if owners:
            return doc.speaker_of(owners[-1])
        org = self._org_reference(start, limit)
        if org:
            return org
        named = [m for m in doc.names_in(start, limit) if _nominative(doc, m)
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
        names = [m for m in doc.names_in(cue.end, limit + 1) if _nominative(doc, m)]
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
                  if _GENITIVE.search(m.text)]
        if before and q.outer_start - before[-1].end <= 3:
            self.quoted_third_person = True
            return self.doc.speaker_of(before[-1])
        return None

    def attribute(self, q: Quotation, seg: _Segment, tracker: Tracker
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

    def _subject_outside(self, seg: _Segment, q: Quotation) -> Speaker | None:
        """The subject named after the quotation ('"…" diye konuştu Tusk' is rare, but
        '"…" demişti Tekin' and block layouts are not)."""
        return self.subject(q.end + 1, seg.end)

    def clause_speaker(self, cue: Cue, seg: _Segment, tracker: Tracker) -> Speaker | None:
        """The speaker of a reporting verb outside quotations (for the tracker and for
        reported speech)."""
        if cue.kind == "participle":
            return self.participle_head(cue, seg.end)
        if cue.kind == "passive":
            return self.statement_author(seg.start, cue.start, tracker)
        return self.subject(seg.start, cue.start)


# -- English ------------------------------------------------------------------------------
class EnglishAttribution:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lex = doc.lex
        self.human_roles = {t.split()[-1].lower() for t in self.lex.titles} | \
            self.lex.words("quotes.human_nouns")
        self.before_verb = self.lex.words("quotes.before_verb")
        self.prepositions = self.lex.words("quotes.prepositions")

    def resolve_phrase(self, start: int, end: int, tracker: Tracker,
                       before: bool = True) -> Speaker | None:
        """The speaker a noun phrase names: a pronoun, a name, a role, an organisation."""
        doc = self.doc
        phrase = doc.text[start:end].strip(" ,")
        words = phrase.split()
        if not words:
            return None
        low = [w.lower().strip(",.") for w in words]
        if low[-1] in self.lex.person_pronouns or low[0] in self.lex.person_pronouns:
            return tracker.last_person or tracker.last
        if low[-1] in self.lex.group_pronouns:
            return tracker.last
        head = low[-1]
        if self._human_head(head):
            names = [m for m in doc.names_in(start, end + 1, ("PER",))
                     if not re.search(r"[’']s$", m.text)]
            if names:
                return doc.speaker_of(names[-1])
            role = re.sub(r"^(?:the|its|his|her|a|an)\s+", "", phrase, flags=re.IGNORECASE)
            return doc.holder_of(role.title()) or doc.holder_of(role) or \
                tracker.last_person or tracker.last
        names = [m for m in doc.names_in(start, end + 1, ("PER", "ORG", "LOC"))]
        people = [m for m in names if m.label == "PER"]
        if people:
            return doc.speaker_of(people[0])
        if names and len(words) <= 6:
            return doc.speaker_of(names[-1])
        if head in doc.lex.org_references:
            return doc.organisation(head, start) or Speaker(re.sub(
                r"^(?:the|its|a)\s+", "", phrase, flags=re.IGNORECASE), None, "ORG")
        capitalised = [w for w in words if w[:1].isupper() and w.lower() not in ("the", "a")]
        if capitalised and len(words) <= 5 and low[0] in ("the", capitalised[0].lower()):
            name = " ".join(w.strip(",.") for w in words if w.lower() != "the")
            return Speaker(doc.people.full_name(name) or name, None,
                           "PER" if doc.people.full_name(name) else "ORG")
        return None

    def np_before(self, cue: Cue, seg: _Segment, tracker: Tracker) -> Speaker | None:
        """The subject of a reporting verb: the phrase right before it, skipping
        adverbs and auxiliaries; past an appositive (", who heads …,") the sentence's
        first name."""
        doc = self.doc
        end = cue.start
        words = list(re.finditer(r"\S+", doc.text[seg.start:end]))
        while words and words[-1].group().lower().strip(",") in self.before_verb \
                and not words[-1].group().endswith(","):
            words.pop()
        if not words:
            return None
        if words[-1].group().endswith((",", "”", "\"", "’", "'")):
            return self.sentence_subject(seg, end, tracker)
        # The phrase: back to a comma, a quotation, a verb-like lower-case word.
        phrase: list[re.Match[str]] = []
        for w in reversed(words):
            token = w.group()
            if token.endswith((",", ";", ":", "\"", "”", "’")) and phrase:
                break
            if token[:1].islower() and token.lower() not in ("the", "its", "his", "her",
                                                              "a", "an", "of", "de", "von",
                                                              "der", "al", "bin", "and") \
                    and token.lower().strip(",") not in self.lex.person_pronouns | \
                    self.lex.group_pronouns and not self._role_word(token) and phrase:
                break
            phrase.insert(0, w)
            if len(phrase) >= 9:
                break
        if not phrase:
            return None
        start = seg.start + phrase[0].start()
        stop = seg.start + phrase[-1].end()
        who = self.resolve_phrase(start, stop, tracker)
        if who is None:
            return self.sentence_subject(seg, end, tracker)
        return who

    def _human_head(self, word: str) -> bool:
        """A noun for a person holding a role: "spokeswoman", "minister", "diplomat"."""
        word = word.lower().strip(",.")
        return word in self.human_roles or word.endswith(("man", "woman", "person"))

    def _role_word(self, token: str) -> bool:
        low = token.lower().strip(",.’'s")
        return low in self.human_roles or low in self.lex.org_references or "’s" in token

    def sentence_subject(self, seg: _Segment, end: int, tracker: Tracker) -> Speaker | None:
        """The first name of the sentence that is not inside a prepositional phrase."""
        doc = self.doc
        for m in doc.names_in(seg.start, end, ("PER", "ORG", "LOC")):
            before = doc.folded[max(seg.start, m.start - 25):m.start].split()
            if before and before[-1].strip(",") in self.prepositions:
                continue
            return doc.speaker_of(m)
        first = re.match(r"\s*(he|she|it|they)\b", doc.folded[seg.start:end])
        if first:
            return tracker.last_person if first.group(1) in ("he", "she") else tracker.last
        return None

    def np_after(self, cue: Cue, seg: _Segment, tracker: Tracker) -> Speaker | None:
        """ "…, said Qin", "said Health Minister Fahrettin Koca on Twitter"."""
        doc = self.doc
        rest = doc.text[cue.end:seg.end]
        m = re.match(r"\s+((?:the\s+|its\s+)?(?:[a-z-]+\s+){0,3}?[A-Z][^,.;:\"“”]{0,80}?)"
                     r"(?=\s+(?:on|in|at|after|"
                     r"during|via|as|who|when|while|adding|saying|told|in)\b|[,.;:]|\s*$)",
                     rest)
        if not m:
            m = re.match(r"\s+((?:the|its)\s+[^,.;:\"“”]{2,60}?)(?=\s+(?:on|in|at|after|"
                         r"during|via|as|who)\b|[,.;:]|\s*$)", rest)
        if not m:
            return None
        return self.resolve_phrase(cue.end + m.start(1), cue.end + m.end(1), tracker,
                                   before=False)

    def cue_speaker(self, cue: Cue, seg: _Segment, tracker: Tracker,
                    inverted: bool = False) -> Speaker | None:
        doc = self.doc
        if cue.lemma == "according to":
            return self.np_after(cue, seg, tracker)
        if cue.kind == "participle":
            # "…, adding that …": the subject of the clause it hangs on.
            earlier = [c for c in doc.cues_in(seg.start, cue.start) if c.kind == "finite"]
            if earlier:
                return self.cue_speaker(earlier[-1], seg, tracker)
            return self.sentence_subject(seg, cue.start, tracker) or tracker.last
        quoted_as = re.match(r"\s+(?:as\s+saying|as\s+telling)", doc.folded[cue.end:cue.end + 20])
        if cue.text.lower() in self.lex.quoted_as:
            m = re.match(r"\s+(.{2,60}?)\s+as\s+(?:saying|telling)", doc.text[cue.end:seg.end])
            if m:
                return self.resolve_phrase(cue.end + m.start(1), cue.end + m.end(1), tracker)
        if quoted_as:
            return None
        if inverted:
            return self.np_after(cue, seg, tracker) or self.np_before(cue, seg, tracker)
        return self.np_before(cue, seg, tracker) or self.np_after(cue, seg, tracker)

    def attribute(self, q: Quotation, seg: _Segment, tracker: Tracker
                  ) -> tuple[Speaker | None, Cue | None, bool]:
        doc = self.doc
        close = q.end + (len(q.close_mark) if q.close_mark else 0)
        after_cues = [c for c in doc.cues_in(close, seg.end)
                      if not any(o.outer_start > close and o.outer_start < c.start
                                 for o in doc.outer)]
        before_cues = doc.cues_in(seg.start, q.outer_start)
        # '"…," X said' / '"…," said X' / '"…," Qatar News Agency quoted X as saying'
        if after_cues:
            cue = after_cues[0]
            between = doc.text[close:cue.start]
            if len(between.split()) <= 9 and not re.search(r"[.!?]\s", between):
                inverted = not between.strip(" ,")
                who = self.cue_speaker(cue, seg, tracker, inverted=inverted)
                if who is None and inverted:
                    who = self.np_after(cue, seg, tracker)
                if who is not None:
                    return who, cue, True
        # 'X said: "…"', 'X added, "…"', 'X said the plan was "…"'
        if before_cues:
            cue = before_cues[-1]
            return self.cue_speaker(cue, seg, tracker), cue, True
        if after_cues:
            cue = after_cues[0]
            return self.cue_speaker(cue, seg, tracker), cue, True
        return None, None, False


# -- the pass over a document ------------------------------------------------------------
def extract_quotes(text: str, mentions: list[Mention], lang: str,
                   sentence_spans: list[tuple[int, int]] | None = None,
                   folded: str | None = None, people: PersonIndex | None = None
                   ) -> list[Quote]:
    """Direct quotations (every one, with its speaker) and reported speech.
    ``sentence_spans``: stanza's sentences (else split by punctuation); ``folded``: the
    text case-folded (else folded here); ``people``: the entity layer's person index."""
    doc = Document(text, mentions, lang, sentence_spans, folded, people)
    found = _attribute_document(doc)
    found += reported_speech(doc)
    return sorted(found, key=lambda q: (q.start, q.kind))


def _attribute_document(doc: Document) -> list[Quote]:
    rules = TurkishAttribution(doc) if doc.lang == "tr" else EnglishAttribution(doc)
    tracker = Tracker()
    quotes: list[Quote] = []
    deferred = _Subheadings()
    by_paragraph_last: dict[int, Speaker | None] = {}
    for seg in doc.segments:
        paragraph = doc.paragraph_of(seg.start)
        if tracker.colon is not None and paragraph > tracker.colon_paragraph + 1 \
                and not any(q.whole or q.continued for q in seg.quotations):
            tracker.colon = None
        _note_statement(doc, rules, seg, tracker)
        for q in sorted(seg.quotations, key=lambda q: (q.depth, q.start)):
            if q.depth > 0 and not doc.lex.nested_quotes:
                continue
            inner = doc.text[q.start:q.end]
            inner_start, inner_end = q.start, q.end
            speaker: Speaker | None = None
            cue: Cue | None = None
            if q.continued:
                speaker = by_paragraph_last.get(q.paragraph - 1) or tracker.last
                if speaker is None:
                    speaker = _previous_block_speaker(quotes, q)
            elif q.whole and q.lead:
                speaker = _lead_speaker(doc, rules, q, tracker)
            elif q.whole and tracker.colon is not None and not _has_own_cue(doc, rules, q, seg):
                speaker = tracker.colon
            elif q.whole and not _has_own_cue(doc, rules, q, seg):
                if doc.lang == "tr" and _looks_like_subheading(inner):
                    quote = _quote(inner, inner_start, inner_end, None, None, seg)
                    quotes.append(quote)
                    deferred.close()
                    deferred.add(quote)
                    continue
                speaker = tracker.last_quoted or tracker.last
            else:
                if _name_like(inner, doc.lex):
                    continue  # "Global Conversation", ‘KAIROS’: a name in quotation marks
                speaker, cue, found = rules.attribute(q, seg, tracker)
                if doc.lang == "tr" and len(inner.split()) == 1 and (
                        cue is None or len(doc.text[q.end:cue.start].split()) > 2):
                    continue  # "birlik": a single word in quotation marks, no speech
                if not found:
                    if not _speech_like(inner) or len(inner.split()) < 4:
                        continue  # a term in quotation marks
                    speaker = tracker.colon or tracker.last_quoted or tracker.last
                elif speaker is None:
                    speaker = tracker.last_person if cue is not None and cue.kind != \
                        "passive" else tracker.last
                    if cue is not None and cue.kind == "passive":
                        speaker = tracker.issuer or tracker.last
                if cue is None and not _speech_like(inner) and q.depth == 0 and not q.whole:
                    continue
            quote = _quote(inner, inner_start, inner_end, speaker, cue, seg)
            quotes.append(quote)
            if speaker is not None and q.depth == 0:
                deferred.heard(quote, speaker, getattr(rules, "quoted_third_person", False))
                tracker.spoke(speaker)
                tracker.last_quoted = speaker
                by_paragraph_last[q.paragraph] = speaker
        _note_cues(doc, rules, seg, tracker)
    deferred.close(tracker.last)
    return quotes


class _Subheadings:
    """Quote subheadings waiting for the speaker of the section they head: the speaker of
    the section's quotation they condense (most of their words in it), else of its
    first quotation that is not someone else's words quoted ("X'in "…" sözleri")."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Quote, set[str], Speaker | None]] = []

    def add(self, quote: Quote) -> None:
        self.waiting.append((quote, _content_words(quote.quote), None))

    def heard(self, quote: Quote, speaker: Speaker, third_person: bool) -> None:
        words = _content_words(quote.quote)
        still: list[tuple[Quote, set[str], Speaker | None]] = []
        for sub, sub_words, candidate in self.waiting:
            if sub_words and len(sub_words & words) >= 0.5 * len(sub_words):
                sub.speaker, sub.speaker_role = speaker.name, speaker.role
                continue
            if candidate is None and not third_person:
                candidate = speaker
            still.append((sub, sub_words, candidate))
        self.waiting = still

    def close(self, fallback: Speaker | None = None) -> None:
        for sub, _words, candidate in self.waiting:
            chosen = candidate or fallback
            if chosen is not None and sub.speaker is None:
                sub.speaker, sub.speaker_role = chosen.name, chosen.role
        self.waiting = []


def _content_words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"\w+", _fold(text)) if len(w) > 3}


def _quote(inner: str, start: int, end: int, speaker: Speaker | None, cue: Cue | None,
           seg: _Segment) -> Quote:
    return Quote(inner, start, end, speaker.name if speaker else None,
                 speaker.role if speaker else None, cue.lemma if cue else None,
                 cue.text if cue else None, "direct", seg.start)


def _previous_block_speaker(quotes: list[Quote], q: Quotation) -> Speaker | None:
    for earlier in reversed(quotes):
        if earlier.speaker:
            return Speaker(earlier.speaker, earlier.speaker_role)
    return None


def _has_own_cue(doc: Document, rules, q: Quotation, seg: _Segment) -> bool:
    """A whole-paragraph quotation inside a sentence laid out over paragraphs."""
    return seg.start < q.outer_start - 1 or seg.end > q.end + 2


def _lead_speaker(doc: Document, rules, q: Quotation, tracker: Tracker) -> Speaker | None:
    """ 'Ban: "…"' (a subheading or spot): the name before the colon."""
    p_start = doc.paragraphs[q.paragraph][0]
    names = doc.names_in(p_start, q.outer_start)
    people = [m for m in names if m.label == "PER"]
    if people:
        return doc.speaker_of(people[-1])
    if names:
        return doc.speaker_of(names[-1])
    lead = (q.lead or "").split()
    if lead:
        full = doc.people.full_name(strip_suffix(lead[-1]))
        if full:
            return Speaker(full, doc.roles.get(full))
        holder = doc.holder_of(q.lead or "")
        if holder:
            return holder
    return tracker.last


def _attribution_inside(doc: Document, q: Quotation) -> int | None:
    """An unclosed quotation that ends in its own attribution ('"… source, said Health
    Minister Fahrettin Koca on Twitter.'): where the quoted words stop."""
    if doc.lang != "en":
        return None
    inner = doc.text[q.start:q.end]
    verbs = "|".join(form for form, lemma in doc.lex.verbs.items()
                     if lemma in ("say", "tell", "add") and not form.endswith("ing"))
    pronouns = "|".join(doc.lex.person_pronouns)
    m = re.search(rf",\s+(?:{verbs})\s+[A-Z][^\"“”]{{2,80}}$|,\s+(?:{pronouns}|[A-Z]\w+)"
                  rf"\s+(?:{verbs})\.?\s*$", inner)
    return q.start + m.start() + 1 if m else None


def _note_statement(doc: Document, rules, seg: _Segment, tracker: Tracker) -> None:
    """ "İçişleri Bakanlığı, … açıklama yaptı": the article reports its statement."""
    if doc.lang != "tr":
        return
    text = doc.folded[seg.start:seg.end]
    if not any(re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, words.split())), text)
               for words in doc.lex.words("quotes.statement_made")):
        return
    first_quote = min((q.outer_start for q in seg.quotations), default=seg.end)
    author = rules.subject(seg.start, first_quote)
    if author is not None:
        tracker.issuer = author


def _note_cues(doc: Document, rules, seg: _Segment, tracker: Tracker) -> None:
    """Reporting verbs outside quotations tell the tracker who is speaking now, and a
    cue before a colon at the paragraph's end hands the next paragraph to its speaker."""
    cues = [c for c in doc.cues_in(seg.start, seg.end)]
    p_end = doc.paragraphs[doc.paragraph_of(seg.start)][1]
    tail = doc.text[seg.start:seg.end].rstrip()
    colon = tail.endswith((":", ";")) and seg.end >= p_end - 1
    if colon:
        if doc.lang == "tr":
            who = rules.colon_speaker(seg.start, seg.end, tracker)
        else:
            cue = cues[-1] if cues else None
            who = rules.cue_speaker(cue, seg, tracker) if cue else None
        tracker.colon = who or tracker.last
        tracker.colon_paragraph = doc.paragraph_of(seg.start)
    if seg.quotations:
        return
    for cue in cues:
        if doc.lang == "tr":
            who = rules.clause_speaker(cue, seg, tracker)
        else:
            who = rules.cue_speaker(cue, seg, tracker)
        if who is not None and who.label == "PER":
            tracker.spoke(who)
        elif who is not None:
            tracker.last = who


# -- reported speech ------------------------------------------------------------------------
# A reported clause ends in a nominalised verb in the accusative (-DIğInI, -AcAğInI,
# -mAsInI, -mAyI ...) or is a noun phrase before "... çağrısında bulundu".
TR_COMPLEMENT = re.compile(
    r"(?:ğ[ıiuü]n[ıiuü]|ğ[ıiuü]|k[ıiuü]n[ıiuü]|kl[ae]r[ıi]n[ıi]|m[ae]s[ıi]n[ıi]|m[ae]y[ıi]|"
    r"s[ıiuü]n[ıiuü]|n[ıiuü]|y[ıiuü]|l[ae]r[ıi]n[ıi]|m[ae]k|m[ae]s[ıi])['’]?\w*[,]?$")
TR_VERDIGI = re.compile(r"(?P<who>[^,.;]+?)['’](?:in|ın|un|ün|nin|nın|nun|nün)\s+verdiği\s+"
                        r"bilgi(?:ye|lere)\s+göre,?\s*")
_EN_SUBJECT_START = re.compile(r"^\s+(?:that\s+)?(?!(?:on|in|at|during|after|before|with|from|"
                               r"to|via|by|for|about|as|and|but|or|so|if|when|while)\b)"
                               r"(?=[\w$£€])")
_EN_LISTENER = re.compile(r"^\s+(?:reporters|journalists|analysts|lawmakers|parliament|"
                          r"investors|the\s+\w+|[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*|"
                          r"an?(?:\s+[\w-]+){0,3}?\s+(?:conference|briefing|meeting|hearing|"
                          r"summit|interview|gathering|forum|session))\b")
_EN_INVERSION = re.compile(r"^\s+(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*\s*(?:,|\.|$)")
_EN_LEADING_ADJUNCT = re.compile(r"^\s+(?:on|in|at|during|after|before|with|from|to|via)\b")
_EN_REPORTED_LEMMAS = {"say", "tell", "add", "warn", "stress", "note", "argue", "insist",
                       "explain", "announce", "write", "tweet", "acknowledge", "admit", "claim",
                       "caution", "urge", "predict", "estimate", "state", "declare", "deny",
                       "confirm", "suggest", "emphasise", "according to"}


def reported_speech(doc: Document) -> list[Quote]:
    """Indirect quotations: the clause a reporting verb governs ("…ele alacaklarını
    söyledi", "said the company had to adapt"), with the verb's speaker."""
    rules = TurkishAttribution(doc) if doc.lang == "tr" else EnglishAttribution(doc)
    tracker = Tracker()
    found: list[Quote] = []
    for seg in doc.segments:
        if doc.lang == "tr":
            found += _reported_tr(doc, rules, seg, tracker)
        else:
            found += _reported_en(doc, rules, seg, tracker)
    return found


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


def _masked(doc: Document, seg: _Segment) -> str:
    sentence = doc.text[seg.start:seg.end]
    for q in seg.quotations:
        s = max(q.outer_start, seg.start) - seg.start
        e = min(q.end + (len(q.close_mark) if q.close_mark else 0), seg.end) - seg.start
        if e > s:
            sentence = sentence[:s] + " " * (e - s) + sentence[e:]
    return sentence


def _reported_tr(doc: Document, rules: TurkishAttribution, seg: _Segment,
                 tracker: Tracker) -> list[Quote]:
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
        head_word = re.sub(r"\s+(?:da|de|ise|ayrıca|bir kez daha|yeniden)$", "", clause)
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


def _reported_en(doc: Document, rules: EnglishAttribution, seg: _Segment,
                 tracker: Tracker) -> list[Quote]:
    masked = _masked(doc, seg)
    out: list[Quote] = []
    cues = [c for c in doc.cues_in(seg.start, seg.end) if c.lemma in _EN_REPORTED_LEMMAS]
    for clause_start, clause_end, cue_at in _en_reported(masked, doc.lex):
        clause = doc.text[seg.start + clause_start:seg.start + clause_end].strip(" ,.")
        if len(clause.split()) < 4:
            continue
        cue = min(cues, key=lambda c: abs(c.start - (seg.start + cue_at)), default=None)
        speaker = (rules.cue_speaker(cue, seg, tracker) if cue else None) or tracker.last
        pos = doc.text.index(clause, seg.start + clause_start)
        out.append(Quote(clause, pos, pos + len(clause), speaker.name if speaker else None,
                         speaker.role if speaker else None, cue.lemma if cue else None,
                         cue.text if cue else None, "indirect", seg.start))
        tracker.spoke(speaker)
    return out


def _en_reported(sentence: str, lex: Lexicon) -> list[tuple[int, int, int]]:
    """(clause start, clause end, cue position) of reported clauses in a sentence whose
    quotations are blanked out."""
    found: list[tuple[int, int, int]] = []
    for m in lex.cue_pattern.finditer(sentence):
        cue = m.group()
        if lex.verbs.get(cue) not in _EN_REPORTED_LEMMAS or cue == "according to":
            continue
        rest = sentence[m.end():]
        after_cue = m.end()
        if lex.verbs.get(cue) == "tell":
            listener = _EN_LISTENER.match(rest)  # "told reporters", "told a news conference"
            if listener:
                after_cue += listener.end()
                rest = sentence[after_cue:]
        elif _EN_INVERSION.match(rest) and not re.match(r"^\s+that\b", rest):
            continue  # '"...," said Daniel Okafor, an analyst'
        start = None
        if _EN_LEADING_ADJUNCT.match(rest) or not _EN_SUBJECT_START.match(rest):
            that = re.search(r"\bthat\s+", rest[:120])
            day = re.match(r"^\s+(?:on|in)\s+(?:\w+day|a\s+statement|\w+)\s+(?=\S)", rest)
            if that and "," not in rest[:that.start()]:
                start = after_cue + that.end()
            elif day and _EN_SUBJECT_START.match(" " + rest[day.end():]):
                start = after_cue + day.end()
        else:
            lead = _EN_SUBJECT_START.match(rest)
            start = after_cue + (lead.end() if lead else 0)
            start += len(sentence[start:]) - len(sentence[start:].lstrip())
        if start is None:
            continue
        clause = sentence[start:]
        cut = re.search(r",\s+(?:adding|saying|warning|according)\b|[.;:](?:\s|$)|\s{3,}",
                        clause)
        end = start + (cut.start() if cut else len(clause.rstrip()))
        if end - start >= 12:
            found.append((start, end, m.start()))
    lead = len(sentence) - len(sentence.lstrip())
    speaker_phrase = (r"(?:(?:[A-Z][\w'’.&-]*\s+){1,7}|(?:the|its)\s+(?:[\w'’-]+\s+){0,3}?"
                      r"[\w-]+\s+|(?:he|she|they)\s+)")
    m = re.match(rf"^(?P<clause>[^\"“”]{{12,}}?),\s+(?:{speaker_phrase}"
                 rf"(?P<cue>said|says|told)|(?P<according>according\s+to))\b",
                 sentence.strip())
    if m and not lex.cue_pattern.search(m.group("clause")):
        cue_at = m.start("cue") if m.group("cue") else m.start("according")
        found.append((lead + m.start("clause"), lead + m.end("clause"), lead + cue_at))
    for m in re.finditer(r",\s+(?P<cue>adding|saying|warning)(?:\s+that)?\s+"
                         r"(?P<clause>[^.;\"“”]{12,})", sentence):
        found.append((m.start("clause"), m.end("clause"), m.start("cue")))
    return _dedupe(found)


def _dedupe(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, int]] = []
    for span in spans:
        if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
            kept.append(span)
    return kept
