"""The offline protocol of the recommender's evaluation, shared by evaluation and tuning.

Owns the split of MovieLens users (:func:`split_users`), the queries of a held-out user
(:func:`make_queries`), the head of most-rated films and the long-tail queries
(:func:`head_films`, :func:`long_tail`), the model's lists (:func:`model_lists`) and their
scores (:func:`score`; formulas in :mod:`.metrics`). The protocol itself is told in
:mod:`.evaluate`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from filmoteca.analysis import metrics
from filmoteca.catalog import store
from filmoteca.catalog.tables import read_table
from filmoteca.etl.clean import Tables
from filmoteca.etl.neighbours import LIKED, OverviewBlock, Weights, compute_neighbours
from filmoteca.progress import NullProgress, Progress

K = 5
TEST_SHARE = 0.2
HEAD_SHARE = 0.01
Lists = dict[int, list[int]]


@dataclass(frozen=True)
class Query:
    user_id: int
    film_id: int
    targets: frozenset[int]


@dataclass
class Result:
    method: str
    hr: float
    precision: float
    ndcg: float
    coverage: float
    hr_lt: float
    precision_lt: float
    ndcg_lt: float
    coverage_lt: float
    seconds: float


def load_tables(catalog_dir: Path) -> Tables:
    """The catalog's Parquet tables, all from the one build ``catalog_dir`` points to now
    (resolved once: a build published meanwhile cannot mix two builds);
    :class:`CatalogError` (one line) if the catalog or a table is missing."""
    build = store.resolve(catalog_dir)
    return Tables(**{f.name: read_table(build, f.name) for f in fields(Tables)})


def split_users(ratings: pd.DataFrame, seed: int,
                test_share: float = TEST_SHARE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training ratings, held-out ratings): users shuffled with ``seed``, 80/20."""
    users = np.sort(ratings["user_id"].unique())
    shuffled = np.random.default_rng(seed).permutation(users)
    held_out = set(shuffled[: round(test_share * len(users))].tolist())
    mask = ratings["user_id"].isin(held_out)
    return ratings.loc[~mask], ratings.loc[mask]


def make_queries(held_out: pd.DataFrame) -> list[Query]:
    """One query per liked film of each held-out user with at least one other liked film."""
    liked = held_out.loc[held_out["rating"] >= LIKED, ["user_id", "film_id"]]
    queries = []
    for user, films in liked.groupby("user_id", sort=True)["film_id"]:
        mine = frozenset(int(f) for f in films)
        for film in sorted(mine):
            targets = mine - {film}
            if targets:
                queries.append(Query(int(str(user)), int(film), targets))
    return queries


def head_films(films: pd.DataFrame, train: pd.DataFrame,
               share: float = HEAD_SHARE) -> frozenset[int]:
    """The ``ceil(share * N)`` most-rated catalog films (training ratings; ties: lower id)."""
    counts = train["film_id"].value_counts()
    table = pd.DataFrame({"id": films["id"].to_numpy()})
    table["n"] = table["id"].map(counts).fillna(0).astype(int)
    table = table.sort_values(["n", "id"], ascending=[False, True])
    return frozenset(int(i) for i in table["id"].head(math.ceil(share * len(films))))


def long_tail(queries: list[Query], head: frozenset[int]) -> list[Query]:
    out = []
    for q in queries:
        targets = q.targets - head
        if targets:
            out.append(replace(q, targets=targets))
    return out


def model_lists(tables: Tables, train: pd.DataFrame, weights: Weights | None = None,
                progress: Progress | None = None, overview: OverviewBlock | None = None) -> Lists:
    nb = compute_neighbours(tables, progress or NullProgress(), ratings=train, k=K,
                            weights=weights, with_reasons=False, overview=overview)
    return _frame_lists(nb)


def _frame_lists(nb: pd.DataFrame) -> Lists:
    nb = nb.sort_values(["film_id", "rank"])
    films = nb["film_id"].to_numpy(dtype=np.int64)
    neighbours = nb["neighbour_id"].to_numpy(dtype=np.int64)
    out: Lists = {}
    for film, neighbour in zip(films.tolist(), neighbours.tolist(), strict=True):
        out.setdefault(film, []).append(neighbour)
    return out


def score(method: str, lists: Lists, queries: list[Query], lt_queries: list[Query],
          catalog: set[int], head: frozenset[int], seconds: float) -> Result:
    def avg(fn: Callable[[list[int], frozenset[int], int], float], qs: list[Query]) -> float:
        return metrics.mean([fn(lists.get(q.film_id, []), q.targets, K) for q in qs])

    return Result(
        method=method,
        hr=avg(metrics.hit_at_k, queries),
        precision=avg(metrics.precision_at_k, queries),
        ndcg=avg(metrics.ndcg_at_k, queries),
        coverage=metrics.coverage(lists.values(), catalog, K),
        hr_lt=avg(metrics.hit_at_k, lt_queries),
        precision_lt=avg(metrics.precision_at_k, lt_queries),
        ndcg_lt=avg(metrics.ndcg_at_k, lt_queries),
        coverage_lt=metrics.coverage(lists.values(), catalog - head, K),
        seconds=seconds,
    )
