"""The NLP stage: stanza models loaded for real, entities, quotes, the lake tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from newswire.nlp.entities import Mention, resolve_entities, strip_suffix
from newswire.nlp.models import ModelNotFound, find_models
from newswire.nlp.quotes import extract_quotes, sentences

from tests.conftest import STANZA_DIR, requires_models

SEED_ID = "2017-12-04-nato-genel-sekreteri-stoltenberg-kuzey-kore-ye-azami-baski-uygulanmali"


def spans(text: str, *items: tuple[str, str]) -> list[tuple[str, int, int]]:
    """Model-style spans for the given (label, surface) pairs, first occurrence each."""
    out, cursor = [], 0
    for label, surface in items:
        at = text.index(surface, cursor)
        out.append((label, at, at + len(surface)))
        cursor = at + len(surface)
    return out


# -- entities (no model needed) ------------------------------------------------------------
def test_case_suffixes_and_possessives_are_stripped() -> None:
    assert strip_suffix("Brüksel'deki") == "Brüksel"
    assert strip_suffix("Stoltenberg’in") == "Stoltenberg"
    assert strip_suffix("Britain's") == "Britain"
    assert strip_suffix("NATO") == "NATO"


def test_title_inside_a_span_becomes_the_role() -> None:
    text = "NATO Genel Sekreteri Jens Stoltenberg, toplantıda konuştu."
    found = resolve_entities(text, [("ORGANIZATION", 0, 37)], "tr")
    person = next(m for m in found if m.label == "PER")
    assert (person.canonical, person.role) == ("Jens Stoltenberg", "NATO Genel Sekreteri")
    assert text[person.start:].startswith("Jens")
    assert any(m.canonical == "NATO" and m.label == "ORG" for m in found)


def test_document_level_names_and_labels() -> None:
    text = ("NATO Genel Sekreteri Jens Stoltenberg, Brüksel'deki toplantıda konuştu. "
            "Stoltenberg, 5-6 Aralık'ta yapılacak toplantıyı anlattı. Stoltenberg'in "
            "sözleri Ürdün'de de yankı buldu.")
    found = resolve_entities(text, spans(text, ("ORGANIZATION", "NATO Genel Sekreteri Jens "
                                                "Stoltenberg"),
                                         ("ORGANIZATION", "Stoltenberg"),
                                         ("LOCATION", "Aralık'ta")), "tr")
    by_text = {m.text: m for m in found}
    person = by_text["Jens Stoltenberg"]
    assert (person.label, person.canonical, person.role) == ("PER", "Jens Stoltenberg",
                                                            "NATO Genel Sekreteri")
    # A bare surname tagged ORG by the model, and one it missed: both the person.
    assert by_text["Stoltenberg"].label == "PER"
    assert by_text["Stoltenberg"].canonical == "Jens Stoltenberg"
    assert by_text["Stoltenberg'in"].canonical == "Jens Stoltenberg"
    assert by_text["Stoltenberg'in"].role == "NATO Genel Sekreteri"
    # Month names are dates, not places; the gazetteer adds missed places.
    assert by_text["Aralık'ta"].label == "DATE"
    assert (by_text["Brüksel'deki"].label, by_text["Brüksel'deki"].canonical) == ("LOC",
                                                                                  "Brüksel")
    assert by_text["Ürdün'de"].canonical == "Ürdün"
    for m in found:
        assert text[m.start:m.end] == m.text


# -- quotes (no model needed) --------------------------------------------------------------
def people(text: str, *names: str) -> list[Mention]:
    out = []
    for name in names:
        at = text.index(name)
        out.append(Mention(name, at, at + len(name), "PER", name))
    return out


def test_a_tie_between_the_model_s_labels_is_broken_the_same_in_every_process() -> None:
    """The label the model gave most of a name's characters; on a tie the one it gave
    first, whatever the process's string hash seed (a set broke ties by hash)."""
    import subprocess
    import sys

    from newswire.nlp.entities import label_by_model

    from tests.conftest import REPO

    assert label_by_model({0: "PER", 1: "PER", 2: "LOC"}, 0, 3) == "PER"
    assert label_by_model({0: "LOC", 1: "PER", 2: "PER", 3: "LOC"}, 0, 4) == "LOC"
    assert label_by_model({0: "DATE", 1: "DATE"}, 0, 2) is None
    assert label_by_model({}, 0, 2) is None
    code = ("from newswire.nlp.entities import label_by_model; "
            "print(label_by_model({0: 'PER', 1: 'LOC', 2: 'ORG', 3: 'MISC'}, 0, 4), "
            "label_by_model({0: 'LOC', 1: 'ORG', 2: 'PER', 3: 'MISC'}, 0, 4))")
    answers = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={"PYTHONPATH": str(REPO / "include"),
                                               "PYTHONHASHSEED": str(seed)}).stdout
               for seed in range(8)}
    assert answers == {"PER LOC\n"}


