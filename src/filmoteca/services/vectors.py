"""Serving side of semantic search: plots told in Spanish or English, titles typed in Spanish.

Owns the two questions answered from the arrays of :mod:`filmoteca.etl.vectors` and the
query vector of :mod:`filmoteca.encoder`:

- :meth:`SemanticIndex.search_descriptions`: films whose plot vector is closest to the
  description, ranked by cosine + ``PLOT_PRIOR`` x popularity (people describe films they
  know; the similarity returned is the plain cosine);
- :meth:`SemanticIndex.resolve_title`: a title that matched nothing directly -> a
  :class:`TitleDecision`: the film when :class:`TitleRule` trusts the reading, else ranked
  candidates; a near-typo of a catalog title is never read (it keeps the plain 404).

Both search in two passes: every film's 128-d coarse vector is scored, then the best
:data:`RERANK` again with their full 512-d rows (read from disk with ``pread``); on the
labelled queries this gives the same results as a full scan. Quality, calibration and cost
are measured in ``reports/busqueda.md``.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from filmoteca.catalog.layout import IDS, SEMANTIC_DIR, array_paths
from filmoteca.encoder import Encoder, NpyRows, default_encoder, table_file_name
from filmoteca.text import normalize

#: Weight of the popularity prior in the ranking of plots (see ``reports/busqueda.md``).
PLOT_PRIOR = 0.3
#: ``fuzz.ratio`` (0-100) against a catalog title from which a query is a typo, not a
#: translation (the suggester's ``CLOSE_SCORE``).
TYPO_RATIO = 80.0
#: A leading English article, dropped for the typo check.
_ENGLISH_ARTICLE = re.compile(r"^(?:the|a|an) (?=\S)")
#: Rows converted to float32 at a time (1 MB: stays in cache; fewer, larger blocks than
#: 512 rows cost less Python per query).
CHUNK = 2048
#: Candidates of the coarse pass scored again with the full vectors (see the module
#: docstring: 128 gave the brute force's results on every labelled query; 256 cost more).
RERANK = 128
#: Longest query embedded (characters); the API caps input earlier.
MAX_QUERY = 500


RESOLVED = "resolved"
NEAR_TYPO = "near_typo"
NOT_CONFIDENT = "not_confident"
EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class TitleDecision:
    """How a typed title was read.

    ``position``: the film (row of ``films``) when resolved, else None. ``similarity``:
    cosine between the query and that film's title (or the best candidate's, when not
    resolved; 0.0 if there is none). ``candidates``: (position, cosine) of the best films,
    best first (the first is ``position`` when resolved). ``reason``: :data:`RESOLVED`,
    :data:`NEAR_TYPO` (a catalog title is within typo distance: leave it to the fuzzy
    suggester), :data:`NOT_CONFIDENT` or :data:`EMPTY` (no letter or digit to read).
    """

    query: str
    position: int | None
    similarity: float
    candidates: tuple[tuple[int, float], ...]
    reason: str

    @property
    def resolved(self) -> bool:
        return self.position is not None


class _Vectors:
    """One kind of arrays ("titles" or "plots", see :mod:`filmoteca.etl.vectors`): the coarse
    int8 rows (held in memory, scanned in full), the full int8 rows (read from disk only for
    the candidates), scales, and the film of each row."""

    def __init__(self, folder: Path, kind: str, films: int) -> None:
        paths = array_paths(folder, kind)
        self.path = paths["rows"]
        self.rows = NpyRows(paths["rows"])
        self.scale = np.load(paths["scale"])
        self.film = np.load(paths["film"])
        self.coarse = np.load(paths["coarse"])
        self.coarse_scale = np.load(paths["coarse_scale"])
        self.basis = np.load(paths["basis"])
        n = len(self.rows)
        if not (len(self.scale) == len(self.film) == len(self.coarse)
                == len(self.coarse_scale) == n >= films):
            raise ValueError(f"{kind} arrays in {folder} do not match {films} films")
        if not np.array_equal(self.film[:films], np.arange(films)):
            raise ValueError(f"{kind} arrays in {folder}: the first rows must be films 0..n-1")
        if self.basis.shape != (self.rows.shape[1], self.coarse.shape[1]):
            raise ValueError(f"{kind} arrays in {folder}: the basis does not fit the rows")
        self.films = films
        self.extra: dict[int, list[int]] = {}
        for row in range(films, n):
            self.extra.setdefault(int(self.film[row]), []).append(row)

    def coarse_cosines(self, query: np.ndarray) -> np.ndarray:
        """Approximate cosine of ``query`` (unit, 512) with every film (its best row), from
        the coarse rows: float32 (films,)."""
        projected = query @ self.basis
        norm = float(np.linalg.norm(projected))
        if norm > 0:
            projected /= norm
        rows = self.coarse
        out = np.empty(len(rows), dtype=np.float32)
        buffer = np.empty((min(CHUNK, len(rows)), rows.shape[1]), dtype=np.float32)
        for start in range(0, len(rows), CHUNK):
            block = buffer[:min(CHUNK, len(rows) - start)]
            np.copyto(block, rows[start:start + len(block)], casting="unsafe")
            np.matmul(block, projected, out=out[start:start + len(block)])
        out *= self.coarse_scale
        return self.per_film(out)

    def vector_of(self, films: list[int]) -> np.ndarray:
        """The unit vector of the mean of ``films``' own rows (float32, 512)."""
        rows = np.asarray(films, dtype=np.int64)
        vectors = self.rows[rows].astype(np.float32) * self.scale[rows][:, None]
        mean = vectors.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return np.asarray(mean / norm if norm > 0 else mean, dtype=np.float32)

    def exact(self, query: np.ndarray, films: np.ndarray) -> np.ndarray:
        """Cosine of ``query`` with each of ``films`` (its best row), from the full rows."""
        rows = [int(f) for f in films]
        owners = list(range(len(rows)))
        for i, film in enumerate(films.tolist()):
            for row in self.extra.get(film, ()):
                rows.append(row)
                owners.append(i)
        at = np.asarray(rows, dtype=np.int64)  # typed: ``films`` may be empty (a year filter)
        values = self.rows[at].astype(np.float32) @ query
        values *= self.scale[at]
        out = np.full(len(films), -np.inf, dtype=np.float32)
        np.maximum.at(out, np.asarray(owners, dtype=np.int64), values)
        return out

    def exact_all(self, query: np.ndarray) -> np.ndarray:
        """Cosine of ``query`` with every film from the full rows (brute force: for
        evaluation and tests, not for serving)."""
        rows = np.load(self.path, mmap_mode="r")
        values = np.empty(len(rows), dtype=np.float32)
        for start in range(0, len(rows), 4096):
            values[start:start + 4096] = rows[start:start + 4096].astype(np.float32) @ query
        values *= self.scale
        return self.per_film(values)

    def per_film(self, values: np.ndarray) -> np.ndarray:
        """Row values -> film values (the best row of each film)."""
        out = values[:self.films].copy()
        if len(values) > self.films:
            np.maximum.at(out, self.film[self.films:], values[self.films:])
        return out


