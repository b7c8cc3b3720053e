"""The six catalog questions of the course, one function each (start reading here).

Each function takes the loaded :class:`~filmoteca.services.catalog.Catalog` and what the
user typed, and returns a small dataclass with the structured fields of the contract
(``DESIGN.md``) plus ``mensaje``, the Spanish sentence the course asks for. Matching is
case-, accent- and whitespace-insensitive (:func:`~filmoteca.services.matching.clean_input`);
a miss raises :class:`~filmoteca.services.matching.NotFound` with up to five suggestions;
empty, over-long or control-character input raises
:class:`~filmoteca.services.matching.InvalidInput`.

Every answer is a dictionary lookup in the index precomputed at build time
(:mod:`filmoteca.catalog.index`): nothing here scans the film table. Numbers in ``mensaje``
follow :mod:`filmoteca.formatting` (``US$ 1.234.567``).
"""

from __future__ import annotations

from dataclasses import dataclass

from filmoteca.formatting import format_int, format_money, format_ratio
from filmoteca.services.catalog import Catalog
from filmoteca.services.matching import NotFound, clean_input, find_key, resolve_title


@dataclass(frozen=True, slots=True)
class LanguageAnswer:
    idioma: str
    nombre: str
    nombre_ingles: str
    cantidad: int
    mensaje: str


@dataclass(frozen=True, slots=True)
class FilmRef:
    id: int
    titulo: str
    anio: int


@dataclass(frozen=True, slots=True)
class DurationAnswer:
    titulo: str
    id: int
    duracion_min: int | None
    anio: int
    fecha_lanzamiento: str
    otras_coincidencias: list[FilmRef]
    mensaje: str


@dataclass(frozen=True, slots=True)
class CollectionAnswer:
    franquicia: str
    cantidad: int
    ganancia_total: float
    ganancia_promedio: float
    mensaje: str


@dataclass(frozen=True, slots=True)
class CountryAnswer:
    pais: str
    codigo: str
    nombre_ingles: str
    cantidad: int
    mensaje: str


@dataclass(frozen=True, slots=True)
class CompanyAnswer:
    productora: str
    ganancia_total: float
    cantidad: int
    mensaje: str


@dataclass(frozen=True, slots=True)
class DirectorFilm:
    id: int
    titulo: str
    fecha_lanzamiento: str
    retorno: float
    costo: float
    ganancia: float


@dataclass(frozen=True, slots=True)
class DirectorAnswer:
    director: str
    retorno_total: float
    cantidad: int
    peliculas: list[DirectorFilm]
    mensaje: str


def peliculas_idioma(catalog: Catalog, idioma: str) -> LanguageAnswer:
    """Course: "Se ingresa un idioma (como están escritos en el dataset, no hay que
    traducirlos!). Debe devolver la cantidad de películas producidas en ese idioma. Ejemplo de
    retorno: X cantidad de películas fueron estrenadas en idioma X".

    Counts films whose ``original_language`` is the language. Accepts the ISO 639-1 code
    (``en``), the English name (``English``) or the Spanish name with or without accents
    (``inglés``, ``ingles``); names come from babel (CLDR), plus the dataset's own names.
    """
    key = clean_input(idioma, "idioma")
    alias = find_key(catalog.language_aliases, catalog.loose_languages, key)
    if alias is None:
        raise NotFound(
            f"No se encontró el idioma '{idioma.strip()}'. Escriba su código ISO 639-1 "
            "(por ejemplo 'en') o su nombre en español o en inglés.",
            catalog.suggest_languages.suggest(key),
        )
    code = catalog.language_aliases[alias]
    count, spanish, english = catalog.languages[code]
    return LanguageAnswer(
        idioma=code, nombre=spanish, nombre_ingles=english, cantidad=count,
        mensaje=f"{format_int(count)} cantidad de películas fueron estrenadas en idioma "
                f"{spanish}",
    )


def _film_refs(catalog: Catalog, positions: list[int]) -> list[FilmRef]:
    return [
        FilmRef(id=catalog.ids[p], titulo=catalog.titles[p], anio=catalog.years[p])
        for p in positions
    ]


def film_not_found(catalog: Catalog, typed: str, key: str, anio: int | None) -> NotFound:
    """The 404 of a title lookup: other years of the title, else the closest titles."""
    found = find_key(catalog.by_title, catalog.loose_titles, key)
    if found is not None and anio is not None:
        positions = catalog.by_title[found]
        years = sorted({catalog.years[p] for p in positions})
        return NotFound(
            f"No hay ninguna película titulada '{catalog.titles[positions[0]]}' del año "
            f"{anio}. Años disponibles: {', '.join(map(str, years))}.",
            [f"{catalog.titles[p]} ({catalog.years[p]})" for p in positions[:5]],
        )
    return NotFound(
        f"No se encontró ninguna película titulada '{typed.strip()}'.",
        catalog.suggest_titles.suggest(key),
    )


