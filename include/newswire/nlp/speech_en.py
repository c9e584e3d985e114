"""English: who said a quotation, from the reporting verb next to it.

'"…," X said', '"…," said X', 'X said: "…"', 'X said the plan was "…"', '"…," the ministry
said', '"…," the agency quoted the foreign minister as saying': the verb's subject, a
pronoun (the last person who spoke), a role noun (the person holding it), a generic noun
for an organisation (the one named earlier); a participle ("…, adding that") takes the
subject of the clause it hangs on. Reported speech is the clause the verb governs.
"""

from __future__ import annotations

import functools
import re

from newswire.nlp.lexicon import Lexicon, lexicon
from newswire.nlp.marks import Quotation
from newswire.nlp.speakers import (
    Cue,
    Document,
    Quote,
    Segment,
    Speaker,
    Tracker,
    masked,
)


class EnglishAttribution:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.lex = doc.lex
        self.quoted_third_person = False  # kept for the shared pass; English has no such cue
        self.human_roles = {t.split()[-1].lower() for t in self.lex.titles} | \
            self.lex.words("quotes.human_nouns")
        self.before_verb = self.lex.words("quotes.before_verb")
        self.prepositions = self.lex.words("quotes.prepositions")
        self.name_owned = self.lex.words("quotes.name_owned") | set(self.lex.org_references)

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
            return tracker.person(doc.paragraph_of(start))
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

    def np_before(self, cue: Cue, seg: Segment, tracker: Tracker) -> Speaker | None:
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
        # The phrase began inside a name ("the Committee to Protect Journalists said"):
        # the whole name is the subject.
        start = min([start, *(m.start for m in doc.names if m.start < start < m.end
                              and m.end >= stop and m.start >= seg.start)])
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

    def sentence_subject(self, seg: Segment, end: int, tracker: Tracker) -> Speaker | None:
        """The first name of the sentence that is not inside a prepositional phrase."""
        doc = self.doc
        for m in doc.names_in(seg.start, end, ("PER", "ORG", "LOC")):
            before = doc.folded[max(seg.start, m.start - 25):m.start].split()
            if before and before[-1].strip(",") in self.prepositions:
                continue
            if m.label != "PER":
                # "Facebook CEO Mark Zuckerberg has acknowledged …": the organisation is
                # the person's role, the person the subject.
                holder = self._titled_person_after(m, end)
                if holder is not None:
                    return holder
            return doc.speaker_of(m)
        first = re.match(r"\s*(he|she|it|they)\b", doc.folded[seg.start:end])
        if first:
            if first.group(1) in ("he", "she"):
                return tracker.person(doc.paragraph_of(seg.start))
            return tracker.last
        return None

    def subject_person(self, seg: Segment) -> Speaker | None:
        """The person a sentence is about: a name at the head of its subject ('CEO Peter
        Vollmer appealed for patience.', 'During the visit, Hartmann, a Belgian, read out
        a message.'), not one in an object or a prepositional phrase ('Police questioned
        X.', 'The court heard from X.') nor an owner ("X's lawyers argued")."""
        doc = self.doc
        if not re.search(r"[.!?…][\"”’)]*\s*$", doc.text[seg.start:seg.end]):
            return None  # a heading ("Reaching Riverwood"), not a sentence about someone
        text = masked(doc, seg)
        start = 0
        # An opening phrase up to a comma with no person in it ("During his press
        # conference,", "On Monday,", "The coach,"): the subject comes after it.
        opener = re.match(r"\s*[^,]{2,80}?,\s*", text)
        if opener and not doc.names_in(seg.start, seg.start + opener.end(), ("PER",)):
            start = opener.end()
        for m in doc.names_in(seg.start + start, seg.end, ("PER", "ORG", "LOC")):
            head = text[start:m.start - seg.start].split()
            if len(head) > 6 or not all(self._subject_modifier(w) for w in head):
                return None
            if m.label != "PER":
                continue  # "Acme CEO Peter Vollmer", "German Chancellor X"
            following = doc.text[m.end:m.end + 30].split()[:1]
            if re.match(r"[’']s\b", doc.text[m.end:m.end + 3]) or re.search(r"[’']s$", m.text) \
                    or (following and following[0].strip(",.") in self.name_owned):
                return None  # "X's lawyers", "the X administration": X is not the subject
            return doc.speaker_of(m)
        return self._apposed_name(seg, start, text)

    def _apposed_name(self, seg: Segment, start: int, text: str) -> Speaker | None:
        """A name the entity layer missed, made a person by the apposition after it
        ('Hartmann, a Belgian, read out …'), heading the sentence's subject."""
        m = re.match(r"\s*((?:[A-Z][\w'’.-]+\s+){0,3}[A-Z][\w'’.-]+),\s+(?:a|an|the)\s+"
                     r"([^,]{2,60}),\s+[a-z]", text[start:])
        if not m or m.group(2).split()[-1].lower() in self.lex.org_references:
            return None
        if self.doc.names_in(seg.start + start, seg.start + start + m.end(1),
                             ("PER", "ORG", "LOC", "MISC")):
            return None  # a name the entity layer placed elsewhere (ORG, LOC)
        return self.doc.bare_name(seg.start + start + m.start(1), seg.start + start + m.end(1))

    def _subject_modifier(self, word: str) -> bool:
        """A word that can stand before the name heading a subject: a determiner, a
        title or role, a capitalised word, a possessive ("the country's new envoy X")."""
        low = word.lower().strip(",.")
        if low in self.lex.person_pronouns | self.lex.group_pronouns:
            return False
        return (word[:1].isupper() or low in self.lex.words("quotes.subject_modifiers")
                or self._human_head(low) or bool(re.search(r"[’']s$", low)))

    def _titled_person_after(self, m, end: int) -> Speaker | None:
        """The person right after an organisation or place with only title words
        between them ("Facebook CEO Mark Zuckerberg")."""
        doc = self.doc
        following = [p for p in doc.names_in(m.end, end, ("PER",))]
        if not following:
            return None
        person = following[0]
        between = doc.text[m.end:person.start].split()
        if between and len(between) <= 4 and not doc.text[m.end:person.start].count(",") \
                and between[-1].lower().strip(".") in {w.lower() for w in
                                                       self.lex.title_words}:
            return doc.speaker_of(person)
        return None

    def introduced(self, q: Quotation, seg: Segment) -> Speaker | None:
        """ 'Goodell shared, "…"', 'X wrote: "…"': a name and a past-tense verb the
        lexicon does not list, then a comma or a colon right before the quotation."""
        doc = self.doc
        head = doc.text[seg.start:q.outer_start]
        m = re.search(r"(?<=\s)([a-z]+ed)\s*[,:]\s*$", head)
        if not m:
            return None
        verb_at = seg.start + m.start(1)
        names = [n for n in doc.names_in(seg.start, verb_at, ("PER", "ORG"))
                 if not doc.text[n.end:verb_at].strip()]
        return doc.speaker_of(names[-1]) if names else None

    def np_after(self, cue: Cue, seg: Segment, tracker: Tracker) -> Speaker | None:
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

    def cue_speaker(self, cue: Cue, seg: Segment, tracker: Tracker,
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
        if self._pronoun_before(cue, seg):
            # "He said Acme had …": the pronoun is the subject; a name after the verb is
            # in the reported clause, never the speaker.
            return self.np_before(cue, seg, tracker)
        return self.np_before(cue, seg, tracker) or self.np_after(cue, seg, tracker)

    def _pronoun_before(self, cue: Cue, seg: Segment) -> bool:
        """A personal pronoun right before the verb ("he said", "she also told")."""
        words = self.doc.text[seg.start:cue.start].split()
        while words and words[-1].lower() in self.before_verb:
            words.pop()
        return bool(words) and words[-1].lower() in self.lex.person_pronouns

    def attribute(self, q: Quotation, seg: Segment, tracker: Tracker
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
        who = self.introduced(q, seg)
        if who is not None:
            return who, None, True
        return None, None, False


_EN_INVERSION = re.compile(r"^\s+(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*\s*(?:,|\.|$)")


@functools.cache
def _reported_patterns(lang: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(clause start, listener of "told", leading adjunct), built from the lexicon."""
    lex = lexicon(lang)

    def alternation(key: str) -> str:
        return "|".join(re.escape(w) for w in sorted(lex.words(key), key=len, reverse=True))

    clause_start = re.compile(rf"^\s+(?:that\s+)?(?!(?:{alternation('quotes.not_clause_start')})"
                              r"\b)(?=[\w$£€])")
    listener = re.compile(rf"^\s+(?:{alternation('quotes.listeners')}|the\s+\w+|"
                          r"[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*|an?(?:\s+[\w-]+){0,3}?\s+"
                          rf"(?:{alternation('quotes.listener_events')}))\b")
    adjunct = re.compile(rf"^\s+(?:{alternation('quotes.adjuncts')})\b")
    return clause_start, listener, adjunct


def reported_en(doc: Document, rules: EnglishAttribution, seg: Segment,
                tracker: Tracker) -> list[Quote]:
    """Reported clauses of one sentence, with the speaker of their verb."""
    sentence = masked(doc, seg)
    out: list[Quote] = []
    reporting = doc.lex.words("quotes.reported_lemmas")
    cues = [c for c in doc.cues_in(seg.start, seg.end) if c.lemma in reporting]
    for clause_start, clause_end, cue_at in _en_reported(sentence, doc.lex):
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


_SPEAKER_PHRASE = (r"(?:(?:[A-Z][\w'’.&-]*\s+){1,7}|(?:the|its)\s+(?:[\w'’-]+\s+){0,3}?"
                   r"[\w-]+\s+|(?:he|she|they)\s+)")
# "The company had to adapt, its chief executive said": the clause, then who said it.
_CLAUSE_THEN_SPEAKER = re.compile(
    rf"^(?P<clause>[^\"“”]{{12,}}?),\s+(?:{_SPEAKER_PHRASE}"
    rf"(?P<cue>said|says|told)|(?P<according>according\s+to))\b")

def _en_reported(sentence: str, lex: Lexicon) -> list[tuple[int, int, int]]:
    """(clause start, clause end, cue position) of reported clauses in a sentence whose
    quotations are blanked out."""
    found: list[tuple[int, int, int]] = []
    subject_start, listener_re, adjunct = _reported_patterns(lex.lang)
    reporting = lex.words("quotes.reported_lemmas")
    for m in lex.cue_pattern.finditer(sentence):
        cue = m.group()
        if lex.verbs.get(cue) not in reporting or cue == "according to":
            continue
        rest = sentence[m.end():]
        after_cue = m.end()
        if lex.verbs.get(cue) == "tell":
            listener = listener_re.match(rest)  # "told reporters", "told a news conference"
            if listener:
                after_cue += listener.end()
                rest = sentence[after_cue:]
        elif _EN_INVERSION.match(rest) and not re.match(r"^\s+that\b", rest):
            continue  # '"...," said Daniel Okafor, an analyst'
        start = None
        if adjunct.match(rest) or not subject_start.match(rest):
            that = re.search(r"\bthat\s+", rest[:120])
            day = re.match(r"^\s+(?:on|in)\s+(?:\w+day|a\s+statement|\w+)\s+(?=\S)", rest)
            if that and "," not in rest[:that.start()]:
                start = after_cue + that.end()
            elif day and subject_start.match(" " + rest[day.end():]):
                start = after_cue + day.end()
        else:
            lead = subject_start.match(rest)
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
    m = _CLAUSE_THEN_SPEAKER.match(sentence.strip())
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
