"""The recommender model: every film's top-k most similar films, computed once at build time.

Owns :func:`compute_neighbours` (called by :mod:`filmoteca.pipeline` and by the evaluation)
and the model's tuned :class:`Weights`. Serving a recommendation is a lookup in the table it
returns (columns ``film_id``, ``neighbour_id``, ``rank`` (1 = best), ``score``, ``reasons``).

Score of a candidate ``j`` for a query film ``i``::

    score(i, j) = sum_b w_b * cos_b(i, j)  +  w_ratings * cf(i, j)  +  w_prior * prior(j)

- ``cos_b`` is the cosine similarity within one sparse feature block ``b``, a row per film
  and a column per distinct value: genres and collection (1 where the film has it),
  keywords, director and main cast (the 5 first-billed actors by ``order``; the block is
  empty when the credits carry no cast) weighted by ``idf(t) = ln((1 + N) / (1 + df(t))) + 1``
  (``N`` films, ``df(t)`` films with ``t``), and the overview's TF-IDF (scikit-learn's
  ``TfidfVectorizer`` with the evaluation baseline's tokenizer and English stop words,
  plus sublinear tf and terms in >= 2 and <= 50% of the films). Each row of each block is
  L2-normalised (an empty row stays 0) and the block scaled by ``sqrt(w_b)``; the blocks
  side by side form one matrix ``X`` whose row dot products are exactly
  ``sum_b w_b * cos_b``.
- ``cf`` is the item-item co-rating similarity on MovieLens users (only where ratings exist):
  with ``L(i)`` the users who liked film ``i`` (rating >= 4) and ``c = |L(i) & L(j)|``,
  ``cf = c / (|L(i)|^a * |L(j)|^(1-a)) * c / (c + shrink)`` (0 when ``c = 0``): an
  asymmetric cosine of binary "liked" vectors (``a = cf_alpha``; 0.5 is the cosine, 1 is
  P(liked j | liked i)), shrunk towards 0 when few users co-liked.
- ``prior`` is the quality prior, IMDb's weighted rating
  ``WR = v / (v + m) * R + m / (v + m) * C`` (``R`` = vote_average, ``v`` = vote_count,
  ``C`` = mean vote_average and ``m`` = 90th percentile (linear) of vote_count, both over
  the films with votes), min-max scaled to [0, 1] over the catalog, so that obscure
  near-duplicates do not crowd out good films.

A film's neighbours are the ``k`` best candidates by score rounded to 9 decimals, ties by
the lower neighbour id; the film itself and its duplicates (same normalised title and same
year) are never candidates. Stored scores are rounded to 6 decimals.

Never a dense N x N matrix (45k films would be 15 GiB). Candidates per query come from three
sources, then are scored exactly with the formula above:

1. a sparse product restricted to the *rarest* feature columns (ascending document
   frequency, as many as fit a budget of ``sum df^2 <= pairs_per_film * N`` pairs; columns
   seen in a single film are useless): shared director, cast, collection, rare keywords and
   words. The best ``content_candidates`` per film by (that partial score + prior) are kept;
2. the ``rating_candidates`` best by ``cf`` (dense products of the liked-matrix in chunks);
3. ``fill_candidates`` per genre combination, best by ``w_genres * cos_genres + prior``
   (so a film with no rare feature still gets k neighbours).

The exact score adds the frequent columns' part with row-wise products of the candidate
pairs only. Everything runs in chunks of query films (two threads: numpy, scipy's sparse
kernels and Arrow release the GIL), so memory is bounded by the chunks in flight. Measured on
the 45,404-film SYNTHETIC catalog (``filmoteca synth --films 45466``): about 8-13 s and
+0.6 GB for this stage on a shared 2-core machine.

Scoring candidates only keeps the cost linear in the number of films, at the price of
missing some of the exact top-k: an exact top-k needs every pair (quadratic: hopeless at
1,000,000 films). Measured against a brute force over all pairs of the embedded sample
(``tests/recommender/test_bruteforce.py``): the lists hold 92% of the exact top-10, the
first neighbour is the exact best for 96% of the films, and every stored score is exact.

``reasons`` are short Spanish strings (the API's ``motivos``), one per block that contributes
to the score, largest contribution first: "misma colección: Toy Story Collection",
"mismo director: John Lasseter", "reparto en común: Tom Hanks", "gustó a los mismos
espectadores (MovieLens)", "palabras clave: toy, friendship", "géneros en común: Animation,
Comedy", "sinopsis parecida: toys, cowboy"; a neighbour chosen by the prior alone gets
"bien valorada: 7.9/10".
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from filmoteca.etl.clean import Tables
from filmoteca.progress import Progress
from filmoteca.text import normalize

BLOCKS = ("genres", "keywords", "director", "cast", "collection", "overview")
REASON_PREFIX = {
    "genres": "géneros en común: ",
    "keywords": "palabras clave: ",
    "director": "mismo director: ",
    "cast": "reparto en común: ",
    "collection": "misma colección: ",
    "overview": "sinopsis parecida: ",
}
RATINGS_REASON = "gustó a los mismos espectadores (MovieLens)"
LIKED = 4.0  # a rating >= LIKED means the user liked the film (as in the evaluation)
REASON_NAMES = 3  # at most this many shared names per reason
MIN_REASON = 0.01  # a block contributing less than this to the score is not a reason
CAST_TOP = 5  # first-billed actors used


@dataclass(frozen=True)
class Weights:
    """The score's weights, tuned by :mod:`filmoteca.recommender.tune` on the embedded sample
    (validation split of the evaluation's training users, seed 42). The search moved prior,
    genres, ratings and cf_alpha; keywords, director, collection, overview and shrink kept
    their starting values (no grid step improved the objective); ``cast`` is NOT tuned (the
    sample has no cast): it is set a little below the director's weight by judgement.
    """

    genres: float = 0.30
    keywords: float = 0.35
    director: float = 0.30
    cast: float = 0.25
    collection: float = 0.60
    overview: float = 0.30
    ratings: float = 1.60
    prior: float = 0.40
    shrink: float = 5.0
    cf_alpha: float = 0.625  # asymmetric cosine exponent: 0.5 = cosine, 1 = P(liked j | liked i)

    def block(self, name: str) -> float:
        return float(getattr(self, name))


@dataclass(frozen=True)
class Candidates:
    """How many candidates each source proposes, and the sparse product's pair budget."""

    content_candidates: int = 30
    rating_candidates: int = 30
    fill_candidates: int = 15
    pairs_per_film: int = 400
    chunk: int = 2048
    threads: int = 2


@dataclass
class _Features:
    x: sp.csr_matrix  # all blocks side by side, each L2-normalised and scaled by sqrt(w)
    col_block: np.ndarray  # block index of each column
    col_name: pa.Array  # display name of each column (strings)
    genre_block: sp.csr_matrix  # genres only, L2-normalised (for the fill candidates)


def _block(n: int, rows: np.ndarray, keys: pd.Series, names: pd.Series,
           values: np.ndarray) -> tuple[sp.csr_matrix, list[str]]:
    """A row-L2-normalised (films x distinct keys) matrix and each column's display name."""
    codes, uniques = pd.factorize(keys, sort=True)
    first = pd.Series(names.to_numpy()).groupby(codes).first()
    matrix = sp.csr_matrix(
        (values.astype(np.float64), (rows, codes)), shape=(n, len(uniques))
    )
    matrix.sum_duplicates()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)
    return matrix, [str(v) for v in first.reindex(range(len(uniques))).tolist()]


