"""Synthetic raw files: exact Kaggle format, deterministic, real sample as a prefix, the real
files' quirks kept and counted exactly by the build."""

from __future__ import annotations

import ast
import csv
import dataclasses
import gzip
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from filmoteca.etl.pipeline import build_catalog
from filmoteca.raw.synth import SynthSummary, synthesize

CAST_KEYS = [
    "cast_id", "character", "credit_id", "gender", "id", "name", "order", "profile_path",
]
CREW_KEYS = ["credit_id", "department", "gender", "id", "job", "name", "profile_path"]
DATA_FILES = (
    "movies_metadata.csv", "credits.csv", "keywords.csv", "links.csv", "links_small.csv",
    "ratings_small.csv",
)
SAMPLE_ROWS = 2_996
BIG = 6_000  # the whole sample, then about 3,000 resampled rows


def _text(path: Path) -> str:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return handle.read()


def _records(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_text(path))))


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    """500 films: all of them real rows of the sample."""
    return synthesize(tmp_path_factory.mktemp("small") / "out", films=500, seed=0)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    """6,000 films: the whole sample, then resampled, malformed and duplicated rows."""
    return synthesize(tmp_path_factory.mktemp("big") / "out", films=BIG, seed=0)


@pytest.fixture(scope="module")
def big_movies(big: SynthSummary) -> pd.DataFrame:
    return _read(big.out_dir / "movies_metadata.csv")


@pytest.fixture(scope="module")
def big_credits(big: SynthSummary) -> pd.DataFrame:
    return _read(big.out_dir / "credits.csv")


def _valid(movies: pd.DataFrame) -> pd.DataFrame:
    return movies[movies["id"].str.fullmatch(r"\d+")]


def test_same_seed_gives_identical_files_and_another_seed_differs(
    small: SynthSummary, tmp_path: Path
):
    again = synthesize(tmp_path / "again", films=500, seed=0)
    for name in (*DATA_FILES, "SYNTHETIC.md"):
        assert (again.out_dir / name).read_bytes() == (small.out_dir / name).read_bytes(), name
    assert again == dataclasses.replace(small, out_dir=tmp_path / "again")

    other = synthesize(tmp_path / "other", films=500, seed=1)
    assert (other.out_dir / "credits.csv").read_bytes() != (
        small.out_dir / "credits.csv"
    ).read_bytes()


def test_resampled_rows_depend_on_the_seed(tmp_path: Path):
    mine = _records(synthesize(tmp_path / "a", films=3_200, seed=0).out_dir
                    / "movies_metadata.csv")
    theirs = _records(synthesize(tmp_path / "b", films=3_200, seed=7).out_dir
                      / "movies_metadata.csv")
    assert mine[: 1 + SAMPLE_ROWS] == theirs[: 1 + SAMPLE_ROWS]  # header + the real sample
    assert len(mine) == len(theirs) == 3_201
    assert mine[1 + SAMPLE_ROWS:] != theirs[1 + SAMPLE_ROWS:]


def test_gzip_output_holds_the_same_text(tmp_path: Path):
    plain = synthesize(tmp_path / "plain", films=300, seed=5)
    packed = synthesize(tmp_path / "packed", films=300, seed=5, compress=True)
    for name in DATA_FILES:
        assert not (packed.out_dir / name).exists()
        assert _text(packed.out_dir / f"{name}.gz") == _text(plain.out_dir / name), name
    assert packed.credits_bytes == plain.credits_bytes == (
        plain.out_dir / "credits.csv"
    ).stat().st_size
    again = synthesize(tmp_path / "again", films=300, seed=5, compress=True)
    assert (again.out_dir / "credits.csv.gz").read_bytes() == (
        packed.out_dir / "credits.csv.gz"
    ).read_bytes()


def test_row_count_is_films(small: SynthSummary, big: SynthSummary, big_movies: pd.DataFrame,
                            sample_dir: Path):
    assert len(_read(small.out_dir / "movies_metadata.csv")) == small.films == 500
    assert len(big_movies) == big.films == BIG
    assert list(big_movies.columns) == _records(sample_dir / "movies_dataset_sample.csv.gz")[0]


