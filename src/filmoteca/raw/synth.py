"""Synthetic raw files in the exact Kaggle format, resampled from the embedded real sample.

Owns: ``filmoteca synth``, i.e. writing a directory of raw files (``movies_metadata.csv``,
``credits.csv``, ``keywords.csv``, ``links.csv``, ``links_small.csv``, ``ratings_small.csv``
and the ``SYNTHETIC.md`` marker) for any number of films, deterministic from a seed, so
that builds can be measured at full scale (45,466 films) and beyond (450,000).

How the files are made:

- ``movies_metadata.csv``: the first rows are the real sample rows, unchanged. Every further
  row resamples a real row: new unique id (above every real id), varied title, jittered
  numbers and release date, the source's nested Python-literal cells (so collections, genres
  and companies keep several members). Like the real file, about 3 rows per 45,466 are
  malformed (fields shifted so that ``id`` holds a date) and about 30 ids appear twice.
- ``credits.csv``: one row per distinct valid id, in the movies order, as heavy as the real
  file (about 4 KB per row, the longest over 100 KB). Directors are real (the film's own for
  real rows, the source film's or one from the real director pool for resampled rows); cast
  and the other crew members are made-up people whose names recombine real directors' first
  and last names, drawn with a Zipf-like popularity.
- ``keywords.csv``: the source film's real keywords cell (``[]`` when it has none).
- ``links.csv``, ``links_small.csv``, ``ratings_small.csv``: the real files, copied unchanged.

Output is written to a temporary directory next to ``out_dir`` and renamed into place at the
end, so a failure never leaves half-written files.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import functools
import gzip
import io
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from filmoteca.config import get_settings
from filmoteca.raw.files import SYNTHETIC_MARKER

# --- input and output file names -------------------------------------------------------------

SAMPLE_MOVIES = "movies_dataset_sample.csv.gz"
SAMPLE_CREDITS = "credits_sample.csv.gz"
SAMPLE_KEYWORDS = "keywords.csv.gz"
SAMPLE_DIRECTORS = "directors_derived.csv.gz"
#: Real files copied unchanged: (name in the sample dir, name in the output without .gz).
COPIED_FILES = (
    ("links.csv.gz", "links.csv"),
    ("links_small.csv.gz", "links_small.csv"),
    ("ratings_small.csv.gz", "ratings_small.csv"),
)
OUT_MOVIES = "movies_metadata.csv"
OUT_CREDITS = "credits.csv"
OUT_KEYWORDS = "keywords.csv"

# --- proportions of the real full file --------------------------------------------------------

FULL_FILMS = 45_466
FULL_MALFORMED = 3
FULL_DUPLICATES = 30
#: From this many films on, at least one malformed row is injected.
MALFORMED_FROM = 1_000
#: A malformed row holds the source row's fields from this index on (overview first), so
#: the source's release_date (index 14) lands in the id column (index 5).
MALFORMED_SHIFT = 9

# --- generation knobs ---------------------------------------------------------------------------

#: Films generated per batch (fixed: the random stream, hence the output, depends on it).
CHUNK = 1_000
PROGRESS_EVERY = 5_000
#: Gzip level of ``compress=True`` output (6: gzip's default, a fair speed/size balance).
GZIP_LEVEL = 6
#: Share of resampled films that keep the source title unchanged (shared titles).
SAME_TITLE_SHARE = 0.08
#: Share of resampled films whose director(s) are the source film's own.
SOURCE_DIRECTOR_SHARE = 0.85
#: Share of films whose (first) director is also credited for the screenplay.
DIRECTOR_WRITES_SHARE = 0.2
#: Share of films whose crew list starts with the director(s) (else: a random position).
DIRECTOR_FIRST_SHARE = 0.6
#: Lognormal sizes of the cast and of the non-director crew (median, sigma, cap, zero share).
CAST_MEDIAN, CAST_SIGMA, CAST_CAP, CAST_EMPTY = 7.2, 1.1, 320, 0.05
CREW_MEDIAN, CREW_SIGMA, CREW_CAP, CREW_EMPTY = 4.2, 1.2, 440, 0.02
#: How much cast and crew sizes share a per-film "production size" (the rest is noise), and
#: how much that size follows the film's vote count: big films have big cast and crew.
SIZE_SHARED, SIZE_FROM_VOTES = 0.95, 0.6
#: Zipf-like popularity of made-up people: weight of rank k is 1 / (k + ZIPF_OFFSET).
ZIPF_OFFSET = 500
PEOPLE_PER_FILM = 4
PEOPLE_MIN, PEOPLE_MAX = 20_000, 400_000
#: Made-up people's TMDB-like ids are drawn below this bound, avoiding real director ids.
PERSON_ID_BOUND = 2_500_000
#: Earliest and latest release dates of the real file.
DATE_MIN, DATE_MAX = np.datetime64("1874-12-09"), np.datetime64("2020-12-16")

TITLE_ADJECTIVES = (
    "Lost", "Last", "Dark", "Silent", "Golden", "Broken", "Hidden", "Endless", "Wild",
    "Secret", "Burning", "Frozen", "Midnight", "Crimson", "Distant", "Final", "First",
    "Forgotten", "Little", "Long", "Northern", "Quiet", "Restless", "Savage", "Second",
    "Shattered", "Southern", "Strange", "Sweet", "Twisted", "Velvet", "Wandering", "Winter",
    "Young", "Eternal", "Fallen", "Bitter", "Blue", "Iron", "Paper",
)
TITLE_NOUNS = (
    "Road", "Harbor", "Summer", "Promise", "Kingdom", "Legacy", "Night", "River", "Storm",
    "Return", "Reckoning", "Journey", "Dream", "Garden", "Heart", "Horizon", "House", "Island",
    "Letter", "Machine", "Memory", "Mountain", "Ocean", "Origin", "Path", "Revenge", "Rising",
    "Shadow", "Sky", "Song", "Station", "Stranger", "Tale", "Territory", "Voyage", "War",
    "Wedding", "Witness", "Years", "Frontier",
)
CHARACTER_ROLES = (
    "Himself", "Herself", "Narrator", "Doctor", "Nurse", "Police Officer", "Detective",
    "Bartender", "Waitress", "Reporter", "Mother", "Father", "Priest", "Soldier", "Guard",
    "Teacher", "Student", "Taxi Driver", "Shopkeeper", "Receptionist", "Lawyer", "Judge",
    "Sheriff", "Bandit", "Pilot", "Scientist", "Girl", "Boy", "Old Man", "Old Woman",
    "Man in Bar", "Woman at Party", "Party Guest", "Dancer", "Singer", "Thug", "Henchman",
    "Agent", "Captain", "Colonel", "Mayor", "The Stranger", "Uncle", "Aunt", "Grandmother",
)
#: Non-director crew jobs: (department, job, relative frequency), as in the real credits.
CREW_JOBS = (
    ("Production", "Producer", 16),
    ("Production", "Executive Producer", 9),
    ("Writing", "Screenplay", 9),
    ("Writing", "Writer", 6),
    ("Writing", "Novel", 2),
    ("Editing", "Editor", 8),
    ("Sound", "Original Music Composer", 7),
    ("Camera", "Director of Photography", 8),
    ("Production", "Casting", 5),
    ("Art", "Production Design", 4),
    ("Art", "Art Direction", 4),
    ("Art", "Set Decoration", 3),
    ("Costume & Make-Up", "Costume Design", 4),
    ("Costume & Make-Up", "Makeup Artist", 2),
    ("Sound", "Sound Editor", 2),
    ("Sound", "Music", 1),
    ("Visual Effects", "Visual Effects Supervisor", 2),
    ("Crew", "Stunts", 2),
    ("Lighting", "Gaffer", 1),
    ("Directing", "Script Supervisor", 1),
    ("Directing", "Assistant Director", 1),
    ("Production", "Associate Producer", 2),
)
_PATH_ALPHABET = np.frombuffer(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8
)

# Row kinds of the movies file.
_REAL, _SYNTH, _DUPLICATE, _MALFORMED = 0, 1, 2, 3

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SynthSummary:
    out_dir: Path
    films: int  # rows written to movies_metadata.csv (incl. malformed + duplicate rows)
    malformed_rows: int
    duplicate_ids: int
    credits_rows: int
    credits_bytes: int  # uncompressed size of credits.csv


# --- reading the embedded sample ----------------------------------------------------------------


@dataclass
class _Sample:
    header: list[str]
    rows: list[list[str]]
    #: Director pool indices of each real row's film (credits_sample order kept).
    row_directors: list[list[int]]
    #: Keywords cell of each real row's film ("[]" when it has none).
    row_keywords: list[str]
    #: Director pool: id, name, and for each derived (director, film) pair its pool index.
    director_ids: list[int]
    director_names: list[str]
    pair_directors: IntArray


def _read_csv_gz(path: Path) -> Iterator[list[str]]:
    if not path.is_file():
        raise FileNotFoundError(f"embedded sample file not found: {path}")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle)


def _load_sample(sample_dir: Path) -> _Sample:
    """The parsed sample, cached while its files are unchanged (it is only read, never
    modified, by the generator)."""
    stamps = []
    for name in (SAMPLE_MOVIES, SAMPLE_CREDITS, SAMPLE_KEYWORDS, SAMPLE_DIRECTORS):
        path = sample_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"embedded sample file not found: {path}")
        info = path.stat()
        stamps.append((info.st_mtime_ns, info.st_size))
    return _parse_sample(sample_dir.resolve(), tuple(stamps))


@functools.lru_cache(maxsize=2)
def _parse_sample(sample_dir: Path, _stamps: tuple[tuple[int, int], ...]) -> _Sample:
    movies = _read_csv_gz(sample_dir / SAMPLE_MOVIES)
    header = next(movies)
    rows = list(movies)
    id_col = header.index("id")
    ids = [row[id_col] for row in rows]

    # The director pool: every real director of the derived (director, film) table.
    pool_index: dict[int, int] = {}
    director_ids: list[int] = []
    director_names: list[str] = []
    pairs: list[int] = []
    derived = _read_csv_gz(sample_dir / SAMPLE_DIRECTORS)
    next(derived)
    for director_id, name, _film in derived:
        key = int(director_id)
        if key not in pool_index:
            pool_index[key] = len(director_ids)
            director_ids.append(key)
            director_names.append(name)
        pairs.append(pool_index[key])

    # Each real film's directors, from the credits sample (crew holds only directors).
    film_directors: dict[str, list[int]] = {}
    credits = _read_csv_gz(sample_dir / SAMPLE_CREDITS)
    credits_header = next(credits)
    crew_col, cid_col = credits_header.index("crew"), credits_header.index("id")
    for record in credits:
        indices = []
        for person in ast.literal_eval(record[crew_col]):
            if person.get("job") != "Director":
                continue
            key = int(person["id"])
            if key not in pool_index:
                pool_index[key] = len(director_ids)
                director_ids.append(key)
                director_names.append(str(person["name"]))
            indices.append(pool_index[key])
        film_directors.setdefault(record[cid_col], indices)

    wanted = set(ids)
    film_keywords: dict[str, str] = {}
    keywords = _read_csv_gz(sample_dir / SAMPLE_KEYWORDS)
    next(keywords)
    for film, cell in keywords:
        if film in wanted and film not in film_keywords:
            film_keywords[film] = cell

    return _Sample(
        header=header,
        rows=rows,
        row_directors=[film_directors.get(film, []) for film in ids],
        row_keywords=[film_keywords.get(film, "[]") for film in ids],
        director_ids=director_ids,
        director_names=director_names,
        pair_directors=np.asarray(pairs, dtype=np.int64),
    )


# --- made-up people -------------------------------------------------------------------------------


def _profile_paths(rng: np.random.Generator, count: int, none_share: FloatArray) -> list[str]:
    """Rendered ``profile_path`` values: ``'/<27 chars>.jpg'`` or ``None``."""
    letters = _PATH_ALPHABET[rng.integers(0, len(_PATH_ALPHABET), size=(count, 27))]
    stems = letters.view("S27").ravel()
    missing = rng.random(count) < none_share
    return [
        "None" if absent else f"'/{stem.decode()}.jpg'"
        for stem, absent in zip(stems.tolist(), missing.tolist(), strict=True)
    ]


@dataclass
class _People:
    """Pre-rendered fragments of each person: ``'gender': g, 'id': i, ``, repr(name), path."""

    gender_id: list[str]
    name: list[str]
    profile: list[str]


def _render_people(
    rng: np.random.Generator, ids: IntArray, names: list[str], rank_share: FloatArray
) -> _People:
    """Gender and portrait are known more often for popular people (low ``rank_share``)."""
    count = len(ids)
    unknown = rng.random(count) < 0.1 + 0.5 * rank_share
    female = rng.random(count) < 0.4
    gender = np.where(unknown, 0, np.where(female, 1, 2))
    return _People(
        gender_id=[
            f"'gender': {g}, 'id': {i}, "
            for g, i in zip(gender.tolist(), ids.tolist(), strict=True)
        ],
        name=[repr(name) for name in names],
        profile=_profile_paths(rng, count, 0.15 + 0.6 * rank_share),
    )


def _name_parts(names: list[str]) -> tuple[list[str], list[int], list[str]]:
    """Given names (with their frequency) and surnames of the real directors."""
    given: Counter[str] = Counter()
    surnames: set[str] = set()
    for name in names:
        parts = name.split()
        if len(parts) >= 2:
            given[parts[0]] += 1
            surnames.add(parts[-1])
    given_names = sorted(given)
    return given_names, [given[g] for g in given_names], sorted(surnames)


def _make_people(
    rng: np.random.Generator, count: int, sample: _Sample
) -> tuple[_People, FloatArray, list[str]]:
    """A pool of made-up people, their Zipf cumulative weights, and character names."""
    given, given_weight, surnames = _name_parts(sample.director_names)
    weight = np.asarray(given_weight, dtype=np.float64)
    first = rng.choice(len(given), size=count, p=weight / weight.sum())
    last = rng.integers(0, len(surnames), size=count)
    names = [
        f"{given[f]} {surnames[s]}" for f, s in zip(first.tolist(), last.tolist(), strict=True)
    ]

    taken = np.asarray(sample.director_ids, dtype=np.int64)
    candidates = rng.choice(PERSON_ID_BOUND, size=count + len(taken), replace=False) + 1
    ids = candidates[~np.isin(candidates, taken)][:count].astype(np.int64)
    rank_share = np.arange(count, dtype=np.float64) / count
    people = _render_people(rng, ids, names, rank_share)

    zipf = 1.0 / (np.arange(count, dtype=np.float64) + ZIPF_OFFSET)
    cdf = np.cumsum(zipf)
    cdf /= cdf[-1]

    characters: list[str] = []
    for _ in range(3_000):
        roll = rng.random()
        if roll < 0.04:
            text = ""
        elif roll < 0.3:
            text = CHARACTER_ROLES[rng.integers(len(CHARACTER_ROLES))]
        elif roll < 0.6:
            text = given[rng.integers(len(given))]
        else:
            text = f"{given[rng.integers(len(given))]} {surnames[rng.integers(len(surnames))]}"
        suffix = rng.random()
        if text and suffix < 0.05:
            text += " (voice)"
        elif text and suffix < 0.1:
            text += " (uncredited)"
        characters.append(repr(text))
    return people, cdf, characters


# --- the plan: what each movies row is ------------------------------------------------------------


@dataclass
class _Plan:
    kind: npt.NDArray[np.int8]
    #: REAL: real row index; SYNTH: synthetic index; DUPLICATE: earlier position; MALFORMED:
    #: real row index of the source.
    ref: IntArray
    n_real: int
    n_synth: int
    malformed: int
    duplicates: int


def _duplicates_within(ids: list[str]) -> int:
    return len(ids) - len(set(ids))


def _plan_rows(rng: np.random.Generator, films: int, sample: _Sample) -> _Plan:
    id_col = sample.header.index("id")
    date_col = sample.header.index("release_date")
    n_malformed = 0
    if films >= MALFORMED_FROM:
        n_malformed = max(1, round(films * FULL_MALFORMED / FULL_FILMS))
    n_duplicates = round(films * FULL_DUPLICATES / FULL_FILMS)
    n_real = min(len(sample.rows), films - n_malformed - n_duplicates)
    real_ids = [row[id_col] for row in sample.rows[:n_real]]
    real_duplicates = _duplicates_within(real_ids)
    n_injected = max(0, n_duplicates - real_duplicates)
    n_synth = films - n_real - n_malformed - n_injected

    tail = np.concatenate([
        np.full(n_synth, _SYNTH, dtype=np.int8),
        np.full(n_injected, _DUPLICATE, dtype=np.int8),
        np.full(n_malformed, _MALFORMED, dtype=np.int8),
    ])
    kind = np.concatenate([np.full(n_real, _REAL, dtype=np.int8), rng.permutation(tail)])
    ref = np.zeros(films, dtype=np.int64)
    ref[:n_real] = np.arange(n_real)
    synth_at = np.flatnonzero(kind == _SYNTH)
    ref[synth_at] = np.arange(len(synth_at))

    # Malformed rows: real rows with distinct, non-empty release dates.
    if n_malformed:
        first_of_date: dict[str, int] = {}
        for index, row in enumerate(sample.rows):
            if row[date_col]:
                first_of_date.setdefault(row[date_col], index)
        candidates = np.fromiter(first_of_date.values(), dtype=np.int64)
        ref[kind == _MALFORMED] = rng.choice(candidates, size=n_malformed, replace=False)

    # Duplicates repeat an earlier row that is the first occurrence of its id.
    seen: set[str] = set()
    first = np.zeros(films, dtype=bool)
    for index, film in enumerate(real_ids):
        first[index] = film not in seen
        seen.add(film)
    first[synth_at] = True
    first_positions = np.flatnonzero(first)
    for position in np.flatnonzero(kind == _DUPLICATE).tolist():
        earlier = int(np.searchsorted(first_positions, position))
        ref[position] = first_positions[rng.integers(earlier)]

    return _Plan(
        kind=kind,
        ref=ref,
        n_real=n_real,
        n_synth=n_synth,
        malformed=n_malformed,
        duplicates=real_duplicates + n_injected,
    )


# --- resampled movies rows ------------------------------------------------------------------------


def _numbers(rows: list[list[str]], col: int) -> FloatArray:
    return np.asarray([float(row[col]) if row[col] else np.nan for row in rows], dtype=np.float64)


def _format_popularity(value: float) -> str:
    text = f"{value:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


class _SynthMovies:
    """Every resampled row's values, drawn at once; rows are rendered on demand."""

    def __init__(self, rng: np.random.Generator, count: int, sample: _Sample) -> None:
        header, rows = sample.header, sample.rows
        self.col = {name: header.index(name) for name in header}
        self.rows = rows
        n = count
        self.src = rng.integers(0, len(rows), size=n)
        src = self.src

        first_new = max(int(row[self.col["id"]]) for row in rows) + 1
        self.ids = rng.permutation(first_new + np.cumsum(rng.integers(1, 4, size=n)))
        self.imdb = 8_000_000 + rng.permutation(n)

        self.same_title = rng.random(n) < SAME_TITLE_SHARE
        self.adjective = rng.integers(0, len(TITLE_ADJECTIVES), size=n)
        self.noun = rng.integers(0, len(TITLE_NOUNS), size=n)

        def jitter(name: str, sigma: float) -> FloatArray:
            base = _numbers(rows, self.col[name])[src]
            return base * rng.lognormal(0.0, sigma, size=n)

        budget = jitter("budget", 0.3)
        digits = np.floor(np.log10(np.maximum(budget, 1.0)))
        scale = np.where(budget >= 1_000, 10 ** np.maximum(digits - 1, 0), 1.0)
        self.budget = (np.round(budget / scale) * scale).astype(np.int64)
        self.revenue = np.round(jitter("revenue", 0.3)).astype(np.int64)
        self.popularity = jitter("popularity", 0.4)
        self.popularity[(self.popularity > 0) & (self.popularity < 1e-6)] = 1e-6

        runtime = _numbers(rows, self.col["runtime"])[src]
        shifted = np.maximum(runtime + rng.integers(-8, 9, size=n), 1.0)
        self.runtime = np.where(runtime > 0, shifted, runtime)

        counts = _numbers(rows, self.col["vote_count"])[src]
        votes = np.maximum(np.round(counts * rng.lognormal(0.0, 0.5, size=n)), 1.0)
        self.vote_count = np.where(counts > 0, votes, 0.0).astype(np.int64)
        average = _numbers(rows, self.col["vote_average"])[src]
        moved = np.clip(np.round(average + rng.normal(0.0, 0.4, size=n), 1), 0.0, 10.0)
        self.vote_average = np.where((counts > 0) & (average > 0), moved, np.nan)

        dates = np.asarray(
            [row[self.col["release_date"]] or "NaT" for row in rows], dtype="datetime64[D]"
        )[src]
        dates = np.clip(dates + rng.integers(-3650, 3651, size=n), DATE_MIN, DATE_MAX)
        self.dates = np.datetime_as_string(dates, unit="D")

        self.own_directors = rng.random(n) < SOURCE_DIRECTOR_SHARE
        self.other_director = sample.pair_directors[
            rng.integers(0, len(sample.pair_directors), size=n)
        ]

    def row(self, j: int) -> list[str]:
        col = self.col
        fields = list(self.rows[self.src[j]])
        fields[col["id"]] = str(self.ids[j])
        if fields[col["imdb_id"]]:
            fields[col["imdb_id"]] = f"tt{self.imdb[j]:07d}"
        if not self.same_title[j]:
            suffix = f": {TITLE_ADJECTIVES[self.adjective[j]]} {TITLE_NOUNS[self.noun[j]]}"
            title, original = fields[col["title"]], fields[col["original_title"]]
            fields[col["title"]] = title + suffix
            fields[col["original_title"]] = (title if original == title else original) + suffix
        if fields[col["budget"]] != "0":
            fields[col["budget"]] = str(self.budget[j])
        if fields[col["revenue"]] not in ("", "0"):
            fields[col["revenue"]] = str(self.revenue[j])
        if self.popularity[j] > 0:
            fields[col["popularity"]] = _format_popularity(float(self.popularity[j]))
        if self.runtime[j] > 0:
            fields[col["runtime"]] = f"{self.runtime[j]:.1f}"
        if fields[col["vote_count"]] not in ("", "0"):
            fields[col["vote_count"]] = str(self.vote_count[j])
        if not np.isnan(self.vote_average[j]):
            fields[col["vote_average"]] = f"{self.vote_average[j]:.1f}"
        if fields[col["release_date"]]:
            fields[col["release_date"]] = str(self.dates[j])
        return fields

    def directors(self, j: int, sample: _Sample) -> list[int]:
        if self.own_directors[j]:
            return sample.row_directors[self.src[j]]
        return [int(self.other_director[j])]


