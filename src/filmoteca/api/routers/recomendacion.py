"""``/recomendacion/{titulo}``: similar films, read from the neighbours stored at build.

(No ``from __future__ import annotations``: see :mod:`.peliculas`.)
"""

from typing import Annotated

from fastapi import APIRouter

from filmoteca.api import contract
from filmoteca.api.deps import CatalogDep
from filmoteca.config import RECOMMENDATIONS, Limits
from filmoteca.services import recommend
from filmoteca.services.answers import RecommendationAnswer


def router(limits: Limits) -> APIRouter:
    routes = APIRouter(tags=["Recomendación"],
                       responses=contract.error_responses(limits, 404, 422, 503))

    @routes.get("/recomendacion/{titulo:texto}",
                summary=f"{RECOMMENDATIONS} películas similares",
                response_description=contract.ANSWERED)
    async def recomendacion(
        catalog: CatalogDep,
        titulo: Annotated[str, contract.name_path(limits, "Título.", "Toy Story")],
        anio: Annotated[int | None, contract.anio_query()] = None,
    ) -> RecommendationAnswer:
        """Las películas más parecidas, la mejor primero, con su puntaje y los motivos.
        Nunca la película consultada ni un duplicado suyo; `?anio=` elige entre títulos
        repetidos."""
        return recommend.recomendacion(catalog, titulo, anio, limits)

    return routes
