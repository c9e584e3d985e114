"""Names in a document: people, organisations and places under the name the article
gives them.

The offline NER models are weak on news (labels are often wrong, hyphenated names are
cut, titles are swallowed into person spans), so their spans are one source among three.
Every run of capitalised words in the text is read too, and so are the gazetteer's
names. A run is cut into pieces with the lexicon: titles ("NATO Genel Sekreteri",
"Romanian President"), honorifics ("Prof. Dr.", "Sheikh"), gazetteer names, organisation
heads ("... Bakanlığı", "... Ministry") and the names between them. A name after a title
is a person whose role is the title; a phrase ending in an organisation head is an
organisation; a gazetteer name has the gazetteer's label; otherwise the model's label
decides.

Per document, names are then consolidated: a later "Juncker", "von der Leyen" or "Qin"
is the full name given earlier ("Jean-Claude Juncker", "Ursula von der Leyen", "Qin
Gang"), and a name seen as a person once is a person everywhere.

The canonical name is the article's own (case suffixes and possessives removed,
"(Boris) Johnson" -> "Boris Johnson", "Avrupa Birliği (AB) Komisyonu" -> "AB Komisyonu",
dateline capitals in normal case). Aliases (AB = Avrupa Birliği = EU) stay in the
gazetteer, where the analysts' macros find them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from newswire.nlp.gazetteer import Gazetteer, load_gazetteer
from newswire.nlp.lexicon import Lexicon, given_names, lexicon
from newswire.nlp.organisations import is_acronym, org_evidence
from newswire.nlp.places import is_place_name
from newswire.nlp.venues import (
    company_short_forms,
    listed_organisations,
    road_spans,
    venue_joins,
    venue_led,
)
from newswire.nlp.wordscan import word_spans

MODEL_LABELS = {"PERSON": "PER", "PER": "PER", "LOCATION": "LOC", "LOC": "LOC",
                "GPE": "LOC", "ORGANIZATION": "ORG", "ORG": "ORG", "MONEY": "MONEY",
                "TIME": "DATE", "DATE": "DATE", "MISC": "MISC", "NORP": "MISC"}
NAME_LABELS = ("PER", "ORG", "LOC")
# Pure functions of one word (and a language's lexicon) run for every word of every run,
# and the same words come back article after article: they remember their last answers.
# Bounded, since an NLP worker lives for a whole backfill (~16k words: a few MB).
WORD_CACHE = 16384
# A case ending after an apostrophe; not a capitalised word ("O'Brien", "D'Alema").
_SUFFIX = re.compile(r"[’'´](?![A-ZÇĞİÖŞÜ][a-zçğıöşü])\w+$")
_POSSESSIVE = re.compile(r"[’'´]s$")
_PLURAL_POSSESSIVE = re.compile(r"(?<=\w\w)s[’'´]$")
_GENITIVE_END = re.compile(r"[’'´]n?[ıiuü]n$")
# News agencies credited in datelines and at the end of paragraphs: "BRÜKSEL (AA) -",
# "(DHA)", "MOSCOW, February 3. /TASS/.".
_CREDIT = re.compile(r"[(/](?P<agency>[A-ZÇĞİÖŞÜ][A-Za-zÇĞİÖŞÜçğıöşü .]{1,30}?)[)/]")
# "Kestrel, Jan. 31 (Harbour Wire) –": whatever stands in parentheses between a dateline
# and its dash is the outlet that filed the story (known agency or not).
_SOURCE_DATELINE = re.compile(r"^(?P<city>[A-ZÇĞİÖŞÜ][\w.'’ -]{1,40}?)(?:,[^(\n]{1,30}?)?\s*"
                              r"\((?P<source>[A-Z][\w&.'’ -]{1,40}?)\)\s*(?:-{1,2}|[–—])")
_DATELINE = re.compile(r"^(?P<city>[A-ZÇĞİÖŞÜÂÎÛ][A-ZÇĞİÖŞÜÂÎÛ .'’-]{1,40}?)(?:,[^(/\n]{1,30}?)?"
                       r"\s*(?:\([^)\n]{2,30}\)|/[^/\n]{2,20}/)")

def _person_by_name(words: list[_Word], lex: Lexicon) -> bool:
    """ "Philippe Coutinho", "Li Hongyu": two to four words that start with a given name
    (or a surname written first), none of them an organisation or place head."""
    if not 2 <= len(words) <= 4 or any(w.paren for w in words):
        return False
    if any(bare_head(w.text, lex.org_heads) or w.text in lex.loc_heads
           or w.text in lex.not_entities for w in words[1:]):
        return False
    given, family_first = given_names()
    first = words[0].written
    if first in given:
        return True
    return first in family_first and len(words) <= 3 and all(
        w.text[:1].isupper() and not w.text.isupper() for w in words[1:])


def _acronym_led(words: list[_Word]) -> bool:
    """ "ATP Tour", "TRT Haber", "BBC World", "POLITICO Playbook": a run of two or three
    words that opens with an acronym (capitals only, no dots) names an organisation or
    its product, never a person: people's initials are written with dots ("A.K.
    Yılmaz")."""
    first = words[0].written
    return (2 <= len(words) <= 3 and 2 <= len(first) <= 8 and first.isalpha()
            and first.isupper() and not any(w.paren for w in words)
            and all(w.written[:1].isupper() and not w.written.isupper() for w in words[1:]))


# -- mentions ------------------------------------------------------------------------------
@dataclass
class Mention:
    text: str  # as written, with any case suffix
    start: int
    end: int
    label: str
    canonical: str
    role: str | None = None
    source: str = "model"  # model, gazetteer, title, text, document, dateline or agency


@functools.lru_cache(maxsize=WORD_CACHE)
def strip_suffix(word: str) -> str:
    """Brüksel'deki -> Brüksel; Stoltenberg’in -> Stoltenberg; Britain's -> Britain."""
    word = _POSSESSIVE.sub("", word)
    return _SUFFIX.sub("", word)


def honorific_after(word: str, lex: Lexicon) -> str | None:
    """The post-name honorific a word is ("Paşa'nın" as its bare ``text`` "Paşa", or
    "Beyin", "Hanımın", "Paşaya" written with no apostrophe), else None."""
    after = lex.words("names.honorifics_after")
    if not after:
        return None
    return _bare_word(word, after, _HONORIFIC_SUFFIXES)


def strip_honorifics_after(name: str, lex: Lexicon) -> str:
    """ "Mustafa Kemal Paşa" -> "Mustafa Kemal", "Naci Beyin" -> "Naci": honorifics said
    after a name are no part of it (a name never becomes empty)."""
    words = name.split()
    while len(words) > 1 and honorific_after(strip_suffix(words[-1]), lex):
        words.pop()
    return " ".join(words)


# Case endings Turkish writes without an apostrophe after common-noun heads
# ("Dünya Sağlık Örgütünün", "Olimpiyat Komitesini", "Parlamentosunun"), longest first.
_TR_BARE_SUFFIXES = ("nden", "ndan", "nin", "nın", "nun", "nün", "nde", "nda", "ne", "na",
                     "ni", "nı", "nu", "nü", "yi", "yı", "ye", "ya", "in", "ın", "un", "ün",
                     "i", "ı", "u", "ü", "e", "a")


# ... and after a post-name honorific ("Arif Beyin", "Paşaya", "Hanımla").
_HONORIFIC_SUFFIXES = (*_TR_BARE_SUFFIXES, "den", "dan", "le", "la", "yle", "yla")


def bare_head(word: str, heads: frozenset[str]) -> str | None:
    """The organisation head a suffixed word is ("Parlamentosunun" -> "Parlamentosu")."""
    return _bare_word(word, heads, _TR_BARE_SUFFIXES)


@functools.lru_cache(maxsize=WORD_CACHE)
def _bare_word(word: str, known: frozenset[str], suffixes: tuple[str, ...]) -> str | None:
    """The known word ``word`` is, itself or with one of ``suffixes`` (case endings
    written without an apostrophe) taken off."""
    if word in known:
        return word
    for suffix in suffixes:
        if word.endswith(suffix) and word[: -len(suffix)] in known:
            return word[: -len(suffix)]
    return None


def base_name(text: str) -> str:
    words = text.split()
    if not words:
        return text
    name = " ".join([*words[:-1], strip_suffix(words[-1])]).strip(" ,;:()\"“”«»")
    if name.endswith(".") and not re.search(r"(?:[A-Z]\.){2,}$", name):
        name = name.rstrip(".")
    return re.sub(r"^(?:the|The)\s+", "", name)


@dataclass
class _Word:
    text: str  # without an apostrophe suffix or a possessive
    written: str  # as in the text
    start: int
    end: int
    paren: bool = False  # written in parentheses: "(AB)", "(Boris)"


_WORD = re.compile(r"\(?[^\W_][\w'’´.&-]*\)?|\([^\W_][\w.&-]*\)")


def _is_name_word(word: str, lex: Lexicon) -> bool:
    core = word.strip("()")
    if not core:
        return False
    if core[0].isupper():
        return True
    head, _, rest = core.partition("-")
    return bool(rest) and head in lex.particles and rest[:1].isupper()  # al-Falih, el-Budeyvi