# --- credits --------------------------------------------------------------------------------------


def _lognormal_sizes(
    rng: np.random.Generator, size_z: FloatArray, median: float, sigma: float, cap: int,
    empty: float,
) -> IntArray:
    own = rng.standard_normal(len(size_z))
    mixed = SIZE_SHARED * size_z + np.sqrt(1.0 - SIZE_SHARED**2) * own
    sizes = np.round(median * np.exp(sigma * mixed))
    sizes[rng.random(len(size_z)) < empty] = 0
    return np.clip(sizes, 0, cap).astype(np.int64)


class _CreditsMaker:
    """Renders credits cells for a batch of films, in the real ``credits.csv`` format."""

    def __init__(self, rng: np.random.Generator, films: int, sample: _Sample) -> None:
        self.rng = rng
        count = int(np.clip(films * PEOPLE_PER_FILM, PEOPLE_MIN, PEOPLE_MAX))
        self.people, self.cdf, self.characters = _make_people(rng, count, sample)
        self.crew_order = rng.permutation(count)  # crew popularity differs from cast's
        directors = len(sample.director_ids)
        self.directors = _render_people(
            rng,
            np.asarray(sample.director_ids, dtype=np.int64),
            sample.director_names,
            rng.random(directors) * 0.6,
        )
        weights = np.asarray([w for _, _, w in CREW_JOBS], dtype=np.float64)
        self.job_cdf = np.cumsum(weights) / weights.sum()
        self.jobs = [(repr(dep), repr(job)) for dep, job, _ in CREW_JOBS]
        votes = _numbers(sample.rows, sample.header.index("vote_count"))
        logs = np.log1p(np.nan_to_num(votes))
        self.vote_mean, self.vote_std = float(logs.mean()), float(logs.std())

    def batch(self, votes: IntArray, film_directors: list[list[int]]) -> list[tuple[str, str]]:
        """(cast cell, crew cell) of each film of a batch."""
        rng, people, chars = self.rng, self.people, self.characters
        m = len(votes)
        size_z = SIZE_FROM_VOTES * (np.log1p(votes) - self.vote_mean) / self.vote_std
        size_z += np.sqrt(1.0 - SIZE_FROM_VOTES**2) * rng.standard_normal(m)
        n_cast = _lognormal_sizes(rng, size_z, CAST_MEDIAN, CAST_SIGMA, CAST_CAP, CAST_EMPTY)
        n_crew = _lognormal_sizes(rng, size_z, CREW_MEDIAN, CREW_SIGMA, CREW_CAP, CREW_EMPTY)
        total_cast, total_crew = int(n_cast.sum()), int(n_crew.sum())
        total_directors = sum(len(d) for d in film_directors)

        cast_starts = np.concatenate([[0], np.cumsum(n_cast)])
        actor = np.searchsorted(self.cdf, rng.random(total_cast)).tolist()
        character = rng.integers(0, len(chars), size=total_cast).tolist()
        gaps = 1 + (rng.random(total_cast) < 0.15) * rng.integers(1, 6, size=total_cast)
        steps = np.concatenate([[0], np.cumsum(gaps)])
        first_cast_id = rng.integers(0, 30, size=m)
        cast_id = (
            np.repeat(first_cast_id - steps[cast_starts[:-1]] - 1, n_cast) + steps[1:]
        ).tolist()
        order = (np.arange(total_cast) - np.repeat(cast_starts[:-1], n_cast)).tolist()

        crew_starts = np.concatenate([[0], np.cumsum(n_crew)]).tolist()
        member = self.crew_order[np.searchsorted(self.cdf, rng.random(total_crew))].tolist()
        job = np.searchsorted(self.job_cdf, rng.random(total_crew)).tolist()
        director_first = (rng.random(m) < DIRECTOR_FIRST_SHARE).tolist()
        director_at = rng.integers(0, n_crew + 1).tolist()
        director_writes = (rng.random(m) < DIRECTOR_WRITES_SHARE).tolist()

        hex_ids = rng.bytes(12 * (total_cast + total_crew + 2 * total_directors + m)).hex()
        next_hex = 0

        cells: list[tuple[str, str]] = []
        starts = cast_starts.tolist()
        for f in range(m):
            cast: list[str] = []
            for k in range(starts[f], starts[f + 1]):
                a = actor[k]
                cast.append(
                    f"{{'cast_id': {cast_id[k]}, 'character': {chars[character[k]]}, "
                    f"'credit_id': '{hex_ids[next_hex:next_hex + 24]}', {people.gender_id[a]}"
                    f"'name': {people.name[a]}, 'order': {order[k]}, "
                    f"'profile_path': {people.profile[a]}}}"
                )
                next_hex += 24
            crew: list[str] = []
            for k in range(crew_starts[f], crew_starts[f + 1]):
                p = member[k]
                department, title = self.jobs[job[k]]
                crew.append(
                    f"{{'credit_id': '{hex_ids[next_hex:next_hex + 24]}', "
                    f"'department': {department}, {people.gender_id[p]}'job': {title}, "
                    f"'name': {people.name[p]}, 'profile_path': {people.profile[p]}}}"
                )
                next_hex += 24
            directing: list[str] = []
            for d in film_directors[f]:
                directing.append(self._director(d, hex_ids[next_hex:next_hex + 24]))
                next_hex += 24
            if directing and director_writes[f]:
                crew.append(self._director(film_directors[f][0], hex_ids[next_hex:next_hex + 24],
                                           "'Writing'", "'Screenplay'"))
                next_hex += 24
            at = 0 if director_first[f] else min(director_at[f], len(crew))
            crew[at:at] = directing
            cast_cell = "[" + ", ".join(cast) + "]"
            cells.append((cast_cell, "[" + ", ".join(crew) + "]"))
        return cells

    def _director(
        self, d: int, credit_id: str, department: str = "'Directing'", job: str = "'Director'"
    ) -> str:
        people = self.directors
        return (
            f"{{'credit_id': '{credit_id}', 'department': {department}, "
            f"{people.gender_id[d]}'job': {job}, 'name': {people.name[d]}, "
            f"'profile_path': {people.profile[d]}}}"
        )


