"""The six catalog questions of the course, one function each (start reading here).

Each function takes the loaded :class:`~filmoteca.services.catalog.Catalog`, what the
user typed and the :class:`~filmoteca.config.Limits` the API enforces (the defaults when
omitted), and returns its answer model (:mod:`filmoteca.services.answers`): the structured
fields listed in the README ("La API") plus ``mensaje``, the Spanish sentence the course asks
for. Matching is case-, accent- and whitespace-insensitive
(:func:`~filmoteca.services.matching.clean_input`); a miss raises
:class:`~filmoteca.services.matching.NotFound` with the closest names; empty, over-long or
control-character input raises :class:`~filmoteca.services.matching.InvalidInput`.

Every answer is a dictionary lookup in the index precomputed at build time
(:mod:`filmoteca.etl.index`): nothing here scans the film table. Numbers in ``mensaje``
follow :mod:`filmoteca.formatting` (``US$ 1.234.567``).
"""

from __future__ import annotations

from filmoteca.config import DEFAULT_LIMITS, Limits
from filmoteca.formatting import format_int, format_money, format_ratio
from filmoteca.services.answers import (
    CollectionAnswer,
    CompanyAnswer,
    CountryAnswer,
    DirectorAnswer,
    DirectorFilm,
    DurationAnswer,
    LanguageAnswer,
    NameInterpretation,
    items,
)
from filmoteca.services.catalog import Catalog
from filmoteca.services.matching import Found, clean_input, find_name
from filmoteca.services.semantic import SemanticLayer
from filmoteca.services.titles import film_refs, find_film, interpreted


def peliculas_idioma(
    catalog: Catalog, idioma: str, limits: Limits = DEFAULT_LIMITS,
) -> LanguageAnswer:
    """Course: "Se ingresa un idioma (como están escritos en el dataset, no hay que
    traducirlos!). Debe devolver la cantidad de películas producidas en ese idioma. Ejemplo de
    retorno: X cantidad de películas fueron estrenadas en idioma X".

    Counts films whose ``original_language`` is the language. Accepts the ISO 639-1 code
    (``en``), the English name (``English``) or the Spanish name with or without accents
    (``inglés``, ``ingles``); names come from babel (CLDR), plus the dataset's own names.
    """
    found = find_name(
        catalog.names["languages"], idioma, "idioma",
        "No se encontró el idioma '{typed}'. Escriba su código ISO 639-1 (por ejemplo 'en') "
        "o su nombre en español o en inglés.", limits)
    code, row = found.code, found.row
    return LanguageAnswer(
        idioma=code, nombre=row.spanish, nombre_ingles=row.english, cantidad=row.films,
        mensaje=f"{format_int(row.films)} cantidad de películas fueron estrenadas en idioma "
                f"{row.spanish}",
    )


def peliculas_duracion(
    catalog: Catalog, pelicula: str, anio: int | None = None, limits: Limits = DEFAULT_LIMITS,
    semantic: SemanticLayer | None = None,
) -> DurationAnswer:
    """Course: "Se ingresa una pelicula. Debe devolver la duracion y el año. Ejemplo de
    retorno: X . Duración: x. Año: xx".

    A title shared by several films answers with the most voted one and lists the others in
    ``otras_coincidencias``; ``anio`` picks the film of that year. An unknown runtime (missing
    or 0 in the data) is ``null`` and written "desconocida". With ``semantic``, a title in
    Spanish is read as the catalog's (:func:`~filmoteca.services.titles.find_film`): the
    answer says so in ``interpretacion`` and at the start of ``mensaje``.
    """
    key = clean_input(pelicula, "título", limits.max_input_length)
    match, reading = find_film(catalog, pelicula, key, anio, limits, semantic)
    film = catalog.film(match.position)
    runtime = f"{film.runtime} minutos" if film.runtime is not None else "desconocida"
    return DurationAnswer(
        titulo=film.title, id=film.id, duracion_min=film.runtime, anio=film.year,
        fecha_lanzamiento=film.release_date,
        otras_coincidencias=film_refs(catalog, match.others),
        interpretacion=reading,
        mensaje=interpreted(reading, f"{film.title}. Duración: {runtime}. Año: {film.year}"),
    )


