"""HTTP as clients expect it: HEAD, gzip, ETag and 304, Cache-Control, CORS, offline docs,
operation ids, and a client generated from the published schema."""

from __future__ import annotations

import gzip
import importlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from filmoteca.api.app import create_app
from filmoteca.api.cache import GZIP_ABOVE, MAX_AGE
from filmoteca.config import Settings

#: Headers that differ between two answers to the same request.
VOLATILE = {"date", "server-timing"}


@pytest.fixture(scope="module")
def http(catalog, catalog_dir):
    with TestClient(create_app(catalog, Settings(catalog_dir=catalog_dir))) as client:
        client.get("/buscar_descripcion", params={"q": "un tiburón"})  # the layer is loaded
        yield client


def _targets(http: TestClient) -> list[str]:
    """One real request per GET route of the schema, and the pages."""
    examples = {"/peliculas_idioma/{idioma}": "/peliculas_idioma/fr",
                "/peliculas_duracion/{pelicula}": "/peliculas_duracion/Toy Story",
                "/franquicia/{franquicia}": "/franquicia/Toy Story",
                "/peliculas_pais/{pais}": "/peliculas_pais/Francia",
                "/productoras_exitosas/{productora}": "/productoras_exitosas/Pixar",
                "/get_director/{nombre_director}": "/get_director/John Lasseter",
                "/recomendacion/{titulo}": "/recomendacion/Toy Story",
                "/recomendacion": "/recomendacion?titulo=Toy Story&titulo=Jumanji",
                "/buscar": "/buscar?q=toy", "/buscar_descripcion": "/buscar_descripcion?q=mar",
                "/pelicula/{id}": "/pelicula/862", "/health": "/health"}
    paths = http.get("/openapi.json").json()["paths"]
    assert set(paths) == set(examples)  # a new route gets an example here
    return [*examples.values(), "/", "/docs", "/redoc", "/static/app.js", "/no_existe"]


def test_head_answers_every_get_route_without_a_body(http) -> None:
    for target in _targets(http):
        got, head = http.get(target), http.head(target)
        assert head.status_code == got.status_code, target
        assert head.content == b"", target
        same = {k: v for k, v in got.headers.items() if k not in VOLATILE}
        assert {k: v for k, v in head.headers.items() if k not in VOLATILE} == same, target


