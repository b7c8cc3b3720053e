"""The rest of the API surface: ``/`` (the web page), ``/health`` and ``/buscar``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse

from filmoteca import __version__
from filmoteca.api import schemas
from filmoteca.api.deps import CatalogDep
from filmoteca.api.routers.peliculas import ERRORS
from filmoteca.config import PACKAGE_DIR
from filmoteca.services import search

STATIC_DIR = PACKAGE_DIR / "api" / "static"

router = APIRouter(tags=["Sistema"])


FALLBACK_PAGE = (
    "<!doctype html><html lang='es'><meta charset='utf-8'><title>Filmoteca</title>"
    "<p>Filmoteca: la página de consultas no está instalada; use <a href='/docs'>/docs</a>."
)


@router.get("/", include_in_schema=False, response_model=None)
async def home() -> FileResponse | HTMLResponse:
    """The small web page to try every question (``api/static/index.html``)."""
    page = STATIC_DIR / "index.html"
    if not page.is_file():
        return HTMLResponse(FALLBACK_PAGE)
    return FileResponse(page, media_type="text/html")


@router.get("/health", response_model=schemas.Health, summary="Estado del servicio")
async def health(catalog: CatalogDep) -> Any:
    """Estado, tipo de datos (sample, full o synthetic), cantidad de películas y fecha de
    construcción del catálogo."""
    manifest = catalog.manifest
    return schemas.Health(
        estado="ok", datos=catalog.dataset, peliculas=len(catalog),
        construido=str(manifest.get("built_at", "")), version=__version__,
    )


@router.get("/buscar", response_model=schemas.SearchAnswer, summary="Buscar por título",
            responses={422: ERRORS[422]})
async def buscar(
    catalog: CatalogDep,
    q: Annotated[str, Query(description="Parte del título (sin distinguir mayúsculas ni "
                                        "tildes); máximo 200 caracteres.",
                            examples=["toy"])],
    limite: Annotated[int, Query(ge=1, le=50, description="Resultados por página.")] = 10,
    pagina: Annotated[int, Query(ge=1, le=100, description="Página, desde 1.")] = 1,
) -> Any:
    """Películas cuyo título contiene `q`, las más votadas primero, paginadas. Sin
    coincidencias, `sugerencias` trae los títulos más parecidos."""
    return search.buscar(catalog, q, limite, pagina)