def _runs(text: str, start: int, end: int, lex: Lexicon,
          model: dict[int, str] | None = None) -> list[list[_Word]]:
    """Runs of name words between ``start`` and ``end``: capitalised words, with name
    particles ("Ursula von der Leyen"), connectors ("Hazine ve Maliye Bakanı") and
    parenthesised abbreviations ("Avrupa Birliği (AB) Komisyonu") between them. Anything
    but spaces between two words, and a word with a case suffix, end a run."""
    runs: list[list[_Word]] = []
    current: list[_Word] = []
    pending: list[_Word] = []  # particles and connectors waiting for a capitalised word

    def flush() -> None:
        nonlocal current, pending
        if current:
            runs.append(current)
        current, pending = [], []

    last_end = start
    for m in _WORD.finditer(text, start, end):
        raw = m.group()
        if text[last_end:m.start()].strip():
            flush()
        last_end = m.end()
        core = raw.strip("()")
        if not core:
            continue
        if not current and not core[0].isupper() and "-" not in core:
            # Most words: lower case, no run open. Nothing below would start one (only a
            # capitalised word or a particle's "al-Falih" does), so skip the checks.
            continue
        # "Inc.", "Corp.": a dotted organisation head ends the name and keeps its dot.
        company = core.endswith(".") and core in lex.org_heads
        dotted = core.endswith(".") and (len(core) <= 3 or "." in core[:-1]
                                         or core in lex.honorifics or company)
        sentence_end = core.endswith(".") and not dotted
        core = core.rstrip(".") if sentence_end else core
        w_start = m.start() + raw.index(core[0])
        word = _Word(strip_suffix(core), core, w_start, w_start + len(core),
                     paren=raw.startswith("(") and raw.endswith(")"))
        lower = core.lower()
        if not current and lex.lang == "en" and core in ("The", "A", "An"):
            continue  # "The Maritime Ministry": the article is no part of the name
        if not current and core in lex.words("names.sentence_openers"):
            continue  # "Ancak Addison Konseyi": a word opening the sentence
        if not current and _generic_in_case(core, lex):
            continue  # "Mecliste Cumhur İttifakı": a generic noun in a case, no name
        if _is_name_word(core, lex):
            current += [*pending, word]
            pending = []
            possessive = lex.lang == "en" and _POSSESSIVE.search(core) is not None
            glued = lex.lang == "tr" and (
                bare_head(core, lex.org_heads) not in (None, core)
                or honorific_after(core, lex) not in (None, core))  # "Arif Beyin"
            if (word.text != core and not word.paren and not possessive) or sentence_end \
                    or company or glued:
                # "Johnson'a", "Brüksel.", "Acme Inc.", "Partinin": the name ends here
                flush()
        elif current and ((lower in lex.particles and len(pending) < 2
                           and (_name_particle(current[-1].written, lower, lex)
                                or (model is not None and word.start in model
                                    and current[-1].start in model)))
                          or (lower in CONNECTORS and not pending)
                          or (lower == "the" and pending
                              and pending[-1].written in ORG_CONNECTORS)):
            pending.append(word)
        else:
            flush()
        if sentence_end and pending:
            flush()
    flush()
    return runs


_TR_CASE_ENDINGS = ("nden", "ndan", "den", "dan", "ten", "tan", "nde", "nda", "de", "da",
                    "te", "ta")


@functools.lru_cache(maxsize=WORD_CACHE)
def _generic_in_case(word: str, lex: Lexicon) -> bool:
    """ "Mecliste", "Hükümetten", "Bakanlıkta": a generic noun of the lexicon (one that
    is never an entity alone) in the locative or the ablative, written without an
    apostrophe."""
    if lex.lang != "tr" or "'" in word or "’" in word:
        return False
    generic = _generic_nouns(lex)
    for ending in _TR_CASE_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 3 and (
                stem in generic or stem[:-1] + "k" in generic):
            return True
    return False


@functools.cache
def _generic_nouns(lex: Lexicon) -> frozenset[str]:
    return lex.not_entities | frozenset(lex.org_references)


@functools.cache
def _calendar_words(lex: Lexicon) -> frozenset[str]:
    """Month and weekday names (folded), which a capitalised word may be."""
    return frozenset({**lex.months, **lex.weekdays})


CONNECTORS = ("ve", "and", "of", "for", "in", "to")
# Connectors inside an English organisation's name: "Office for the Coordination of
# Humanitarian Affairs", "Committee to Protect Journalists".
ORG_CONNECTORS = ("of", "for", "to")


def _name_particle(before: str, particle: str, lex: Lexicon) -> bool:
    """Turkish writes "da"/"de" (also) after a word in vowel harmony with it ("Tusk da");
    a "de" that breaks the harmony is a name particle ("Staffan de Mistura")."""
    if lex.lang != "tr" or particle not in ("da", "de"):
        return True
    vowels = [c for c in before.lower() if c in "aıoueiöü"]
    if not vowels:
        return True
    back = vowels[-1] in "aıou"
    return (particle == "de") == back


@functools.cache
def _titles(lang: str) -> tuple[tuple[str, ...], ...]:
    """Title phrases as word tuples, longest first. English writes a title capitalised
    before a name ("Spokesman Geng Shuang", "Police Chief William McManus") and in lower
    case elsewhere ("the spokesman said"): both forms of every title count."""
    lex = lexicon(lang)
    phrases = {tuple(t.split()) for t in lex.titles}
    if lang == "en":
        phrases |= {tuple(w[:1].upper() + w[1:] for w in t) for t in phrases}
        phrases |= {(t[0][:1].upper() + t[0][1:], *t[1:]) for t in phrases}
    return tuple(sorted(phrases, key=len, reverse=True))


@functools.cache
def _titles_by_first_word(lang: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The titles grouped by their first word, longest first (a title is looked up at
    every word of every run: the full list each time is too slow)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase in _titles(lang):
        out.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(phrases) for first, phrases in out.items()}


@functools.cache
def _honorifics(lang: str) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted({tuple(h.split()) for h in lexicon(lang).honorifics}, key=len,
                        reverse=True))


@functools.cache
def _honorifics_by_first_word(lang: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The honorifics grouped by their first word, longest first (looked up at every
    word of every run, as the titles are)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase in _honorifics(lang):
        out.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(phrases) for first, phrases in out.items()}


_TR_TITLE_INFLECTION = re.compile(
    r"^(?:l[ae]r)?(?:[ıiuü]|s[ıiuü])?(?:n[ıiuü]n|n[ae]|n[ıiuü]|nd[ae]n|nd[ae])?$")


@functools.lru_cache(maxsize=WORD_CACHE)
def _inflected_title(word: str, lang: str) -> bool:
    """ "Sözcülerinden" (one of the spokesmen of), "Temsilcisinin": a title with a
    Turkish plural or case ending."""
    if lang != "tr":
        return False
    for title in _title_heads(lang):
        if word.startswith(title) and len(word) > len(title) and \
                _TR_TITLE_INFLECTION.match(word[len(title):]):
            return True
    return False


@functools.cache
def _title_heads(lang: str) -> tuple[str, ...]:
    """Bare title heads ("Sözcü", "Temsilci", "Bakan") from the lexicon's titles."""
    heads = set()
    for title in lexicon(lang).titles:
        last = title.split()[-1]
        for ending in ("sı", "si", "su", "sü", "ı", "i", "u", "ü"):
            if last.endswith(ending) and len(last) > len(ending) + 3:
                heads.add(last[: -len(ending)])
                break
        else:
            heads.add(last)
    return tuple(sorted((h for h in heads if len(h) >= 4), key=len, reverse=True))


def _place_title(title: _Piece | None, lex: Lexicon) -> bool:
    """A title held for a place ("Valisi", "Belediye Başkanı", "Mayor"): the name before
    it is the place."""
    if title is None:
        return False
    words = [w.text for w in title.words]
    return any(" ".join(words[:len(p.split())]) == p for p in lex.words("names.place_titles"))


def _glued_title(word: str, lang: str) -> bool:
    """ "DevletBakanı": a title glued to the word before it (a typo agencies make)."""
    cut = next((j for j in range(2, len(word) - 3) if word[j].isupper()
                and word[j - 1].islower()), None)
    return cut is not None and (word[cut:],) in _titles_by_first_word(lang).get(word[cut:], ())


def _inflected_phrase(words: list[_Word], i: int, lang: str) -> int:
    """ "Dışişleri Bakanlarının": a title of several words whose last word has a Turkish
    plural or case ending."""
    for phrase in _titles_by_first_word(lang).get(words[i].written, ()):
        n = len(phrase)
        if n < 2 or i + n > len(words) or any(
                w.written != p for w, p in zip(words[i:i + n - 1], phrase[:-1], strict=False)):
            continue
        last, word = phrase[-1], words[i + n - 1].text
        for ending in ("sı", "si", "su", "sü", "ı", "i", "u", "ü", ""):
            stem = last[: len(last) - len(ending)] if ending and last.endswith(ending) else last
            if (not ending or last.endswith(ending)) and word.startswith(stem) and \
                    len(word) > len(stem) and _TR_TITLE_INFLECTION.match(word[len(stem):]):
                return n
    return 0


def _match_title(words: list[_Word], i: int, lang: str) -> int:
    """Words of a title starting at ``i`` ("Genel Sekreteri", "Sözcülerinden"). An
    English possessive is no title before a name: "Prosecutor's Office"."""
    index = _titles_by_first_word(lang)
    candidates = index.get(words[i].written, ())
    if words[i].text != words[i].written:  # "Sekreteri'nin": a one-word title, suffixed
        candidates = (*candidates, *index.get(words[i].text, ()))
    size = _match_words(words, i, sorted(candidates, key=len, reverse=True))
    if size and lang == "en" and _POSSESSIVE.search(words[i + size - 1].written):
        return 0
    if not size and lang == "tr":
        size = _inflected_phrase(words, i, lang)
    if not size and _glued_title(words[i].text, lang):
        size = 1
    return size or (1 if _inflected_title(words[i].text, lang) else 0)


def _match_words(words: list[_Word], i: int, phrases: Iterable[tuple[str, ...]],
                 last_bare: bool = True) -> int:
    for phrase in phrases:
        n = len(phrase)
        if i + n > len(words):
            continue
        if all((w.text if (k == n - 1 and last_bare) else w.written) == p
               for k, (w, p) in enumerate(zip(words[i:i + n], phrase, strict=True))):
            return n
    return 0


