"""Search: ``/buscar`` (titles) and ``/buscar_descripcion`` (plots told in Spanish or English).

(No ``from __future__ import annotations``: see :mod:`.peliculas`.)
"""

from typing import Annotated

from fastapi import APIRouter

from filmoteca.api import contract
from filmoteca.api.deps import CatalogDep, SemanticDep
from filmoteca.config import DESCRIPTION_DEFAULT_LIMIT, SEARCH_DEFAULT_LIMIT, Limits
from filmoteca.services import descriptions, search
from filmoteca.services.answers import DescriptionAnswer, SearchAnswer
from filmoteca.services.filters import read_filters


def router(limits: Limits) -> APIRouter:
    routes = APIRouter(tags=["busqueda"])

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

    @routes.get("/buscar_descripcion", summary="Buscar películas por su argumento",
                response_description=contract.ANSWERED,
                responses=contract.error_responses(
                    limits, 404, 422, 503, invalid=contract.DESCRIPTION_INVALID + " "
                    + contract.FILTERS_INVALID))
    async def buscar_descripcion(
        catalog: CatalogDep,
        semantic: SemanticDep,
        q: Annotated[str, contract.description_query()],
        limite: Annotated[int, contract.description_limit_query()] = DESCRIPTION_DEFAULT_LIMIT,
        anio_desde: Annotated[int | None, contract.anio_desde_query()] = None,
        anio_hasta: Annotated[int | None, contract.anio_hasta_query()] = None,
        genero: Annotated[str | None, contract.genero_query(limits)] = None,
        idioma: Annotated[str | None, contract.idioma_query(limits)] = None,
    ) -> DescriptionAnswer:
        """Las películas cuyo argumento (título, lema, sinopsis, géneros y palabras clave)
        más se parece a lo que se cuenta en `q`, en español o en inglés, la mejor primero.
        Se compara el sentido, no las palabras (un modelo multilingüe de frases): "un
        tiburón aterroriza una playa" encuentra *Jaws*. Se prefieren un poco las más
        votadas. Con filtros (años, género, idioma), solo las películas que los cumplen."""
        wanted = read_filters(catalog, anio_desde, anio_hasta, genero, idioma, limits)
        return descriptions.buscar_descripcion(catalog, semantic, q, limite, wanted)

    return routes