def test_turkish_constructions() -> None:
    text = (
        "Dışişleri Bakanı Mevlüt Çavuşoğlu, Brüksel'de gazetecilere açıklama yaptı.\n\n"
        "\"Terörle mücadelede kararlıyız. Kimse bizi durduramaz\" diyen Çavuşoğlu, "
        "müttefiklerin destek vermesi gerektiğini söyledi.\n\n"
        "«Bu konuda ortak bir tutum bekliyoruz.» diye konuştu.\n\n"
        "Bakan Ahmet Yılmaz ise toplantının ertelendiğini bildirdi.\n\n"
        "Yılmaz, “Takvim yakında açıklanacak, herkes hazırlıklı olsun.” ifadelerini kullandı."
    )
    mentions = people(text, "Mevlüt Çavuşoğlu", "Ahmet Yılmaz")
    found = {(q.kind, q.speaker, q.cue, q.quote) for q in extract_quotes(text, mentions, "tr")}
    assert ("direct", "Mevlüt Çavuşoğlu", "de",
            "Terörle mücadelede kararlıyız. Kimse bizi durduramaz") in found
    assert ("indirect", "Mevlüt Çavuşoğlu", "söyle",
            "müttefiklerin destek vermesi gerektiğini") in found
    # Dropped subject: the speaker of the sentence before.
    assert ("direct", "Mevlüt Çavuşoğlu", "diye konuş",
            "Bu konuda ortak bir tutum bekliyoruz.") in found
    assert ("direct", "Ahmet Yılmaz", "ifadelerini kullan",
            "Takvim yakında açıklanacak, herkes hazırlıklı olsun.") in found
    for q in extract_quotes(text, mentions, "tr"):
        assert text[q.start:q.end] == q.quote


def test_english_constructions() -> None:
    text = (
        "NATO Secretary-General Jens Stoltenberg said on Tuesday that allies would send "
        "more troops.\n\n"
        "\"We are going to step up our efforts in the region,\" Stoltenberg told reporters.\n\n"
        "“It is a decision for all of us,” said Federica Mogherini, the EU foreign policy "
        "chief.\n\n"
        "The mission will grow to 16,000 troops, according to Mogherini."
    )
    mentions = people(text, "Jens Stoltenberg", "Federica Mogherini")
    mentions += [Mention("Stoltenberg", text.index("Stoltenberg told"),
                         text.index("Stoltenberg told") + 11, "PER", "Jens Stoltenberg")]
    found = {(q.kind, q.speaker, q.quote) for q in extract_quotes(text, mentions, "en")}
    assert ("indirect", "Jens Stoltenberg", "allies would send more troops") in found
    # The quoted text keeps the punctuation inside the marks (as the real-text gold does).
    assert ("direct", "Jens Stoltenberg",
            "We are going to step up our efforts in the region,") in found
    assert ("direct", "Federica Mogherini", "It is a decision for all of us,") in found
    assert ("indirect", "Federica Mogherini", "The mission will grow to 16,000 troops") in found


def test_en_capitalised_title_before_a_name_is_the_role() -> None:
    """English capitalises a title before a name; the person is the name, the title
    (with the organisation or place in front of it) the role."""
    text = ("Spokesman Lin Haowen spoke on Friday. Harbour City Police Chief Marta Velez "
            "visited the port. Seismologist Tomas Ferreira of the National Geophysics "
            "Institute said more tremors were likely.")
    found = resolve_entities(text, spans(text, ("ORG", "Spokesman Lin Haowen"),
                                         ("ORG", "Harbour City Police Chief Marta Velez"),
                                         ("PERSON", "Tomas Ferreira")), "en")
    people = {m.canonical: m.role for m in found if m.label == "PER"}
    assert people == {"Lin Haowen": "Spokesman", "Marta Velez": "Harbour City Police Chief",
                      "Tomas Ferreira": "Seismologist"}
    orgs = {m.canonical for m in found if m.label == "ORG"}
    assert "National Geophysics Institute" in orgs


