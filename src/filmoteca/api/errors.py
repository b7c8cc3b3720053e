"""Every failure as one JSON body with a Spanish ``mensaje``: the model and its handlers.

Owns :class:`ErrorResponse` (``{"detail": {"mensaje", "sugerencias"}}``, declared for each
operation by :mod:`.contract`) and the exception handlers that send it:

- :class:`~filmoteca.services.matching.NotFound` -> 404 with the closest names;
- :class:`~filmoteca.services.matching.InvalidInput` and FastAPI's ``RequestValidationError``
  -> 422 (the parameter and the rule it breaks, in Spanish);
- :class:`CatalogUnavailable` and :class:`~filmoteca.services.semantic.SemanticUnavailable`
  -> 503 saying what to run;
- an unknown route -> 404 listing the app's own routes; another method -> 405;
- anything unexpected -> a logged Spanish 500 (the tests assert it never happens).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from filmoteca.services.matching import InvalidInput, NotFound
from filmoteca.services.semantic import SemanticUnavailable

log = logging.getLogger("filmoteca.api")

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


class ErrorDetail(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    mensaje: str = Field(description="Qué pasó y qué escribir en su lugar, en español.")
    sugerencias: list[str] = Field(
        default_factory=list,
        description="Nombres parecidos a lo escrito (404), o las rutas disponibles si la "
                    "ruta no existe; vacía en los demás casos.",
    )


class ErrorResponse(BaseModel):
    """Every error: 404 (nothing found), 422 (input that cannot be a name or a number in
    range), 503 (no catalog loaded)."""

    model_config = ConfigDict(frozen=True, defer_build=True, json_schema_extra={"examples": [{
        "detail": {
            "mensaje": "No se encontró ninguna película titulada 'toy stori'.",
            "sugerencias": ["Toy Story", "Tokyo Fist", "Toys", "Money Train"],
        },
    }]})

    detail: ErrorDetail


class CatalogUnavailable(RuntimeError):
    """No catalog is loaded (the app was created without one and its lifespan did not run):
    HTTP 503."""


def error_response(status: int, mensaje: str, sugerencias: Sequence[str] = (),
                   headers: Mapping[str, str] | None = None) -> Response:
    body = ErrorResponse(detail=ErrorDetail(mensaje=mensaje, sugerencias=list(sugerencias)))
    return Response(body.model_dump_json().encode(), status_code=status, headers=headers,
                    media_type="application/json")


def endpoints(app: Any) -> list[str]:
    """The routes a lost user can try, as the app declares them: each published route
    (``{name}`` for a path parameter, ``?q=`` for a required query parameter), then
    ``/docs``."""
    from filmoteca.api.direct import app_routes

    found = []
    for route in app_routes(app):
        if isinstance(route, APIRoute) and route.include_in_schema:
            required = [p.alias for p in route.dependant.query_params if p.field_info.is_required()]
            found.append(route.path_format + "".join(f"?{name}=" for name in required[:1]))
    return [*found, *([app.docs_url] if app.docs_url else [])]


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
                              endpoints(request.app), headers)
    if exc.status_code == 405:
        # HEAD is answered before routing (api/cache.py), so the routes only know GET
        return error_response(405, "Método no permitido: esta API solo responde a GET y HEAD.",
                              headers={**(headers or {}), "Allow": "GET, HEAD"})
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
