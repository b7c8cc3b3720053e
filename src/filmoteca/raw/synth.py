"""Synthetic raw files in the Kaggle format, resampled from the embedded real sample.

Owns ``filmoteca synth``: a folder of raw files for any number of films, deterministic from a
seed, so that builds can be measured at full scale (45,466 films) and beyond (1,000,000).
Figures computed from it must be labelled *synthetic* (the folder holds ``SYNTHETIC.md``).

- ``movies_metadata.csv``: the real sample rows first, unchanged; every further row resamples
  a real row (new id above every real id, a varied title, jittered numbers and release date;
  nested Python-literal cells, overview and poster kept). As in the real file, about 3 rows per
  45,466 are malformed (fields shifted so that ``id`` holds a date) and about 30 repeat an
  earlier row's id; ``budget`` is text, some overviews span several lines.
- ``credits.csv``: one row per distinct valid id, in the movies order. Directors are real (the
  film's own, or for a resampled row its source's or another real director); cast and other
  crew are made-up people (real directors' given names and surnames recombined, Zipf-like
  popularity) in the real key order, about 4 KB per row, the largest rows well over 100 KB.
- ``keywords.csv``: the source film's real keywords; ``links*.csv``, ``ratings_small.csv``:
  the real files unchanged.

Files are written into a temporary folder renamed into place at the end: a failure leaves
nothing half-written.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import dataclasses
import functools
import gzip
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from filmoteca.config import get_settings
from filmoteca.raw.files import SYNTHETIC_MARKER

FULL_FILMS, FULL_MALFORMED, FULL_DUPLICATES = 45_466, 3, 30
MALFORMED_FROM = 1_000  # fewer films: no malformed row
SHIFT = 9  # a malformed row starts at its 10th field: release_date (14) lands in id (5)
CHUNK = 2_000  # films per batch (part of the output's definition: keep it fixed)
COPIED = ("links.csv", "links_small.csv", "ratings_small.csv")
# Cast and crew sizes: lognormal around a median, larger for films with more votes.
CAST_MEDIAN, CAST_SIGMA, CAST_CAP = 7.2, 1.1, 320
CREW_MEDIAN, CREW_SIGMA, CREW_CAP = 4.2, 1.2, 440
EMPTY_SHARE = 0.04  # films without cast (and, independently, without other crew)
DATES = np.datetime64("1874-12-09"), np.datetime64("2020-12-16")  # the real file's range
ADJECTIVES = ("Lost", "Last", "Dark", "Silent", "Golden", "Broken", "Hidden", "Endless",
              "Wild", "Secret", "Burning", "Frozen", "Midnight", "Crimson", "Distant", "Final",
              "Forgotten", "Little", "Northern", "Quiet", "Savage", "Strange", "Winter", "Blue")
NOUNS = ("Road", "Harbor", "Summer", "Promise", "Kingdom", "Legacy", "Night", "River", "Storm",
         "Return", "Journey", "Dream", "Garden", "Heart", "Horizon", "House", "Island", "Memory",
         "Mountain", "Ocean", "Shadow", "Song", "Stranger", "Voyage", "War", "Witness")
ROLES = ("Himself", "Herself", "Narrator", "Doctor", "Nurse", "Police Officer", "Detective",
         "Bartender", "Reporter", "Mother", "Father", "Priest", "Soldier", "Guard", "Teacher",
         "Taxi Driver", "Lawyer", "Judge", "Sheriff", "Pilot", "Girl", "Boy", "Old Man",
         "Party Guest", "Dancer", "Singer", "Thug", "Agent", "Captain", "Mayor", "The Stranger")
#: Other crew: (department, job, relative frequency).
JOBS = (("Production", "Producer", 16), ("Production", "Executive Producer", 9),
        ("Writing", "Screenplay", 9), ("Writing", "Writer", 6), ("Writing", "Novel", 2),
        ("Editing", "Editor", 8), ("Sound", "Original Music Composer", 7),
        ("Camera", "Director of Photography", 8), ("Production", "Casting", 5),
        ("Art", "Production Design", 4), ("Art", "Art Direction", 4),
        ("Art", "Set Decoration", 3), ("Costume & Make-Up", "Costume Design", 4),
        ("Costume & Make-Up", "Makeup Artist", 2), ("Sound", "Sound Editor", 2),
        ("Visual Effects", "Visual Effects Supervisor", 2), ("Crew", "Stunts", 2),
        ("Directing", "Script Supervisor", 1), ("Lighting", "Gaffer", 1))
ALPHABET = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                         dtype=np.uint8)


@dataclasses.dataclass(frozen=True)
class SynthSummary:
    out_dir: Path
    films: int  # rows of movies_metadata.csv, malformed and duplicated ones included
    malformed_rows: int
    duplicate_ids: int
    credits_rows: int
    credits_bytes: int  # uncompressed size of credits.csv


def _csv_gz(path: Path) -> Iterator[list[str]]:
    if not path.is_file():
        raise FileNotFoundError(f"embedded sample file not found: {path}")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle)


def _numbers(rows: list[list[str]], col: int) -> np.ndarray:
    return np.array([float(row[col]) if row[col] else np.nan for row in rows])


@functools.lru_cache(maxsize=1)
def _sample(folder: Path) -> _Sample:
    """The parsed sample, read once per process (it is only read, never modified)."""
    return _Sample(folder)


class _Sample:
    """The real sample: movies rows, each film's directors and keywords, the director pool."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        movies = _csv_gz(folder / "movies_dataset_sample.csv.gz")
        self.header = next(movies)
        self.rows = list(movies)
        self.col = {name: i for i, name in enumerate(self.header)}
        ids = [row[self.col["id"]] for row in self.rows]
        self.director_ids: list[int] = []
        self.director_names: list[str] = []
        pool: dict[int, int] = {}

        def director(key: int, name: str) -> int:
            if key not in pool:
                pool[key] = len(self.director_ids)
                self.director_ids.append(key)
                self.director_names.append(name)
            return pool[key]

        derived = _csv_gz(folder / "directors_derived.csv.gz")
        next(derived)
        # One entry per (director, film) pair: other directors drawn by number of films.
        self.pairs = np.array([director(int(key), name) for key, name, _film in derived])
        credits = _csv_gz(folder / "credits_sample.csv.gz")
        header = next(credits)
        crew_col, id_col = header.index("crew"), header.index("id")
        own: dict[str, list[int]] = {}
        for record in credits:
            own.setdefault(record[id_col], [
                director(int(p["id"]), str(p["name"]))
                for p in ast.literal_eval(record[crew_col]) if p.get("job") == "Director"
            ])
        keywords = _csv_gz(folder / "keywords.csv.gz")
        next(keywords)
        wanted, cells = set(ids), dict[str, str]()
        for film, cell in keywords:
            if film in wanted:
                cells.setdefault(film, cell or "[]")
        self.directors = [own.get(film, []) for film in ids]
        self.keywords = [cells.get(film, "[]") for film in ids]
        self.votes = np.nan_to_num(_numbers(self.rows, self.col["vote_count"]))
        self.dated = [i for i, row in enumerate(self.rows) if row[self.col["release_date"]]]
        first: dict[str, int] = {}
        self.repeats = {i for i, film in enumerate(ids) if first.setdefault(film, i) != i}