def test_first_rows_are_the_real_sample_unchanged(
    small: SynthSummary, big: SynthSummary, sample_dir: Path
):
    sample_text = _text(sample_dir / "movies_dataset_sample.csv.gz")
    real = list(csv.reader(io.StringIO(sample_text)))
    assert _records(small.out_dir / "movies_metadata.csv") == real[:501]
    # Byte for byte: the whole sample file is a prefix of the bigger file.
    assert _text(big.out_dir / "movies_metadata.csv").startswith(sample_text)


def test_every_file_is_what_the_csv_module_writes(big: SynthSummary):
    """QUOTE_MINIMAL and ``\\n`` line ends, like the real files, whatever wrote the text."""
    for name in ("movies_metadata.csv", "credits.csv", "keywords.csv"):
        path = big.out_dir / name
        rewritten = io.StringIO()
        csv.writer(rewritten, lineterminator="\n").writerows(_records(path))
        assert rewritten.getvalue() == _text(path), name


def test_overviews_span_several_lines_as_in_the_real_file(big: SynthSummary,
                                                          big_movies: pd.DataFrame):
    text = _text(big.out_dir / "movies_metadata.csv")
    assert text.count("\n") > len(big_movies) + 1  # more lines than rows: quoted line breaks
    assert big_movies["overview"].str.contains("\n").sum() >= 2


def test_duplicated_ids_are_exact_repeats_counted_in_the_summary(
    big: SynthSummary, big_movies: pd.DataFrame
):
    valid = _valid(big_movies)
    repeated = valid["id"].duplicated()
    # round(6,000 x 30 / 45,466) = 4: the sample's own repeated id and 3 injected repeats.
    assert big.duplicate_ids == int(repeated.sum()) == 4
    for film in valid.loc[repeated, "id"]:
        copies = valid[valid["id"] == film].fillna("")
        assert (copies.iloc[1:] == copies.iloc[0]).all(axis=None)
    # New films get new ids, above every real id.
    real_ids = valid["id"].iloc[:SAMPLE_ROWS]
    new = valid["id"].iloc[SAMPLE_ROWS:]
    new = new[~new.isin(real_ids) & ~new.duplicated()].astype(int)
    assert len(new) > 2_900 and new.min() > real_ids.astype(int).max()


