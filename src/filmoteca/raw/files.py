"""Locate and read the raw Kaggle files.

Owns: which file names are accepted for each kind of raw file, which columns each must have,
where files come from (``--raw DIR``, the user's ``data/raw/``, or the embedded sample), and
turning every way a raw file can be broken (missing, truncated, wrong encoding, wrong
delimiter, missing columns) into one clear :class:`RawDataError` line.
"""

from __future__ import annotations

import csv
import gzip
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from filmoteca.config import get_settings

DatasetKind = Literal["sample", "full", "synthetic"]

#: File (without .gz) that ``filmoteca synth`` writes to mark a synthetic raw directory.
SYNTHETIC_MARKER = "SYNTHETIC.md"


class RawDataError(Exception):
    """A raw file is missing, unreadable or lacks required columns (one-line message)."""


@dataclass(frozen=True)
class RawSpec:
    kind: str
    names: tuple[str, ...]
    required_columns: tuple[str, ...]
    #: Optional files fall back to the embedded copy (the real, complete file).
    optional: bool = False


MOVIES = RawSpec(
    "movies",
    ("movies_dataset.csv", "movies_metadata.csv", "movies_dataset_sample.csv"),
    (
        "id", "title", "original_title", "release_date", "budget", "revenue", "runtime",
        "original_language", "genres", "belongs_to_collection", "production_companies",
        "production_countries", "spoken_languages", "overview", "vote_count", "vote_average",
        "popularity",
    ),
)
CREDITS = RawSpec("credits", ("credits.csv", "credits_sample.csv"), ("cast", "crew", "id"))
KEYWORDS = RawSpec("keywords", ("keywords.csv",), ("id", "keywords"), optional=True)
LINKS = RawSpec("links", ("links.csv",), ("movieId", "imdbId", "tmdbId"), optional=True)
RATINGS = RawSpec(
    "ratings", ("ratings_small.csv",), ("userId", "movieId", "rating", "timestamp"), optional=True
)
SPECS = (MOVIES, CREDITS, KEYWORDS, LINKS, RATINGS)


@dataclass
class RawSources:
    """The raw files one build reads, and what kind of dataset they form."""

    paths: dict[str, Path]
    dataset: DatasetKind
    origin: str
    notes: list[str] = field(default_factory=list)


def find_file(directory: Path, spec: RawSpec) -> Path | None:
    for name in spec.names:
        for candidate in (directory / name, directory / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def resolve_sources(raw_dir: Path | None = None) -> RawSources:
    """Pick the raw files: ``raw_dir`` if given, else ``data/raw/`` if it holds the Kaggle
    movies file, else the embedded sample. Optional files missing from a raw directory are
    taken from the embedded sample (they are the complete real files) and noted."""
    settings = get_settings()
    if raw_dir is None:
        default = settings.raw_dir
        if default.is_dir() and find_file(default, MOVIES) is not None:
            raw_dir, origin = default, f"{default} (your Kaggle files)"
        else:
            raw_dir, origin = settings.sample_dir, "embedded real sample"
    else:
        if not raw_dir.is_dir():
            raise RawDataError(f"raw directory not found: {raw_dir}")
        origin = str(raw_dir)

    paths: dict[str, Path] = {}
    notes: list[str] = []
    for spec in SPECS:
        found = find_file(raw_dir, spec)
        if found is None and spec.optional:
            found = find_file(settings.sample_dir, spec)
            if found is not None:
                notes.append(f"{spec.kind}: not in {raw_dir}, using the embedded {found.name}")
        if found is None:
            expected = " or ".join(spec.names)
            raise RawDataError(
                f"{spec.kind} file not found in {raw_dir} (expected {expected}, plain or .gz)"
            )
        paths[spec.kind] = found

    dataset: DatasetKind
    if (raw_dir / SYNTHETIC_MARKER).exists():
        dataset = "synthetic"
    elif "sample" in paths["movies"].name:
        dataset = "sample"
    else:
        dataset = "full"
    return RawSources(paths=paths, dataset=dataset, origin=origin, notes=notes)


#: Rows per chunk when streaming a raw file (a chunk of credits.csv is about 40 MB of text).
CHUNK_ROWS = {"movies": 50_000, "credits": 10_000, "keywords": 50_000}


def iter_raw(path: Path, spec: RawSpec,
             chunk_rows: int | None = None) -> Iterator[tuple[pd.DataFrame, int]]:
    """Stream a raw CSV in chunks of text columns (empty cells are NA, nothing else is).

    Yields each chunk and the number of lines pandas had to skip in it because they had
    more fields than the header (counted in the build report). Quoted cells may span lines
    (the real overviews do). Every failure, at the first chunk or at the last, becomes a
    one-line :class:`RawDataError` naming the file; so does a file with a header and no rows.
    Memory is bounded by one chunk, whatever the size of the file.
    """
    name = path.name
    rows = chunk_rows or CHUNK_ROWS.get(spec.kind, 50_000)
    first, total = True, 0
    try:
        with pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                         encoding="utf-8", on_bad_lines="warn", engine="c",
                         chunksize=rows) as reader:
            while True:
                with warnings.catch_warnings(record=True) as caught:  # this chunk's only
                    warnings.simplefilter("always")
                    frame = next(reader, None)
                if frame is None:
                    break
                if first:
                    _check_columns(name, frame, spec)
                    first = False
                total += len(frame)
                yield frame, sum(str(w.message).count("Skipping line") for w in caught)
    except FileNotFoundError:
        raise RawDataError(f"{name}: file not found ({path})") from None
    except UnicodeDecodeError as exc:
        raise RawDataError(
            f"{name}: not valid UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise RawDataError(f"{name}: unreadable or truncated compressed file ({exc})") from None
    except pd.errors.EmptyDataError:
        raise RawDataError(f"{name}: the file is empty") from None
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        detail = " ".join(str(exc).split())
        raise RawDataError(f"{name}: not a readable CSV file ({detail})") from None
    if total == 0:
        raise RawDataError(f"{name}: the file has a header but no rows")


def _check_columns(name: str, frame: pd.DataFrame, spec: RawSpec) -> None:
    missing = [c for c in spec.required_columns if c not in frame.columns]
    if missing:
        hint = ""
        if len(frame.columns) == 1:
            hint = "; only one column was found: is the delimiter a comma?"
        raise RawDataError(f"{name}: missing required columns: {', '.join(missing)}{hint}")


def read_raw(path: Path, spec: RawSpec) -> tuple[pd.DataFrame, int]:
    """A whole raw CSV (small files, tests): :func:`iter_raw`'s chunks joined, and the
    number of skipped lines."""
    frames, skipped = [], 0
    for frame, bad in iter_raw(path, spec):
        frames.append(frame)
        skipped += bad
    return pd.concat(frames, ignore_index=True), skipped
