"""English names the rule layers used to cut apart or mislabel, one test per class of
error (issue 11): people the model calls places, numbered roads, venues, the outlet in a
dateline, companies named by ordinary words, organisation heads the lexicon lacked.
Sentences written for these tests; the spans a weak model gives are passed by hand, and
one test runs the real offline English model over them."""

from __future__ import annotations

from datetime import date

from newswire.nlp.annotate import Document, annotate
from newswire.nlp.entities import resolve_names
from newswire.nlp.models import find_models

from tests.conftest import STANZA_DIR, requires_models
from tests.test_nlp import spans
from tests.test_org_classes import after_quotes


def names(text: str, model: list[tuple[str, int, int]] | None = None
          ) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in resolve_names(text, model or [], "en").mentions:
        out.setdefault(m.canonical, set()).add(m.label)
    return out


# -- 1. people the model calls places or organisations ------------------------------------
def test_a_common_given_name_makes_a_person_whatever_the_model_says() -> None:
    text = ("Marta Olsen lost to Tyler Fenwick in the second round on Sunday, and "
            "Kyle Brannock beat Nathan Orley.")
    found = names(text, spans(text, ("LOC", "Tyler Fenwick"), ("ORG", "Kyle Brannock"),
                              ("LOC", "Nathan Orley")))
    assert found["Tyler Fenwick"] == {"PER"}
    assert found["Kyle Brannock"] == {"PER"}
    assert found["Nathan Orley"] == {"PER"}


def test_a_name_in_apposition_after_a_role_noun_is_a_person() -> None:
    """ "the region's prefect, X Y, says": commas round the name keep the role from
    running into it, but the role still names a person."""
    text = "The storm has passed, the region's prefect, Corvin Halde, says."
    found = names(text, spans(text, ("LOC", "Corvin Halde")))
    assert found["Corvin Halde"] == {"PER"}
    # Not any name between commas: a place after a place noun stays a place.
    text = "Flights to the capital, Kestrelmoor, resumed."
    assert names(text, spans(text, ("LOC", "Kestrelmoor"))).get("Kestrelmoor") == {"LOC"}


# -- 2. numbered roads -----------------------------------------------------------------
def test_a_road_word_and_its_number_are_one_place() -> None:
    text = ("Police closed Interstate 10 near the border, and traffic on Route 66 and "
            "U.S. Route 1 was diverted to Highway 9 and I-95.")
    found = names(text, spans(text, ("LOC", "Interstate"), ("ORG", "Route")))
    for road in ("Interstate 10", "Route 66", "U.S. Route 1", "Highway 9", "I-95"):
        assert found.get(road) == {"LOC"}, road
    assert not {"Interstate", "Route", "Highway", "U.S."} & set(found)
    text = "A truck overturned on Illinois Route 29 on Friday."
    assert names(text).get("Illinois Route 29") == {"LOC"}


def test_a_road_word_without_a_number_is_no_road() -> None:
    text = "The Route Planning Office said the route was safe."
    assert "Route" not in {n for n, labels in names(text).items() if "LOC" in labels}


# -- 3. venues -------------------------------------------------------------------------
def test_a_venue_head_with_a_known_place_is_one_place() -> None:
    """ "Wembley Stadium", "Stadium Australia", "Istanbul Airport": the venue, not the
    town and a bare "Stadium"."""
    text = ("The final moves from Wembley Stadium to Stadium Australia, and fans will "
            "fly out of Istanbul Airport.")
    found = names(text)
    assert found.get("Wembley Stadium") == {"LOC"}
    assert found.get("Stadium Australia") == {"LOC"}
    assert found.get("Istanbul Airport") == {"LOC"}
    assert not {"Stadium", "Airport", "Australia", "Istanbul"} & set(found)


def test_a_venue_named_after_a_person_or_word_is_a_place() -> None:
    text = "They play at the Corvane Arena and then at Stadium Merdeka."
    found = names(text, spans(text, ("PER", "Corvane Arena"), ("ORG", "Stadium Merdeka")))
    assert found.get("Corvane Arena") == {"LOC"}
    assert found.get("Stadium Merdeka") == {"LOC"}


def test_a_possessive_place_before_a_venue_stays_the_owner() -> None:
    text = "Qatar's Stadium plans were approved."
    assert "Qatar" in names(text)


# -- 4. the outlet in a dateline -------------------------------------------------------
def test_the_source_in_parentheses_after_a_dateline_is_an_organisation() -> None:
    """An outlet no list knows, two capitalised words like a person's name, after a
    dateline in capitals or in mixed case."""
    text = ("KESTRELMOOR, Jan. 31 (Harbour Wire) – Officials said on Friday that the dam "
            "held.\n\nHarbour Wire could not reach the mayor.")
    found = names(text, spans(text, ("PER", "Harbour Wire")))
    assert found.get("Harbour Wire") == {"ORG"}
    assert found.get("Kestrelmoor") == {"LOC"}
    text = "Dorvale, Feb. 3 (Tom Lantern) - The dam held, officials said."
    found = names(text, spans(text, ("PER", "Tom Lantern")))
    assert found.get("Tom Lantern") == {"ORG"}
    assert "PER" not in {label for labels in found.values() for label in labels}


def test_the_outlet_the_cleaner_cut_is_an_organisation_in_the_body_too() -> None:
    """The cleaner cuts "KESTRELMOOR (Harbour Wire) -" and keeps the outlet apart: where
    the body names it again it is that organisation, not the person the model sees."""
    text = "Harbour Wire could not reach the mayor on Friday."
    mentions = resolve_names(text, spans(text, ("PER", "Harbour Wire")), "en",
                             agency="Harbour Wire").mentions
    assert {(m.canonical, m.label) for m in mentions} >= {("Harbour Wire", "ORG")}
    assert not [m for m in mentions if m.label == "PER"]


