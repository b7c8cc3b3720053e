"""The course's cleaning rules and the unnesting of nested cells into tables.

Owns the catalog's table schema (column names and types below). Input: raw frames as read by
:mod:`filmoteca.raw.files` (all text). Output: :class:`Tables`.

Cleaning rules (the course's, as the README states them), in order, each counted in the
build report:

1. rows whose ``id`` is not an integer (the shifted rows of the Kaggle file) are dropped;
2. duplicated ids: the first row is kept;
3. a missing ``title`` is taken from ``original_title`` (else the row is dropped);
4. rows with a missing or invalid ``release_date`` are dropped; dates stay ``YYYY-MM-DD``
   and ``release_year`` is added;
5. ``budget`` (text in the raw file) and ``revenue`` become numbers, missing or non-numeric
   values become 0;
6. ``return = revenue / budget``, 0 where either is 0;
7. ``video``, ``imdb_id``, ``adult``, ``original_title``, ``poster_path``, ``homepage`` are
   dropped from the films table (the original title goes to its own table,
   ``film_original_titles``, only where it differs: a title users type, for matching);
8. nested cells become link tables; a cell that is not a valid literal counts as empty.

Hostile values never stop a build (each is counted by reason in the build report):

- ids (of films and of nested records) must be whole numbers from 0 to 2**63 - 1; a film
  row with another id is dropped (``malformed_id``, ``id_too_large``); a nested record with
  an id that is a digit string or a whole float is repaired, any other is dropped
  (``<table>.record_invalid_<column>``); names must be non-empty text; repeated records are
  dropped (``<table>.record_duplicate``); a cast member's billing ``order`` that is not a
  whole number becomes its position in the cell (``cast.order_invalid_set_to_position``);
- numbers of ``films``: budget, revenue, popularity, votes that are negative, infinite or
  not numbers become 0; ``vote_average`` outside [0, 10] becomes 0; a runtime that is not
  a number, negative or infinite becomes unknown; release years outside [1870, 2100] are
  dropped with the invalid dates.

For every table ``rows_in`` counts what came in and ``rows_out`` what was kept, and
``rows_in - rows_out`` is the sum of its dropped reasons: ``films`` (reasons ``movies.*``),
``credits`` and ``keywords_file`` count raw rows; the link tables count the records found in
the cells (reasons ``<table>.record_*``); ``ratings`` counts MovieLens rows.

Tables (``film_id`` is the TMDB id, the ``id`` of ``films``):

- ``films``: id, title, original_language, overview, tagline, status, release_date,
  release_year, runtime, budget, revenue, return, popularity, vote_average, vote_count
- ``film_genres``: film_id, genre_id, genre
- ``film_companies``: film_id, company_id, company
- ``film_countries``: film_id, iso_3166_1, country
- ``film_languages``: film_id, iso_639_1, language (spoken languages)
- ``film_collections``: film_id, collection_id, collection
- ``cast``: film_id, person_id, name, character, order (the first 5 billed of each film)
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
from filmoteca.text import normalize

DROPPED_COLUMNS = ("video", "imdb_id", "adult", "original_title", "poster_path", "homepage")
#: Dropped from the films table, but kept in memory until :func:`unnest_movies` has written
#: it to its own table (``film_original_titles``): a title users type, used for matching.
KEPT_FOR_MATCHING = ("original_title",)

FILM_COLUMNS = (
    "id", "title", "original_language", "overview", "tagline", "status", "release_date",
    "release_year", "runtime", "budget", "revenue", "return", "popularity", "vote_average",
    "vote_count",
)

INT64_MAX = int(np.iinfo(np.int64).max)
#: Actors kept per film: the first billed (the recommender's "main cast").
CAST_BILLED = 5
#: Release years outside this range are not film dates (the first films are from 1874).
YEARS = (1870, 2100)

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


def _id_text(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ids written as text: (int64 values, valid mask, too-large mask). Valid: ASCII digits
    only, at most ``INT64_MAX`` (compared as text, so 25-digit ids never overflow)."""
    text = _text(series)
    digits = text.str.fullmatch(r"[0-9]+").fillna(False).to_numpy(dtype=bool)
    significant = text.str.lstrip("0")
    width = significant.str.len().fillna(0).to_numpy()
    limit = str(INT64_MAX)
    above = (significant > limit).fillna(False).to_numpy(dtype=bool)
    too_large = digits & ((width > len(limit)) | ((width == len(limit)) & above))
    valid = digits & ~too_large
    values = np.zeros(len(series), dtype=np.int64)
    values[valid] = text[valid].astype("int64").to_numpy()
    return values, valid, too_large


