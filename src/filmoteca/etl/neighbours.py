"""The recommender model: every film's top-k most similar films, computed once at build time.

Owns :func:`compute_neighbours` (called by :mod:`filmoteca.etl.pipeline` and by the evaluation)
and the model's tuned :class:`Weights`. Serving a recommendation is a lookup in the table it
returns (columns ``film_id``, ``neighbour_id``, ``rank`` (1 = best), ``score``, ``reasons``):
:data:`NEIGHBOURS` (20) per film, so that the server can filter them (year, genre, language)
and still show 5.

Score of a candidate ``j`` for a query film ``i``::

    score(i, j) = sum_b w_b * cos_b(i, j)  +  w_ratings * cf(i, j)  +  w_prior * prior(j)

- ``cos_b`` is the cosine similarity within one sparse feature block ``b``, a row per film
  and a column per distinct value: genres and collection (1 where the film has it),
  keywords, director and main cast (the 5 first-billed actors by ``order``; the block is
  empty when the credits carry no cast) weighted by ``idf(t) = ln((1 + N) / (1 + df(t))) + 1``
  (``N`` films, ``df(t)`` films with ``t``), and the overview's TF-IDF (scikit-learn's
  ``TfidfVectorizer`` with the evaluation baseline's tokenizer and English stop words,
  plus sublinear tf and terms in >= 2 and <= 50% of the films), proper nouns left out:
  a word capitalised in most of its mid-sentence occurrences over all the overviews is a
  name ("Andy", "Woody") unless it is a one-word keyword of the catalog ("paris",
  "christmas"); see :func:`overview_tfidf`. Each row of each block is L2-normalised (an
  empty row stays 0) and the block scaled by ``sqrt(w_b)``; the blocks side by side form
  one matrix ``X`` whose row dot products are exactly ``sum_b w_b * cos_b``.
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

Exposure cap. The co-ratings and the prior reward the films everybody liked: uncapped,
Forrest Gump was in 21% of the sample's top-5 lists (every film asked once), Fight Club in
18%. So the stored score is::

    stored(i, j) = f(j) * score(i, j)

with one exposure factor ``f(j)`` in (0, 1] per film: 1, unless ``j`` would be in more than
``cap = max(floor(max_exposure * N), 10)`` of the N top-5 lists; then the largest factor that
leaves it in at most ``cap`` of them, the ones where it leads the list's runner-up by the
widest ratio (:func:`exposure_factors`). A film's lists are its candidates ordered by the
stored score, so the cap is exact on the first 5 (counted on the candidates scored), and
ranks 6-20 follow the same order. The factor only ever scales a film down where it is too
exposed; its own list, and every other film's score, are untouched.

A film's neighbours are the ``k`` best candidates by ``round(f(j) * round(score, 9), 9)``,
ties by the lower neighbour id; the film itself and its duplicates (same normalised title
and same year) are never candidates. Stored scores are rounded to 6 decimals.

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
kernels and Arrow release the GIL). Each film's best ``pool`` (40) candidates are kept for
all films at once (17 bytes a pair), because the cap is global; the factors, then the
lists and their reasons, follow chunk by chunk.
The stage's time and the build's peak memory at 45,466 SYNTHETIC films are measured by
``benchmarks/build.py`` (``reports/benchmarks/build.md``).

Scoring candidates only keeps the cost linear in the number of films, at the price of
missing some of the exact top-k: an exact top-k needs every pair (quadratic: hopeless at
1,000,000 films). ``tests/etl/test_neighbours_bruteforce.py`` compares the lists with a
brute force over all pairs of the embedded sample (the share of the exact top-20 they
hold is asserted there) and checks that every stored score is the exact one times its
film's factor.

``reasons`` are short Spanish strings (the API's ``motivos``), one per block that contributes
to the score, largest contribution first: "misma colección: Toy Story Collection",
"mismo director: John Lasseter", "reparto en común: Tom Hanks", "gustó a los mismos
espectadores (MovieLens)", "palabras clave: toy, friendship", "géneros en común: Animation,
Comedy", "sinopsis parecida: toys, cowboy" (only for an overview cosine of 0.1 or more:
below, the shared words are generic); a neighbour chosen by the prior alone gets "bien
valorada: 7.9/10".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import scipy.sparse as sp

from filmoteca.config import RECOMMENDATIONS
from filmoteca.etl.clean import CAST_BILLED, Tables
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
#: ... and the overview block needs an overview cosine of 0.1 (0.03 at weight 0.3): below,
#: the shared words are mostly generic ("later", "named", "group": measured on the sample's
#: top-5 lists), which no reviewer takes for a likeness
MIN_OVERVIEW_COSINE = 0.1
REASONS_TYPE = pa.list_(pa.string())
CAST_TOP = CAST_BILLED  # first-billed actors used (the catalog keeps only these)
NEIGHBOURS = 20  # neighbours stored per film: the server filters them, so it needs depth
EXPOSED = RECOMMENDATIONS  # the head of a list a user sees (5): exposure is counted there
MIN_CAP = 10  # the exposure cap never goes below this many lists (tiny catalogs)


@dataclass(frozen=True)
class Weights:
    """The score's weights, tuned on the embedded sample (the VALIDATION split of the
    evaluation's training users, seed 42; never the held-out users). With the exposure cap
    in, :mod:`filmoteca.analysis.tune`'s coordinate ascent moved the content weights
    (genres 0.3 -> 0.45, keywords 0.35 -> 0.6562, overview 0.3 -> 0.225, and collection,
    prior) and the co-rating ones (ratings 1.6 -> 2.0, shrink 5 -> 6.25); the exposure grid
    (:func:`filmoteca.analysis.tune.exposure_grid`, in ``reports/recommender.md``) then set
    the prior, the co-rating exponent and the cap: with at most 2% of the lists per film,
    the co-ratings can rank by P(liked j | liked i) (``cf_alpha`` 1) without one film
    echoing everywhere. ``collection`` stays 0.6 (the ascent's 0.3 left fewer films a
    sibling once ``cf_alpha`` rose). ``cast`` is NOT tuned (the sample has no cast): it is
    set a little below the director's weight by judgement.
    """

    genres: float = 0.45
    keywords: float = 0.6562
    director: float = 0.30
    cast: float = 0.25
    collection: float = 0.60
    overview: float = 0.225
    ratings: float = 2.0
    prior: float = 0.30
    shrink: float = 6.25
    cf_alpha: float = 1.0  # asymmetric cosine exponent: 0.5 = cosine, 1 = P(liked j | liked i)
    #: exposure cap: the largest share of the catalog's top-5 lists a film may be in (0: no
    #: cap). The product allows 5%; 2% was chosen on the validation users
    max_exposure: float = 0.02

    def block(self, name: str) -> float:
        return float(getattr(self, name))


@dataclass(frozen=True)
class Candidates:
    """How many candidates each source proposes, and the sparse product's pair budget."""

    #: 50/50/40 for 20 neighbours (30/30/15 held 78% of the exact top-20 on the sample;
    #: these hold 89%, for about +30% of the stage's time)
    content_candidates: int = 50
    rating_candidates: int = 50
    fill_candidates: int = 40  # > k: a film without rare features nor ratings still gets k
    #: best candidates per film kept for the exposure cap (the stored lists come from these)
    pool: int = 40
    pairs_per_film: int = 400
    chunk: int = 2048
    threads: int = 2


