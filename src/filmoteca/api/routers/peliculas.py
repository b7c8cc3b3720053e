"""The six course questions as GET endpoints (paths are the course's own, never renamed).

:func:`router` builds them for one app's :class:`~filmoteca.config.Limits`: the parameter
rules published in the schema (:mod:`filmoteca.api.contract`) and the ones the services
enforce are the same values. Each endpoint hands what the user typed to
:mod:`filmoteca.services.questions` and returns its answer model; the services' errors
become the Spanish 404/422 of :mod:`filmoteca.api.errors`.

Names may contain "/" ("Face/Off"): path parameters use the ``texto`` converter below (any
characters, "/" and line breaks included, so that even control characters reach the service
and get a clear 422 instead of a route 404).

(No ``from __future__ import annotations`` here: the parameter declarations are built from
``limits`` inside :func:`router`, and FastAPI must see them as objects, not strings.)
"""

from typing import Annotated

from fastapi import APIRouter
from starlette.convertors import CONVERTOR_TYPES, Convertor, register_url_convertor

from filmoteca.api import contract
from filmoteca.api.deps import CatalogDep, SemanticDep
from filmoteca.config import Limits
from filmoteca.services import questions
from filmoteca.services.answers import (
    CollectionAnswer,
    CompanyAnswer,
    CountryAnswer,
    DirectorAnswer,
    DurationAnswer,
    LanguageAnswer,
)


class AnyText(Convertor[str]):
    """Like Starlette's ``path`` converter, but matching line breaks too."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


if "texto" not in CONVERTOR_TYPES:
    register_url_convertor("texto", AnyText())

TAG = "consultas"


def router(limits: Limits) -> APIRouter:
    """The six questions, with ``limits`` enforced and published."""
    routes = APIRouter(tags=[TAG], responses=contract.error_responses(limits, 404, 422, 503))
    Anio = Annotated[int | None, contract.anio_query()]

    @routes.get("/peliculas_idioma/{idioma:texto}", summary="Películas por idioma original",
                response_description=contract.ANSWERED)
    async def peliculas_idioma(
        catalog: CatalogDep,
        idioma: Annotated[str, contract.name_path(
            limits, "Código ISO 639-1 (en), nombre en inglés (English) o en español "
                    "(inglés, ingles).", "fr")],
    ) -> LanguageAnswer:
        """Cantidad de películas cuyo idioma original es `idioma`."""
        return questions.peliculas_idioma(catalog, idioma, limits)

    @routes.get("/peliculas_duracion/{pelicula:texto}", summary="Duración y año de una película",
                response_description=contract.ANSWERED)
    async def peliculas_duracion(
        catalog: CatalogDep,
        semantic: SemanticDep,
        pelicula: Annotated[str, contract.name_path(
            limits, "Título, tal como está en el catálogo o en español.", "Toy Story")],
        anio: Anio = None,
    ) -> DurationAnswer:
        """Duración (minutos) y año de estreno. Si varias películas comparten el título
        responde la más votada y lista las demás en `otras_coincidencias`; `?anio=` elige
        una. Un título en español ("El padrino") se interpreta como el del catálogo cuando
        la coincidencia es segura, y `interpretacion` lo dice; si no, 404 con las
        películas candidatas primero en `sugerencias`."""
        return questions.peliculas_duracion(catalog, pelicula, anio, limits, semantic)

    @routes.get("/franquicia/{franquicia:texto}", summary="Películas y ganancia de una franquicia",
                response_description=contract.ANSWERED)
    async def franquicia(
        catalog: CatalogDep,
        franquicia: Annotated[str, contract.name_path(
            limits, "Nombre de la colección, con o sin ' Collection'.", "Star Wars")],
    ) -> CollectionAnswer:
        """Cantidad de películas, ganancia (revenue) total y promedio de una franquicia."""
        return questions.franquicia(catalog, franquicia, limits)

    @routes.get("/peliculas_pais/{pais:texto}", summary="Películas producidas en un país",
                response_description=contract.ANSWERED)
    async def peliculas_pais(
        catalog: CatalogDep,
        pais: Annotated[str, contract.name_path(
            limits, "Código ISO 3166-1 (US), nombre en inglés (United States of America) o "
                    "en español (Estados Unidos).", "Estados Unidos")],
    ) -> CountryAnswer:
        """Cantidad de películas producidas (al menos en parte) en el país."""
        return questions.peliculas_pais(catalog, pais, limits)

    @routes.get("/productoras_exitosas/{productora:texto}",
                summary="Revenue y cantidad de películas de una productora",
                response_description=contract.ANSWERED)
    async def productoras_exitosas(
        catalog: CatalogDep,
        productora: Annotated[str, contract.name_path(
            limits, "Nombre de la productora.", "Pixar Animation Studios")],
    ) -> CompanyAnswer:
        """Revenue total (suma de `revenue`) y cantidad de películas de la productora."""
        return questions.productoras_exitosas(catalog, productora, limits)

    @routes.get("/get_director/{nombre_director:texto}",
                summary="Éxito de un director y sus películas",
                response_description=contract.ANSWERED)
    async def get_director(
        catalog: CatalogDep,
        nombre_director: Annotated[str, contract.name_path(
            limits, "Nombre del director o directora.", "John Lasseter")],
    ) -> DirectorAnswer:
        """Retorno total (suma de revenue/budget) y cada película con fecha, retorno, costo y
        ganancia."""
        return questions.get_director(catalog, nombre_director, limits)

    return routes
