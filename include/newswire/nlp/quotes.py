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

from newswire.nlp.entities import Mention, PersonIndex, strip_suffix
from newswire.nlp.marks import Quotation
from newswire.nlp.speakers import (
    Cue,
    Document,
    Quote,
    Segment,
    Speaker,
    Tracker,
    fold,
    looks_like_subheading,
    name_like,
    nominative,
    phrase_pattern,
    sentences,
    speech_like,
)
from newswire.nlp.speech_en import EnglishAttribution, reported_en
from newswire.nlp.speech_tr import TurkishAttribution, reported_tr

__all__ = ["Quote", "extract_quotes", "sentences"]


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
        own_speech = False  # words of a speaker of this sentence, not a third person's
        for q in sorted(seg.quotations, key=lambda q: (q.depth, q.start)):
            if q.depth > 0 and not doc.lex.nested_quotes:
                continue
            inner = doc.text[q.start:q.end]
            inner_start, inner_end = q.start, q.end
            speaker: Speaker | None = None
            cue: Cue | None = None
            third_person = False
            if q.continued:
                speaker = by_paragraph_last.get(q.paragraph - 1) or tracker.last
                if speaker is None:
                    speaker = _previous_block_speaker(quotes)
            elif q.whole and q.lead:
                speaker = _lead_speaker(doc, q, tracker)
            elif q.whole and tracker.colon is not None and not _has_own_cue(q, seg):
                speaker = tracker.colon
            elif q.whole and not _has_own_cue(q, seg):
                if doc.lang == "tr" and looks_like_subheading(inner):
                    own_speech = _wait_for_section(quotes, deferred, inner, q, seg)
                    continue
                speaker = tracker.last_reporter or tracker.last_quoted or tracker.last
                if speaker is None:
                    # A pull quote before anyone has spoken: the speaker of the section
                    # it heads, as for a quote subheading.
                    own_speech = _wait_for_section(quotes, deferred, inner, q, seg,
                                                   new_section=False)
                    continue
            else:
                if name_like(inner, doc.lex):
                    continue  # "Global Conversation", ‘KAIROS’: a name in quotation marks
                speaker, cue, found = rules.attribute(q, seg, tracker)
                third_person = rules.quoted_third_person
                if (found and speaker is None and cue is None and doc.lang == "tr"
                        and _in_subheading(doc, q)):
                    # 'Soyunma odasında "…" mesajı': a subheading naming words said; the
                    # speaker of the section it heads, as for a quote subheading.
                    own_speech = _wait_for_section(quotes, deferred, inner, q, seg)
                    continue
                if doc.lang == "tr" and len(inner.split()) == 1 and (
                        cue is None or len(doc.text[q.end:cue.start].split()) > 2):
                    continue  # "birlik": a single word in quotation marks, no speech
                if not found:
                    # A quotation that opens its sentence is words said, however short
                    # ('"…," X said. "Every week counts.'); one inside a sentence with no
                    # cue needs more words to be more than a term in quotation marks.
                    opens = not doc.text[seg.start:q.outer_start].strip() and \
                        re.search(r"[.!?…]\W*$", inner) and len(inner.split()) >= 2
                    if not opens and (not speech_like(inner) or len(inner.split()) < 4):
                        continue  # a term in quotation marks
                    speaker = (tracker.colon or _paragraph_subject(doc, q)
                               or tracker.last_reporter or tracker.last_quoted
                               or tracker.last)
                elif speaker is None and cue is not None and cue.kind == "passive":
                    speaker = tracker.issuer or tracker.last  # "Açıklamada, "…" denildi"
                elif speaker is None:
                    speaker = tracker.last
                if cue is None and not speech_like(inner) and q.depth == 0 and not q.whole:
                    continue
            if speaker is None and doc.lang == "tr":
                speaker = tracker.last_person or mentioned_person(doc, q.outer_start)
            quote = _quote(inner, inner_start, inner_end, speaker, cue, seg)
            quotes.append(quote)
            own_speech = own_speech or not third_person
            if speaker is not None and q.depth == 0:
                deferred.heard(quote, speaker, third_person)
                if third_person:
                    # "Karahan, Bauer'in "…" sözlerini hatırlattı": Bauer is quoted, not
                    # speaking; a later verb with no subject is still Karahan's.
                    continue
                tracker.spoke(speaker)
                tracker.last_quoted = speaker
                if doc.lang == "en":
                    tracker.last_reporter = speaker
                by_paragraph_last[q.paragraph] = speaker
        _note_cues(doc, rules, seg, tracker, spoken=own_speech)
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


