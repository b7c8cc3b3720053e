"""Request dependencies shared by the routers (``Annotated`` aliases).

Owns :data:`CatalogDep`: the catalog loaded at start-up (``app.state.catalog``), or a 503
(:class:`~filmoteca.api.errors.CatalogUnavailable`) when none is loaded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from filmoteca.api.errors import CatalogUnavailable
from filmoteca.services.catalog import Catalog


async def get_catalog(request: Request) -> Catalog:
    catalog: Catalog | None = request.app.state.catalog
    if catalog is None:
        raise CatalogUnavailable
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
