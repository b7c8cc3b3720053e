"""The direct answering of the routes (filmoteca.api.direct) sends what FastAPI sends.

Every recorded request is sent to the app as served and to the same app without
:class:`DirectRoutes` (FastAPI's routing only), both with the response cache off: status,
headers and body must be identical. Then: the direct way really answers the questions
(FastAPI behind it is never called for them), and it hands unusual requests to FastAPI.
"""

from __future__ import annotations

import asyncio
import gzip
import json

import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.api.direct import DirectRoutes
from filmoteca.config import Settings
from tests.api.record_answers import RECORD

with gzip.open(RECORD, "rt", encoding="utf-8") as lines:
    TARGETS = sorted({r["target"] for r in map(json.loads, lines) if r["method"] == "GET"})


@pytest.fixture(scope="module")
def clients(catalog, catalog_dir):
    settings = Settings(catalog_dir=catalog_dir, response_cache=0)
    direct = create_app(catalog, settings)
    routes_only = create_app(catalog, settings, semantic=direct.state.semantic, direct=False)
    with TestClient(direct) as a, TestClient(routes_only) as b:
        yield a, b


@pytest.mark.parametrize("target", TARGETS)
def test_same_answer_as_fastapi(clients, target: str) -> None:
    direct, routes_only = clients
    got, expected = direct.get(target), routes_only.get(target)
    assert got.status_code == expected.status_code
    assert got.content == expected.content
    strip = {"server-timing", "date", "last-modified", "etag"}
    assert ({k: v for k, v in got.headers.items() if k not in strip}
            == {k: v for k, v in expected.headers.items() if k not in strip})


def _call(app, target: str) -> tuple[int, bytes]:
    path, _, query = target.partition("?")
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "headers": [], "root_path": "",
             "http_version": "1.1", "scheme": "http", "server": ("t", 80), "client": ("c", 1)}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_questions_never_reach_fastapi_and_odd_requests_do(catalog, catalog_dir) -> None:
    fastapi_app = create_app(catalog, Settings(catalog_dir=catalog_dir))
    handed_over: list[str] = []

    async def behind(scope, receive, send):  # stands for FastAPI's routing
        handed_over.append(scope["path"] + "?" + scope["query_string"].decode())
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    direct = DirectRoutes(behind)

    async def with_app(scope, receive, send):
        await direct({**scope, "app": fastapi_app}, receive, send)

    for target in ("/peliculas_idioma/fr", "/peliculas_duracion/Cape Fear?anio=1962",
                   "/franquicia/Toy Story", "/get_director/John Lasseter",
                   "/recomendacion/Toy Story", "/buscar?q=toy&limite=2", "/health",
                   "/peliculas_pais/Narnia", "/peliculas_idioma/a%0Ab"):
        status, body = _call(with_app, target)
        assert status in (200, 404, 422) and body.startswith(b"{"), target
    assert handed_over == []
    for target in ("/peliculas_duracion/Cape Fear?anio=1800", "/buscar?q=toy&q=star",
                   "/buscar?q=toy&otro=1", "/buscar", "/no_existe", "/static/app.js"):
        assert _call(with_app, target)[0] == 599, target
    assert len(handed_over) == 6
