"""Organisations the name layers used to turn into people, places or pieces, one test
per class of error (sentences written for these tests; no model needed: the spans a
weak model would give are passed by hand)."""

from __future__ import annotations

from newswire.nlp.entities import load_gazetteer, promote_speakers, resolve_names
from newswire.nlp.lexicon import lexicon
from newswire.nlp.nested_orgs import nested_organisations
from newswire.nlp.organisations import is_acronym, org_evidence
from newswire.nlp.quotes import extract_quotes

from tests.test_nlp import spans


def labels(text: str, model: list[tuple[str, int, int]] | None = None) -> dict[str, str]:
    return {m.canonical: m.label for m in resolve_names(text, model or [], "en").mentions}


def after_quotes(text: str, model: list[tuple[str, int, int]] | None = None
                 ) -> dict[str, set[str]]:
    """Labels after the quote layer has promoted its speakers, as ``annotate`` does."""
    names = resolve_names(text, model or [], "en")
    found = extract_quotes(text, names.mentions, "en", people=names.people)
    promoted = promote_speakers(text, names.mentions, {q.speaker for q in found}, "en")
    out: dict[str, set[str]] = {}
    for m in promoted:
        out.setdefault(m.canonical, set()).add(m.label)
    return out


def test_org_evidence_is_heads_anywhere_acronyms_and_the_gazetteer() -> None:
    lex, gaz = lexicon("en"), load_gazetteer()
    assert org_evidence("Ministry of Fisheries", lex, gaz)
    assert org_evidence("Harbour Caucus", lex, gaz)
    assert org_evidence("KVRA", lex, gaz) and org_evidence("ABC13", lex, gaz)
    assert org_evidence("Department of Homeland Security", lex, gaz)
    assert not org_evidence("Tomas Brenner", lex, gaz)
    assert not org_evidence("Geneva", lex, gaz)
    assert is_acronym("U.N.") and not is_acronym("A") and not is_acronym("Mr.")


def test_an_organisation_that_speaks_stays_an_organisation() -> None:
    """ "the Ministry of X said", "the KVRA said": a speaking body is no person."""
    text = ('"Stocks are recovering," the Ministry of Fisheries said on Monday. '
            '"We disagree," the KVRA said in a statement.')
    found = after_quotes(text, spans(text, ("ORG", "Ministry of Fisheries")))
    assert found["Ministry of Fisheries"] == {"ORG"}
    assert found["KVRA"] == {"ORG"}


def test_a_head_inside_an_unlabelled_run_beats_the_person_guess() -> None:
    """Two capitalised words nobody labelled are guessed a person, unless one of them is
    an organisation head (a caucus, a company word, a newspaper's name)."""
    text = ("Two members of the Harbour Caucus met on Tuesday. The batteries came from "
            "Velmora Technology, the Brackwater Gazette reported.")
    found = labels(text)
    assert found["Harbour Caucus"] == "ORG"
    assert found["Velmora Technology"] == "ORG"
    assert found["Brackwater Gazette"] == "ORG"


def test_a_company_suffix_without_a_dot_is_part_of_the_name() -> None:
    text = "Norvale Corp said on Thursday it would cut 300 jobs."
    found = labels(text, spans(text, ("ORG", "Norvale Corp")))
    assert found.get("Norvale Corp") == "ORG" and "Corp" not in found


def test_a_title_word_before_an_organisation_name_is_part_of_it() -> None:
    """ "Teacher" is a title, but "Teacher Pension System" is a body, not a teacher."""
    text = "The bill gives money to the Teacher Pension System next year."
    found = labels(text, spans(text, ("ORG", "Teacher Pension System")))
    assert found.get("Teacher Pension System") == "ORG"
    assert not [n for n, label in found.items() if label == "PER"]