def franquicia(
    catalog: Catalog, franquicia: str, limits: Limits = DEFAULT_LIMITS,
) -> CollectionAnswer:
    """Course: "Se ingresa la franquicia, retornando la cantidad de peliculas, ganancia total y
    promedio. Ejemplo de retorno: La franquicia X posee X peliculas, una ganancia total de x y
    una ganancia promedio de xx".

    Accepts the collection name with or without the trailing " Collection" ("Toy Story" or
    "Toy Story Collection"). Ganancia is ``revenue``; the mean is total / films.
    """
    found = find_name(catalog.names["collections"], franquicia, "nombre de la franquicia",
                      "No se encontró la franquicia '{typed}'.", limits)
    row, reading = found.row, read_in_part(found, franquicia)
    return CollectionAnswer(
        franquicia=row.name, cantidad=row.films, ganancia_total=row.revenue,
        ganancia_promedio=row.mean_revenue, interpretacion=reading,
        mensaje=told(reading,
                     f"La franquicia {row.name} posee {format_int(row.films)} películas, una "
                     f"ganancia total de {format_money(row.revenue)} y una ganancia promedio "
                     f"de {format_money(row.mean_revenue)}"),
    )


def peliculas_pais(catalog: Catalog, pais: str, limits: Limits = DEFAULT_LIMITS) -> CountryAnswer:
    """Course: "Se ingresa un país (como están escritos en el dataset, no hay que
    traducirlos!), retornando la cantidad de peliculas producidas en el mismo. Ejemplo de
    retorno: Se produjeron X películas en el país X".

    Counts films with that production country. Accepts the ISO 3166-1 code (``US``), the
    English name (``United States`` or the dataset's ``United States of America``) or the
    Spanish name (``Estados Unidos``); names come from babel (CLDR).
    """
    found = find_name(
        catalog.names["countries"], pais, "país",
        "No se encontró el país '{typed}'. Escriba su código ISO 3166-1 (por ejemplo 'US') o "
        "su nombre en español o en inglés.", limits)
    code, row = found.code, found.row
    return CountryAnswer(
        pais=row.spanish, codigo=code, nombre_ingles=row.english, cantidad=row.films,
        mensaje=f"Se produjeron {format_int(row.films)} películas en el país {row.spanish}",
    )


def productoras_exitosas(
    catalog: Catalog, productora: str, limits: Limits = DEFAULT_LIMITS,
) -> CompanyAnswer:
    """Course: "Se ingresa la productora, entregandote el revunue total y la cantidad de
    peliculas que realizo. Ejemplo de retorno: La productora X ha tenido un revenue de x".

    Revenue is the sum of ``revenue`` of the company's films.
    """
    found = find_name(catalog.names["companies"], productora, "nombre de la productora",
                      "No se encontró la productora '{typed}'.", limits)
    row, reading = found.row, read_in_part(found, productora)
    return CompanyAnswer(
        productora=row.name, ganancia_total=row.revenue, cantidad=row.films,
        interpretacion=reading,
        mensaje=told(reading, f"La productora {row.name} ha tenido un revenue de "
                              f"{format_money(row.revenue)}"),
    )


def get_director(
    catalog: Catalog, nombre_director: str, limits: Limits = DEFAULT_LIMITS,
) -> DirectorAnswer:
    """Course: "Se ingresa el nombre de un director que se encuentre dentro de un dataset
    debiendo devolver el éxito del mismo medido a través del retorno. Además, deberá devolver
    el nombre de cada película con la fecha de lanzamiento, retorno individual, costo y
    ganancia de la misma. En formato lista."

    ``retorno_total`` is the sum of ``return`` (revenue / budget, 0 when either is 0) of the
    director's films; films are listed by release date.
    """
    found = find_name(catalog.names["directors"], nombre_director, "nombre del director",
                      "No se encontró el director '{typed}'.", limits)
    row, reading = found.row, read_in_part(found, nombre_director)
    films = items(DirectorFilm, [
        {"id": catalog.ids[p], "titulo": catalog.titles[p],
         "fecha_lanzamiento": catalog.release_dates[p], "retorno": catalog.returns[p],
         "costo": catalog.budgets[p], "ganancia": catalog.revenues[p]}
        for p in row.positions
    ])
    return DirectorAnswer(
        director=row.name, retorno_total=row.total_return, cantidad=len(films), peliculas=films,
        interpretacion=reading,
        mensaje=told(reading, f"El director {row.name} ha dirigido {format_int(len(films))} "
                              f"películas con un retorno total de "
                              f"{format_ratio(row.total_return)}"),
    )


def read_in_part(found: Found, typed: str) -> NameInterpretation | None:
    """How a name typed in part was read (None when typed whole)."""
    if found.read_as is None:
        return None
    return NameInterpretation(consulta=typed.strip(), nombre=found.read_as,
                              metodo="nombre_parcial")


def told(reading: NameInterpretation | None, mensaje: str) -> str:
    """``mensaje`` preceded by how a name typed in part was read."""
    if reading is None:
        return mensaje
    return f"'{reading.consulta}' se interpretó como '{reading.nombre}'. {mensaje}"
