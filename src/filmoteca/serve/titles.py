"""A typed title -> the film it designates, in the catalog's words or in Spanish.

Owns :func:`find_film` (wherever a title is asked) and the 404 of a title: a direct match
(exact or punctuation-blind); a title that exists but not in the year asked for (404 with
its years); else, with a semantic layer, the title read in another language ("El padrino"
-> *The Godfather*), answered with an ``interpretacion`` when confident, or a 404 whose
suggestions are the cross-lingual candidates first. A near-typo of a catalog title keeps the
plain 404. How often a reading is right is measured in ``reports/busqueda.md``.
"""


from __future__ import annotations

from filmoteca.config import DEFAULT_LIMITS, Limits
from filmoteca.serve.answers import FilmRef, Interpretation, items
from filmoteca.serve.catalog import Catalog
from filmoteca.serve.matching import NotFound, TitleMatch, resolve_title
from filmoteca.serve.semantic import SemanticLayer

#: Decimals of ``interpretacion.similitud``.
SIMILARITY_DECIMALS = 3


def film_not_found(
    catalog: Catalog, typed: str, key: str, anio: int | None, limits: Limits = DEFAULT_LIMITS,
) -> NotFound:
    """The 404 of a title lookup: other years of the title, else the closest titles."""
    found = catalog.names["titles"].find(key)
    if found is not None and anio is not None:
        positions = catalog.by_title[found]
        years = sorted({catalog.years[p] for p in positions})
        return NotFound(
            f"No hay ninguna película titulada '{catalog.titles[positions[0]]}' del año "
            f"{anio}. Años disponibles: {', '.join(map(str, years))}.",
            [f"{catalog.titles[p]} ({catalog.years[p]})"
             for p in positions[:limits.max_suggestions]],
        )
    return NotFound(
        f"No se encontró ninguna película titulada '{typed.strip()}'.",
        catalog.names["titles"].suggest(key, limits.max_suggestions),
    )


def film_refs(catalog: Catalog, positions: list[int]) -> list[FilmRef]:
    """The films at ``positions`` as ``otras_coincidencias`` lists them (the other films
    sharing the title asked for)."""
    return items(FilmRef, [
        {"id": catalog.ids[p], "titulo": catalog.titles[p], "anio": catalog.years[p]}
        for p in positions
    ])


def interpreted(reading: Interpretation | None, mensaje: str) -> str:
    """``mensaje`` preceded by how the title was read, when it was not a direct match."""
    if reading is None:
        return mensaje
    return f"'{reading.consulta}' se interpretó como '{reading.titulo}'. {mensaje}"


def find_film(
    catalog: Catalog, typed: str, key: str, anio: int | None,
    limits: Limits = DEFAULT_LIMITS, semantic: SemanticLayer | None = None,
) -> tuple[TitleMatch, Interpretation | None]:
    """The film ``typed`` (normalized: ``key``) designates, and how it was read (None for a
    direct match); :class:`NotFound` otherwise (see the module docstring)."""
    match = resolve_title(catalog.names["titles"], catalog.years, key, anio)
    if match is not None:
        return match, None
    if anio is not None and catalog.names["titles"].find(key) is not None:
        raise film_not_found(catalog, typed, key, anio, limits)
    index = semantic.get() if semantic is not None and key else None
    if index is None or index.near_typo(key) is not None:
        # a near-typo keeps today's 404, without waiting for the model (its first use
        # after a wake-up costs about a second of CPU)
        raise film_not_found(catalog, typed, key, anio, limits)
    from filmoteca.serve.vectors import NOT_CONFIDENT

    decision = index.resolve_title(typed, limit=max(limits.max_suggestions, 1))
    if decision.position is not None:
        position = decision.position
        shown = typed.strip()
        reading = Interpretation(consulta=shown, titulo=catalog.titles[position],
                                 similitud=round(decision.similarity, SIMILARITY_DECIMALS))
        same = catalog.by_title[catalog.title_key[position]]
        if anio is None:
            return TitleMatch(position, [p for p in same if p != position]), reading
        for candidate in same:
            if catalog.years[candidate] == anio:
                return TitleMatch(candidate, [p for p in same if p != candidate]), reading
        years = sorted({catalog.years[p] for p in same})
        raise NotFound(
            f"'{shown}' se interpretó como '{reading.titulo}', pero no hay ninguna película "
            f"con ese título del año {anio}. Años disponibles: {', '.join(map(str, years))}.",
            [f"{catalog.titles[p]} ({catalog.years[p]})" for p in same[:limits.max_suggestions]],
        )
    if decision.reason == NOT_CONFIDENT:
        suggestions: list[str] = []
        for title in (*(catalog.titles[p] for p, _ in decision.candidates),
                      *catalog.names["titles"].suggest(key, limits.max_suggestions)):
            if title not in suggestions:
                suggestions.append(title)
        raise NotFound(
            f"No se encontró ninguna película titulada '{typed.strip()}'. Si es un título en "
            "español, quizá sea una de las sugerencias (el catálogo tiene los títulos en "
            "inglés).",
            suggestions[:limits.max_suggestions],
        )
    raise film_not_found(catalog, typed, key, anio, limits)
