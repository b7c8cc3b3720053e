"""Record what the served API answers to a fixed list of requests on the embedded sample.

``python tests/api/record_answers.py`` builds the sample catalog (with its Spanish-search
vectors) in a temporary folder, sends every request of :func:`requests` to the application
``filmoteca serve`` runs, and writes ``recorded_answers.jsonl.gz`` beside this file: one
line per request with its method, target, status, content type and body (base64).
``test_recorded_answers.py`` replays the record against the code as it is now: a change of
structure must not change a single byte. A deliberate change of behaviour is recorded again
(the commit says which answers changed and why).

The requests cover every route: names typed every way (case, accents, aliases, parts),
Spanish titles, descriptions, typos, phrases that are no film, years, pages, and the 404,
405 and 422 answers. They are derived from the sample's own data (the most voted titles,
the largest companies...), so the list is the same on every machine.
"""

from __future__ import annotations

import base64
import csv
import gzip
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
RECORD = HERE / "recorded_answers.jsonl.gz"
DATA = HERE.parents[1] / "benchmarks" / "data"

#: Text in a body that depends on the build, not on the code: replaced on both sides.
BUILT_AT = "<built_at>"


def _q(text: str) -> str:
    return quote(text, safe="")


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def requests(catalog) -> Iterator[tuple[str, str]]:  # catalog: the served Catalog
    """(method, target) pairs, in a fixed order."""
    titles = [catalog.titles[p] for p in list(catalog.by_votes)[:80]]
    rare = [catalog.titles[p] for p in list(catalog.by_votes)[-15:]]
    yield from (("GET", t) for t in ("/health", "/", "/static/app.js", "/static/style.css",
                                     "/static/index.html", "/static/nada.js", "/openapi.json",
                                     "/no_existe", "/peliculas_idioma", "/peliculas_idioma/",
                                     "/?x=1", "/health?x=1", "/static/", "/docs"))
    yield "POST", "/peliculas_idioma/en"
    yield "HEAD", "/health"
    # languages
    for name in ("en", "EN", "fr", "inglés", "ingles", "English", "francés", "castellano",
                 "español", "cantonés", "cn", "yue", "xx", "klingon", "zz", "japonés",
                 "Deutsch", "alemán", "italiano", "mandarín", "sueco", "ruso", "hindi",
                 "english ", " INGLÉS", "frances", "ingls", "espanol", "a\nb", "x" * 201, " "):
        yield "GET", f"/peliculas_idioma/{_q(name)}"
    # countries
    for name in ("US", "us", "Estados Unidos", "EEUU", "EE. UU.", "USA", "UK", "Reino Unido",
                 "United Kingdom", "Francia", "France", "FR", "Alemania", "Japón", "URSS",
                 "Yugoslavia", "Holanda", "España", "Spain", "México", "Narnia", "estados",
                 "Argentina", "Italia", "Canada", "Canadá", "Estados Unidos de America"):
        yield "GET", f"/peliculas_pais/{_q(name)}"
    # collections
    collections = [row.name for row in _first(catalog.collections, 20)]
    for name in (*collections, "Toy Story", "toy story collection", "star wars", "bond",
                 "James Bond", "Alien", "batman", "Nada Nunca Collection", "padrino"):
        yield "GET", f"/franquicia/{_q(name)}"
    # companies
    companies = [catalog.companies[key].name for key in _largest(catalog.companies, 20)]
    for name in (*companies, "pixar", "warner bros", "Pixar Animation Studios", "disney",
                 "Miramax", "columbia", "Productora Inexistente"):
        yield "GET", f"/productoras_exitosas/{_q(name)}"
    # directors
    directors = [catalog.directors[key].name for key in _largest(catalog.directors, 20,
                                                                  lambda r: len(r.positions))]
    for name in (*directors, "john lasseter", "hitchcock", "spielberg", "tarantino",
                 "Alfred Hitchcok", "Nadie Nunca", "scott", "Ridley Scott"):
        yield "GET", f"/get_director/{_q(name)}"
    # titles: as in the catalog, typed loosely, shared titles with years, rare films
    for title in (*titles[:60], *rare, "toy story", "TOY  STORY", "Face/Off", "face off",
                  "Amélie", "Cape Fear", "The Mummy"):
        yield "GET", f"/peliculas_duracion/{_q(title)}"
    for target in ("Cape%20Fear?anio=1962", "Cape%20Fear?anio=1991", "Cape%20Fear?anio=1800",
                   "Cape%20Fear?anio=0", "Cape%20Fear?anio=1962.0", "Cape%20Fear?anio=01962",
                   "Cape%20Fear?anio=", "Cape%20Fear?anio=1962&anio=1991",
                   "Cape%20Fear?otro=1", "The%20Mummy?anio=1932", "El%20padrino?anio=1972",
                   "El%20padrino?anio=1990", "%FF%FE", "%C3%28", "a%00b"):
        yield "GET", f"/peliculas_duracion/{target}"
    # Spanish titles (the hand-labelled set), typos, phrases that are no film
    spanish = [row["consulta"] for row in _csv("titulos_es.csv")][:70]
    phrases = [row["consulta"] for row in _csv("no_peliculas.csv")]
    for title in (*spanish, *phrases):
        yield "GET", f"/peliculas_duracion/{_q(title)}"
    # recommendations
    for title in (*titles[:30], *spanish[:15], "Toy Stroy", "zzqx nada", "Cape Fear"):
        yield "GET", f"/recomendacion/{_q(title)}"
    yield "GET", "/recomendacion/Cape%20Fear?anio=1962"
    yield "GET", "/recomendacion/Cape%20Fear?anio=2100"
    yield "GET", "/recomendacion/" + _q("x" * 201)
    # title search
    for query in ("toy", "to", "t", "", "star", "the", "padrino", "love", "zzqx", "toy stori",
                  "a\nb", "amelie", "Amélie", "II", "007", "!!!"):
        yield "GET", f"/buscar?q={_q(query)}"
    for params in ("q=toy&limite=2&pagina=2", "q=toy&limite=0", "q=toy&limite=51",
                   "q=the&pagina=100", "q=the&pagina=101", "q=the&limite=50&pagina=3",
                   "q=toy&limite=abc", "", "q=toy&q=star", "q=toy&otro=1"):
        yield "GET", f"/buscar?{params}" if params else "/buscar"
    # descriptions
    plots = [row["consulta"] for row in _csv("descripciones.csv")][:25]
    for plot in (*plots, "ab", "a\nb\nc", "x" * 501, "!!!", "   "):
        yield "GET", f"/buscar_descripcion?q={_q(plot)}"
    for params in ("q=tibur%C3%B3n&limite=0", "q=tibur%C3%B3n&limite=51",
                   "q=dinosaurios+en+un+parque&limite=3", ""):
        yield "GET", f"/buscar_descripcion?{params}" if params else "/buscar_descripcion"
    # a film's page; several films; filters; HEAD (issues 22 and 23)
    for target in (*(f"/pelicula/{catalog.ids[p]}" for p in list(catalog.by_votes)[:10]),
                   "/pelicula/0", "/pelicula/abc", "/pelicula/99999999", "/pelicula/-1"):
        yield "GET", target
    for params in ("titulo=Toy%20Story&titulo=Jumanji", "titulo=El%20padrino&titulo=Casino",
                   "titulo=Toy%20Stroy&titulo=Braveheat", "titulo=Toy%20Story",
                   "titulo=Toy%20Story&titulo=Jumanji&genero=Animaci%C3%B3n",
                   "titulo=Heat&titulo=Casino&anio_desde=1990&anio_hasta=1995", ""):
        yield "GET", f"/recomendacion?{params}" if params else "/recomendacion"
    for params in ("genero=Terror", "idioma=fr", "anio_desde=2010", "anio_hasta=1950",
                   "genero=animacio", "idioma=klingon%C3%A9s", "anio_desde=2000&anio_hasta=1990",
                   "genero=a%09b", "anio_desde=1500"):
        yield "GET", f"/recomendacion/Toy%20Story?{params}"
        yield "GET", f"/buscar_descripcion?q=juguetes%20que%20cobran%20vida&{params}"
    yield "HEAD", "/peliculas_idioma/en"
    yield "OPTIONS", "/peliculas_idioma/en"


