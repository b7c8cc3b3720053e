"""The filters of recommendations and description search: years, genre, language.

Owns :class:`Filter` (which films a filter admits, one by one or as a boolean array over
the catalog) and :func:`read_filters`, which reads ``anio_desde``, ``anio_hasta``, ``genero``
(Spanish or English name of a genre) and ``idioma`` (as ``/peliculas_idioma`` accepts it),
with a Spanish 404 and suggestions for an unknown genre or language or a range that ends before
it starts, a 422 for malformed text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from filmoteca.config import DEFAULT_LIMITS, Limits
from filmoteca.services.answers import Filters
from filmoteca.services.catalog import Catalog
from filmoteca.services.matching import NotFound, clean_input, find_name

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, slots=True)
class Filter:
    """The films a recommendation may name (None: any)."""

    since: int | None = None
    until: int | None = None
    genre_bit: int | None = None
    language_row: int | None = None
    shown: Filters | None = None

    def admits(self, catalog: Catalog, position: int) -> bool:
        year = catalog.years[position]
        return ((self.since is None or year >= self.since)
                and (self.until is None or year <= self.until)
                and (self.genre_bit is None
                     or (catalog.genre_masks[position] >> self.genre_bit) & 1 == 1)
                and (self.language_row is None
                     or catalog.languages_of[position] == self.language_row))

    def mask(self, catalog: Catalog) -> np.ndarray:
        """Which films the filters admit, as a boolean array over film positions."""
        import numpy as np

        admitted = np.ones(len(catalog), dtype=bool)
        years = np.asarray(catalog.years)
        if self.since is not None:
            admitted &= years >= self.since
        if self.until is not None:
            admitted &= years <= self.until
        if self.genre_bit is not None:
            admitted &= (np.asarray(catalog.genre_masks) >> self.genre_bit) & 1 == 1
        if self.language_row is not None:
            admitted &= np.asarray(catalog.languages_of) == self.language_row
        return admitted

    def said(self) -> str:
        """How the filters read at the end of ``mensaje`` ("" without filters)."""
        shown = self.shown
        if shown is None:
            return ""
        parts = []
        since, until = shown.anio_desde, shown.anio_hasta
        if since is not None and until is not None:
            parts.append(f"de {since} a {until}")
        elif since is not None:
            parts.append(f"desde {since}")
        elif until is not None:
            parts.append(f"hasta {until}")
        if shown.genero is not None:
            parts.append(f"género {shown.genero}")
        if shown.idioma is not None:
            parts.append(f"idioma {shown.idioma}")
        return f" (filtros: {', '.join(parts)})"


def read_filters(catalog: Catalog, anio_desde: int | None = None, anio_hasta: int | None = None,
                 genero: str | None = None, idioma: str | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> Filter:
    """The filters as typed. Malformed text (control characters, too long) is
    :class:`InvalidInput` (422, as the schema publishes); an unknown genre or language, or
    ``anio_desde`` after ``anio_hasta`` (no film can pass), is :class:`NotFound` (404 with
    suggestions): OpenAPI cannot state either rule, and a schema-valid request must not be
    answered 422 (schemathesis's positive-data check)."""
    if anio_desde is not None and anio_hasta is not None and anio_desde > anio_hasta:
        raise NotFound(f"Ninguna película puede cumplir los filtros: anio_desde ({anio_desde}) "
                       f"es posterior a anio_hasta ({anio_hasta}).",
                       [f"anio_desde={anio_hasta}&anio_hasta={anio_desde}"])
    genre_bit = genre_name = None
    if genero is not None:
        key = clean_input(genero, "género", limits.max_input_length)
        row = catalog.genres.get(key)
        if row is None:
            raise NotFound(f"No se reconoce el género '{genero.strip()}'. Escriba su nombre en "
                           "español o en inglés (Animación, Animation, Terror...).",
                           closest_genres(catalog, key, limits.max_suggestions))
        genre_bit, genre_name = row.bit, row.spanish
    language_row = code = None
    if idioma is not None:
        found = find_name(catalog.names["languages"], idioma, "idioma",
                          "No se reconoce el idioma '{typed}'. Escriba su código ISO 639-1 (por "
                          "ejemplo 'en') o su nombre en español o en inglés.", limits)
        code = found.code
        language_row = catalog.languages.position(code)
    if all(v is None for v in (anio_desde, anio_hasta, genero, idioma)):
        return Filter()
    return Filter(anio_desde, anio_hasta, genre_bit, language_row,
                  Filters(anio_desde=anio_desde, anio_hasta=anio_hasta, genero=genre_name,
                          idioma=code))


def closest_genres(catalog: Catalog, key: str, limit: int) -> list[str]:
    """The Spanish names of the genres closest to ``key`` (typed in Spanish or English)."""
    from rapidfuzz import fuzz, process

    names = {name: catalog.genres[name].spanish for name in catalog.genres}
    best = process.extract(key, list(names), scorer=fuzz.WRatio, limit=len(names))
    return list(dict.fromkeys(names[name] for name, _, _ in best))[:limit]