@dataclass
class _Features:
    """The feature matrix ``X`` (all blocks side by side, each L2-normalised and scaled by
    ``sqrt(w)``), kept as two column parts: the rare columns, whose sparse product
    generates candidates, and the frequent ones (see the module docstring)."""

    x_rare: sp.csr_matrix
    rare_cols: np.ndarray  # column of X of each column of x_rare
    #: the frequent columns, block by block (matrix, column of X of each of its columns):
    #: only ever used row-wise, so they are never copied side by side
    x_freq: list[tuple[sp.csr_matrix, np.ndarray]]
    col_block: np.ndarray  # block index of each column of X
    col_name: pa.Array  # display name of each column of X (strings)
    genre_block: sp.csr_matrix  # genres only, L2-normalised (for the fill candidates)


def _block(n: int, rows: np.ndarray, keys: pd.Series, names: pd.Series,
           values: np.ndarray) -> tuple[sp.csr_matrix, list[str]]:
    """A row-L2-normalised (films x distinct keys) matrix and each column's display name
    (the first name seen with the key)."""
    codes, uniques = pd.factorize(keys, sort=True)
    _, first_rows = np.unique(codes, return_index=True)  # codes are 0..len(uniques)-1
    matrix = sp.csr_matrix(
        (values.astype(np.float64), (rows, codes)), shape=(n, len(uniques))
    )
    matrix.sum_duplicates()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)
    return matrix, [str(v) for v in names.iloc[first_rows].tolist()]


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