def _non_negative(df: pd.DataFrame, column: str, report: BuildReport, *,
                  upper: float = np.inf, unknown: bool = False) -> pd.Series:
    """A numeric column of ``films``: values that are not numbers, negative, infinite or
    above ``upper`` become 0 (or unknown, NaN, if ``unknown``), and so do missing ones;
    each case is counted (missing values only when they become 0)."""
    values = _numeric(df[column])
    missing = df[column].isna()
    wrong = values.isna() & ~missing
    bad = values.notna() & ~(np.isfinite(values) & (values >= 0) & (values <= upper))
    to = "unknown" if unknown else "0"
    if not unknown:
        report.repair(f"movies.{column}_missing_set_to_0", int(missing.sum()))
    report.repair(f"movies.{column}_not_numeric_set_to_{to}", int(wrong.sum()))
    report.repair(f"movies.{column}_invalid_set_to_{to}", int(bad.sum()))
    return values.mask(bad).fillna(np.nan if unknown else 0.0).astype("float64")


def _first_seen(ids: pd.Series, seen: set[int] | None) -> np.ndarray:
    """Mask of the ids not seen before (in this chunk or, with ``seen``, in earlier chunks
    of the same file); ``seen`` is updated."""
    first = ~ids.duplicated(keep="first").to_numpy()
    if seen is not None:
        values = ids.to_numpy()
        if seen:
            first &= ~np.fromiter((v in seen for v in values.tolist()), dtype=bool,
                                  count=len(values))
        seen.update(values[first].tolist())
    return first