def _wait_for_section(quotes: list[Quote], deferred: _Subheadings, inner: str,
                      q: Quotation, seg: Segment, new_section: bool = True) -> bool:
    """A quote subheading (or pull quote) waits for the speaker of the section it heads;
    ``new_section``: the subheading opens one (the ones before it take their fallback)."""
    quote = _quote(inner, q.start, q.end, None, None, seg)
    quotes.append(quote)
    if new_section:
        deferred.close()
    deferred.add(quote)
    return True


def _content_words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"\w+", fold(text)) if len(w) > 3}


def _quote(inner: str, start: int, end: int, speaker: Speaker | None, cue: Cue | None,
           seg: Segment) -> Quote:
    return Quote(inner, start, end, speaker.name if speaker else None,
                 speaker.role if speaker else None, cue.lemma if cue else None,
                 cue.text if cue else None, "direct", seg.start)


def _previous_block_speaker(quotes: list[Quote]) -> Speaker | None:
    for earlier in reversed(quotes):
        if earlier.speaker:
            return Speaker(earlier.speaker, earlier.speaker_role)
    return None


def _has_own_cue(q: Quotation, seg: Segment) -> bool:
    """A whole-paragraph quotation inside a sentence laid out over paragraphs."""
    return seg.start < q.outer_start - 1 or seg.end > q.end + 2


def _in_subheading(doc: Document, q: Quotation) -> bool:
    p_start, p_end = doc.paragraphs[q.paragraph]
    return looks_like_subheading(doc.text[p_start:p_end])


def _lead_speaker(doc: Document, q: Quotation, tracker: Tracker) -> Speaker | None:
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


def _note_statement(doc: Document, rules, seg: Segment, tracker: Tracker) -> None:
    """ "İçişleri Bakanlığı, … açıklama yaptı": the article reports its statement."""
    if doc.lang != "tr":
        return
    text = doc.folded[seg.start:seg.end]
    if not phrase_pattern(doc.lex.words("quotes.statement_made")).search(text):
        return
    first_quote = min((q.outer_start for q in seg.quotations), default=seg.end)
    author = rules.subject(seg.start, first_quote)
    if author is None:
        # "Sağlık Bakanlığı yazılı açıklama yaptı": an organisation in the nominative
        # with no comma after it is the subject too.
        named = [m for m in doc.names_in(seg.start, first_quote)
                 if m.label == "ORG" and nominative(doc, m)]
        author = doc.speaker_of(named[0]) if named else None
    if author is not None:
        tracker.issuer = author


def _note_cues(doc: Document, rules, seg: Segment, tracker: Tracker, spoken: bool) -> None:
    """Reporting verbs outside quotations tell the tracker who is speaking now, and a
    cue before a colon at the paragraph's end hands the next paragraph to its speaker.
    ``spoken``: the sentence held words said (not only a name or a term in marks, as in
    'Vali X, "Güvenli Okul" projesini tanıttı', which still names who the next
    sentences are about)."""
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
        if tracker.colon is None and doc.lang == "tr":
            tracker.colon = mentioned_person(doc, seg.end)
        tracker.colon_paragraph = doc.paragraph_of(seg.start)
    if spoken:
        return
    if doc.lang == "tr" and not cues:
        _note_subject(doc, seg, tracker)
    if doc.lang == "en" and not cues:
        tracker.about(rules.subject_person(seg), doc.paragraph_of(seg.start))
    reporting = doc.lex.words("quotes.reported_lemmas")
    for cue in cues:
        if doc.lang == "tr":
            who = rules.clause_speaker(cue, seg, tracker)
        else:
            who = rules.cue_speaker(cue, seg, tracker)
        if who is not None and who.label == "PER":
            tracker.spoke(who)
            if doc.lang == "en" and cue.lemma in reporting:
                # 'X says vaccination is essential.': X reports, in indirect speech.
                tracker.last_reporter = who
        elif who is not None:
            tracker.last = who


