"""The offline protocol of the recommender's evaluation, shared by evaluation and tuning.

Owns the split of MovieLens users (:func:`split_users`), the queries of a held-out user
(:func:`make_queries`, and the several-films queries :func:`make_group_queries`), the head
of most-rated films and the long-tail queries (:func:`head_films`, :func:`long_tail`), the
model's lists (:func:`model_lists`, :func:`model_scored`), the several-films method
(:func:`several_films`) and the scores (:func:`score`, :func:`score_groups`; formulas in
:mod:`.metrics`). The protocol itself is told in :mod:`.evaluate`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from filmoteca.analysis import metrics
from filmoteca.catalog import store
from filmoteca.catalog.tables import read_table
from filmoteca.etl.clean import Tables
from filmoteca.etl.neighbours import (
    LIKED,
    NEIGHBOURS,
    OverviewBlock,
    Weights,
    compute_neighbours,
    duplicate_groups,
)
from filmoteca.progress import NullProgress, Progress

K = 5
TEST_SHARE = 0.2
HEAD_SHARE = 0.01
#: How deep every method's lists are: the depth the build stores (the several-films method
#: reads whole stored lists; single-film metrics read the first K).
DEPTH = NEIGHBOURS
#: Liked films a several-films query is made of (each user: 2 or 3, seeded).
GROUP_SIZES = (2, 3)
Lists = dict[int, list[int]]
#: Lists with each recommendation's score, best first (what the build stores).
ScoredLists = dict[int, list[tuple[int, float]]]


@dataclass(frozen=True)
class Query:
    user_id: int
    film_id: int
    targets: frozenset[int]


@dataclass(frozen=True)
class GroupQuery:
    """A several-films query: ``films`` (2-3 liked films of a held-out user, in the seeded
    order of choice: the first is the single-film query) and ``targets``, the user's other
    liked films."""

    user_id: int
    films: tuple[int, ...]
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
    hr_user: float = math.nan  # HR@5 averaged per user (heavy raters weigh less)
    hr_lt_user: float = math.nan
    #: the 5 most recommended films and their share of the catalog's top-5 lists
    exposure: list[tuple[int, float]] = field(default_factory=list)
    gini: float = math.nan  # Gini of exposure over every catalog film


@dataclass
class GroupResult:
    """HR@5 on the several-films queries: ``several`` by the method's several-films answer
    (NaN for a method without scores), ``first`` by its list for the first query film."""

    method: str
    several: float
    several_lt: float
    first: float
    first_lt: float


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


def make_group_queries(held_out: pd.DataFrame, seed: int) -> list[GroupQuery]:
    """One several-films query per held-out user with 3+ liked films, users in id order:
    ``rng = numpy.random.default_rng(seed)``; ``size = rng.choice(GROUP_SIZES)``, at most
    (liked films - 1) so that a target is left; the query films are
    ``rng.choice(sorted liked films, size, replace=False)`` in that order; the targets are
    the user's other liked films."""
    rng = np.random.default_rng(seed)
    liked = held_out.loc[held_out["rating"] >= LIKED, ["user_id", "film_id"]]
    queries = []
    for user, films in liked.groupby("user_id", sort=True)["film_id"]:
        mine = sorted({int(f) for f in films})
        if len(mine) < 3:
            continue
        size = min(int(rng.choice(GROUP_SIZES)), len(mine) - 1)
        chosen = tuple(mine[i] for i in rng.choice(len(mine), size, replace=False))
        queries.append(GroupQuery(int(str(user)), chosen, frozenset(mine) - set(chosen)))
    return queries


def head_films(films: pd.DataFrame, train: pd.DataFrame,
               share: float = HEAD_SHARE) -> frozenset[int]:
    """The ``ceil(share * N)`` most-rated catalog films (training ratings; ties: lower id)."""
    counts = train["film_id"].value_counts()
    table = pd.DataFrame({"id": films["id"].to_numpy()})
    table["n"] = table["id"].map(counts).fillna(0).astype(int)
    table = table.sort_values(["n", "id"], ascending=[False, True])
    return frozenset(int(i) for i in table["id"].head(math.ceil(share * len(films))))


_Q = TypeVar("_Q", Query, GroupQuery)


def long_tail(queries: list[_Q], head: frozenset[int]) -> list[_Q]:
    """The queries with a target outside ``head``, their targets restricted to those."""
    out = []
    for q in queries:
        targets = q.targets - head
        if targets:
            out.append(replace(q, targets=targets))
    return out


def model_lists(tables: Tables, train: pd.DataFrame, weights: Weights | None = None,
                progress: Progress | None = None, overview: OverviewBlock | None = None,
                k: int = K) -> Lists:
    """The model's lists of ``k`` films, built from the ``train`` ratings."""
    scored = model_scored(tables, train, weights, progress, overview, k)
    return {film: [c for c, _ in ranked] for film, ranked in scored.items()}