def test_en_organisation_names_the_weak_model_splits() -> None:
    """"X Institute of Y" is one organisation; a title word before an organisation head
    ("Justice Department") is part of the organisation; a possessive is no title."""
    text = ("The National Institute of Coastal Research warned residents. The Justice "
            "Department declined to comment. The Regional Prosecutor's Office opened a "
            "case.")
    found = resolve_entities(text, [], "en")
    orgs = {m.canonical for m in found if m.label == "ORG"}
    assert {"National Institute of Coastal Research", "Justice Department",
            "Regional Prosecutor's Office"} <= orgs
    assert not [m for m in found if m.label == "PER"]


def test_a_run_led_by_an_acronym_is_an_organisation_not_a_person() -> None:
    """ "ATP Tour", "TRT Haber": whatever the model says, people's initials take dots."""
    text = "She reached the WTA Tour final. A.J. Morland said so."
    at = text.index("WTA")
    found = resolve_entities(text, [("PER", at, at + len("WTA Tour"))], "en")
    labels = {m.canonical: m.label for m in found}
    assert labels["WTA Tour"] == "ORG" and labels["A.J. Morland"] == "PER"
    found = resolve_entities("Olayı dün akşam KRT Haber ve Serap Ilgaz duyurdu.", [], "tr")
    labels = {m.canonical: m.label for m in found}
    assert (labels["KRT Haber"], labels["Serap Ilgaz"]) == ("ORG", "PER")


def test_tr_organisation_names_drop_their_case_ending() -> None:
    """The genitive written without an apostrophe ("Bakanlığının", "Partisinin") is no
    part of the canonical name, however the name was put together."""
    text = ("Tarım Bakanlığının verilerine göre Gençlik ve Spor Bakanlığının ve Demokrat "
            "Halk Partisinin temsilcileri katıldı.")
    orgs = {m.canonical for m in resolve_entities(text, [], "tr") if m.label == "ORG"}
    assert orgs == {"Tarım Bakanlığı", "Gençlik ve Spor Bakanlığı", "Demokrat Halk Partisi"}
    # A glued ending closes the name: the next capitalised word is another name.
    text = "Seçim öncesi Yeşil Partinin Tokat mitingine Devlet Demiryolları İdaresi de katıldı."
    labels = {m.canonical: m.label for m in resolve_entities(text, [], "tr")}
    assert labels["Yeşil Parti"] == "ORG" and labels["Tokat"] == "LOC"
    assert labels["Devlet Demiryolları İdaresi"] == "ORG"


def test_a_place_name_after_given_names_is_a_surname() -> None:
    """Many surnames are place names: after given names and with no case ending the place
    is the person's surname; with a case ending it stays a place."""
    text = "Dün akşam Kemal Denizli ile Ahmet Ankara'ya gitti."
    labels = {m.canonical: m.label for m in resolve_entities(text, [], "tr")}
    assert labels == {"Kemal Denizli": "PER", "Ankara": "LOC"}
    labels = {m.canonical: m.label for m in resolve_entities(
        "Dün akşam Kemal Denizli'nin takımı kazandı.", [], "tr")}
    assert labels == {"Kemal Denizli": "PER"}
    # After a title as well: a place with a case ending goes on from the person.
    labels = {m.canonical: m.label for m in resolve_entities(
        "Tarım Bakanı Nail Ergün Brüksel'e gitti; Vali Ece Tan Ankara'da kaldı.", [], "tr")}
    assert labels == {"Nail Ergün": "PER", "Brüksel": "LOC", "Ece Tan": "PER",
                      "Ankara": "LOC"}


def test_tr_place_head_ends_a_place_and_a_headman_is_a_title() -> None:
    text = ("Olay dün Çamlı Mahallesi Kuzgun mevkiinde oldu. Çamlı Mahalle Muhtarı Oya "
            "Sezer, kaybı anlattı.")
    found = resolve_entities(text, [], "tr")
    labels = {m.canonical: m.label for m in found}
    assert labels["Çamlı Mahallesi"] == "LOC" and labels["Kuzgun"] == "LOC"
    person = next(m for m in found if m.label == "PER")
    assert (person.canonical, person.role) == ("Oya Sezer", "Çamlı Mahalle Muhtarı")


def test_tr_office_of_a_country_and_outlets_are_organisations() -> None:
    text = ("Irak Cumhurbaşkanlığı bir açıklama yaptı. Bakan, NTV'ye konuştu; Habertürk ve "
            "CNN Türk canlı yayın yaptı.")
    orgs = {m.canonical for m in resolve_entities(text, [], "tr") if m.label == "ORG"}
    assert {"Irak Cumhurbaşkanlığı", "NTV", "Habertürk", "CNN Türk"} <= orgs


