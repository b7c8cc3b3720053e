"""The published contract of every parameter and error, made from what the server enforces.

Owns the parameter declarations the routers use and the error responses they declare, all
generated from one :class:`~filmoteca.config.Limits` (the app's settings) and the constants
of :mod:`filmoteca.config` and :mod:`filmoteca.services.matching`, so the OpenAPI schema,
the ``/docs`` texts and the server's checks cannot drift apart:

- a *name* (path parameters, ``q``): ``minLength`` 1, ``maxLength``
  ``limits.max_input_length`` and ``pattern`` :data:`~filmoteca.services.matching.NAME_PATTERN`
  (no control character, at least one visible one) are *published* in the schema, while the
  check itself stays in :func:`~filmoteca.services.matching.clean_input`, which answers the
  Spanish 422 the course asks for (FastAPI does not validate them a second time);
- a *description* (``/buscar_descripcion?q=``): the same pattern with its own length bounds
  (:func:`description_query`), checked by
  :func:`~filmoteca.services.descriptions.clean_description`;
- ``anio``, ``limite``, ``pagina``: integer ranges that FastAPI enforces (its 422 is put in
  Spanish by :mod:`filmoteca.api.errors`) and publishes as ``minimum``/``maximum``;
- :func:`error_responses`: the :class:`~filmoteca.api.errors.ErrorResponse` body declared for
  404, 422 and 503, with descriptions stating the same limits.
"""

from __future__ import annotations

from typing import Any

from fastapi import Path, Query

from filmoteca.api.errors import ErrorResponse
from filmoteca.config import (
    DESCRIPTION_DEFAULT_LIMIT,
    DESCRIPTION_MAX_LENGTH,
    DESCRIPTION_MAX_LIMIT,
    DESCRIPTION_MIN_LENGTH,
    MAX_YEAR,
    MIN_YEAR,
    SEARCH_DEFAULT_LIMIT,
    SEARCH_MAX_LIMIT,
    SEARCH_MAX_PAGE,
    Limits,
)
from filmoteca.formatting import format_int
from filmoteca.services.matching import NAME_PATTERN
from filmoteca.services.recommend import MAX_TITLES, MIN_TITLES

#: The description of every successful answer in /docs.
ANSWERED = "La respuesta: los campos estructurados y `mensaje`, la frase que pide el curso."
#: How a name is compared (stated in every name parameter's description).
MATCHING = "Sin distinguir mayúsculas, tildes ni espacios repetidos."


def name_rules(limits: Limits) -> str:
    """The rules of a name, in Spanish, as the 422 enforces them."""
    return (f"De 1 a {format_int(limits.max_input_length)} caracteres, con al menos uno "
            "visible, sin caracteres de control (saltos de línea, tabuladores u otros "
            "invisibles) ni bytes que no sean UTF-8; si no, 422.")


def name_schema(limits: Limits) -> dict[str, Any]:
    """The JSON Schema keywords of a name (merged into the parameter's ``schema``)."""
    return {"minLength": 1, "maxLength": limits.max_input_length, "pattern": NAME_PATTERN}


def name_path(limits: Limits, what: str, example: str) -> Any:
    """A path parameter holding a name; ``what`` says what may be written."""
    return Path(description=f"{what} {MATCHING} {name_rules(limits)}", examples=[example],
                json_schema_extra=name_schema(limits))


def name_query(limits: Limits, what: str, example: str) -> Any:
    """A required query parameter holding a name (``/buscar?q=``)."""
    return Query(description=f"{what} {MATCHING} {name_rules(limits)}", examples=[example],
                 json_schema_extra=name_schema(limits))


#: Descriptions that show what ``/buscar_descripcion`` understands (the page offers them).
DESCRIPTION_EXAMPLES = [
    "un muñeco vaquero celoso de un juguete astronauta",
    "dinosaurios en un parque de atracciones",
    "a shark terrorizes a beach town",
]


def description_query() -> Any:
    """``q`` of ``/buscar_descripcion``: a description, with its own length bounds."""
    return Query(
        description=(
            "El argumento, contado con sus palabras, en español o en inglés. De "
            f"{DESCRIPTION_MIN_LENGTH} a {DESCRIPTION_MAX_LENGTH} caracteres, con al menos uno "
            "visible, sin caracteres de control (saltos de línea, tabuladores u otros "
            "invisibles) ni bytes que no sean UTF-8; si no, 422."),
        examples=DESCRIPTION_EXAMPLES,
        openapi_examples={f"ejemplo {i}": {"summary": text, "value": text}
                          for i, text in enumerate(DESCRIPTION_EXAMPLES, 1)},
        json_schema_extra={"minLength": DESCRIPTION_MIN_LENGTH,
                           "maxLength": DESCRIPTION_MAX_LENGTH, "pattern": NAME_PATTERN},
    )


