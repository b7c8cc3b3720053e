"""The service itself: ``/`` (the web page to try every question) and ``/health``.

(No ``from __future__ import annotations``: see :mod:`.peliculas`.)
"""

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse, HTMLResponse

from filmoteca import __version__
from filmoteca.api import contract
from filmoteca.api.deps import CatalogDep
from filmoteca.config import PACKAGE_DIR, Limits
from filmoteca.serve.answers import Health

#: The web page (``index.html``) and its files, served under ``/static``.
STATIC_DIR = PACKAGE_DIR / "api" / "static"

FALLBACK_PAGE = (
    "<!doctype html><html lang='es'><meta charset='utf-8'><title>Filmoteca</title>"
    "<p>Filmoteca: la página de consultas no está instalada; use <a href='/docs'>/docs</a>."
)


def router(limits: Limits) -> APIRouter:
    routes = APIRouter(tags=["Sistema"])

    @routes.get("/", include_in_schema=False, response_model=None)
    async def home() -> FileResponse | HTMLResponse:
        """The small web page to try every question (``api/static/index.html``)."""
        page = STATIC_DIR / "index.html"
        if not page.is_file():
            return HTMLResponse(FALLBACK_PAGE)
        return FileResponse(page, media_type="text/html")

    @routes.get("/health", summary="Estado del servicio",
                response_description="El servicio responde y este es su catálogo.",
                responses=contract.error_responses(limits, 503))
    async def health(catalog: CatalogDep, response: Response) -> Health:
        """Estado, tipo de datos (sample, full o synthetic), cantidad de películas y fecha de
        construcción del catálogo."""
        response.headers["Cache-Control"] = "no-store"  # the state of this process, now
        return Health(
            estado="ok", datos=catalog.dataset, peliculas=len(catalog),
            construido=str(catalog.manifest.get("built_at", "")), version=__version__,
        )

    return routes
