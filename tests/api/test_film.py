"""``/pelicula/{id}``: a film whole, checked field by field against the raw sample files
(read with plain pandas and ``ast``), its errors, and its recommendations."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

#: TMDB genres in Spanish, written by hand (the page shows the Spanish ones).
SPANISH = {"Animation": "Animación", "Comedy": "Comedia", "Family": "Familia",
           "Adventure": "Aventura", "Fantasy": "Fantasía", "Drama": "Drama",
           "Romance": "Romance", "Crime": "Crimen", "Thriller": "Suspense",
           "Action": "Acción"}


def _raw(clean_movies: pd.DataFrame, film_id: int) -> pd.Series:
    return clean_movies[clean_movies["id"] == str(film_id)].iloc[0]


@pytest.mark.parametrize("film_id", [862, 8844, 949, 238])
def test_a_film_page_shows_what_the_raw_files_hold(client, clean_movies, sample_dir: Path,
                                                   film_id: int) -> None:
    raw = _raw(clean_movies, film_id)
    body = client.get(f"/pelicula/{film_id}").json()
    assert (body["id"], body["titulo"], body["fecha_lanzamiento"]) == (
        film_id, raw["title"], raw["release_date"])
    assert body["anio"] == int(raw["release_date"][:4])
    assert body["duracion_min"] == round(float(raw["runtime"]))
    assert body["generos"] == [SPANISH[g["name"]] for g in ast.literal_eval(raw["genres"])]
    assert body["productoras"] == [c["name"] for c in
                                   ast.literal_eval(raw["production_companies"])]
    assert [p["codigo"] for p in body["paises"]] == [
        c["iso_3166_1"] for c in ast.literal_eval(raw["production_countries"])]
    assert body["idioma_original"]["codigo"] == raw["original_language"]
    assert body["sinopsis"] == raw["overview"]
    assert body["votos"] == int(float(raw["vote_count"]))
    assert body["costo"] == float(raw["budget"]) and body["ganancia"] == float(raw["revenue"])
    collection = raw["belongs_to_collection"]
    assert body["coleccion"] == (ast.literal_eval(collection)["name"]
                                 if isinstance(collection, str) else None)
    credits = pd.read_csv(sample_dir / "credits_sample.csv.gz", dtype=str)
    crew = ast.literal_eval(credits[credits["id"] == str(film_id)]["crew"].iloc[0])
    assert body["directores"] == [p["name"] for p in crew if p["job"] == "Director"]
    assert body["reparto"] == []  # the sample's credits have no cast
    links = pd.read_csv(sample_dir / "links.csv.gz", dtype=str)
    imdb = links[links["tmdbId"] == str(film_id)]["imdbId"].iloc[0]
    assert body["enlaces"] == {"tmdb": f"https://www.themoviedb.org/movie/{film_id}",
                               "imdb": f"https://www.imdb.com/title/tt{imdb}/"}
    assert len(body["recomendaciones"]) == 5


def test_spanish_names_of_countries_and_languages(client) -> None:
    body = client.get("/pelicula/862").json()
    assert body["paises"] == [{"codigo": "US", "nombre": "Estados Unidos"}]
    assert body["idioma_original"] == {"codigo": "en", "nombre": "inglés"}
    assert body["mensaje"] == "Toy Story (1995), 81 minutos, de John Lasseter."


def test_the_page_recommends_what_recomendacion_does(client) -> None:
    page = client.get("/pelicula/862").json()
    asked = client.get("/recomendacion/Toy Story").json()
    assert page["recomendaciones"] == asked["detalle"]


def test_an_original_title_is_shown_when_it_differs(client, clean_movies) -> None:
    raw = clean_movies[clean_movies["original_title"] != clean_movies["title"]].iloc[0]
    body = client.get(f"/pelicula/{raw['id']}").json()
    assert body["titulo_original"] == raw["original_title"]
    assert client.get("/pelicula/862").json()["titulo_original"] is None


def test_unknown_and_invalid_ids(client) -> None:
    missing = client.get("/pelicula/99999999")
    assert missing.status_code == 404
    assert missing.json()["detail"]["mensaje"].startswith(
        "No hay ninguna película con el id 99999999 en el catálogo")
    for bad in ("0", "-3", "abc", "1.5"):
        response = client.get(f"/pelicula/{bad}")
        assert response.status_code == 422, bad
        assert response.json()["detail"]["mensaje"].startswith("Petición no válida: el "
                                                               "parámetro 'id'")