# --- writing -------------------------------------------------------------------------------------


class _CsvOut:
    """A CSV file written in batches (QUOTE_MINIMAL, ``\\n``), plain or gzip, counting the
    uncompressed bytes. Gzip output is reproducible (no name, no time in its header)."""

    def __init__(self, path: Path, compress: bool) -> None:
        self._raw: io.BufferedIOBase = open(path, "wb")  # noqa: SIM115 (closed in close())
        self._out: io.BufferedIOBase = self._raw
        if compress:
            self._out = gzip.GzipFile(
                filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=GZIP_LEVEL
            )
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")
        self.bytes = 0

    def __enter__(self) -> _CsvOut:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def rows(self, rows: Iterable[Sequence[str]]) -> None:
        self._writer.writerows(rows)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        self.text(text)

    def text(self, text: str) -> None:
        """Write already formatted CSV text."""
        data = text.encode("utf-8")
        self._out.write(data)
        self.bytes += len(data)

    def close(self) -> None:
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()


def _quote(cell: str) -> str:
    """A one-line cell as ``csv.writer`` (QUOTE_MINIMAL) writes it; several times faster
    on the long credits cells."""
    if "," in cell or '"' in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _credits_text(cells: list[tuple[str, str]], film_ids: list[str]) -> str:
    lines = []
    for (cast, crew), film in zip(cells, film_ids, strict=True):
        if "\n" in cast or "\r" in cast or "\n" in crew or "\r" in crew:  # never, in fact
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow([cast, crew, film])
            lines.append(buffer.getvalue())
        else:
            lines.append(f"{_quote(cast)},{_quote(crew)},{film}\n")
    return "".join(lines)


