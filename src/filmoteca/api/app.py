"""The FastAPI application: :func:`create_app`.

Owns the assembly: settings (:func:`filmoteca.config.get_settings`), the catalog (given, or
loaded by the lifespan from ``settings.catalog_dir``), the routers, the Spanish error
handlers, the ``Server-Timing`` middleware, and the static web page (``/`` serves
``api/static/index.html``; its assets are under ``/static``).

The serving process imports only FastAPI, pydantic, orjson, rapidfuzz and unidecode: never
pandas, numpy, pyarrow, scipy, scikit-learn or babel (a test checks ``sys.modules``).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from filmoteca import __version__
from filmoteca.api import errors
from filmoteca.api.routers import peliculas, recomendacion, sistema
from filmoteca.api.timing import ServerTimingMiddleware
from filmoteca.config import get_settings
from filmoteca.services.catalog import Catalog, load_catalog

DESCRIPTION = """
Consultas sobre *The Movies Dataset* (Kaggle, CC0): las seis preguntas del curso y una
recomendación de 5 películas similares.

- Los nombres se buscan sin distinguir mayúsculas, tildes ni espacios repetidos.
- Idiomas y países por código ISO o por nombre en español o en inglés.
- Sin resultado: **404** con `detail.mensaje` y hasta 5 `detail.sugerencias`.
- Entrada vacía, de más de 200 caracteres o con caracteres de control: **422**.
- Los importes son números en US$; en `mensaje` se escriben `US$ 1.234.567`.
"""


def _freeze_heap() -> None:
    """Move everything allocated so far (the catalog: ~10^5 dicts and lists on the full
    catalog) out of the garbage collector's reach: it never changes, and letting every
    full collection walk it would add millisecond pauses to random requests."""
    gc.collect()
    gc.freeze()


def create_app(catalog: Catalog | None = None) -> FastAPI:
    """The API over ``catalog``; when None, the lifespan loads it from the settings."""
    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "catalog", None) is None:
            app.state.catalog = load_catalog(settings.catalog_dir)
            _freeze_heap()
        yield

    app = FastAPI(
        title="Filmoteca",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.catalog = catalog
    app.state.settings = settings
    if catalog is not None:
        _freeze_heap()
    errors.install(app)
    app.add_middleware(ServerTimingMiddleware)
    app.include_router(peliculas.router)
    app.include_router(recomendacion.router)
    app.include_router(sistema.router)
    app.mount("/static", StaticFiles(directory=sistema.STATIC_DIR, check_dir=False),
              name="static")
    return app
