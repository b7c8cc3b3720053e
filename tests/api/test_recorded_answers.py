"""The served API answers every recorded request with the same status, type and bytes.

``recorded_answers.jsonl.gz`` was written by ``record_answers.py`` (see its docstring) from
the embedded sample; here each request is sent again to the application ``filmoteca serve``
runs, over the session's sample catalog, and the answer must be identical byte for byte
(the build time in ``/health`` aside).
"""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from fastapi.testclient import TestClient

from tests.api.record_answers import BUILT_AT, RECORD

with gzip.open(RECORD, "rt", encoding="utf-8") as lines:
    RECORDS = [json.loads(line) for line in lines]


def test_the_record_covers_every_route_and_kind_of_answer() -> None:
    assert len(RECORDS) >= 500
    routes = {r["target"].split("?")[0].split("/")[1] for r in RECORDS}
    assert {"health", "peliculas_idioma", "peliculas_duracion", "franquicia", "peliculas_pais",
            "productoras_exitosas", "get_director", "recomendacion", "buscar",
            "buscar_descripcion", "openapi.json", "static"} <= routes
    assert {200, 404, 405, 422} <= {r["status"] for r in RECORDS}


@pytest.fixture(scope="module")
def served(catalog, catalog_dir):
    from filmoteca.api.app import create_app
    from filmoteca.config import Settings

    with TestClient(create_app(catalog, Settings(catalog_dir=catalog_dir))) as client:
        yield client, catalog.manifest.get("built_at", "")


@pytest.mark.parametrize("record", RECORDS, ids=[f"{r['method']} {r['target'][:60]}"
                                                 for r in RECORDS])
def test_same_answer_as_recorded(served, record) -> None:
    client, built_at = served
    response = client.request(record["method"], record["target"])
    body = response.content
    if built_at:
        body = body.replace(built_at.encode(), BUILT_AT.encode())
    assert response.status_code == record["status"]
    assert response.headers.get("content-type") == record["content_type"]
    assert body == base64.b64decode(record["body"])
