"""The HTTP API over the sample catalog: paths, fields, status codes, Spanish errors."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import pytest


def test_health(client, sample_build) -> None:
    body = client.get("/health").json()
    assert body["estado"] == "ok"
    assert body["datos"] == "sample"
    assert body["peliculas"] == sample_build.manifest["films"]
    assert body["construido"] == sample_build.manifest["built_at"]


def test_home_page_and_docs(client) -> None:
    home = client.get("/")
    assert home.status_code == 200 and "text/html" in home.headers["content-type"]
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/peliculas_idioma/{idioma}", "/peliculas_duracion/{pelicula}",
                 "/franquicia/{franquicia}", "/peliculas_pais/{pais}",
                 "/productoras_exitosas/{productora}", "/get_director/{nombre_director}",
                 "/recomendacion/{titulo}", "/buscar", "/health"):
        assert path in paths


def test_every_response_has_server_timing(client) -> None:
    response = client.get("/peliculas_idioma/en")
    assert response.headers["server-timing"].startswith("app;dur=")


@pytest.mark.parametrize("typed", ["en", "English", "inglés", "ingles"])
def test_language(client, clean_movies: pd.DataFrame, typed: str) -> None:
    expected = int((clean_movies["original_language"] == "en").sum())
    body = client.get(f"/peliculas_idioma/{quote(typed)}").json()
    assert body == {
        "idioma": "en", "nombre": "inglés", "nombre_ingles": "English", "cantidad": expected,
        "mensaje": f"{expected:,}".replace(",", ".")
        + " cantidad de películas fueron estrenadas en idioma inglés",
    }


def test_duration_with_anio(client) -> None:
    body = client.get("/peliculas_duracion/Cape Fear", params={"anio": 1962}).json()
    assert (body["id"], body["duracion_min"], body["anio"]) == (11349, 105, 1962)
    assert body["otras_coincidencias"] == [{"id": 1598, "titulo": "Cape Fear", "anio": 1991}]
    assert body["mensaje"] == "Cape Fear. Duración: 105 minutos. Año: 1962"


def test_title_with_slash(client) -> None:
    assert client.get("/peliculas_duracion/" + quote("Face/Off", safe="")).json()["id"] == 754


def test_money_is_numeric(client) -> None:
    body = client.get("/franquicia/Star Wars").json()
    assert isinstance(body["ganancia_total"], float)
    assert isinstance(body["ganancia_promedio"], float)
    body = client.get("/productoras_exitosas/Pixar Animation Studios").json()
    assert isinstance(body["ganancia_total"], float) and body["cantidad"] >= 1
    body = client.get("/get_director/John Lasseter").json()
    assert {"titulo", "fecha_lanzamiento", "retorno", "costo", "ganancia"} <= set(
        body["peliculas"][0])


def test_country(client) -> None:
    a = client.get("/peliculas_pais/US").json()
    b = client.get("/peliculas_pais/United States of America").json()
    c = client.get("/peliculas_pais/Estados Unidos").json()
    assert a == b == c and a["codigo"] == "US"


def test_recommendation(client) -> None:
    body = client.get("/recomendacion/toy story").json()
    assert body["titulo"] == "Toy Story"
    assert len(body["recomendaciones"]) == 5
    assert [d["titulo"] for d in body["detalle"]] == body["recomendaciones"]
    assert all({"id", "titulo", "anio", "puntaje", "motivos"} <= set(d) for d in body["detalle"])


def test_search(client) -> None:
    body = client.get("/buscar", params={"q": "toy", "limite": 2}).json()
    assert body["total"] >= 2 and len(body["resultados"]) == 2
    assert body["resultados"][0]["titulo"] == "Toy Story"


@pytest.mark.parametrize(("url", "expected"), [
    ("/peliculas_duracion/toy stori", "Toy Story"),
    ("/recomendacion/toy stori", "Toy Story"),
    ("/get_director/stven spielberg", "Steven Spielberg"),
    ("/franquicia/star warz", "Star Wars Collection"),
])
def test_404_with_suggestions(client, url: str, expected: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail["mensaje"].startswith("No se encontró")
    assert expected in detail["sugerencias"] and len(detail["sugerencias"]) <= 5


ENDPOINTS = ["/peliculas_idioma/", "/peliculas_duracion/", "/franquicia/", "/peliculas_pais/",
             "/productoras_exitosas/", "/get_director/", "/recomendacion/"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("typed", "words"), [
    ("", "Falta"), ("%20%20", "Falta"), ("x" * 201, "demasiado largo"),
    ("toy%0Astory", "caracteres de control"), ("a%00", "caracteres de control"),
])
def test_422_in_spanish(client, endpoint: str, typed: str, words: str) -> None:
    response = client.get(endpoint + typed)
    assert response.status_code == 422
    assert words in response.json()["detail"]["mensaje"]


@pytest.mark.parametrize(("query", "mensaje"), [
    ("q=", "Falta el texto a buscar: escriba al menos un carácter."),
    ("q=" + "x" * 201,
     "El texto a buscar es demasiado largo: 201 caracteres (máximo 200)."),
    ("q=a%09b", "El texto a buscar contiene caracteres de control (saltos de línea, "
                "tabuladores u otros invisibles); escríbalo como texto normal."),
    ("", "Petición no válida: el parámetro 'q' es obligatorio."),
    ("q=a&limite=0", "Petición no válida: el parámetro 'limite' debe ser mayor o igual que 1."),
    ("q=a&limite=abc", "Petición no válida: el parámetro 'limite' debe ser un número entero."),
    ("q=a&pagina=-1", "Petición no válida: el parámetro 'pagina' debe ser mayor o igual que 1."),
    ("q=a&limite=51", "Petición no válida: el parámetro 'limite' debe ser menor o igual que 50."),
])
def test_search_422(client, query: str, mensaje: str) -> None:
    response = client.get("/buscar?" + query)
    assert response.status_code == 422
    assert response.json() == {"detail": {"mensaje": mensaje, "sugerencias": []}}


def test_anio_422(client) -> None:
    response = client.get("/peliculas_duracion/Cape Fear?anio=mil")
    assert response.status_code == 422
    assert "anio" in response.json()["detail"]["mensaje"]


def test_unknown_route_and_method_in_spanish(client) -> None:
    response = client.get("/no_existe")
    assert response.status_code == 404 and "No existe la ruta" in response.json()[
        "detail"]["mensaje"]
    assert client.post("/health").status_code == 405