def _idf(keys: pd.Series, n: int) -> np.ndarray:
    df = keys.map(keys.value_counts()).to_numpy(dtype=np.float64)
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def _positions(ids: np.ndarray, film_ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of ``film_ids`` in the sorted ``ids``, and the mask of known ones."""
    values = film_ids.to_numpy(dtype=np.int64)
    pos = np.searchsorted(ids, values)
    pos = np.minimum(pos, len(ids) - 1)
    known = ids[pos] == values
    return pos, known


#: Another overview block for the evaluation (films sorted by id -> row-L2-normalised
#: matrix and column names): the plot embeddings of issue 10 were compared with TF-IDF so.
OverviewBlock = Callable[[pd.DataFrame], tuple[sp.csr_matrix, list[str]]]


def _features(tables: Tables, films: pd.DataFrame, weights: Weights,
              overview: OverviewBlock | None = None) -> _Features:
    ids = films["id"].to_numpy(dtype=np.int64)
    n = len(ids)
    blocks: dict[str, tuple[sp.csr_matrix, list[str]]] = {}
    name_col = {"genres": "genre", "keywords": "keyword", "director": "name", "cast": "name",
                "collection": "collection"}

    def link(frame: pd.DataFrame, key: str, name: str, idf: bool) -> None:
        frame = frame.drop_duplicates(["film_id", key])  # a value counts once per film
        pos, known = _positions(ids, frame["film_id"])
        frame = frame.loc[known]
        keys = frame[key].reset_index(drop=True)
        values = _idf(keys, n) if idf else np.ones(len(frame))
        blocks[name] = _block(n, pos[known], keys, frame[name_col[name]].reset_index(drop=True),
                              values)

    link(tables.film_genres, "genre_id", "genres", idf=False)
    link(tables.keywords, "keyword_id", "keywords", idf=True)
    link(tables.directors, "person_id", "director", idf=True)
    cast = tables.cast.sort_values(["film_id", "order"], kind="stable")
    cast = cast.loc[cast.groupby("film_id").cumcount() < CAST_TOP]
    link(cast, "person_id", "cast", idf=True)
    link(tables.film_collections, "collection_id", "collection", idf=False)

    blocks["overview"] = (overview(films) if overview is not None
                          else overview_tfidf(films["overview"]))

    parts, col_block, col_names = [], [], []
    for b, name in enumerate(BLOCKS):
        matrix, names = blocks[name]
        w = weights.block(name)
        if w <= 0 or matrix.shape[1] == 0:
            continue
        parts.append(matrix * np.sqrt(w))
        col_block.append(np.full(matrix.shape[1], b, dtype=np.int8))
        col_names.extend(names)
    x = sp.hstack(parts, format="csr") if parts else sp.csr_matrix((n, 0))
    x.sort_indices()
    return _Features(
        x=sp.csr_matrix(x),
        col_block=np.concatenate(col_block) if col_block else np.zeros(0, np.int8),
        col_name=pa.array(col_names, pa.string()),
        genre_block=blocks["genres"][0],
    )


#: The overview block's TF-IDF settings on top of the baseline's (English stop words): terms
#: in at least 2 films and at most half of them, sublinear tf.
OVERVIEW_TFIDF = {"stop_words": "english", "min_df": 2, "max_df": 0.5, "sublinear_tf": True}


def overview_tfidf(texts: pd.Series) -> tuple[sp.csr_matrix, list[str]]:
    """TF-IDF of the overviews (rows L2-normalised) and the vocabulary.

    scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfVectorizer`, the same
    tokenizer and English stop words as the evaluation's overview baseline, plus
    :data:`OVERVIEW_TFIDF`: weight ``(1 + ln tf) * idf``, ``idf = ln((1 + N) / (1 + df)) + 1``
    (smooth idf). It replaced a hand-written Arrow tokenizer (different tokens and stop
    words from the baseline) that was only about 1.4x faster: 1.3 s against 1.8 s on the
    45,466 SYNTHETIC overviews, measured on the shared 2-core machine.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    documents = texts.fillna("").astype(str).tolist()
    vectorizer = TfidfVectorizer(dtype=np.float64, **OVERVIEW_TFIDF)
    try:
        matrix = vectorizer.fit_transform(documents)
    except ValueError:  # no term in >= 2 and <= 50% of the films (tiny or empty catalogs)
        return sp.csr_matrix((n, 0)), []
    matrix = sp.csr_matrix(matrix)
    matrix.sort_indices()
    return matrix, [str(t) for t in vectorizer.get_feature_names_out()]


def quality_prior(films: pd.DataFrame) -> np.ndarray:
    """IMDb's weighted rating, min-max scaled to [0, 1] (see the module docstring)."""
    v = films["vote_count"].to_numpy(dtype=np.float64)
    r = films["vote_average"].to_numpy(dtype=np.float64)
    voted = v > 0
    if not voted.any():
        return np.zeros(len(films))
    c = float(r[voted].mean())
    m = float(np.quantile(v[voted], 0.90))
    wr = np.where(v + m > 0, v / np.maximum(v + m, 1e-12) * r + m / np.maximum(v + m, 1e-12) * c,
                  c)
    span = wr.max() - wr.min()
    return (wr - wr.min()) / span if span > 0 else np.zeros(len(films))


def duplicate_groups(films: pd.DataFrame) -> np.ndarray:
    """Group code per film: same normalised title and same year share a group."""
    titles = [normalize(str(t)) for t in films["title"].fillna("").tolist()]
    keys = pd.Series(titles) + "\x00" + films["release_year"].astype(str).to_numpy()
    codes, _ = pd.factorize(keys)
    return codes.astype(np.int64)


def _top_per_row(row: np.ndarray, score: np.ndarray, keep: int) -> np.ndarray:
    """Indices of the ``keep`` best entries of each row (score desc, then input order).

    ``row`` must be sorted (ascending from 0 or any base); ties keep the input order, which
    callers make ascending by column (that is, by film id).
    """
    if len(row) == 0:
        return np.zeros(0, dtype=np.int64)
    order = _group_order(row, score)
    sorted_rows = row[order]
    counts = np.bincount(sorted_rows - sorted_rows[0])
    starts = np.cumsum(counts) - counts
    rank = np.arange(len(order)) - starts[sorted_rows - sorted_rows[0]]
    return order[rank < keep]


def _group_order(group: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Order by (group asc, score desc, input position asc): exact, for any group count."""
    return np.lexsort((-score, group)).astype(np.int64)


def _liked_matrix(ratings: pd.DataFrame, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense (rated films x users) binary "liked" matrix, and each film's row (-1: none)."""
    liked = ratings.loc[ratings["rating"] >= LIKED, ["user_id", "film_id"]]
    pos, known = _positions(ids, liked["film_id"])
    liked_pos, users = pos[known], liked["user_id"].to_numpy()[known]
    film_rows = np.full(len(ids), -1, dtype=np.int64)
    if len(liked_pos) == 0:
        return np.zeros((0, 0), np.float32), film_rows
    items, item_codes = np.unique(liked_pos, return_inverse=True)
    _, user_codes = np.unique(users, return_inverse=True)
    matrix = np.zeros((len(items), int(user_codes.max()) + 1), dtype=np.float32)
    matrix[item_codes, user_codes] = 1.0
    film_rows[items] = np.arange(len(items))
    return matrix, film_rows


def _row_sets(matrix: sp.csr_matrix) -> np.ndarray:
    """A code per row, equal for rows with the same set of columns (order of first
    appearance): the sorted column indices of each row joined as text, then
    dictionary-encoded by Arrow. Exact for any number of columns."""
    matrix = sp.csr_matrix(matrix)
    matrix.sort_indices()
    offsets = pa.array(matrix.indptr.astype(np.int64))
    columns = pc.cast(pa.array(matrix.indices.astype(np.int64)), pa.string())
    keys = pc.binary_join(pa.LargeListArray.from_arrays(offsets, columns), ",")
    return np.asarray(pc.dictionary_encode(keys).indices).astype(np.int64)


def _fill(genres: sp.csr_matrix, prior: np.ndarray, weights: Weights,
          keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Per genre combination, the ``keep`` best films by w_genres*cos + w_prior*prior.

    Returns (combinations x keep) film positions and each film's combination code.
    """
    n = genres.shape[0]
    keep = min(keep, n)
    combo_codes = _row_sets(genres)
    first = np.unique(combo_codes, return_index=True)[1]
    combo_matrix = genres[first]
    sim = (combo_matrix @ combo_matrix.T).toarray()
    base = weights.prior * prior
    fill = np.empty((len(first), keep), dtype=np.int64)
    for start in range(0, len(first), 128):
        scores = weights.genres * sim[start:start + 128][:, combo_codes] + base
        fill[start:start + 128] = np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
    return fill, combo_codes.astype(np.int64)


def compute_neighbours(
    tables: Tables,
    progress: Progress,
    ratings: pd.DataFrame | None = None,
    k: int = 10,
    weights: Weights | None = None,
    candidates: Candidates | None = None,
    with_reasons: bool = True,
    overview: OverviewBlock | None = None,
) -> pd.DataFrame:
    """Top-``k`` neighbours of every film (see the module docstring for the model).

    ``ratings=None`` uses ``tables.ratings`` (all users); the evaluation passes the training
    users' ratings only. ``with_reasons=False`` skips the reasons (faster, for tuning).
    ``overview``: another overview block than the TF-IDF (evaluation only, without reasons).
    """
    weights = weights or Weights()
    cand = candidates or Candidates()
    films = tables.films.sort_values("id", kind="stable").reset_index(drop=True)
    ids = films["id"].to_numpy(dtype=np.int64)
    n = len(ids)
    progress.start("Recommender: features", total=None)
    columns = {"film_id": pd.Series([], dtype="int64"),
               "neighbour_id": pd.Series([], dtype="int64"),
               "rank": pd.Series([], dtype="int64"),
               "score": pd.Series([], dtype="float64"),
               "reasons": pd.Series([], dtype=object)}
    if n < 2:
        return pd.DataFrame(columns)

    features = _features(tables, films, weights, overview)
    x = features.x
    prior = quality_prior(films)
    groups = duplicate_groups(films)
    liked, liked_rows = _liked_matrix(tables.ratings if ratings is None else ratings, ids)
    likes = liked.sum(axis=1) if liked.size else np.zeros(0, np.float32)
    fill, combo = _fill(features.genre_block, prior, weights, cand.fill_candidates)

    # Split columns: the rarest (within the pair budget) generate candidates.
    df = np.bincount(x.indices, minlength=x.shape[1]).astype(np.int64)
    order = np.lexsort((np.arange(len(df)), df))
    within = np.cumsum(df[order] ** 2) <= cand.pairs_per_film * n
    rare = np.zeros(len(df), dtype=bool)
    rare[order[within]] = True
    rare &= df >= 2
    xc = x.tocsc()
    x_rare = sp.csr_matrix(xc[:, np.flatnonzero(rare)])
    x_rare_t = sp.csr_matrix(x_rare.T)
    x_freq = sp.csr_matrix(xc[:, np.flatnonzero(~rare)])
    del xc

    progress.start("Recommender: neighbours", total=n)

    def work(r0: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                               pa.Array | None, int]:
        r1 = min(n, r0 + cand.chunk)
        qi, cj, score, cf = _chunk(r0, r1, n, x_rare, x_rare_t, x_freq, liked, liked_rows,
                                   likes, fill, combo, prior, groups, weights, cand, k)
        counts = np.bincount(qi - r0, minlength=r1 - r0)
        ranks = np.arange(len(qi)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
        reasons = _reasons(x, features, qi, cj, cf, weights, films) if with_reasons else None
        return qi, cj, score, ranks, reasons, r1 - r0

    out_q, out_c, out_rank, out_score, out_reasons = [], [], [], [], []
    # Chunks are independent; numpy, scipy's sparse kernels and Arrow release the GIL, so
    # threads use both cores. ``map`` keeps the chunk order: the result is deterministic.
    with ThreadPoolExecutor(max_workers=cand.threads) as pool:
        for qi, cj, score, ranks, reasons, done in pool.map(work, range(0, n, cand.chunk)):
            out_q.append(qi)
            out_c.append(cj)
            out_score.append(score)
            out_rank.append(ranks)
            if reasons is not None:
                out_reasons.append(reasons)
            progress.advance(done)

    qi = np.concatenate(out_q)
    frame = pd.DataFrame({
        "film_id": ids[qi],
        "neighbour_id": ids[np.concatenate(out_c)],
        "rank": np.concatenate(out_rank).astype(np.int64),
        "score": np.round(np.concatenate(out_score), 6),
    })
    if with_reasons:
        reasons = pa.chunked_array(out_reasons, type=pa.list_(pa.string()))
        gc_was_on = gc.isenabled()
        gc.disable()  # ~450k small lists: the cyclic GC would triple the conversion time
        try:
            frame["reasons"] = pd.Series(reasons.to_pylist(), dtype=object)
        finally:
            if gc_was_on:
                gc.enable()
    return frame


def _chunk(r0: int, r1: int, n: int, x_rare: sp.csr_matrix, x_rare_t: sp.csr_matrix,
           x_freq: sp.csr_matrix, liked: np.ndarray, liked_rows: np.ndarray,
           likes: np.ndarray, fill: np.ndarray, combo: np.ndarray, prior: np.ndarray,
           groups: np.ndarray, weights: Weights, cand: Candidates,
           k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Top-k of query films ``r0:r1``: (query pos, neighbour pos, score, cf), sorted."""
    # 1. rare-feature product: exact partial scores, the best ones as candidates
    s = sp.csr_matrix(x_rare[r0:r1] @ x_rare_t)
    s.sum_duplicates()
    s.sort_indices()
    s_row = r0 + np.repeat(np.arange(r1 - r0), np.diff(s.indptr))
    s_key = s_row * n + s.indices
    ok = groups[s_row] != groups[s.indices]
    idx = np.flatnonzero(ok)
    top = idx[_top_per_row(s_row[idx], s.data[idx] + weights.prior * prior[s.indices[idx]],
                           cand.content_candidates)]
    keys = [s_key[top]]

    # 2. co-rating candidates
    rated_q = np.flatnonzero(liked_rows[r0:r1] >= 0) + r0
    cf_block = co = np.zeros((0, 0), np.float32)
    if len(rated_q) and weights.ratings > 0:
        rows = liked_rows[rated_q]
        co = liked[rows] @ liked.T  # co-like counts: whole numbers, exact in float32
        alpha = weights.cf_alpha
        denominator = (np.outer(likes[rows] ** alpha, likes ** (1.0 - alpha))
                       * (co + weights.shrink))
        cf_block = np.divide(co * co, denominator, out=np.zeros_like(co), where=co > 0)
        take = min(cand.rating_candidates, cf_block.shape[1])
        part = np.argpartition(-cf_block, take - 1, axis=1)[:, :take]
        item_pos = np.flatnonzero(liked_rows >= 0)  # liked row -> film position
        cols = item_pos[part]
        good = np.take_along_axis(cf_block, part, axis=1) > 0
        keys.append((np.repeat(rated_q, take) * n + cols.ravel())[good.ravel()])

    # 3. genre-combination fill
    queries = np.arange(r0, r1)
    keys.append((queries[:, None] * n + fill[combo[queries]]).ravel())

    key = np.sort(np.concatenate(keys))
    key = key[np.diff(key, prepend=-1) != 0]
    qi, cj = key // n, key % n
    keep = groups[qi] != groups[cj]
    key, qi, cj = key[keep], qi[keep], cj[keep]

    # exact scores
    at = np.searchsorted(s_key, key)
    at = np.minimum(at, max(len(s_key) - 1, 0))
    low = np.where((len(s_key) > 0) & (s_key[at] == key), s.data[at], 0.0) if len(s_key) \
        else np.zeros(len(key))
    high = np.asarray(x_freq[qi].multiply(x_freq[cj]).sum(axis=1)).ravel()
    cf = np.zeros(len(key))
    if cf_block.size:
        local = np.full(r1 - r0, -1, dtype=np.int64)
        local[rated_q - r0] = np.arange(len(rated_q))
        lq, lc = local[qi - r0], liked_rows[cj]
        both = (lq >= 0) & (lc >= 0)
        # the exact cf of the candidate pairs, in float64 (cf_block only ranks candidates)
        c = co[lq[both], lc[both]].astype(np.float64)
        count_q = likes[liked_rows[qi[both]]].astype(np.float64)
        count_c = likes[lc[both]].astype(np.float64)
        alpha = weights.cf_alpha
        with np.errstate(divide="ignore", invalid="ignore"):
            cf[both] = np.where(c > 0, c * c / (count_q**alpha * count_c ** (1.0 - alpha)
                                                * (c + weights.shrink)), 0.0)
    score = low + high + weights.ratings * cf + weights.prior * prior[cj]
    score = np.round(score, 9)
    best = _top_per_row(qi, score, k)
    best = best[np.lexsort((cj[best], -score[best], qi[best]))]
    return qi[best], cj[best], score[best], cf[best]


def _reasons(x: sp.csr_matrix, features: _Features, qi: np.ndarray, cj: np.ndarray,
             cf: np.ndarray, weights: Weights, films: pd.DataFrame) -> pa.Array:
    """One list of Spanish reason strings per pair (see the module docstring)."""
    pairs = len(qi)
    shared = sp.csr_matrix(x[qi].multiply(x[cj]))
    shared.eliminate_zeros()
    shared.sort_indices()
    pair = np.repeat(np.arange(pairs), np.diff(shared.indptr))
    col = shared.indices.astype(np.int64)
    contrib = shared.data
    block = features.col_block[col].astype(np.int64)

    # per (pair, block): contribution and the top shared names
    group_key = pair * 16 + block  # non-decreasing: blocks are contiguous column ranges
    starts = np.flatnonzero(np.diff(group_key, prepend=-1))
    segment = np.cumsum(np.diff(group_key, prepend=-1) != 0) - 1
    total = np.add.reduceat(contrib, starts) if len(starts) else np.zeros(0)
    strong = total >= MIN_REASON
    kept = _top_per_row(segment, np.round(contrib, 12), REASON_NAMES)
    kept = kept[strong[segment[kept]]]  # order: segment, then contribution desc
    groups, first_at = np.unique(group_key[kept], return_index=True)
    total = total[strong]
    offsets = np.append(first_at, len(kept)).astype(np.int32)
    names = features.col_name.take(pa.array(col[kept]))
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), names), ", ")
    prefixes = np.array([REASON_PREFIX[b] for b in BLOCKS], dtype=object)
    texts = pc.binary_join_element_wise(
        pa.array(prefixes[groups % 16], pa.string()), joined, ""
    )
    g_pair = groups // 16

    # co-rating reason, and a fallback for neighbours chosen by the prior alone
    cf_pairs = np.flatnonzero(weights.ratings * cf >= 0.02)
    cf_texts = pa.array([RATINGS_REASON] * len(cf_pairs), pa.string())
    has_reason = np.zeros(pairs, dtype=bool)
    has_reason[g_pair] = True
    has_reason[cf_pairs] = True
    bare = np.flatnonzero(~has_reason)
    vote = films["vote_average"].to_numpy(dtype=np.float64)[cj[bare]]
    bare_texts = pa.array([f"bien valorada: {v:.1f}/10" for v in vote], pa.string())

    all_pair = np.concatenate([g_pair, cf_pairs, bare])
    all_weight = np.concatenate([total, weights.ratings * cf[cf_pairs], np.zeros(len(bare))])
    all_texts = pa.concat_arrays([texts, cf_texts, bare_texts])
    order = np.lexsort((np.arange(len(all_pair)), -all_weight, all_pair))
    counts = np.bincount(all_pair, minlength=pairs)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), all_texts.take(pa.array(order)))
