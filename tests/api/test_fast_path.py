"""The fast path (filmoteca.api.fast) answers exactly what the FastAPI routes answer.

Each request is sent to the app as served (fast path in front) and to the same app with the
fast path removed (FastAPI's routes only): status, content type and body must be identical,
on the first request (computed) and on the second (from the response cache).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.api.fast import FastPath
from filmoteca.api.server import serving_app
from filmoteca.config import Settings

NAMES = ["Toy Story", "toy story", "TOY  STORY", "Toy Stroy", "Cape Fear", "Face/Off",
         "zzqx nada", "", " ", "a\nb", "x" * 201, "El Padrino", "Amélie",
         "Volver al futuro", "receta de tortilla de patatas"]
TARGETS = [
    "/health", "/health?x=1",
    *(f"/{endpoint}/{quote(name, safe='')}" for name in NAMES for endpoint in (
        "peliculas_duracion", "recomendacion")),
    *(f"/peliculas_idioma/{quote(x)}" for x in ("en", "inglés", "ingles", "klingon", "zz", "")),
    *(f"/peliculas_pais/{quote(x)}" for x in ("US", "Estados Unidos", "EEUU", "Narnia")),
    *(f"/franquicia/{quote(x)}" for x in ("Toy Story", "Toy Story Collection", "star wars")),
    *(f"/productoras_exitosas/{quote(x)}" for x in ("Pixar Animation Studios", "pixar",
                                                    "warner bros")),
    *(f"/get_director/{quote(x)}" for x in ("John Lasseter", "john lasseter", "lasseter",
                                            "Nadie Nunca")),
    "/peliculas_duracion/Cape%20Fear?anio=1962", "/peliculas_duracion/Cape%20Fear?anio=1800",
    "/peliculas_duracion/Cape%20Fear?anio=0", "/peliculas_duracion/Cape%20Fear?anio=1962.0",
    "/peliculas_duracion/Cape%20Fear?anio=01962", "/peliculas_duracion/Cape%20Fear?anio=",
    "/peliculas_duracion/Cape%20Fear?anio=1962&anio=1991",
    "/peliculas_duracion/Cape%20Fear?otro=1", "/recomendacion/Cape%20Fear?anio=1991",
    "/buscar?q=toy", "/buscar?q=to", "/buscar?q=t", "/buscar?q=", "/buscar",
    "/buscar?q=toy&limite=2&pagina=2", "/buscar?q=toy&limite=0", "/buscar?q=toy&limite=51",
    "/buscar?q=toy+story", "/buscar?q=toy%20stori", "/buscar?q=a%0Ab", "/buscar?q=the&pagina=100",
    "/buscar_descripcion?q=un%20tibur%C3%B3n%20aterroriza%20una%20playa",
    "/buscar_descripcion?q=dinosaurios+en+un+parque&limite=3", "/buscar_descripcion?q=ab",
    "/buscar_descripcion?q=tibur%C3%B3n&limite=0", "/buscar_descripcion?q=tibur%C3%B3n&limite=51",
    "/buscar_descripcion", "/buscar_descripcion?q=a%0Ab%0Ac",
    "/buscar_descripcion?q=" + "x" * 501,
    "/peliculas_idioma", "/peliculas_idioma/", "/no_existe", "/", "/docs", "/openapi.json",
    "/static/app.js", "/static/style.css", "/static/index.html", "/static/nada.js",
    "/static/../app.py", "/static/", "/?x=1",
]


@pytest.fixture(scope="module")
def clients(catalog):
    served = create_app(catalog, Settings())
    routes_only = create_app(catalog, Settings())
    routes_only.user_middleware = [m for m in routes_only.user_middleware
                                   if m.cls is not FastPath]
    lean = serving_app(catalog, Settings())  # what `filmoteca serve` runs
    with TestClient(served) as a, TestClient(routes_only) as b, TestClient(lean) as c:
        yield a, b, c


@pytest.mark.parametrize("target", TARGETS)
def test_same_answer_as_the_fastapi_route(clients, target: str) -> None:
    served, routes_only, lean = clients
    expected = routes_only.get(target)
    for client in (served, served, lean, lean):  # computed, then (200/404) from the cache
        got = client.get(target)
        assert got.status_code == expected.status_code
        assert got.headers["content-type"] == expected.headers["content-type"]
        assert got.content == expected.content
        assert got.headers["server-timing"].startswith("app;dur=")


def test_the_question_is_answered_by_the_fast_path(clients) -> None:
    """The routes-only app really lacks the fast path (so the comparison above means
    something): only the served app has it in its middleware."""
    served, routes_only, _ = clients
    assert any(m.cls is FastPath for m in served.app.user_middleware)
    assert not any(m.cls is FastPath for m in routes_only.app.user_middleware)


async def _nothing(scope, receive, send) -> None:
    raise AssertionError("the fast path handed over a request it answers")


def test_cache_is_bounded_and_can_be_turned_off(catalog) -> None:
    app = FastPath(_nothing, lambda: catalog, Settings().limits, cache_entries=3,
                   lifespan=True)
    with TestClient(app) as client:
        for name in ("en", "fr", "de", "es", "it"):
            assert client.get(f"/peliculas_idioma/{name}").status_code == 200
        assert client.get("/peliculas_idioma/en").json()["idioma"] == "en"  # recomputed
    assert list(app._cache) == [b"/peliculas_idioma/es?", b"/peliculas_idioma/it?",
                                b"/peliculas_idioma/en?"]
    off = FastPath(_nothing, lambda: catalog, Settings().limits, cache_entries=0,
                   lifespan=True)
    with TestClient(off) as client:
        assert client.get("/peliculas_idioma/en").status_code == 200
    assert not off._cache


def test_serving_app_answers_without_fastapi_until_it_is_needed(catalog_dir: Path) -> None:
    """`filmoteca serve`'s application: the questions need no FastAPI import (fast wake-up);
    /docs creates the FastAPI app on first use and is answered."""
    code = (
        "import sys, pathlib, asyncio\n"
        "from filmoteca.api.server import serving_app\n"
        "from filmoteca.config import Settings\n"
        "from filmoteca.serve.catalog import load_catalog\n"
        f"app = serving_app(load_catalog(pathlib.Path({str(catalog_dir)!r})), Settings())\n"
        "async def get(path):\n"
        "    sent = []\n"
        "    async def receive(): return {'type': 'http.request', 'body': b''}\n"
        "    async def send(m): sent.append(m)\n"
        "    await app({'type': 'http', 'method': 'GET', 'path': path, 'raw_path':\n"
        "               path.encode(), 'query_string': b'', 'headers': [], 'root_path': '',\n"
        "               'scheme': 'http', 'http_version': '1.1', 'server': ('t', 80),\n"
        "               'client': ('c', 1)}, receive, send)\n"
        "    return sent[0]['status']\n"
        "print(asyncio.run(get('/peliculas_duracion/Toy Story')), 'fastapi' in sys.modules,\n"
        "      asyncio.run(get('/peliculas_duracion/Toy Stroy')),\n"
        "      asyncio.run(get('/docs')), 'fastapi' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["200", "False", "404", "200", "True"]
