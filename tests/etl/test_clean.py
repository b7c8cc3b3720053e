"""Each cleaning rule on the real sample, checked against an independent pandas calculation,
and the malformed-row / duplicate-id cases on tiny fixtures made from real rows."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pandas as pd
import pytest

from filmoteca.etl.clean import DROPPED_COLUMNS, clean_movies
from filmoteca.etl.pipeline import BuildResult
from filmoteca.etl.report import BuildReport


def _independent_films(raw: pd.DataFrame) -> pd.DataFrame:
    """The course's rules written the plain way, to compare with the ETL."""
    df = raw[raw["id"].str.isdigit()].drop_duplicates("id", keep="first")
    return df[df["release_date"].notna()]


def test_film_rows_follow_the_rules(sample_build: BuildResult, raw_movies: pd.DataFrame):
    films = pd.read_parquet(sample_build.path / "films.parquet")
    expected = _independent_films(raw_movies)
    assert len(raw_movies) == 2996
    assert len(films) == len(expected) == 2993
    assert sorted(films["id"]) == sorted(expected["id"].astype(int))
    report = sample_build.report.to_dict()
    assert report["dropped"]["movies.duplicate_id"] == 1  # id 105045 "The Promise" twice
    assert report["dropped"]["movies.missing_release_date"] == 2
    assert report["tables"]["films"] == {"rows_in": 2996, "rows_out": 2993}


def test_columns_types_and_derived_values(sample_build: BuildResult, raw_movies: pd.DataFrame):
    films = pd.read_parquet(sample_build.path / "films.parquet").set_index("id")
    for column in DROPPED_COLUMNS:
        assert column not in films.columns
    toy = films.loc[862]
    assert (toy["title"], toy["release_date"], toy["release_year"]) == (
        "Toy Story", "1995-10-30", 1995)
    assert toy["budget"] == 30_000_000 and toy["revenue"] == 373_554_033
    assert toy["return"] == pytest.approx(373_554_033 / 30_000_000)
    expected = _independent_films(raw_movies).set_index(
        _independent_films(raw_movies)["id"].astype(int))
    budget = pd.to_numeric(expected["budget"], errors="coerce").fillna(0)
    revenue = pd.to_numeric(expected["revenue"], errors="coerce").fillna(0)
    ret = (revenue / budget).where((budget > 0) & (revenue > 0), 0.0)
    pd.testing.assert_series_equal(films["return"].sort_index(), ret.sort_index(),
                                   check_names=False, check_index_type=False)
    assert (films.loc[budget[budget == 0].index, "return"] == 0).all()
    assert films["release_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (films["release_year"] == films["release_date"].str[:4].astype(int)).all()


def test_link_tables_match_the_nested_cells(sample_build: BuildResult, raw_movies: pd.DataFrame):
    genres = pd.read_parquet(sample_build.path / "film_genres.parquet")
    assert sorted(genres[genres.film_id == 862]["genre"]) == ["Animation", "Comedy", "Family"]
    collections = pd.read_parquet(sample_build.path / "film_collections.parquet")
    toy = collections[collections.collection == "Toy Story Collection"]
    kept = set(_independent_films(raw_movies)["id"].astype(int))
    raw_toy = raw_movies[raw_movies["belongs_to_collection"].str.contains(
        "'name': 'Toy Story Collection'", na=False, regex=False)]
    assert set(toy.film_id) == set(raw_toy["id"].astype(int)) & kept
    countries = pd.read_parquet(sample_build.path / "film_countries.parquet")
    raw_us = raw_movies[raw_movies["production_countries"].str.contains(
        "'iso_3166_1': 'US'", na=False, regex=False)]
    assert (countries.iso_3166_1 == "US").sum() == len(set(raw_us["id"].astype(int)) & kept)


def test_directors_are_the_real_pairs(sample_build: BuildResult, sample_dir: Path):
    directors = pd.read_parquet(sample_build.path / "directors.parquet")
    films = pd.read_parquet(sample_build.path / "films.parquet")
    derived = pd.read_csv(sample_dir / "directors_derived.csv.gz")
    derived = derived[derived.id_movie.isin(films.id)].assign(name=derived.name.str.strip())
    got = set(directors[["film_id", "person_id", "name"]].itertuples(index=False, name=None))
    want = set(derived[["id_movie", "id_director", "name"]].itertuples(index=False, name=None))
    assert got == want  # names are stripped of stray spaces ("Jack Hill ")
    assert sample_build.report.to_dict()["tables"]["cast"]["rows_out"] == 0  # sample: no cast


def test_ratings_are_mapped_through_links(sample_build: BuildResult, sample_dir: Path):
    ratings = pd.read_parquet(sample_build.path / "ratings.parquet")
    raw = pd.read_csv(sample_dir / "ratings_small.csv.gz")
    links = pd.read_csv(sample_dir / "links.csv.gz").dropna(subset=["tmdbId"])
    films = pd.read_parquet(sample_build.path / "films.parquet")
    merged = raw.merge(links, on="movieId")
    assert len(ratings) == merged["tmdbId"].astype(int).isin(films.id).sum()


# --- malformed rows and duplicates, on a tiny file made from real rows ----------------------

def _rows(raw_movies: pd.DataFrame, n: int) -> list[list[str]]:
    return raw_movies.head(n).fillna("").astype(str).values.tolist()


def write_movies(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(buffer.getvalue())
    return path


def tiny_movies(raw_movies: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Six real rows plus: a shifted row (id holds a date, as in the Kaggle file), a repeated
    id, a row without release date, a non-numeric budget, a missing title."""
    header = list(raw_movies.columns)
    rows = _rows(raw_movies, 6)
    col = {name: i for i, name in enumerate(header)}
    shifted = rows[1][9:]  # release_date lands in the id column
    duplicate = list(rows[0])
    no_date, bad_budget, no_title = list(rows[2]), list(rows[3]), list(rows[4])
    no_date[col["id"]], no_date[col["release_date"]] = "999001", ""
    bad_budget[col["id"]], bad_budget[col["budget"]] = "999002", "/x.jpg"
    no_title[col["id"]], no_title[col["title"]] = "999003", ""
    return header, [*rows, shifted, duplicate, no_date, bad_budget, no_title]


def test_malformed_and_repaired_rows_are_counted(raw_movies: pd.DataFrame, tmp_path: Path):
    from filmoteca.raw.files import MOVIES, read_raw

    header, rows = tiny_movies(raw_movies)
    path = write_movies(tmp_path / "movies_metadata.csv.gz", header, rows)
    raw, skipped = read_raw(path, MOVIES)
    assert skipped == 0 and len(raw) == 11
    assert raw.iloc[6]["id"] == raw_movies.iloc[1]["release_date"]  # the shifted row
    report = BuildReport()
    films = clean_movies(raw, report)
    assert report.dropped == {"movies.malformed_id": 1, "movies.duplicate_id": 1,
                              "movies.missing_release_date": 1}
    assert report.repaired == {"movies.budget_not_numeric_set_to_0": 1,
                               "movies.title_from_original_title": 1}
    assert len(films) == 8
    by_id = films.set_index("id")
    assert by_id.loc[999002, "budget"] == 0 and by_id.loc[999002, "return"] == 0
    assert by_id.loc[999003, "title"] == raw_movies.iloc[4]["original_title"]
    assert by_id.loc[862, "title"] == "Toy Story"  # first of the duplicated id kept
