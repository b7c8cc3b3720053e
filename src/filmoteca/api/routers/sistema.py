"""The service itself: ``/`` (the web page to try every question) and ``/health``.

(No ``from __future__ import annotations``: see :mod:`.peliculas`.)
"""

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse, HTMLResponse

from filmoteca import __version__
from filmoteca.api import contract
from filmoteca.api.deps import CatalogDep, SemanticDep
from filmoteca.config import PACKAGE_DIR, Limits
from filmoteca.services.answers import Health, LayerState

#: The web page (``index.html``) and its files, served under ``/static``.
STATIC_DIR = PACKAGE_DIR / "api" / "static"

#: Why a catalog has no semantic layer.
NO_VECTORS = ("el catálogo se construyó sin los vectores (filmoteca build --no-embeddings): "
              "sin títulos en español ni /buscar_descripcion")

FALLBACK_PAGE = (
    "<!doctype html><html lang='es'><meta charset='utf-8'><title>Filmoteca</title>"
    "<p>Filmoteca: la página de consultas no está instalada; use <a href='/docs'>/docs</a>."
)


def router(limits: Limits) -> APIRouter:
    routes = APIRouter(tags=["sistema"])

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
    async def health(catalog: CatalogDep, semantic: SemanticDep, response: Response) -> Health:
        """Estado, tipo de datos (sample, full o synthetic), cantidad de películas, fecha de
        construcción del catálogo y estado de la búsqueda semántica (títulos en español y
        `/buscar_descripcion`): `estado` es 'degradado' si el catálogo la trae pero no se
        pudo cargar."""
        response.headers["Cache-Control"] = "no-store"  # the state of this process, now
        if semantic is None:
            layer = LayerState(estado="no_disponible", motivo=NO_VECTORS)
        else:
            state, reason = semantic.state()
            layer = LayerState(estado=state, motivo=reason)  # type: ignore[arg-type]
        degraded = semantic is not None and layer.estado == "no_disponible"
        return Health(
            estado="degradado" if degraded else "ok", datos=catalog.dataset,
            peliculas=len(catalog), construido=str(catalog.manifest.get("built_at", "")),
            version=__version__, busqueda_semantica=layer,
        )

    return routes
