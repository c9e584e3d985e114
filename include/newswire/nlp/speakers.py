"""The quote layer's view of an article: its quotations, sentences, reporting cues and
names (``Document``), who has spoken so far (``Tracker``), and the records the layer
produces (``Quote``, ``Speaker``, ``Cue``). The rules that find a speaker for a quotation
are per language (``speech_tr``, ``speech_en``); ``quotes`` runs them over a document.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from newswire.nlp.entities import (
    Mention,
    PersonIndex,
    honorific_after,
    strip_honorifics_after,
    strip_suffix,
)
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
class Segment:
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
        self._paragraph_starts = [s for s, _ in self.paragraphs]
        self.quotations = find_quotations(text, nested=True)
        self.outer = [q for q in self.quotations if q.depth == 0]
        for q in self.outer:
            cut = _attribution_inside(self, q) if q.close_mark is None else None
            if cut is not None:  # '"… source, said Health Minister X on Twitter.'
                q.end = cut - len(text[:cut]) + len(text[:cut].rstrip())
                q.whole = False
        # offset -> whether it lies in a quotation, asked for each name again and again
        # (the quotations are final from here on).
        self._inside: dict[int, bool] = {}
        self.segments = self._segments(sentence_spans or sentences(text))
        self.cues = self._cues()

    # segments -------------------------------------------------------------------------
    def paragraph_of(self, offset: int) -> int:
        """The paragraph holding ``offset`` (the last one for an offset between
        paragraphs). Paragraphs are disjoint and in text order: a binary search."""
        i = bisect.bisect_right(self._paragraph_starts, offset) - 1
        if i >= 0 and offset <= self.paragraphs[i][1]:
            return i
        return len(self.paragraphs) - 1

    def _segments(self, spans: list[tuple[int, int]]) -> list[Segment]:
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
        segments = [Segment(s, e) for s, e in merged]
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
        inside = self._inside.get(offset)
        if inside is None:
            inside = self._inside[offset] = any(q.outer_start <= offset < q.end + 1
                                                for q in self.outer)
        return inside

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
        name = strip_honorifics_after(" ".join(run), self.lex)
        full = self.people.full_name(name)
        if full is None:
            last = name.split()[-1]
            longer = [m.canonical for m in self.names if m.canonical.split()[-1] == last
                      and len(m.canonical.split()) > len(name.split())]
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
        words = [title_stem(w, self.lex) for w in role.split()]
        if not words:
            return None
        best: tuple[int, str] | None = None
        for name, held in self.roles.items():
            held_words = [title_stem(w, self.lex) for w in held.split()]
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
                and fold(m.canonical.split()[-1]) == fold(head)]
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


def fold(text: str) -> str:
    return text.replace("İ", "i").replace("I", "ı").casefold()


def title_stem(word: str, lex: Lexicon) -> str:
    """ "Sekreteri" -> "sekreter", "Bakanı" -> "bakan", "spokeswoman" -> "spokeswoman":
    a title with or without the Turkish compound ending."""
    word = fold(strip_suffix(word.strip(",.;:()")))
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
    # English: the last one to report something, in quotation marks or not ('X says
    # vaccination is essential.' / '"We are looking at …"': the quotation goes on with X).
    last_reporter: Speaker | None = None
    # English: the person the sentences since anyone last spoke are about (a name at the
    # head of a subject: 'Hartmann, a Belgian, read out a message.' / '"…," he said.').
    subject: Speaker | None = None
    subject_paragraph: int = -1
    issuer: Speaker | None = None
    colon: Speaker | None = None
    colon_paragraph: int = -1

    def spoke(self, speaker: Speaker | None) -> None:
        if speaker is None:
            return
        self.last = speaker
        self.subject = None
        if speaker.label == "PER":
            self.last_person = speaker

    def about(self, person: Speaker | None, paragraph: int) -> None:
        """A sentence with no speech in it is about ``person`` (its subject)."""
        if person is not None:
            self.subject, self.subject_paragraph = person, paragraph

    def person(self, paragraph: int) -> Speaker | None:
        """Who "he" or "she" in ``paragraph`` means: the person named as a subject since
        anyone last spoke, in this paragraph or the one before; else the last person who
        spoke."""
        if self.subject is not None and self.subject_paragraph >= paragraph - 1:
            return self.subject
        return self.last_person or self.last


# -- shared helpers -----------------------------------------------------------------------
GENITIVE = re.compile(r"[’'´](?:n?[ıiuü]n)$")
_CASE_SUFFIXED = re.compile(r"[’'´](?![A-ZÇĞİÖŞÜ][a-zçğıöşü])\w+$")  # not "O'Brien"
_BARE_GENITIVE = re.compile(r"n?[ıiuü]n$")


def genitive(doc: Document, m: Mention) -> bool:
    """A name in the genitive: "Erdoğan'ın", or after an honorific written with no
    apostrophe ("Kaymakam Arif Beyin", "Mustafa Kemal Paşanın")."""
    return bool(GENITIVE.search(m.text)) or _bare_case(doc, m, _BARE_GENITIVE)


def _bare_case(doc: Document, m: Mention, ending: re.Pattern[str]) -> bool:
    words = m.text.split()
    if not words or len(words) < 2:
        return False
    honorific = honorific_after(words[-1], doc.lex)
    return honorific not in (None, words[-1]) and bool(
        ending.fullmatch(words[-1][len(honorific):]))


def nominative(doc: Document, m: Mention) -> bool:
    """A name not in an oblique case: no case suffix, not before a postposition, not the
    modifier of a noun that owns it ("Biden yönetiminin", "X ile Y arasındaki")."""
    if _CASE_SUFFIXED.search(m.text) and not re.search(r"[’'´]s$", m.text):
        return False
    if _bare_case(doc, m, re.compile(r"\w+")):
        return False  # "Arif Beyin", "Paşaya"
    after = doc.folded[m.end:m.end + 30].split()
    if not after:
        return True
    return not (after[0] in doc.lex.words("quotes.postpositions")
                or _possessed_head(doc.lex).match(after[0].strip(",.;:")))


@functools.cache
def _possessed_head(lex: Lexicon) -> re.Pattern[str]:
    """A noun with a possessive and a case ending ("yönetiminin", "döneminde",
    "arasındaki") from the lexicon's ``quotes.name_heads``. The bare possessive
    ("hükümeti") is left out: it reads as an object too ("X hükümeti eleştirdi")."""
    heads = "|".join(map(re.escape, sorted(lex.words("quotes.name_heads"), key=len,
                                           reverse=True)))
    if not heads:
        return re.compile(r"(?!)")
    return re.compile(rf"(?:{heads})(?:s?[ıiuü]|l[ae]r[ıi])"
                      rf"(?:n[ıiuü]n|n[ae]|n[ıiuü]|nd[ae]|nd[ae]n|yl[ae])(?:ki)?$")


def speech_like(text: str) -> bool:
    """A quotation that reads as words said rather than a name or a term: several words,
    not all of them capitalised."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    if len(words) < 2:
        return False
    capitalised = sum(1 for w in words if w[:1].isupper())
    # "Global Conversation", "Caspian Policy Center": a name, not words said.
    return not (capitalised == len(words) and len(words) <= 6 and not text.isupper())