def test_an_organisations_possessive_ends_it_before_a_person() -> None:
    """ "the Bellwater Institute's Dana Kirsch", "the NRDC's Tomas Brenner": the owner is
    an organisation and the person starts after the possessive."""
    text = ('"It is unsafe," the Bellwater Institute\'s Dana Kirsch told reporters. '
            "Later the NRDC's Tomas Brenner Varga agreed.")
    found = labels(text, spans(text, ("PER", "Bellwater Institute's Dana Kirsch")))
    assert found.get("Bellwater Institute") == "ORG"
    assert found.get("Dana Kirsch") == "PER"
    assert found.get("NRDC") == "ORG" and found.get("Tomas Brenner Varga") == "PER"


def test_a_plural_possessive_is_no_part_of_the_name() -> None:
    text = "Harbour News' reporters and the Velmora Workers’ Union disagreed."
    found = labels(text, spans(text, ("ORG", "Harbour News'")))
    assert "Harbour News" in found and "Harbour News'" not in found
    assert found.get("Velmora Workers’ Union") == "ORG"


def test_an_organisation_in_a_persons_title_does_not_become_the_person() -> None:
    """ "Lakeside Police Detective Ana Ruiz": the police force stays an organisation
    when it speaks on its own later."""
    text = ('Lakeside Police said a car had crashed. "He was speeding," said Lakeside '
            "Police Detective Ana Ruiz.")
    model = spans(text, ("ORG", "Lakeside Police Detective Ana Ruiz"))
    found = after_quotes(text, model)
    assert found["Lakeside Police"] == {"ORG"} and found["Ana Ruiz"] == {"PER"}
    ruiz = next(m for m in resolve_names(text, model, "en").mentions
                if m.canonical == "Ana Ruiz")
    assert ruiz.role == "Lakeside Police Detective"


def test_rights_and_press_freedom_groups_that_speak_are_organisations() -> None:
    """Groups with no organisation head in their name ("Reporters Without Borders",
    "Greenpeace") are known to the gazetteer: speaking does not make them people."""
    text = ('"The arrests must end," Reporters Without Borders said on Friday. '
            '"The spill is worse than reported," Greenpeace said.')
    found = after_quotes(text)
    assert found["Reporters Without Borders"] == {"ORG"}
    assert found["Greenpeace"] == {"ORG"}


def test_long_organisation_names_with_of_for_to_are_one_organisation() -> None:
    """Names joined by "of", "for (the)", "to", with titles inside ("High Commissioner")
    are one organisation, and it is the speaker, not its last words."""
    text = ('"The deaths must be investigated," the Office of the United Nations High '
            'Commissioner for Human Rights said. "Three reporters are held," the Committee '
            'to Protect Journalists said. "Aid is blocked," the United Nations Office for the '
            'Coordination of Humanitarian Affairs said. "The ban is unlawful," the Court of '
            'Justice of the European Union said.')
    names = resolve_names(text, [], "en")
    found = extract_quotes(text, names.mentions, "en", people=names.people)
    assert [q.speaker for q in found] == [
        "Office of the United Nations High Commissioner for Human Rights",
        "Committee to Protect Journalists",
        "United Nations Office for the Coordination of Humanitarian Affairs",
        "Court of Justice of the European Union"]
    labels = {m.canonical: m.label for m in names.mentions}
    assert labels["Committee to Protect Journalists"] == "ORG"
    assert "Human Rights" not in labels and "Protect Journalists" not in labels


def test_a_person_after_an_organisation_and_a_title_stays_a_person() -> None:
    """ "Bank of England Governor Andrew Bailey", "Ambassador to the United Nations
    Linda Thomas-Greenfield": the organisation ends before the title and the person."""
    text = ('"Inflation will fall," Bank of England Governor Andrew Bailey said. "We are '
            'ready," U.S. Ambassador to the United Nations Linda Thomas-Greenfield said.')
    names = resolve_names(text, [], "en")
    labels = {m.canonical: m.label for m in names.mentions}
    assert labels["Bank of England"] == "ORG" and labels["Andrew Bailey"] == "PER"
    assert labels["United Nations"] == "ORG" and labels["Linda Thomas-Greenfield"] == "PER"
    found = extract_quotes(text, names.mentions, "en", people=names.people)
    assert [q.speaker for q in found] == ["Andrew Bailey", "Linda Thomas-Greenfield"]


