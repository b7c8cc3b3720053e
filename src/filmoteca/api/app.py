"""The FastAPI application: :func:`create_app`, the one assembly every server runs.

Owns the assembly: the settings (given, else :func:`filmoteca.config.get_settings`), the
catalog (given, or loaded by the lifespan from ``settings.catalog_dir``) and its semantic
layer (:mod:`filmoteca.services.semantic`, loaded in a background thread), the routers built for
``settings.limits``, the Spanish error handlers, the web page under ``/static``, and the
layers every HTTP request meets first: HTTP as clients expect it (:mod:`.cache`:
``Server-Timing``, CORS, ETag and 304, HEAD, gzip, the answers kept), then the direct
answering of the routes (:mod:`.direct`), then FastAPI. ``/docs`` and
``/redoc`` load their assets from an installed package (fastapi-offline), never a CDN.

The serving process imports FastAPI, pydantic, orjson, rapidfuzz and unidecode, and numpy
for the semantic layer (in its loading thread): never pandas, pyarrow, scipy, scikit-learn
or babel (``tests/services/test_catalog.py`` checks ``sys.modules`` after answering
every kind of question).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp

from filmoteca import __version__
from filmoteca.api import errors
from filmoteca.api.cache import HttpCache
from filmoteca.api.direct import DirectRoutes
from filmoteca.api.routers import busqueda, pelicula, peliculas, recomendacion, sistema
from filmoteca.config import RECOMMENDATIONS, Limits, Settings, get_settings
from filmoteca.formatting import format_int
from filmoteca.services.catalog import Catalog, load_catalog
from filmoteca.services.semantic import SemanticLayer


def description(limits: Limits) -> str:
    """The text at the top of ``/docs``, stating the app's own limits."""
    return f"""
Consultas sobre *The Movies Dataset* (Kaggle, CC0): las seis preguntas del curso y una
recomendación de {RECOMMENDATIONS} películas similares.

- Los nombres se buscan sin distinguir mayúsculas, tildes ni espacios repetidos.
- Idiomas y países por código ISO o por nombre en español o en inglés, también los
  coloquiales ("EEUU", "UK", "castellano").
- Donde se pide un título, también en español ("El padrino"): si la coincidencia es segura
  se responde la película y `interpretacion` dice cómo se leyó.
- `/buscar_descripcion`: películas por su argumento, contado en español o en inglés.
- Sin resultado: **404** con `detail.mensaje` y hasta {limits.max_suggestions}
  `detail.sugerencias`.
- Entrada vacía, de más de {format_int(limits.max_input_length)} caracteres o con caracteres
  de control, o un número fuera de su rango: **422** (las reglas de cada parámetro están en
  su descripción y en el esquema).
- Sin catálogo cargado: **503**.
- Los importes son números en US$; en `mensaje` se escriben `US$ 1.234.567`.
"""


#: No OpenTelemetry: nothing here exports traces or metrics, and checking for a provider on
#: every request costs about 10 µs.
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def _freeze_heap() -> None:
    """Move everything allocated so far (the catalog's objects) out of the garbage
    collector's reach: it never changes, and letting every full collection walk it would add
    pauses to random requests."""
    gc.collect()
    gc.freeze()


def create_app(catalog: Catalog | None = None, settings: Settings | None = None,
               semantic: SemanticLayer | None = None, open_layer: bool = True,
               direct: bool = True) -> FastAPI:
    """The API over ``catalog`` with ``settings`` (default: :func:`get_settings`); when
    ``catalog`` is None, the lifespan loads it from ``settings.catalog_dir``. ``semantic``:
    the catalog's semantic layer, else (with ``open_layer``) the one next to the catalog,
    loading in the background (:meth:`SemanticLayer.beside`). ``direct``: answer the plain
    GET routes without FastAPI's per-request work (:mod:`.direct`; False: every request
    through FastAPI, for the benchmark's comparison and the test that both send the same
    bytes)."""
    settings = settings or get_settings()
    limits = settings.limits

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.catalog is None:
            app.state.catalog = load_catalog(settings.catalog_dir)
            _freeze_heap()
            if open_layer:
                app.state.semantic = SemanticLayer.beside(app.state.catalog,
                                                           settings.catalog_dir)
        yield

    app = FastAPIOffline(
        title="Filmoteca", version=__version__, description=description(limits),
        lifespan=lifespan, telemetry=NO_TELEMETRY, openapi_tags=TAGS,
        generate_unique_id_function=operation_id)
    app.state.catalog = catalog
    app.state.settings = settings
    app.state.semantic = semantic
    if catalog is not None:
        _freeze_heap()
        if semantic is None and open_layer:
            app.state.semantic = SemanticLayer.beside(catalog, settings.catalog_dir)
    errors.install(app)
    for resource in (peliculas, recomendacion, busqueda, pelicula, sistema):
        app.include_router(resource.router(limits))
    app.mount("/static", StaticFiles(directory=sistema.STATIC_DIR, check_dir=False),
              name="static")

    def build() -> str:  # what the ETags of this app name: the catalog it serves
        served: Catalog | None = app.state.catalog
        manifest = served.manifest if served is not None else {}
        return f"{manifest.get('built_at')}|{manifest.get('films')}|{__version__}"

    def middleware_stack() -> ASGIApp:
        """A request meets HTTP as clients expect it (Server-Timing, CORS, ETag and 304,
        HEAD, gzip, the answers kept), then the routes answered directly, then Starlette's
        own stack (its error middleware, FastAPI's routing and handlers). Outside that stack
        rather than in it (``add_middleware``): about 1.5 µs less per request."""
        starlette = FastAPI.build_middleware_stack(app)
        routes = DirectRoutes(starlette) if direct else starlette
        return HttpCache(routes, build=build, entries=settings.response_cache)

    app.build_middleware_stack = middleware_stack  # type: ignore[method-assign]
    return app


#: The tags of /docs (ASCII names, as clients generated from the schema name their modules).
TAGS = [
    {"name": "consultas", "description": "Consultas del catálogo: las seis preguntas del curso."},
    {"name": "recomendacion", "description": "Recomendación: películas parecidas."},
    {"name": "busqueda", "description": "Búsqueda por título y por argumento."},
    {"name": "pelicula", "description": "Ficha de una película."},
    {"name": "sistema", "description": "Estado del servicio."},
]


def operation_id(route: APIRoute) -> str:
    """A route's ``operationId`` is its function's name: the course's own
    (``peliculas_idioma``, ``get_director``...), so a generated client reads well."""
    return route.name
