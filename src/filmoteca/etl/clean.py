"""The course's cleaning rules and the unnesting of nested cells into tables.

Owns the catalog's table schema (column names and types below). Input: raw frames as read by
:mod:`filmoteca.raw.files` (all text). Output: :class:`Tables`.

Cleaning rules (DESIGN.md), in order, each counted in the build report:

1. rows whose ``id`` is not an integer (the shifted rows of the Kaggle file) are dropped;
2. duplicated ids: the first row is kept;
3. a missing ``title`` is taken from ``original_title`` (else the row is dropped);
4. rows with a missing or invalid ``release_date`` are dropped; dates stay ``YYYY-MM-DD``
   and ``release_year`` is added;
5. ``budget`` (text in the raw file) and ``revenue`` become numbers, missing or non-numeric
   values become 0;
6. ``return = revenue / budget``, 0 where either is 0;
7. ``video``, ``imdb_id``, ``adult``, ``original_title``, ``poster_path``, ``homepage`` are
   dropped;
8. nested cells become link tables; a cell that is not a valid literal counts as empty.

Tables (``film_id`` is the TMDB id, the ``id`` of ``films``):

- ``films``: id, title, original_language, overview, tagline, status, release_date,
  release_year, runtime, budget, revenue, return, popularity, vote_average, vote_count
- ``film_genres``: film_id, genre_id, genre
- ``film_companies``: film_id, company_id, company
- ``film_countries``: film_id, iso_3166_1, country
- ``film_languages``: film_id, iso_639_1, language (spoken languages)
- ``film_collections``: film_id, collection_id, collection
- ``cast``: film_id, person_id, name, character, order (billing order kept)
- ``directors``: film_id, person_id, name (crew ``job == "Director"``)
- ``keywords``: film_id, keyword_id, keyword
- ``ratings``: user_id, film_id, rating, timestamp (MovieLens ``ratings_small`` mapped to
  catalog ids through ``links``)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from filmoteca.etl.literals import LiteralError, RecordShape
from filmoteca.etl.report import BuildReport

DROPPED_COLUMNS = ("video", "imdb_id", "adult", "original_title", "poster_path", "homepage")

FILM_COLUMNS = (
    "id", "title", "original_language", "overview", "tagline", "status", "release_date",
    "release_year", "runtime", "budget", "revenue", "return", "popularity", "vote_average",
    "vote_count",
)

# Key order of cast and crew entries in the real credits.csv (fast path; others fall back).
CAST_SHAPE = RecordShape(
    ("cast_id", "character", "credit_id", "gender", "id", "name", "order", "profile_path"),
    ("character", "id", "name", "order"),
)
DIRECTOR_SHAPE = RecordShape(
    ("credit_id", "department", "gender", "id", "job", "name", "profile_path"),
    ("id", "name"),
    where=("job", "Director"),
)


@dataclass
class Tables:
    films: pd.DataFrame
    film_genres: pd.DataFrame
    film_companies: pd.DataFrame
    film_countries: pd.DataFrame
    film_languages: pd.DataFrame
    film_collections: pd.DataFrame
    cast: pd.DataFrame
    directors: pd.DataFrame
    keywords: pd.DataFrame
    ratings: pd.DataFrame

    def items(self) -> Iterable[tuple[str, pd.DataFrame]]:
        for f in fields(self):
            yield f.name, getattr(self, f.name)


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip()


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def clean_movies(raw: pd.DataFrame, report: BuildReport) -> pd.DataFrame:
    """Rules 1-7 on the raw movies frame; returns ``films`` plus the raw nested columns."""
    rows_in = len(raw)
    ids = _text(raw["id"])
    valid = ids.str.fullmatch(r"\d+").fillna(False).astype(bool)
    report.drop("movies.malformed_id", int((~valid).sum()))
    df = raw.loc[valid].copy()
    df["id"] = ids[valid].astype("int64")

    duplicated = df["id"].duplicated(keep="first")
    report.drop("movies.duplicate_id", int(duplicated.sum()))
    df = df.loc[~duplicated]

    title = _text(df["title"]).replace("", pd.NA)
    original = _text(df["original_title"]).replace("", pd.NA)
    from_original = title.isna() & original.notna()
    report.repair("movies.title_from_original_title", int(from_original.sum()))
    df["title"] = title.fillna(original)
    no_title = df["title"].isna()
    report.drop("movies.missing_title", int(no_title.sum()))
    df = df.loc[~no_title]

    date_text = _text(df["release_date"])
    dates = pd.to_datetime(date_text, format="%Y-%m-%d", errors="coerce")
    missing_date = date_text.isna()
    invalid_date = ~missing_date & dates.isna()
    report.drop("movies.missing_release_date", int(missing_date.sum()))
    report.drop("movies.invalid_release_date", int(invalid_date.sum()))
    keep = dates.notna()
    df, dates = df.loc[keep], dates[keep]
    df["release_date"] = dates.dt.strftime("%Y-%m-%d")
    df["release_year"] = dates.dt.year.astype("int32")

    for column in ("budget", "revenue"):
        values = _numeric(df[column])
        missing = df[column].isna()
        report.repair(f"movies.{column}_missing_set_to_0", int(missing.sum()))
        report.repair(
            f"movies.{column}_not_numeric_set_to_0", int((values.isna() & ~missing).sum())
        )
        df[column] = values.fillna(0.0).astype("float64")
    budget, revenue = df["budget"].to_numpy(), df["revenue"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        df["return"] = np.where((budget > 0) & (revenue > 0), revenue / budget, 0.0)

    df["runtime"] = _numeric(df["runtime"]).astype("float64")
    df["popularity"] = _numeric(df["popularity"]).fillna(0.0).astype("float64")
    df["vote_average"] = _numeric(df["vote_average"]).fillna(0.0).astype("float64")
    df["vote_count"] = _numeric(df["vote_count"]).fillna(0).astype("int64")
    for column in ("original_language", "overview", "tagline", "status"):
        df[column] = _text(df[column])
    df = df.drop(columns=[c for c in DROPPED_COLUMNS if c in df.columns])
    report.rows("films", rows_in, len(df))
    return df.reset_index(drop=True)


def _link_table(
    film_ids: np.ndarray,
    cells: pd.Series,
    shape: RecordShape,
    columns: tuple[str, ...],
    reason: str,
    report: BuildReport,
) -> pd.DataFrame:
    """One row per (film, nested record): the ``shape.wanted`` values named ``columns``.
    Records missing a value are skipped; unparseable cells count as empty (``reason``)."""
    rows: list[tuple[Any, ...]] = []
    bad = 0
    for film_id, cell in zip(film_ids.tolist(), cells.tolist(), strict=True):
        try:
            records = shape.extract(cell)
        except LiteralError:
            bad += 1
            continue
        rows.extend(
            (film_id, *values) for values in records
            if all(v is not None and v != "" for v in values)
        )
    report.repair(reason, bad)
    return _frame(rows, ("film_id", *columns))


def _frame(rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for column in columns:
        if column.endswith("_id") or column == "order":
            frame[column] = frame[column].astype("int64")
        elif column not in ("rating", "timestamp"):
            frame[column] = frame[column].astype("string").str.strip()
    return frame.drop_duplicates().reset_index(drop=True)


# nested column -> (table, key order in the raw file, wanted keys, their column names)
MOVIE_LINKS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "genres": ("film_genres", ("id", "name"), ("id", "name"), ("genre_id", "genre")),
    "production_companies": (
        "film_companies", ("name", "id"), ("name", "id"), ("company", "company_id"),
    ),
    "production_countries": (
        "film_countries", ("iso_3166_1", "name"), ("iso_3166_1", "name"),
        ("iso_3166_1", "country"),
    ),
    "spoken_languages": (
        "film_languages", ("iso_639_1", "name"), ("iso_639_1", "name"),
        ("iso_639_1", "language"),
    ),
    "belongs_to_collection": (
        "film_collections", ("id", "name", "poster_path", "backdrop_path"), ("id", "name"),
        ("collection_id", "collection"),
    ),
}
KEYWORD_SHAPE = RecordShape(("id", "name"), ("id", "name"))


def unnest_movies(films: pd.DataFrame, report: BuildReport) -> dict[str, pd.DataFrame]:
    ids = films["id"].to_numpy()
    out = {}
    for column, (table, keys, wanted, names) in MOVIE_LINKS.items():
        frame = _link_table(
            ids, films[column], RecordShape(keys, wanted), names,
            f"movies.{column}_unparseable_set_empty", report,
        )
        report.rows(table, len(films), len(frame))
        out[table] = frame
    return out


def _valid_ids(raw: pd.DataFrame, column: str, film_ids: set[int], table: str,
               report: BuildReport) -> pd.DataFrame:
    """Rows whose id is an integer of the catalog, first of each id kept; counted."""
    ids = _text(raw[column])
    valid = ids.str.fullmatch(r"\d+").fillna(False).astype(bool)
    report.drop(f"{table}.malformed_id", int((~valid).sum()))
    df = raw.loc[valid].copy()
    df["film_id"] = ids[valid].astype("int64")
    dup = df["film_id"].duplicated(keep="first")
    report.drop(f"{table}.duplicate_id", int(dup.sum()))
    df = df.loc[~dup]
    known = df["film_id"].isin(film_ids)
    report.drop(f"{table}.not_in_catalog", int((~known).sum()))
    return df.loc[known]


def credits_tables(
    raw: pd.DataFrame,
    film_ids: set[int],
    report: BuildReport,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``cast`` (billing order kept) and ``directors`` from credits.csv."""
    df = _valid_ids(raw, "id", film_ids, "credits", report)
    cast_rows: list[tuple[Any, ...]] = []
    director_rows: list[tuple[Any, ...]] = []
    bad_cast = bad_crew = 0
    step = 2000
    triples = zip(df["film_id"].tolist(), df["cast"].tolist(), df["crew"].tolist(), strict=True)
    for i, (film_id, cast, crew) in enumerate(triples, start=1):
        try:
            for character, person_id, name, order in CAST_SHAPE.extract(cast):
                if person_id is not None and name:
                    cast_rows.append((film_id, person_id, name, character or "", order))
        except LiteralError:
            bad_cast += 1
        try:
            for person_id, name in DIRECTOR_SHAPE.extract(crew):
                if person_id is not None and name:
                    director_rows.append((film_id, person_id, name))
        except LiteralError:
            bad_crew += 1
        if progress is not None and i % step == 0:
            progress(step)
    if progress is not None:
        progress(len(df) % step)
    report.repair("credits.cast_unparseable_set_empty", bad_cast)
    report.repair("credits.crew_unparseable_set_empty", bad_crew)
    cast_frame = _frame(cast_rows, ("film_id", "person_id", "name", "character", "order"))
    cast_frame = cast_frame.sort_values(["film_id", "order"], kind="stable", ignore_index=True)
    directors = _frame(director_rows, ("film_id", "person_id", "name"))
    report.rows("cast", len(raw), len(cast_frame))
    report.rows("directors", len(raw), len(directors))
    return cast_frame, directors