def test_en_company_suffix_with_a_dot_is_part_of_the_name() -> None:
    text = "Investors sold Brenlow Corp. on Monday. Later Brenlow said it would recover."
    found = resolve_entities(text, [], "en")
    assert {m.canonical: m.label for m in found if m.label != "DATE"} == {
        "Brenlow Corp.": "ORG"}


def test_en_apposition_with_a_title_and_no_article_makes_a_person() -> None:
    text = "Talks ended. Amara Kofi Mensah, UNHCR director-general, said it was early."
    at = text.index("Amara")
    found = resolve_entities(text, [("ORG", at, at + len("Amara Kofi Mensah"))], "en")
    assert {m.canonical: m.label for m in found}["Amara Kofi Mensah"] == "PER"
    found = resolve_entities("We read Daily Planet Editor-in-Chief Lois Brandt’s memo.", [],
                             "en")
    person = next(m for m in found if m.label == "PER")
    assert (person.canonical, person.role) == ("Lois Brandt", "Daily Planet Editor-in-Chief")


def test_en_speech_verb_subject_is_a_person() -> None:
    """The model calls a player ORG; "Kovalenko said" makes him a person, and so is the
    full name earlier in the article."""
    text = ("Oleksiy Kovalenko’s serve carried him through the first set. "
            "\"I felt strong today,\" Kovalenko said after the match.")
    found = resolve_entities(text, spans(text, ("ORG", "Oleksiy Kovalenko’s"),
                                         ("ORG", "Kovalenko")), "en")
    assert {(m.canonical, m.label) for m in found} == {("Oleksiy Kovalenko", "PER")}


def test_en_person_of_an_organisation_and_name_suffixes() -> None:
    text = ("Daniel Whitcombe Jr. of the Capital Region Attorney’s Office spoke first. "
            "Whitcombe said the case was closed.")
    found = resolve_entities(text, spans(text, ("PERSON", "Daniel Whitcombe Jr.")), "en")
    by_label = {(m.canonical, m.label) for m in found}
    assert ("Daniel Whitcombe Jr.", "PER") in by_label
    assert ("Capital Region Attorney’s Office", "ORG") in by_label
    assert all(m.canonical == "Daniel Whitcombe Jr." for m in found if m.label == "PER")


def test_a_given_name_makes_a_person_whatever_the_model_says() -> None:
    """The offline English model tags many people ORG or LOC; a run that starts with a
    given name (or a surname written first) from the data file is a person, unless an
    organisation or place head ends it."""
    text = ("Striker Pablo Arrandiz scored twice. Investigators named the driver as Sarah Ellwood "
            "Brant. Officials met Zhou Mingyu in the capital. Peter Hall Stadium was full. "
            "Minister of Coastal Affairs Zhang Weilin arrived later. The title went to Danish "
            "Erik Holmgaard.")
    found = resolve_entities(text, spans(text, ("ORG", "Striker Pablo Arrandiz"),
                                         ("ORG", "Sarah Ellwood Brant"),
                                         ("LOC", "Zhou Mingyu"),
                                         ("ORG", "Peter Hall Stadium"),
                                         ("ORG", "Coastal Affairs Zhang Weilin"),
                                         ("LOC", "Danish Erik Holmgaard")), "en")
    labels = {m.canonical: m.label for m in found}
    assert next(m.role for m in found if m.canonical == "Pablo Arrandiz") == "Striker"
    assert labels == {"Pablo Arrandiz": "PER", "Sarah Ellwood Brant": "PER",
                      "Zhou Mingyu": "PER", "Peter Hall Stadium": "LOC",
                      "Zhang Weilin": "PER", "Erik Holmgaard": "PER"}
    assert next(m.role for m in found if m.canonical == "Zhang Weilin") == \
        "Minister of Coastal Affairs"