def test_two_word_demonyms_are_no_organisation() -> None:
    """ "the North Korean KCNA", "South Korean Yonhap News Agency": the demonym is cut
    off whole, not left behind as an organisation "North"."""
    text = ('"The launch worked," the North Korean KCNA said. "The vote is valid," '
            'South Korean Yonhap News Agency said.')
    found = labels(text, spans(text, ("ORG", "North Korean KCNA"),
                               ("ORG", "South Korean Yonhap News Agency")))
    assert found.get("KCNA") == "ORG" and found.get("Yonhap News Agency") == "ORG"
    assert "North" not in found and "South" not in found


def test_an_organisation_name_goes_on_past_and_titles_and_places_after_its_for() -> None:
    """After an organisation head's "for"/"of" the name goes on: over an "and" before
    its last words, over title words ("Justice") and over a place inside it ("Middle
    East"); a lone head is not left on its own with the rest of the name as a person."""
    found = labels("The figures came from the Centre for Harbour Studies and Coastal Policy. "
                   "A lawyer at the Bureau for Justice and Reconciliation said so. "
                   "The Centre for Middle East Dialogue Studies was also cited.")
    assert found["Centre for Harbour Studies and Coastal Policy"] == "ORG"
    assert found["Bureau for Justice and Reconciliation"] == "ORG"
    assert found["Centre for Middle East Dialogue Studies"] == "ORG"
    assert "Reconciliation" not in found and "Coastal Policy" not in found
    assert "Dialogue Studies" not in found


def test_people_before_of_are_not_part_of_the_organisation() -> None:
    """ "Researchers of the Council for Coastal Affairs": the people of an organisation
    named first in a sentence are no part of its name."""
    found = labels("Researchers of the Council for Coastal Affairs said the data were old. "
                   "Staff of the Office for Port Safety were told on Friday.")
    assert found["Council for Coastal Affairs"] == "ORG"
    assert found["Office for Port Safety"] == "ORG"
    assert not any(name.startswith(("Researchers", "Staff")) for name in found)


def test_a_describing_word_before_an_organisation_is_no_part_of_it() -> None:
    """ "Former Harbour Bank officials", "Rival Velmora Technology": a capitalised word
    that describes the name (the lexicon's ``names.modifiers``) opens no organisation,
    even one ending in a head; nor does a prefixed adjective ("Pro-Velmora")."""
    found = labels("Former Harbour Bank officials said the rate was high. Rival Velmora "
                   "Technology said its profit fell. Pro-Velmora Brackwater Gazette "
                   "reported the move.")
    assert found["Harbour Bank"] == "ORG"
    assert found["Velmora Technology"] == "ORG"
    assert found["Brackwater Gazette"] == "ORG"
    assert not any(name.split()[0] in ("Former", "Rival", "Pro-Velmora") for name in found)


def test_a_place_and_the_words_after_it_in_one_model_organisation_are_one_name() -> None:
    """ "Geneva Wanderers": a known place, then words that name no person, all inside one
    organisation span of the model, name an organisation after its place; a weekday
    after it is not part of it, an event or a road is no organisation, and without the
    model's span the place stays a place."""
    text = "The Geneva Wanderers Sunday win lifted the club near Geneva Olympic Games venues."
    found = labels(text, spans(text, ("ORG", "Geneva Wanderers Sunday"),
                               ("ORG", "Geneva Olympic Games")))
    assert found["Geneva Wanderers"] == "ORG"
    assert found["Geneva"] == "LOC"
    assert "Geneva Wanderers Sunday" not in found and "Geneva Olympic Games" not in found
    assert labels(text)["Geneva"] == "LOC" and "Geneva Wanderers" not in labels(text)
    assert labels("The crash happened on Brackwater Road.")["Brackwater Road"] == "LOC"


