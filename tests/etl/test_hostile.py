"""Hostile raw values never stop a build: each one is repaired or its row dropped, counted by
reason, and the counts add up. The expected tables are computed here independently, with
``ast.literal_eval`` and the rules of ``filmoteca.etl.clean``'s docstring written again."""

from __future__ import annotations

import ast
import math
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from filmoteca.etl import clean
from filmoteca.etl.report import BuildReport

MAX = 2**63 - 1
MOVIE_COLUMNS = (
    "adult", "belongs_to_collection", "budget", "genres", "homepage", "id", "imdb_id",
    "original_language", "original_title", "overview", "popularity", "poster_path",
    "production_companies", "production_countries", "release_date", "revenue", "runtime",
    "spoken_languages", "status", "tagline", "title", "video", "vote_average", "vote_count",
)
# nested column -> (table, raw keys, [(raw key, kind)]); kinds: id, text
NESTED = {
    "genres": ("film_genres", ("id", "name"), [("id", "id"), ("name", "text")]),
    "production_companies": ("film_companies", ("name", "id"),
                             [("name", "text"), ("id", "id")]),
    "production_countries": ("film_countries", ("iso_3166_1", "name"),
                             [("iso_3166_1", "text"), ("name", "text")]),
    "spoken_languages": ("film_languages", ("iso_639_1", "name"),
                         [("iso_639_1", "text"), ("name", "text")]),
    "belongs_to_collection": ("film_collections", ("id", "name", "poster_path"),
                              [("id", "id"), ("name", "text")]),
}
CAST_KEYS = ("cast_id", "character", "credit_id", "gender", "id", "name", "order",
             "profile_path")
CREW_KEYS = ("credit_id", "department", "gender", "id", "job", "name", "profile_path")


# --- the rules, written again for the oracle -------------------------------------------------


def valid_id(value: Any) -> int | None:
    if type(value) is int:
        return value if 0 <= value <= MAX else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
        return number if number <= MAX else None
    if isinstance(value, float) and math.isfinite(value) and value == int(value) \
            and 0 <= value <= MAX:
        return int(value)
    return None


