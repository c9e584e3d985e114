"""Evidence that a name is an organisation, strong enough to outweigh a guess that it
is a person.

Several layers turn names into people: a capitalised run nobody labelled, a name the
quote layer saw speaking ("the Ministry of Education said"), a shorter form of a
person's name. An organisation is none of these when the name itself says so: the
gazetteer lists it as one, an organisation head stands anywhere in it ("Ministry of
Education", "Miami-Dade Police"), it ends in a company suffix ("Microsoft Corp"), or it
is an acronym ("UCEA", "VH1", "U.N."): people's initials are written with dots and a
surname is never all capitals in running text. The heads and suffixes are the
lexicon's (``names.org_heads``).
"""

from __future__ import annotations

import re
from typing import Protocol

from newswire.nlp.lexicon import Lexicon

# An acronym: two to eight capitals (digits allowed after the first: "VH1", "ABC13"),
# or dotted capitals ("U.N.", "U.S."). Turkish capitals count.
_ACRONYM = re.compile(r"^(?:[A-ZÇĞİÖŞÜ][A-ZÇĞİÖŞÜ0-9&]{1,7}|(?:[A-Z]\.){2,4})$")
_POSSESSIVE = re.compile(r"[’'´]s?$")


class _Labels(Protocol):
    def label(self, name: str) -> str | None: ...


def is_acronym(word: str) -> bool:
    """ "UCEA", "VH1", "U.N." (not "A", not "Mr.", not "COVID-19")."""
    word = _POSSESSIVE.sub("", word)
    return bool(_ACRONYM.match(word)) and sum(c.isalpha() for c in word) >= 2


def org_evidence(name: str, lex: Lexicon, gaz: _Labels) -> bool:
    """Whether the name itself says it is an organisation (see the module's doc)."""
    words = [_POSSESSIVE.sub("", w) for w in name.split()]
    if not words:
        return False
    if gaz.label(name) == "ORG":
        return True
    if gaz.label(name) == "LOC":
        return False
    if len(words) == 1:
        return is_acronym(words[0])
    return any(w in lex.org_heads for w in words)