def _first(table, count: int):
    return [table.get_at(i)[1] for i in range(min(count, len(table)))]


def _largest(table, count: int, size=lambda row: row.films) -> list[str]:
    keys = list(table)
    return sorted(keys, key=lambda key: (-size(table[key]), key))[:count]


def answer(client, method: str, target: str, built_at: str) -> dict[str, object]:
    response = client.request(method, target)
    body = response.content
    if built_at:
        body = body.replace(built_at.encode(), BUILT_AT.encode())
    return {"method": method, "target": target, "status": response.status_code,
            "content_type": response.headers.get("content-type"),
            "body": base64.b64encode(body).decode("ascii")}


def main() -> None:
    from fastapi.testclient import TestClient

    from filmoteca.api.app import create_app
    from filmoteca.config import Settings
    from filmoteca.etl.pipeline import build_catalog
    from filmoteca.services.catalog import load_catalog

    with tempfile.TemporaryDirectory() as tmp:
        result = build_catalog(catalog_dir=Path(tmp) / "catalog")
        catalog = load_catalog(result.path)
        settings = Settings(catalog_dir=Path(tmp) / "catalog")
        with TestClient(create_app(catalog, settings)) as client:
            lines = [answer(client, method, target, catalog.manifest.get("built_at", ""))
                     for method, target in requests(catalog)]
    with gzip.open(RECORD, "wt", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(lines)} answers recorded in {RECORD}", file=sys.stderr)


if __name__ == "__main__":
    main()
