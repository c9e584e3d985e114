"""Who said what: direct and reported speech with its speaker, for Turkish and English.

Written by hand for agency prose. For each sentence (split so that a quotation is never
cut), direct quotations are found between “…”, «…» or "…" and attributed through the cue
next to them; reported speech is the complement clause in front of a reporting verb
("...ele alacaklarını söyledi", "...said the company had to adapt"). The speaker is, in
order: the name a cue introduces ("diyen X", "söyleyen X,", "said X"), the sentence's
subject ("X, ... söyledi", "X said ..."), and, for a dropped subject ("..." diye konuştu),
the speaker of the sentence before. Names are the document's canonical entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newswire.nlp.entities import Mention, base_name

# -- Turkish cues ------------------------------------------------------------------------
# After a direct quotation: "..." dedi / diye konuştu / ifadelerini kullandı ...
TR_DIRECT_AFTER = re.compile(
    r"""^\s*[,.]?\s*(?P<cue>
      diye\s+(?:konuştu|konuşan|ekledi|belirtti|sordu|seslendi|yazdı|yanıt\s+verdi)
    | şeklinde\s+(?:konuştu|konuşan|konuşarak|ifade\s+etti|belirtti)
    | (?:ifadelerini|sözlerini|açıklamasını|değerlendirmesini)\s+
      (?:kullandı|kullanan|kullanarak|yaptı|yapan)
    | (?:değerlendirmesinde|açıklamasında|uyarısında|çağrısında)\s+(?:bulundu|bulunan|bulunarak)
    | diyerek | diyen | dedi | der(?=\s*[.,])
    )""", re.VERBOSE)
# The cue (and its verb's canonical form, the "lemma") for reported speech.
TR_CUES: list[tuple[str, str]] = [
    (r"dile\s+getir", "dile getir"), (r"ifade\s+e[td]", "ifade et"),
    (r"altını\s+çiz", "altını çiz"), (r"sözlerine\s+ekle", "sözlerine ekle"),
    (r"dikkat\s+çek", "dikkat çek"),
    (r"(?:çağrısında|açıklamasında|uyarısında|değerlendirmesinde)\s+bulun", "bulun"),
    (r"kayde[td]", "kaydet"), (r"söyle", "söyle"), (r"belirt", "belirt"),
    (r"bildir", "bildir"), (r"vurgula", "vurgula"), (r"açıkla", "açıkla"),
    (r"hatırlat", "hatırlat"), (r"aktar", "aktar"), (r"anlat", "anlat"),
    (r"duyur", "duyur"), (r"uyar", "uyar"), (r"savun", "savun"),
    (r"iddia\s+e[td]", "iddia et"), (r"öne\s+sür", "öne sür"), (r"ekle", "ekle"),
]
# A cue stem with a finite past (-DI), converb (-ArAk), participle (-An) or other ending.
TR_CUE_RE = re.compile(
    r"(?<![\w'’])(?P<cue>" + "|".join(f"(?:{stem})" for stem, _ in TR_CUES) + r")"
    + r"(?:ti|tı|di|dı|du|dü|tu|tü|erek|arak|yerek|yarak|en|an|yen|yan|ecek|acak|miş|mış|"
      r"mişti|mıştı|er|ar|iyor|ıyor|ur|ür)(?![\w])")
TR_PARTICIPLE = re.compile(r"(?:[ae]n|y[ae]n)$")
# A reported clause ends in a nominalised verb in the accusative (-DIğInI, -AcAğInI,
# -mAsInI, -mAyI ...) or is a noun phrase before "... çağrısında bulundu".
TR_COMPLEMENT = re.compile(
    r"(?:ğ[ıiuü]n[ıiuü]|ğ[ıiuü]|k[ıiuü]n[ıiuü]|kl[ae]r[ıi]n[ıi]|m[ae]s[ıi]n[ıi]|m[ae]y[ıi]|"
    r"s[ıiuü]n[ıiuü]|n[ıiuü]|y[ıiuü]|l[ae]r[ıi]n[ıi]|m[ae]k|m[ae]s[ıi])['’]?\w*[,]?$")
TR_VERDIGI = re.compile(r"(?P<who>[^,.;]+?)['’](?:in|ın|un|ün|nin|nın|nun|nün)\s+verdiği\s+"
                        r"bilgi(?:ye|lere)\s+göre,?\s*")

# -- English cues -------------------------------------------------------------------------
EN_VERBS = (r"said|says|saying|adding|warning|"
            r"told(?:\s+(?:reporters|journalists|analysts|lawmakers|parliament|"
            r"the\s+\w+|a(?:\s+\w+){0,3}\s+(?:conference|briefing|meeting|hearing|summit)))?|"
            r"added|warned|stressed|noted|argued|insisted|explained|announced|wrote|"
            r"tweeted|acknowledged|admitted|claimed|cautioned|urged|predicted|estimated")
EN_VERB_RE = re.compile(rf"\b(?P<cue>{EN_VERBS})\b")
EN_LEMMA = {"said": "say", "says": "say", "told": "tell", "added": "add", "warned": "warn",
            "stressed": "stress", "noted": "note", "argued": "argue", "insisted": "insist",
            "explained": "explain", "announced": "announce", "wrote": "write",
            "tweeted": "tweet", "acknowledged": "acknowledge", "admitted": "admit",
            "claimed": "claim", "cautioned": "caution", "urged": "urge",
            "predicted": "predict", "estimated": "estimate"}

_QUOTE_RE = re.compile(r"“[^”]{2,}?”|«[^»]{2,}?»|\"[^\"]{2,}?\"|„[^“]{2,}?“")


@dataclass
class Quote:
    quote: str
    start: int  # offsets of the quoted text in the document
    end: int
    speaker: str | None
    speaker_role: str | None
    cue: str | None  # the reporting verb as a lemma ("söyle", "ifade et", "say", "tell")
    cue_text: str | None  # as written ("söyledi", "ifadelerini kullandı", "told reporters")
    kind: str  # direct or indirect
    sentence_start: int = 0


@dataclass
class Speaker:
    name: str
    role: str | None


# -- sentences ----------------------------------------------------------------------------
def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans that never cut a quotation and never cross a paragraph."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text):
        p_start, p_text = para.start(), para.group()
        quoted = [(m.start(), m.end()) for m in _QUOTE_RE.finditer(p_text)]
        start = 0
        for m in re.finditer(r"[.!?…]+[\"”»]?(?=\s+[\"“«A-ZÇĞİÖŞÜ0-9])", p_text):
            cut = m.end()
            if any(s < cut < e for s, e in quoted):
                continue
            if re.search(r"\b(?:[A-Z]|Dr|Prof|Doç|Mr|Mrs|Ms|St|No|Jan|Feb|Mar|Apr|Jun|Jul|"
                         r"Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|Gen|Lt|Col)\.$",
                         p_text[max(0, m.start() - 5):m.end()]):
                continue
            spans.append((p_start + start, p_start + cut))
            start = cut + len(p_text[cut:]) - len(p_text[cut:].lstrip())
        if start < len(p_text):
            spans.append((p_start + start, p_start + len(p_text)))
    return spans


# -- speakers -----------------------------------------------------------------------------
class Speakers:
    """Name phrases in a document: entity mentions, or capitalised runs the NER missed."""

    def __init__(self, text: str, mentions: list[Mention], lang: str) -> None:
        self.text = text
        self.lang = lang
        # A mention with a blank name (the NER can tag bare whitespace) names nobody.
        self.mentions = [m for m in mentions if m.label in ("PER", "ORG", "LOC", "MISC")
                         and m.canonical.strip()]
        self.full_names: dict[str, str] = {}
        self.person_names = {m.canonical for m in self.mentions if m.label == "PER"}
        for m in self.mentions:
            words = m.canonical.split()
            if m.label == "PER" and len(words) >= 2:
                self.full_names.setdefault(words[-1], m.canonical)

    def at(self, start: int, end: int) -> Speaker | None:
        """The name occupying [start, end) (best: a PER or ORG mention within it)."""
        inside = [m for m in self.mentions if start <= m.start and m.end <= end + 3]
        inside.sort(key=lambda m: (m.label != "PER", m.label != "ORG", -m.start))
        for m in inside:
            if m.label in ("PER", "ORG"):
                return Speaker(m.canonical, m.role)
        phrase = self.text[start:end].strip(" ,.:;")
        phrase = re.sub(r"^(?:the|The)\s+", "", phrase)
        if not phrase:
            return None
        words = phrase.split()
        if inside and len(words) <= 2:
            return Speaker(inside[0].canonical, inside[0].role)
        # A capitalised run the model missed: keep its last capitalised words.
        run: list[str] = []
        for word in reversed(words):
            bare = word.strip("()")
            if bare and (bare[0].isupper() or bare in ("de", "van", "von", "al", "bin")):
                run.insert(0, word)
            else:
                break
        if not run:
            return None
        role_words = words[: len(words) - len(run)]
        name = base_name(" ".join(run))
        name = self.full_names.get(name, name)
        role = " ".join(role_words).strip(" ,") or None
        return Speaker(name, role if role and len(role) < 80 else None)

    def canonical(self, name: str) -> str:
        return self.full_names.get(name, name)


# -- Turkish -------------------------------------------------------------------------------
def _subject_tr(text: str, s_start: int, limit: int, speakers: Speakers) -> Speaker | None:
    """The sentence's subject: "X, ..." at the start, or the head after a participle
    ("söyleyen X, ...", "diyen X, ..."), whichever is last before ``limit``."""
    best: Speaker | None = None
    segment = text[s_start:limit]
    first = re.match(r"^\s*([^,\"“«]{2,120}?),\s", segment)
    if first and _looks_like_name(first.group(1)):
        best = speakers.at(s_start + first.start(1), s_start + first.end(1))
    for m in re.finditer(r"(?:\b\w+(?:[ae]n|y[ae]n)|diyen)\s+([^,\"“«]{2,80}?),\s", segment):
        if _looks_like_name(m.group(1)):
            found = speakers.at(s_start + m.start(1), s_start + m.end(1))
            if found:
                best = found
    also = re.match(r"^\s*([^,\"“«]{2,80}?)\s+(?:de|da)\s", segment)
    if best is None and also and _looks_like_name(also.group(1)):
        best = speakers.at(s_start + also.start(1), s_start + also.end(1))
    genitive = re.match(r"^\s*([^,\"“«]{2,80}?)['’](?:a|e|ya|ye|na|ne)\s+göre,", segment)
    if genitive and _looks_like_name(genitive.group(1)):
        best = speakers.at(s_start + genitive.start(1), s_start + genitive.end(1))
    return best


def _looks_like_name(phrase: str) -> bool:
    """A subject phrase: a few words, mostly capitalised ("NATO Genel Sekreteri Jens
    Stoltenberg", "Kremlin spokesman Dmitry Peskov"), with no reporting verb in it."""
    words = phrase.split()
    if not 0 < len(words) <= 12 or not words[-1][:1].isupper():
        return False
    if TR_CUE_RE.search(phrase):
        return False
    capitalised = sum(1 for w in words if w[:1].isupper() or w[:1].isdigit())
    return capitalised >= 0.6 * len(words)


def extract_tr(text: str, speakers: Speakers) -> list[Quote]:
    quotes: list[Quote] = []
    last: Speaker | None = None
    pending_colon: Speaker | None = None  # "X şöyle konuştu:" -> the next paragraph
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        quoted = [(s_start + m.start(), s_start + m.end()) for m in _QUOTE_RE.finditer(sentence)]
        consumed_until = s_start
        for q_start, q_end in quoted:
            inner = text[q_start + 1:q_end - 1].strip()
            after = text[q_end:s_end]
            cue = TR_DIRECT_AFTER.match(after)
            speaker: Speaker | None = None
            cue_text = cue.group("cue") if cue else None
            if (cue and cue_text.startswith(("diyen", "konuşan", "kullanan", "yapan", "bulunan")))\
                    or (cue and re.search(r"(?:an|en)$", cue_text)):
                rest = q_end + cue.end()
                name = re.match(r"\s*([^,.]{2,80}?)[,.]", text[rest:s_end])
                if name:
                    speaker = speakers.at(rest + name.start(1), rest + name.end(1))
                consumed_until = rest + (name.end() if name else 0)
            elif cue:
                # "X, ... belirterek "..." dedi": the words before the quotation may hold
                # reported speech of their own, so nothing is consumed here.
                speaker = _subject_tr(text, s_start, q_start, speakers)
            elif pending_colon is not None and sentence.lstrip().startswith(("\"", "“", "«")):
                speaker, cue_text = pending_colon, "şöyle konuştu"
            else:
                if len(inner.split()) < 5:
                    continue  # a title or a scare quote, not speech
                speaker = _subject_tr(text, s_start, q_start, speakers)
            if speaker is None:
                speaker = last
            quotes.append(Quote(inner, q_start + 1 + _lead(text, q_start + 1), q_end - 1 -
                                _trail(text, q_end - 1), speaker.name if speaker else None,
                                speaker.role if speaker else None, _tr_lemma(cue_text),
                                cue_text, "direct", s_start))
            last = speaker or last
        pending_colon = None
        # Reported speech: clauses that end in a reporting verb, outside quotations.
        clause_start = max(consumed_until, s_start)
        subject_head = re.match(r"^\s*([^,\"“«]{2,120}?),\s", text[s_start:s_end])
        verdigi = TR_VERDIGI.match(text[s_start:s_end])
        if verdigi:
            who = speakers.at(s_start + verdigi.start("who"), s_start + verdigi.end("who"))
            body_start = s_start + verdigi.end()
            clause = text[body_start:s_end].rstrip(" .")
            if who and clause:
                quotes.append(Quote(clause, body_start, body_start + len(clause), who.name,
                                    who.role, "bilgi ver", "verdiği bilgiye göre",
                                    "indirect", s_start))
                last = who
            continue
        if subject_head and _looks_like_name(subject_head.group(1)) and clause_start == s_start:
            clause_start = s_start + subject_head.end()
        for m in TR_CUE_RE.finditer(text, s_start, s_end):
            if any(qs <= m.start() < qe for qs, qe in quoted):
                continue
            if m.start() < clause_start:
                continue
            clause = text[clause_start:m.start()].strip(" ,")
            word = m.group()
            lemma = _tr_lemma_from_stem(m.group("cue"))
            participle = bool(TR_PARTICIPLE.search(word)) and not word.endswith(("iyor",))
            next_start = m.end()
            if participle:
                # "…söyleyen X, …": X said the clause; the rest is X's sentence.
                name = re.match(r"\s*([^,.\"“«]{2,80}?)[,.]", text[m.end():s_end])
                speaker = (speakers.at(m.end() + name.start(1), m.end() + name.end(1))
                           if name else None)
                if name:
                    next_start = m.end() + name.end()
            else:
                speaker = _subject_tr(text, s_start, m.start(), speakers)
            colon = text[m.end():m.end() + 2].startswith(":")
            if colon or re.search(r"(?:şöyle|şunları)\s*$", clause):
                pending_colon = speaker or _subject_tr(text, s_start, m.start(), speakers) \
                    or last
                clause_start = next_start
                continue
            # Particles after the complement: "...artırıldığını da açıkladı".
            head = re.sub(r"\s+(?:da|de|ise|ayrıca|bir kez daha|yeniden)$", "", clause)
            if clause and (TR_COMPLEMENT.search(head.split()[-1]) or lemma == "bulun"):
                if "\"" not in clause and "“" not in clause and len(clause.split()) >= 3:
                    speaker = speaker or last
                    q_start = text.index(clause, clause_start)
                    quotes.append(Quote(clause, q_start, q_start + len(clause),
                                        speaker.name if speaker else None,
                                        speaker.role if speaker else None, lemma,
                                        _cue_text(text, m), "indirect", s_start))
                    last = speaker or last
            elif speaker and participle:
                last = speaker
            clause_start = next_start
        if pending_colon is None and not quoted:
            # "Kalkavan, ... açıklama yaptı." sets who a following "..." dedi. belongs to,
            # but only when the subject is a person the document names.
            subject = _subject_tr(text, s_start, s_end, speakers)
            if subject and subject.name in speakers.person_names:
                last = subject
    return [q for q in quotes if q.quote]


def _cue_text(text: str, match: re.Match[str]) -> str:
    return text[match.start():match.end()]


def _lead(text: str, pos: int) -> int:
    return len(text[pos:]) - len(text[pos:].lstrip())


def _trail(text: str, pos: int) -> int:
    head = text[:pos]
    return len(head) - len(head.rstrip())


def _tr_lemma_from_stem(stem: str) -> str:
    stem = re.sub(r"\s+", " ", stem)
    for pattern, lemma in TR_CUES:
        if re.fullmatch(pattern, stem):
            return lemma
    return stem


def _tr_lemma(cue_text: str | None) -> str | None:
    if not cue_text:
        return None
    cue = re.sub(r"\s+", " ", cue_text)
    if cue.startswith(("dedi", "diyen", "diyerek", "der")):
        return "de"
    if cue.startswith(("diye ", "şeklinde ")):
        return cue.split()[0] + " " + re.sub(r"(?:tu|tü|du|dü|dı|di|an|en|arak|erek)$", "",
                                             cue.split()[1])
    if "kullan" in cue:
        return cue.split()[0] + " kullan"
    if cue.endswith(("bulundu", "bulunan", "bulunarak")):
        return cue.split()[0] + " bulun"
    return cue


# -- English --------------------------------------------------------------------------------
_EN_CUE = re.compile(rf"\b(?P<cue>(?>{EN_VERBS}))\b|\baccording\s+to\b")
_EN_SUBJECT_START = re.compile(r"^\s+(?:that\s+)?(?=(?:the|a|an|it|he|she|they|we|its|his|her|"
                               r"their|this|these|there|more|about|some|all|[A-Z0-9$£€]))")
_EN_INVERSION = re.compile(r"^\s+(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*\s*(?:,|\.|$)")
_EN_LEADING_ADJUNCT = re.compile(r"^\s+(?:on|in|at|during|after|before|with|from|to|via)\b")
NOMINAL_HEADS = ("company", "drugmaker", "group", "ministry", "government", "union", "firm",
                 "bank", "agency", "department", "organization", "organisation", "council",
                 "committee", "commission", "office", "police", "army", "military", "airline",
                 "carrier", "automaker", "insurer", "lender", "retailer", "operator", "board")


def _en_speaker(text: str, start: int, end: int, speakers: Speakers, s_start: int,
                s_end: int, last: Speaker | None) -> Speaker | None:
    """The speaker a phrase names: an entity, a pronoun (the previous speaker), or a
    nominal ("the British drugmaker": the sentence's first organisation)."""
    phrase = text[start:end].strip(" ,")
    words = phrase.split()
    if not words:
        return None
    if words[-1].lower() in ("he", "she", "they", "it"):
        return last
    head = words[-1].lower()
    if head in NOMINAL_HEADS or head.endswith("maker"):
        orgs = [m for m in speakers.mentions if s_start <= m.start < s_end and m.label == "ORG"]
        if words[0].lower() in ("the", "its"):
            if orgs:
                return Speaker(orgs[0].canonical, None)
            subject = _first_name(text, s_start, s_end, speakers)
            if subject:
                return subject
        return Speaker(re.sub(r"^(?:the|its)\s+", "", phrase, flags=re.IGNORECASE), None)
    found = speakers.at(start, end)
    if found and found.name[:1].isupper() and found.name.split()[0] not in ("The", "A", "An"):
        return found
    return None


def _first_name(text: str, s_start: int, s_end: int, speakers: Speakers) -> Speaker | None:
    """The sentence's subject when it opens the sentence ("Rheinwerk Stahl will ...")."""
    opening = re.match(r"\s*((?:[A-Z][\w.'’&-]*\s+){1,5})", text[s_start:s_end])
    if not opening:
        return None
    return speakers.at(s_start + opening.start(1), s_start + opening.end(1))


def _en_cues(text: str, s_start: int, s_end: int, masked: str, speakers: Speakers,
             last: Speaker | None) -> list[tuple[int, int, str, Speaker | None]]:
    """(cue start, cue end, cue text, speaker) for every reporting verb in a sentence."""
    out = []
    for m in _EN_CUE.finditer(masked):
        cue_start, cue_end = s_start + m.start(), s_start + m.end()
        cue_text = m.group()
        speaker = None
        if cue_text.startswith("according"):
            who = re.match(r"\s+((?:the\s+)?[^,.;]{2,80})", masked[m.end():])
            if who:
                speaker = _en_speaker(text, cue_end + who.start(1), cue_end + who.end(1),
                                      speakers, s_start, s_end, last)
        else:
            after = masked[m.end():]
            inverted = _EN_INVERSION.match(after)
            if inverted and not re.match(r"^\s+(?:that|the\s+\w+\s+(?:would|will|had|has))",
                                          after):
                speaker = _en_speaker(text, cue_end, cue_end + inverted.end(), speakers,
                                      s_start, s_end, last)
            if speaker is None:
                before = masked[:m.start()]
                clause_head = re.split(r"[,;:]\s+|\s{2,}", before)[-1]
                head_start = s_start + len(before) - len(clause_head)
                if clause_head.strip():
                    speaker = _en_speaker(text, head_start, cue_start, speakers, s_start,
                                          s_end, last)
                else:
                    # "Centeno, who will ..., told reporters": the sentence's subject.
                    first = re.split(r",\s+", before, maxsplit=1)[0]
                    if first.strip() and len(first.split()) <= 8:
                        speaker = _en_speaker(text, s_start, s_start + len(first), speakers,
                                              s_start, s_end, last)
        if speaker is None and not cue_text.startswith("according"):
            mentions = [x for x in speakers.mentions if s_start <= x.start < cue_start
                        and x.label in ("PER", "ORG")]
            if mentions:
                speaker = Speaker(mentions[0].canonical, mentions[0].role)
        out.append((cue_start, cue_end, cue_text, speaker))
    return out


def extract_en(text: str, speakers: Speakers) -> list[Quote]:
    quotes: list[Quote] = []
    last: Speaker | None = None
    for s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        quoted = [(s_start + m.start(), s_start + m.end()) for m in _QUOTE_RE.finditer(sentence)]
        masked = sentence
        for qs, qe in quoted:
            masked = masked[:qs - s_start] + " " * (qe - qs) + masked[qe - s_start:]
        cues = _en_cues(text, s_start, s_end, masked, speakers, last)
        named = [c for c in cues if c[3] is not None]
        for q_start, q_end in quoted:
            inner = text[q_start + 1:q_end - 1].strip().rstrip(",")
            if len(inner.split()) < 3 or (len(inner.split()) < 5 and not cues):
                continue  # a name or a term in quotation marks
            if all(w[:1].isupper() or w in ("of", "from", "the", "and", "for")
                   for w in inner.split()):
                continue  # "Olympic Athlete from Russia": a name in quotation marks
            # The cue nearest the quotation, after it first ('..." Bach said').
            near = sorted(named, key=lambda c: (c[0] < q_end, abs(c[0] - q_end)))
            cue = near[0] if near else None
            speaker = cue[3] if cue else last
            start = q_start + 1 + _lead(text, q_start + 1)  # '" Text"': after the space
            quotes.append(Quote(inner, start, start + len(inner),
                                speaker.name if speaker else None,
                                speaker.role if speaker else None,
                                _en_lemma(cue[2]) if cue else None, cue[2] if cue else None,
                                "direct", s_start))
            last = speaker or last
        for clause_start, clause_end, cue_at in _en_reported(masked):
            clause = text[s_start + clause_start:s_start + clause_end].strip(" ,.")
            if len(clause.split()) < 4:
                continue
            cue = min(cues, key=lambda c: abs(c[0] - (s_start + cue_at)), default=None)
            speaker = (cue[3] if cue else None) or last
            pos = text.index(clause, s_start + clause_start)
            quotes.append(Quote(clause, pos, pos + len(clause),
                                speaker.name if speaker else None,
                                speaker.role if speaker else None,
                                _en_lemma(cue[2]) if cue else None, cue[2] if cue else None,
                                "indirect", s_start))
            last = speaker or last
        if named and not quoted:
            last = named[-1][3]
    return quotes


def _en_reported(sentence: str) -> list[tuple[int, int, int]]:
    """(clause start, clause end, cue position) of reported clauses in a sentence whose
    quotations are blanked out."""
    found: list[tuple[int, int, int]] = []
    for m in _EN_CUE.finditer(sentence):
        if m.group().startswith("according"):
            continue
        rest = sentence[m.end():]
        if _EN_INVERSION.match(rest) and not re.match(r"^\s+that\b", rest):
            continue  # '"...," said Daniel Okafor, an analyst'
        start = None
        if _EN_LEADING_ADJUNCT.match(rest) or not _EN_SUBJECT_START.match(rest):
            # "told reporters on the sidelines of a meeting that ..." / "said on Friday it"
            that = re.search(r"\bthat\s+", rest[:120])
            day = re.match(r"^\s+(?:on|in)\s+(?:\w+day|a\s+statement|\w+)\s+(?=\S)", rest)
            if that and "," not in rest[:that.start()]:
                start = m.end() + that.end()
            elif day and _EN_SUBJECT_START.match(" " + rest[day.end():]):
                start = m.end() + day.end()
        else:
            lead = _EN_SUBJECT_START.match(rest)
            start = m.end() + (lead.end() if lead else 0)
            start += len(sentence[start:]) - len(sentence[start:].lstrip())
        if start is None:
            continue
        clause = sentence[start:]
        cut = re.search(r",\s+(?:adding|saying|warning|according)\b|[.;:](?:\s|$)|\s{3,}",
                        clause)
        end = start + (cut.start() if cut else len(clause.rstrip()))
        if end - start >= 12:
            found.append((start, end, m.start()))
    # "CLAUSE, X said." / "CLAUSE, the company said." / "CLAUSE, according to X."
    lead = len(sentence) - len(sentence.lstrip())
    speaker_phrase = (r"(?:(?:[A-Z][\w'’.&-]*\s+){1,7}|(?:the|its)\s+(?:[\w'’-]+\s+){0,3}?"
                      r"[\w-]+\s+|(?:he|she|they)\s+)")
    m = re.match(rf"^(?P<clause>[^\"“”]{{12,}}?),\s+(?:{speaker_phrase}"
                 rf"(?P<cue>said|says|told)|(?P<according>according\s+to))\b",
                 sentence.strip())
    if m and not _EN_CUE.search(m.group("clause")):
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


def _en_lemma(cue_text: str | None) -> str | None:
    if not cue_text:
        return None
    first = cue_text.split()[0].lower()
    if first in ("adding", "saying", "warning"):
        return {"adding": "add", "saying": "say", "warning": "warn"}[first]
    if first == "according":
        return "according to"
    return EN_LEMMA.get(first, first)


def extract_quotes(text: str, mentions: list[Mention], lang: str) -> list[Quote]:
    speakers = Speakers(text, mentions, lang)
    found = extract_tr(text, speakers) if lang == "tr" else extract_en(text, speakers)
    return sorted(found, key=lambda q: q.start)
