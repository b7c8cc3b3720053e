"""The stored neighbours of the sample against a brute force of the documented score over
ALL pairs of films, written here from the docstring of ``filmoteca.etl.neighbours`` (dense
n x n matrices: 2,993 films), not with the model's own functions.

The stored score of a pair is ``f(j) * score(i, j)``: the exact score times the exposure
factor of the neighbour ``j`` (1 unless ``j`` would be in too many top-5 lists). The factors
are not stored, so each is read back from the table: every pair with the same neighbour
must give the same factor, at most 1. Every list must be ranked by the capped score.
The model scores candidates only (an exact top-k is quadratic in the number of films), so
its lists hold most but not all of the exact top-20: the share is asserted at the value
measured when the candidate sources were last changed, so a regression fails the test.
"""

from __future__ import annotations

import re
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

K = 20
#: Measured on the sample (see the module docstring): share of the exact (capped) top-20
#: found, and share of films whose first neighbour is the exact best. Measured 0.891 and
#: 0.963 with 50/50/40 candidates (30/30/15 gave 0.778 and 0.934; the top-10 without the
#: cap, before: 0.92 and 0.96).
MIN_RECALL = 0.88
MIN_FIRST = 0.95


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


def overview_block(films: pd.DataFrame, keywords: pd.Series) -> sp.csr_matrix:
    """The documented overview block: TF-IDF (English stop words, min_df 2, max_df 0.5,
    sublinear tf) of the overviews ("No overview found." read as empty) without the proper
    nouns: words capitalised in more of their mid-sentence occurrences (not first in the
    text, not after . ! ?) than not, unless a one-word keyword; rows L2-normalised."""
    texts = ["" if not isinstance(t, str) or t.strip().lower() == "no overview found."
             else t for t in films["overview"]]
    capital: dict[str, int] = {}
    lower: dict[str, int] = {}
    for text in texts:
        for sentence in re.split(r"[.!?]", text):
            for token in re.findall(r"\b\w\w+\b", sentence)[1:]:
                tally = capital if token[0].isupper() else lower
                tally[token.lower()] = tally.get(token.lower(), 0) + 1
    topics = {k.lower() for k in keywords if re.fullmatch(r"\w\w+", k)}
    fitted = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.5, sublinear_tf=True)
    fitted.fit(texts)
    kept = [t for t in fitted.get_feature_names_out()
            if capital.get(t, 0) <= lower.get(t, 0) or t in topics]
    assert "andy" not in kept and "woody" not in kept  # Toy Story's characters
    return sp.csr_matrix(TfidfVectorizer(sublinear_tf=True, vocabulary=kept)
                         .fit_transform(texts))


def brute_force_scores(tables: Tables, w: Weights) -> tuple[np.ndarray, np.ndarray]:
    """(film ids ascending, dense score matrix: row = query, column = candidate)."""
    films = tables.films.sort_values("id").reset_index(drop=True)
    ids = films["id"].to_numpy()
    n = len(ids)
    position = {int(f): i for i, f in enumerate(ids)}
    cast = tables.cast.sort_values(["film_id", "order"], kind="stable")
    cast = cast.loc[cast.groupby("film_id").cumcount() < 5]
    blocks = {
        "genres": _block(tables.film_genres, "genre_id", position, n, idf=False),
        "keywords": _block(tables.keywords, "keyword_id", position, n, idf=True),
        "director": _block(tables.directors, "person_id", position, n, idf=True),
        "cast": _block(cast, "person_id", position, n, idf=True),
        "collection": _block(tables.film_collections, "collection_id", position, n, idf=False),
        "overview": overview_block(films, tables.keywords["keyword"]),
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
def brute(tables: Tables) -> tuple[np.ndarray, np.ndarray]:
    return brute_force_scores(tables, Weights())


@pytest.fixture(scope="module")
def stored(catalog_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(table_path(catalog_dir, "neighbours")).sort_values(
        ["film_id", "rank"])


@pytest.fixture(scope="module")
def factors(stored: pd.DataFrame, brute) -> pd.Series:
    """Each neighbour's exposure factor read back from the table: stored / exact score of
    its pair with the highest exact score (the most precise one)."""
    ids, scores = brute
    row, col = np.searchsorted(ids, stored["film_id"]), np.searchsorted(ids, stored["neighbour_id"])
    frame = stored.assign(exact=scores[row, col])
    best = frame.sort_values("exact", ascending=False).drop_duplicates("neighbour_id")
    return (best["score"] / best["exact"]).set_axis(best["neighbour_id"]).clip(upper=1.0)


def test_every_stored_score_is_the_capped_exact_score(stored: pd.DataFrame, brute, factors):
    ids, scores = brute
    row = np.searchsorted(ids, stored["film_id"].to_numpy())
    col = np.searchsorted(ids, stored["neighbour_id"].to_numpy())
    assert (ids[row] == stored["film_id"]).all() and (ids[col] == stored["neighbour_id"]).all()
    f = stored["neighbour_id"].map(factors).to_numpy()
    error = np.abs(stored["score"].to_numpy() - f * scores[row, col])
    # stored at 6 decimals; the factor read back from a 6-decimal score (relative error
    # below 5e-7 / 0.3) times scores up to ~3
    assert error.max() <= 1e-5, error.max()
    capped = factors[factors < 1 - 1e-5]
    assert 0 < len(capped) < 0.05 * len(ids)  # a few dozen blockbusters, nothing else
    assert 13 in capped.index  # Forrest Gump
    uncapped = np.abs(stored["score"].to_numpy() - scores[row, col]) <= 5e-7 + 1e-9
    assert uncapped[~stored["neighbour_id"].isin(capped.index).to_numpy()].all()


def test_lists_are_ranked_by_the_capped_score(stored: pd.DataFrame, brute, factors):
    ids, scores = brute
    for film, group in stored.groupby("film_id"):
        i = np.searchsorted(ids, film)
        cols = np.searchsorted(ids, group["neighbour_id"].to_numpy())
        capped = scores[i, cols] * group["neighbour_id"].map(factors).to_numpy()
        assert (np.diff(capped) <= 2e-5).all(), film  # best first (up to the read-back error)


def test_lists_hold_the_exact_top_k(stored: pd.DataFrame, brute, factors, tables: Tables):
    ids, scores = brute
    f = pd.Series(ids).map(factors).fillna(1.0).to_numpy()  # never listed: never capped
    exact = exact_top(ids, scores * f[None, :], tables.films, K)
    lists = {int(f): g["neighbour_id"].astype(int).tolist() for f, g in stored.groupby("film_id")}
    assert set(lists) == set(exact)
    assert all(len(lists[f]) == len(exact[f]) for f in exact)
    found = sum(len(set(lists[f]) & set(exact[f])) for f in exact)
    recall = found / sum(len(v) for v in exact.values())
    first = np.mean([lists[f][0] == exact[f][0] for f in exact])
    identical = np.mean([lists[f] == exact[f] for f in exact])
    print(f"recall {recall:.4f}, first exact {first:.4f}, identical lists {identical:.4f}")
    assert recall >= MIN_RECALL
    assert first >= MIN_FIRST