def _copy_real(source: Path, target: Path, compress: bool) -> None:
    if not source.is_file():
        raise FileNotFoundError(f"embedded sample file not found: {source}")
    if compress:
        shutil.copyfile(source, target)
    else:
        with gzip.open(source, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def _marker_text(films: int, seed: int, plan: _Plan, credits_rows: int, compress: bool) -> str:
    gzip_flag = " --gzip" if compress else ""
    return f"""# SYNTHETIC raw files: not the real Kaggle dataset

These files were generated by `filmoteca synth --films {films} --seed {seed}{gzip_flag}`
(`filmoteca.raw.synth`) from the real embedded sample (`data/sample/`) of Kaggle's
*The Movies Dataset* (Rounak Banik, CC0 1.0). They have the exact format of the Kaggle
files and exist to measure builds at scale. Any figure computed from them must be labelled
**synthetic**.

- `movies_metadata.csv`: {films:,} rows. The first {plan.n_real:,} are real rows of the
  sample, unchanged; {plan.n_synth:,} rows resample real rows (new ids above every real
  id, varied titles, jittered budget, revenue, runtime, votes, popularity and release
  date; nested cells and overview copied from the source row); {plan.malformed} malformed
  row(s) (fields shifted so that `id` holds a date) and {plan.duplicates} duplicated id(s),
  in the proportions of the real file.
- `credits.csv`: {credits_rows:,} rows, one per distinct valid id. Directors are real
  (the film's own, or for resampled rows the source film's or one from the real director
  table); cast and other crew members are made-up people (names recombine real directors'
  first and last names), sized like the real file (about 4 KB per row on average).
- `keywords.csv`: the real keywords of each row's source film (`[]` when none).
- `links.csv`, `links_small.csv`, `ratings_small.csv`: the real files, copied unchanged.
  The ratings refer only to real films: resampled films have no ratings.
"""


def _ensure_replaceable(out_dir: Path) -> None:
    if out_dir.exists() and (
        not out_dir.is_dir()
        or (any(out_dir.iterdir()) and not (out_dir / SYNTHETIC_MARKER).exists())
    ):
        raise FileExistsError(
            f"{out_dir} exists and is not a synthetic data directory (no {SYNTHETIC_MARKER}); "
            "refusing to replace it: choose another --out"
        )


def _write_films(
    tmp: Path, plan: _Plan, sample: _Sample, synth: _SynthMovies, credits_maker: _CreditsMaker,
    compress: bool, progress: Callable[[int, int], None] | None,
) -> tuple[int, int]:
    """Write the movies, credits and keywords files in batches; return the number of credits
    rows and the uncompressed size of ``credits.csv``."""
    films = len(plan.kind)
    id_col = sample.header.index("id")
    votes_col = sample.header.index("vote_count")
    suffix = ".gz" if compress else ""
    kinds, refs = plan.kind.tolist(), plan.ref.tolist()
    seen_real: set[str] = set()
    credits_rows = 0
    with (
        _CsvOut(tmp / f"{OUT_MOVIES}{suffix}", compress) as movies_out,
        _CsvOut(tmp / f"{OUT_CREDITS}{suffix}", compress) as credits_out,
        _CsvOut(tmp / f"{OUT_KEYWORDS}{suffix}", compress) as keywords_out,
    ):
        movies_out.rows([sample.header])
        credits_out.rows([["cast", "crew", "id"]])
        keywords_out.rows([["id", "keywords"]])
        for start in range(0, films, CHUNK):
            rows: list[list[str]] = []
            film_ids: list[str] = []
            film_votes: list[int] = []
            film_directors: list[list[int]] = []
            film_keywords: list[str] = []
            for position in range(start, min(start + CHUNK, films)):
                kind, ref = kinds[position], refs[position]
                if kind == _REAL:
                    row = sample.rows[ref]
                    rows.append(row)
                    if row[id_col] in seen_real:  # the sample's own duplicated id
                        continue
                    seen_real.add(row[id_col])
                    film_directors.append(sample.row_directors[ref])
                    film_keywords.append(sample.row_keywords[ref])
                elif kind == _SYNTH:
                    row = synth.row(ref)
                    rows.append(row)
                    film_directors.append(synth.directors(ref, sample))
                    film_keywords.append(sample.row_keywords[synth.src[ref]])
                elif kind == _DUPLICATE:
                    earlier = refs[ref]
                    rows.append(
                        sample.rows[earlier] if kinds[ref] == _REAL else synth.row(earlier)
                    )
                    continue
                else:
                    rows.append(sample.rows[ref][MALFORMED_SHIFT:])
                    continue
                film_ids.append(row[id_col])
                film_votes.append(int(float(row[votes_col] or 0)))

            cells = credits_maker.batch(np.asarray(film_votes, dtype=np.int64), film_directors)
            movies_out.rows(rows)
            credits_out.text(_credits_text(cells, film_ids))
            keywords_out.rows(zip(film_ids, film_keywords, strict=True))
            credits_rows += len(film_ids)
            done = min(start + CHUNK, films)
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == films):
                progress(done, films)
    return credits_rows, credits_out.bytes


