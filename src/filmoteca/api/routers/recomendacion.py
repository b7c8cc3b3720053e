"""``/recomendacion/{titulo}``: five similar films, read from the neighbours stored at build."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from filmoteca.api import schemas
from filmoteca.api.deps import Anio, CatalogDep
from filmoteca.api.routers.peliculas import ERRORS, NAME_HELP
from filmoteca.services import recommend

router = APIRouter(tags=["Recomendación"], responses=ERRORS)


@router.get("/recomendacion/{titulo:texto}", response_model=schemas.RecommendationAnswer,
            summary="5 películas similares")
async def recomendacion(
    catalog: CatalogDep,
    titulo: Annotated[str, Path(description=f"Título. {NAME_HELP}", examples=["Toy Story"])],
    anio: Anio = None,
) -> Any:
    """Las 5 películas más parecidas, la mejor primero, con su puntaje y los motivos. Nunca
    la película consultada ni un duplicado suyo; `?anio=` elige entre títulos repetidos."""
    return recommend.recomendacion(catalog, titulo, anio)
