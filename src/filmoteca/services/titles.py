"""A typed title -> the film it designates, in the catalog's words or in Spanish.

Owns :func:`find_film` (wherever a title is asked) and the 404 of a title: a direct match
(exact or punctuation-blind); a title that exists but not in the year asked for (404 with
its years); else, with a semantic layer, the title read in another language ("El padrino"
-> *The Godfather*), answered with an ``interpretacion`` when confident, or a 404 whose
suggestions are the cross-lingual candidates first. A near-typo of a catalog title keeps the
plain 404. How often a reading is right is measured in ``reports/busqueda.md``.
"""


from __future__ import annotations

import re
from typing import TYPE_CHECKING

from filmoteca.config import DEFAULT_LIMITS, MAX_YEAR, MIN_YEAR, Limits
from filmoteca.services.answers import FilmRef, Interpretation, items
from filmoteca.services.catalog import Catalog
from filmoteca.services.matching import NotFound, TitleMatch, first_in_year, resolve_title
from filmoteca.services.semantic import SemanticLayer
from filmoteca.text import normalize

if TYPE_CHECKING:
    from filmoteca.services.vectors import TitleRule

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
    if reading.anio is not None:
        how = f"se interpretó como '{reading.titulo}' ({reading.anio})"
    else:
        how = READINGS[reading.metodo].format(titulo=reading.titulo)
    return f"'{reading.consulta}' {how}. {mensaje}"


#: How each kind of reading is told in ``mensaje``.
READINGS = {
    "titulo": "se interpretó como '{titulo}'",
    "titulo_original": "es el título original de '{titulo}'",
    "titulo_en_espanol": "es el título en español de '{titulo}'",
    "modelo_multilingue": "se interpretó como '{titulo}'",
}
#: A film's other titles, looked up after the catalog's own, and how each reading is named.
OTHER_TITLES = (("titles_original", "titulo_original"), ("titles_es", "titulo_en_espanol"))
#: A year written at the end of a title: "Drácula 1992", "Cape Fear (1962)".
_TYPED_YEAR = re.compile(r"^(?P<title>.*?\S)[\s,.-]*\(?(?P<year>18[7-9]\d|19\d\d|20\d\d)\)?$")


def typed_year(typed: str) -> tuple[str, int] | None:
    """(title, year) when ``typed`` ends with a year in :data:`filmoteca.config` bounds."""
    found = _TYPED_YEAR.match(typed.strip())
    if found is None:
        return None
    year = int(found.group("year"))
    return (found.group("title"), year) if MIN_YEAR <= year <= MAX_YEAR else None


def find_film(
    catalog: Catalog, typed: str, key: str, anio: int | None,
    limits: Limits = DEFAULT_LIMITS, semantic: SemanticLayer | None = None,
    rule: TitleRule | None = None,
) -> tuple[TitleMatch, Interpretation | None]:
    """The film ``typed`` (normalized: ``key``) designates, and how it was read (None for a
    direct match); :class:`NotFound` otherwise (see the module docstring). A year typed at
    the end ("Drácula 1992") is read as ``anio`` when the whole text is no title. ``rule``:
    the model's rule (default: the shipped one; the benchmark tries others)."""
    try:
        return _find_film(catalog, typed, key, anio, limits, semantic, rule)
    except NotFound as miss:
        split = typed_year(typed) if anio is None else None
        if split is None:
            raise
        title, year = split
        try:
            match, reading = _find_film(catalog, title, normalize(title), year, limits,
                                        semantic, rule)
        except NotFound as inner:
            if _named(catalog, normalize(title)):
                raise inner from None  # the title exists, not in that year: say so
            raise miss from None
        reading = Interpretation(
            consulta=typed.strip(), titulo=catalog.titles[match.position],
            metodo=reading.metodo if reading is not None else "titulo",
            similitud=reading.similitud if reading is not None else None, anio=year)
        return match, reading


def _named(catalog: Catalog, key: str) -> bool:
    """Whether ``key`` is one of the catalog's titles or one of a film's other titles."""
    return any(catalog.names[kind].find(key) is not None
               for kind in ("titles", *(kind for kind, _ in OTHER_TITLES)))


def _reading_of(catalog: Catalog, typed: str, positions: list[int], anio: int | None,
                metodo: str, similitud: float | None,
                limits: Limits) -> tuple[TitleMatch, Interpretation]:
    """The film of ``positions`` (films read from another title), the other films sharing it
    or its catalog title listed as ``otras_coincidencias``."""
    shown = typed.strip()
    position = first_in_year(positions, catalog.years, anio)
    first = catalog.titles[positions[0]]
    same = list(dict.fromkeys([*positions, *catalog.by_title[catalog.title_key[positions[0]]]]))
    if position is None:
        years = sorted({catalog.years[p] for p in same})
        raise NotFound(
            f"'{shown}' {READINGS[metodo].format(titulo=first)}, pero no hay ninguna película "
            f"con ese título del año {anio}. Años disponibles: {', '.join(map(str, years))}.",
            [f"{catalog.titles[p]} ({catalog.years[p]})" for p in same[:limits.max_suggestions]],
        )
    same = list(dict.fromkeys([*same, *catalog.by_title[catalog.title_key[position]]]))
    reading = Interpretation(consulta=shown, titulo=catalog.titles[position],
                             metodo=metodo, similitud=similitud)  # type: ignore[arg-type]
    return TitleMatch(position, [p for p in same if p != position]), reading


def _find_film(
    catalog: Catalog, typed: str, key: str, anio: int | None, limits: Limits,
    semantic: SemanticLayer | None, rule: TitleRule | None,
) -> tuple[TitleMatch, Interpretation | None]:
    match = resolve_title(catalog.names["titles"], catalog.years, key, anio)
    if match is not None:
        return match, None
    if anio is not None and catalog.names["titles"].find(key) is not None:
        raise film_not_found(catalog, typed, key, anio, limits)
    for kind, metodo in OTHER_TITLES:
        names = catalog.names[kind]
        found = names.find(key)
        if found is not None:
            return _reading_of(catalog, typed, names.keys[found], anio, metodo, None, limits)
    index = semantic.get() if semantic is not None and key else None
    if index is None or index.near_typo(key) is not None:
        # a near-typo keeps today's 404, without waiting for the model (its first use
        # after a wake-up costs about a second of CPU)
        raise film_not_found(catalog, typed, key, anio, limits)
    from filmoteca.services.vectors import NOT_CONFIDENT, SHIPPED

    decision = index.resolve_title(typed, limit=max(limits.max_suggestions, 1),
                                   rule=rule or SHIPPED, year=anio)
    if decision.position is not None:
        return _reading_of(catalog, typed, [decision.position], anio, "modelo_multilingue",
                           round(decision.similarity, SIMILARITY_DECIMALS), limits)
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