def test_the_words_around_a_name_say_it_is_an_organisation() -> None:
    """An outlet or a body named like a place or a person: "told the Harbour Light",
    "according to the Ostrava Signal", "the Kestrel Hall reported", "a Marlow Gate
    spokesman" make organisations, and the quote layer does not make a speaking one a
    person; "the Doha-based broadcaster" is no name at all."""
    text = ('He spoke to the Harbour Light on Tuesday. According to the Ostrava Signal, '
            'three died. The Kestrel Hall reported that the plant closed. A Marlow Gate '
            'spokesman declined to comment. "We will not stop," the Linden Courtyard said. '
            'The Doha-based broadcaster did not comment.')
    found = after_quotes(text, spans(text, ("LOC", "Harbour Light"), ("LOC", "Ostrava Signal"),
                                     ("LOC", "Kestrel Hall"), ("PER", "Marlow Gate"),
                                     ("LOC", "Linden Courtyard")))
    for name in ("Harbour Light", "Ostrava Signal", "Kestrel Hall", "Marlow Gate",
                 "Linden Courtyard"):
        assert found[name] == {"ORG"}, name
    assert not any("Doha-based" in name for name in found)
    # A known place at the start of such a name is the organisation's, not a place.
    found = labels("Officials told the Geneva Lantern that talks had stalled.")
    assert found["Geneva Lantern"] == "ORG" and "Geneva" not in found


def test_an_unknown_two_word_place_after_to_the_or_of_the_is_an_institution() -> None:
    """ "a letter to the Blue Chamber": two capitalised words the model calls a place,
    unknown to the gazetteer and with no place head, after "to the", "of the", "by the"
    name an institution named like a place; "in the" keeps a place, and a place head
    keeps it one anywhere ("to the Marsh Heights", "the Brackwater Coast")."""
    text = ("She sent a letter to the Blue Chamber on Monday. He lives in the Upper Side. "
            "They moved to the Marsh Heights, on the Brackwater Coast.")
    found = labels(text, spans(text, ("LOC", "Blue Chamber"), ("LOC", "Upper Side"),
                               ("PER", "Marsh Heights"), ("PER", "Brackwater Coast")))
    assert found["Blue Chamber"] == "ORG"
    assert found["Upper Side"] == "LOC"
    assert found["Marsh Heights"] == "LOC" and found["Brackwater Coast"] == "LOC"


def test_a_known_name_with_a_function_word_in_either_case_is_one_name() -> None:
    """ "Doctors without Borders", "Coordinator Save the Children": a run of capitalised
    words ends at "without" or "the", but a gazetteer name with that word inside is one
    organisation, also when it speaks and after a title."""
    found = after_quotes('The head of Doctors without Borders in Gaza spoke. "We are '
                         'full," Médecins sans Frontières said. Coordinator Save the '
                         'Children said the camp was full.')
    assert found["Doctors Without Borders"] == {"ORG"}
    assert found["Médecins Sans Frontières"] == {"ORG"}
    assert found["Save the Children"] == {"ORG"}
    assert not {"Doctors", "Borders", "Save", "Children"} & set(found)


def test_a_title_or_a_person_glued_to_an_organisation_is_cut_off() -> None:
    """ "Chair of the US House Committee", "Chairperson KVRA Peter Smith": titles the
    list lacked are titles, an acronym before a given name ends the organisation, and a
    place's acronym opening a name is no organisation inside it."""
    text = ("Chairperson KVRA Peter Smith said the deal was fair. Maxine Waters is Chair "
            "of the US House Committee on Harbour Services.")
    found = labels(text)
    assert found["KVRA"] == "ORG" and found["Peter Smith"] == "PER"
    assert found["US House Committee"] == "ORG"
    assert not any(name.startswith(("Chair", "Chairperson")) for name in found)
    names = resolve_names(text, [], "en")
    nested = nested_organisations(text, names.mentions, "en")
    assert "US" not in {m.canonical for m in nested}


