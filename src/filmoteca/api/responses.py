"""The error body of the API and the JSON bytes of every answer, without the web framework.

Owns :class:`ErrorResponse` (the one body of every 4xx/5xx: ``{"detail": {"mensaje",
"sugerencias"}}``) and :func:`error_body` / :func:`answer_body`, the bytes both the FastAPI
handlers (:mod:`.errors`) and the fast path (:mod:`.fast`) send, so the two cannot write the
same answer differently. Only pydantic: the fast path imports this before FastAPI exists.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

JSON_HEADERS = ((b"content-type", b"application/json"),)


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


def error_body(mensaje: str, sugerencias: Sequence[str] = ()) -> bytes:
    body = ErrorResponse(detail=ErrorDetail(mensaje=mensaje, sugerencias=list(sugerencias)))
    return body.model_dump_json().encode()


def answer_body(answer: BaseModel) -> bytes:
    """An answer model as the JSON FastAPI sends for it (pydantic-core, compact UTF-8)."""
    return answer.model_dump_json().encode()
