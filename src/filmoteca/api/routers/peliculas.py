"""The six course questions as GET endpoints (paths are the course's own, never renamed).

Each endpoint validates nothing itself: it hands what the user typed to
:mod:`filmoteca.services.questions`, whose errors become the Spanish 404/422 of
:mod:`filmoteca.api.errors`. Names may contain "/" ("Face/Off"): path parameters use the
``texto`` converter below (any characters, "/" and line breaks included, so that even
control characters reach the service and get a clear 422 instead of a route 404).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from starlette.convertors import CONVERTOR_TYPES, Convertor, register_url_convertor

from filmoteca.api import schemas
from filmoteca.api.deps import Anio, CatalogDep
from filmoteca.services import questions


class AnyText(Convertor[str]):
    """Like Starlette's ``path`` converter, but matching line breaks too."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


if "texto" not in CONVERTOR_TYPES:
    register_url_convertor("texto", AnyText())

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": schemas.ErrorResponse, "description": "No encontrado (con sugerencias)."},
    422: {"model": schemas.ErrorResponse,
          "description": "Entrada vacía, de más de 200 caracteres o con caracteres de control."},
}
NAME_HELP = "Sin distinguir mayúsculas, tildes ni espacios repetidos; máximo 200 caracteres."

router = APIRouter(tags=["Consultas del catálogo"], responses=ERRORS)


@router.get("/peliculas_idioma/{idioma:texto}", response_model=schemas.LanguageAnswer,
            summary="Películas por idioma original")
async def peliculas_idioma(
    catalog: CatalogDep,
    idioma: Annotated[str, Path(
        description=f"Código ISO 639-1 (en), nombre en inglés (English) o en español "
                    f"(inglés, ingles). {NAME_HELP}",
        examples=["fr"],
    )],
) -> Any:
    """Cantidad de películas cuyo idioma original es `idioma`."""
    return questions.peliculas_idioma(catalog, idioma)


@router.get("/peliculas_duracion/{pelicula:texto}", response_model=schemas.DurationAnswer,
            summary="Duración y año de una película")
async def peliculas_duracion(
    catalog: CatalogDep,
    pelicula: Annotated[str, Path(description=f"Título. {NAME_HELP}", examples=["Toy Story"])],
    anio: Anio = None,
) -> Any:
    """Duración (minutos) y año de estreno. Si varias películas comparten el título responde
    la más votada y lista las demás en `otras_coincidencias`; `?anio=` elige una."""
    return questions.peliculas_duracion(catalog, pelicula, anio)


@router.get("/franquicia/{franquicia:texto}", response_model=schemas.CollectionAnswer,
            summary="Películas y ganancia de una franquicia")
async def franquicia(
    catalog: CatalogDep,
    franquicia: Annotated[str, Path(
        description=f"Nombre de la colección, con o sin ' Collection'. {NAME_HELP}",
        examples=["Star Wars"],
    )],
) -> Any:
    """Cantidad de películas, ganancia (revenue) total y promedio de una franquicia."""
    return questions.franquicia(catalog, franquicia)


@router.get("/peliculas_pais/{pais:texto}", response_model=schemas.CountryAnswer,
            summary="Películas producidas en un país")
async def peliculas_pais(
    catalog: CatalogDep,
    pais: Annotated[str, Path(
        description=f"Código ISO 3166-1 (US), nombre en inglés (United States of America) "
                    f"o en español (Estados Unidos). {NAME_HELP}",
        examples=["Estados Unidos"],
    )],
) -> Any:
    """Cantidad de películas producidas (al menos en parte) en el país."""
    return questions.peliculas_pais(catalog, pais)


@router.get("/productoras_exitosas/{productora:texto}", response_model=schemas.CompanyAnswer,
            summary="Revenue y cantidad de películas de una productora")
async def productoras_exitosas(
    catalog: CatalogDep,
    productora: Annotated[str, Path(description=f"Nombre. {NAME_HELP}",
                                    examples=["Pixar Animation Studios"])],
) -> Any:
    """Revenue total (suma de `revenue`) y cantidad de películas de la productora."""
    return questions.productoras_exitosas(catalog, productora)


@router.get("/get_director/{nombre_director:texto}", response_model=schemas.DirectorAnswer,
            summary="Éxito de un director y sus películas")
async def get_director(
    catalog: CatalogDep,
    nombre_director: Annotated[str, Path(description=f"Nombre. {NAME_HELP}",
                                         examples=["John Lasseter"])],
) -> Any:
    """Retorno total (suma de revenue/budget) y cada película con fecha, retorno, costo y
    ganancia."""
    return questions.get_director(catalog, nombre_director)
