"""Request dependencies shared by the routers (``Annotated`` aliases).

Owns :data:`CatalogDep` (the catalog loaded at start-up, from ``app.state``) and the
optional ``?anio=`` parameter shared by ``/peliculas_duracion`` and ``/recomendacion``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from filmoteca.services.catalog import Catalog


async def get_catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]

Anio = Annotated[
    int | None,
    Query(
        ge=1870, le=2100,
        description="Año de estreno, para elegir entre películas con el mismo título.",
        examples=[1962],
    ),
]