def test_large_answers_are_gzipped_for_clients_that_take_it(http) -> None:
    target = "/get_director/Alfred Hitchcock"
    plain = http.get(target, headers={"accept-encoding": "identity"})
    assert len(plain.content) > GZIP_ABOVE and "content-encoding" not in plain.headers
    raw = http.get(target, headers={"accept-encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["vary"] == "Accept-Encoding"
    assert raw.content == plain.content  # httpx decoded it: the same JSON
    with http.stream("GET", target, headers={"accept-encoding": "gzip"}) as stream:
        sent = b"".join(stream.iter_raw())
    assert gzip.decompress(sent) == plain.content
    assert len(sent) < len(plain.content) / 3
    assert int(raw.headers["content-length"]) == len(sent)
    small = http.get("/peliculas_idioma/fr", headers={"accept-encoding": "gzip"})
    assert len(small.content) < GZIP_ABOVE and "content-encoding" not in small.headers


def test_etag_and_304(http) -> None:
    first = http.get("/peliculas_pais/Francia")
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 26  # strong
    again = http.get("/peliculas_pais/Francia", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    listed = http.get("/peliculas_pais/Francia", headers={"if-none-match": f'"x", {etag}'})
    assert listed.status_code == 304
    other = http.get("/peliculas_pais/Francia", headers={"if-none-match": '"otro"'})
    assert other.status_code == 200 and other.content == first.content
    gzipped = http.get("/get_director/Alfred Hitchcock", headers={"accept-encoding": "gzip"})
    plain = http.get("/get_director/Alfred Hitchcock", headers={"accept-encoding": "identity"})
    assert gzipped.headers["etag"] != plain.headers["etag"]  # two representations


def test_etag_names_the_catalog_build(catalog, catalog_dir) -> None:
    tags = []
    for built_at in ("2026-01-01", "2026-01-02"):
        app = create_app(catalog, Settings(catalog_dir=catalog_dir, response_cache=0))
        real = app.state.catalog.manifest.get("built_at")
        app.state.catalog.manifest["built_at"] = built_at
        try:
            with TestClient(app) as client:
                tags.append(client.get("/peliculas_idioma/fr").headers["etag"])
        finally:
            app.state.catalog.manifest["built_at"] = real
    assert tags[0] != tags[1]


def test_cache_control(http) -> None:
    for target in ("/peliculas_idioma/fr", "/franquicia/nada que exista", "/static/app.js"):
        assert http.get(target).headers["cache-control"] == f"public, max-age={MAX_AGE}"
    assert http.get("/health").headers["cache-control"] == "no-store"
    invalid = http.get("/peliculas_idioma/" + "x" * 300)
    assert invalid.status_code == 422 and "public" not in invalid.headers.get(
        "cache-control", "")


def test_cors_for_get_from_any_origin(http) -> None:
    simple = http.get("/peliculas_idioma/fr", headers={"origin": "https://otro.example"})
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "etag" in simple.headers["access-control-expose-headers"].lower()
    preflight = http.options("/peliculas_idioma/fr", headers={
        "origin": "https://otro.example", "access-control-request-method": "GET",
        "access-control-request-headers": "if-none-match"})
    assert preflight.status_code == 204
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "if-none-match"
    assert "access-control-allow-credentials" not in preflight.headers


def test_docs_need_no_network(http) -> None:
    for page in ("/docs", "/redoc"):
        html = http.get(page).text
        assert "cdn.jsdelivr" not in html and "fastapi.tiangolo.com" not in html
        assert "/static-offline-docs/" in html
    bundle = http.get("/static-offline-docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 500_000


def test_operation_ids_are_the_course_names_and_tags_are_ascii(http) -> None:
    schema = http.get("/openapi.json").json()
    ids = {path: op["operationId"] for path, item in schema["paths"].items()
           for op in item.values()}
    assert ids == {
        "/peliculas_idioma/{idioma}": "peliculas_idioma",
        "/peliculas_duracion/{pelicula}": "peliculas_duracion",
        "/franquicia/{franquicia}": "franquicia", "/peliculas_pais/{pais}": "peliculas_pais",
        "/productoras_exitosas/{productora}": "productoras_exitosas",
        "/get_director/{nombre_director}": "get_director",
        "/recomendacion/{titulo}": "recomendacion", "/recomendacion": "recomendacion_varias",
        "/buscar": "buscar", "/buscar_descripcion": "buscar_descripcion",
        "/pelicula/{id}": "pelicula", "/health": "health"}
    tags = [tag["name"] for tag in schema["tags"]]
    assert all(tag.isascii() and tag.isidentifier() for tag in tags)
    assert all(tag["description"] for tag in schema["tags"])


@pytest.mark.slow
def test_a_generated_client_calls_the_api(tmp_path: Path, catalog_dir: Path) -> None:
    """openapi-python-client turns /openapi.json into a package whose functions are named
    after the course's questions; three calls through it against a real server."""
    from devserver import free_port, stop, wait_until_ready

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "filmoteca.cli", "serve", "--catalog", str(catalog_dir),
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(f"{base}/health", server)
        schema = tmp_path / "openapi.json"
        schema.write_bytes(httpx.get(f"{base}/openapi.json").content)
        subprocess.run([sys.executable, "-m", "openapi_python_client", "generate", "--path",
                        str(schema), "--output-path", str(tmp_path / "filmoteca_client"),
                        "--meta", "none"], check=True, capture_output=True)
        sys.path.insert(0, str(tmp_path))
        package = "filmoteca_client"
        try:
            client_module = importlib.import_module(package)
            api = importlib.import_module(f"{package}.api.consultas.peliculas_idioma")
            director = importlib.import_module(f"{package}.api.consultas.get_director")
            film = importlib.import_module(f"{package}.api.pelicula.pelicula")
            client = client_module.Client(base_url=base)
            french = api.sync(idioma="fr", client=client)
            assert (french.idioma, french.nombre) == ("fr", "francés")
            lasseter = director.sync(nombre_director="John Lasseter", client=client)
            assert lasseter.director == "John Lasseter" and lasseter.cantidad == 2
            toy = film.sync(id=862, client=client)
            assert (toy.titulo, toy.anio) == ("Toy Story", 1995)
            missing = director.sync_detailed(nombre_director="zzqx nadie", client=client)
            assert missing.status_code == 404
            assert missing.parsed.detail.mensaje.startswith("No se encontró el director")
        finally:
            sys.path.remove(str(tmp_path))
            for name in [m for m in sys.modules if m.split(".")[0] == package]:
                del sys.modules[name]
    finally:
        stop(server)
