"""The analysts' entity macros on real DuckDB: exact names, gazetteer aliases across
languages, person surnames, whole tokens only when asked."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from newswire.catalog import MACROS_SQL, entity_aliases_sql

DAY = date(2018, 3, 5)
# (article, entity, label): invented mentions, one article per line of thought.
MENTIONS = [
    ("a1", "AB", "ORG"), ("a1", "Brüksel", "LOC"),
    ("a2", "ABD", "LOC"),
    ("a3", "Haider al-Abadi", "PER"),
    ("a4", "Labor Department", "ORG"),
    ("a5", "European Union", "ORG"), ("a5", "Lisbon", "LOC"),
    ("a6", "Avrupa Birliği", "ORG"),
    ("a7", "NATO", "ORG"), ("a7", "NATO Zirvesi", "MISC"), ("a7", "Varşova", "LOC"),
    ("a8", "NATO Zirvesi", "MISC"), ("a8", "Vilnius", "LOC"),
    ("a9", "Helga Marenholt", "PER"), ("a9", "Oslo", "LOC"),
]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE entity_mentions (source VARCHAR, date DATE, article_id VARCHAR, "
                "title VARCHAR, published_at TIMESTAMP, entity VARCHAR, label VARCHAR, "
                "mentions BIGINT, role VARCHAR)")
    con.executemany("INSERT INTO entity_mentions VALUES ('wire', ?, ?, NULL, NULL, ?, ?, 1, "
                    "NULL)", [(DAY, a, e, label) for a, e, label in MENTIONS])
    # quotes_by needs a statements view to exist; it is not used here.
    con.execute("CREATE TABLE statements (speaker VARCHAR, date DATE, published_at TIMESTAMP,"
                " start_char BIGINT)")
    con.execute(entity_aliases_sql())
    for sql in MACROS_SQL:
        con.execute(sql)
    return con


def entities(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    return {row[0] for row in con.execute(sql, [DAY, DAY]).fetchall()}


def test_mentions_of_matches_names_not_substrings(con) -> None:
    found = entities(con, "SELECT entity FROM mentions_of('AB', ?, ?)")
    # AB, and its aliases in both languages; not ABD, Abadi or Labor Department.
    assert found == {"AB", "Avrupa Birliği", "European Union"}
    assert entities(con, "SELECT entity FROM mentions_of('eu', ?, ?)") == found


def test_a_person_is_found_by_one_of_the_name_words(con) -> None:
    assert entities(con, "SELECT entity FROM mentions_of('Marenholt', ?, ?)") == {
        "Helga Marenholt"}
    assert entities(con, "SELECT entity FROM mentions_of('Abadi', ?, ?)") == set()


def test_whole_tokens_only_when_asked(con) -> None:
    assert entities(con, "SELECT entity FROM mentions_of('NATO', ?, ?)") == {"NATO"}
    assert entities(con, "SELECT entity FROM mentions_of('NATO', ?, ?, whole_tokens := "
                         "true)") == {"NATO", "NATO Zirvesi"}


def test_cooccurring_leaves_out_the_longer_names_unless_asked(con) -> None:
    assert entities(con, "SELECT entity FROM cooccurring('NATO', ?, ?)") == {"Varşova"}
    assert entities(con, "SELECT entity FROM cooccurring('NATO', ?, ?, related := true)") \
        == {"Varşova", "NATO Zirvesi"}
    # Aliases count as the entity itself: EU articles are AB articles.
    assert entities(con, "SELECT entity FROM cooccurring('AB', ?, ?)") == {"Brüksel",
                                                                           "Lisbon"}
