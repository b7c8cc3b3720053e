"""The published contract (OpenAPI, /docs) states exactly what the server enforces.

The rules of a name are published as JSON Schema keywords (``minLength``, ``maxLength``,
``pattern``) and enforced by the service; these tests check the two agree, character by
character, with an independent validator (jsonschema-rs, the engine schemathesis uses,
which reads ``pattern`` in the ECMA dialect of JSON Schema), and that both follow the
settings. Also: the numeric ranges, the declared error bodies, and the 503 without catalog.
"""

from __future__ import annotations

import re
import sys
from urllib.parse import quote

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from filmoteca.api.app import create_app
from filmoteca.api.errors import ErrorResponse
from filmoteca.config import (
    DESCRIPTION_MAX_LENGTH,
    DESCRIPTION_MAX_LIMIT,
    DESCRIPTION_MIN_LENGTH,
    MAX_YEAR,
    MIN_YEAR,
    SEARCH_MAX_LIMIT,
    SEARCH_MAX_PAGE,
    Settings,
    get_settings,
)
from filmoteca.services.catalog import Catalog
from filmoteca.services.descriptions import clean_description
from filmoteca.services.matching import NAME_PATTERN, SPACE_CLASS, InvalidInput, clean_input

QUESTIONS = {
    "/peliculas_idioma/{idioma}": "idioma", "/peliculas_duracion/{pelicula}": "pelicula",
    "/franquicia/{franquicia}": "franquicia", "/peliculas_pais/{pais}": "pais",
    "/productoras_exitosas/{productora}": "productora",
    "/get_director/{nombre_director}": "nombre_director", "/recomendacion/{titulo}": "titulo",
}


def _parameters(openapi: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in openapi["paths"][path]["get"]["parameters"]}


def _name_parameters(openapi: dict) -> list[dict]:
    found = [_parameters(openapi, path)[name] for path, name in QUESTIONS.items()]
    several = dict(_parameters(openapi, "/recomendacion")["titulo"])
    several["schema"] = several["schema"]["items"]  # each title of the list, same rules
    return [*found, _parameters(openapi, "/buscar")["q"], several]


def test_every_name_publishes_its_rules() -> None:
    limit = get_settings().max_input_length
    openapi = create_app().openapi()
    for parameter in _name_parameters(openapi):
        schema = parameter["schema"]
        assert (schema["minLength"], schema["maxLength"], schema["pattern"]) == (
            1, limit, NAME_PATTERN), parameter["name"]
        assert parameter["required"] is True
        description = parameter["description"]  # what /docs shows
        assert f"De 1 a {limit} caracteres" in description
        assert "sin caracteres de control" in description


def test_numbers_publish_their_ranges() -> None:
    openapi = create_app().openapi()
    for path in ("/peliculas_duracion/{pelicula}", "/recomendacion/{titulo}"):
        anio = _parameters(openapi, path)["anio"]
        assert (anio["schema"]["anyOf"][0]["minimum"], anio["schema"]["anyOf"][0]["maximum"]) \
            == (MIN_YEAR, MAX_YEAR)
        assert f"de {MIN_YEAR} a {MAX_YEAR}" in anio["description"]
    search = _parameters(openapi, "/buscar")
    assert (search["limite"]["schema"]["minimum"], search["limite"]["schema"]["maximum"]) == (
        1, SEARCH_MAX_LIMIT)
    assert (search["pagina"]["schema"]["minimum"], search["pagina"]["schema"]["maximum"]) == (
        1, SEARCH_MAX_PAGE)
    assert f"de 1 a {SEARCH_MAX_LIMIT}" in search["limite"]["description"]
    assert f"máximo {SEARCH_MAX_PAGE}" in search["pagina"]["description"]


def test_every_operation_declares_its_error_bodies() -> None:
    openapi = create_app().openapi()
    error_ref = "#/components/schemas/ErrorResponse"
    expected = {path: {"200", "404", "422", "503"} for path in QUESTIONS}
    expected |= {"/recomendacion": {"200", "404", "422", "503"},
                 "/pelicula/{id}": {"200", "404", "422", "503"},
                 "/buscar": {"200", "422", "503"}, "/health": {"200", "503"},
                 "/buscar_descripcion": {"200", "404", "422", "503"}}
    assert set(openapi["paths"]) == set(expected)
    for path, statuses in expected.items():
        responses = openapi["paths"][path]["get"]["responses"]
        assert set(responses) == statuses, path
        for status in statuses - {"200"}:
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": error_ref}, (path, status)
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


# Characters around every rule: controls (C0, DEL, C1), every kind of space, plain text.
_EDGES = [chr(c) for c in (*range(0x00, 0x21), *range(0x7f, 0xa1))] + [
    "\u1680", "\u2000", "\u200a", "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
    "\ufeff", "a", "Z", "é", "/", "%", "?", "#", "🎬", "ñ", "\\",
]


SHORT = 10  # a short limit, so that random text crosses it often
_SHORT_SCHEMA = _parameters(create_app(settings=Settings(max_input_length=SHORT)).openapi(),
                            "/peliculas_duracion/{pelicula}")["pelicula"]["schema"]
_PUBLISHED = jsonschema_rs.validator_for(_SHORT_SCHEMA)