def peliculas_duracion(catalog: Catalog, pelicula: str, anio: int | None = None) -> DurationAnswer:
    """Course: "Se ingresa una pelicula. Debe devolver la duracion y el año. Ejemplo de
    retorno: X . Duración: x. Año: xx".

    A title shared by several films answers with the most voted one and lists the others in
    ``otras_coincidencias``; ``anio`` picks the film of that year. An unknown runtime (missing
    or 0 in the data) is ``null`` and written "desconocida".
    """
    key = clean_input(pelicula, "título")
    match = resolve_title(catalog.by_title, catalog.loose_titles, catalog.years, key, anio)
    if match is None:
        raise film_not_found(catalog, pelicula, key, anio)
    film = catalog.film(match.position)
    runtime = f"{film.runtime} minutos" if film.runtime is not None else "desconocida"
    return DurationAnswer(
        titulo=film.title, id=film.id, duracion_min=film.runtime, anio=film.year,
        fecha_lanzamiento=film.release_date,
        otras_coincidencias=_film_refs(catalog, match.others),
        mensaje=f"{film.title}. Duración: {runtime}. Año: {film.year}",
    )


def franquicia(catalog: Catalog, franquicia: str) -> CollectionAnswer:
    """Course: "Se ingresa la franquicia, retornando la cantidad de peliculas, ganancia total y
    promedio. Ejemplo de retorno: La franquicia X posee X peliculas, una ganancia total de x y
    una ganancia promedio de xx".

    Accepts the collection name with or without the trailing " Collection" ("Toy Story" or
    "Toy Story Collection"). Ganancia is ``revenue``; the mean is total / films.
    """
    key = clean_input(franquicia, "nombre de la franquicia")
    alias = find_key(catalog.collection_aliases, catalog.loose_collections, key)
    if alias is None:
        raise NotFound(
            f"No se encontró la franquicia '{franquicia.strip()}'.",
            catalog.suggest_collections.suggest(key),
        )
    name, count, total, mean = catalog.collections[catalog.collection_aliases[alias]]
    return CollectionAnswer(
        franquicia=name, cantidad=count, ganancia_total=total, ganancia_promedio=mean,
        mensaje=f"La franquicia {name} posee {format_int(count)} películas, una ganancia "
                f"total de {format_money(total)} y una ganancia promedio de "
                f"{format_money(mean)}",
    )


def peliculas_pais(catalog: Catalog, pais: str) -> CountryAnswer:
    """Course: "Se ingresa un país (como están escritos en el dataset, no hay que
    traducirlos!), retornando la cantidad de peliculas producidas en el mismo. Ejemplo de
    retorno: Se produjeron X películas en el país X".

    Counts films with that production country. Accepts the ISO 3166-1 code (``US``), the
    English name (``United States`` or the dataset's ``United States of America``) or the
    Spanish name (``Estados Unidos``); names come from babel (CLDR).
    """
    key = clean_input(pais, "país")
    alias = find_key(catalog.country_aliases, catalog.loose_countries, key)
    if alias is None:
        raise NotFound(
            f"No se encontró el país '{pais.strip()}'. Escriba su código ISO 3166-1 (por "
            "ejemplo 'US') o su nombre en español o en inglés.",
            catalog.suggest_countries.suggest(key),
        )
    code = catalog.country_aliases[alias]
    count, spanish, english = catalog.countries[code]
    return CountryAnswer(
        pais=spanish, codigo=code, nombre_ingles=english, cantidad=count,
        mensaje=f"Se produjeron {format_int(count)} películas en el país {spanish}",
    )


def productoras_exitosas(catalog: Catalog, productora: str) -> CompanyAnswer:
    """Course: "Se ingresa la productora, entregandote el revunue total y la cantidad de
    peliculas que realizo. Ejemplo de retorno: La productora X ha tenido un revenue de x".

    Revenue is the sum of ``revenue`` of the company's films.
    """
    key = clean_input(productora, "nombre de la productora")
    found = find_key(catalog.companies, catalog.loose_companies, key)
    if found is None:
        raise NotFound(
            f"No se encontró la productora '{productora.strip()}'.",
            catalog.suggest_companies.suggest(key),
        )
    name, count, revenue = catalog.companies[found]
    return CompanyAnswer(
        productora=name, ganancia_total=revenue, cantidad=count,
        mensaje=f"La productora {name} ha tenido un revenue de {format_money(revenue)}",
    )


def get_director(catalog: Catalog, nombre_director: str) -> DirectorAnswer:
    """Course: "Se ingresa el nombre de un director que se encuentre dentro de un dataset
    debiendo devolver el éxito del mismo medido a través del retorno. Además, deberá devolver
    el nombre de cada película con la fecha de lanzamiento, retorno individual, costo y
    ganancia de la misma. En formato lista."

    ``retorno_total`` is the sum of ``return`` (revenue / budget, 0 when either is 0) of the
    director's films; films are listed by release date.
    """
    key = clean_input(nombre_director, "nombre del director")
    found = find_key(catalog.directors, catalog.loose_directors, key)
    if found is None:
        raise NotFound(
            f"No se encontró el director '{nombre_director.strip()}'.",
            catalog.suggest_directors.suggest(key),
        )
    name, total, positions = catalog.directors[found]
    films = [
        DirectorFilm(
            id=catalog.ids[p], titulo=catalog.titles[p],
            fecha_lanzamiento=catalog.release_dates[p], retorno=catalog.returns[p],
            costo=catalog.budgets[p], ganancia=catalog.revenues[p],
        )
        for p in positions
    ]
    return DirectorAnswer(
        director=name, retorno_total=total, cantidad=len(films), peliculas=films,
        mensaje=f"El director {name} ha dirigido {format_int(len(films))} películas con un "
                f"retorno total de {format_ratio(total)}",
    )