def _match_gazetteer(words: list[_Word], i: int, gaz: Gazetteer) -> int:
    most = gaz.first_words.get(words[i].text) or gaz.first_words.get(words[i].written)
    if not most:
        # "Opec" for "OPEC": an acronym written as a word.
        upper = words[i].text.upper()
        return 1 if len(upper) <= 6 and gaz.label(upper) and words[i].text[1:].islower() \
            and len(words[i].text) > 2 else 0
    for n in range(min(most, len(words) - i), 0, -1):
        if any(w.paren for w in words[i:i + n]):
            continue
        name = _Piece("gazetteer", words[i:i + n]).name
        if gaz.label(name):
            return n
    return 0


@dataclass
class _Piece:
    kind: str  # title, honorific, gazetteer, name
    words: list[_Word]

    @property
    def start(self) -> int:
        return self.words[0].start

    @property
    def end(self) -> int:
        return self.words[-1].end

    @property
    def name(self) -> str:
        parts = [w.written.strip("()") for w in self.words[:-1]] + [
            _PLURAL_POSSESSIVE.sub("s", self.words[-1].text)]  # "NBC News'"
        return " ".join(p for p in parts if p)


def _pieces(run: list[_Word], lex: Lexicon, gaz: Gazetteer,
            model: dict[int, str] | None = None, text: str = "") -> list[_Piece]:
    pieces: list[_Piece] = []
    i = 0
    while i < len(run):
        if run[i].paren:
            pieces.append(_Piece("paren", run[i:i + 1]))
            i += 1
            continue
        if i + 1 < len(run) and (not pieces or pieces[-1].kind == "connector") \
                and _modifier(run[i].written, lex):
            # "Former Reserve Bank", "Veteran Reuters", "Pro-Kremlin Izvestia": a word
            # that describes the name is no part of it, even before a head.
            pieces.append(_Piece("connector", run[i:i + 1]))
            i += 1
            continue
        if run[i].written.lower() in CONNECTORS and run[i].written.islower():
            size = 2 if i + 1 < len(run) and run[i + 1].written == "the" else 1
            pieces.append(_Piece("connector", run[i:i + size]))
            i += size
            continue
        # "Rusya ve Ukrayna": "ve" joins two names; so does "of the", "to the".
        after_particle = i > 0 and run[i - 1].written.islower() and \
            run[i - 1].written not in CONNECTORS and not (
                run[i - 1].written == "the" and i > 1 and run[i - 2].written in CONNECTORS)
        in_titled_name = (len(pieces) >= 2 and pieces[-1].kind == "name"
                          and pieces[-2].kind in ("title", "honorific"))
        # "Mustafa Denizli('nin)": a place name with no case ending (or a genitive) right
        # after given names is a surname (many are place names); "Ahmet Ankara'ya" is a
        # person and a place.
        # After a title too ("Müdürü Selim Karadağ"), but "Bakanı Ahmet Yılmaz
        # Brüksel'e" is a person and a place, and so is a name that has its surname
        # ("Vali Ali Kaya Atatürk'ün": Atatürk is another person).
        surname_form = (run[i].text == run[i].written
                        or _GENITIVE_END.search(run[i].written) is not None)
        after_given = (bool(pieces) and pieces[-1].kind == "name"
                       and pieces[-1].words[-1].written in given_names()[0])
        if (pieces and pieces[-1].kind == "name" and len(pieces[-1].words) >= 2
                and _fold(run[i].text) in _calendar_words(lex)):
            # "Bakan Ayşe Demir Pazartesi günü": a day or month written capitalised
            # after a name is a date of its own.
            pieces.append(_Piece("name", [run[i]]))
            i += 1
            continue
        if pieces and pieces[-1].kind == "name" and honorific_after(run[i].text, lex):
            # "Mustafa Kemal Paşa'nın", "Naci Bey": the honorific goes with the name it
            # follows (the canonical name drops it).
            pieces[-1].words.append(run[i])
            i += 1
            continue
        # ... unless a head follows the place: "Vali Ali Kaya İstanbul Valiliği'nde" is a
        # person and an organisation.
        headed = i + 1 < len(run) and (bare_head(run[i + 1].text, lex.org_heads) is not None
                                       or run[i + 1].text in lex.loc_heads)
        for kind, size in (("title", _match_title(run, i, lex.lang)),
                           ("honorific", _match_words(
                               run, i, _honorifics_by_first_word(lex.lang).get(
                                   run[i].written, ()), False)),
                           ("gazetteer", _match_gazetteer(run, i, gaz))):
            if size and kind == "gazetteer" and (after_particle or (
                    ((in_titled_name and len(pieces[-1].words) == 1) or after_given)
                    and size == 1 and surname_form
                    and gaz.label(run[i].text) == "LOC" and not headed)):
                continue  # "Staffan de Mistura", "Müdürü Selim Karadağ": the name goes on
            if size:
                pieces.append(_Piece(kind, run[i:i + size]))
                i += size
                break
        else:
            if pieces and pieces[-1].kind == "name":
                pieces[-1].words.append(run[i])
            else:
                pieces.append(_Piece("name", [run[i]]))
            i += 1
    pieces = _split_person_before_head(pieces, lex, model or {})
    pieces = _split_common(_join_connectors(_join_heads(pieces, lex, gaz, model or {}), lex,
                                            model or {}, gaz),
                           lex)
    pieces = _split_after_place_heads(pieces, lex)
    if lex.lang != "en":
        return pieces
    pieces = _join_venues(_join_model_orgs(pieces, lex, gaz, model or {}, text), lex, gaz)
    pieces = [part for piece in pieces for part in _split_owner(piece, lex, gaz)]
    return [part for piece in pieces for part in _split_role_word(piece, lex)]


def _split_owner(piece: _Piece, lex: Lexicon, gaz: Gazetteer) -> list[_Piece]:
    """ "the ACLU's Jay Stanley", "Axios' Kaveh Waddell": a possessive before a given name,
    or an organisation's possessive before two or more words, ends the owner's name; the
    person starts there."""
    words = piece.words

    def owner_ends(k: int) -> bool:
        if not (_POSSESSIVE.search(words[k].written)
                or _PLURAL_POSSESSIVE.search(words[k].written)):
            return False
        owner = _Piece("name", words[:k + 1]).name
        return words[k + 1].written in given_names()[0] or (
            len(words) - k > 2 and org_evidence(owner, lex, gaz))

    cut = next((k for k in range(len(words) - 1)
                if piece.kind == "name" and owner_ends(k)), None)
    if cut is None and piece.kind == "name" and len(words) >= 3:
        # "UCEA Peter Smith", "City Council Ana Ruiz": an acronym or an organisation
        # head right before a given name and a surname ends the organisation's name.
        cut = next((k for k in range(len(words) - 2)
                    if (bare_head(words[k].text, lex.org_heads)
                        or (k == 0 and is_acronym(words[k].text)))
                    and words[k + 1].written in given_names()[0]), None)
    if cut is None:
        return [piece]
    return [_Piece("name", words[:cut + 1]), _Piece("name", words[cut + 1:])]


def _split_role_word(piece: _Piece, lex: Lexicon) -> list[_Piece]:
    """ "Striker Pablo Arrandiz", "Meteorologist Jose Ruiz": a capitalised noun for a
    person (an agent ending: -er, -ist, -ian ...) the title list lacks, before a given
    name, is the person's role."""
    words = piece.words
    given, family_first = given_names()
    if piece.kind == "name" and len(words) >= 3 and words[-2].written in family_first \
            and not any(w.written in given or w.written in family_first or w.paren
                        for w in words[:-2]):
        # "Water Resources Wang Shucheng" (after "Minister of"): the surname written
        # first starts the person.
        return [_Piece("title", words[:-2]), _Piece("name", words[-2:])]
    if piece.kind != "name" or not 3 <= len(words) <= 5 or words[0].paren \
            or words[0].written in given or words[0].written in family_first \
            or words[0].written.isupper() or words[1].written not in given \
            or not words[0].written.lower().endswith(tuple(lex.words("names.agent_endings"))):
        return [piece]
    return [_Piece("title", words[:1]), _Piece("name", words[1:])]


def _split_common(pieces: list[_Piece], lex: Lexicon) -> list[_Piece]:
    """A name does not go on over a word that is never a name ("Erdoğan Müslüman
    liderlere"): the name piece is cut there (an organisation keeps it: "Russian
    Foreign Ministry")."""
    out: list[_Piece] = []
    for piece in pieces:
        if piece.kind != "name" or len(piece.words) < 2 or bare_head(
                piece.words[-1].text, lex.org_heads):
            out.append(piece)
            continue
        current: list[_Word] = []
        words = piece.words
        i = 0
        while i < len(words):
            # Two-word entries first: "South Korean Yonhap" is no organisation "South".
            pair = " ".join(w.text for w in words[i:i + 2])
            size = 2 if i + 1 < len(words) and pair in lex.not_entities else \
                1 if words[i].text in lex.not_entities else 0
            if size:
                if current:
                    out.append(_Piece("name", current))
                out.append(_Piece("connector", words[i:i + size]))
                current = []
                i += size
                continue
            current.append(words[i])
            i += 1
        if current:
            out.append(_Piece("name", current))
    return out


