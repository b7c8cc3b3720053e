"""Recommendations a user steers (issue 23): from several films, with filters (years, genre,
language) on ``/recomendacion/{titulo}``, ``/recomendacion`` and ``/buscar_descripcion``.

What a filter admits is checked against the raw sample (release year, ``genres`` and
``original_language`` of movies_dataset_sample.csv, read with plain pandas); the score of a
film recommended from several is checked as the sum of its stored scores, added up here.
"""

from __future__ import annotations

import ast

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app

SEVERAL = "/recomendacion"


@pytest.fixture(scope="module")
def raw(clean_movies: pd.DataFrame) -> pd.DataFrame:
    """TMDB id -> year, English genre names, original language, from the raw sample."""
    frame = pd.DataFrame({
        "year": clean_movies["release_date"].str[:4].astype(int),
        "genres": [{g["name"] for g in ast.literal_eval(v)} if isinstance(v, str) else set()
                   for v in clean_movies["genres"]],
        "language": clean_movies["original_language"],
    })
    frame.index = clean_movies["id"].astype(int)
    return frame


def _ids(body: dict) -> list[int]:
    return [film["id"] for film in body["detalle"]]


# --- several films ---------------------------------------------------------------------------


def test_several_films_sum_their_stored_scores(client, catalog) -> None:
    response = client.get(SEVERAL, params={"titulo": ["Toy Story", "Jumanji"]})
    assert response.status_code == 200
    body = response.json()
    assert [(f["consulta"], f["id"], f["interpretacion"]) for f in body["titulos"]] == [
        ("Toy Story", 862, None), ("Jumanji", 8844, None)]
    assert len(body["recomendaciones"]) == 5 and not {862, 8844} & set(_ids(body))
    # the score of each: the sum of the stored scores it has as a neighbour of each input
    summed: dict[int, float] = {}
    for film in (862, 8844):
        for neighbour in catalog.neighbours(catalog.position_of_id[film]):
            film_id = catalog.ids[neighbour.position]
            summed[film_id] = summed.get(film_id, 0.0) + neighbour.score
    expected = sorted((f for f in summed if f not in (862, 8844)),
                      key=lambda f: (-round(summed[f], 6), f))[:5]
    assert _ids(body) == expected
    for film in body["detalle"]:
        assert film["puntaje"] == pytest.approx(summed[film["id"]], abs=1e-4)
        assert film["responde_a"] and set(film["responde_a"]) <= {862, 8844}
        assert all(m.startswith(("como Toy Story: ", "como Jumanji: "))
                   for m in film["motivos"])
    assert body["mensaje"] == ("Películas similares a Toy Story (1995), Jumanji (1995): "
                               + ", ".join(body["recomendaciones"]))


def test_several_films_read_spanish_titles(client) -> None:
    body = client.get(SEVERAL, params={"titulo": ["El padrino", "Casino"]}).json()
    godfather = body["titulos"][0]
    assert (godfather["id"], godfather["titulo"]) == (238, "The Godfather")
    assert godfather["interpretacion"]["metodo"] == "titulo_en_espanol"
    assert 238 not in _ids(body)


@pytest.mark.parametrize("count", [0, 1, 11])
def test_fewer_than_2_or_more_than_10_titles_is_a_422(client, count: int) -> None:
    titles = ["Toy Story", "Jumanji", "Heat", "Casino", "Se7en", "Fargo", "Clueless",
              "Babe", "Braveheart", "Apollo 13", "Batman"][:count]
    response = client.get(SEVERAL, params={"titulo": titles})
    assert response.status_code == 422
    mensaje = response.json()["detail"]["mensaje"]
    if count:
        assert mensaje == (f"Escriba de 2 a 10 títulos (`titulo` repetido: "
                           f"?titulo=A&titulo=B); llegaron {count}.")
    else:
        assert mensaje == "Petición no válida: el parámetro 'titulo' es obligatorio."