def clean_movies(raw: pd.DataFrame, report: BuildReport,
                 seen: set[int] | None = None) -> pd.DataFrame:
    """Rules 1-7 on raw movies rows; returns ``films`` plus the raw nested columns.

    Streaming: call it once per chunk of the file with the same ``seen`` set (ids met in
    earlier chunks), so that the first row of each id is kept across chunks too."""
    rows_in = len(raw)
    ids, valid, too_large = _id_text(raw["id"])
    report.drop("movies.id_too_large", int(too_large.sum()))
    report.drop("movies.malformed_id", int((~valid & ~too_large).sum()))
    df = raw.loc[valid].copy()
    df["id"] = ids[valid]

    first = _first_seen(df["id"], seen)
    report.drop("movies.duplicate_id", int((~first).sum()))
    df = df.loc[first]

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
    dates = dates.where((dates.dt.year >= YEARS[0]) & (dates.dt.year <= YEARS[1]))
    missing_date = date_text.isna()
    invalid_date = ~missing_date & dates.isna()
    report.drop("movies.missing_release_date", int(missing_date.sum()))
    report.drop("movies.invalid_release_date", int(invalid_date.sum()))
    keep = dates.notna()
    df, dates = df.loc[keep], dates[keep]
    df["release_date"] = dates.dt.strftime("%Y-%m-%d")
    df["release_year"] = dates.dt.year.astype("int32")

    for column in ("budget", "revenue", "popularity"):
        df[column] = _non_negative(df, column, report)
    budget, revenue = df["budget"].to_numpy(), df["revenue"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where((budget > 0) & (revenue > 0), revenue / budget, 0.0)
    df["return"] = np.where(np.isfinite(ratio), ratio, 0.0)

    df["runtime"] = _non_negative(df, "runtime", report, unknown=True)
    df["vote_average"] = _non_negative(df, "vote_average", report, upper=10.0)
    df["vote_count"] = np.round(
        _non_negative(df, "vote_count", report, upper=float(2**53))
    ).astype("int64")
    for column in ("original_language", "overview", "tagline", "status"):
        df[column] = _text(df[column])
    df = df.drop(columns=[c for c in DROPPED_COLUMNS
                          if c in df.columns and c not in KEPT_FOR_MATCHING])
    report.rows("films", rows_in, len(df))
    return df.reset_index(drop=True)


def _link_table(
    film_ids: np.ndarray,
    cells: pd.Series,
    shape: RecordShape,
    table: str,
    columns: tuple[str, ...],
    reason: str,
    report: BuildReport,
) -> pd.DataFrame:
    """One row per (film, nested record): the ``shape.wanted`` values named ``columns``,
    checked by :func:`records_frame`; unparseable cells count as empty (``reason``)."""
    rows: list[tuple[Any, ...]] = []
    bad = 0
    for film_id, cell in zip(film_ids.tolist(), cells.tolist(), strict=True):
        try:
            records = shape.extract(cell)
        except LiteralError:
            bad += 1
            continue
        rows.extend((film_id, *values) for values in records)
    report.repair(reason, bad)
    return records_frame(rows, ("film_id", *columns), table, report)


def _int_value(value: object) -> int | None:
    """A nested id or billing order as a non-negative int64, or None. Digit strings and
    whole floats are accepted (the caller counts them as repaired)."""
    if type(value) is int:  # not bool
        return value if 0 <= value <= INT64_MAX else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and int(text) <= INT64_MAX:
            return int(text)
        return None
    if isinstance(value, float) and value.is_integer() and 0 <= value <= INT64_MAX:
        return int(value)
    return None


def _int_column(values: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(int64 values, valid mask, converted mask) of a column of nested ids."""
    n = len(values)
    if set(map(type, values)) <= {int}:  # the real files: plain ints, checked in C
        try:
            array = np.array(values, dtype=np.int64)
        except OverflowError:
            pass
        else:
            return array, array >= 0, np.zeros(n, dtype=bool)
    array = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    converted = np.zeros(n, dtype=bool)
    for i, value in enumerate(values):
        number = _int_value(value)
        if number is not None:
            array[i], valid[i] = number, True
            converted[i] = type(value) is not int
    return array, valid, converted


def _text_column(values: list[Any]) -> tuple[pd.Series, np.ndarray]:
    """(stripped text, valid mask: non-empty text) of a column of nested names."""
    if set(map(type, values)) <= {str}:
        text = pd.Series(values, dtype="string").str.strip()
    else:
        text = pd.Series([v.strip() if isinstance(v, str) else None for v in values],
                         dtype="string")
    return text, (text.fillna("") != "").to_numpy(dtype=bool)


def records_frame(rows: list[tuple[Any, ...]], columns: tuple[str, ...], table: str,
                  report: BuildReport, positions: list[int] | None = None,
                  count_rows: bool = True) -> pd.DataFrame:
    """The rows of a link table, every value checked (see the module docstring).

    ``columns[0]`` is ``film_id`` (already a valid int). ``*_id`` columns hold ids, ``order``
    a billing order (invalid -> ``positions``), ``character`` optional text, the rest
    required text. A record is dropped for its first invalid column, then repeated records
    are dropped; ``rows_in`` = records found, ``rows_out`` = records kept.
    """
    n = len(rows)
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    keep = np.ones(n, dtype=bool)
    data: dict[str, Any] = {}
    for column, raw in zip(columns, by_column, strict=True):
        values = list(raw)
        if column == "film_id":
            data[column] = np.array(values, dtype=np.int64)
            continue
        if column.endswith("_id") or column == "order":
            array, valid, converted = _int_column(values)
            if column == "order":
                fallback = np.asarray(positions if positions is not None else range(n),
                                      dtype=np.int64)
                report.repair(f"{table}.order_invalid_set_to_position",
                              int((keep & ~valid).sum()))
                array = np.where(valid, array, fallback)
            else:
                report.repair(f"{table}.{column}_text_set_to_int", int((keep & converted).sum()))
                report.drop(f"{table}.record_invalid_{column}", int((keep & ~valid).sum()))
                keep &= valid
            data[column] = array
        else:
            text, valid = _text_column(values)
            if column == "character":
                report.repair(f"{table}.character_not_text_set_empty",
                              int((keep & ~valid & text.isna().to_numpy()).sum()))
                text = text.fillna("")
            else:
                report.drop(f"{table}.record_invalid_{column}", int((keep & ~valid).sum()))
                keep &= valid
            data[column] = text
    frame = pd.DataFrame(data, columns=list(columns)).loc[keep]
    for column in columns:
        if column.endswith("_id") or column == "order":
            frame[column] = frame[column].astype("int64")
        else:
            frame[column] = frame[column].astype("string")
    duplicated = frame.duplicated()
    report.drop(f"{table}.record_duplicate", int(duplicated.sum()))
    frame = frame.loc[~duplicated].reset_index(drop=True)
    if count_rows:
        report.rows(table, n, len(frame))
    return frame


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
    """The link tables of :data:`MOVIE_LINKS`, and ``film_original_titles``."""
    ids = films["id"].to_numpy()
    out = {}
    for column, (table, keys, wanted, names) in MOVIE_LINKS.items():
        out[table] = _link_table(
            ids, films[column], RecordShape(keys, wanted), table, names,
            f"movies.{column}_unparseable_set_empty", report,
        )
    out[ORIGINAL_TITLES] = original_titles(films)
    return out


#: The table of original titles (kept for matching: see :data:`KEPT_FOR_MATCHING`).
ORIGINAL_TITLES = "film_original_titles"


def original_titles(films: pd.DataFrame) -> pd.DataFrame:
    """``film_id``, ``original_title`` of the films whose original title is not their title
    (compared case- and accent-blind; ``title`` may itself come from ``original_title``)."""
    if "original_title" not in films.columns:
        return pd.DataFrame({"film_id": pd.Series(dtype="int64"),
                             "original_title": pd.Series(dtype="string")})
    original = _text(films["original_title"])
    keep = [bool(o) and normalize(str(o)) != normalize(str(t))
            for o, t in zip(original.fillna("").tolist(), films["title"].tolist(), strict=True)]
    return pd.DataFrame({"film_id": films["id"].to_numpy()[keep],
                         "original_title": original[keep].astype("string").to_numpy()})


def catalog_ids(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    """The catalog's film ids as a sorted array, for :func:`_in_catalog`."""
    return np.unique(np.fromiter(ids, dtype=np.int64) if not isinstance(ids, np.ndarray)
                     else ids.astype(np.int64))


def _in_catalog(values: np.ndarray, film_ids: np.ndarray) -> np.ndarray:
    if len(film_ids) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(film_ids, values), len(film_ids) - 1)
    return film_ids[at] == values


def _valid_ids(raw: pd.DataFrame, column: str, film_ids: np.ndarray, table: str,
               report: BuildReport, seen: set[int] | None) -> pd.DataFrame:
    """Rows whose id is an integer of the catalog, first of each id kept (across chunks with
    ``seen``); counted (``table`` is the raw file's kind: ``rows_in`` its rows, ``rows_out``
    those kept)."""
    ids, valid, too_large = _id_text(raw[column])
    report.drop(f"{table}.id_too_large", int(too_large.sum()))
    report.drop(f"{table}.malformed_id", int((~valid & ~too_large).sum()))
    df = raw.loc[valid].copy()
    df["film_id"] = ids[valid]
    first = _first_seen(df["film_id"], seen)
    report.drop(f"{table}.duplicate_id", int((~first).sum()))
    df = df.loc[first]
    known = _in_catalog(df["film_id"].to_numpy(), catalog_ids(film_ids))
    report.drop(f"{table}.not_in_catalog", int((~known).sum()))
    report.rows(table, len(raw), int(known.sum()))
    return df.loc[known]


def credits_tables(
    raw: pd.DataFrame,
    film_ids: Iterable[int] | np.ndarray,
    report: BuildReport,
    progress: Callable[[int], None] | None = None,
    seen: set[int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``cast`` (the first :data:`CAST_BILLED` billed of each film, by ``order``) and
    ``directors`` from credits.csv rows (a chunk, with ``seen`` as in :func:`clean_movies`).
    The rest of the cast and every other crew member are not kept: nothing reads them."""
    df = _valid_ids(raw, "id", catalog_ids(film_ids), "credits", report, seen)
    cast_rows: list[tuple[Any, ...]] = []
    positions: list[int] = []
    director_rows: list[tuple[Any, ...]] = []
    bad_cast = bad_crew = 0
    step = 2000
    triples = zip(df["film_id"].tolist(), df["cast"].tolist(), df["crew"].tolist(), strict=True)
    for i, (film_id, cast, crew) in enumerate(triples, start=1):
        try:
            for position, (character, person_id, name, order) in enumerate(
                CAST_SHAPE.extract(cast)
            ):
                cast_rows.append((film_id, person_id, name, character, order))
                positions.append(position)
        except LiteralError:
            bad_cast += 1
        try:
            director_rows.extend((film_id, *values) for values in DIRECTOR_SHAPE.extract(crew))
        except LiteralError:
            bad_crew += 1
        if progress is not None and i % step == 0:
            progress(step)
    if progress is not None:
        progress(len(df) % step)
    report.repair("credits.cast_unparseable_set_empty", bad_cast)
    report.repair("credits.crew_unparseable_set_empty", bad_crew)
    cast_frame = records_frame(cast_rows, ("film_id", "person_id", "name", "character",
                                           "order"), "cast", report, positions,
                               count_rows=False)
    cast_frame = cast_frame.sort_values(["film_id", "order"], kind="stable", ignore_index=True)
    billed = (cast_frame.groupby("film_id").cumcount() < CAST_BILLED).to_numpy()
    report.drop("cast.record_not_first_billed", int((~billed).sum()))
    cast_frame = cast_frame.loc[billed].reset_index(drop=True)
    report.rows("cast", len(cast_rows), len(cast_frame))
    directors = records_frame(director_rows, ("film_id", "person_id", "name"), "directors",
                              report)
    return cast_frame, directors


def keywords_table(raw: pd.DataFrame, film_ids: Iterable[int] | np.ndarray,
                   report: BuildReport, seen: set[int] | None = None) -> pd.DataFrame:
    """``keywords`` from keywords.csv rows (a chunk, with ``seen`` as in :func:`clean_movies`)."""
    df = _valid_ids(raw, "id", catalog_ids(film_ids), "keywords_file", report, seen)
    return _link_table(
        df["film_id"].to_numpy(), df["keywords"], KEYWORD_SHAPE, "keywords",
        ("keyword_id", "keyword"), "keywords_file.unparseable_set_empty", report,
    )


#: The table of each film's ids elsewhere (IMDb, MovieLens), from ``links.csv``.
FILM_LINKS = "film_links"


def links_table(links: pd.DataFrame, film_ids: Iterable[int] | np.ndarray) -> pd.DataFrame:
    """``film_id``, ``imdb_id`` (``tt`` and 7 digits, as IMDb writes it), ``movielens_id`` of
    the catalog's films that ``links.csv`` names (the first row of each film); the course
    drops the films table's own ``imdb_id`` column, links.csv is the MovieLens mapping."""
    movie, movie_ok, _ = _id_text(links["movieId"])
    imdb, imdb_ok, _ = _id_text(links["imdbId"])
    tmdb, tmdb_ok, _ = _id_text(links["tmdbId"])
    keep = movie_ok & imdb_ok & tmdb_ok
    frame = pd.DataFrame({"film_id": tmdb[keep], "imdb": imdb[keep], "movielens_id": movie[keep]})
    frame = frame.loc[frame["film_id"].isin(catalog_ids(film_ids))].drop_duplicates("film_id")
    return pd.DataFrame({
        "film_id": frame["film_id"].astype("int64").to_numpy(),
        "imdb_id": [f"tt{int(i):07d}" for i in frame["imdb"].tolist()],
        "movielens_id": frame["movielens_id"].astype("int64").to_numpy(),
    })


def ratings_table(
    ratings: pd.DataFrame, links: pd.DataFrame, film_ids: Iterable[int] | np.ndarray,
    report: BuildReport,
) -> pd.DataFrame:
    """MovieLens ratings mapped to catalog ids (``links.tmdbId``); others are left out.
    A rating row whose ids or timestamp are not whole numbers, or whose rating is not a
    number from 0 to 5, is dropped (``ratings.malformed``)."""
    movie, movie_ok, _ = _id_text(links["movieId"])
    tmdb, tmdb_ok, _ = _id_text(links["tmdbId"])
    link = pd.DataFrame({"movieId": movie, "film_id": tmdb}).loc[movie_ok & tmdb_ok]
    link = link.drop_duplicates("movieId")
    user, user_ok, _ = _id_text(ratings["userId"])
    movie, movie_ok, _ = _id_text(ratings["movieId"])
    stamp, stamp_ok, _ = _id_text(ratings["timestamp"])
    rating = _numeric(ratings["rating"]).to_numpy(dtype=np.float64, na_value=np.nan)
    good = user_ok & movie_ok & stamp_ok & (rating >= 0) & (rating <= 5)
    report.drop("ratings.malformed", int((~good).sum()))
    frame = pd.DataFrame({"user_id": user, "movieId": movie, "rating": rating,
                          "timestamp": stamp}).loc[good]
    frame = frame.merge(link, on="movieId", how="left")
    outside = frame["film_id"].isna() | ~frame["film_id"].isin(catalog_ids(film_ids))
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