def _join_model_orgs(pieces: list[_Piece], lex: Lexicon, gaz: Gazetteer,
                     model: dict[int, str], text: str = "") -> list[_Piece]:
    """ "Middle East Eye", "Caribbean Community", "Boston Celtics": a place the gazetteer
    knows, then words that name no person, all inside one name the model reads as an
    organisation (or in an organisation's context: "told the Kyiv Independent"), are
    that organisation (named after its place), not a place and a
    word. A weekday or a month ends it ("Boston Celtics Wednesday night"); an event or a
    place is no organisation ("Beijing Olympic Games", "Wellington Road")."""
    out: list[_Piece] = []
    for piece in pieces:
        before = out[-1] if out else None
        if before is None or before.kind != "gazetteer" or gaz.label(before.name) != "LOC" \
                or piece.kind != "name" or _POSSESSIVE.search(before.words[-1].written):
            out.append(piece)
            continue
        words = list(piece.words)
        cut = next((n for n, w in enumerate(words) if _fold(w.text) in lex.weekdays
                    or _fold(w.text) in lex.months), len(words))
        if cut == 0 or _person_by_name(words[:cut], lex) \
                or bare_head(words[cut - 1].text, lex.words("names.event_heads")) \
                or words[cut - 1].text in lex.loc_heads \
                or not (_inside_model_org(model, before, _Piece("name", words[:cut]))
                        or org_context(text, before.start, words[cut - 1].end, lex)):
            out.append(piece)
            continue
        out[-1] = _Piece("org", [*before.words, *words[:cut]])
        if cut < len(words):
            out.append(_Piece("name", words[cut:]))
    return out


def _join_venues(pieces: list[_Piece], lex: Lexicon, gaz: Gazetteer) -> list[_Piece]:
    """ "Wembley" + "Stadium", "Stadium" + "Australia": one venue, a place (venues.py)."""
    out: list[_Piece] = []
    for piece in pieces:
        before = out[-1] if out else None
        if before is not None and venue_joins(
                before.kind, [w.written for w in before.words], gaz.label(before.name),
                piece.kind, [w.text for w in piece.words], gaz.label(piece.name), lex):
            out[-1] = _Piece("place", [*before.words, *piece.words])
            continue
        out.append(piece)
    return out


def _modifier(word: str, lex: Lexicon) -> bool:
    """A capitalised word that describes the name after it ("Former", "Rival",
    "Pro-Kremlin", "Ex-Google"): the lexicon's ``names.modifiers`` and their prefixes."""
    return word in lex.words("names.modifiers") or (
        word.startswith(_modifier_prefixes(lex)) and not word.endswith("-"))


@functools.cache
def _modifier_prefixes(lex: Lexicon) -> tuple[str, ...]:
    return tuple(m for m in lex.words("names.modifiers") if m.endswith("-"))


def _split_after_place_heads(pieces: list[_Piece], lex: Lexicon) -> list[_Piece]:
    """ "Aydınlar Mahallesi Akdere (mevkiinde)": a place head inside a name ends one
    place; the words after it name another."""
    out: list[_Piece] = []
    for piece in pieces:
        words = piece.words
        cut = next((k for k, w in enumerate(words[:-1]) if w.text in lex.loc_heads
                    and k >= 1 and not bare_head(words[-1].text, lex.org_heads)
                    and words[-1].text not in lex.loc_heads), None)
        if piece.kind != "name" or cut is None:
            out.append(piece)
            continue
        out += [_Piece("name", words[:cut + 1]), _Piece("name", words[cut + 1:])]
    return out


def _join_connectors(pieces: list[_Piece], lex: Lexicon, model: dict[int, str],
                     gaz: Gazetteer) -> list[_Piece]:
    """ "X ve Y ... Müşavirliği", "Organisation of the Petroleum Exporting Countries",
    "Republic of Turkey": a connector joins its neighbours when the whole is one
    organisation or place; otherwise it separates two names ("Lucas Paqueta and
    Philippe Coutinho")."""
    out: list[_Piece] = []
    k = 0
    while k < len(pieces):
        piece = pieces[k]
        j = k
        while j < len(pieces) and pieces[j].kind in ("title", "name"):
            j += 1
        kinds = " ".join(p.kind for p in pieces[k:j])
        if j > k and out and out[-1].kind == "org" and _org_connector(pieces, j) \
                and "title name" not in kinds:
            # "Office of the United Nations High Commissioner for Human Rights": words and
            # titles no person follows, between an organisation's name and its "for"
            # or "of", are part of it.
            out[-1] = _Piece("org", [*out[-1].words, *(w for p in pieces[k:j] for w in p.words)])
            k = j
            continue
        if piece.kind == "connector":
            before = out[-1] if out else None
            after = pieces[k + 1] if k + 1 < len(pieces) else None
            if after is not None and after.kind == "title" and _org_connector(pieces, k) \
                    and (k + 2 == len(pieces) or _org_connector(pieces, k + 2)):
                after = _Piece("name", after.words)  # "Court of Justice of the ..."
            elif after is not None and after.kind == "title" and _org_connector(pieces, k) \
                    and before is not None and before.kind in ("name", "org") \
                    and before.words[0].text in lex.org_heads:
                # "Center for Justice and Accountability", "Institute for Chief Executive
                # Studies": after an organisation head's "for"/"of", title words and the
                # words up to the next connector are the name's, unless a person follows.
                m = k + 1
                while m < len(pieces) and pieces[m].kind in ("title", "name"):
                    m += 1
                if not any(p.kind == "name" and _person_by_name(p.words, lex)
                           for p in pieces[k + 1:m]):
                    after = _Piece("name", [w for p in pieces[k + 1:m] for w in p.words])
                    pieces = [*pieces[:k + 1], after, *pieces[m:]]
            if before is None or after is None or before.kind not in (
                    "name", "gazetteer", "org", "place") or after.kind not in (
                    "name", "org", "gazetteer"):
                k += 1
                continue
            first = before.words[-1].text if before.kind != "name" else before.words[0].text
            of = piece.words[0].written in ORG_CONNECTORS
            if of and before.kind == "name" and len(before.words) == 1 \
                    and _person_noun(before.words[0].text, lex):
                # "Officials of the Committee ...", "Members of the Council ...": people
                # of an organisation, not part of its name.
                k += 1
                continue
            if piece.words[0].written == "and" and before.kind == "org" \
                    and after.kind == "name" \
                    and any(w.written in ORG_CONNECTORS for w in before.words) \
                    and (_inside_model_org(model, before, piece, after) or (
                        k >= 1 and pieces[k - 1].kind == "name" and k + 2 == len(pieces)
                        and not _person_by_name(after.words, lex)
                        and not any(w.written.isupper() for w in after.words))):
                # "Center for Strategic and International Studies", "Department for
                # Work and Pensions": an "and" after an organisation's "for"/"of" and a
                # plain name, before the run's last words (or inside one model span).
                out[-1] = _Piece("org", [*before.words, *piece.words, *after.words])
                k += 2
                continue
            if of and before.kind == "org" and (after.kind in ("name", "org") or (
                    after.kind == "gazetteer" and gaz.label(after.name) == "ORG")):
                # An organisation's name goes on past "of", "for", "to": "Court of Justice
                # of the European Union" (not past a place: "Ministry of Health of Gaza").
                out[-1] = _Piece("org", [*before.words, *piece.words, *after.words])
                k += 2
                continue
            unfinished = before.kind == "name" and not bare_head(before.words[-1].text,
                                                                  lex.org_heads)
            person = before.kind == "name" and before.words[0].text not in lex.org_heads \
                and ((k >= 2 and pieces[k - 1] is before
                      and pieces[k - 2].kind in ("title", "honorific"))
                     or label_by_model(model, before.start, before.end) == "PER")
            if person and of:
                # "Meteorologist Jose Savanguani of the National Meteorological Institute",
                # "John Crabb Jr. of the ... Attorney's Office": a person of an organisation.
                k += 1
                continue
            if (bare_head(after.words[-1].text, lex.org_heads) and (of or unfinished)) or (
                    of and (first in lex.org_heads or (
                        before.kind == "name" and any(w.text in lex.org_heads
                                                      for w in before.words)))):
                out[-1] = _Piece("org", [*before.words, *piece.words, *after.words])
                k += 2
                rest = pieces[k] if k < len(pieces) else None
                if after.kind == "gazetteer" and rest is not None and rest.kind == "name" \
                        and not _person_by_name(rest.words, lex) \
                        and not any(w.text in lex.not_entities for w in rest.words):
                    # "Institute for Middle East Understanding": a place inside the name
                    # does not end it; the words right after the place are the name's too.
                    out[-1] = _Piece("org", [*out[-1].words, *rest.words])
                    k += 1
                continue
            if of and first in lex.loc_heads:
                out[-1] = _Piece("place", [*before.words, *piece.words, *after.words])
                k += 2
                continue
            k += 1
            continue
        out.append(piece)
        k += 1
    return out


def _person_noun(word: str, lex: Lexicon) -> bool:
    """ "Officials", "Members", "Researchers", "Staff": a capitalised noun for people (a
    sentence's first word), in the plural or the lexicon's nouns for people."""
    lower = word.lower()
    singular = lower[:-1] if lower.endswith("s") and len(lower) > 4 else lower
    people = _people_nouns(lex)
    if bare_head(word, lex.org_heads) or bare_head(word[:-1], lex.org_heads):
        return False
    return word in lex.not_entities or lower in people or (
        singular != lower and (singular in people or singular.endswith(
            tuple(lex.words("names.agent_endings")))))


@functools.cache
def _people_nouns(lex: Lexicon) -> frozenset[str]:
    return frozenset({*lex.title_words_any_case, *lex.words("quotes.human_nouns"),
                      *lex.words("names.people_nouns")})


def _inside_model_org(model: dict[int, str], *pieces: _Piece) -> bool:
    """Whether the model reads all of ``pieces`` (and what lies between them) as one
    organisation."""
    return all(model.get(i) == "ORG" for i in range(pieces[0].start, pieces[-1].end))


def _org_connector(pieces: list[_Piece], k: int) -> bool:
    return k < len(pieces) and pieces[k].kind == "connector" \
        and pieces[k].words[0].written in ORG_CONNECTORS