#: The 422 of ``/buscar_descripcion``.
DESCRIPTION_INVALID = (
    f"Entrada no válida: una descripción de menos de {DESCRIPTION_MIN_LENGTH} o más de "
    f"{DESCRIPTION_MAX_LENGTH} caracteres, sin nada visible o con caracteres de control, o "
    "`limite` fuera de su rango.")


def description_limit_query() -> Any:
    return Query(ge=1, le=DESCRIPTION_MAX_LIMIT,
                 description=f"Cuántas películas (de 1 a {DESCRIPTION_MAX_LIMIT}, "
                             f"{DESCRIPTION_DEFAULT_LIMIT} si se omite); si no, 422.")


def anio_query() -> Any:
    return Query(
        ge=MIN_YEAR, le=MAX_YEAR, examples=[1962],
        description=f"Año de estreno (de {MIN_YEAR} a {MAX_YEAR}), para elegir entre "
                    "películas con el mismo título; fuera de ese rango o no entero, 422.",
    )


def anio_desde_query() -> Any:
    return Query(ge=MIN_YEAR, le=MAX_YEAR, examples=[1990],
                 description=f"Solo películas estrenadas desde este año (de {MIN_YEAR} a "
                             f"{MAX_YEAR}); posterior a `anio_hasta`, 404 (ninguna película puede "
                             "cumplirlo).")


def anio_hasta_query() -> Any:
    return Query(ge=MIN_YEAR, le=MAX_YEAR, examples=[1999],
                 description=f"Solo películas estrenadas hasta este año (de {MIN_YEAR} a "
                             f"{MAX_YEAR}).")


def genero_query(limits: Limits) -> Any:
    return Query(description="Solo películas de este género, en español o en inglés "
                             f"(Animación, Animation, Terror...). {name_rules(limits)} Un "
                             "género que no existe, 404 con los más parecidos.",
                 examples=["Animación"], json_schema_extra=name_schema(limits))


def idioma_query(limits: Limits) -> Any:
    return Query(description="Solo películas de este idioma original, escrito como en "
                             f"/peliculas_idioma (en, inglés, English). {name_rules(limits)} "
                             "Un idioma que no existe, 404 con los más parecidos.",
                 examples=["es"], json_schema_extra=name_schema(limits))


def titulos_query(limits: Limits) -> Any:
    """``titulo`` repeated: the films of a several-films recommendation."""
    return Query(
        description=f"De {MIN_TITLES} a {MAX_TITLES} títulos, repitiendo el parámetro "
                    "(`?titulo=Toy Story&titulo=Jumanji`), como están en el catálogo o en "
                    f"español. {MATCHING} Cada uno se valida igual. {name_rules(limits)} Menos de "
                    f"{MIN_TITLES} o más de {MAX_TITLES}, 422.",
        examples=[["Toy Story", "Jumanji"]],
        json_schema_extra={"minItems": MIN_TITLES, "maxItems": MAX_TITLES,
                           "items": {"type": "string", **name_schema(limits)}})


def film_id_path() -> Any:
    return Path(ge=1, le=2**63 - 1, examples=[862],
                description="Id de TMDB de la película (un entero positivo; si no, 422).")


#: The 422 of the routes that take filters.
FILTERS_INVALID = (
    "Entrada no válida: un nombre vacío, demasiado largo o con caracteres de control, o un "
    "número fuera de su rango.")


def limite_query() -> Any:
    return Query(ge=1, le=SEARCH_MAX_LIMIT,
                 description=f"Resultados por página (de 1 a {SEARCH_MAX_LIMIT}, "
                             f"{SEARCH_DEFAULT_LIMIT} si se omite); si no, 422.")


def pagina_query() -> Any:
    return Query(ge=1, le=SEARCH_MAX_PAGE,
                 description=f"Página, desde 1 (máximo {SEARCH_MAX_PAGE}); si no, 422.")


def error_responses(limits: Limits, *statuses: int,
                    invalid: str | None = None) -> dict[int | str, dict[str, Any]]:
    """The declared error answers of an operation, among 404, 422 and 503 (``invalid``:
    another description of its 422)."""
    descriptions = {
        404: f"No encontrado: `detail.sugerencias` trae hasta "
             f"{limits.max_suggestions} nombres parecidos.",
        422: f"Entrada no válida: vacía, de más de {format_int(limits.max_input_length)} "
             "caracteres, con caracteres de control, o un número fuera de su rango.",
        503: "No hay catálogo cargado (constrúyalo con `filmoteca build`), o el catálogo no "
             "tiene los vectores que necesita la búsqueda por descripción.",
    }
    if invalid is not None:
        descriptions[422] = invalid
    return {status: {"model": ErrorResponse, "description": descriptions[status]}
            for status in statuses}