def test_tr_place_offices_connectors_and_inflected_titles() -> None:
    """ "Yalıkavak Belediye Başkanı X": the name before a place's office is a place;
    "Gürcistan ve Moldova Dışişleri Bakanlarının": "ve" joins two countries and the plural
    title is no name; "DP Partinin": a bare case ending closes an organisation."""
    text = ("Yalıkavak Belediye Başkanı Orhan Demirkaya açıklama yaptı. Toplantıda Gürcistan "
            "ve Moldova Dışişleri Bakanlarının görüşmesi ele alındı. DP Partinin il "
            "örgütü de katıldı. Karar, Resmi Gazete'de yayımlandı.")
    found = resolve_entities(text, spans(text, ("ORGANIZATION", "Yalıkavak Belediye Başkanı "
                                                "Orhan Demirkaya")), "tr")
    labels = {m.canonical: m.label for m in found}
    assert labels["Yalıkavak"] == "LOC" and labels["Orhan Demirkaya"] == "PER"
    assert labels["Moldova"] == "LOC" and labels["Gürcistan"] == "LOC"
    assert not any("Dışişleri" in name for name in labels)
    assert labels["DP Parti"] == "ORG" and labels["Resmi Gazete"] == "ORG"
    glued = "Eski DevletBakanı Nuri Saraçoğlu konuştu."
    person = next(m for m in resolve_entities(glued, [("ORGANIZATION", 5, 33)], "tr")
                  if m.label == "PER")
    assert (person.canonical, person.role) == ("Nuri Saraçoğlu", "Eski DevletBakanı")


def test_headline_and_dateline_names_are_entities() -> None:
    from newswire.nlp.entities import dateline_names, headline_names, resolve_names

    body = "Foreign Minister Ayla Demirtas met envoys in the capital on Monday."
    names = resolve_names(body, [], "en")
    title = "Demirtas Urges Calm As Protests Spread in Valdoria"
    found = headline_names(title, names, "en")
    assert ("Ayla Demirtas", "PER") in {(m.canonical, m.label) for m in found}
    assert all(m.source == "headline" and title[m.start:m.end] == m.text for m in found)
    # Title case is not a name by itself: "Urges Calm" is nobody.
    assert not any("Urges" in m.canonical for m in found)
    assert [(m.canonical, m.label, m.source) for m in dateline_names("Kadıköy/İstanbul",
                                                                     "tr")] == [
        ("Kadıköy", "LOC", "dateline"), ("İstanbul", "LOC", "dateline")]


def test_the_agency_a_dateline_credits_is_an_organisation() -> None:
    from newswire.nlp.annotate import Document
    from newswire.nlp.entities import agency_names
    from newswire.nlp.gold import GoldDoc

    assert [(m.text, m.start, m.end, m.label, m.canonical, m.source)
            for m in agency_names("Reuters")] == [("Reuters", 0, 7, "ORG", "Reuters", "agency")]
    assert agency_names(None) == [] and agency_names("") == []
    # The gold path cuts the dateline as the cleaner does and hands both parts on.
    doc = GoldDoc("d", "en", ["PARIS, March 3 (AFP) - The minister spoke.", "More."], None,
                  "statements")
    assert (doc.dateline, doc.agency) == ("Paris", "AFP")
    assert doc.text.startswith("The minister spoke.")
    assert Document("d", doc.text, None, None, doc.dateline, doc.agency).agency == "AFP"


def test_sentences_never_cut_a_quotation() -> None:
    text = 'Bakan, "Birinci cümle. İkinci cümle." dedi. Sonra ayrıldı.'
    got = [text[s:e] for s, e in sentences(text)]
    assert got == ['Bakan, "Birinci cümle. İkinci cümle." dedi.', "Sonra ayrıldı."]


# -- models ----------------------------------------------------------------------------------
def test_missing_models_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound) as err:
        find_models("tr", tmp_path)
    message = str(err.value)
    assert "python -m newswire models download --lang tr" in message
    assert "NEWSWIRE_STANZA_DIR" in message
    with pytest.raises(ModelNotFound, match="not supported"):
        find_models("de", tmp_path)


@requires_models
def test_flat_model_layout_and_identity() -> None:
    spec = find_models("tr", STANZA_DIR)
    assert spec.layout == "flat"
    assert spec.processors == ["tokenize", "mwt", "pos", "lemma", "ner"]
    assert spec.identity.startswith("stanza=1.15.0 tr flat tokenize:")
    assert find_models("en", STANZA_DIR).processors == ["tokenize", "mwt", "lemma", "ner"]


