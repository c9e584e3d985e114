"""Organisations inside and around organisation names, on sentences written for these
tests (no third-party text), from the name layer without a model."""

from __future__ import annotations

from newswire.nlp.entities import resolve_entities
from newswire.nlp.nested_orgs import nested_organisations


def nested(text: str, lang: str) -> set[str]:
    found = nested_organisations(text, resolve_entities(text, [], lang), lang)
    for m in found:
        assert text[m.start:m.end] == m.text and m.label == "ORG"
    return {m.canonical for m in found}


def test_a_long_name_holds_its_parent_organisation() -> None:
    text = ("A member of the Nordic Investment Bank Supervisory Board spoke. The U.N. "
            "Human Rights Council met.")
    assert nested(text, "en") == {"Nordic Investment Bank", "U.N."}


def test_one_head_after_another_is_one_name() -> None:
    assert nested("The Boston Police Department said.", "en") == set()


def test_an_acronym_opening_an_organisation_name_is_one() -> None:
    assert "KRDM" in nested("Açıklamayı dün KRDM Genel Müdürlüğü yaptı.", "tr")


def test_tr_unit_with_its_ministry_and_the_name_between_two_heads() -> None:
    text = ("Tarım Bakanlığı Basın ve Halkla İlişkiler Müşavirliği açıklama yaptı. Ege "
            "Üniversitesi Bornova Araştırma Merkezi Uzay Bilimleri Enstitüsü ölçtü.")
    assert nested(text, "tr") == {
        "Tarım Bakanlığı", "Bornova Araştırma Merkezi",
        "Ege Üniversitesi Bornova Araştırma Merkezi Uzay Bilimleri Enstitüsü"}
    # The gazetteer's ministry and its unit found apart are one name as well.
    text = "İçişleri Bakanlığı Basın ve Halkla İlişkiler Müşavirliği açıklama yaptı."
    assert nested(text, "tr") == {"İçişleri Bakanlığı Basın ve Halkla İlişkiler Müşavirliği"}


def test_an_office_with_its_country_or_its_place() -> None:
    text = ("Norway's Foreign Ministry said on Tuesday that the Danish Embassy in Chile "
            "had closed.")
    assert nested(text, "en") == {"Norway's Foreign Ministry", "Danish Embassy in Chile"}
    # A possessive before a person's name or a place is no office.
    assert nested("Norway's Erna Haugland visited Chile's capital.", "en") == set()
