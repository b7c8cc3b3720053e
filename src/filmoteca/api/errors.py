"""The error model of the API: every failure is a JSON ``detail`` with a Spanish ``mensaje``.

Owns the exception handlers that send :class:`~filmoteca.api.responses.ErrorResponse` (the one
body of every 4xx/5xx, declared in the schema for each operation by
:mod:`filmoteca.api.contract`):

- :class:`~filmoteca.serve.matching.NotFound` -> **404**
  ``{"detail": {"mensaje": ..., "sugerencias": [the closest names]}}``;
- :class:`~filmoteca.serve.matching.InvalidInput` (empty, too long, control characters)
  and FastAPI's own :class:`RequestValidationError` (e.g. ``limite=abc``) -> **422** with the
  same shape;
- :class:`CatalogUnavailable` (no catalog loaded) and
  :class:`~filmoteca.serve.semantic.SemanticUnavailable` (a catalog without the
  vectors of description search) -> **503**;
- unknown routes (404) and wrong methods (405, with ``Allow``), in Spanish, listing the
  endpoints;
- anything unexpected -> a Spanish 500 that is logged (the tests assert it never happens).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from filmoteca.api.responses import ErrorResponse, error_body
from filmoteca.serve.matching import InvalidInput, NotFound
from filmoteca.serve.semantic import SemanticUnavailable

log = logging.getLogger("filmoteca.api")

__all__ = ["ErrorResponse", "error_response", "install"]

ENDPOINTS = [
    "/peliculas_idioma/{idioma}", "/peliculas_duracion/{pelicula}", "/franquicia/{franquicia}",
    "/peliculas_pais/{pais}", "/productoras_exitosas/{productora}",
    "/get_director/{nombre_director}", "/recomendacion/{titulo}", "/buscar?q=",
    "/buscar_descripcion?q=", "/health",
    "/docs",
]

NO_CATALOG = ("El catálogo no está cargado, así que el servicio todavía no puede responder. "
              "Constrúyalo con `filmoteca build` y reinicie el servidor.")

#: Spanish wording of pydantic's error types (the usual ones in query/path parameters).
_REASONS = {
    "int_parsing": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "greater_than_equal": "debe ser mayor o igual que {ge}",
    "greater_than": "debe ser mayor que {gt}",
    "less_than_equal": "debe ser menor o igual que {le}",
    "less_than": "debe ser menor que {lt}",
    "missing": "es obligatorio",
    "string_too_long": "admite como máximo {max_length} caracteres",
    "string_too_short": "debe tener al menos {min_length} caracteres",
}


class CatalogUnavailable(RuntimeError):
    """No catalog is loaded (the app was created without one and its lifespan did not run):
    HTTP 503."""


def error_response(status: int, mensaje: str, sugerencias: Sequence[str] = (),
                   headers: Mapping[str, str] | None = None) -> Response:
    return Response(error_body(mensaje, sugerencias), status_code=status, headers=headers,
                    media_type="application/json")


def _describe(error: Mapping[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
    name = ".".join(loc) or "la petición"
    template = _REASONS.get(str(error.get("type")))
    if template is None:
        return f"el parámetro '{name}' no es válido"
    try:
        reason = template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        reason = template
    return f"el parámetro '{name}' {reason}"


async def not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFound)
    return error_response(404, exc.mensaje, exc.sugerencias)


async def invalid_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInput)
    return error_response(422, exc.mensaje)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    reasons = "; ".join(dict.fromkeys(_describe(e) for e in exc.errors())) or "datos no válidos"
    return error_response(422, f"Petición no válida: {reasons}.")


async def unavailable(request: Request, exc: Exception) -> Response:
    return error_response(503, NO_CATALOG)


async def semantic_unavailable(request: Request, exc: Exception) -> Response:
    return error_response(503, str(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code == 404:
        return error_response(404, f"No existe la ruta {request.url.path}. Rutas disponibles:",
                              ENDPOINTS, headers)
    if exc.status_code == 405:
        return error_response(405, "Método no permitido: esta API solo responde a GET.",
                              headers=headers)
    return error_response(exc.status_code, str(exc.detail), headers=headers)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return error_response(
        500, "Error interno del servidor; inténtelo de nuevo o avise al responsable.")


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(InvalidInput, invalid_input)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(CatalogUnavailable, unavailable)
    app.add_exception_handler(SemanticUnavailable, semantic_unavailable)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