@settings(max_examples=1500, deadline=None)
@given(text=st.text(st.sampled_from(_EDGES) | st.characters(codec="utf-8"), max_size=14))
def test_published_rule_is_the_server_rule(text: str) -> None:
    """Valid for the published parameter schema <=> accepted by the server's check (any text
    a URL can carry: UTF-8, so no lone surrogates)."""
    published = _PUBLISHED.is_valid(text)
    try:
        clean_input(text, "título", SHORT)
        accepted = True
    except InvalidInput:
        accepted = False
    assert published == accepted


_DESCRIPTION = _parameters(create_app().openapi(), "/buscar_descripcion")


def test_description_publishes_its_rules_and_ranges() -> None:
    q, limite = _DESCRIPTION["q"], _DESCRIPTION["limite"]
    assert (q["schema"]["minLength"], q["schema"]["maxLength"], q["schema"]["pattern"]) == (
        DESCRIPTION_MIN_LENGTH, DESCRIPTION_MAX_LENGTH, NAME_PATTERN)
    assert q["required"] is True and limite["required"] is False
    assert f"De {DESCRIPTION_MIN_LENGTH} a {DESCRIPTION_MAX_LENGTH} caracteres" in (
        q["description"])
    assert (limite["schema"]["minimum"], limite["schema"]["maximum"]) == (
        1, DESCRIPTION_MAX_LIMIT)
    assert f"de 1 a {DESCRIPTION_MAX_LIMIT}" in limite["description"]
    assert len(q["schema"]["examples"]) >= 2  # /docs offers descriptions to try
    assert [e["value"] for e in q["examples"].values()] == q["schema"]["examples"]


_DESCRIPTION_RULE = jsonschema_rs.validator_for(_DESCRIPTION["q"]["schema"])


@settings(max_examples=1500, deadline=None)
@given(text=st.text(st.sampled_from(_EDGES) | st.characters(codec="utf-8"), max_size=6)
       | st.text(st.sampled_from(["a", " ", "\n"]), min_size=DESCRIPTION_MAX_LENGTH - 2,
                 max_size=DESCRIPTION_MAX_LENGTH + 2))
def test_published_description_rule_is_the_server_rule(text: str) -> None:
    """The same for ``q`` of /buscar_descripcion (short texts cross its minimum, long ones
    its maximum)."""
    try:
        clean_description(text)
        accepted = True
    except InvalidInput:
        accepted = False
    assert _DESCRIPTION_RULE.is_valid(text) == accepted


def test_space_class_is_what_python_calls_whitespace() -> None:
    """The blank check (a regex, published too) rejects exactly what ``str.strip`` empties."""
    blank = re.compile(f"[{SPACE_CLASS}]")
    control = re.compile(r"[\x00-\x1f\x7f-\x9f]")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if not control.match(char):
            assert bool(blank.match(char)) == char.isspace(), hex(code)


def test_the_limits_follow_the_settings(catalog: Catalog) -> None:
    """Other settings, other contract and other checks: the two cannot drift."""
    app = create_app(catalog, Settings(max_input_length=30, max_suggestions=2))
    openapi = app.openapi()
    assert {p["schema"]["maxLength"] for p in _name_parameters(openapi)} == {30}
    assert "De 1 a 30 caracteres" in _parameters(openapi, "/buscar")["q"]["description"]
    assert "hasta 2 nombres parecidos" in openapi["paths"]["/franquicia/{franquicia}"]["get"][
        "responses"]["404"]["description"]
    with TestClient(app) as client:
        too_long = client.get("/peliculas_duracion/" + "x" * 31)
        assert too_long.status_code == 422
        assert too_long.json()["detail"]["mensaje"] == (
            "El título es demasiado largo: 31 caracteres (máximo 30).")
        assert client.get("/peliculas_duracion/" + "x" * 30).status_code == 404
        assert client.get("/buscar", params={"q": "y" * 31}).status_code == 422
        typo = client.get("/get_director/stven spielberg").json()["detail"]["sugerencias"]
        assert len(typo) == 2 and "Steven Spielberg" in typo


URLS = [path.replace("{" + name + "}", quote("Toy Story")) for path, name in QUESTIONS.items()]


@pytest.mark.parametrize("url", [*URLS, "/buscar?q=toy", "/buscar_descripcion?q=tiburón",
                                 "/health"])
def test_no_catalog_is_a_503_in_spanish(url: str) -> None:
    """Defect 4: an app with no catalog loaded (lifespan not run) answered a 500."""
    client = TestClient(create_app(), raise_server_exceptions=False)  # no `with`: no lifespan
    response = client.get(url)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    body = ErrorResponse.model_validate_json(response.content)
    assert body.detail.mensaje.startswith("El catálogo no está cargado")
    assert "filmoteca build" in body.detail.mensaje
    assert body.detail.sugerencias == []


def test_unknown_route_and_method_bodies_have_the_error_shape(client) -> None:
    missing = client.get("/no_existe")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert "/health" in ErrorResponse.model_validate_json(missing.content).detail.sugerencias
    wrong = client.post("/peliculas_idioma/en")
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["allow"]
    assert ErrorResponse.model_validate_json(wrong.content).detail.mensaje.startswith(
        "Método no permitido")
