"""The literal parser returns exactly what ``ast.literal_eval`` returns, on real cells and on
generated ones, and never evaluates code."""

from __future__ import annotations

import ast

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filmoteca.etl.clean import CAST_SHAPE, DIRECTOR_SHAPE, MOVIE_LINKS
from filmoteca.etl.literals import LiteralError, RecordShape, parse_records

NESTED = ["belongs_to_collection", "genres", "production_companies", "production_countries",
          "spoken_languages"]


def _expected(cell: object) -> list[dict]:
    if not isinstance(cell, str):
        return []
    value = ast.literal_eval(cell)
    return [value] if isinstance(value, dict) else value


@pytest.mark.parametrize("column", NESTED)
def test_every_real_movies_cell_matches_literal_eval(raw_movies: pd.DataFrame, column: str):
    cells = raw_movies[column].tolist()
    assert [parse_records(c) for c in cells] == [_expected(c) for c in cells]


def test_every_real_keywords_cell_matches_literal_eval(sample_dir):
    cells = pd.read_csv(sample_dir / "keywords.csv.gz", dtype=str)["keywords"].tolist()[:5000]
    assert [parse_records(c) for c in cells] == [_expected(c) for c in cells]


scalars = st.one_of(
    st.text(max_size=30), st.integers(-10**12, 10**12), st.none(), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
records = st.lists(
    st.dictionaries(st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True), scalars,
                    max_size=6),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(records)
def test_generated_literals_round_trip(value: list[dict]):
    assert parse_records(repr(value)) == value


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**7), st.text(max_size=20), st.text(max_size=20),
                          st.integers(0, 300)), max_size=8))
def test_cast_fast_path_matches_literal_eval(people):
    cell = repr([
        {"cast_id": i, "character": character, "credit_id": "52fe4284c3a36847f8024f95",
         "gender": 2, "id": pid, "name": name, "order": order, "profile_path": None}
        for i, (pid, name, character, order) in enumerate(people)
    ])
    expected = [(d["character"], d["id"], d["name"], d["order"]) for d in ast.literal_eval(cell)]
    assert CAST_SHAPE.extract(cell) == expected


def test_crew_keeps_only_directors_and_falls_back_on_other_key_orders():
    crew = [
        {"credit_id": "a", "department": "Directing", "gender": 2, "id": 1, "job": "Director",
         "name": "Pat O'Brien", "profile_path": None},
        {"credit_id": "b", "department": "Writing", "gender": 1, "id": 2, "job": "Screenplay",
         "name": "Someone", "profile_path": "/x.jpg"},
    ]
    assert DIRECTOR_SHAPE.extract(repr(crew)) == [(1, "Pat O'Brien")]
    # The sample's reconstructed crew has another key set: the exact fallback handles it.
    reduced = ("[{'department': 'Directing', 'id': 7879, 'job': 'Director', 'name': 'J L'}, "
               "{'department': 'Sound', 'id': 1, 'job': 'Foley', 'name': 'X'}]")
    assert DIRECTOR_SHAPE.extract(reduced) == [(7879, "J L")]


@pytest.mark.parametrize("column", list(MOVIE_LINKS))
def test_movie_shapes_match_literal_eval_on_real_cells(raw_movies: pd.DataFrame, column: str):
    _, keys, wanted, _ = MOVIE_LINKS[column]
    shape = RecordShape(keys, wanted)
    for cell in raw_movies[column].tolist():
        assert shape.extract(cell) == [tuple(d[k] for k in wanted) for d in _expected(cell)]


@pytest.mark.parametrize("cell", ["[{'a': 1}", "False", "__import__('os').system('true')",
                                  "[1, 2]", "{'a': [1, 2]"])
def test_garbage_is_rejected_never_evaluated(cell: str):
    with pytest.raises(LiteralError):
        parse_records(cell)


def test_missing_and_empty_cells_are_empty():
    assert parse_records(None) == [] == parse_records(float("nan")) == parse_records("[]")


@pytest.mark.parametrize("cell", [
    "garbage", "None", "[1, 2]", "[" * 50,
    "[{'id': 1, 'name': 'x'}",  # truncated before the closing bracket
    "[{'id': 1, 'name': 'x'} x}, {'id': 2, 'name': 'y'}]",  # garbage between two dicts
    "[{'id': 1, 'name': 'x'}, {'id': 2, 'name': 'y'}] tail",
    "[{'id': 007, 'name': 'x'}]",  # leading zeros: a syntax error in Python 3
    "[{'id': 1, 'name': 'a\nb'}]",  # a raw line break inside a string
])
def test_shapes_reject_what_literal_eval_rejects(cell: str):
    """The fast path of RecordShape never accepts a cell that ``ast.literal_eval`` refuses
    (it used to read "garbage" as an empty list, and a truncated list as complete)."""
    try:
        value = ast.literal_eval(cell)
    except (ValueError, SyntaxError):
        value = None
    assert not (isinstance(value, list) and all(isinstance(v, dict) for v in value))
    with pytest.raises(LiteralError):
        RecordShape(("id", "name"), ("id", "name")).extract(cell)