_WORD = re.compile(r"\w")
_NUMBER = re.compile(r"^(\d+)(?:st|nd|rd|th|o|a)?$")
_ROMAN = {"ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def numbers(key: str) -> frozenset[int]:
    """The numbers written in a normalized name, as digits ("2", "13th", "2o") or roman
    numerals from II to X: "el padrino ii" -> {2}, "die hard 2" -> {2}, "friday the 13th"
    -> {13}. A sequel number that differs from the title's is strong evidence against it."""
    found = set()
    for word in re.findall(r"[a-z0-9]+", key):
        match = _NUMBER.match(word)
        if match:
            found.add(int(match.group(1)))
        elif word in _ROMAN:
            found.add(_ROMAN[word])
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class TitleRule:
    """How a typed title is read as a catalog title, and when the reading is trusted.

    Score of a film = cosine(query, title) + ``prior`` x popularity - ``length`` x |log(typed
    words / title words)| - ``number`` where the numbers typed differ from the title's ("El
    padrino II" is not "The Godfather"). Trusted (resolved) when the best score is at least
    ``resolve_at`` and ahead of the second by ``margin``. :data:`SHIPPED` is chosen by
    ``benchmarks/busqueda.py`` under a precision constraint (``reports/busqueda.md``).
    """

    prior: float
    length: float
    number: float
    resolve_at: float
    margin: float

    def score(self, cosine: np.ndarray, prior: np.ndarray, log_title_words: np.ndarray,
              typed_words: Any, number_mismatch: np.ndarray) -> np.ndarray:
        """Broadcasts: queries x films arrays work too (``typed_words`` as a column)."""
        return np.asarray(
            cosine + self.prior * prior
            - self.length * np.abs(log_title_words - np.log(np.maximum(typed_words, 1)))
            - self.number * number_mismatch)

    def confident(self, first: float, second: float) -> bool:
        return first >= self.resolve_at and first - second >= self.margin


#: The rule served (values from ``benchmarks/busqueda.py``; see ``reports/busqueda.md``).
SHIPPED = TitleRule(prior=0.0, length=0.0, number=0.3, resolve_at=0.80, margin=0.08)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first (ties: lower index first)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]