def _profile_paths(rng: np.random.Generator, count: int) -> list[str]:
    """Rendered ``profile_path`` values: ``'/<27 letters>.jpg'``, or ``None`` (40%)."""
    stems = ALPHABET[rng.integers(0, len(ALPHABET), size=(count, 27))].view("S27").ravel()
    missing = (rng.random(count) < 0.4).tolist()
    return ["None" if gone else f"'/{stem.decode()}.jpg'"
            for stem, gone in zip(stems.tolist(), missing, strict=True)]


def _genders(rng: np.random.Generator, count: int) -> list[int]:
    return rng.choice(3, size=count, p=[0.3, 0.25, 0.45]).tolist()  # unknown, female, male


def _zipf_cdf(count: int) -> np.ndarray:
    """Popularity of made-up people: the k-th most popular weighs 1 / (k + 500)."""
    cdf = np.cumsum(1.0 / (np.arange(count) + 500.0))
    return cdf / cdf[-1]


class _Credits:
    """Renders the cast and crew cells of a batch of films in the real ``credits.csv`` format:
    cast entries with 8 keys, crew entries with 7, in the real order, as Python literals."""

    def __init__(self, rng: np.random.Generator, films: int, sample: _Sample) -> None:
        self.rng, names = rng, sample.director_names
        given = sorted({n.split()[0] for n in names if " " in n})
        surnames = sorted({n.split()[-1] for n in names if " " in n})
        people = int(np.clip(2 * films, 5_000, 200_000))  # as many for the cast and the crew
        first = rng.integers(0, len(given), 2 * people).tolist()
        last = rng.integers(0, len(surnames), 2 * people).tolist()
        made_up = [f"{given[f]} {surnames[s]}" for f, s in zip(first, last, strict=True)]
        ids = (max(sample.director_ids) + 1 + rng.permutation(2 * people)).tolist()
        gender, path = _genders(rng, 2 * people), _profile_paths(rng, 2 * people)
        # Cast pool (first half): "'gender': g, 'id': i, 'name': n, " and the profile path.
        self.who = [f"'gender': {gender[p]}, 'id': {ids[p]}, 'name': {made_up[p]!r}, "
                    for p in range(people)]
        self.path = path[:people]
        # Crew pool (second half): each person keeps one job; the entry after its credit_id.
        weights = np.array([w for _, _, w in JOBS], dtype=float)
        job = rng.choice(len(JOBS), size=people, p=weights / weights.sum()).tolist()
        self.crew = [f"'department': {JOBS[j][0]!r}, 'gender': {gender[p]}, 'id': {ids[p]}, "
                     f"'job': {JOBS[j][1]!r}, 'name': {made_up[p]!r}, 'profile_path': {path[p]}}}"
                     for j, p in zip(job, range(people, 2 * people), strict=True)]
        self.cdf = _zipf_cdf(people)
        d_gender, d_path = _genders(rng, len(names)), _profile_paths(rng, len(names))
        self.director = [f"'department': 'Directing', 'gender': {g}, 'id': {i}, "
                         f"'job': 'Director', 'name': {n!r}, 'profile_path': {p}}}"
                         for g, i, n, p in zip(d_gender, sample.director_ids, names, d_path,
                                               strict=True)]
        # Characters: 4% empty, 31% a role ("Doctor"), the rest a made-up name.
        kind, role = rng.random(3_000).tolist(), rng.integers(0, len(ROLES), 3_000).tolist()
        self.characters = [repr("" if k < 0.04 else ROLES[r] if k < 0.35 else made_up[-1 - i])
                           for i, (k, r) in enumerate(zip(kind, role, strict=True))]
        logs = np.log1p(sample.votes)
        self.log_mean, self.log_std = float(logs.mean()), float(logs.std())

    def _sizes(self, z: np.ndarray, median: float, sigma: float, cap: int) -> np.ndarray:
        own = self.rng.standard_normal(len(z))
        sizes = np.round(median * np.exp(sigma * (0.95 * z + 0.31 * own)))
        sizes[self.rng.random(len(z)) < EMPTY_SHARE] = 0
        return np.clip(sizes, 0, cap).astype(np.int64)

    def cells(self, votes: np.ndarray, directors: list[list[int]]) -> Iterator[tuple[str, str]]:
        rng, m = self.rng, len(votes)
        z = 0.6 * (np.log1p(votes) - self.log_mean) / self.log_std
        z += 0.8 * rng.standard_normal(m)
        cast_sizes = self._sizes(z, CAST_MEDIAN, CAST_SIGMA, CAST_CAP)
        crew_sizes = self._sizes(z, CREW_MEDIAN, CREW_SIGMA, CREW_CAP)
        actors = np.searchsorted(self.cdf, rng.random(int(cast_sizes.sum()))).tolist()
        roles = rng.integers(0, len(self.characters), len(actors)).tolist()
        crew = np.searchsorted(self.cdf, rng.random(int(crew_sizes.sum()))).tolist()
        cast_base = rng.integers(0, 30, m).tolist()
        director_at = rng.integers(0, crew_sizes + 1).tolist()
        hex_ids = rng.bytes(12 * (len(actors) + len(crew) + sum(map(len, directors)))).hex()
        credit = [hex_ids[i:i + 24] for i in range(0, len(hex_ids), 24)]
        cast_credit, crew_credit = credit[:len(actors)], credit[len(actors):]
        directing_credit = crew_credit[len(crew):]
        who, path, chars, crew_tail, director = (self.who, self.path, self.characters,
                                                 self.crew, self.director)
        a = c = d = 0
        for n, n_crew, base, at, ours in zip(cast_sizes.tolist(), crew_sizes.tolist(), cast_base,
                                             director_at, directors, strict=True):
            cast = [f"{{'cast_id': {base + k}, 'character': {chars[r]}, 'credit_id': '{i}', "
                    f"{who[p]}'order': {k}, 'profile_path': {path[p]}}}"
                    for k, (p, r, i) in enumerate(zip(actors[a:a + n], roles[a:a + n],
                                                      cast_credit[a:a + n], strict=True))]
            members = [f"{{'credit_id': '{i}', {crew_tail[p]}"
                       for p, i in zip(crew[c:c + n_crew], crew_credit[c:c + n_crew], strict=True)]
            members[at:at] = [f"{{'credit_id': '{i}', {director[x]}"
                              for x, i in zip(ours, directing_credit[d:d + len(ours)], strict=True)]
            a, c, d = a + n, c + n_crew, d + len(ours)
            yield "[" + ", ".join(cast) + "]", "[" + ", ".join(members) + "]"


