"""``/buscar_descripcion``: films whose plot matches a description told in Spanish or English.

Owns :func:`buscar_descripcion` and the rule of a valid description (:func:`clean_description`:
the input check of :mod:`.matching` with a description's bounds). The search is
:meth:`filmoteca.services.vectors.SemanticIndex.search_descriptions`; without a semantic layer
the answer is :class:`~filmoteca.services.semantic.SemanticUnavailable` (503). Quality and cost:
``reports/busqueda.md``.
"""


from __future__ import annotations

from filmoteca.config import (
    DESCRIPTION_DEFAULT_LIMIT,
    DESCRIPTION_MAX_LENGTH,
    DESCRIPTION_MIN_LENGTH,
)
from filmoteca.formatting import format_int
from filmoteca.services.answers import DescriptionAnswer, DescriptionHit
from filmoteca.services.catalog import Catalog
from filmoteca.services.filters import Filter
from filmoteca.services.matching import InvalidInput, broken_rule
from filmoteca.services.semantic import SemanticLayer, SemanticUnavailable

#: Decimals of ``similitud``.
SIMILARITY_DECIMALS = 3
#: Results named in ``mensaje``.
NAMED = 3

UNAVAILABLE = ("La búsqueda por descripción no está disponible: este catálogo no tiene los "
               "vectores de los argumentos. Reconstrúyalo con `filmoteca build` y reinicie el "
               "servidor.")


def clean_description(q: str) -> str:
    """``q`` with its runs of whitespace collapsed; :class:`InvalidInput` (422) if it breaks
    the rule of valid input (:func:`~filmoteca.services.matching.broken_rule`) with the bounds
    of a description (counted as typed)."""
    rule = broken_rule(q, DESCRIPTION_MIN_LENGTH, DESCRIPTION_MAX_LENGTH)
    if rule == "bytes":
        raise InvalidInput(
            "La descripción trae bytes que no son texto UTF-8 (por ejemplo %FF en la "
            "dirección); escríbala como texto normal.")
    if rule == "control":
        raise InvalidInput(
            "La descripción contiene caracteres de control (saltos de línea, tabuladores u "
            "otros invisibles); escríbala como texto normal.")
    if rule == "long":
        raise InvalidInput(
            f"La descripción es demasiado larga: {format_int(len(q))} caracteres (máximo "
            f"{DESCRIPTION_MAX_LENGTH}).")
    if rule == "short":
        raise InvalidInput(
            f"La descripción es demasiado corta: escriba al menos {DESCRIPTION_MIN_LENGTH} "
            "caracteres sobre el argumento (por ejemplo 'un tiburón aterroriza una playa').")
    return " ".join(q.split())


def buscar_descripcion(
    catalog: Catalog, semantic: SemanticLayer | None, q: str,
    limite: int = DESCRIPTION_DEFAULT_LIMIT, wanted: Filter | None = None,
) -> DescriptionAnswer:
    """The ``limite`` films whose plot is closest to ``q``, best first, among those
    ``wanted`` admits."""
    wanted = wanted or Filter()
    text = clean_description(q)
    index = semantic.get() if semantic is not None else None
    if index is None:
        raise SemanticUnavailable(UNAVAILABLE)
    admitted = wanted.mask(catalog) if wanted.shown is not None else None
    hits = [
        DescriptionHit(id=catalog.ids[p], titulo=catalog.titles[p], anio=catalog.years[p],
                       similitud=round(cosine, SIMILARITY_DECIMALS))
        for p, cosine in index.search_descriptions(text, limite, admitted)
    ]
    if hits:
        named = ", ".join(f"{hit.titulo} ({hit.anio})" for hit in hits[:NAMED])
        mensaje = f"Películas cuyo argumento se parece a '{text}'{wanted.said()}: {named}"
        mensaje += f" y {format_int(len(hits) - NAMED)} más." if len(hits) > NAMED else "."
    elif admitted is not None and not admitted.any():
        mensaje = f"Ninguna película pasa los filtros{wanted.said()}."
    else:
        mensaje = (f"Ninguna película: '{text}' no tiene letras ni números que comparar con "
                   "los argumentos.")
    return DescriptionAnswer(q=q, resultados=hits, filtros=wanted.shown, mensaje=mensaje)
