"""The six questions against values computed independently from the raw sample (pandas)."""

from __future__ import annotations

import ast

import pandas as pd
import pytest

from filmoteca.config import get_settings
from filmoteca.services import questions
from filmoteca.services.catalog import Catalog
from filmoteca.services.matching import InvalidInput, NotFound


def _records(cell: object) -> list[dict]:
    if not isinstance(cell, str):
        return []
    try:
        value = ast.literal_eval(cell)
    except (ValueError, SyntaxError):
        return []
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


@pytest.mark.parametrize("typed", ["fr", "FR", "French", "francés", "Frances", "  FRANCÉS "])
def test_language_by_code_and_names(catalog: Catalog, clean_movies: pd.DataFrame,
                                    typed: str) -> None:
    expected = int((clean_movies["original_language"] == "fr").sum())
    answer = questions.peliculas_idioma(catalog, typed)
    assert (answer.idioma, answer.cantidad) == ("fr", expected)
    assert answer.mensaje == (
        f"{expected} cantidad de películas fueron estrenadas en idioma francés"
    )


@pytest.mark.parametrize("typed", ["en", "English", "inglés", "ingles", "INGLÉS"])
def test_english_aliases(catalog: Catalog, clean_movies: pd.DataFrame, typed: str) -> None:
    expected = int((clean_movies["original_language"] == "en").sum())
    answer = questions.peliculas_idioma(catalog, typed)
    assert (answer.idioma, answer.nombre, answer.cantidad) == ("en", "inglés", expected)
    # Spanish thousands separator in the sentence, plain integer in the field.
    assert answer.mensaje.startswith(f"{expected:,}".replace(",", ".") + " cantidad")


def test_known_language_without_films_is_zero(catalog: Catalog,
                                              clean_movies: pd.DataFrame) -> None:
    assert not (clean_movies["original_language"] == "eu").any()  # Basque: none in sample
    assert questions.peliculas_idioma(catalog, "euskera").cantidad == 0


def test_duration_by_hand(catalog: Catalog) -> None:
    answer = questions.peliculas_duracion(catalog, "toy story")
    assert (answer.titulo, answer.id, answer.duracion_min, answer.anio) == (
        "Toy Story", 862, 81, 1995)
    assert answer.mensaje == "Toy Story. Duración: 81 minutos. Año: 1995"
    assert answer.otras_coincidencias == []


def test_duplicated_title_most_voted_then_anio(catalog: Catalog,
                                                clean_movies: pd.DataFrame) -> None:
    rows = clean_movies[clean_movies["title"] == "Cape Fear"].sort_values(
        "vote_count_n", ascending=False)
    assert len(rows) == 2
    top, other = rows.iloc[0], rows.iloc[1]
    answer = questions.peliculas_duracion(catalog, "CAPE FEAR")
    assert answer.id == int(top["id"])
    assert answer.anio == int(top["release_date"][:4])
    assert [(o.id, o.anio) for o in answer.otras_coincidencias] == [
        (int(other["id"]), int(other["release_date"][:4]))]
    picked = questions.peliculas_duracion(catalog, "cape fear", anio=int(other["release_date"][:4]))
    assert picked.id == int(other["id"])
    assert picked.duracion_min == int(float(other["runtime"]))
    assert [o.id for o in picked.otras_coincidencias] == [int(top["id"])]
    with pytest.raises(NotFound) as missing:
        questions.peliculas_duracion(catalog, "cape fear", anio=2001)
    assert "2001" in missing.value.mensaje
    assert missing.value.sugerencias  # the years that exist


def test_title_typo_suggests(catalog: Catalog) -> None:
    with pytest.raises(NotFound) as missing:
        questions.peliculas_duracion(catalog, "toy stori")
    assert "Toy Story" in missing.value.sugerencias
    assert len(missing.value.sugerencias) <= get_settings().max_suggestions


def test_accents_in_titles(catalog: Catalog, clean_movies: pd.DataFrame) -> None:
    accented = clean_movies[clean_movies["title"] == "Les Misérables"].iloc[0]
    answer = questions.peliculas_duracion(catalog, "LES MISERABLES", anio=int(
        accented["release_date"][:4]))
    assert answer.id == int(accented["id"])


def _collection_films(clean_movies: pd.DataFrame, name: str) -> pd.DataFrame:
    names = clean_movies["belongs_to_collection"].map(
        lambda cell: {r.get("name") for r in _records(cell)})
    return clean_movies[names.map(lambda s: name in s)]


@pytest.mark.parametrize("typed", ["Star Wars Collection", "star wars", "STAR  WARS"])
def test_collection_with_and_without_suffix(catalog: Catalog, clean_movies: pd.DataFrame,
                                            typed: str) -> None:
    films = _collection_films(clean_movies, "Star Wars Collection")
    total = float(films["revenue_n"].sum())
    answer = questions.franquicia(catalog, typed)
    assert answer.franquicia == "Star Wars Collection"
    assert answer.cantidad == len(films) > 1
    assert answer.ganancia_total == pytest.approx(total)
    assert answer.ganancia_promedio == pytest.approx(total / len(films))
    assert answer.mensaje.startswith(
        f"La franquicia Star Wars Collection posee {len(films)} películas, una ganancia "
        "total de US$ ")