@requires_models
def test_lemma_memory_changes_no_lemma_and_is_forgotten_past_its_cap() -> None:
    """stanza's lemmatizer answering a (word, POS) it has decoded before from memory
    gives the lemmas decoding gives, on real articles; past the cap it forgets."""
    import stanza
    from newswire.nlp.gold import load_gold
    from newswire.nlp.models import forget_lemmas_past_cap, load_pipeline

    from tests.conftest import SHARED

    texts = [d.text for d in load_gold([SHARED / "data" / "real_statements" / "tr.jsonl"])]
    pipeline = load_pipeline(find_models("tr", STANZA_DIR))
    lemmatizer = pipeline.processors["lemma"]._trainer
    assert pipeline.processors["lemma"].store_results
    forget_lemmas_past_cap(pipeline, cap=-1)  # what other tests' articles taught it
    loaded = sum(map(len, lemmatizer.pos_dict.values()))

    def lemmas() -> list[tuple[str, str | None]]:
        docs = pipeline([stanza.Document([], text=t) for t in texts])
        return [(w.text, w.lemma) for d in docs for s in d.sentences for w in s.words]

    first = lemmas()  # decodes the words its dictionary lacks, and remembers them
    remembered = sum(map(len, lemmatizer.pos_dict.values())) - loaded
    assert remembered > 500
    assert lemmas() == first  # now answered from memory
    assert not forget_lemmas_past_cap(pipeline, cap=remembered)
    assert forget_lemmas_past_cap(pipeline, cap=remembered - 1)
    assert sum(map(len, lemmatizer.pos_dict.values())) == loaded
    assert lemmas() == first  # decoded again


@requires_models
def test_stanza_memo_gives_stanza_s_own_tags_and_entities(monkeypatch) -> None:
    """The POS and NER taggers read each distinct word's characters once and remember
    the vectors, and the features' strings are remembered: on real articles the words, lemmas, tags,
    features and entities are those stanza's own classes give, and each word's vector
    is the one stanza computes."""
    import stanza
    import torch
    from newswire.nlp.gold import load_gold
    from newswire.nlp.models import load_pipeline
    from newswire.nlp.stanza_memo import (
        DistinctWordCharacterModel,
        RememberedUnits,
        memoize_pipeline,
    )
    from stanza.models.common.char_model import CharacterModel

    from tests.conftest import SHARED

    texts = [d.text for d in load_gold([SHARED / "data" / "real_statements" / "tr.jsonl"])]
    pipeline = load_pipeline(find_models("tr", STANZA_DIR))
    swapped = [m for p in pipeline.processors.values() for t in
               (getattr(p, "trainers", None) or [p._trainer]) for m in t.model.modules()
               if isinstance(m, CharacterModel)]
    assert {type(m) for m in swapped} == {DistinctWordCharacterModel}
    assert len(swapped) == 2  # the POS tagger's and the NER tagger's
    features = pipeline.processors["pos"]._trainer.vocab["feats"]
    assert isinstance(features, RememberedUnits)
    remembering = type(features)

    def annotations() -> list:
        docs = pipeline([stanza.Document([], text=t) for t in texts])
        return ([(w.text, w.lemma, w.upos, w.xpos, w.feats) for d in docs
                 for s in d.sentences for w in s.words],
                [(e.text, e.type, e.start_char) for d in docs for e in d.ents])

    for module in swapped:
        module.__dict__.pop("newswire_words", None)  # what other tests' articles taught
    distinct = annotations()  # each batch's new words read, remembered
    remembered = [len(m.newswire_words.index) for m in swapped]
    assert min(remembered) > 1_000
    assert annotations() == distinct  # every word's vector from memory
    try:
        for module in swapped:
            module.__class__ = CharacterModel
        features.__class__ = remembering.__bases__[1]  # stanza's own FeatureVocab
        assert annotations() == distinct
        # One batch as the POS tagger builds it: words sorted longest first, repeats.
        tagger = swapped[0]
        words = ["Bakanı", "ve", "NATO'nun", "ve", "bir", "Bakanı", ",", "ve", "."]
        vocab = pipeline.processors["pos"]._trainer.vocab["char"]
        words = sorted(words, key=len, reverse=True)
        lengths = [len(w) for w in words]
        chars = torch.zeros(len(words), max(lengths), dtype=torch.long)
        for i, word in enumerate(words):
            chars[i, :len(word)] = torch.tensor(vocab.map(list(word)))
        args = (chars, chars == 0, list(range(len(words))), [5, 4], lengths)
        with torch.no_grad():
            tagger.eval()
            own = tagger(*args)
            tagger.__class__ = DistinctWordCharacterModel
            ours = tagger(*args)
        assert torch.allclose(own.data, ours.data, atol=1e-5)
        assert torch.equal(own.batch_sizes, ours.batch_sizes)
    finally:
        for module in swapped:
            module.__class__ = DistinctWordCharacterModel
        features.__class__ = remembering
    # Past its cap a model forgets what it remembered and reads the words again.
    monkeypatch.setattr("newswire.nlp.stanza_memo.WORD_MEMORY_CAP", 500)
    assert annotations() == distinct
    assert all(len(m.newswire_words.index) < r for m, r in zip(swapped, remembered,
                                                                strict=True))
    # Swapped when loaded: nothing left to swap.
    assert memoize_pipeline(pipeline) == {"character_models": 0, "composite_vocabs": 0}
    assert len(features.newswire_units) > 50  # the combinations it met


