"""The error model of the API: every failure is a JSON ``detail`` with a Spanish ``mensaje``.

Owns the exception handlers:

- :class:`~filmoteca.services.matching.NotFound` -> **404**
  ``{"detail": {"mensaje": ..., "sugerencias": [up to 5 closest names]}}``;
- :class:`~filmoteca.services.matching.InvalidInput` (empty, > 200 characters, control
  characters) and FastAPI's own :class:`RequestValidationError` (e.g. ``limite=abc``)
  -> **422** with the same shape;
- unknown routes (404) and wrong methods (405), in Spanish, listing the endpoints;
- anything unexpected -> a Spanish 500 that is logged (the tests assert it never happens).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from filmoteca.services.matching import InvalidInput, NotFound

log = logging.getLogger("filmoteca.api")

ENDPOINTS = [
    "/peliculas_idioma/{idioma}", "/peliculas_duracion/{pelicula}", "/franquicia/{franquicia}",
    "/peliculas_pais/{pais}", "/productoras_exitosas/{productora}",
    "/get_director/{nombre_director}", "/recomendacion/{titulo}", "/buscar?q=", "/health",
    "/docs",
]

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


def error_body(mensaje: str, sugerencias: list[str] | None = None) -> dict[str, Any]:
    return {"detail": {"mensaje": mensaje, "sugerencias": sugerencias or []}}


def _describe(error: dict[str, Any]) -> str:
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


async def not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotFound)
    return JSONResponse(error_body(exc.mensaje, exc.sugerencias), status_code=404)


async def invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return JSONResponse(error_body(exc.mensaje), status_code=422)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    reasons = "; ".join(dict.fromkeys(_describe(e) for e in exc.errors())) or "datos no válidos"
    return JSONResponse(error_body(f"Petición no válida: {reasons}."), status_code=422)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code == 404:
        body = error_body(f"No existe la ruta {request.url.path}. Rutas disponibles:",
                          ENDPOINTS)
    elif exc.status_code == 405:
        body = error_body("Método no permitido: esta API solo responde a GET.")
    else:
        body = error_body(str(exc.detail))
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("Error interno del servidor; inténtelo de nuevo o avise al responsable."),
        status_code=500,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(InvalidInput, invalid_input)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