def test_parentheses_without_a_dash_are_no_dateline_credit() -> None:
    text = "Tom Lantern told Dorvale Radio (Harbour Wire) that the dam held."
    found = names(text, spans(text, ("PER", "Tom Lantern"), ("PER", "Harbour Wire")))
    assert found.get("Tom Lantern") == {"PER"}
    assert "ORG" not in found.get("Harbour Wire", set())


# -- 5. companies named by ordinary words or places ------------------------------------
def test_names_listed_before_a_plural_organisation_noun_are_organisations() -> None:
    text = ("Shares of Velmor, Osterby and Pelican airlines fell, while Harlan and "
            "Brightwater banks rose.")
    found = names(text, spans(text, ("PER", "Velmor"), ("LOC", "Osterby"),
                              ("LOC", "Harlan")))
    for company in ("Velmor", "Osterby", "Pelican", "Harlan", "Brightwater"):
        assert found.get(company) == {"ORG"}, company


def test_a_company_named_in_full_keeps_its_short_form() -> None:
    """ "Velmor Airlines" ... "Velmor's stock", "Velmor had": the company, not a person;
    a known place needs a company noun ("Alaska's shares", not "Alaska's governor") and
    no preposition of place ("in Alaska")."""
    text = ("Velmor Airlines cut 300 flights on Monday. Velmor's stock fell 4% and Velmor "
            "had warned in May. Alaska Airlines said Alaska's shares rose while snow fell "
            "in Alaska. Alaska's governor spoke.")
    model = spans(text, ("ORG", "Velmor Airlines"), ("PER", "Velmor"), ("PER", "Velmor"),
                  ("LOC", "Alaska"), ("LOC", "Alaska"), ("LOC", "Alaska"),
                  ("LOC", "Alaska"))
    mentions = resolve_names(text, model, "en").mentions
    by_start = {m.start: (m.label, m.canonical) for m in mentions}
    assert by_start[model[1][1]] == ("ORG", "Velmor Airlines")  # "Velmor's stock"
    assert by_start[model[2][1]] == ("ORG", "Velmor Airlines")  # "Velmor had"
    assert by_start[model[4][1]] == ("ORG", "Alaska Airlines")  # "Alaska's shares"
    assert by_start[model[5][1]] == ("LOC", "Alaska")
    assert by_start[model[6][1]] == ("LOC", "Alaska")


def test_a_company_short_form_is_not_a_speaker() -> None:
    text = ('Velmor Airlines cut 300 flights. "Demand is weak," Velmor said on Monday. '
            'He said Velmor had "no plans to sell".')
    found = after_quotes(text, spans(text, ("ORG", "Velmor Airlines"), ("PER", "Velmor"),
                                     ("PER", "Velmor")))
    assert found["Velmor Airlines"] == {"ORG"}
    assert "Velmor" not in found


# -- 6. organisation heads the lexicon lacked ------------------------------------------
def test_forums_newspapers_prefectures_and_weather_services_are_organisations() -> None:
    text = ("The Harbour Economic Forum met on Monday, according to Kestrel Pravda. "
            "The Dorvale Police Prefecture closed two roads, and according to the Meteo "
            "Kestrel weather service more snow is due.")
    found = names(text, spans(text, ("LOC", "Harbour Economic Forum"), ("PER", "Kestrel Pravda"),
                              ("LOC", "Dorvale Police Prefecture"),
                              ("PER", "Meteo Kestrel")))
    assert found.get("Harbour Economic Forum") == {"ORG"}
    assert found.get("Kestrel Pravda") == {"ORG"}
    assert found.get("Dorvale Police Prefecture") == {"ORG"}
    assert found.get("Meteo Kestrel") == {"ORG"}


def test_a_prefecture_after_one_place_word_is_the_region() -> None:
    text = "Snow fell across Chiba Prefecture on Monday."
    assert names(text).get("Chiba Prefecture") == {"LOC"}


def test_well_known_exchanges_and_sports_bodies_are_organisations() -> None:
    text = "The NBA and the ATP moved events, and Euronext and Bursa Malaysia fell."
    found = names(text)
    for body in ("NBA", "ATP", "Euronext", "Bursa Malaysia"):
        assert found.get(body) == {"ORG"}, body


# -- the real offline model over the classes ---------------------------------------------
@requires_models
def test_the_classes_hold_with_the_real_english_model() -> None:
    text = ("KESTRELMOOR, Jan. 31 (Harbour Wire) – Tyler Fenwick lost to Nathan Orley at "
            "Wembley Stadium on Sunday, hours after Interstate 10 reopened.\n\n"
            "Shares of Velmor, Osterby and Pelican airlines fell, the Harbour Economic "
            "Forum said.")
    ann = annotate([Document("d1", text, date(2024, 1, 31))], "en",
                   find_models("en", STANZA_DIR))[0]
    found: dict[str, set[str]] = {}
    for m in ann.entities:
        found.setdefault(m.canonical, set()).add(m.label)
    assert found.get("Harbour Wire") == {"ORG"}
    assert found.get("Tyler Fenwick") == {"PER"}
    assert found.get("Nathan Orley") == {"PER"}
    assert found.get("Wembley Stadium") == {"LOC"}
    assert found.get("Interstate 10") == {"LOC"}
    for company in ("Velmor", "Osterby", "Pelican"):
        assert found.get(company) == {"ORG"}, company
    assert found.get("Harbour Economic Forum") == {"ORG"}
