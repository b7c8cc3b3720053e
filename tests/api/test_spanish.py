"""Spanish speakers on the sample catalog (issue 10): Spanish titles wherever a title is
asked, plots described in Spanish or English (``/buscar_descripcion``), colloquial names of
countries and languages.

Expected films come from the hand-labelled sets of ``benchmarks/data/`` (written and checked
by hand against the sample, see their README) and expected numbers from the raw sample with
plain pandas (the ``clean_movies`` fixture), never from the code under test.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from unidecode import unidecode

from filmoteca.api.app import create_app
from filmoteca.config import DESCRIPTION_MAX_LENGTH, DESCRIPTION_MAX_LIMIT
from filmoteca.services.titles import READINGS
from filmoteca.services.vectors import SHIPPED

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
TITLES = pd.read_csv(DATA / "titulos_es.csv", dtype=str)
NOT_FILMS = pd.read_csv(DATA / "no_peliculas.csv", dtype=str)
SPANISH_TABLE = Path(__file__).resolve().parents[2] / "src/filmoteca/etl/data/titulos_es.csv"


def _labelled(typed: str) -> set[int]:
    """The TMDB ids the labelled set accepts for a Spanish title."""
    row = TITLES[TITLES["consulta"] == typed]
    assert len(row) == 1, typed
    return {int(i) for i in row["ids"].iloc[0].split(";")}


def _plain(title: str) -> str:
    """A title compared loosely: lower case, no accents, single spaces, no leading article
    ("Los niños del paraíso" is released as "Niños del paraíso")."""
    words = unidecode(title).lower().split()
    return " ".join(words[1:] if words[0] in ("el", "la", "los", "las") else words)


def _film(clean_movies: pd.DataFrame, film_id: int) -> pd.Series:
    return clean_movies[clean_movies["id"] == str(film_id)].iloc[0]


# --- Spanish titles -------------------------------------------------------------------------


def test_a_spanish_title_is_read_as_the_catalog_title(client, clean_movies) -> None:
    response = client.get("/peliculas_duracion/El padrino")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] in _labelled("El padrino")
    raw = _film(clean_movies, body["id"])
    runtime, year = round(float(raw["runtime"])), int(raw["release_date"][:4])
    assert (body["titulo"], body["duracion_min"], body["anio"]) == (raw["title"], runtime, year)
    assert body["fecha_lanzamiento"] == raw["release_date"]
    reading = body["interpretacion"]
    assert reading == {"consulta": "El padrino", "titulo": raw["title"],
                       "metodo": "titulo_en_espanol", "similitud": None, "anio": None}
    assert body["mensaje"] == (f"'El padrino' es el título en español de '{raw['title']}'. "
                               f"{raw['title']}. Duración: {runtime} minutos. Año: {year}")


def test_a_spanish_title_outside_the_table_is_read_by_the_model(client) -> None:
    # not in the shipped table; the multilingual model reads it (similarity over the
    # shipped threshold, the second candidate far behind)
    body = client.get("/peliculas_duracion/Conduciendo a Miss Daisy").json()
    assert body["id"] in _labelled("Conduciendo a Miss Daisy")
    reading = body["interpretacion"]
    assert reading["metodo"] == "modelo_multilingue" and reading["titulo"] == body["titulo"]
    assert SHIPPED.resolve_at <= reading["similitud"] <= 1
    assert body["mensaje"].startswith(
        f"'Conduciendo a Miss Daisy' se interpretó como '{body['titulo']}'. ")


@pytest.mark.parametrize("typed", ["Volver al futuro", "Regreso al futuro",
                                   "Lo que el viento se llevó", "Parque Jurásico",
                                   "La naranja mecánica", "El rey león", "Duro de matar"])
def test_spanish_titles_of_spain_and_latin_america(client, typed: str) -> None:
    body = client.get(f"/peliculas_duracion/{quote(typed)}").json()
    assert body["id"] in _labelled(typed), body
    reading = body["interpretacion"]
    assert reading["consulta"] == typed
    how = READINGS[reading["metodo"]].format(titulo=body["titulo"])
    assert body["mensaje"].startswith(f"'{typed}' {how}. ")


def test_recommendation_reads_spanish_titles_too(client) -> None:
    spanish = client.get("/recomendacion/Volver al futuro").json()
    english = client.get("/recomendacion/Back to the Future").json()
    assert spanish["id"] in _labelled("Volver al futuro")
    assert english["interpretacion"] is None
    for field in ("titulo", "id", "anio", "recomendaciones", "detalle", "otras_coincidencias"):
        assert spanish[field] == english[field], field
    assert spanish["interpretacion"]["titulo"] == "Back to the Future"
    assert spanish["mensaje"] == ("'Volver al futuro' es el título en español de 'Back to the "
                                  "Future'. " + english["mensaje"])


@pytest.mark.parametrize("url", ["/peliculas_duracion/Toy Story",
                                 "/peliculas_duracion/toy  STORY", "/recomendacion/Toy Story",
                                 "/peliculas_duracion/face off"])
def test_direct_matches_have_no_interpretation(client, url: str) -> None:
    body = client.get(url).json()
    assert body["interpretacion"] is None
    assert not body["mensaje"].startswith("'")


def test_year_of_a_spanish_title(client) -> None:
    assert client.get("/peliculas_duracion/El padrino", params={"anio": 1972}).json()[
        "id"] == 238
    missing = client.get("/peliculas_duracion/El padrino", params={"anio": 1990})
    assert missing.status_code == 404
    detail = missing.json()["detail"]
    assert detail["mensaje"] == ("'El padrino' es el título en español de 'The Godfather', pero "
                                 "no hay ninguna película con ese título del año 1990. Años "
                                 "disponibles: 1972.")
    assert detail["sugerencias"] == ["The Godfather (1972)"]


def test_a_near_typo_keeps_the_plain_404(client) -> None:
    response = client.get("/peliculas_duracion/Toy Stroy")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail["mensaje"] == "No se encontró ninguna película titulada 'Toy Stroy'."
    assert detail["sugerencias"][0] == "Toy Story"


def test_not_confident_puts_the_cross_lingual_candidates_first(client, catalog) -> None:
    # "Perros de la calle" is Reservoir Dogs in Latin America: not in the shipped table, and
    # the model cannot know it (no word in common with the English title), so it is not
    # answered; the candidates it offers are read across languages ("perros" -> "Dogs"),
    # which the fuzzy matcher cannot do.
    response = client.get("/peliculas_duracion/Perros de la calle")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail["mensaje"].startswith(
        "No se encontró ninguna película titulada 'Perros de la calle'. Si es un título en "
        "español")
    fuzzy = catalog.names["titles"].suggest("perros de la calle", 5)
    dogs = [t for t in detail["sugerencias"] if "dog" in t.lower().split()]
    assert len(dogs) >= 3 and not set(dogs) & set(fuzzy)
    assert len(detail["sugerencias"]) == 5


def test_a_title_read_without_confidence_is_the_first_suggestion(client, catalog) -> None:
    # "Rápida y mortal" (The Quick and the Dead in Spain) is read right but not confidently
    # enough to answer: the 404 offers it first; the fuzzy matcher alone does not offer it.
    response = client.get("/peliculas_duracion/Rápida y mortal")
    assert response.status_code == 404
    detail = response.json()["detail"]
    (quick,) = _labelled("Rápida y mortal")
    assert catalog.titles[catalog.position_of_id[quick]] == detail["sugerencias"][0]
    assert detail["sugerencias"][0] not in catalog.names["titles"].suggest(
        "rapida y mortal", 5)


@pytest.mark.parametrize("phrase", NOT_FILMS[NOT_FILMS["tipo"] == "frase"]["consulta"])
def test_a_phrase_that_is_no_film_is_never_answered_as_a_film(client, phrase: str) -> None:
    for path in ("/peliculas_duracion/", "/recomendacion/"):
        assert client.get(path + quote(phrase, safe="")).status_code == 404


def test_without_a_semantic_layer_titles_answer_as_before(catalog) -> None:
    app = create_app(catalog)
    app.state.semantic = None  # a catalog built before Spanish search
    with TestClient(app) as client:
        response = client.get("/peliculas_duracion/Conduciendo a Miss Daisy")
        assert response.status_code == 404
        assert response.json()["detail"]["mensaje"] == (
            "No se encontró ninguna película titulada 'Conduciendo a Miss Daisy'.")
        # the shipped Spanish titles table needs no model
        assert client.get("/peliculas_duracion/El padrino").json()["id"] == 238
        described = client.get("/buscar_descripcion", params={"q": "un tiburón"})
        assert described.status_code == 503
        assert "filmoteca build" in described.json()["detail"]["mensaje"]


# --- descriptions ---------------------------------------------------------------------------


@pytest.mark.parametrize(("q", "film_id", "within"), [
    ("un tiburón aterroriza una playa", 578, 1),                     # Jaws
    ("dinosaurios en un parque de atracciones", 329, 1),             # Jurassic Park
    ("un muñeco vaquero celoso de un juguete astronauta", 862, 3),  # Toy Story
    ("un oficinista con insomnio conoce a un vendedor de jabón y juntos organizan peleas "
     "clandestinas en sótanos", 550, 1),                              # Fight Club
    ("a shark terrorizes a beach town", 578, 1),
    ("a lion cub flees after his father's death and returns to claim the throne", 8587, 1),
])
def test_description_search_finds_the_film(client, clean_movies, q: str, film_id: int,
                                           within: int) -> None:
    response = client.get("/buscar_descripcion", params={"q": q})
    assert response.status_code == 200
    body = response.json()
    assert body["q"] == q and len(body["resultados"]) == 10
    ids = [hit["id"] for hit in body["resultados"]]
    assert film_id in ids[:within], [hit["titulo"] for hit in body["resultados"]]
    assert len(set(ids)) == 10
    for hit in body["resultados"][:3]:
        raw = _film(clean_movies, hit["id"])
        assert (hit["titulo"], hit["anio"]) == (raw["title"], int(raw["release_date"][:4]))
        assert -1 <= hit["similitud"] <= 1
    first = body["resultados"][0]
    assert body["mensaje"].startswith(
        f"Películas cuyo argumento se parece a '{q}': {first['titulo']} ({first['anio']}), ")
    assert body["mensaje"].endswith(" y 7 más.")


def test_description_limit(client) -> None:
    for limite in (1, DESCRIPTION_MAX_LIMIT):
        body = client.get("/buscar_descripcion",
                          params={"q": "una historia de amor", "limite": limite}).json()
        assert len(body["resultados"]) == limite


@pytest.mark.parametrize(("params", "message"), [
    ({"q": ""}, "La descripción es demasiado corta"),
    ({"q": "ab"}, "La descripción es demasiado corta"),
    ({"q": "   "}, "La descripción es demasiado corta"),
    ({"q": "x" * (DESCRIPTION_MAX_LENGTH + 1)},
     f"La descripción es demasiado larga: 501 caracteres (máximo {DESCRIPTION_MAX_LENGTH})."),
    ({"q": "un\ttiburón"}, "La descripción contiene caracteres de control"),
    ({}, "Petición no válida: el parámetro 'q' es obligatorio."),
    ({"q": "tiburón", "limite": 0},
     "Petición no válida: el parámetro 'limite' debe ser mayor o igual que 1."),
    ({"q": "tiburón", "limite": DESCRIPTION_MAX_LIMIT + 1},
     f"Petición no válida: el parámetro 'limite' debe ser menor o igual que "
     f"{DESCRIPTION_MAX_LIMIT}."),
    ({"q": "tiburón", "limite": "diez"},
     "Petición no válida: el parámetro 'limite' debe ser un número entero."),
])
def test_description_422_in_spanish(client, params: dict, message: str) -> None:
    response = client.get("/buscar_descripcion", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]["mensaje"].startswith(message)


def test_description_at_the_length_bounds(client) -> None:
    assert client.get("/buscar_descripcion", params={"q": "mar"}).status_code == 200
    longest = ("un tiburón " * 60)[:DESCRIPTION_MAX_LENGTH]
    assert client.get("/buscar_descripcion", params={"q": longest}).status_code == 200
    nothing = client.get("/buscar_descripcion", params={"q": "¿¡!?"}).json()
    assert nothing["resultados"] == []


# --- colloquial names -----------------------------------------------------------------------


def _country_count(clean_movies: pd.DataFrame, code: str) -> int:
    return int(clean_movies["production_countries"].fillna("").str.contains(
        f"'iso_3166_1': '{code}'", regex=False).sum())


@pytest.mark.parametrize(("typed", "code", "name"), [
    ("EEUU", "US", "Estados Unidos"), ("EE. UU.", "US", "Estados Unidos"),
    ("EE.UU.", "US", "Estados Unidos"), ("ee uu", "US", "Estados Unidos"),
    ("USA", "US", "Estados Unidos"), ("UK", "GB", "Reino Unido"),
    ("Gran Bretaña", "GB", "Reino Unido"), ("Holanda", "NL", "Países Bajos"),
])
def test_colloquial_country_names(client, clean_movies, typed: str, code: str,
                                  name: str) -> None:
    body = client.get(f"/peliculas_pais/{quote(typed)}").json()
    assert (body["codigo"], body["pais"]) == (code, name)
    assert body["cantidad"] == _country_count(clean_movies, code)


@pytest.mark.parametrize(("typed", "code", "name", "english"), [
    ("castellano", "es", "español", "Spanish"),
    ("cantonés", "cn", "cantonés", "Cantonese"), ("Cantonese", "cn", "cantonés", "Cantonese"),
    ("cantones", "cn", "cantonés", "Cantonese"), ("yue", "cn", "cantonés", "Cantonese"),
    ("cn", "cn", "cantonés", "Cantonese"), ("xx", "xx", "sin idioma", "No Language"),
    ("mandarín", "zh", "chino", "Chinese"),
])
def test_colloquial_language_names_and_tmdb_codes(client, clean_movies, typed: str, code: str,
                                                  name: str, english: str) -> None:
    body = client.get(f"/peliculas_idioma/{quote(typed)}").json()
    assert (body["idioma"], body["nombre"], body["nombre_ingles"]) == (code, name, english)
    assert body["cantidad"] == int((clean_movies["original_language"] == code).sum())


def test_cantonese_has_its_films(clean_movies) -> None:
    assert int((clean_movies["original_language"] == "cn").sum()) == 14  # issue 10's count


@pytest.mark.parametrize(("url", "suggestion"), [
    ("/peliculas_pais/EEUUU", "Estados Unidos (US)"),
    ("/peliculas_idioma/cantonesa", "cantonés (cn)"),
])
def test_aliases_appear_in_suggestions(client, url: str, suggestion: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert suggestion in response.json()["detail"]["sugerencias"]


def test_the_docs_examples_are_real_answers(client) -> None:
    """The examples /docs shows for the new answers are what the sample answers."""
    from filmoteca.services.answers import DescriptionAnswer, DurationAnswer

    spanish = DurationAnswer.model_config["json_schema_extra"]["examples"][1]  # type: ignore[index]
    typed = spanish["interpretacion"]["consulta"]
    assert client.get(f"/peliculas_duracion/{quote(typed)}").json() == spanish
    described = DescriptionAnswer.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    answer = client.get("/buscar_descripcion", params={
        "q": described["q"], "limite": len(described["resultados"])}).json()
    assert answer == described


# --- precision across the catalog -----------------------------------------------------------


@pytest.mark.slow
def test_spanish_titles_are_right_at_least_97_times_in_100_in_every_decile(client,
                                                                           catalog) -> None:
    """Every title of the labelled set drawn from all popularity deciles
    (``titulos_es_catalogo.csv``), through the served route: of the films answered, at least
    97 in 100 are the labelled one (or a film released under the same title, answered with
    the labelled one among ``otras_coincidencias``), overall and in every decile. The model's
    rule was chosen on this set (see reports/busqueda.md for the cross-validated figure):
    this is a regression guard, counted independently of the benchmark's code. A film the
    shipped table lists under the typed Spanish title is a homonym, not a wrong answer
    ("Vidas al límite" is both Total Eclipse and Bringing Out the Dead in Spain)."""
    labelled = pd.read_csv(DATA / "titulos_es_catalogo.csv", dtype=str)
    table = pd.read_csv(SPANISH_TABLE, dtype=str)
    released_as = {(int(film), _plain(title))
                   for film, title in zip(table["id"], table["titulo_es"], strict=True)}
    counts: dict[str, list[int]] = {}
    for row in labelled.itertuples():
        response = client.get("/peliculas_duracion/" + quote(row.titulo_es, safe=""))
        assert response.status_code in (200, 404), row.titulo_es
        if response.status_code == 404:
            continue
        body = response.json()
        answered = {body["id"], *(other["id"] for other in body["otras_coincidencias"])}
        right = int(row.id) in answered
        if not right and (body["id"], _plain(row.titulo_es)) in released_as:
            continue  # another film released under the same Spanish title: a homonym
        for group in ("all", row.decil):
            counts.setdefault(group, [0, 0])[0 if right else 1] += 1
    right, wrong = counts["all"]
    assert right >= 0.29 * len(labelled)  # answered right, of all the labelled titles
    for group, (right, wrong) in counts.items():
        assert wrong <= 0.03 * (right + wrong), (group, right, wrong)
