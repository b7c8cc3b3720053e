"""The neighbours table built from the real sample, and the model on tiny hand-made tables."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from filmoteca.catalog.tables import table_path
from filmoteca.etl.clean import Tables
from filmoteca.etl.neighbours import compute_neighbours
from filmoteca.progress import NullProgress
from filmoteca.text import normalize

K = 10


def _tables(catalog_dir: Path) -> Tables:
    return Tables(**{f.name: pd.read_parquet(table_path(catalog_dir, f.name))
                     for f in fields(Tables)})


@pytest.fixture(scope="module")
def tables(catalog_dir: Path) -> Tables:
    return _tables(catalog_dir)


@pytest.fixture(scope="module")
def neighbours(catalog_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(table_path(catalog_dir, "neighbours"))


def test_k_rows_per_film_ranked(neighbours: pd.DataFrame, tables: Tables) -> None:
    assert set(neighbours.columns) >= {"film_id", "neighbour_id", "rank", "score", "reasons"}
    assert str(neighbours["film_id"].dtype) == "int64"
    assert str(neighbours["neighbour_id"].dtype) == "int64"
    counts = neighbours.groupby("film_id").size()
    assert set(counts.index) == set(tables.films["id"])
    assert (counts == K).all()
    for _, group in neighbours.groupby("film_id"):
        assert group["rank"].tolist() == list(range(1, K + 1))
        assert group["score"].is_monotonic_decreasing
        assert group["neighbour_id"].is_unique


def test_no_self_and_no_duplicates(neighbours: pd.DataFrame, tables: Tables) -> None:
    assert not (neighbours["film_id"] == neighbours["neighbour_id"]).any()
    films = tables.films.set_index("id")
    key = films["title"].map(normalize) + "|" + films["release_year"].astype(str)
    same = key.loc[neighbours["film_id"]].to_numpy() == key.loc[neighbours["neighbour_id"]]
    assert not same.any()


def test_collection_siblings_are_neighbours(neighbours: pd.DataFrame, tables: Tables) -> None:
    films = set(tables.films["id"])
    collections = tables.film_collections
    # Back to the Future (105) -> Part II (165) and Part III (196); Alien (348) -> Aliens (679)
    for film, siblings in ((105, {165, 196}), (348, {679})):
        assert {film, *siblings} <= films
        top = set(neighbours.loc[neighbours["film_id"] == film, "neighbour_id"])
        assert siblings <= top
    # and, in general, films of a collection get a sibling among their neighbours
    sizes = collections.groupby("collection_id")["film_id"].transform("size")
    multi = collections.loc[sizes > 1]
    pairs = multi.merge(multi, on="collection_id")
    pairs = pairs.loc[pairs["film_id_x"] != pairs["film_id_y"]]
    found = pairs.merge(neighbours, left_on=["film_id_x", "film_id_y"],
                        right_on=["film_id", "neighbour_id"])
    assert found["film_id"].nunique() >= 0.9 * multi["film_id"].nunique()


def test_reasons_are_spanish_sentences(neighbours: pd.DataFrame) -> None:
    assert all(len(r) > 0 and all(isinstance(s, str) and s for s in r)
               for r in neighbours["reasons"])
    row = neighbours.loc[(neighbours["film_id"] == 105) & (neighbours["neighbour_id"] == 165)]
    reasons = list(row["reasons"].iloc[0])
    assert reasons[0] == "misma colección: Back to the Future Collection"
    assert "mismo director: Robert Zemeckis" in reasons


def test_deterministic(tables: Tables) -> None:
    first = compute_neighbours(tables, NullProgress())
    second = compute_neighbours(tables, NullProgress())
    pd.testing.assert_frame_equal(first, second)


def test_ratings_argument_is_used(tables: Tables) -> None:
    none = tables.ratings.iloc[0:0]
    with_ratings = compute_neighbours(tables, NullProgress(), k=5)
    without = compute_neighbours(tables, NullProgress(), ratings=none, k=5)
    assert len(with_ratings) == len(without) == 5 * len(tables.films)
    assert not with_ratings["neighbour_id"].equals(without["neighbour_id"])
    assert not any("MovieLens" in s for r in without["reasons"] for s in r)


def _tiny() -> Tables:
    """Five films; 1 and 2 share two first-billed actors, 3 is a duplicate of 1."""
    films = pd.DataFrame({
        "id": [1, 2, 3, 4, 5],
        "title": ["Alpha", "Beta", "ALPHA ", "Gamma", "Delta"],
        "overview": ["a sailor at sea", "sailor storm sea", "a sailor at sea", "", None],
        "release_year": [2000, 2001, 2000, 1990, 1980],
        "vote_average": [7.0, 6.0, 7.0, 8.0, 5.0],
        "vote_count": [100, 50, 100, 1000, 3],
    })
    empty = pd.DataFrame({"film_id": pd.Series([], dtype="int64")})
    cast = pd.DataFrame({
        "film_id": [1, 1, 2, 2, 4], "person_id": [10, 11, 10, 11, 12],
        "name": ["Ann Actor", "Bob Actor", "Ann Actor", "Bob Actor", "Cy Actor"],
        "character": ["", "", "", "", ""], "order": [0, 1, 0, 3, 0],
    })
    genres = pd.DataFrame({"film_id": [1, 2, 4, 5], "genre_id": [18, 18, 35, 18],
                           "genre": ["Drama", "Drama", "Comedy", "Drama"]})
    return Tables(
        films=films, film_genres=genres,
        film_companies=empty.assign(company_id=[], company=[]),
        film_countries=empty.assign(iso_3166_1=[], country=[]),
        film_languages=empty.assign(iso_639_1=[], language=[]),
        film_collections=empty.assign(collection_id=pd.Series([], dtype="int64"),
                                      collection=[]),
        cast=cast,
        directors=empty.assign(person_id=pd.Series([], dtype="int64"), name=[]),
        keywords=empty.assign(keyword_id=pd.Series([], dtype="int64"), keyword=[]),
        ratings=pd.DataFrame({"user_id": pd.Series([], dtype="int64"),
                              "film_id": pd.Series([], dtype="int64"),
                              "rating": pd.Series([], dtype="float32"),
                              "timestamp": pd.Series([], dtype="int64")}),
    )


def test_tiny_catalog_with_cast() -> None:
    nb = compute_neighbours(_tiny(), NullProgress(), k=10)
    # 1 and 3 are duplicates: each gets the 3 other films only
    assert nb.groupby("film_id").size().to_dict() == {1: 3, 2: 4, 3: 3, 4: 4, 5: 4}
    best = nb.loc[(nb["film_id"] == 2) & (nb["rank"] == 1)].iloc[0]
    assert best["neighbour_id"] in (1, 3)
    assert "reparto en común: Ann Actor, Bob Actor" in best["reasons"]
    assert "géneros en común: Drama" in best["reasons"]


def test_genre_sets_are_exact_for_any_number_of_genres():
    """Films are grouped by their exact set of genres, also with more than 53 genres in use
    (a bitmask summed as floats loses the low bits: 2**0 + 2**69 == 2**69 in float64)."""
    import numpy as np
    import scipy.sparse as sp

    from filmoteca.etl.neighbours import _row_sets

    rows = [[g] for g in range(70)] + [[0, 69], [69], [0, 69], []]
    indptr = np.cumsum([0, *map(len, rows)])
    indices = np.array([c for r in rows for c in r], dtype=np.int64)
    matrix = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), 70))
    codes = _row_sets(matrix).tolist()
    assert codes[:70] == list(range(70))
    assert codes[70:] == [70, 69, 70, 71]  # {0, 69} is neither {69} nor the empty set
    assert float(2**0 + 2**69) == float(2**69)  # why the old float bitmask was wrong


def test_group_order_is_exact_for_large_groups_and_close_scores():
    """(group asc, score desc, position asc), also for groups in the millions and scores
    1e-9 apart over a span of 3 (a single float key cannot hold both)."""
    import numpy as np

    from filmoteca.etl.neighbours import _group_order

    rng = np.random.default_rng(0)
    size = 20_000
    group = np.sort(rng.integers(0, 3_000_000, size=size // 4)).repeat(4)
    score = np.round(rng.choice([0.0, 3.0], size=size) + rng.integers(0, 3, size=size) * 1e-9,
                     9)
    expected = sorted(range(size), key=lambda i: (group[i], -score[i], i))
    assert _group_order(group, score).tolist() == expected