def test_titles_not_found_are_named_each_with_suggestions(client) -> None:
    response = client.get(SEVERAL, params={"titulo": ["Toy Stroy", "Jumanji", "Braveheat"]})
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail["mensaje"].startswith("No se encontraron 2 de los 3 títulos: 'Toy Stroy' (¿")
    assert "; 'Braveheat' (¿" in detail["mensaje"]
    # the closest name of each, in turn
    assert detail["sugerencias"][:2] == ["Toy Story", "Braveheart"]
    one = client.get(SEVERAL, params={"titulo": ["Toy Stroy", "Jumanji"]}).json()["detail"]
    assert one["mensaje"].startswith("No se encontró 1 de los 2 títulos: 'Toy Stroy'")


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {"anio_desde": 1990, "anio_hasta": 1999},
    {"anio_desde": 2010},
    {"genero": "Terror"}, {"genero": "horror"}, {"genero": "ciencia ficcion"},
    {"idioma": "fr"}, {"idioma": "francés"},
    {"genero": "Animation", "anio_hasta": 1970},
])
@pytest.mark.parametrize("route", ["/recomendacion/Toy Story", "several", "description"])
def test_every_film_answered_passes_the_filters(client, raw, route: str, params: dict) -> None:
    if route == "several":
        route, params = SEVERAL, {**params, "titulo": ["Toy Story", "Jumanji"]}
    elif route == "description":
        route, params = "/buscar_descripcion", {**params, "q": "unos juguetes cobran vida"}
    response = client.get(route, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    films = body["detalle"] if "detalle" in body else body["resultados"]
    genre = {"Terror": "Horror", "horror": "Horror", "ciencia ficcion": "Science Fiction",
             "Animation": "Animation"}.get(params.get("genero", ""))
    passing = raw[raw["year"].between(params.get("anio_desde", 0), params.get("anio_hasta",
                                                                              9999))
                  & raw["genres"].map(lambda g: genre is None or genre in g)
                  & ((raw["language"] == "fr") if "idioma" in params else True)]
    asked = 5 if "detalle" in body else 10
    # never fewer than asked while enough films pass (from 2010 on, the sample has 5)
    assert len(films) == min(asked, len(set(passing.index) - {862, 8844}))
    for film in films:
        year, genres, language = raw.loc[film["id"], ["year", "genres", "language"]]
        assert film["anio"] == year
        assert params.get("anio_desde", 0) <= year <= params.get("anio_hasta", 9999)
        assert genre is None or genre in genres
        assert "idioma" not in params or language == "fr"
    shown = body["filtros"]
    assert (shown["anio_desde"], shown["anio_hasta"]) == (params.get("anio_desde"),
                                                          params.get("anio_hasta"))
    assert shown["idioma"] == ("fr" if "idioma" in params else None)
    assert " (filtros: " in body["mensaje"]


def test_filters_reach_past_the_stored_neighbours(client, raw) -> None:
    # Toy Story's stored neighbours hold no French film: the wider search finds them by plot
    body = client.get("/recomendacion/Toy Story", params={"idioma": "fr"}).json()
    assert len(body["detalle"]) == 5
    assert all(m == ["búsqueda ampliada: argumento parecido"]
               for m in (f["motivos"] for f in body["detalle"]))


def test_without_filters_nothing_changes(client) -> None:
    plain = client.get("/recomendacion/Toy Story").json()
    assert plain["filtros"] is None
    assert not plain["mensaje"].count("filtros")


def test_without_a_semantic_layer_the_wider_search_uses_genres(catalog, raw) -> None:
    app = create_app(catalog)
    app.state.semantic = None
    with TestClient(app) as client:
        body = client.get("/recomendacion/Toy Story", params={"idioma": "fr"}).json()
    assert len(body["detalle"]) == 5
    toy_story = raw.loc[862, "genres"]
    for film in body["detalle"]:
        assert film["motivos"] == ["búsqueda ampliada: géneros en común"]
        assert raw.loc[film["id"], "language"] == "fr"
    # the first shares the most genres with Toy Story among the French films
    french = raw[raw["language"] == "fr"]
    most = max(len(g & toy_story) for g in french["genres"])
    assert len(raw.loc[body["detalle"][0]["id"], "genres"] & toy_story) == most


@pytest.mark.parametrize(("params", "mensaje", "first"), [
    ({"genero": "animacio"}, "No se reconoce el género 'animacio'. Escriba su nombre en "
     "español o en inglés (Animación, Animation, Terror...).", "Animación"),
    ({"idioma": "klingonés"}, "No se reconoce el idioma 'klingonés'. Escriba su código ISO "
     "639-1 (por ejemplo 'en') o su nombre en español o en inglés.", None),
    ({"anio_desde": 2000, "anio_hasta": 1990}, "Ninguna película puede cumplir los filtros: "
     "anio_desde (2000) es posterior a anio_hasta (1990).", "anio_desde=1990&anio_hasta=2000"),
])
@pytest.mark.parametrize("route", ["/recomendacion/Toy Story", "/buscar_descripcion"])
def test_filters_no_film_can_pass_are_a_404(client, route: str, params: dict, mensaje: str,
                                            first: str | None) -> None:
    response = client.get(route, params={**params, "q": "un tiburón"})
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail["mensaje"] == mensaje
    if first is not None:
        assert detail["sugerencias"][0] == first


@pytest.mark.parametrize(("params", "start"), [
    ({"genero": "ter\tror"}, "El género contiene caracteres de control"),
    ({"idioma": "x" * 201}, "El idioma es demasiado largo"),
    ({"anio_desde": 1500}, "Petición no válida: el parámetro 'anio_desde' debe ser mayor"),
    ({"anio_hasta": "noventa"}, "Petición no válida: el parámetro 'anio_hasta'"),
])
def test_malformed_filters_are_a_422(client, params: dict, start: str) -> None:
    response = client.get("/recomendacion/Toy Story", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]["mensaje"].startswith(start)