def test_tr_a_word_opening_the_sentence_or_a_day_after_a_name_is_no_part_of_it() -> None:
    """ "Ancak Ege Kalkınma Ajansı", "Mecliste Kuzey İttifakı": the capitalised word
    that opens the sentence, or a generic noun in a case, is no part of the
    organisation; "Ayşe Demir Pazartesi günü": a day or a month written capitalised
    after a name is a date, not its last word ("Ondokuz Mayıs Üniversitesi" keeps its
    month)."""
    text = ("Ancak Ege Kalkınma Ajansı yeni destekleri açıkladı. Bakan Ayşe Demir Pazartesi "
            "günü Ondokuz Mayıs Üniversitesi'ni ziyaret edecek. Oylamada partiler Mecliste "
            "Kuzey İttifakı'nı destekledi, Dünya Ticaret Örgütü ise sustu.")
    found = {(m.label, m.canonical) for m in resolve_names(text, [], "tr").mentions}
    assert {("ORG", "Ege Kalkınma Ajansı"), ("PER", "Ayşe Demir"),
            ("ORG", "Ondokuz Mayıs Üniversitesi"), ("ORG", "Kuzey İttifakı"),
            ("ORG", "Dünya Ticaret Örgütü")} <= found
    assert not any("Ancak" in name or "Pazartesi" in name for label, name in found
                   if label in ("PER", "ORG", "LOC"))


def test_tr_places_named_after_an_organisation_a_date_or_a_service_line() -> None:
    """ "Cumhurbaşkanlığı Külliyesi", "Ankara Üniversitesi Kampüsü": an organisation or a
    known name before a place head is one place; "15 Temmuz Şehitler Köprüsü", "1 Mayıs
    Meydanı", "112 Acil Çağrı Merkezi" keep their number; a count before a name does
    not ("2 Sağlık Bakanlığı çalışanı"); "Sorumlu Üye" is a role; a compass word
    before a known place is one place ("Kuzey Gazze")."""
    text = ("Kabine, Cumhurbaşkanlığı Külliyesi'nde toplandı. Öğrenciler Ankara Üniversitesi "
            "Kampüsü'nde, işçiler 1 Mayıs Meydanı'nda ve 15 Temmuz Şehitler Köprüsü'nde "
            "toplandı. Durum 112 Acil Çağrı Merkezi'ne bildirildi. Olayda 2 Sağlık Bakanlığı "
            "çalışanı yaralandı. Ticaretten Sorumlu Üye Selim Karadağ da katıldı.")
    found = {(m.label, m.canonical) for m in resolve_names(text, [], "tr").mentions}
    assert {("LOC", "Cumhurbaşkanlığı Külliyesi"), ("LOC", "Ankara Üniversitesi Kampüsü"),
            ("LOC", "1 Mayıs Meydanı"), ("LOC", "15 Temmuz Şehitler Köprüsü"),
            ("ORG", "112 Acil Çağrı Merkezi"), ("ORG", "Sağlık Bakanlığı"),
            ("PER", "Selim Karadağ")} <= found
    text = "Ordu Güney Lübnan'a girdi, Kuzey Gazze'de ise saldırılar sürdü."
    found = {(m.label, m.canonical) for m in resolve_names(text, [], "tr").mentions}
    assert {("LOC", "Güney Lübnan"), ("LOC", "Kuzey Gazze")} <= found


def test_tr_a_person_before_an_organisation_or_a_place_stays_a_person() -> None:
    """ "Vali Selim Karadağ İstanbul Valiliği'nde", "Ali Kaya Anadolu Ajansı'na",
    "Muhtar Ali Kaya Aydınlar Mahallesi'nde" (the model calls "Ali Kaya" a person): the
    person and the organisation or place after, not one organisation; "Müdürü Selim
    Karadağ" still keeps a surname that is a place."""
    text = ("Vali Selim Karadağ İstanbul Valiliği'nde konuştu. Ali Kaya Anadolu Ajansı'na "
            "bilgi verdi. Muhtar Ayşe Tan Aydınlar Mahallesi'nde konuştu. Müdürü Selim "
            "Karadağ açıklama yaptı.")
    at = text.index("Ayşe Tan")
    found = {(m.label, m.canonical)
             for m in resolve_names(text, [("PERSON", at, at + 8)], "tr").mentions}
    assert {("PER", "Selim Karadağ"), ("ORG", "İstanbul Valiliği"), ("PER", "Ali Kaya"),
            ("ORG", "Anadolu Ajansı"), ("PER", "Ayşe Tan"),
            ("LOC", "Aydınlar Mahallesi")} <= found
