"""Right or honestly unsure: names typed in part, bytes that are not UTF-8, and the state of
the semantic layer in ``/health``.

Expected names and counts come from the raw sample (its credits and movies files, read with
plain pandas), never from the code under test.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.catalog.layout import IDS, SEMANTIC_DIR
from filmoteca.config import Settings
from filmoteca.services.matching import DOMINANCE


@pytest.fixture(scope="module")
def directors(sample_dir: Path, clean_movies: pd.DataFrame) -> pd.Series:
    """Films per director in the sample, counted from the raw credits file."""
    credits = pd.read_csv(sample_dir / "credits_sample.csv.gz", dtype=str)
    kept = set(clean_movies["id"])
    pairs = {(person["name"], film)
             for film, crew in zip(credits["id"], credits["crew"], strict=True) if film in kept
             for person in ast.literal_eval(crew) if person["job"] == "Director"}
    return pd.Series([name for name, _ in pairs]).value_counts()


@pytest.mark.parametrize(("typed", "name"), [
    ("hitchcock", "Alfred Hitchcock"), ("spielberg", "Steven Spielberg"),
    ("tarantino", "Quentin Tarantino"), ("HITCHCOCK ", "Alfred Hitchcock"),
    ("de palma", "Brian De Palma"),
])
def test_a_surname_answers_the_one_director_it_names(client, directors, typed: str,
                                                     name: str) -> None:
    # the typed word belongs to that one director's name only, in the raw credits
    word = typed.split()[-1].strip().lower()
    holders = [n for n in directors.index if word in n.lower().replace(".", " ").split()]
    assert holders == [name]
    body = client.get(f"/get_director/{typed}").json()
    assert body["director"] == name
    assert body["cantidad"] == directors[name]
    assert body["interpretacion"] == {"consulta": typed.strip(), "nombre": name,
                                      "metodo": "nombre_parcial"}
    assert body["mensaje"].startswith(f"'{typed.strip()}' se interpretó como '{name}'. "
                                      f"El director {name} ha dirigido ")


def test_a_surname_of_several_directors_is_a_404_listing_them(client, directors) -> None:
    response = client.get("/get_director/scott")
    assert response.status_code == 404
    detail = response.json()["detail"]
    # Ridley and Tony Scott have as many films each in the raw credits: neither dominates
    assert directors["Ridley Scott"] == directors["Tony Scott"]
    assert detail["sugerencias"][:2] == ["Ridley Scott", "Tony Scott"]
    holders = [n for n in directors.index if "scott" in n.lower().split()]
    assert detail["mensaje"] == (f"'scott' puede ser {len(holders)} nombres distintos; "
                                 "escriba el nombre completo de uno de ellos.")


def _holders(directors: pd.Series, word: str) -> tuple[int, int]:
    """Films of the director with most films among those whose name has ``word``, and of
    all the others together (raw credits)."""
    counts = sorted((directors[n] for n in directors.index
                     if word in n.lower().replace(".", " ").split()), reverse=True)
    return counts[0], sum(counts[1:])


def test_a_dominant_name_answers(client, directors) -> None:
    # John Carpenter has 9 films, Stephen Carpenter 1: at least DOMINANCE times the others
    top, others = _holders(directors, "carpenter")
    assert (top, others) == (directors["John Carpenter"], directors["Stephen Carpenter"])
    assert top >= DOMINANCE * others
    body = client.get("/get_director/carpenter").json()
    assert (body["director"], body["cantidad"]) == ("John Carpenter", top)


def test_a_name_that_does_not_dominate_enough_is_a_404(client, directors) -> None:
    # Woody Allen has about twice the films of the other Allens together: not enough
    top, others = _holders(directors, "allen")
    assert top == directors["Woody Allen"] and others < top < DOMINANCE * others
    response = client.get("/get_director/allen")
    assert response.status_code == 404
    assert response.json()["detail"]["sugerencias"][0] == "Woody Allen"


def test_a_company_and_a_collection_typed_in_part(client, clean_movies) -> None:
    pixar = client.get("/productoras_exitosas/pixar").json()
    assert pixar["productora"] == "Pixar Animation Studios"
    assert pixar["interpretacion"]["nombre"] == "Pixar Animation Studios"
    made = clean_movies["production_companies"].fillna("").str.contains("'Pixar Animation")
    assert pixar["cantidad"] == int(made.sum())
    bond = client.get("/franquicia/bond").json()
    assert bond["franquicia"] == "James Bond Collection"
    in_bond = clean_movies["belongs_to_collection"].fillna("").str.contains(
        "'James Bond Collection'")
    assert bond["cantidad"] == int(in_bond.sum())
    disney = client.get("/productoras_exitosas/disney")
    assert disney.status_code == 404
    assert disney.json()["detail"]["sugerencias"][:2] == ["Walt Disney Pictures",
                                                          "Walt Disney Productions"]



@pytest.mark.parametrize(("route", "typed", "field", "column", "name"), [
    ("/productoras_exitosas", "mgm", "productora", "production_companies",
     "Metro-Goldwyn-Mayer (MGM)"),
    ("/franquicia", "mission", "franquicia", "belongs_to_collection",
     "Mission: Impossible Collection"),
])
def test_a_word_between_punctuation_is_a_word(client, clean_movies, route: str, typed: str,
                                              field: str, column: str, name: str) -> None:
    """"(MGM)" and "Mission:" hold the words mgm and mission: typed alone, they answer the
    one name of the raw sample that has them."""
    names = {entry["name"] for cell in clean_movies[column].dropna()
             for entry in _entries(cell)}
    holders = [n for n in names
               if typed in "".join(c if c.isalnum() else " " for c in n.lower()).split()]
    assert holders == [name]
    body = client.get(f"{route}/{typed}").json()
    assert body[field] == name
    assert body["interpretacion"]["metodo"] == "nombre_parcial"
    having = clean_movies[column].fillna("").map(
        lambda cell: any(e["name"] == name for e in _entries(cell)))
    assert body["cantidad"] == int(having.sum())


def test_a_hyphenated_surname_answers(client, directors) -> None:
    body = client.get("/get_director/godard").json()
    assert body["director"] == "Jean-Luc Godard"
    assert body["cantidad"] == directors["Jean-Luc Godard"]


def _entries(cell: str) -> list[dict]:
    """The records of one nested cell of the raw movies file (a dict or a list of them)."""
    if not cell:
        return []
    value = ast.literal_eval(cell)
    return value if isinstance(value, list) else [value]

def test_whole_names_have_no_interpretation(client) -> None:
    assert client.get("/get_director/Alfred Hitchcock").json()["interpretacion"] is None
    assert client.get("/productoras_exitosas/Pixar Animation Studios").json()[
        "interpretacion"] is None


@pytest.mark.parametrize("url", ["/peliculas_duracion/%FF%FE", "/get_director/caf%E9",
                                 "/recomendacion/%C3%28", "/buscar?q=%FF",
                                 "/peliculas_idioma/ingl%E9s"])
def test_bytes_that_are_not_utf8_are_a_422(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    mensaje = response.json()["detail"]["mensaje"]
    assert "bytes que no son texto UTF-8" in mensaje and "\ufffd" not in mensaje


def test_a_description_with_bytes_that_are_not_utf8(client) -> None:
    response = client.get("/buscar_descripcion?q=un%20tibur%F3n%20ataca")
    assert response.status_code == 422
    assert response.json()["detail"]["mensaje"].startswith(
        "La descripción trae bytes que no son texto UTF-8")


def test_health_reports_the_semantic_layer(client) -> None:
    client.get("/buscar_descripcion", params={"q": "un tiburón"})  # loaded by now
    body = client.get("/health")
    assert body.headers["cache-control"] == "no-store"
    assert body.json()["estado"] == "ok"
    assert body.json()["busqueda_semantica"] == {"estado": "lista", "motivo": None}


def test_health_of_a_catalog_built_without_vectors(catalog) -> None:
    app = create_app(catalog)
    app.state.semantic = None
    with TestClient(app) as client:
        body = client.get("/health").json()
    assert body["estado"] == "ok"
    assert body["busqueda_semantica"]["estado"] == "no_disponible"
    assert "--no-embeddings" in body["busqueda_semantica"]["motivo"]


def test_broken_vectors_make_health_say_degraded(catalog_dir: Path, tmp_path: Path) -> None:
    from filmoteca.services.catalog import load_catalog

    broken = tmp_path / "broken"
    shutil.copytree(catalog_dir.resolve(), broken)
    np.save(broken / SEMANTIC_DIR / IDS, np.arange(3))  # vectors of other films
    app = create_app(load_catalog(broken), Settings(catalog_dir=broken))
    with TestClient(app) as client:
        described = client.get("/buscar_descripcion", params={"q": "un tiburón"})
        body = client.get("/health").json()
        toy = client.get("/peliculas_duracion/Toy Story")
    assert described.status_code == 503
    assert body["estado"] == "degradado"
    assert body["busqueda_semantica"]["estado"] == "no_disponible"
    assert "other films" in body["busqueda_semantica"]["motivo"]
    assert toy.status_code == 200  # everything else answers