class SemanticIndex:
    """Description search and cross-lingual title resolution over one catalog.

    ``folder``: where :func:`filmoteca.etl.vectors.build_embeddings` wrote the arrays.
    ``titles`` and ``votes``: each film's title and vote count, in film-position order
    (the serving index's ``films`` columns). ``title_keys``: optional normalized titles
    sorted by length (the index's title suggestion list) for the typo check; computed from
    ``titles`` on first use when omitted.
    """

    def __init__(
        self, folder: Path, titles: Sequence[str], votes: Sequence[float], *,
        title_keys: Sequence[str] | None = None, encoder: Encoder | None = None,
        years: Sequence[int] | None = None,
    ) -> None:
        folder = Path(folder)
        self.folder = folder
        self.meta = json.loads((folder / "embeddings.json").read_text(encoding="utf-8"))
        n = len(titles)
        if len(votes) != n:
            raise ValueError("one vote count per title is needed")
        self.titles = _Vectors(folder, "titles", n)
        self.plots = _Vectors(folder, "plots", n)
        self._title_names = titles
        counts = np.asarray(votes, dtype=np.float64)
        top = math.log1p(float(counts.max())) if n and counts.max() > 0 else 1.0
        self.prior = (np.log1p(np.clip(counts, 0, None)) / top).astype(np.float32)
        self.encoder = encoder or default_encoder()
        self.years = np.asarray(years if years is not None else np.zeros(n), dtype=np.int32)
        self._keys = list(title_keys) if title_keys is not None else None
        self._lengths: list[int] | None = None
        self._title_words: np.ndarray | None = None
        self._title_numbers = np.zeros(0, dtype=np.int32)
        self._number_sets: dict[frozenset[int], int] = {}
        self._lock = threading.Lock()
        self._last_typo: tuple[str, str | None] | None = None

    def __len__(self) -> int:
        return self.titles.films

    def warm_up(self, background: bool = True) -> None:
        """Load the encoder and prepare the title checks (typo lists, title word counts and
        numbers) now instead of on the first query: in daemon threads by default, so a
        server can answer other questions meanwhile (a query arriving earlier waits)."""
        if not background:
            self.encoder.load()
            self._typo_lists()
            self._title_shapes()
            return
        self.encoder.load_in_background()
        threading.Thread(target=self._prepare_titles, name="filmoteca-semantic-warm-up",
                         daemon=True).start()

    def _prepare_titles(self) -> None:
        self._typo_lists()
        self._title_shapes()

    # -- query vectors -------------------------------------------------------------------

    def embed(self, text: str) -> np.ndarray:
        """The unit vector of one query (float32, 512)."""
        return np.asarray(self.encoder.encode([text[:MAX_QUERY]])[0])

    # -- descriptions --------------------------------------------------------------------

    def search_descriptions(self, query: str, limit: int = 10,
                            admitted: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(film position, cosine) of the ``limit`` best plots for ``query``, best first
        (ranked by cosine + ``PLOT_PRIOR`` x popularity), among the films ``admitted``
        (a boolean array over the films; None: all)."""
        text = " ".join(query.split())
        if not _WORD.search(text) or limit <= 0:
            return []
        vector = self.embed(text)
        approx = self.plots.coarse_cosines(vector) + PLOT_PRIOR * self.prior
        if admitted is not None:
            approx = np.where(admitted, approx, -np.inf)
        candidates = _top(approx, max(RERANK, limit))
        candidates = candidates[np.isfinite(approx[candidates])]
        cosine = self.plots.exact(vector, candidates)
        best = _top(cosine + PLOT_PRIOR * self.prior[candidates], limit)
        return [(int(candidates[i]), float(cosine[i])) for i in best]

    # -- titles --------------------------------------------------------------------------

    def _typo_lists(self) -> tuple[list[str], list[int]]:
        with self._lock:
            if self._keys is None:
                keys = {normalize(t) for t in self._title_names}
                # "Terminater" is a typo of "The Terminator" too: also without the article
                keys |= {_ENGLISH_ARTICLE.sub("", key) for key in keys}
                self._keys = sorted(keys - {""}, key=lambda k: (len(k), k))
            if self._lengths is None:
                self._lengths = [len(key) for key in self._keys]
            return self._keys, self._lengths

    def near_typo(self, key: str) -> str | None:
        """The normalized catalog title (with or without its leading English article) within
        typo distance of ``key`` (normalized), if any: ``fuzz.ratio`` >= :data:`TYPO_RATIO`,
        compared only with titles whose length can reach it."""
        if not key:
            return None
        memo = self._last_typo  # one entry: the service asks before resolve_title does
        if memo is not None and memo[0] == key:
            return memo[1]
        keys, lengths = self._typo_lists()
        cutoff = TYPO_RATIO / 100
        low = bisect.bisect_left(lengths, len(key) * cutoff / (2 - cutoff))
        high = bisect.bisect_right(lengths, len(key) * (2 - cutoff) / cutoff)
        match = process.extractOne(key, keys[low:high], scorer=fuzz.ratio, processor=None,
                                   score_cutoff=TYPO_RATIO)
        found = None if match is None else str(match[0])
        self._last_typo = (key, found)
        return found

    def _title_shapes(self) -> tuple[np.ndarray, np.ndarray, dict[frozenset[int], int]]:
        """Per film: log of its title's word count, and an id of its set of numbers (with
        the id of each distinct set); computed once, on first use."""
        with self._lock:
            if self._title_words is None:
                keys = [normalize(t) for t in self._title_names]
                words = [max(1, len(key.split())) for key in keys]
                sets: dict[frozenset[int], int] = {}
                ids = [sets.setdefault(numbers(key), len(sets)) for key in keys]
                self._number_sets = sets
                self._title_numbers = np.asarray(ids, dtype=np.int32)
                self._title_words = np.log(np.asarray(words, dtype=np.float32))
            return self._title_words, self._title_numbers, self._number_sets

    def _words(self) -> np.ndarray:
        return self._title_shapes()[0]

    def number_mismatch(self, query: str) -> np.ndarray:
        """Per film: True where the numbers in ``query`` differ from those of its title."""
        _, title_numbers, sets = self._title_shapes()
        return np.asarray(title_numbers != sets.get(numbers(normalize(query)), -1))

    def title_scores(self, query: str, rule: TitleRule = SHIPPED, year: int | None = None,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(films, score, cosine) of the best :data:`RERANK` films for ``query`` read as a
        title (only films of ``year`` when given): chosen on the coarse vectors, then scored
        exactly (:meth:`TitleRule.score`)."""
        text = " ".join(query.split()).lower()
        vector = self.embed(text)
        words = self._words()
        typed = len(normalize(query).split())
        mismatch = self.number_mismatch(query)
        approx = rule.score(self.titles.coarse_cosines(vector), self.prior, words, typed,
                            mismatch)
        if year is not None:
            approx = np.where(self.years == year, approx, -np.inf)
        films = _top(approx, RERANK)
        if year is not None:
            films = films[np.isfinite(approx[films])]
        cosine = self.titles.exact(vector, films)
        score = rule.score(cosine, self.prior[films], words[films], typed, mismatch[films])
        return films, score, cosine

    def resolve_title(self, query: str, limit: int = 5, rule: TitleRule = SHIPPED,
                      year: int | None = None) -> TitleDecision:
        """Read ``query`` as a title in another language (see :class:`TitleDecision`), among
        the films of ``year`` when given.

        Call it only after the exact and punctuation-blind lookups found nothing.
        """
        key = normalize(query)
        if not _WORD.search(key):
            return TitleDecision(query, None, 0.0, (), EMPTY)
        films, score, cosine = self.title_scores(query, rule, year)
        order = _top(score, max(limit, 2))
        best = films[order]
        candidates = tuple((int(films[i]), float(cosine[i])) for i in order[:limit])
        top_cosine = candidates[0][1] if candidates else 0.0
        if self.near_typo(key) is not None:
            return TitleDecision(query, None, top_cosine, candidates, NEAR_TYPO)
        if len(best) == 0:
            return TitleDecision(query, None, 0.0, (), NOT_CONFIDENT)
        first = float(score[order[0]])
        second = float(score[order[1]]) if len(order) > 1 else -math.inf
        if rule.confident(first, second):
            return TitleDecision(query, int(best[0]), top_cosine, candidates, RESOLVED)
        return TitleDecision(query, None, top_cosine, candidates, NOT_CONFIDENT)


def open_for_catalog(
    catalog_dir: Path, titles: Sequence[str], votes: Sequence[float], ids: Sequence[int], *,
    threads: int = 1, years: Sequence[int] | None = None,
) -> SemanticIndex:
    """The :class:`SemanticIndex` of a built catalog (arrays in ``catalog_dir/semantic``),
    with its own encoder reading the model's table from that folder (see
    :class:`filmoteca.encoder.Encoder`; BLAS limited to ``threads`` for the whole process,
    as a server wants). ``titles``, ``votes`` and ``ids`` are the served
    catalog's columns in film-position order: :class:`ValueError` if the arrays were built
    for other films (another build), :class:`OSError` if they are missing."""
    folder = Path(catalog_dir) / SEMANTIC_DIR
    built_ids = np.load(folder / IDS)
    served = np.asarray(ids, dtype=np.int64)
    if built_ids.shape != served.shape or not np.array_equal(built_ids, served):
        raise ValueError(f"the arrays in {folder} were built for other films")
    encoder = Encoder(threads=threads, table_path=folder / table_file_name(),
                      process_blas_limit=True)
    return SemanticIndex(folder, titles, votes, encoder=encoder, years=years)