def _note_subject(doc: Document, seg: Segment, tracker: Tracker) -> None:
    """ "Yılmaz törene katıldı. Burada "…" değerlendirmesinde bulundu.": Turkish drops
    the subject that the sentence before named: a person in the nominative before the
    sentence's first comma ("X'i ziyaret eden Vali Y, bilgi verdi"), else one opening
    it (its first few words), is the one a later verb with no subject means."""
    joined = doc.lex.words("quotes.joining_particles")
    folded = doc.folded[seg.start:seg.end]
    # "Törende Vali X de bir konuşma yaptı": X joins the scene to speak, and speaks next.
    speaking = phrase_pattern(doc.lex.words("quotes.speech_events")).search(folded) is not None
    people = [m for m in doc.names_in(seg.start, seg.end)
              if m.label == "PER" and nominative(doc, m)
              # "Törene Vali X de katıldı": X joins the person the article is about.
              and (speaking or doc.folded[m.end:m.end + 6].split()[:1]
                   not in [[w] for w in joined])]
    first_comma = doc.text.find(",", seg.start, seg.end)
    subject = next((m for m in people if m.end == first_comma
                    and not doc.names_in(m.end, m.end + 3)), None)
    if subject is None:
        opening = seg.start + len(" ".join(doc.text[seg.start:seg.end].split()[:5]))
        subject = next((m for m in people if m.end <= opening), None)
    if subject is None:
        # "Okulları gezen Vali X öğrencilerle sohbet etti": the subject after a clause,
        # with no comma; the last person in the nominative.
        subject = people[-1] if people else None
    if subject is not None:
        tracker.spoke(doc.speaker_of(subject))


def _paragraph_subject(doc: Document, q: Quotation) -> Speaker | None:
    """ "Ekonomist Ali Kaya, faizler konusunda karamsar. "…"": words said with no cue
    after a sentence of their paragraph whose subject is a person are that person's
    (the last person in the nominative before them in the paragraph)."""
    if doc.lang != "tr":
        return None
    p_start = doc.paragraphs[q.paragraph][0]
    people = [m for m in doc.names_in(p_start, q.outer_start, ("PER",))
              if nominative(doc, m)]
    return doc.speaker_of(people[-1]) if people else None


def mentioned_person(doc: Document, offset: int) -> Speaker | None:
    """The last resort for words said with no subject anyone could find: the person
    last named before them in any case ("Vali X'in katılımıyla …", "X'e göre …"), else
    the first named after them in the same paragraph."""
    people = [m for m in doc.names_in(0, offset, ("PER",))]
    if people:
        return doc.speaker_of(people[-1])
    p_end = doc.paragraphs[doc.paragraph_of(offset)][1]
    later = doc.names_in(offset, p_end, ("PER",))
    return doc.speaker_of(later[0]) if later else None


def reported_speech(doc: Document) -> list[Quote]:
    """Indirect quotations: the clause a reporting verb governs ("…ele alacaklarını
    söyledi", "said the company had to adapt"), with the verb's speaker."""
    rules = TurkishAttribution(doc) if doc.lang == "tr" else EnglishAttribution(doc)
    tracker = Tracker()
    found: list[Quote] = []
    for seg in doc.segments:
        if doc.lang == "tr":
            found += reported_tr(doc, rules, seg, tracker)
        else:
            found += reported_en(doc, rules, seg, tracker)
            # As in the pass over quotations: a sentence with no reporting verb may name
            # who a later "he" or "she" means; one with a verb is someone speaking.
            if doc.cues_in(seg.start, seg.end) or seg.quotations:
                tracker.subject = None
            else:
                tracker.about(rules.subject_person(seg), doc.paragraph_of(seg.start))
    return found