def _features(links: dict[str, pd.DataFrame], ids: np.ndarray, weights: Weights,
              overview: tuple[sp.csr_matrix, list[str]], pair_budget: int) -> _Features:
    """The feature blocks (``ids``: the films sorted; ``overview``: its TF-IDF rows in the
    same order; ``links``: the link tables, removed from the dict as their block is built),
    split into rare and frequent columns: the rarest columns (ascending document frequency,
    ties by column) whose ``sum df^2`` fits ``pair_budget``, seen in 2+ films. Each block
    is split as soon as it is built, so ``X`` is never held twice."""
    n = len(ids)
    name_col = {"genres": "genre", "keywords": "keyword", "director": "name", "cast": "name",
                "collection": "collection"}
    blocks: dict[str, tuple[sp.csr_matrix, list[str]]] = {}

    def link(frame: pd.DataFrame, key: str, name: str, idf: bool) -> None:
        frame = frame.drop_duplicates(["film_id", key])  # a value counts once per film
        pos, known = _positions(ids, frame["film_id"])
        frame = frame.loc[known]
        keys = frame[key].reset_index(drop=True)
        values = _idf(keys, n) if idf else np.ones(len(frame))
        blocks[name] = _block(n, pos[known], keys, frame[name_col[name]].reset_index(drop=True),
                              values)

    link(links.pop("film_genres"), "genre_id", "genres", idf=False)
    link(links.pop("keywords"), "keyword_id", "keywords", idf=True)
    link(links.pop("directors"), "person_id", "director", idf=True)
    cast = links.pop("cast").sort_values(["film_id", "order"], kind="stable")
    cast = cast.loc[cast.groupby("film_id").cumcount() < CAST_TOP]
    link(cast, "person_id", "cast", idf=True)
    del cast
    link(links.pop("film_collections"), "collection_id", "collection", idf=False)
    blocks["overview"] = overview
    genre_block = blocks["genres"][0].copy()

    used = [(b, name) for b, name in enumerate(BLOCKS)
            if weights.block(name) > 0 and blocks[name][0].shape[1] > 0]
    col_block = np.concatenate([np.full(blocks[name][0].shape[1], b, dtype=np.int8)
                                for b, name in used]) if used else np.zeros(0, np.int8)
    col_name = pa.array([v for _, name in used for v in blocks[name][1]], pa.string())
    df = np.concatenate([np.bincount(blocks[name][0].indices,
                                     minlength=blocks[name][0].shape[1])
                         for _, name in used]).astype(np.int64) if used else \
        np.zeros(0, np.int64)
    by_df = np.lexsort((np.arange(len(df)), df))
    rare = np.zeros(len(df), dtype=bool)
    rare[by_df[np.cumsum(df[by_df] ** 2) <= pair_budget]] = True
    rare &= df >= 2

    rare_parts, x_freq = [], []
    start = 0
    for _, name in used:
        matrix = blocks.pop(name)[0]
        matrix.data *= np.sqrt(weights.block(name))  # in place: no scaled copy
        stop = start + matrix.shape[1]
        rare_parts.append(_columns(matrix, rare[start:stop])[0])
        frequent, cols = _columns(matrix, ~rare[start:stop])
        if len(cols):
            x_freq.append((frequent, cols + start))
        start = stop
        del matrix, frequent
    blocks.clear()
    x_rare = sp.csr_matrix(sp.hstack(rare_parts, format="csr")) if used else \
        sp.csr_matrix((n, 0))
    del rare_parts
    return _Features(x_rare=x_rare, rare_cols=np.flatnonzero(rare), x_freq=x_freq,
                     col_block=col_block, col_name=col_name, genre_block=genre_block)