def _split_person_before_head(pieces: list[_Piece], lex: Lexicon, model: dict[int, str]
                              ) -> list[_Piece]:
    """ "Muhtar Ali Kaya Aydınlar Mahallesi'nde": a name ending in an organisation or a
    place head whose first words the model calls a person is that person and the place
    (or organisation) after."""
    if lex.lang != "tr" or not model:
        return pieces
    out: list[_Piece] = []
    for k, piece in enumerate(pieces):
        words = piece.words
        cut = _second_person(piece, k > 0 and pieces[k - 1].kind in ("title", "honorific"),
                             model)
        if cut:
            out += [_Piece("name", words[:cut]), _Piece("name", words[cut:])]
            continue
        if piece.kind == "name" and len(words) >= 3 and (
                bare_head(words[-1].text, lex.org_heads) or words[-1].text in lex.loc_heads):
            person = 0
            while person < len(words) and model.get(words[person].start) == "PER":
                person += 1
            if 1 <= person <= len(words) - 2:
                out += [_Piece("name", words[:person]), _Piece("name", words[person:])]
                continue
        out.append(piece)
    return out


def _second_person(piece: _Piece, titled: bool, model: dict[int, str]) -> int:
    """ "Vali Ali Kaya Atatürk'ün": after a title, a name with its surname (the last word
    no given name) and one more word with a case ending, which the model reads as an
    entity of its own, is two people; the index where the second starts, else 0."""
    words = piece.words
    if piece.kind != "name" or not titled or len(words) < 3:
        return 0
    last = words[-1]
    before = words[-2]
    if (last.text == last.written or before.written in given_names()[0]
            or model.get(before.start) != "PER" or model.get(last.start) != "PER"
            or before.end in model):
        return 0
    return len(words) - 1


def _join_heads(pieces: list[_Piece], lex: Lexicon, gaz: Gazetteer,
                model: dict[int, str] | None = None) -> list[_Piece]:
    """A name or gazetteer piece followed by words ending in an organisation head is one
    organisation: "AB" + "Komisyonu"; "(AB)" between them is dropped: "Avrupa Birliği
    (AB) Komisyonu" gives "AB Komisyonu" as well. So is a name before a gazetteer
    organisation that ends in a head: "Russian" + "Foreign Ministry"."""
    out: list[_Piece] = []
    heads = lex.org_heads
    for piece in pieces:
        # "Ali Kaya Anadolu Ajansı'na": a person before an organisation is no part of it.
        person = bool(out) and out[-1].kind == "name" and lex.lang == "tr" and (
            _person_by_name(out[-1].words, lex) or (model or {}).get(out[-1].start) == "PER")
        if (piece.kind == "gazetteer" and out and ((out[-1].kind == "name" and not person)
                                                   or (out[-1].kind == "gazetteer"
                                                       and gaz.label(out[-1].name) == "LOC"))
                and gaz.label(piece.name) == "ORG" and bare_head(piece.words[-1].text, heads)
                and not (out[-1].kind == "gazetteer"
                         and _POSSESSIVE.search(out[-1].words[-1].written))
                and not (len(out) > 1 and out[-2].kind in ("title", "honorific"))):
            out[-1] = _Piece("org", [*out[-1].words, *piece.words])
            continue
        if (piece.kind == "name" and out and out[-1].kind == "title" and (
                (piece.words[0].text in heads and len(piece.words) == 1)
                or (lex.lang == "en" and bare_head(piece.words[-1].text, heads)
                    and piece.words[0].written not in given_names()[0]))):
            # "Justice Department", "Defense Ministry", "Teacher Retirement System": a
            # title word before a name ending in an organisation head names the
            # organisation, not a person's role.
            out[-1] = _Piece("org", [*out[-1].words, *piece.words])
            continue
        if (piece.kind == "gazetteer" and out and out[-1].kind == "name"
                and len(out[-1].words) == 1 and gaz.label(piece.name) == "LOC"
                and out[-1].words[0].written in lex.words("names.compass_words")):
            # "Kuzey Gazze", "Güney Lübnan": a compass word before a known place.
            out[-1] = _Piece("place", [*out[-1].words, *piece.words])
            continue
        if (lex.lang == "tr" and piece.kind == "name" and out
                and out[-1].kind in ("gazetteer", "org")
                and piece.words[-1].text in lex.loc_heads
                and not (len(out) > 1 and out[-2].kind in ("title", "honorific"))):
            # "Cumhurbaşkanlığı Külliyesi", "Ankara Üniversitesi Kampüsü": a name ending
            # in a place head after an organisation or a known name is one place.
            out[-1] = _Piece("place", [*out[-1].words, *piece.words])
            continue
        if (piece.kind == "name" and out and out[-1].kind in ("gazetteer", "paren")
                and bare_head(piece.words[-1].text, heads)
                and not _POSSESSIVE.search(out[-1].words[-1].written)):  # "China's State"
            before = out[-1]
            if before.kind == "paren":
                out.append(_Piece("org", [*before.words, *piece.words]))
                continue
            out[-1] = _Piece("org", [*before.words, *piece.words])
            continue
        out.append(piece)
    return out


def _label_of(name: str, words: list[_Word], lex: Lexicon, gaz: Gazetteer,
              model: str | None) -> str | None:
    if name in lex.not_entities or not name:
        return None
    if len(words) == 1 and _fold(name) in _calendar_words(lex):
        return "DATE"
    known = gaz.label(name)
    if known:
        return known
    last = words[-1].text
    if _region(words, lex):
        return "LOC"  # "Chiba Prefecture"; "Paris Police Prefecture" is an office
    if bare_head(last, lex.org_heads):
        return "ORG"
    if last in lex.loc_heads or venue_led([w.text for w in words], lex):
        return "LOC"  # "Azteca Stadium", "Stadium Merdeka"
    if len(words) >= 2 and honorific_after(last, lex):
        return "PER"  # "Naci Bey", "Enver Paşa"
    if len(words) > 2 and words[1].written.islower():  # "Banque de France", "Republic of"
        if words[0].text in lex.org_heads:
            return "ORG"
        if words[0].text in lex.loc_heads:
            return "LOC"
    if bare_head(last, lex.words("names.event_heads")):
        return "MISC"  # "NATO Zirvesi": an event
    if any(last.endswith(suffix) and len(last) > len(suffix) + 2
           for suffix in lex.org_suffixes):
        return "ORG"  # "Konyaspor"
    if len(words) == 1 and last.isupper() and 3 <= len(last) <= 8 and model is None:
        return "ORG"  # an acronym no list knows ("TÜBİTAK"): most are organisations
    return model


def _region(words: list[_Word], lex: Lexicon) -> bool:
    """ "Chiba Prefecture": a region head after one word is a region; after more words
    ("Paris Police Prefecture") it is the office (``names.region_heads``)."""
    return len(words) == 2 and words[-1].text in lex.words("names.region_heads")


@dataclass
class Names:
    """A document's mentions and the index of its people's names (built once, used by
    the quote layer too)."""

    mentions: list[Mention]
    people: PersonIndex


def resolve_entities(text: str, spans: list[tuple[str, int, int]], lang: str,
                     gaz: Gazetteer | None = None) -> list[Mention]:
    """``spans`` are the model's (label, start, end); returns the document's mentions."""
    return resolve_names(text, spans, lang, gaz).mentions


def resolve_names(text: str, spans: list[tuple[str, int, int]], lang: str,
                  gaz: Gazetteer | None = None, agency: str | None = None) -> Names:
    """The document's mentions and its people, from the model's spans and the text
    (``agency``: the outlet the cleaner's dateline credits, an organisation wherever the
    body names it)."""
    gaz = gaz or load_gazetteer()
    lex = lexicon(lang)
    model = _model_labels(text, spans)
    mentions: list[Mention] = []
    for p_start, p_end in _paragraph_spans(text):
        paragraph = text[p_start:p_end]
        credits = _credits(text, p_start, p_end, lex)
        mentions += credits
        if _shouting(paragraph):
            continue  # a headline in capitals: its words are not names as written
        # English: only the dateline's place is skipped, so that "HOUSTON, Texas (KTRK)
        # -" keeps its state; what the runs find inside a credit goes.
        skip = max((m.end for m in credits if m.source == "dateline"
                    and (lex.lang != "en" or m.label == "LOC")), default=p_start)
        skip = skip + 2 if skip > p_start else skip
        outlets = [(m.start, m.end) for m in credits if m.label == "ORG"]
        for run in _runs(text, p_start, p_end, lex, model):
            mentions += [m for m in _run_mentions(text, run, lex, gaz, model, skip)
                         if lex.lang != "en"
                         or not any(s < m.end and m.start < e for s, e in outlets)]
    mentions += [Mention(text[s:e], s, e, MODEL_LABELS[label.upper()], base_name(text[s:e]))
                 for label, s, e in spans
                 if MODEL_LABELS.get(label.upper()) in ("DATE", "MONEY")]
    if lex.lang == "en":
        mentions = _function_word_names(text, mentions, gaz)
    mentions = _dedupe(mentions)
    if lex.lang == "en":
        mentions = _respan(text, mentions, road_spans(text, lex, gaz), "LOC")
        mentions = _respan(text, mentions, listed_organisations(text, lex), "ORG")
        _speakers_are_people(text, mentions, lex, gaz)
    return consolidate(text, mentions, gaz, lex, agency)


def _respan(text: str, mentions: list[Mention], spans: list[tuple[int, int, str]],
            label: str) -> list[Mention]:
    """Mentions for spans another rule found whole ("Interstate 10", each company of
    "A, B and C airlines"): the mentions they overlap go (a dateline's stay)."""
    for s, e, name in spans:
        if any(m.start < e and s < m.end and m.source == "dateline" for m in mentions):
            continue
        mentions = [m for m in mentions if not (m.start < e and s < m.end)]
        mentions.append(Mention(text[s:e], s, e, label, name, source="text"))
    return sorted(mentions, key=lambda m: (m.start, -(m.end - m.start)))


