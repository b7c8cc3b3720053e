"""The EDA report on the sample catalog: every figure is written as a real PNG, the page says
which dataset it describes, and findings quote numbers that an independent pandas
computation on the raw file reproduces (expected sentences are written by hand, never with
the EDA's own formatting functions). Also the thin notebook runs end to end."""

from __future__ import annotations

import ast
import re
import struct
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from filmoteca.analysis.eda.notebook import default_notebook, execute_notebook
from filmoteca.analysis.eda.report import FIGURES, make_eda
from filmoteca.analysis.eda.sections import SECTION_KEYS, SECTIONS
from filmoteca.catalog.store import CatalogError
from filmoteca.cli import app

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class RecordingProgress:
    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.advanced = 0

    def start(self, stage: str, total: int | None = None) -> None:
        self.stages.append((stage, total))

    def advance(self, units: int = 1) -> None:
        self.advanced += units


@pytest.fixture(scope="module")
def eda_run(catalog_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("eda")
    progress = RecordingProgress()
    index = make_eda(catalog_dir, out, progress=progress)
    return index, progress


@pytest.fixture(scope="module")
def page(eda_run) -> str:
    return eda_run[0].read_text(encoding="utf-8")


def _kept_films(raw: pd.DataFrame) -> pd.DataFrame:
    """The course's row rules written the plain way (integer id, first of each id, a date)."""
    df = raw[raw["id"].str.fullmatch(r"\d+").fillna(False)].drop_duplicates("id")
    return df[pd.to_datetime(df["release_date"], format="%Y-%m-%d", errors="coerce").notna()]


def test_every_figure_is_a_real_png(eda_run):
    index, _ = eda_run
    assert index.name == "index.html"
    figures = sorted(p.stem for p in (index.parent / FIGURES).glob("*.png"))
    assert figures == sorted(SECTION_KEYS)
    for key in SECTION_KEYS:
        data = (index.parent / FIGURES / f"{key}.png").read_bytes()
        assert data.startswith(PNG_MAGIC), key
        width, height = struct.unpack(">II", data[16:24])
        assert width >= 600 and height >= 400, (key, width, height)
        assert len(data) > 15_000, f"{key}.png looks empty ({len(data)} bytes)"


def test_page_is_spanish_names_the_dataset_and_shows_every_figure(page: str):
    assert '<html lang="es">' in page
    assert "muestra real" in page and "2.993 películas" in page
    for key in SECTION_KEYS:
        assert f'src="{FIGURES}/{key}.png"' in page
    findings = re.findall(r'<p class="finding">(.*?)</p>', page)
    assert len(findings) == 13  # one per figure, counted on the page by hand
    assert all(re.search(r"\d", finding) for finding in findings)  # each quotes a number
    assert not [f for f in findings if re.search(r"\b(nan|inf|None)\b", f)]


def test_progress_reports_each_figure(eda_run):
    _, progress = eda_run
    assert ("EDA: figures", len(SECTIONS)) in progress.stages
    assert progress.advanced == len(SECTIONS)


# The findings below are checked twice, independently of the EDA code: plain pandas on the
# raw sample gives the numbers, which are compared with values written here by hand, and the
# page must contain the sentence with those numbers written by hand the Spanish way.


def test_missing_values_before_cleaning_match_the_raw_file(page: str, raw_movies):
    empty = int(raw_movies.isna().sum().sum())
    worst = raw_movies.isna().mean().sort_values(ascending=False)
    assert (empty, worst.index[0], round(100 * worst.iloc[0], 1)) == (6041, "homepage", 93.8)
    assert "(2.996 filas, 24 columnas) hay 6.041 celdas vacías" in page
    assert "las columnas más incompletas son homepage (93,8 %)" in page


def test_runtime_finding_matches_pandas(page: str, raw_movies):
    films = _kept_films(raw_movies)
    runtime = pd.to_numeric(films["runtime"], errors="coerce")
    valid = runtime[runtime > 0]
    assert (valid.median(), valid.quantile(0.25), valid.quantile(0.75)) == (102, 93, 115)
    assert (len(films) - len(valid), round(100 * (len(films) - len(valid)) / len(films), 1)) \
        == (39, 1.3)
    assert "La duración mediana es de 102 minutos" in page
    assert "dura entre 93 y 115 minutos" in page
    assert "39 películas (1,3 %) no tienen duración" in page


def test_language_and_money_findings_match_pandas(page: str, raw_movies):
    films = _kept_films(raw_movies)
    counts = films["original_language"].value_counts()
    assert (counts.index[0], counts.iloc[0], round(100 * counts.iloc[0] / len(films), 1)) \
        == ("en", 2680, 89.5)
    assert "El más frecuente es el inglés (en), con 2.680 películas (89,5 %)" in page
    budget = pd.to_numeric(films["budget"], errors="coerce").fillna(0)
    assert round(100 * (budget > 0).sum() / len(films), 1) == 46.5
    assert "Solo 46,5 % de las películas tiene presupuesto conocido" in page


def test_years_finding_matches_pandas(page: str, raw_movies):
    films = _kept_films(raw_movies)
    years = films["release_date"].str[:4].astype(int)
    decade = (years // 10 * 10).value_counts()
    assert (years.min(), years.max(), years.median()) == (1919, 2013, 1994)
    assert (decade.index[0], decade.iloc[0], years.value_counts().index[0]) == (1990, 1998, 1996)
    assert "El catálogo va de 1919 a 2013, con un año mediano de 1994" in page
    assert "La década con más estrenos es la de 1990 (1.998 películas, 66,8 % del total)" in page


def test_country_finding_matches_pandas(page: str, raw_movies):
    films = _kept_films(raw_movies)
    countries = films["production_countries"].fillna("[]").map(ast.literal_eval)
    codes = countries.map(lambda cell: {c["iso_3166_1"] for c in cell})
    everywhere = set().union(*codes)
    us = int(codes.map(lambda c: "US" in c).sum())
    several = int(codes.map(lambda c: len(c) > 1).sum())
    none = int(codes.map(lambda c: not c).sum())
    assert (len(everywhere), us, none) == (67, 2220, 213)
    assert (round(100 * us / len(films), 1), round(100 * several / len(films), 1)) == (74.2, 18.4)
    assert "Participan 67 países. Estados Unidos figura en 2.220 películas (74,2 %)" in page
    assert "18,4 % de las películas son coproducciones" in page
    assert "213 (7,1 %) no declaran país" in page


def test_director_finding_matches_the_credits_file(page: str, sample_dir: Path):
    credits = pd.read_csv(sample_dir / "credits_sample.csv.gz", dtype=str)
    kept = set(_kept_films(pd.read_csv(sample_dir / "movies_dataset_sample.csv.gz", dtype=str,
                                       keep_default_na=False, na_values=[""]))["id"])
    pairs = {(person["name"], film)
             for film, crew in zip(credits["id"], credits["crew"], strict=True) if film in kept
             for person in ast.literal_eval(crew) if person["job"] == "Director"}
    films_per_director = pd.Series([name for name, _ in pairs]).value_counts()
    assert len(films_per_director) == 1757
    assert (films_per_director.index[0], films_per_director.iloc[0]) == ("Alfred Hitchcock", 52)
    assert round(100 * (films_per_director == 1).mean(), 1) == 66.1
    assert "Hay 1.757 directores" in page and "66,1 % dirigió una sola" in page
    assert "El más prolífico es Alfred Hitchcock, con 52 películas" in page


def test_missing_catalog_is_one_line_saying_to_build(tmp_path: Path):
    with pytest.raises(CatalogError) as info:
        make_eda(tmp_path / "nothing", tmp_path / "out")
    message = str(info.value)
    assert "filmoteca build" in message and "\n" not in message
    result = CliRunner().invoke(app, ["eda", "--catalog", str(tmp_path / "nothing"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1


def test_notebook_runs_with_the_same_functions(catalog_dir: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FILMOTECA_CATALOG_DIR", str(catalog_dir))
    out = execute_notebook(default_notebook(), tmp_path / "eda.ipynb")
    notebook = nbformat.read(out, as_version=4)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == len(SECTIONS)
    assert "sample" in str(outputs[0]["data"]["text/markdown"])