class _Movies:
    """Resampled movies rows (and their directors and keywords), drawn batch by batch for
    every position (the real and special rows simply do not use theirs)."""

    def __init__(self, rng: np.random.Generator, films: int, sample: _Sample) -> None:
        self.rng, self.sample = rng, sample
        rows, col = sample.rows, sample.col
        first = max(int(row[col["id"]]) for row in rows) + 1
        self.ids = first + rng.choice(3 * films, size=films, replace=False)
        self.num = {name: _numbers(rows, col[name]) for name in (
            "budget", "revenue", "popularity", "runtime", "vote_count", "vote_average")}
        self.dates = np.array([row[col["release_date"]] or "NaT" for row in rows],
                              dtype="datetime64[D]")

    def batch(self, start: int, m: int) -> Iterator[tuple[list[str], float, list[int], str]]:
        rng, sample, col, num = self.rng, self.sample, self.sample.col, self.num
        src = rng.integers(0, len(sample.rows), m)
        budget = num["budget"][src] * rng.lognormal(0.0, 0.3, m)
        budget = np.where(budget >= 1_000, np.round(budget, -3), np.round(budget))
        revenue = np.round(num["revenue"][src] * rng.lognormal(0.0, 0.3, m))
        popularity = num["popularity"][src] * rng.lognormal(0.0, 0.4, m)
        runtime = num["runtime"][src]
        runtime = np.where(runtime > 0, np.maximum(runtime + rng.integers(-8, 9, m), 1), runtime)
        votes = num["vote_count"][src]
        votes = np.where(votes > 0, np.maximum(np.round(votes * rng.lognormal(0, 0.5, m)), 1),
                         votes)
        average = num["vote_average"][src]
        average = np.where((votes > 0) & (average > 0), np.clip(np.round(
            average + rng.normal(0.0, 0.4, m), 1), 0, 10), average)
        shift = rng.integers(-3650, 3651, m).astype("timedelta64[D]")
        dates = np.clip(self.dates[src] + shift, *DATES)
        suffix = rng.integers(0, len(ADJECTIVES) * len(NOUNS), m)
        suffix[rng.random(m) < 0.08] = -1  # some keep the source's title: shared titles
        other = rng.random(m) < 0.15  # another real director than the source's
        pair = sample.pairs[rng.integers(0, len(sample.pairs), m)]

        def text(values: np.ndarray, fmt: str) -> list[str]:
            return ["" if v != v else format(v, fmt) for v in values.tolist()]  # NaN: empty

        columns = {"budget": text(budget, ".0f"), "revenue": text(revenue, ".0f"),
                   "popularity": text(popularity, ".6f"), "runtime": text(runtime, ".1f"),
                   "vote_count": text(votes, ".0f"), "vote_average": text(average, ".1f"),
                   "release_date": [d if d != "NaT" else ""
                                    for d in np.datetime_as_string(dates).tolist()]}
        for j, s in enumerate(src.tolist()):
            row = list(sample.rows[s])
            for name, values in columns.items():
                row[col[name]] = values[j]
            row[col["id"]] = str(self.ids[start + j])
            row[col["imdb_id"]] = f"tt{9_000_000 + start + j}" if row[col["imdb_id"]] else ""
            if suffix[j] >= 0:
                extra = f": {ADJECTIVES[suffix[j] // len(NOUNS)]} {NOUNS[suffix[j] % len(NOUNS)]}"
                row[col["title"]] += extra
                row[col["original_title"]] += extra
            director = [int(pair[j])] if other[j] else sample.directors[s]
            yield row, float(votes[j]), director, sample.keywords[s]