def _function_word_names(text: str, mentions: list[Mention], gaz: Gazetteer
                         ) -> list[Mention]:
    """ "Doctors without Borders", "Coordinator Save the Children": a gazetteer name
    whose inner function word is written in either case is one name (a run of
    capitalised words ends at "without" or "the"); the pieces found inside it go."""
    pattern = gaz.function_word_pattern
    if pattern is None:
        return mentions
    for found in pattern.finditer(text):
        s, e = found.span()
        if any(m.start < e and s < m.end and (m.end - m.start) > e - s for m in mentions):
            continue
        written = re.sub(r"\s+", " ", found.group()).lower()
        # The gazetteer's own form (the article's, but for the case of a function word).
        canonical = next(n for n in gaz.labels if n.lower() == written)
        mentions = [m for m in mentions if not (s <= m.start and m.end <= e)]
        mentions.append(Mention(found.group(), s, e, gaz.label(canonical) or "ORG",
                                canonical, source="gazetteer"))
    return mentions


_SAID_BEFORE = re.compile(r"\b(?:said|says)\s+(?:[A-Z][\w.-]*\s+){0,2}$")


@functools.cache
def _speech_verbs(lang: str) -> re.Pattern[str]:
    """ "Tipsarevic said", "said Tipsarevic": a finite verb of speech next to a name."""
    lex = lexicon(lang)
    forms = sorted((f for f, lemma in lex.verbs.items() if lemma in lex.words(
        "names.speech_lemmas") and not f.endswith("ing")), key=len, reverse=True)
    return re.compile(r"\s+(?:" + "|".join(map(re.escape, forms)) + r")\b")


def _speakers_are_people(text: str, mentions: list[Mention], lex: Lexicon,
                         gaz: Gazetteer) -> None:
    """The weak model calls many people ORG or LOC. A name that is the subject of a
    speech verb ("Tipsarevic said", "said Tipsarevic") is a person, unless something
    besides the model says otherwise (the gazetteer, an organisation or place head, an
    acronym); so is every longer name of the document that ends with it ("Janko
    Tipsarevic")."""
    verbs = _speech_verbs(lex.lang)

    def vouched(m: Mention) -> bool:
        words = m.canonical.split()
        return bool(gaz.label(m.canonical) or bare_head(words[-1], lex.org_heads)
                    or words[-1] in lex.loc_heads or m.canonical.isupper()
                    or m.canonical in lex.agencies
                    or (m.label == "ORG" and _org_noun_before(text, m.start, lex))
                    or org_context(text, m.start, m.end, lex)
                    or org_evidence(m.canonical, lex, gaz))

    suspects = {m.canonical.split()[-1] for m in mentions
                if m.label in ("ORG", "LOC", "PER") and not vouched(m)}
    speakers = set()
    for word in suspects:
        for start, end in word_spans(text, word, "'’", "'’-"):
            before = text[max(0, start - 40):start]
            if verbs.match(text, end) or _SAID_BEFORE.search(before):
                speakers.add(word)
                break
    for m in mentions:
        if m.label in ("ORG", "LOC") and not vouched(m) and \
                m.canonical.split()[-1] in speakers:
            m.label = "PER"


def headline_names(title: str | None, names: Names, lang: str,
                   gaz: Gazetteer | None = None) -> list[Mention]:
    """Names in the headline, which stanza does not read (offsets index the title; the
    origin says so: "headline"). Headlines are often in title case, so capitals prove
    nothing there: a name counts when the body names it (a headline's "Zuckerberg" is
    the body's "Mark Zuckerberg") or the gazetteer knows it."""
    if not title or not title.strip() or _shouting(title):
        return []
    gaz = gaz or load_gazetteer()
    lex = lexicon(lang)
    forms: dict[str, tuple[str, str]] = {}
    for m in names.mentions:
        if m.label in NAME_LABELS and m.source != "dateline":
            forms.setdefault(m.canonical, (m.label, m.canonical))
    for short, full in names.people.short_forms().items():
        forms.setdefault(short, ("PER", full))
    out: list[Mention] = []

    def free(s: int, e: int) -> bool:
        return not any(m.start < e and s < m.end for m in out)

    for surface in sorted(forms, key=len, reverse=True):
        if surface in lex.not_entities:
            continue
        for s, e in word_spans(title, surface, "'’", case_ending=True):
            if free(s, e):
                label, canonical = forms[surface]
                out.append(Mention(title[s:e], s, e, label, canonical, source="headline"))
    for run in _runs(title, 0, len(title), lex, {}):
        for piece in _pieces(run, lex, gaz):
            label = gaz.label(piece.name) if piece.kind == "gazetteer" else (
                "LOC" if piece.kind == "name" and is_place_name(piece.name, title, lex)
                else None)
            if label and free(piece.start, piece.end):
                out.append(Mention(title[piece.start:piece.end], piece.start, piece.end,
                                   label, piece.name, source="headline"))
    return sorted(out, key=lambda m: m.start)


def dateline_names(dateline: str | None, lang: str) -> list[Mention]:
    """The dateline's place(s) as the cleaner kept them ("Brüksel", "Kadıköy/İstanbul"):
    offsets index ``articles.dateline``."""
    out = []
    start = 0
    for part in (dateline or "").split("/"):
        name = part.strip()
        if name:
            at = dateline.index(name, start)  # type: ignore[union-attr]
            out.append(Mention(name, at, at + len(name), "LOC", name, source="dateline"))
            start = at + len(name)
    return out


def agency_names(agency: str | None) -> list[Mention]:
    """The agency the dateline credits ("Reuters" of "BRUSSELS (Reuters) -") as the
    cleaner kept it in ``articles.agency``: an organisation of the article, whose offsets
    index that column."""
    name = (agency or "").strip()
    if not name:
        return []
    at = agency.index(name)  # type: ignore[union-attr]
    return [Mention(name, at, at + len(name), "ORG", name, source="agency")]


def _model_labels(text: str, spans: list[tuple[str, int, int]]) -> dict[int, str]:
    """Character offset -> the model's label there (PER/ORG/LOC/DATE/MONEY)."""
    out: dict[int, str] = {}
    for label, start, end in spans:
        mapped = MODEL_LABELS.get(label.upper(), "MISC")
        for i in range(start, end):
            out[i] = mapped
    return out


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text)]


def _shouting(paragraph: str) -> bool:
    letters = "".join(filter(str.isalpha, paragraph))
    return len(letters) > 12 and sum(map(str.isupper, letters)) > 0.8 * len(letters)


def _titlecase(word: str, lang: str) -> str:
    if lang == "tr":
        return word[:1] + word[1:].replace("I", "ı").replace("İ", "i").lower()
    return word[:1] + word[1:].lower()


def _credits(text: str, p_start: int, p_end: int, lex: Lexicon) -> list[Mention]:
    """A dateline's city and agency ("BRÜKSEL (AA) -", "MOSCOW, February 3. /TASS/."),
    and an agency credited at a paragraph's end ("... dedi. (DHA)")."""
    out: list[Mention] = []
    paragraph = text[p_start:p_end]
    dateline = _DATELINE.match(paragraph)
    if dateline and len(dateline.group("city").strip()) > 2:
        city = dateline.group("city").strip()
        name = " ".join(_titlecase(w, lex.lang) for w in city.split())
        out.append(Mention(city, p_start, p_start + len(city), "LOC", name, source="dateline"))
        credit = _CREDIT.search(paragraph, dateline.end("city"), dateline.end())
        if credit and credit.group("agency").strip() in lex.agencies:
            s = p_start + credit.start("agency")
            agency = credit.group("agency").strip()
            out.append(Mention(agency, s, s + len(agency), "ORG", agency, source="dateline"))
    source = _SOURCE_DATELINE.match(paragraph) if lex.lang == "en" else None
    if source and not any(m.label == "ORG" for m in out) and all(
            w[:1].isupper() for w in source.group("source").split()):
        # An outlet no list knows, or a dateline in mixed case ("Kestrel, Jan. 31
        # (Harbour Wire) –"): the outlet is an organisation, never the person the model
        # sees in it, and the place before it is the dateline's.
        if not out:
            city = source.group("city").strip()
            out.append(Mention(city, p_start, p_start + len(city), "LOC", city,
                               source="dateline"))
        s, e = p_start + source.start("source"), p_start + source.end("source")
        out.append(Mention(text[s:e], s, e, "ORG", text[s:e], source="dateline"))
    tail = re.search(r"\((?P<agency>[^()]{2,20})\)\s*$", paragraph)
    if tail and tail.group("agency") in lex.agencies:
        s = p_start + tail.start("agency")
        out.append(Mention(tail.group("agency"), s, s + len(tail.group("agency")), "ORG",
                           tail.group("agency"), source="credit"))
    return out