#: The overview block's TF-IDF settings on top of the baseline's (English stop words): terms
#: in at least 2 films and at most half of them, sublinear tf.
OVERVIEW_TFIDF = {"stop_words": "english", "min_df": 2, "max_df": 0.5, "sublinear_tf": True}
#: A word of the overview block (scikit-learn's default token pattern), or a sentence end.
WORD = re.compile(r"(?u)\b\w\w+\b|[.!?]")
#: Overviews that say there is none (Kaggle's file has them): read as empty, or every film
#: without an overview would be "sinopsis parecida: overview, found" to every other.
NO_OVERVIEW = frozenset({"no overview found.", "no overview found", "no overview",
                         "no movie overview available.", "no overview available."})


def topic_words(keywords: Iterable[object]) -> frozenset[str]:
    """The one-word keywords of the catalog, lower-cased ("paris", "christmas", "dracula"):
    capitalised words of the overviews that still name a topic (see :func:`overview_tfidf`)."""
    return frozenset(k.lower() for k in keywords
                     if isinstance(k, str) and re.fullmatch(r"(?u)\w\w+", k))


def overview_tfidf(texts: Iterable[object],
                   topics: frozenset[str] = frozenset()) -> tuple[sp.csr_matrix, list[str]]:
    """TF-IDF of the overviews (rows L2-normalised, in the order of ``texts``; anything but
    text, and the placeholders of :data:`NO_OVERVIEW`, count as an empty overview) and the
    vocabulary, proper nouns left out.

    scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfVectorizer`, the same
    tokens (``\\b\\w\\w+\\b``, lower-cased) and English stop words as the evaluation's
    overview baseline, plus :data:`OVERVIEW_TFIDF`: weight ``(1 + ln tf) * idf``,
    ``idf = ln((1 + N) / (1 + df)) + 1`` (smooth idf).

    Proper nouns: a word is left out when, over all the overviews, its occurrences in the
    middle of a sentence (not the first word of the text nor after ``.``, ``!`` or ``?``)
    are more often capitalised than not (``cap(t) > lower(t)``): character names ("Andy",
    "Woody"), people and brands. A name shared by two overviews is rarely what the films
    share (Toy Story's Andy and Shawshank's Andy Dufresne); the keywords, people and
    co-ratings blocks carry who is in a film. Kept all the same: a word that is itself a
    one-word keyword of the catalog (``topics``, :func:`topic_words`: "paris", "christmas",
    "vietnam", "dracula"): a place, a people or a feast shared by two plots is a real
    likeness. Words seen only at sentence starts cannot be judged and stay. Leaving a word
    out is the same as fitting without it: its idf does not touch the other words', and the
    rows are L2-normalised after.

    The tokenizer is Python's (it counts the capitals as it goes): 2.0 s against 1.0 s for
    the vectorizer's own on the 45,396 SYNTHETIC overviews (shared 2-core machine).
    ``texts`` is read once, as it comes: a build streams it from Parquet instead of holding
    every overview.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    count = [0]
    seen: dict[str, list[int]] = {}  # word -> [capitalised, lower-case] mid-sentence

    def documents() -> Iterator[str]:
        for text in texts:
            count[0] += 1
            yield text if isinstance(text, str) and text.strip().lower() not in NO_OVERVIEW \
                else ""

    def tokens(text: str) -> list[str]:
        out = []
        start = True
        for token in WORD.findall(text):
            if token in ".!?":
                start = True
                continue
            word = token.lower()
            if not start:
                tally = seen.get(word)
                if tally is None:
                    tally = seen[word] = [0, 0]
                tally[0 if token[0].isupper() else 1] += 1
            out.append(word)
            start = False
        return out

    vectorizer = TfidfVectorizer(dtype=np.float64, tokenizer=tokens, token_pattern=None,
                                 lowercase=False, norm=None, **OVERVIEW_TFIDF)
    stream = documents()
    try:
        matrix = vectorizer.fit_transform(stream)
    except ValueError:  # no term in >= 2 and <= 50% of the films (tiny or empty catalogs)
        for _ in stream:  # whatever is left, to count the films
            pass
        return sp.csr_matrix((count[0], 0)), []
    vocabulary = [str(t) for t in vectorizer.get_feature_names_out()]
    keep = np.array([not proper_noun(seen.get(t), t, topics) for t in vocabulary], dtype=bool)
    matrix, columns = _columns(sp.csr_matrix(matrix), keep)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)
    matrix.sort_indices()
    return matrix, [vocabulary[c] for c in columns]


def proper_noun(tally: list[int] | None, word: str, topics: frozenset[str]) -> bool:
    """The rule of :func:`overview_tfidf`: capitalised in most of its mid-sentence
    occurrences (``tally`` = [capitalised, lower-case]) and not a topic word."""
    return tally is not None and tally[0] > tally[1] and word not in topics


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
    step = max(1, min(128, 2**23 // max(n, 1)))  # rows x films scored at once: <= 8M
    for start in range(0, len(first), step):
        scores = weights.genres * sim[start:start + step][:, combo_codes] + base
        fill[start:start + step] = np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
    return fill, combo_codes.astype(np.int64)


#: Columns of the neighbours table, and their Arrow types.
NEIGHBOUR_SCHEMA = pa.schema([("film_id", pa.int64()), ("neighbour_id", pa.int64()),
                              ("rank", pa.int64()), ("score", pa.float64()),
                              ("reasons", REASONS_TYPE)])


#: Another overview block for the evaluation (films sorted by id -> row-L2-normalised
#: matrix and column names): how the plot embeddings are compared with TF-IDF.
OverviewBlock = Callable[[pd.DataFrame], tuple[sp.csr_matrix, list[str]]]


def neighbour_chunks(
    tables: Tables,
    progress: Progress,
    ratings: pd.DataFrame | None = None,
    k: int = NEIGHBOURS,
    weights: Weights | None = None,
    candidates: Candidates | None = None,
    with_reasons: bool = True,
    overviews: Iterable[object] | None = None,
    overview: OverviewBlock | None = None,
) -> Iterator[pa.Table]:
    """Top-``k`` neighbours of every film (see the module docstring for the model), as
    Arrow tables of :data:`NEIGHBOUR_SCHEMA`, one per chunk of query films in id order, so
    a caller can write them out without holding them all.

    ``ratings=None`` uses ``tables.ratings`` (all users); the evaluation passes the training
    users' ratings only. ``with_reasons=False`` leaves the reasons empty (faster, for
    tuning). ``overviews``: the overviews in the order of ``tables.films`` rows, read once
    (default: its ``overview`` column), so a build can stream them from disk.
    ``overview``: another overview block than the TF-IDF (evaluation only, without reasons).
    """
    weights = weights or Weights()
    cand = candidates or Candidates()
    order = np.argsort(tables.films["id"].to_numpy(dtype=np.int64), kind="stable")
    films = tables.films.drop(columns=["overview"], errors="ignore").iloc[order]
    films = films.reset_index(drop=True)
    ids = films["id"].to_numpy(dtype=np.int64)
    n = len(ids)
    progress.start("Recommender: features", total=None)
    if n < 2:
        return
    prior = quality_prior(films)
    groups = duplicate_groups(films)
    liked, liked_rows = _liked_matrix(tables.ratings if ratings is None else ratings, ids)
    likes = liked.sum(axis=1) if liked.size else np.zeros(0, np.float32)
    vote_average = films["vote_average"].to_numpy(dtype=np.float64)
    texts = overviews if overviews is not None else tables.films["overview"]
    links = {name: getattr(tables, name) for name in
             ("film_genres", "keywords", "directors", "cast", "film_collections")}
    block = overview(films) if overview is not None else None  # rows in id order
    del films, tables  # the caller may hand over its last reference: memory goes with it
    if block is None:
        words, vocabulary = overview_tfidf(texts, topic_words(links["keywords"]["keyword"]))
        words = sp.csr_matrix(words[order])  # rows in id order, like ``ids``
    else:
        words, vocabulary = block
    del texts, block
    features = _features(links, ids, weights, (words, vocabulary),
                         pair_budget=cand.pairs_per_film * n)
    del words, vocabulary, links
    fill, combo = _fill(features.genre_block, prior, weights, cand.fill_candidates)
    x_rare, rare_cols = features.x_rare, features.rare_cols
    x_freq = features.x_freq
    x_rare_t = sp.csr_matrix(x_rare.T)
    pool = max(k, cand.pool)
    starts = list(range(0, n, cand.chunk))

    # 1. every film's best ``pool`` candidates by the score (position, score, cf, rank in
    # the film's list), chunk by chunk. Kept for all films at once (17 bytes a pair): the
    # exposure cap is global.
    progress.start("Recommender: neighbours", total=n)

    def scored(r0: int) -> tuple[tuple[np.ndarray, ...], int]:
        r1 = min(n, r0 + cand.chunk)
        qi, cj, score, cf = _chunk(r0, r1, n, x_rare, x_rare_t, x_freq, liked, liked_rows,
                                   likes, fill, combo, prior, groups, weights, cand, pool)
        return (qi.astype(np.int32), cj.astype(np.int32), score, cf.astype(np.float32),
                np.minimum(_ranks(qi), 255).astype(np.uint8)), r1 - r0

    parts: list[Any] = list(_in_order(scored, starts, cand.threads, progress))
    bounds = np.concatenate(([0], np.cumsum([len(p[0]) for p in parts])))
    columns = []
    for c in range(5):  # one column at a time: the chunks' copies go as it is joined
        columns.append(np.concatenate([p[c] for p in parts]))
        parts = [tuple(None if i == c else v for i, v in enumerate(p)) for p in parts]
    del parts
    cand_q, cand_c, cand_s, cand_cf, cand_rank = columns
    del columns

    # 2. the exposure cap: one factor per film, 1 unless the film is in too many top-5 lists
    factor = np.ones(n)
    if weights.max_exposure > 0:
        progress.start("Recommender: exposure cap", total=None)
        factor = exposure_factors(cand_q, cand_c, cand_s, n,
                                  exposure_cap(n, weights.max_exposure), rank=cand_rank)
    del cand_rank

    # 3. each film's ``k`` best by the capped score, and their reasons
    progress.start("Recommender: reasons" if with_reasons else "Recommender: lists", total=n)

    def finish(index: int) -> tuple[pa.Table, int]:
        at = slice(bounds[index], bounds[index + 1])  # views: nothing copied
        qi, cj = cand_q[at].astype(np.int64), cand_c[at].astype(np.int64)
        score = np.round(cand_s[at] * factor[cj], 9)
        order = np.lexsort((cj, -score, qi))  # best capped score first, ties by lower id
        ranks = _ranks(qi[order]) + 1
        best = order[ranks <= k]
        qi, cj, score = qi[best], cj[best], score[best]
        cf = cand_cf[at][best].astype(np.float64)
        ranks = ranks[ranks <= k]
        if with_reasons:
            shared = [_shared(part, cols, qi, cj) for part, cols in
                      ((x_rare, rare_cols), *x_freq)]
            reasons = _reasons(shared, features, qi, cj, cf, weights, vote_average)
        else:
            reasons = pa.ListArray.from_arrays(pa.array(np.zeros(len(qi) + 1, np.int32)),
                                               pa.array([], pa.string()))
        table = pa.table([ids[qi], ids[cj], ranks.astype(np.int64), np.round(score, 6),
                          reasons], schema=NEIGHBOUR_SCHEMA)
        r0 = starts[index]
        return table, min(n, r0 + cand.chunk) - r0

    yield from _in_order(finish, range(len(starts)), cand.threads, progress)


_Item = TypeVar("_Item")
_Out = TypeVar("_Out")


def _in_order(work: Callable[[_Item], tuple[_Out, int]], items: Iterable[_Item],
              threads: int, progress: Progress) -> Iterator[_Out]:
    """``work`` over ``items`` on ``threads`` threads, results in the order of ``items``,
    with at most ``threads + 1`` in flight (memory is bounded by them, not by the catalog).
    Chunks are independent; numpy, scipy's sparse kernels and Arrow release the GIL, so
    threads use both cores. ``work`` returns (result, films done) for the progress."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: list[Future[tuple[_Out, int]]] = []
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) > threads:
                result, done = pending.pop(0).result()
                progress.advance(done)
                yield result
        for future in pending:
            result, done = future.result()
            progress.advance(done)
            yield result


