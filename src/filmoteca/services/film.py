"""``/pelicula/{id}``: one film whole, by its TMDB id, with its recommendations and links.

Owns :func:`pelicula`: every field the catalog holds for the film (the film columns and its
``details`` row: genres in Spanish, directors, main cast where the credits have it,
collection, companies, countries and languages with their Spanish names, overview), its
recommendations (:func:`filmoteca.services.recommend.similar`) and its pages on TMDB and, where
the id is known, IMDb. An unknown id is a Spanish 404.
"""

from __future__ import annotations

from filmoteca.config import RECOMMENDATIONS
from filmoteca.formatting import format_int
from filmoteca.services.answers import FilmAnswer, FilmLinks, Named, Recommendation, items
from filmoteca.services.catalog import Catalog
from filmoteca.services.matching import NotFound
from filmoteca.services.recommend import similar
from filmoteca.services.semantic import SemanticLayer
from filmoteca.text import normalize

TMDB = "https://www.themoviedb.org/movie/{}"
IMDB = "https://www.imdb.com/title/{}/"


def _named(catalog: Catalog, table: str, code: str) -> Named:
    rows = getattr(catalog, table)
    row = rows.get(code)
    return Named(codigo=code, nombre=row.spanish if row is not None else code)


def pelicula(catalog: Catalog, film_id: int,
             semantic: SemanticLayer | None = None) -> FilmAnswer:
    """The film with TMDB id ``film_id``; :class:`NotFound` (404) if the catalog lacks it."""
    try:
        position = catalog.position_of_id[film_id]
    except KeyError:
        raise NotFound(f"No hay ninguna película con el id {film_id} en el catálogo "
                       f"({format_int(len(catalog))} películas). Busque su título en "
                       "/buscar?q=...") from None
    film = catalog.film(position)
    details = catalog.details(position)
    genres = []
    for genre in details.genres:
        row = catalog.genres.get(normalize(genre))
        genres.append(row.spanish if row is not None else genre)
    language = catalog.languages.key_at(catalog.languages_of[position]) \
        if catalog.languages_of[position] >= 0 else None
    picked = items(Recommendation, similar(catalog, [position], RECOMMENDATIONS,
                                           semantic=semantic))
    runtime = f"{film.runtime} minutos" if film.runtime is not None else "duración desconocida"
    return FilmAnswer(
        id=film.id, titulo=film.title, titulo_original=details.original_title,
        anio=film.year, fecha_lanzamiento=film.release_date, duracion_min=film.runtime,
        generos=genres, directores=details.directors, reparto=details.cast,
        coleccion=details.collection, productoras=details.companies,
        paises=[_named(catalog, "countries", c) for c in details.countries],
        idioma_original=_named(catalog, "languages", language) if language else None,
        idiomas=[_named(catalog, "languages", c) for c in details.languages],
        sinopsis=details.overview, lema=details.tagline, votos=film.vote_count,
        puntuacion=film.vote_average, costo=film.budget, ganancia=film.revenue,
        retorno=film.return_, recomendaciones=picked,
        enlaces=FilmLinks(tmdb=TMDB.format(film.id),
                          imdb=IMDB.format(details.imdb_id) if details.imdb_id else None),
        mensaje=f"{film.title} ({film.year}), {runtime}"
                + (f", de {', '.join(details.directors)}" if details.directors else "") + ".",
    )