def _run_mentions(text: str, run: list[_Word], lex: Lexicon, gaz: Gazetteer,
                  model: dict[int, str], skip_until: int = 0) -> list[Mention]:
    """Mentions of one run of name words (``skip_until``: a dateline before it)."""
    out: list[Mention] = []
    pieces = _pieces(run, lex, gaz, model, text)
    role_start = pieces[0].start if pieces else 0
    title_end: int | None = None  # end of the last title since the last person
    titled = False  # a title or an honorific right before
    for k, piece in enumerate(pieces):
        following = pieces[k + 1] if k + 1 < len(pieces) else None
        if piece.kind in ("title", "honorific"):
            if piece.kind == "title":
                title_end = piece.end
            titled = True
            continue
        if piece.kind == "connector" or piece.start < skip_until:
            continue
        if piece.kind == "paren" and following is not None and following.kind == "name":
            continue  # "(Boris) Johnson": the first name goes with the next piece
        was_titled, titled = titled, False
        name, words = piece.name, piece.words
        model_label = label_by_model(model, piece.start, piece.end)
        if piece.kind == "paren":
            label = gaz.label(name) or ("ORG" if name.isupper() and len(name) <= 6 else None)
            if label:
                out.append(Mention(words[0].written, words[0].start, words[0].end, label,
                                   name, source="text"))
            continue
        if piece.kind == "gazetteer":
            label = gaz.label(name) or gaz.label(name.upper())
        elif piece.kind in ("org", "place"):
            label = "ORG" if piece.kind == "org" and not _region(words, lex) else "LOC"
            name = _collapse_parenthesis(piece) or " ".join(
                [*(w.written for w in words[:-1] if not w.paren), words[-1].text])
        else:
            known = _label_of(name, words, lex, gaz, None)
            before_title = following is not None and following.kind == "title"
            if k == 0 and not was_titled and role_before(text, piece.start, lex):
                was_titled = True
            context = _context_label(text, piece, following, lex)
            if known:
                label = known
            elif _person_by_name(words, lex):
                label = "PER"
            elif ((not was_titled and _acronym_led(words))
                  or (k == 0 and _org_noun_before(text, piece.start, lex))):
                label = "ORG"
            elif context and not was_titled:
                label = context
            elif was_titled:
                label = "PER"
            elif before_title and _place_title(following, lex):
                label = "LOC"  # "Keçiören Belediye Başkanı", "Aydın Valisi": a place's office
            elif before_title:
                label = model_label if model_label in ("ORG", "LOC") else None  # the role's
            elif ((model_label in ("PER", "ORG", "MISC") or len(words) >= 2)
                  and is_place_name(name, text, lex)):
                # "Aceh", "Idlib", "S. Korea": an ISO 3166 place the model labelled otherwise.
                # Not one word the model left unlabelled: a lone surname is often an ISO
                # subdivision's name too, and as a place it lost its quotes' speaker.
                label = "LOC"
            elif model_label == "LOC" and _institution_slot(text, piece, lex, gaz):
                label = "ORG"  # "a letter to the Blue Chamber": a body named like a place
            elif model_label:
                label = model_label
            elif len(words) >= 2 and org_evidence(name, lex, gaz):
                label = "ORG"  # "Progressive Caucus": a head inside the run, no model label
            elif len(words) >= 2 and is_place_name(words[-1].text, text, lex):
                label = "LOC"  # "Banda Aceh": no given name, an ISO 3166 place last
            else:
                label = "PER" if len(words) >= 2 and words[0].text not in lex.not_entities \
                    else None
        if piece.kind != "gazetteer":
            head = bare_head(words[-1].text, lex.org_heads)
            if head and head != words[-1].text and name.endswith(words[-1].text):
                # "Hazine ve Maliye Bakanlığının" -> "... Bakanlığı": no case ending
                name = name[:-len(words[-1].text)] + head
        if label == "DATE":
            out.append(Mention(text[piece.start:piece.end], piece.start, piece.end, "DATE",
                               name, source="text"))
            continue
        if label not in ("PER", "ORG", "LOC", "MISC") or name in lex.not_entities:
            continue
        role = None
        if label == "PER":
            role = (text[role_start:title_end].strip(" ,") if title_end is not None
                    else role_before(text, piece.start, lex))
            rank = honorific_after(words[-1].text, lex)
            name = _person_name(pieces, k, strip_honorifics_after(
                _strip_honorifics(name, lex), lex))
            if role is None and rank in lex.words("names.rank_honorifics"):
                role = rank  # "Enver Paşa": a rank, the only role the article gives
            title_end = None
            role_start = following.start if following else piece.end
        start = piece.start
        number = _number_before(text, piece, k, lex) if label in ("ORG", "LOC") else None
        if number is not None:
            start, name = number.start(), f"{number.group()} {name}"
        if label == "LOC" and piece.kind == "name":
            start, name = _place_word_before(text, start, name, lex)
        out.append(Mention(text[start:piece.end], start, piece.end, label, name,
                           role, source="title" if was_titled else "text"))
    return out


_WORD_BEFORE = re.compile(r"(?<![\w-])([A-Z][a-z]+) $")


def _place_word_before(text: str, start: int, name: str, lex: Lexicon) -> tuple[int, str]:
    """ "New Hampshire", "New Mexico": a capitalised word the run left out ("New" is
    never a name alone) that makes an ISO 3166 place with the name."""
    found = _WORD_BEFORE.search(text, max(0, start - 20), start)
    if found and is_place_name(f"{found.group(1)} {name}", text, lex):
        return found.start(1), f"{found.group(1)} {name}"
    return start, name


_NUMBER_BEFORE = re.compile(r"(?<![\d.,])\d{1,3}(?= $)")


def _number_before(text: str, piece: _Piece, k: int, lex: Lexicon) -> re.Match[str] | None:
    """ "112 Acil Çağrı Merkezi", "15 Temmuz Şehitler Köprüsü", "1 Mayıs Meydanı": a
    number right before an organisation or a place named by its head is part of its
    name when the name starts with a month (a date named) or the number is a
    three-digit service line."""
    if lex.lang != "tr" or k != 0 or not (
            bare_head(piece.words[-1].text, lex.org_heads) or piece.words[-1].text in
            lex.loc_heads):
        return None
    found = _NUMBER_BEFORE.search(text, max(0, piece.start - 5), piece.start)
    if found is None:
        return None
    month = _fold(piece.words[0].text) in lex.months and len(piece.words) > 1
    return found if month or (len(found.group()) == 3 and found.group()[0] == "1") else None


_ROLE_BEFORE = re.compile(r"(?<![\w-])([\w-]+),\s+$")
_APPOSITION = re.compile(r",\s+(?:(?:the|a|an|its|his|her)\s+)?((?:[\w-]+\s*){1,4})")
_PLACE_CASE = re.compile(r"[’'´](?:d[ae]|t[ae]|d[ae]n|t[ae]n|d[ae]ki|t[ae]ki)$")


def _context_label(text: str, piece: _Piece, following: _Piece | None, lex: Lexicon
                   ) -> str | None:
    """What the words around a name say it is: an apposition with a title makes a
    person ("Ali al-Nuaimi, the Oil Minister"); a place noun makes a place ("the city
    of Nimes", "Lahey kentinde"), and so does a place's case ("in Pidie", "Honaz'da")."""
    after = text[piece.end:piece.end + 60]
    before = text[max(0, piece.start - 30):piece.start]
    first_after = after.split()[:1]
    if first_after and first_after[0].lower() in lex.words("names.person_after"):
        return "PER"  # "Ayşe Kaya isimli öğretmen"
    role = _ROLE_BEFORE.search(before)
    if role and after.startswith(",") and len(piece.words) >= 2 and (
            role.group(1) in lex.title_words_any_case
            or role.group(1).lower() in lex.title_words_any_case):
        return "PER"  # "the region's prefect, Tyler Fenwick, says": a role's apposition
    if org_context(text, piece.start, piece.end, lex):
        return "ORG"
    if following is None:
        # "Ali al-Nuaimi, the Oil Minister", "Tedros Adhanom, WHO director-general,"
        apposition = _APPOSITION.match(after)
        if apposition and any(w in lex.title_words_any_case
                              for w in apposition.group(1).split()):
            return "PER"
    folded_after = after.lower().split()
    if folded_after and any(folded_after[0].startswith(n) for n in lex.place_nouns_after):
        return "LOC"
    words_before = before.lower().split()
    if len(words_before) >= 2 and words_before[-1] == "of" and words_before[-2] in \
            lex.place_nouns_before:
        return "LOC"
    if words_before and words_before[-1] in ("in", "near") and len(piece.words) == 1:
        return "LOC"
    if lex.lang == "tr" and len(piece.words) == 1 and _PLACE_CASE.search(
            piece.words[-1].written):
        return "LOC"
    return None


def _institution_slot(text: str, piece: _Piece, lex: Lexicon, gaz: Gazetteer) -> bool:
    """ "a letter to the Blue Chamber", "a professor of the Harbour Academy": two
    capitalised words the gazetteer does not know, with no place head, after "to the",
    "of the", "by the" (``names.institution_slots``) name an institution; a place there
    takes "in the" or names its kind ("the city of ...")."""
    words = piece.words
    before = text[max(0, piece.start - 20):piece.start]
    return (lex.lang == "en" and len(words) == 2 and not gaz.label(piece.name)
            and not any(gaz.label(w.text) or w.text in lex.loc_heads
                        or w.text in lex.not_entities for w in words)
            and any(before.endswith(f" {slot} ") for slot in lex.words("names.institution_slots")))


_WORD_AFTER = re.compile(r"(?:[’']s?)?\s+([a-z-]+(?:\s+[a-z]+)?)")


@functools.cache
def _org_source_endings(lex: Lexicon) -> tuple[str, ...]:
    """ "told the ", "according to the ": what ends the text before a source's name."""
    return tuple(f"{phrase} the " for phrase in lex.words("names.org_source_before"))


def org_context(text: str, start: int, end: int, lex: Lexicon) -> bool:
    """What the words around a name say of an organisation (English): a noun for an
    outlet or its spokesman after it ("the Harbour Light newspaper", "a Kestrel Hall
    spokesman"); a phrase that names a source or a listener before "the" and it ("told
    the Harbour Light", "according to the Harbour Light"); or "the" before it and a
    reporting verb after it ("the Harbour Light reported"): people take no article, and
    places do not report."""
    if lex.lang != "en" or text[start:end].endswith(
            tuple(lex.words("names.adjective_endings"))):
        return False  # "the Doha-based broadcaster"
    after = text[end:end + 40].lower()
    before = text[max(0, start - 40):start].lower()
    if before.endswith(_org_source_endings(lex)):
        return True
    word_after = _WORD_AFTER.match(after)
    if word_after is None:
        return False
    following = word_after.group(1).split()
    if following[0] in lex.words("names.org_nouns_after") \
            or " ".join(following) in lex.words("names.org_nouns_after"):
        return True
    return before.endswith("the ") and (
        following[0] in lex.words("names.org_verbs_after") or (
            following[0] in lex.verbs and not following[0].endswith("ing")))


def _org_noun_before(text: str, start: int, lex: Lexicon) -> bool:
    """ "German steelmaker Rheinwerk Stahl", "equipment maker Philips": a noun for an
    organisation right before a name makes it one."""
    words = text[max(0, start - 40):start].split()
    return bool(words) and words[-1] in lex.org_references and words[-1].islower()


