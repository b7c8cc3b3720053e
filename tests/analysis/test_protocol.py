"""The several-films method and the several-films queries, on hand-made cases."""

from __future__ import annotations

import pandas as pd

from filmoteca.analysis import protocol as pr


def test_several_films_sums_stored_scores() -> None:
    scored = {
        1: [(10, 0.9), (11, 0.8), (2, 0.7), (12, 0.1)],
        2: [(11, 0.5), (13, 0.95), (1, 0.6), (14, 0.3)],
        3: [(10, 0.2), (15, 0.1)],
    }
    groups = {f: f for f in range(1, 20)} | {14: 1}  # 14 is a duplicate of query film 1
    # union of the lists of 1 and 2: 10 (0.9), 11 (0.8 + 0.5 = 1.3), 12 (0.1), 13 (0.95),
    # 14 (0.3, but a duplicate of 1: out); 1 and 2 are the query films: out
    assert pr.several_films(scored, (1, 2), groups, k=5) == [11, 13, 10, 12]
    assert pr.several_films(scored, (1, 2), groups, k=2) == [11, 13]
    # three films: 10 gets 0.9 + 0.2 = 1.1; 15 gets 0.1 and ties with 12 (0.1): lower id
    assert pr.several_films(scored, (1, 2, 3), groups, k=10) == [11, 10, 13, 12, 15]
    # a film without a stored list adds nothing (2 is not a query film here: it stays)
    assert pr.several_films(scored, (1, 99), groups, k=3) == [10, 11, 2]


def test_several_films_ties_at_the_stored_precision() -> None:
    # 0.1 + 0.2 != 0.3 in floating point; summed at the stored 6 decimals they tie: lower id
    scored = {1: [(20, 0.1), (7, 0.3)], 2: [(20, 0.2)]}
    groups = {f: f for f in range(30)}
    assert pr.several_films(scored, (1, 2), groups) == [7, 20]


def test_first_film_leaves_the_query_films_out() -> None:
    lists = {1: [2, 10, 3, 11, 12, 13, 14], 2: [1, 20]}
    groups = {f: f for f in range(30)} | {11: 3}  # 11 is a duplicate of query film 3
    assert pr.first_film(lists, (1, 2, 3), groups, k=3) == [10, 12, 13]
    assert pr.first_film(lists, (2, 1), groups) == [20]


def test_group_queries_are_seeded_and_leave_targets() -> None:
    rows = []
    for user, liked in ((1, [5, 6, 7, 8, 9]), (2, [5, 6, 7]), (3, [5, 6]), (4, [1, 2, 3, 4])):
        rows += [(user, f, 4.5) for f in liked] + [(user, 100 + user, 2.0)]  # + one disliked
    held_out = pd.DataFrame(rows, columns=["user_id", "film_id", "rating"])
    queries = pr.make_group_queries(held_out, seed=7)
    assert [q.user_id for q in queries] == [1, 2, 4]  # user 3 has only 2 liked films
    liked = held_out.loc[held_out["rating"] >= 4].groupby("user_id")["film_id"].apply(set)
    for q in queries:
        assert len(q.films) in (2, 3) and len(set(q.films)) == len(q.films)
        assert set(q.films) | q.targets == liked[q.user_id]
        assert q.targets and not set(q.films) & q.targets
    assert len(queries[1].films) == 2  # 3 liked films: at most 2 in the query
    assert pr.make_group_queries(held_out, seed=7) == queries
    assert any(pr.make_group_queries(held_out, seed=s) != queries for s in range(8, 20))
