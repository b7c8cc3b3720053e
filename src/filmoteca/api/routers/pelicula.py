"""``/pelicula/{id}``: one film whole, by its TMDB id.

(No ``from __future__ import annotations``: see :mod:`.peliculas`.)
"""

from typing import Annotated

from fastapi import APIRouter

from filmoteca.api import contract
from filmoteca.api.deps import CatalogDep, SemanticDep
from filmoteca.config import Limits
from filmoteca.services import film
from filmoteca.services.answers import FilmAnswer


def router(limits: Limits) -> APIRouter:
    routes = APIRouter(tags=["pelicula"], responses=contract.error_responses(
        limits, 404, 422, 503, invalid="Entrada no válida: el id no es un entero positivo."))

    @routes.get("/pelicula/{id}", summary="Ficha de una película",
                response_description=contract.ANSWERED)
    async def pelicula(
        catalog: CatalogDep,
        semantic: SemanticDep,
        id: Annotated[int, contract.film_id_path()],
    ) -> FilmAnswer:
        """Todo lo que el catálogo sabe de la película: título, año, fecha, duración,
        géneros, dirección, reparto principal (si los créditos lo traen), colección,
        productoras, países e idiomas (con su nombre en español), sinopsis, votos,
        puntuación, presupuesto, ingresos, retorno, sus 5 recomendaciones con sus motivos, y
        enlaces a TMDB y a IMDb (si se conoce su id)."""
        return film.pelicula(catalog, id, semantic)

    return routes