def _ranks(group: np.ndarray) -> np.ndarray:
    """0-based position of each entry within its run of equal ``group`` values (sorted)."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.diff(group, prepend=group[0] - 1))
    return np.arange(len(group)) - np.repeat(first, np.diff(np.append(first, len(group))))


def exposure_cap(n: int, share: float) -> int:
    """Most top-5 lists a film may be in: ``max(floor(share * n), MIN_CAP)``."""
    return max(int(np.floor(share * n + 1e-9)), MIN_CAP)


def exposure_factors(qi: np.ndarray, cj: np.ndarray, score: np.ndarray, n: int, cap: int,
                     top: int = EXPOSED, eps: float = 1e-3, rounds: int = 1000,
                     rank: np.ndarray | None = None) -> np.ndarray:
    """The exposure factor ``f`` of every film (see the module docstring): 1, or less for
    a film that would otherwise be in more than ``cap`` of the top-``top`` lists.

    ``qi``, ``cj``, ``score``: each film's candidates (query position, candidate position,
    score), sorted by query, score descending, candidate ascending (``rank``: each one's
    0-based place in its query's list, if already known). The capped score of a
    pair is ``round(f(j) * score, 9)``; a list is its candidates by capped score (ties: lower
    id). Rounds: count each film's top-``top`` lists; for each film ``j`` over the cap and
    each list ``i`` holding it, ``r(i, j) = t(i) / score(i, j)``, ``t(i)`` the capped
    score of list ``i``'s first candidate outside its top (0 if none): ``j`` stays in list
    ``i`` while ``f(j) > r(i, j)``. So ``f(j)`` becomes ``(1 - eps)`` times the
    ``(cap + 1)``-th smallest ``r(i, j)``: ``j`` keeps the ``cap`` lists where it leads its
    runner-up by the widest margin and leaves the others, whose next candidate moves up.
    Factors only go down, so a film under the cap never loses a list through another's
    factor; rounds go on until no film is over the cap (or none can be lowered: a list with
    no candidate beyond its top cannot lose one). ``eps`` (doubled every 50 rounds) keeps
    two capped films from chasing each other down in tiny steps: with 1e-6 they did for 500
    rounds on the sample; with 1e-3 the sample settles in 16 rounds (23 films capped).
    Only the lists holding a film with ``f < 1`` are re-sorted, so a round costs little
    when few films are capped.
    """
    factor = np.ones(n)
    if len(qi) == 0:
        return factor
    raw_rank = _ranks(qi) if rank is None else rank
    raw_top = raw_rank < top
    raw_next = np.flatnonzero(raw_rank == top)  # each list's first candidate outside its top
    del raw_rank
    stuck = np.zeros(n, dtype=bool)
    for step in range(rounds):
        capped = factor < 1
        affected = np.zeros(n, dtype=bool)
        affected[qi[capped[cj]]] = True
        in_top = raw_top.copy()
        threshold = np.zeros(n)
        nxt = raw_next[~affected[qi[raw_next]]]
        threshold[qi[nxt]] = score[nxt]
        sub = np.flatnonzero(affected[qi])
        if len(sub):
            adjusted = np.round(score[sub] * factor[cj[sub]], 9)
            order = np.lexsort((cj[sub], -adjusted, qi[sub]))
            rank = _ranks(qi[sub][order])
            in_top[sub[order]] = rank < top
            at = order[rank == top]
            threshold[qi[sub][at]] = adjusted[at]
        counts = np.bincount(cj[in_top], minlength=n)
        over = (counts > cap) & ~stuck
        if not over.any():
            break
        sel = np.flatnonzero(in_top & over[cj])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(score[sel] > 0, threshold[qi[sel]] / score[sel], 0.0)
        film = cj[sel]
        order = np.lexsort((qi[sel], ratio, film))
        film, ratio = film[order], ratio[order]
        at = _ranks(film) == cap  # the (cap + 1)-th smallest ratio of each film over the cap
        target, cut = film[at], ratio[at]
        movable = cut > 0
        stuck[target[~movable]] = True
        factor[target[movable]] = np.minimum(factor[target[movable]],
                                             cut[movable] * (1.0 - eps * 2 ** (step // 50)))
    return factor


def compute_neighbours(
    tables: Tables,
    progress: Progress,
    ratings: pd.DataFrame | None = None,
    k: int = NEIGHBOURS,
    weights: Weights | None = None,
    candidates: Candidates | None = None,
    with_reasons: bool = True,
    overview: OverviewBlock | None = None,
) -> pd.DataFrame:
    """:func:`neighbour_chunks` as one frame (columns ``film_id``, ``neighbour_id``,
    ``rank``, ``score``, and ``reasons`` Arrow-backed, unless ``with_reasons=False``)."""
    chunks = list(neighbour_chunks(tables, progress, ratings, k, weights, candidates,
                                   with_reasons, overview=overview))
    table = pa.concat_tables(chunks) if chunks else NEIGHBOUR_SCHEMA.empty_table()
    if not with_reasons:
        table = table.drop_columns(["reasons"])
    frame = pd.DataFrame({name: table[name].to_numpy() for name in table.column_names
                          if name != "reasons"})
    if with_reasons:
        frame["reasons"] = pd.Series(pd.arrays.ArrowExtensionArray(table["reasons"]))
    return frame


def _columns(x: sp.csr_matrix, keep: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """The columns ``keep`` of ``x`` (renumbered 0..) and their original indices, without a
    CSC copy of ``x``."""
    mask = keep[x.indices]
    kept_before = np.concatenate(([0], np.cumsum(mask)))
    renumber = np.cumsum(keep) - 1
    part = sp.csr_matrix((x.data[mask], renumber[x.indices[mask]], kept_before[x.indptr]),
                         shape=(x.shape[0], int(keep.sum())))
    return part, np.flatnonzero(keep)


def _shared(part: sp.csr_matrix, cols: np.ndarray, qi: np.ndarray,
            cj: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pair, original column, contribution) of the columns each pair shares in ``part``."""
    shared = sp.csr_matrix(part[qi].multiply(part[cj]))
    shared.eliminate_zeros()
    pair = np.repeat(np.arange(len(qi)), np.diff(shared.indptr))
    return pair, cols[shared.indices], shared.data


def write_neighbours(chunks: Iterable[pa.Table], path: Path) -> int:
    """Write :func:`neighbour_chunks` to a Parquet file as they come; returns the rows."""
    rows = 0
    with pq.ParquetWriter(path, NEIGHBOUR_SCHEMA, compression="zstd") as writer:
        for table in chunks:
            writer.write_table(table)
            rows += table.num_rows
    return rows


def _chunk(r0: int, r1: int, n: int, x_rare: sp.csr_matrix, x_rare_t: sp.csr_matrix,
           x_freq: list[tuple[sp.csr_matrix, np.ndarray]], liked: np.ndarray,
           liked_rows: np.ndarray,
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
    high = np.zeros(len(key))
    for part, _ in x_freq:
        high += np.asarray(part[qi].multiply(part[cj]).sum(axis=1)).ravel()
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


def _reasons(shared: list[tuple[np.ndarray, np.ndarray, np.ndarray]], features: _Features,
             qi: np.ndarray, cj: np.ndarray, cf: np.ndarray, weights: Weights,
             vote_average: np.ndarray) -> pa.Array:
    """One list of Spanish reason strings per pair (see the module docstring), from the
    columns each pair shares (:func:`_shared` of each part of the features)."""
    pairs = len(qi)
    pair = np.concatenate([p for p, _, _ in shared])
    col = np.concatenate([c for _, c, _ in shared]).astype(np.int64)
    contrib = np.concatenate([v for _, _, v in shared])
    by = np.lexsort((col, pair))
    pair, col, contrib = pair[by], col[by], contrib[by]
    block = features.col_block[col].astype(np.int64)

    # per (pair, block): contribution and the top shared names
    group_key = pair * 16 + block  # non-decreasing: blocks are contiguous column ranges
    starts = np.flatnonzero(np.diff(group_key, prepend=-1))
    segment = np.cumsum(np.diff(group_key, prepend=-1) != 0) - 1
    total = np.add.reduceat(contrib, starts) if len(starts) else np.zeros(0)
    overview = max(MIN_REASON, MIN_OVERVIEW_COSINE * weights.overview)
    minimum = np.where(block[starts] == BLOCKS.index("overview"), overview, MIN_REASON) \
        if len(starts) else np.zeros(0)
    strong = total >= minimum
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
    vote = vote_average[cj[bare]]
    bare_texts = pa.array([f"bien valorada: {v:.1f}/10" for v in vote], pa.string())

    all_pair = np.concatenate([g_pair, cf_pairs, bare])
    all_weight = np.concatenate([total, weights.ratings * cf[cf_pairs], np.zeros(len(bare))])
    all_texts = pa.concat_arrays([texts, cf_texts, bare_texts])
    order = np.lexsort((np.arange(len(all_pair)), -all_weight, all_pair))
    counts = np.bincount(all_pair, minlength=pairs)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), all_texts.take(pa.array(order)))
