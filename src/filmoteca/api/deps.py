"""Request dependencies shared by the routers (``Annotated`` aliases).

Owns :data:`CatalogDep`: the catalog loaded at start-up (``app.state.catalog``), or a 503
(:class:`~filmoteca.api.errors.CatalogUnavailable`) when none is loaded; and
:data:`SemanticDep`: the catalog's semantic layer (``app.state.semantic``, loading in the
background), or None when the catalog has none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from filmoteca.api.errors import CatalogUnavailable
from filmoteca.services.catalog import Catalog
from filmoteca.services.semantic import SemanticLayer


async def get_catalog(request: Request) -> Catalog:
    catalog: Catalog | None = request.app.state.catalog
    if catalog is None:
        raise CatalogUnavailable
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


async def get_semantic(request: Request) -> SemanticLayer | None:
    semantic: SemanticLayer | None = getattr(request.app.state, "semantic", None)
    return semantic


SemanticDep = Annotated[SemanticLayer | None, Depends(get_semantic)]