@requires_models
def test_seed_article_through_real_stanza() -> None:
    from newswire.nlp.annotate import Document, annotate
    from newswire.nlp.gold import load_gold
    from newswire.sample_site.site import CONTENT_DIR

    seed = next(d for d in load_gold([CONTENT_DIR]) if d.id == SEED_ID)
    ann = annotate([Document(seed.id, seed.text, seed.published)], "tr",
                   find_models("tr", STANZA_DIR))[0]
    direct = [q for q in ann.quotes if q.kind == "direct"]
    assert len(direct) == 3
    assert {q.speaker for q in direct} == {"Jens Stoltenberg"}
    for needle in ("Amacımız NATO Dışişleri Bakanları Toplantısı vesilesiyle",
                   "güvenliğimiz Doğu Asya'daki gelişmelerle bağlantılı",
                   "Karadağ'ın yakın zamandaki NATO'ya üyeliği"):
        assert any(needle in q.quote for q in direct), needle
    assert any(q.value == 3000 and q.unit == "asker" for q in ann.quantities)
    assert any(t.start_date == date(2017, 12, 5) and t.end_date == date(2017, 12, 6)
               for t in ann.time_mentions)
    per = {m.canonical for m in ann.entities if m.label == "PER"}
    assert per == {"Jens Stoltenberg"}
    loc = {m.canonical for m in ann.entities if m.label == "LOC"}
    assert {"Brüksel", "Kuzey Kore", "Afganistan", "Ürdün", "Tunus", "Karadağ"} <= loc
    assert {"NATO", "AB"} <= {m.canonical for m in ann.entities if m.label == "ORG"}
    assert ann.sentences and ann.tokens
    assert all(seed.text[t.start:t.end] for t in ann.tokens)


@requires_models
def test_nlp_tables_and_statements_view(settings) -> None:
    from newswire.stages import run_interval

    start = datetime(2017, 12, 4, tzinfo=UTC)
    run_interval(settings, start, start + timedelta(days=1), "nlp-1")
    con = duckdb.connect(str(settings.catalog), read_only=True)
    counts = dict(con.execute(
        "select 'quotes', count(*) from quotes union all select 'entities', count(*) "
        "from entities union all select 'tokens', count(*) from tokens union all "
        "select 'sentences', count(*) from sentences union all select 'quantities', "
        "count(*) from quantities union all select 'time_mentions', count(*) "
        "from time_mentions").fetchall())
    assert all(n > 0 for n in counts.values()), counts
    answer = con.execute(
        "select speaker, quote, title, dateline from statements "
        "where speaker ilike '%Stoltenberg%' and quote ilike '%Kuzey Kore%'").fetchall()
    assert answer and answer[0][0] == "Jens Stoltenberg" and answer[0][3] == "Brüksel"
    models = con.execute("select distinct model from quotes").fetchall()
    assert len(models) == 2 and all(m[0].startswith("stanza=1.15.0") for m in models)
    con.close()
    run_interval(settings, start, start + timedelta(days=1), "nlp-2")
    with duckdb.connect(str(settings.catalog), read_only=True) as again:
        assert again.execute("select count(*) from quotes").fetchone()[0] == counts["quotes"]


def test_no_models_fails_the_nlp_stage_but_keeps_articles(settings, tmp_path: Path,
                                                          monkeypatch) -> None:
    from newswire.stages import run_interval

    monkeypatch.setenv("NEWSWIRE_STANZA_DIR", str(tmp_path / "no-models"))
    start = datetime(2017, 12, 4, tzinfo=UTC)
    with pytest.raises(ModelNotFound, match="NEWSWIRE_STANZA_DIR"):
        run_interval(settings, start, start + timedelta(days=1), "no-models")
    with duckdb.connect(str(settings.catalog), read_only=True) as con:
        assert con.execute("select count(*) from articles").fetchone()[0] == 4
        assert con.execute("select count(*) from quotes").fetchone()[0] == 0


