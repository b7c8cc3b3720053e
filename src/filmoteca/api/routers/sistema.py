"""The rest of the API surface: ``/`` (the web page), ``/health`` and ``/buscar``.

(No ``from __future__ import annotations``: see :mod:`.peliculas`.)
"""

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from filmoteca import __version__
from filmoteca.api import contract
from filmoteca.api.deps import CatalogDep
from filmoteca.api.fast import STATIC_DIR
from filmoteca.config import SEARCH_DEFAULT_LIMIT, Limits
from filmoteca.serve import search
from filmoteca.serve.answers import Health, SearchAnswer

__all__ = ["STATIC_DIR", "router"]

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
    async def health(catalog: CatalogDep) -> Health:
        """Estado, tipo de datos (sample, full o synthetic), cantidad de películas y fecha de
        construcción del catálogo."""
        return Health(
            estado="ok", datos=catalog.dataset, peliculas=len(catalog),
            construido=str(catalog.manifest.get("built_at", "")), version=__version__,
        )

    @routes.get("/buscar", summary="Buscar por título", response_description=contract.ANSWERED,
                responses=contract.error_responses(limits, 422, 503))
    async def buscar(
        catalog: CatalogDep,
        q: Annotated[str, contract.name_query(
            limits, "Parte del título, del principio o de en medio.", "toy")],
        limite: Annotated[int, contract.limite_query()] = SEARCH_DEFAULT_LIMIT,
        pagina: Annotated[int, contract.pagina_query()] = 1,
    ) -> SearchAnswer:
        """Películas cuyo título contiene `q`, las más votadas primero, paginadas. Sin
        coincidencias, `sugerencias` trae los títulos más parecidos."""
        return search.buscar(catalog, q, limite, pagina, limits)

    return routes