def _strip_honorifics(name: str, lex: Lexicon) -> str:
    for honorific in sorted(lex.honorifics, key=len, reverse=True):
        if name.startswith(honorific + " "):
            return name[len(honorific) + 1:]
    return name


def _collapse_parenthesis(piece: _Piece) -> str | None:
    """ "Avrupa Birliği (AB) Komisyonu" -> "AB Komisyonu" (the org piece holds "(AB)")."""
    if not piece.words[0].paren:
        return None
    abbreviation = piece.words[0].written.strip("()")
    rest = [w.written for w in piece.words[1:-1]] + [piece.words[-1].text]
    return " ".join([abbreviation, *rest])


def _person_name(pieces: list[_Piece], k: int, name: str) -> str:
    """ "(Boris) Johnson" -> "Boris Johnson"."""
    if k and pieces[k - 1].kind == "paren":
        first = pieces[k - 1].name
        if first[:1].isupper() and not first.isupper():
            return f"{first} {name}"
    return name


def label_by_model(model: dict[int, str], start: int, end: int) -> str | None:
    """The label the model gave most of the characters from ``start`` to ``end``; on a
    tie, the one it gave first. (Picking from a set broke ties by the strings' hashes,
    which Python seeds per process: one name, "Çarşamba... Perşembe", came out PER in
    one process and LOC in another.)"""
    labels = [model[i] for i in range(start, end) if i in model]
    if not labels:
        return None
    best = max(dict.fromkeys(labels), key=labels.count)
    return best if best in NAME_LABELS else None


def role_before(text: str, start: int, lex: Lexicon, max_words: int = 8,
                include_title: bool = True) -> str | None:
    """The role right before a name ("... Dışişleri Bakanı Mevlüt Çavuşoğlu",
    "spokesman Christian Lindmeier"): the run of capitalised words, connectors and
    title words that ends in a title word."""
    head = text[max(0, start - 200):start]
    words = head.split()
    if not words:
        return None
    last = strip_suffix(words[-1].strip(",;:"))
    if include_title and last not in lex.title_words and last.lower() not in lex.title_words:
        return None
    if words[-1].endswith((",", ";", ":", ".")):
        return None
    run: list[str] = []
    for word in reversed(words):
        bare = word.strip("()")
        if len(run) >= max_words or not bare or bare.endswith((",", ";", ":", "\"", "”")):
            break
        if bare[:1].isupper() or bare in lex.title_words or bare.lower() in lex.title_words \
                or bare in ("ve", "and", "of", "for", "de", "du") or bare.startswith("("):
            run.append(word)
            continue
        break
    while run and run[-1] in ("ve", "and", "of", "for", "de", "du"):
        run.pop()
    role = " ".join(reversed(run)).strip(" ,")
    return role or None


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    """One mention per span: the longest wins where spans overlap, except that a
    parenthesised abbreviation inside a longer one stays ("AB" in "AB Komisyonu")."""
    mentions.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in mentions:
        if any(k.start <= m.start and m.end <= k.end and (k.start, k.end) != (m.start, m.end)
               and k.canonical.split()[0] != m.canonical for k in kept) and m.source != "text":
            continue
        if any((k.start, k.end, k.canonical) == (m.start, m.end, m.canonical) for k in kept):
            continue
        kept.append(m)
    return kept


def consolidate(text: str, mentions: list[Mention], gaz: Gazetteer,
                lex: Lexicon | None = None, agency: str | None = None) -> Names:
    """Document-level names: a shorter form of a person's name is that person; a name
    seen as a person once is a person everywhere; roles carry over."""
    # The outlet a dateline credits is that organisation everywhere in the article.
    outlets = {m.canonical for m in mentions if m.source == "dateline" and m.label == "ORG"}
    outlets |= {agency.strip()} if agency and agency.strip() else set()
    for m in mentions:
        if m.canonical in outlets:
            m.label = "ORG"
    people = [m.canonical for m in mentions if m.label == "PER" and len(m.canonical.split()) > 1]
    people.sort(key=lambda n: -len(n.split()))
    index = PersonIndex(people)
    per_names = {m.canonical for m in mentions if m.label == "PER"}
    org_short: dict[str, str] = {}
    for m in mentions:
        words = m.canonical.split()
        if m.label == "ORG" and len(words) > 1 and not gaz.label(m.canonical) \
                and not gaz.label(words[0]):
            org_short.setdefault(words[0], m.canonical)
    roles: dict[str, str] = {}
    lex = lex or lexicon("tr")
    for m in mentions:
        if m.label not in (*NAME_LABELS, "MISC"):
            continue
        full = index.full_name(m.canonical)
        if m.label == "ORG" and org_evidence(m.canonical, lex, gaz):
            full = None  # "Miami-Dade Police" in "Miami-Dade Police Detective X"
        if full and full != m.canonical and (m.label == "PER" or len(m.canonical.split()) == 1
                                             or not gaz.label(m.canonical)):
            # "Karadağ" is a country, but in an article about Selim Karadağ it is him.
            m.canonical, m.label = full, "PER"
        elif not gaz.label(m.canonical) and (full or m.canonical in per_names) and not (
                m.label == "ORG" and org_evidence(m.canonical, lex, gaz)):
            m.label = "PER"
        elif m.label == "ORG" and m.canonical in org_short:
            m.canonical = org_short[m.canonical]  # "Cobalt" for "Cobalt Biosciences"
        if m.label == "PER" and m.role:
            roles.setdefault(m.canonical, m.role)
    if lex.lang == "en":
        company_short_forms(text, mentions, gaz, lex)
    # Surnames the model and the runs missed ("... diyen Stoltenberg,").
    taken = [(m.start, m.end) for m in mentions]
    extra = []
    for short, full in index.short_forms().items():
        if short in lex.not_entities or gaz.label(short):
            continue
        for s, e in word_spans(text, short, "'’", case_ending=True):
            if not any(a < e and s < b for a, b in taken):
                extra.append(Mention(text[s:e], s, e, "PER", full, source="document"))
                taken.append((s, e))
    for m in [*mentions, *extra]:
        if m.label == "PER" and not m.role:
            m.role = roles.get(m.canonical)
    return Names(sorted([*mentions, *extra], key=lambda m: (m.start, -m.end)), index)


def promote_speakers(text: str, mentions: list[Mention], speakers: Iterable[str], lang: str,
                     gaz: Gazetteer | None = None) -> list[Mention]:
    """People the quote layer found speaking are people: their mentions labelled ORG or
    LOC by the model become PER, and a speaker the name layer missed altogether
    ("Rutte, …" at the start of a sentence) gets its mentions."""
    gaz = gaz or load_gazetteer()
    lex = lexicon(lang)
    people = {name for name in speakers if name and not gaz.label(name)
              and not bare_head(name.split()[-1], lex.org_heads)
              and not org_evidence(name, lex, gaz) and name not in lex.not_entities}
    if not people:
        return mentions
    for m in mentions:
        if m.canonical in people and m.label in ("ORG", "LOC", "MISC") \
                and not org_context(text, m.start, m.end, lex):
            m.label = "PER"
    known = {m.canonical for m in mentions}
    taken = [(m.start, m.end) for m in mentions]
    added = []
    for name in people - known:
        for s, e in word_spans(text, name, "'’", case_ending=True):
            if not any(a < e and s < b for a, b in taken):
                added.append(Mention(text[s:e], s, e, "PER", name, source="document"))
    return sorted([*mentions, *added], key=lambda m: (m.start, -m.end))


class PersonIndex:
    """Full names of a document's people and the shorter forms that refer to them:
    surnames ("Juncker"), surnames with particles ("von der Leyen", "De Mistura"), and
    any single word of a name that no other person shares ("Qin", "Ban")."""

    def __init__(self, full_names: Iterable[str]) -> None:
        self.full: list[str] = []
        for name in sorted(set(full_names), key=lambda n: (-len(n.split()), n)):
            if not any(self._part_of(name, other) for other in self.full):
                self.full.append(name)
        counts: dict[str, set[str]] = {}
        for name in self.full:
            words = name.split()
            for w in words:
                counts.setdefault(_fold(w), set()).add(name)
                head, _, rest = w.partition("-")
                if rest and head.islower():  # "al-Falih" is also "Falih"
                    counts.setdefault(_fold(rest), set()).add(name)
            for k in range(1, len(words)):
                counts.setdefault(_fold(" ".join(words[k:])), set()).add(name)
        self.by_form = {form: next(iter(names)) for form, names in counts.items()
                        if len(names) == 1}

    @staticmethod
    def _part_of(short: str, full: str) -> bool:
        s, f = _fold(short).split(), _fold(full).split()
        return len(s) < len(f) and any(f[i:i + len(s)] == s for i in range(len(f) - len(s) + 1))

    def full_name(self, name: str) -> str | None:
        if name in self.full:
            return name
        folded = _fold(name)
        found = self.by_form.get(folded)
        if found:
            return found
        return next((f for f in self.full if self._part_of(name, f)), None)

    def short_forms(self) -> dict[str, str]:
        """Single words that name one person of the document ("Juncker", "Ban",
        "Villeroy", "Nuaimi"), written as in the full name, for finding the mentions the
        model missed."""
        out = {}
        for name in self.full:
            for word in name.split():
                for part in (word, word.partition("-")[2]):
                    if len(part) > 2 and part[:1].isupper() and \
                            self.by_form.get(_fold(part)) == name:
                        out[part] = name
        return out


_TURKISH_LETTER = re.compile(r"[çğışöüÇĞİŞÖÜ]")


@functools.lru_cache(maxsize=WORD_CACHE)
def _fold(text: str) -> str:
    return text.replace("İ", "i").replace("I", "ı").casefold() if _TURKISH_LETTER.search(
        text) else text.casefold()
