"""``/recomendacion/{titulo}``: similar films, read from the neighbours stored at build.

(No ``from __future__ import annotations``: see :mod:`.peliculas`.)
"""

from typing import Annotated

from fastapi import APIRouter

from filmoteca.api import contract
from filmoteca.api.deps import CatalogDep, SemanticDep
from filmoteca.config import RECOMMENDATIONS, Limits
from filmoteca.serve import recommend
from filmoteca.serve.answers import RecommendationAnswer


def router(limits: Limits) -> APIRouter:
    routes = APIRouter(tags=["Recomendación"],
                       responses=contract.error_responses(limits, 404, 422, 503))

    @routes.get("/recomendacion/{titulo:texto}",
                summary=f"{RECOMMENDATIONS} películas similares",
                response_description=contract.ANSWERED)
    async def recomendacion(
        catalog: CatalogDep,
        semantic: SemanticDep,
        titulo: Annotated[str, contract.name_path(
            limits, "Título, tal como está en el catálogo o en español.", "Toy Story")],
        anio: Annotated[int | None, contract.anio_query()] = None,
    ) -> RecommendationAnswer:
        """Las películas más parecidas, la mejor primero, con su puntaje y los motivos.
        Nunca la película consultada ni un duplicado suyo; `?anio=` elige entre títulos
        repetidos. Un título en español se interpreta como en `/peliculas_duracion`
        (`interpretacion`)."""
        return recommend.recomendacion(catalog, titulo, anio, limits, semantic)

    return routes