def test_malformed_rows_have_a_date_in_the_id_column(big: SynthSummary,
                                                     big_movies: pd.DataFrame):
    malformed = big_movies[~big_movies["id"].str.fullmatch(r"\d+")]
    assert len(malformed) == big.malformed_rows == 1  # at least one from 1,000 films on
    assert malformed["id"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert malformed["vote_count"].isna().all()  # fewer fields: pandas pads them
    assert malformed.index.min() >= SAMPLE_ROWS  # never inside the real prefix
    budget = big_movies["budget"].dropna()
    assert not budget.str.fullmatch(r"\d+").all()  # budget must be read as text


def test_build_counts_the_malformed_and_repeated_rows_exactly(big: SynthSummary,
                                                              big_movies: pd.DataFrame,
                                                              tmp_path: Path):
    result = build_catalog(raw_dir=big.out_dir, catalog_dir=tmp_path / "catalog")
    assert result.manifest["dataset"] == "synthetic"
    assert result.report.dropped["movies.malformed_id"] == big.malformed_rows == 1
    assert result.report.dropped["movies.duplicate_id"] == big.duplicate_ids == 4
    films = _valid(big_movies).drop_duplicates("id")
    assert result.manifest["films"] == films["release_date"].notna().sum()


def test_credits_cells_are_python_literals_in_the_real_key_order(small: SynthSummary):
    credits = _read(small.out_dir / "credits.csv")
    assert list(credits.columns) == ["cast", "crew", "id"]
    names_with_quote = 0
    for column, keys in (("cast", CAST_KEYS), ("crew", CREW_KEYS)):
        for cell in credits[column]:
            people = ast.literal_eval(cell)
            assert cell == repr(people)  # exact Python repr: quotes, spacing, key order
            for person in people:
                assert list(person) == keys
                assert person["gender"] in (0, 1, 2)
                assert re.fullmatch(r"[0-9a-f]{24}", person["credit_id"])
                path = person["profile_path"]
                assert path is None or re.fullmatch(r"/\w{27}\.jpg", path)
                names_with_quote += "'" in person["name"]
    assert names_with_quote > 0  # written double-quoted, as repr does


def test_credits_follow_the_movies_order(big: SynthSummary, big_movies: pd.DataFrame,
                                         big_credits: pd.DataFrame):
    valid = _valid(big_movies)
    assert big_credits["id"].tolist() == valid["id"].drop_duplicates().tolist()
    assert big.credits_rows == len(big_credits) == BIG - 1 - 4
    assert big.credits_bytes == (big.out_dir / "credits.csv").stat().st_size
    cast_sizes = big_credits["cast"].str.count("'cast_id'")
    assert 8 < cast_sizes.mean() < 20 and (cast_sizes == 0).any()
    some = big_credits.sample(200, random_state=0)
    for cell in some["cast"]:
        people = ast.literal_eval(cell)
        assert [p["order"] for p in people] == list(range(len(people)))
    for cell in some["crew"]:
        assert all(list(p) == CREW_KEYS for p in ast.literal_eval(cell))
    # Popular made-up actors recur across films, as real actors do.
    actors = big_credits["cast"].str.findall(r"'id': (\d+), 'name'").explode().dropna()
    assert actors.value_counts().iloc[0] > 20


@pytest.mark.slow
def test_full_size_has_the_real_files_quirks_and_weight(tmp_path: Path):
    """45,466 films, as the real file: 3 malformed rows, 30 repeated ids, credits about 4 KB
    per row on average with the longest rows well over 100 KB (SOURCES.md)."""
    full = synthesize(tmp_path / "full", films=45_466, seed=0)
    assert (full.malformed_rows, full.duplicate_ids) == (3, 30)
    ids = _read(full.out_dir / "movies_metadata.csv")["id"]
    assert (~ids.str.fullmatch(r"\d+")).sum() == 3
    assert ids[ids.str.fullmatch(r"\d+")].duplicated().sum() == 30
    lengths = []
    with open(full.out_dir / "credits.csv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        lengths = [len(cast) + len(crew) for cast, crew, _id in reader]
    assert len(lengths) == full.credits_rows == 45_466 - 3 - 30
    assert 3_500 < sum(lengths) / len(lengths) < 5_000
    assert max(lengths) > 120_000 and sum(n > 100_000 for n in lengths) >= 5


DIRECTOR = re.compile(r"'id': (\d+), 'job': 'Director', 'name': ('[^']*'|\"[^\"]*\")")


def _directors(cell: str) -> list[tuple[int, str]]:
    """(id, name) of each director (a regex: the format itself is checked elsewhere)."""
    return [(int(i), ast.literal_eval(name)) for i, name in DIRECTOR.findall(cell)]


def test_real_films_keep_their_directors_and_resampled_films_have_one(
    big_movies: pd.DataFrame, big_credits: pd.DataFrame, sample_dir: Path
):
    real = _read(sample_dir / "credits_sample.csv.gz").drop_duplicates("id")
    real_directors = dict(zip(real["id"], real["crew"].map(_directors), strict=True))
    synthetic = dict(zip(big_credits["id"], big_credits["crew"].map(_directors), strict=True))
    for film, directors in real_directors.items():
        assert synthetic[film] == directors

    # A resampled row's source: the real row with the same poster, overview and genres.
    key = ["poster_path", "overview", "genres"]
    sample = big_movies.iloc[:SAMPLE_ROWS].fillna("")
    had_director = sample["id"].map(lambda film: bool(real_directors[film]))
    all_sources_directed = had_director.groupby([sample[k] for k in key]).all()
    resampled = _valid(big_movies).iloc[SAMPLE_ROWS:].drop_duplicates("id").fillna("")
    checked = 0
    for _, row in resampled.iterrows():
        source_key = tuple(row[k] for k in key)
        if all_sources_directed.get(source_key, False):
            assert synthetic[row["id"]], row["id"]
            checked += 1
    assert checked > 2_000


def test_keywords_are_the_source_films(
    big: SynthSummary, big_movies: pd.DataFrame, big_credits: pd.DataFrame, sample_dir: Path
):
    keywords = _read(big.out_dir / "keywords.csv")
    assert keywords["id"].tolist() == big_credits["id"].tolist()
    real = _read(sample_dir / "keywords.csv.gz").drop_duplicates("id").set_index("id")
    cells = dict(zip(keywords["id"], keywords["keywords"], strict=True))
    for film in big_movies["id"].iloc[:SAMPLE_ROWS]:
        expected = real["keywords"].get(film, "[]")
        assert cells[film] == ("[]" if pd.isna(expected) else expected)
    by_poster = dict(zip(big_movies["poster_path"].iloc[:SAMPLE_ROWS], big_movies["id"],
                         strict=False))
    resampled = _valid(big_movies).iloc[SAMPLE_ROWS:]
    checked = 0
    for film, poster in zip(resampled["id"], resampled["poster_path"], strict=True):
        if isinstance(poster, str) and poster in by_poster:
            assert cells[film] == cells[by_poster[poster]]
            checked += 1
    assert checked > 2_000


def test_resampled_values_are_plausible(big_movies: pd.DataFrame):
    resampled = _valid(big_movies).iloc[SAMPLE_ROWS:]
    assert resampled["budget"].str.fullmatch(r"\d+").all()
    dates = pd.to_datetime(resampled["release_date"].dropna(), format="%Y-%m-%d")
    assert dates.dt.year.between(1874, 2020).all()
    assert pd.to_numeric(resampled["vote_average"]).between(0, 10).all()
    assert (pd.to_numeric(resampled["runtime"]).dropna() >= 0).all()
    assert resampled["title"].nunique() > 0.8 * len(resampled)
    same_title = resampled["title"].isin(big_movies["title"].iloc[:SAMPLE_ROWS])
    assert 0.03 < same_title.mean() < 0.15  # about 8% keep their source's title


def test_other_files_are_the_real_ones_and_marker_says_synthetic(
    big: SynthSummary, sample_dir: Path
):
    for name in ("links.csv", "links_small.csv", "ratings_small.csv"):
        assert _text(big.out_dir / name) == _text(sample_dir / f"{name}.gz")
    marker = (big.out_dir / "SYNTHETIC.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in marker and f"--films {BIG} --seed 0" in marker
    assert sorted(p.name for p in big.out_dir.iterdir()) == sorted((*DATA_FILES, "SYNTHETIC.md"))
    assert [p.name for p in big.out_dir.parent.iterdir()] == ["out"]  # no temporary folder left


def test_progress_is_reported_and_a_failure_leaves_nothing(tmp_path: Path):
    calls: list[tuple[int, int]] = []
    synthesize(tmp_path / "ok", films=4_500, seed=0, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(2_000, 4_500), (4_000, 4_500), (4_500, 4_500)]

    def explode(done: int, total: int) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        synthesize(tmp_path / "broken", films=200, seed=0, progress=explode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok"]


def test_replaces_only_synthetic_folders(tmp_path: Path):
    first = synthesize(tmp_path / "out", films=50, seed=0)
    second = synthesize(tmp_path / "out", films=60, seed=0)
    assert len(_read(second.out_dir / "movies_metadata.csv")) == 60
    assert first.out_dir == second.out_dir
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    precious = tmp_path / "raw"
    precious.mkdir()
    (precious / "movies_metadata.csv").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a synthetic"):
        synthesize(precious, films=50, seed=0)
    assert (precious / "movies_metadata.csv").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("films", [0, -3])
def test_films_must_be_positive(tmp_path: Path, films: int):
    with pytest.raises(ValueError, match="films must be at least 1"):
        synthesize(tmp_path / "out", films=films)
    assert not (tmp_path / "out").exists()


def _cli(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "filmoteca.cli", "synth", *args], cwd=cwd,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=120, check=False)


def test_cli_writes_under_the_configured_folder_and_fails_in_one_line(tmp_path: Path):
    env = {"FILMOTECA_SYNTHETIC_DIR": str(tmp_path / "synthetic")}
    done = _cli("--films", "40", "--seed", "3", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "synthetic" / "40-seed3"
    assert len(_read(out / "movies_metadata.csv")) == 40
    assert "--films 40 --seed 3" in (out / "SYNTHETIC.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synthetic"]  # nothing in the cwd

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine", encoding="utf-8")
    failed = _cli("--films", "40", "--out", str(precious), cwd=tmp_path, env=env)
    lines = [line for line in failed.stderr.splitlines() if line.strip()]
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert lines[-1].startswith("error:") and "not a synthetic data directory" in lines[-1]
