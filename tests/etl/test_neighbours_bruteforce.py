"""The stored neighbours of the sample against a brute force of the documented score over
ALL pairs of films, written here from the docstring of ``filmoteca.etl.neighbours`` (dense
n x n matrices: 2,993 films), not with the model's own functions.

Every stored score must be the exact score of its pair and every list must be ranked by it.
The model scores candidates only (an exact top-k is quadratic in the number of films), so
its lists hold most but not all of the exact top-10: the share is asserted at the value
measured when the candidate sources were last changed, so a regression fails the test.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from filmoteca.catalog.tables import table_path
from filmoteca.etl.clean import Tables
from filmoteca.etl.neighbours import Weights
from filmoteca.text import normalize

K = 10
#: Measured on the sample (see the module docstring): share of the exact top-10 found, and
#: share of films whose first neighbour is the exact best.
MIN_RECALL = 0.92
MIN_FIRST = 0.96


def _block(links: pd.DataFrame, key: str, position: dict[int, int], n: int,
           idf: bool) -> sp.csr_matrix:
    """Rows: films; columns: distinct values; 1 (or idf) where the film has the value;
    each row L2-normalised."""
    links = links.loc[links["film_id"].isin(position), ["film_id", key]].drop_duplicates()
    codes, values = pd.factorize(links[key])
    rows = links["film_id"].map(position).to_numpy()
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, codes)), shape=(n, len(values)))
    if idf:
        df = np.asarray((matrix > 0).sum(axis=0)).ravel()
        matrix = sp.csr_matrix(matrix @ sp.diags(np.log((1 + n) / (1 + df)) + 1))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1 / norms) @ matrix)


def brute_force_scores(tables: Tables, w: Weights) -> tuple[np.ndarray, np.ndarray]:
    """(film ids ascending, dense score matrix: row = query, column = candidate)."""
    films = tables.films.sort_values("id").reset_index(drop=True)
    ids = films["id"].to_numpy()
    n = len(ids)
    position = {int(f): i for i, f in enumerate(ids)}
    cast = tables.cast.sort_values(["film_id", "order"], kind="stable")
    cast = cast.loc[cast.groupby("film_id").cumcount() < 5]
    overview = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.5, sublinear_tf=True)
    blocks = {
        "genres": _block(tables.film_genres, "genre_id", position, n, idf=False),
        "keywords": _block(tables.keywords, "keyword_id", position, n, idf=True),
        "director": _block(tables.directors, "person_id", position, n, idf=True),
        "cast": _block(cast, "person_id", position, n, idf=True),
        "collection": _block(tables.film_collections, "collection_id", position, n, idf=False),
        "overview": sp.csr_matrix(overview.fit_transform(films["overview"].fillna(""))),
    }
    content = np.zeros((n, n))
    for name, matrix in blocks.items():
        content += getattr(w, name) * (matrix @ matrix.T).toarray()

    liked = tables.ratings.loc[(tables.ratings["rating"] >= 4)
                               & tables.ratings["film_id"].isin(position)]
    users = {u: j for j, u in enumerate(sorted(set(liked["user_id"])))}
    likes = np.zeros((n, len(users)))
    likes[liked["film_id"].map(position).to_numpy(), liked["user_id"].map(users).to_numpy()] = 1
    both = likes @ likes.T
    count = likes.sum(axis=1)
    a = w.cf_alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        cf = np.where(both > 0, both / np.outer(count**a, count ** (1 - a))
                      * both / (both + w.shrink), 0.0)

    v = films["vote_count"].to_numpy(dtype=float)
    r = films["vote_average"].to_numpy(dtype=float)
    c, m = r[v > 0].mean(), np.quantile(v[v > 0], 0.9)
    wr = v / (v + m) * r + m / (v + m) * c
    prior = (wr - wr.min()) / (wr.max() - wr.min())
    return ids, content + w.ratings * cf + w.prior * prior[None, :]


def exact_top(ids: np.ndarray, scores: np.ndarray, films: pd.DataFrame,
              k: int) -> dict[int, list[int]]:
    films = films.sort_values("id").reset_index(drop=True)
    key = np.array([normalize(str(t)) + "\x00" + str(y)
                    for t, y in zip(films["title"], films["release_year"], strict=True)])
    out = {}
    for i, film in enumerate(ids):
        allowed = np.flatnonzero(key != key[i])  # not itself, not a duplicate
        order = np.lexsort((ids[allowed], -np.round(scores[i, allowed], 9)))[:k]
        out[int(film)] = [int(f) for f in ids[allowed[order]]]
    return out


@pytest.fixture(scope="module")
def tables(catalog_dir: Path) -> Tables:
    return Tables(**{f.name: pd.read_parquet(table_path(catalog_dir, f.name))
                     for f in fields(Tables)})


@pytest.fixture(scope="module")
def brute(tables: Tables) -> tuple[np.ndarray, np.ndarray, dict[int, list[int]]]:
    ids, scores = brute_force_scores(tables, Weights())
    return ids, scores, exact_top(ids, scores, tables.films, K)


def test_every_stored_score_is_the_exact_score(catalog_dir: Path, brute):
    ids, scores, _ = brute
    nb = pd.read_parquet(table_path(catalog_dir, "neighbours"))
    row = np.searchsorted(ids, nb["film_id"].to_numpy())
    col = np.searchsorted(ids, nb["neighbour_id"].to_numpy())
    assert (ids[row] == nb["film_id"]).all() and (ids[col] == nb["neighbour_id"]).all()
    error = np.abs(nb["score"].to_numpy() - scores[row, col])
    # ranked at 9 decimals, stored at 6: at most half a unit of the 6th decimal, plus half
    # of the 9th (double rounding)
    assert error.max() <= 5e-7 + 5e-10 + 1e-12


def test_lists_are_ranked_by_the_exact_score(catalog_dir: Path, brute):
    ids, scores, _ = brute
    nb = pd.read_parquet(table_path(catalog_dir, "neighbours"))
    for film, group in nb.groupby("film_id"):
        group = group.sort_values("rank")
        i = np.searchsorted(ids, film)
        cols = np.searchsorted(ids, group["neighbour_id"].to_numpy())
        exact = np.round(scores[i, cols], 9)
        order = np.lexsort((ids[cols], -exact))
        assert order.tolist() == list(range(len(cols))), film


def test_lists_hold_the_exact_top_k(catalog_dir: Path, brute):
    _, _, exact = brute
    nb = pd.read_parquet(table_path(catalog_dir, "neighbours")).sort_values(["film_id", "rank"])
    stored = {int(f): g["neighbour_id"].astype(int).tolist() for f, g in nb.groupby("film_id")}
    assert set(stored) == set(exact)
    assert all(len(stored[f]) == len(exact[f]) for f in exact)
    found = sum(len(set(stored[f]) & set(exact[f])) for f in exact)
    recall = found / sum(len(v) for v in exact.values())
    first = np.mean([stored[f][0] == exact[f][0] for f in exact])
    identical = np.mean([stored[f] == exact[f] for f in exact])
    print(f"recall {recall:.4f}, first exact {first:.4f}, identical lists {identical:.4f}")
    assert recall >= MIN_RECALL
    assert first >= MIN_FIRST