def _country_count(clean_movies: pd.DataFrame, code: str) -> int:
    return int(clean_movies["production_countries"].map(
        lambda cell: any(r.get("iso_3166_1") == code for r in _records(cell))).sum())


@pytest.mark.parametrize("typed", ["US", "us", "United States of America", "United States",
                                   "Estados Unidos", "estados unidos"])
def test_country_aliases(catalog: Catalog, clean_movies: pd.DataFrame, typed: str) -> None:
    expected = _country_count(clean_movies, "US")
    answer = questions.peliculas_pais(catalog, typed)
    assert (answer.codigo, answer.pais, answer.cantidad) == ("US", "Estados Unidos", expected)
    assert answer.mensaje == (
        f"Se produjeron {expected:,} películas en el país Estados Unidos".replace(",", "."))


def test_country_spanish_name_with_accent(catalog: Catalog, clean_movies: pd.DataFrame) -> None:
    expected = _country_count(clean_movies, "ES")
    assert questions.peliculas_pais(catalog, "España").cantidad == expected
    assert questions.peliculas_pais(catalog, "espana").cantidad == expected


def test_company(catalog: Catalog, clean_movies: pd.DataFrame) -> None:
    has = clean_movies["production_companies"].map(
        lambda cell: any(r.get("name") == "Pixar Animation Studios" for r in _records(cell)))
    films = clean_movies[has]
    answer = questions.productoras_exitosas(catalog, "pixar animation studios")
    assert answer.productora == "Pixar Animation Studios"
    assert answer.cantidad == len(films)
    assert answer.ganancia_total == pytest.approx(float(films["revenue_n"].sum()))
    assert answer.mensaje == "La productora Pixar Animation Studios ha tenido un revenue de " \
        "US$ " + f"{round(films['revenue_n'].sum()):,}".replace(",", ".")


def test_company_without_punctuation(catalog: Catalog) -> None:
    assert questions.productoras_exitosas(catalog, "warner bros").productora == "Warner Bros."


def test_director(catalog: Catalog, clean_movies: pd.DataFrame, sample_dir) -> None:
    credits = pd.read_csv(sample_dir / "credits_sample.csv.gz", dtype=str)
    ids = {
        int(row.id) for row in credits.itertuples()
        if any(r.get("job") == "Director" and r.get("name") == "Alfred Hitchcock"
               for r in _records(row.crew))
    }
    films = clean_movies[clean_movies["id"].astype(int).isin(ids)]
    ratio = (films["revenue_n"] / films["budget_n"]).where(
        (films["revenue_n"] > 0) & (films["budget_n"] > 0), 0.0)
    answer = questions.get_director(catalog, "alfred HITCHCOCK")
    assert answer.director == "Alfred Hitchcock"
    assert answer.cantidad == len(films) == len(answer.peliculas)
    assert answer.retorno_total == pytest.approx(float(ratio.sum()))
    by_id = {p.id: p for p in answer.peliculas}
    for row, expected_return in zip(films.itertuples(), ratio, strict=True):
        film = by_id[int(row.id)]
        assert film.fecha_lanzamiento == row.release_date
        assert film.costo == pytest.approx(row.budget_n)
        assert film.ganancia == pytest.approx(row.revenue_n)
        assert film.retorno == pytest.approx(expected_return, rel=1e-5)
    dates = [p.fecha_lanzamiento for p in answer.peliculas]
    assert dates == sorted(dates)


@pytest.mark.parametrize("function", [
    questions.peliculas_idioma, questions.peliculas_duracion, questions.franquicia,
    questions.peliculas_pais, questions.productoras_exitosas, questions.get_director,
])
@pytest.mark.parametrize("typed", ["", "   ", "x" * 201, "toy\nstory", "a\x00b", "\t"])
def test_invalid_input(catalog: Catalog, function, typed: str) -> None:
    with pytest.raises(InvalidInput):
        function(catalog, typed)


@pytest.mark.parametrize(("function", "typo", "expected"), [
    (questions.peliculas_idioma, "fracés", "francés (fr)"),
    (questions.peliculas_pais, "Estados Unidoss", "Estados Unidos (US)"),
    (questions.franquicia, "Star Warz", "Star Wars Collection"),
    (questions.productoras_exitosas, "Pixar Animation Studio", "Pixar Animation Studios"),
    (questions.get_director, "Stven Spielberg", "Steven Spielberg"),
])
def test_not_found_suggestions(catalog: Catalog, function, typo: str, expected: str) -> None:
    with pytest.raises(NotFound) as missing:
        function(catalog, typo)
    assert expected in missing.value.sugerencias
    assert len(missing.value.sugerencias) <= 5


def test_two_hundred_characters_is_valid_but_not_found(catalog: Catalog) -> None:
    with pytest.raises(NotFound):
        questions.peliculas_duracion(catalog, "x" * 200)