@contextlib.contextmanager
def _csv_out(path: Path, compress: bool, sizes: dict[str, int]) -> Iterator[Any]:
    """A text stream on a plain file or a reproducible gzip one (no name, no time); the
    uncompressed size goes to ``sizes``."""
    with open(path, "wb") as raw, contextlib.ExitStack() as stack:
        binary: Any = raw
        if compress:
            binary = stack.enter_context(gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                       mtime=0))
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        yield text
        text.flush()
        sizes[path.name.removesuffix(".gz")] = binary.tell()  # uncompressed, also for gzip
        text.detach()


def _quoted(cell: str) -> str:
    """A cell without line breaks (a Python repr has none) exactly as the csv module writes
    it (QUOTE_MINIMAL): the long credits cells go 10 times faster than through csv.writer."""
    return '"' + cell.replace('"', '""') + '"' if "," in cell or '"' in cell else cell


def _write(folder: Path, films: int, seed: int, sample: _Sample, compress: bool,
           progress: Callable[[int, int], None] | None) -> SynthSummary:
    rng = np.random.default_rng(seed)
    malformed = 0
    if films >= MALFORMED_FROM:
        malformed = max(1, round(films * FULL_MALFORMED / FULL_FILMS))
    wanted = round(films * FULL_DUPLICATES / FULL_FILMS)
    n_real = min(len(sample.rows), films - malformed - wanted)
    in_sample = sum(i < n_real for i in sample.repeats)
    injected = max(0, wanted - in_sample)
    # Malformed rows and repeats sit at random places after the real rows.
    special = (n_real + rng.choice(films - n_real, malformed + injected, replace=False)).tolist()
    kinds = dict.fromkeys(special[:malformed], "malformed")
    kinds.update(dict.fromkeys(special[malformed:], "duplicate"))
    shifted = iter(rng.choice(sample.dated, malformed, replace=False).tolist())
    movies = _Movies(rng, films, sample)
    credits = _Credits(rng, films, sample)
    gz, sizes = (".gz" if compress else ""), dict[str, int]()
    last: list[str] = []
    credits_rows = 0
    with (_csv_out(folder / f"movies_metadata.csv{gz}", compress, sizes) as movies_file,
          _csv_out(folder / f"credits.csv{gz}", compress, sizes) as credits_out,
          _csv_out(folder / f"keywords.csv{gz}", compress, sizes) as keywords_file):
        movies_out = csv.writer(movies_file, lineterminator="\n")  # as the real files
        keywords_out = csv.writer(keywords_file, lineterminator="\n")
        movies_out.writerow(sample.header)
        credits_out.write("cast,crew,id\n")
        keywords_out.writerow(["id", "keywords"])
        for start in range(0, films, CHUNK):
            end = min(start + CHUNK, films)
            rows, ids, votes, directors, keywords = [], [], [], [], []
            for position, drawn in enumerate(movies.batch(start, end - start), start):
                kind = kinds.get(position)
                if kind is not None:  # a malformed row, or a repeat of the row before
                    rows.append(sample.rows[next(shifted)][SHIFT:] if kind == "malformed"
                                else last)
                    continue
                if position < n_real:  # the real row itself
                    drawn = (sample.rows[position], sample.votes[position],
                             sample.directors[position], sample.keywords[position])
                row, vote, director, keyword = drawn
                rows.append(row)
                last = row
                if position in sample.repeats:  # one credits row per id
                    continue
                ids.append(row[sample.col["id"]])
                votes.append(vote)
                directors.append(director)
                keywords.append(keyword)
            movies_out.writerows(rows)
            cells = credits.cells(np.nan_to_num(np.array(votes, dtype=float)), directors)
            credits_out.write("".join(f"{_quoted(cast)},{_quoted(crew)},{film}\n"
                                      for (cast, crew), film in zip(cells, ids, strict=True)))
            keywords_out.writerows(zip(ids, keywords, strict=True))
            credits_rows += len(ids)
            if progress is not None:
                progress(end, films)
    for name in COPIED:
        source = sample.folder / f"{name}.gz"
        if not source.is_file():
            raise FileNotFoundError(f"embedded sample file not found: {source}")
        if compress:
            shutil.copyfile(source, folder / f"{name}.gz")
        else:
            with gzip.open(source, "rb") as src, open(folder / name, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    return SynthSummary(folder, films, malformed, in_sample + injected, credits_rows,
                        sizes["credits.csv"])


MARKER = """# SYNTHETIC raw files: not the real Kaggle dataset

Generated by `filmoteca synth --films {films} --seed {seed}{gzip}` (`filmoteca.raw.synth`)
from the real embedded sample (`src/filmoteca/sample/`) of Kaggle's *The Movies Dataset* (CC0 1.0),
in the format of the Kaggle files, to measure builds at scale: {films:,} movies rows (real
sample rows first, then rows resampled from them; {malformed} malformed, {duplicates} repeated
ids), {credits:,} credits rows (real directors, made-up cast and crew), the source films' real
keywords, the real links and ratings (of real films only). Any figure computed from these
files must be labelled **synthetic**.
"""


def _replaceable(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or (
            any(out_dir.iterdir()) and not (out_dir / SYNTHETIC_MARKER).exists())):
        raise FileExistsError(
            f"{out_dir} exists and is not a synthetic data directory (no {SYNTHETIC_MARKER}); "
            "refusing to replace it: choose another --out")


def synthesize(out_dir: Path, films: int, seed: int = 0, sample_dir: Path | None = None,
               progress: Callable[[int, int], None] | None = None,
               compress: bool = False) -> SynthSummary:
    """Write synthetic raw files for ``films`` movies rows into ``out_dir``.

    The same ``films``, ``seed`` and sample give byte-identical files. ``progress(done,
    total)`` is called after each batch of films. An existing ``out_dir`` is replaced only
    if it is empty or holds earlier synthetic files.
    """
    if films < 1:
        raise ValueError(f"films must be at least 1 (got {films})")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer (got {seed})")
    out_dir = Path(out_dir)
    _replaceable(out_dir)
    sample = _sample(Path(sample_dir or get_settings().sample_dir).resolve())
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.synth-", dir=out_dir.parent))
    try:
        summary = _write(tmp, films, seed, sample, compress, progress)
        (tmp / SYNTHETIC_MARKER).write_text(MARKER.format(
            films=films, seed=seed, gzip=" --gzip" if compress else "",
            credits=summary.credits_rows, malformed=summary.malformed_rows,
            duplicates=summary.duplicate_ids), encoding="utf-8")
        os.chmod(tmp, 0o755)  # mkdtemp makes it private
        _replaceable(out_dir)
        old = tmp.with_name(tmp.name.replace(".synth-", ".old-"))
        if out_dir.exists():
            os.replace(out_dir, old)
        try:
            os.replace(tmp, out_dir)
        except OSError:
            if old.exists():
                os.replace(old, out_dir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dataclasses.replace(summary, out_dir=out_dir)
