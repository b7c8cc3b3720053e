"""The FastAPI application: :func:`create_app`.

Owns the assembly: the settings (given, else :func:`filmoteca.config.get_settings`), the
catalog (given, or loaded by the lifespan from ``settings.catalog_dir``), the routers built
for ``settings.limits`` (:mod:`.routers`, whose published rules come from
:mod:`.contract`), the Spanish error handlers, the ``Server-Timing`` middleware, and the
static web page (``/`` serves ``api/static/index.html``; its assets are under ``/static``),
the catalog's semantic layer (:mod:`filmoteca.serve.semantic`: Spanish titles,
``/buscar_descripcion``), opened next to the catalog and loaded in a background thread, and
in front of it all the fast path (:mod:`.fast`), which answers the hot requests with the
same services and bytes.

The serving process imports only FastAPI, pydantic, orjson, rapidfuzz and unidecode, and
numpy for the semantic layer (in its loading thread): never pandas, pyarrow, scipy,
scikit-learn or babel (a test checks ``sys.modules``).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from filmoteca import __version__
from filmoteca.api import errors
from filmoteca.api.fast import FastPath
from filmoteca.api.routers import descripcion, peliculas, recomendacion, sistema
from filmoteca.api.timing import ServerTimingMiddleware
from filmoteca.config import RECOMMENDATIONS, Limits, Settings, get_settings
from filmoteca.formatting import format_int
from filmoteca.serve.catalog import Catalog, load_catalog
from filmoteca.serve.semantic import SemanticLayer


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


def _freeze_heap() -> None:
    """Move everything allocated so far (the catalog: ~10^5 dicts and lists on the full
    catalog) out of the garbage collector's reach: it never changes, and letting every
    full collection walk it would add millisecond pauses to random requests."""
    gc.collect()
    gc.freeze()


def create_app(catalog: Catalog | None = None, settings: Settings | None = None,
               semantic: SemanticLayer | None = None, open_layer: bool = True) -> FastAPI:
    """The API over ``catalog`` with ``settings`` (default: :func:`get_settings`); when
    ``catalog`` is None, the lifespan loads it from ``settings.catalog_dir``. ``semantic``:
    the catalog's semantic layer, else (with ``open_layer``) the one next to the catalog
    (:meth:`SemanticLayer.beside`); ``app.state.semantic = None`` turns it off."""
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

    app = FastAPI(
        title="Filmoteca",
        version=__version__,
        description=description(limits),
        lifespan=lifespan,
    )
    app.state.catalog = catalog
    app.state.settings = settings
    app.state.semantic = semantic
    if catalog is not None:
        _freeze_heap()
        if semantic is None and open_layer:
            app.state.semantic = SemanticLayer.beside(catalog, settings.catalog_dir)
    errors.install(app)
    app.add_middleware(ServerTimingMiddleware)
    # Outermost: the hot requests are answered before FastAPI's routing (see .fast).
    app.add_middleware(FastPath, catalog=lambda: app.state.catalog, limits=limits,
                       cache_entries=settings.response_cache,
                       semantic=lambda: app.state.semantic)
    app.include_router(peliculas.router(limits))
    app.include_router(recomendacion.router(limits))
    app.include_router(descripcion.router(limits))
    app.include_router(sistema.router(limits))
    app.mount("/static", StaticFiles(directory=sistema.STATIC_DIR, check_dir=False),
              name="static")
    return app
