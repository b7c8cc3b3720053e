"""Recommendations: ``/recomendacion/{titulo}`` (one film) and ``/recomendacion?titulo=...``
(2 to 10 films), both with filters; read from the neighbours stored at build.

(No ``from __future__ import annotations``: see :mod:`.peliculas`.)
"""

from typing import Annotated

from fastapi import APIRouter

from filmoteca.api import contract
from filmoteca.api.deps import CatalogDep, SemanticDep
from filmoteca.config import RECOMMENDATIONS, Limits
from filmoteca.services import recommend
from filmoteca.services.answers import RecommendationAnswer, SeveralRecommendationAnswer
from filmoteca.services.filters import read_filters


def router(limits: Limits) -> APIRouter:
    routes = APIRouter(tags=["recomendacion"], responses=contract.error_responses(
        limits, 404, 422, 503, invalid=contract.FILTERS_INVALID))
    AnioDesde = Annotated[int | None, contract.anio_desde_query()]
    AnioHasta = Annotated[int | None, contract.anio_hasta_query()]
    Genero = Annotated[str | None, contract.genero_query(limits)]
    Idioma = Annotated[str | None, contract.idioma_query(limits)]

    @routes.get("/recomendacion/{titulo:texto}",
                summary=f"{RECOMMENDATIONS} películas similares",
                response_description=contract.ANSWERED)
    async def recomendacion(
        catalog: CatalogDep,
        semantic: SemanticDep,
        titulo: Annotated[str, contract.name_path(
            limits, "Título, tal como está en el catálogo o en español.", "Toy Story")],
        anio: Annotated[int | None, contract.anio_query()] = None,
        anio_desde: AnioDesde = None,
        anio_hasta: AnioHasta = None,
        genero: Genero = None,
        idioma: Idioma = None,
    ) -> RecommendationAnswer:
        """Las películas más parecidas, la mejor primero, con su puntaje y los motivos.
        Nunca la película consultada ni un duplicado suyo; `?anio=` elige entre títulos
        repetidos. Un título en español se interpreta como en `/peliculas_duracion`
        (`interpretacion`). Con filtros (años, género, idioma) solo las que los cumplen; si
        entre las vecinas calculadas no hay bastantes, una búsqueda ampliada completa la
        lista."""
        wanted = read_filters(catalog, anio_desde, anio_hasta, genero, idioma, limits)
        return recommend.recomendacion(catalog, titulo, anio, limits, semantic, wanted)

    @routes.get("/recomendacion", summary="Películas similares a varias",
                response_description=contract.ANSWERED)
    async def recomendacion_varias(
        catalog: CatalogDep,
        semantic: SemanticDep,
        titulo: Annotated[list[str], contract.titulos_query(limits)],
        anio_desde: AnioDesde = None,
        anio_hasta: AnioHasta = None,
        genero: Genero = None,
        idioma: Idioma = None,
    ) -> SeveralRecommendationAnswer:
        """Las películas más parecidas al conjunto (de 2 a 10 películas), sin las
        consultadas; cada motivo dice a cuál de ellas responde ("como Toy Story: ...").
        Cada título se lee como en `/recomendacion/{titulo}`; los que no se encuentran se
        nombran en un 404, con sugerencias para cada uno."""
        wanted = read_filters(catalog, anio_desde, anio_hasta, genero, idioma, limits)
        return recommend.recomendacion_varias(catalog, titulo, limits, semantic, wanted)

    return routes