def keywords_table(raw: pd.DataFrame, film_ids: set[int], report: BuildReport) -> pd.DataFrame:
    df = _valid_ids(raw, "id", film_ids, "keywords", report)
    frame = _link_table(
        df["film_id"].to_numpy(), df["keywords"], KEYWORD_SHAPE, ("keyword_id", "keyword"),
        "keywords.unparseable_set_empty", report,
    )
    report.rows("keywords", len(raw), len(frame))
    return frame


def ratings_table(
    ratings: pd.DataFrame, links: pd.DataFrame, film_ids: set[int], report: BuildReport
) -> pd.DataFrame:
    """MovieLens ratings mapped to catalog ids (``links.tmdbId``); others are left out."""
    link = pd.DataFrame({
        "movieId": _numeric(links["movieId"]),
        "film_id": _numeric(links["tmdbId"]),
    }).dropna().astype("int64").drop_duplicates("movieId")
    frame = pd.DataFrame({
        "user_id": _numeric(ratings["userId"]),
        "movieId": _numeric(ratings["movieId"]),
        "rating": _numeric(ratings["rating"]),
        "timestamp": _numeric(ratings["timestamp"]),
    })
    bad = frame.isna().any(axis=1)
    report.drop("ratings.malformed", int(bad.sum()))
    frame = frame.loc[~bad].merge(link, on="movieId", how="left")
    outside = frame["film_id"].isna() | ~frame["film_id"].isin(film_ids)
    report.drop("ratings.film_not_in_catalog", int(outside.sum()))
    frame = frame.loc[~outside]
    out = pd.DataFrame({
        "user_id": frame["user_id"].astype("int64"),
        "film_id": frame["film_id"].astype("int64"),
        "rating": frame["rating"].astype("float32"),
        "timestamp": frame["timestamp"].astype("int64"),
    }).reset_index(drop=True)
    report.rows("ratings", len(ratings), len(out))
    return out