def valid_text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def parsed(cell: Any) -> list[dict] | None:
    """The records of a cell, ``[]`` if empty, None if it is not a literal list of dicts."""
    if not isinstance(cell, str) or cell.strip() in ("", "[]"):
        return []
    try:
        value = ast.literal_eval(cell.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    value = [value] if isinstance(value, dict) else value
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return None
    return value


# --- strategies --------------------------------------------------------------------------------

id_values = st.one_of(
    st.integers(0, 10**6), st.integers(0, 10**6), st.integers(-10**6, -1),
    st.integers(2**63 - 2, 2**63 + 2), st.integers(10**19, 10**30),
    st.from_regex(r" ?[0-9]{1,4} ?", fullmatch=True), st.sampled_from(["abc", "", "1.5", "٣"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.just(16.0),
    st.booleans(), st.none(), st.just([1]), st.just({"id": 1}),
)
text_values = st.one_of(
    st.text(max_size=10), st.text(alphabet="aé'\"\\ \n\t,{}[]:", max_size=10),
    st.sampled_from(["", "  ", "Animation", "Drama ", "O'Brien"]),
    st.integers(-5, 5), st.none(), st.floats(allow_nan=False), st.just(["x"]),
)


@st.composite
def record(draw: st.DrawFn, keys: tuple[str, ...], kinds: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    order = list(keys) if draw(st.booleans()) else draw(st.permutations(keys))
    for key in order:
        if draw(st.integers(0, 9)) == 0:
            continue  # a missing key
        kind = kinds.get(key, "other")
        if kind == "id":
            out[key] = draw(id_values)
        elif kind == "text":
            out[key] = draw(text_values)
        else:
            out[key] = draw(st.one_of(id_values, text_values))
    if draw(st.integers(0, 9)) == 0:
        out["extra"] = draw(text_values)
    return out


@st.composite
def cell(draw: st.DrawFn, keys: tuple[str, ...], kinds: dict[str, str]) -> Any:
    how = draw(st.integers(0, 9))
    if how == 0:
        return None  # empty CSV cell
    if how == 1:
        return draw(st.sampled_from(["[]", "", "garbage", "[{'id': 1,", "{", "None", "[1, 2]",
                                     "[{'id': 1e999, 'name': 'x'}]", "[" * 50]))
    items = draw(st.lists(record(keys, kinds), max_size=4))
    text = repr(items[0] if how == 2 and items else items)
    if how == 3:
        text = text[: draw(st.integers(0, len(text)))]  # truncated
    return text


def nested_kinds(spec: list[tuple[str, str]]) -> dict[str, str]:
    return dict(spec)


CAST_KINDS = {"id": "id", "name": "text", "order": "id", "character": "text"}
CREW_KINDS = {"id": "id", "name": "text", "job": "job"}


@st.composite
def crew_record(draw: st.DrawFn) -> dict[str, Any]:
    out = draw(record(CREW_KEYS, {"id": "id", "name": "text"}))
    out["job"] = draw(st.sampled_from(["Director", "Director", "Screenplay", "director", None]))
    return out


@st.composite
def crew_cell(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([None, "", "[{", "oops"]))
    return repr(draw(st.lists(crew_record(), max_size=4)))


# --- films-level fuzz -------------------------------------------------------------------------

numbers = st.one_of(
    st.none(), st.sampled_from(["0", "1e400", "-1e400", "inf", "nan", "-5", "abc", "/x.jpg",
                                "12.5", "1e30", " 7 ", "9" * 40]),
    st.floats(allow_nan=False, width=32).map(repr), st.integers(-10**20, 10**20).map(str),
)
dates = st.one_of(
    st.none(), st.dates().map(str),
    st.sampled_from(["2019-02-30", "0001-01-01", "9999-12-31", "1869-12-31", "1870-01-01",
                     "2100-12-31", "2101-01-01", "1995-13-01", "1995-10-30", "30/10/1995",
                     "2012-04-28T00:00", "", "  1995-10-30  "]),
)
film_ids = st.one_of(
    st.integers(0, 50).map(str), st.sampled_from(["1997-08-20", "abc", "", " 12 ", "0012",
                                                 "9223372036854775807", "9223372036854775808",
                                                 "123456789012345678901234", "-3", "1.0"]),
)


@st.composite
def movie_rows(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    rows = []
    for _ in range(n):
        row = dict.fromkeys(MOVIE_COLUMNS)
        row.update({
            "id": draw(film_ids), "title": draw(st.sampled_from([None, "", "  ", "Toy Story"])),
            "original_title": draw(st.sampled_from([None, "Original"])),
            "release_date": draw(dates),
            **{c: draw(numbers) for c in ("budget", "revenue", "runtime", "popularity",
                                          "vote_average", "vote_count")},
        })
        rows.append(row)
    return pd.DataFrame(rows, columns=list(MOVIE_COLUMNS), dtype=object)


def number(text: Any, upper: float = math.inf) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and 0 <= value <= upper else 0.0


def expected_films(raw: pd.DataFrame) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    seen: set[int] = set()
    for row in raw.to_dict("records"):
        text = (row["id"] or "").strip()
        if not (text.isascii() and text.isdigit()) or int(text) > MAX:
            continue
        film_id = int(text)
        if film_id in seen:
            continue
        seen.add(film_id)
        title = (row["title"] or "").strip() or (row["original_title"] or "").strip()
        if not title:
            continue
        try:
            date = datetime.strptime((row["release_date"] or "").strip(), "%Y-%m-%d")
        except ValueError:
            continue
        if not 1870 <= date.year <= 2100:
            continue
        budget, revenue = number(row["budget"]), number(row["revenue"])
        out[film_id] = {
            "title": title, "budget": budget, "revenue": revenue,
            "return": revenue / budget if budget > 0 and revenue > 0 else 0.0,
            "vote_average": number(row["vote_average"], 10.0),
        }
    return out


@settings(max_examples=150, deadline=None)
@given(movie_rows())
def test_fuzzed_film_rows(raw: pd.DataFrame):
    report = BuildReport()
    films = clean.clean_movies(raw.astype("string"), report)
    expected = expected_films(raw)
    assert sorted(films["id"].tolist()) == sorted(expected)
    dropped = sum(v for k, v in report.dropped.items() if k.startswith("movies."))
    assert report.tables["films"] == {"rows_in": len(raw), "rows_out": len(films)}
    assert len(raw) == len(films) + dropped
    for column in ("budget", "revenue", "return", "popularity", "vote_average"):
        values = films[column].to_numpy(dtype=float)
        assert np.isfinite(values).all() and (values >= 0).all(), column
    runtime = films["runtime"].to_numpy(dtype=float)
    assert ((runtime >= 0) | np.isnan(runtime)).all() and not np.isinf(runtime).any()
    assert (films["vote_count"] >= 0).all() and str(films["vote_count"].dtype) == "int64"
    for row in films.to_dict("records"):
        want = expected[row["id"]]
        assert row["title"] == want["title"]
        for column in ("budget", "revenue", "return", "vote_average"):
            assert row[column] == pytest.approx(want[column]), column


# --- nested cells fuzz ------------------------------------------------------------------------


@st.composite
def nested_frames(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(1, 6))
    rows = []
    for i in range(n):
        row = dict.fromkeys(MOVIE_COLUMNS)
        row.update({"id": str(i + 1), "title": f"Film {i}", "release_date": "2000-01-01"})
        for column, (_, keys, spec) in NESTED.items():
            row[column] = draw(cell(keys, nested_kinds(spec)))
        rows.append(row)
    movies = pd.DataFrame(rows, columns=list(MOVIE_COLUMNS)).astype("string")
    credits = pd.DataFrame({
        "id": [str(i + 1) for i in range(n)],
        "cast": [draw(cell(CAST_KEYS, CAST_KINDS)) for _ in range(n)],
        "crew": [draw(crew_cell()) for _ in range(n)],
    }).astype("string")
    keywords = pd.DataFrame({
        "id": [str(i + 1) for i in range(n)],
        "keywords": [draw(cell(("id", "name"), {"id": "id", "name": "text"}))
                     for _ in range(n)],
    }).astype("string")
    return movies, credits, keywords


def oracle(cells: list[tuple[int, Any]], wanted: list[tuple[str, str]],
           where: tuple[str, str] | None = None,
           order: bool = False) -> tuple[set[tuple[Any, ...]], int, int, int]:
    """(expected rows, records found, invalid records, unparseable cells)."""
    rows: list[tuple[Any, ...]] = []
    found = invalid = unparseable = 0
    for film_id, raw in cells:
        records = parsed(raw)
        if records is None:
            unparseable += 1
            continue
        for position, rec in enumerate(records):
            if where and rec.get(where[0]) != where[1]:
                continue
            found += 1
            values: list[Any] = [film_id]
            ok = True
            for key, kind in wanted:
                value = rec.get(key)
                if kind == "id":
                    checked = valid_id(value)
                elif kind == "text":
                    checked = valid_text(value)
                elif kind == "character":
                    checked = value.strip() if isinstance(value, str) else ""
                else:  # billing order
                    checked = valid_id(value)
                    checked = position if checked is None else checked
                ok = ok and checked is not None
                values.append(checked)
            if ok:
                rows.append(tuple(values))
            else:
                invalid += 1
    return set(rows), found, invalid, unparseable


def table_rows(frame: pd.DataFrame, columns: list[str]) -> set[tuple[Any, ...]]:
    return set(frame[columns].itertuples(index=False, name=None))


def check(report: BuildReport, table: str, frame: pd.DataFrame, columns: list[str],
          expected: tuple[set[tuple[Any, ...]], int, int, int]) -> None:
    rows, found, invalid, _ = expected
    assert table_rows(frame, columns) == rows, table
    assert len(frame) == len(rows)
    record_drops = {k: v for k, v in report.dropped.items() if k.startswith(f"{table}.record_")}
    assert report.tables[table] == {"rows_in": found, "rows_out": len(frame)}
    assert found == len(frame) + sum(record_drops.values())
    assert invalid == sum(v for k, v in record_drops.items() if "invalid" in k)
    for column in columns:
        if column.endswith("_id") or column == "order":
            assert str(frame[column].dtype) == "int64" and (frame[column] >= 0).all()


@settings(max_examples=75, deadline=None)
@given(nested_frames())
def test_fuzzed_nested_cells(frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]):
    movies, credits, keywords = frames
    report = BuildReport()
    films = clean.clean_movies(movies, report)
    links = clean.unnest_movies(films, report)
    film_ids = set(films["id"].tolist())
    cast, directors = clean.credits_tables(credits, film_ids, report)
    words = clean.keywords_table(keywords, film_ids, report)
    assert len(films) == len(movies)

    ids = [int(i) for i in movies["id"]]
    for column, (table, _, spec) in NESTED.items():
        names = list(clean.MOVIE_LINKS[column][3])
        want = oracle(list(zip(ids, movies[column].tolist(), strict=True)),
                      [(key, kind) for key, kind in spec])
        check(report, table, links[table], ["film_id", *names], want)
        assert report.repaired.get(f"movies.{column}_unparseable_set_empty", 0) == want[3]

    want = oracle(list(zip(ids, credits["cast"].tolist(), strict=True)),
                  [("id", "id"), ("name", "text"), ("character", "character"),
                   ("order", "order")])
    check(report, "cast", cast, ["film_id", "person_id", "name", "character", "order"], want)
    assert report.repaired.get("credits.cast_unparseable_set_empty", 0) == want[3]
    want = oracle(list(zip(ids, credits["crew"].tolist(), strict=True)),
                  [("id", "id"), ("name", "text")], where=("job", "Director"))
    check(report, "directors", directors, ["film_id", "person_id", "name"], want)
    want = oracle(list(zip(ids, keywords["keywords"].tolist(), strict=True)),
                  [("id", "id"), ("name", "text")])
    check(report, "keywords", words, ["film_id", "keyword_id", "keyword"], want)


# --- the cases of the issue, one by one, and the whole build through the CLI ---------------


def test_the_reported_cells(raw_movies: pd.DataFrame):
    movies = raw_movies.head(4).copy()
    movies.loc[0, "genres"] = "[{'id': 'abc', 'name': 'Animation'}, {'id': 35, 'name': 'Comedy'}]"
    movies.loc[1, "genres"] = "[{'id': 123456789012345678901234, 'name': 'Huge'}]"
    movies.loc[2, "id"] = "123456789012345678901234"
    report = BuildReport()
    films = clean.clean_movies(movies, report)
    links = clean.unnest_movies(films, report)
    assert report.dropped["movies.id_too_large"] == 1
    assert report.dropped["film_genres.record_invalid_genre_id"] == 2
    first = int(movies.loc[0, "id"])
    assert links["film_genres"].query("film_id == @first")["genre"].tolist() == ["Comedy"]

    credits = pd.DataFrame({"id": [str(first)], "crew": ["[]"], "cast": [repr([
        {"cast_id": 1, "character": "Woody", "credit_id": "a", "gender": 2, "id": 31,
         "name": "Tom Hanks", "order": None, "profile_path": None},
        {"cast_id": 2, "character": None, "credit_id": "b", "gender": 2, "id": 12898,
         "name": "Tim Allen", "order": 1, "profile_path": None},
    ])]})
    cast, _ = clean.credits_tables(credits, set(films["id"]), report)
    assert cast[["name", "character", "order"]].values.tolist() == [
        ["Tom Hanks", "Woody", 0], ["Tim Allen", "", 1]]
    assert report.repaired["cast.order_invalid_set_to_position"] == 1
    assert report.repaired["cast.character_not_text_set_empty"] == 1


def _hostile_raw(sample_dir: Path, tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    movies = pd.read_csv(sample_dir / "movies_dataset_sample.csv.gz", dtype=str,
                         keep_default_na=False, na_values=[""], nrows=40)
    movies.loc[0, "genres"] = "[{'id': 'abc', 'name': 'Animation'}]"
    movies.loc[1, "production_companies"] = "[{'name': 'Big', 'id': 10000000000000000000000}]"
    movies.loc[2, "id"] = "123456789012345678901234"
    movies.loc[3, "runtime"] = "-90"
    movies.loc[4, "release_date"] = "2019-02-30"
    movies.loc[5, "budget"] = "1e400"
    movies.loc[6, "spoken_languages"] = "[{'iso_639_1': 'en', 'name': "  # truncated
    movies.to_csv(raw / "movies_metadata.csv", index=False)
    credits = pd.read_csv(sample_dir / "credits_sample.csv.gz", dtype=str,
                          keep_default_na=False, na_values=[""], nrows=40)
    credits.loc[0, "cast"] = ("[{'cast_id': 1, 'character': 'X', 'credit_id': 'a', "
                              "'gender': 0, 'id': 5, 'name': 'Ann', 'order': None, "
                              "'profile_path': None}]")
    credits.to_csv(raw / "credits.csv", index=False)
    for name in ("keywords.csv.gz", "links.csv.gz", "ratings_small.csv.gz"):
        shutil.copy(sample_dir / name, raw / name)
    return raw


def test_hostile_build_through_the_cli(sample_dir: Path, tmp_path: Path):
    import orjson

    from filmoteca.cli import app
    from filmoteca.services.catalog import load_catalog

    raw = _hostile_raw(sample_dir, tmp_path)
    result = CliRunner().invoke(app, ["build", "--raw", str(raw), "--catalog",
                                      str(tmp_path / "catalog")])
    assert result.exit_code == 0, result.output
    report = orjson.loads((tmp_path / "catalog" / "build_report.json").read_bytes())
    assert report["dropped"]["movies.id_too_large"] == 1
    assert report["dropped"]["movies.invalid_release_date"] == 1
    assert report["dropped"]["film_genres.record_invalid_genre_id"] == 1
    assert report["dropped"]["film_companies.record_invalid_company_id"] == 1
    assert report["repaired"]["movies.runtime_invalid_set_to_unknown"] == 1
    assert report["repaired"]["movies.budget_invalid_set_to_0"] == 1
    assert report["repaired"]["movies.spoken_languages_unparseable_set_empty"] == 1
    assert report["repaired"]["cast.order_invalid_set_to_position"] == 1
    films = report["tables"]["films"]
    dropped = Counter({k: v for k, v in report["dropped"].items() if k.startswith("movies.")})
    assert films["rows_in"] == 40 == films["rows_out"] + sum(dropped.values())
    assert len(load_catalog(tmp_path / "catalog")) == films["rows_out"]


def test_an_unexpected_bug_is_one_line_with_a_clue(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    from filmoteca.cli import app
    from filmoteca.etl import pipeline

    def bug(**kwargs: Any) -> None:
        return {}["missing"]  # type: ignore[return-value]

    monkeypatch.setattr(pipeline, "build_catalog", bug)
    result = CliRunner().invoke(app, ["build", "--catalog", str(tmp_path / "catalog")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert "Traceback" not in result.output
    last = lines[-1]
    assert last.startswith("error: unexpected KeyError: 'missing' (a bug in filmoteca")
    details = Path(last.rsplit(" ", 1)[-1].rstrip(")"))
    assert "Traceback" in details.read_text(encoding="utf-8")
    details.unlink()


@settings(max_examples=10, deadline=None)
@given(nested_frames(), movie_rows())
def test_fuzzed_raw_files_build_end_to_end(
    frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], extra: pd.DataFrame
):
    """Hostile cells and values written to real CSV files: the whole build (recommender and
    serving index included) completes, loads, and the film counts add up."""
    import tempfile

    from filmoteca.etl.pipeline import build_catalog
    from filmoteca.services.catalog import load_catalog

    movies, credits, keywords = frames
    movies = pd.concat([movies, extra.astype("string")], ignore_index=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        movies.to_csv(raw / "movies_metadata.csv", index=False)
        credits.to_csv(raw / "credits.csv", index=False)
        keywords.to_csv(raw / "keywords.csv", index=False)
        pd.DataFrame({"movieId": [1, 2], "imdbId": [1, 2], "tmdbId": [1, 2]}).to_csv(
            raw / "links.csv", index=False)
        pd.DataFrame({"userId": [1, 1, 2], "movieId": [1, 2, 1], "rating": [4.0, 5.0, 4.5],
                      "timestamp": [1, 2, 3]}).to_csv(raw / "ratings_small.csv", index=False)
        result = build_catalog(raw_dir=raw, catalog_dir=Path(tmp) / "catalog")
        report = result.report.to_dict()
        films = report["tables"]["films"]
        dropped = sum(v for k, v in report["dropped"].items() if k.startswith("movies."))
        assert films["rows_in"] == len(movies) == films["rows_out"] + dropped
        for table in (*(spec[0] for spec in NESTED.values()), "cast", "directors", "keywords"):
            rows = report["tables"][table]
            record_drops = sum(v for k, v in report["dropped"].items()
                               if k.startswith(f"{table}.record_"))
            assert rows["rows_in"] == rows["rows_out"] + record_drops, table
        assert len(load_catalog(Path(tmp) / "catalog")) == films["rows_out"]


def test_no_film_left_is_one_line_and_publishes_nothing(sample_dir: Path, tmp_path: Path):
    from filmoteca.cli import app

    raw = _hostile_raw(sample_dir, tmp_path)
    movies = pd.read_csv(raw / "movies_metadata.csv", dtype=str)
    movies["id"] = "not-an-id"
    movies.to_csv(raw / "movies_metadata.csv", index=False)
    result = CliRunner().invoke(app, ["build", "--raw", str(raw), "--catalog",
                                      str(tmp_path / "out" / "catalog")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1] == ("error: movies_metadata.csv: no film is left after cleaning "
                         "(movies.malformed_id=40); the catalog is unchanged")
    assert not (tmp_path / "out").exists()


def test_only_the_first_billed_actors_are_kept():
    people = [(6, "G"), (0, "A"), (5, "F"), (1, "B"), (4, "E"), (2, "C"), (3, "D")]
    cell = repr([{"cast_id": i, "character": "", "credit_id": "x", "gender": 0, "id": 100 + i,
                  "name": name, "order": order, "profile_path": None}
                 for i, (order, name) in enumerate(people)])
    credits = pd.DataFrame({"id": ["7"], "cast": [cell], "crew": ["[]"]})
    report = BuildReport()
    cast, _ = clean.credits_tables(credits, [7], report)
    assert cast["name"].tolist() == ["A", "B", "C", "D", "E"]
    assert cast["order"].tolist() == [0, 1, 2, 3, 4]
    assert report.dropped["cast.record_not_first_billed"] == 2
    assert report.tables["cast"] == {"rows_in": 7, "rows_out": 5}