def model_scored(tables: Tables, train: pd.DataFrame, weights: Weights | None = None,
                 progress: Progress | None = None, overview: OverviewBlock | None = None,
                 k: int = DEPTH) -> ScoredLists:
    """The model's lists with their stored scores, as the build stores them (``k``
    deep), built from the ``train`` ratings. The first 5 do not depend on ``k``."""
    nb = compute_neighbours(tables, progress or NullProgress(), ratings=train, k=k,
                            weights=weights, with_reasons=False, overview=overview)
    nb = nb.sort_values(["film_id", "rank"])
    films = nb["film_id"].to_numpy(dtype=np.int64).tolist()
    neighbours = nb["neighbour_id"].to_numpy(dtype=np.int64).tolist()
    scores = nb["score"].to_numpy(dtype=np.float64).tolist()
    out: ScoredLists = {}
    for film, neighbour, value in zip(films, neighbours, scores, strict=True):
        out.setdefault(film, []).append((neighbour, value))
    return out


def film_groups(films: pd.DataFrame) -> dict[int, int]:
    """Film id -> duplicate group (same normalised title and year share one)."""
    return dict(zip(films["id"].astype(int).tolist(), duplicate_groups(films).tolist(),
                    strict=True))


def several_films(scored: ScoredLists, films: Sequence[int], groups: dict[int, int],
                  k: int = K) -> list[int]:
    """The several-films method (as the server answers a query of several films):
    candidates = the union of the query films' stored lists;
    ``score(c) = sum_{f in films} s_f(c)``, ``s_f(c)`` = c's stored score in f's list (0
    where absent), summed at the stored precision (rounded to 6 decimals, so that equal
    sums tie); the query films and their duplicates (same normalised title and year)
    excluded; the ``k`` best by score, ties by lower id."""
    excluded = {groups.get(f, -1 - f) for f in films}
    total: dict[int, float] = {}
    for film in films:
        for candidate, value in scored.get(film, []):
            total[candidate] = total.get(candidate, 0.0) + value
    ranked = sorted(((round(v, 6), c) for c, v in total.items()
                     if groups.get(c, -1 - c) not in excluded), key=lambda t: (-t[0], t[1]))
    return [c for _, c in ranked[:k]]


def first_film(lists: Lists, films: Sequence[int], groups: dict[int, int],
               k: int = K) -> list[int]:
    """The single-film answer to a several-films query: the list of the first query film,
    without the query films and their duplicates (they are liked, never targets), first
    ``k``."""
    excluded = {groups.get(f, -1 - f) for f in films}
    return [c for c in lists.get(films[0], []) if groups.get(c, -1 - c) not in excluded][:k]


def score(method: str, lists: Lists, queries: list[Query], lt_queries: list[Query],
          catalog: set[int], head: frozenset[int], seconds: float) -> Result:
    """Every single-film metric of one method (lists: one per catalog film, best first)."""
    def hits(fn: Callable[[list[int], frozenset[int], int], float],
             qs: list[Query]) -> list[float]:
        return [fn(lists.get(q.film_id, []), q.targets, K) for q in qs]

    def avg(fn: Callable[[list[int], frozenset[int], int], float], qs: list[Query]) -> float:
        return metrics.mean(hits(fn, qs))

    every = [lists.get(f, []) for f in sorted(catalog)]
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
        hr_user=metrics.per_user_mean([q.user_id for q in queries],
                                      hits(metrics.hit_at_k, queries)),
        hr_lt_user=metrics.per_user_mean([q.user_id for q in lt_queries],
                                         hits(metrics.hit_at_k, lt_queries)),
        exposure=metrics.top_exposure(every, K, 5),
        gini=metrics.exposure_gini(every, catalog, K),
    )


def score_groups(method: str, lists: Lists, scored: ScoredLists | None,
                 queries: list[GroupQuery], lt_queries: list[GroupQuery],
                 groups: dict[int, int]) -> GroupResult:
    """HR@5 of one method on the several-films queries (one per user: per query is per
    user): its several-films answer (``scored`` lists; NaN without) and its first-film
    answer."""
    def hr(answer: Callable[[GroupQuery], list[int]], qs: list[GroupQuery]) -> float:
        return metrics.mean([metrics.hit_at_k(answer(q), q.targets, K) for q in qs])

    def first(q: GroupQuery) -> list[int]:
        return first_film(lists, q.films, groups)

    several, several_lt = math.nan, math.nan
    if scored is not None:
        def both(q: GroupQuery) -> list[int]:
            return several_films(scored, q.films, groups)

        several, several_lt = hr(both, queries), hr(both, lt_queries)
    return GroupResult(method, several, several_lt, hr(first, queries), hr(first, lt_queries))