def synthesize(
    out_dir: Path,
    films: int,
    seed: int = 0,
    sample_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    compress: bool = False,
) -> SynthSummary:
    """Write synthetic raw files for ``films`` movies rows into ``out_dir``.

    Deterministic: the same ``films``, ``seed`` and sample give byte-identical files.
    ``progress(done, total)`` is called every 5,000 films and at the end. An existing
    ``out_dir`` is replaced only if it is empty or holds earlier synthetic files.
    """
    if films < 1:
        raise ValueError(f"films must be at least 1 (got {films})")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer (got {seed})")
    sample_dir = Path(sample_dir) if sample_dir is not None else get_settings().sample_dir
    out_dir = Path(out_dir)
    _ensure_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)

    sample = _load_sample(sample_dir)
    rng = np.random.default_rng(seed)
    plan = _plan_rows(rng, films, sample)
    synth = _SynthMovies(rng, plan.n_synth, sample)
    credits_maker = _CreditsMaker(rng, films, sample)

    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.synth-", dir=out_dir.parent))
    try:
        credits_rows, credits_bytes = _write_films(
            tmp, plan, sample, synth, credits_maker, compress, progress
        )
        suffix = ".gz" if compress else ""
        for source, target in COPIED_FILES:
            _copy_real(sample_dir / source, tmp / f"{target}{suffix}", compress)
        (tmp / SYNTHETIC_MARKER).write_text(
            _marker_text(films, seed, plan, credits_rows, compress), encoding="utf-8"
        )
        os.chmod(tmp, 0o755)  # mkdtemp makes it private
        _replace_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    return SynthSummary(
        out_dir=out_dir,
        films=films,
        malformed_rows=plan.malformed,
        duplicate_ids=plan.duplicates,
        credits_rows=credits_rows,
        credits_bytes=credits_bytes,
    )


def _replace_dir(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``, replacing an earlier (synthetic or empty) ``target``."""
    _ensure_replaceable(target)
    if not target.exists():
        os.replace(new, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