@requires_models
def test_evaluate_command_meets_the_thresholds(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = dict(os.environ, NEWSWIRE_STANZA_DIR=str(STANZA_DIR),
               PYTHONPATH=str(REPO / "include"))
    result = subprocess.run([sys.executable, "-m", "newswire", "evaluate"], env=env,
                            capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split()[1:3] for line in result.stdout.splitlines()
            if line.split() and line.split()[0] in ("quote_f1", "entity_f1",
                                                    "speaker_accuracy")}
    figures = {k: [float(v.rstrip("!")) for v in values] for k, values in rows.items()}
    assert min(figures["quote_f1"]) >= 0.9 and min(figures["entity_f1"]) >= 0.8
    assert "below thresholds" not in result.stderr
    # A bar above what is reachable makes the command fail, naming the metric.
    bars = tmp_path / "thresholds.json"
    bars.write_text('{"sample": {"quote_f1": 1.01, "entity_f1": 0.5}}')
    failing = subprocess.run([sys.executable, "-m", "newswire", "evaluate"],
                             env={**env, "NEWSWIRE_EVAL_THRESHOLDS": str(bars)},
                             capture_output=True, text=True, cwd=REPO, timeout=600)
    assert failing.returncode == 1
    assert "below thresholds: en sample quote_f1" in failing.stderr
    assert "entity_f1" not in failing.stderr


# -- real published articles (../shared/data/real_statements, read at run time) -----------
STATEMENTS = STANZA_DIR.parents[1] / "data" / "real_statements"
# Floors a little under what the development set reaches (see the closing note):
# a regression in any of them fails here.
FLOORS = {
    "tr": {"quote_recall": 0.97, "quote_precision": 0.97, "speaker_surname": 0.95,
           "speaker_full": 0.90, "entity_recall": 0.85, "amount_recall": 0.95},
    "en": {"quote_recall": 0.97, "quote_precision": 0.97, "speaker_surname": 0.95,
           "speaker_full": 0.90, "entity_recall": 0.83, "amount_recall": 0.95},
}


@requires_models
def test_real_statements_meet_the_floors() -> None:
    from newswire.nlp.gold import evaluate, load_gold

    assert STATEMENTS.is_dir(), f"{STATEMENTS} is missing: CI runs with ../shared beside"
    docs = load_gold([STATEMENTS / "tr.jsonl", STATEMENTS / "en.jsonl"])
    assert {d.lang for d in docs} == {"tr", "en"} and len(docs) >= 50
    groups = evaluate(docs, STANZA_DIR)
    for lang, floors in FLOORS.items():
        figures = groups[("statements", lang)].figures()
        low = {k: figures[k] for k, v in floors.items() if figures[k] < v}
        assert not low, f"{lang}: {low} under the floors {floors}"


@requires_models
def test_evaluate_reads_the_statements_format(tmp_path: Path) -> None:
    """The command on the JSONL format: per-language table and the misses listed."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    assert STATEMENTS.is_dir(), f"{STATEMENTS} is missing: CI runs with ../shared beside"
    lines = (STATEMENTS / "en.jsonl").read_text("utf-8").splitlines()[:2]
    subset = tmp_path / "en.jsonl"  # a temporary copy: third-party text stays out of the repo
    subset.write_text("\n".join(lines) + "\n", "utf-8")
    env = dict(os.environ, NEWSWIRE_STANZA_DIR=str(STANZA_DIR),
               PYTHONPATH=str(REPO / "include"))
    result = subprocess.run([sys.executable, "-m", "newswire", "evaluate", "--gold",
                             str(subset), "--show-misses"], env=env, capture_output=True,
                            text=True, cwd=REPO, timeout=600)
    assert result.returncode in (0, 1), result.stderr
    header = result.stdout.splitlines()[0]
    assert "en (statements)" in header
    rows = {line.split()[0] for line in result.stdout.splitlines() if line.split()}
    assert {"quote_recall", "quote_precision", "speaker_surname", "speaker_full",
            "entity_recall_PER", "entity_recall_ORG", "entity_recall_LOC",
            "amount_recall"} <= rows
    assert "en (statements):" in result.stdout  # the misses section


def test_the_nlp_package_stands_alone() -> None:
    """nlp loads neither the lake (config pulls in pyarrow and s3fs) nor the demo site."""
    import subprocess
    import sys

    from tests.conftest import REPO

    code = ("import sys, newswire.nlp.annotate, newswire.nlp.gold, newswire.nlp.models; "
            "print(sorted(m for m in ('newswire.config', 'newswire.store', 'pyarrow', 's3fs', "
            "'newswire.sample_site.site', 'stanza', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO / "include"), "PATH": ""}, check=True)
    assert out.stdout.strip() == "[]"