def name_like(text: str, lex: Lexicon) -> bool:
    """A name or a title in quotation marks: every word that is not a function word is
    capitalised ("Measures for Administering the Release of News", ‘KAIROS’)."""
    function_words = lex.words("quotes.function_words")
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if w.lower() not in function_words]
    if not words or len(words) > 16:
        return False
    if len(words) <= 3 and re.search(r"[.!?…]\s*$", text):
        return False  # "Hazırız.": a short sentence said
    return all(w[:1].isupper() for w in words)


def looks_like_subheading(text: str) -> bool:
    words = text.split()
    return len(words) <= 14 and (text.isupper() or not re.search(r"[.!?…]$", text.strip()))


def _attribution_inside(doc: Document, q: Quotation) -> int | None:
    """An unclosed quotation that ends in its own attribution ('"… source, said Health
    Minister Fahrettin Koca on Twitter.'): where the quoted words stop."""
    if doc.lang != "en":
        return None
    m = _attribution_at_end(doc.lex).search(doc.text[q.start:q.end])
    return q.start + m.start() + 1 if m else None


@functools.cache
def _attribution_at_end(lex: Lexicon) -> re.Pattern[str]:
    """ ", said Health Minister X on Twitter.", ", he said." at a quotation's end."""
    verbs = "|".join(form for form, lemma in lex.verbs.items()
                     if lemma in ("say", "tell", "add") and not form.endswith("ing"))
    pronouns = "|".join(lex.person_pronouns)
    return re.compile(rf",\s+(?:{verbs})\s+[A-Z][^\"“”]{{2,80}}$|,\s+(?:{pronouns}|[A-Z]\w+)"
                      rf"\s+(?:{verbs})\.?\s*$")


@functools.cache
def phrase_pattern(phrases: frozenset[str]) -> re.Pattern[str]:
    """Any of ``phrases`` (a lexicon list) in folded text, not inside a word, any spaces
    between its words: one pattern per list, compiled once."""
    alternatives = [r"\s+".join(map(re.escape, p.split())) for p in phrases]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")") if alternatives \
        else re.compile(r"(?!)")


def masked(doc: Document, seg: Segment) -> str:
    sentence = doc.text[seg.start:seg.end]
    for q in seg.quotations:
        s = max(q.outer_start, seg.start) - seg.start
        e = min(q.end + (len(q.close_mark) if q.close_mark else 0), seg.end) - seg.start
        if e > s:
            sentence = sentence[:s] + " " * (e - s) + sentence[e:]
    return sentence
