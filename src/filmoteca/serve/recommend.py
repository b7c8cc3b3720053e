"""``/recomendacion``: the films most similar to a title, read from stored neighbours.

Owns :func:`recomendacion`: :data:`filmoteca.config.RECOMMENDATIONS` films (5, as the
course asks). The neighbours are computed once at build time by :mod:`filmoteca.build.neighbours`
and stored in the index, best first; serving is a lookup. The queried film never recommends
itself, nor a duplicate of itself (a film with the same normalized title and year, e.g. a
repeated TMDB entry); ``anio`` picks one film among those sharing a title, as in
``/peliculas_duracion``.
"""

from __future__ import annotations

from typing import Any

from filmoteca.config import DEFAULT_LIMITS, RECOMMENDATIONS, Limits
from filmoteca.serve.answers import Recommendation, RecommendationAnswer, items
from filmoteca.serve.catalog import Catalog
from filmoteca.serve.matching import clean_input
from filmoteca.serve.semantic import SemanticLayer
from filmoteca.serve.titles import film_refs, find_film, interpreted


def recomendacion(
    catalog: Catalog, titulo: str, anio: int | None = None, limits: Limits = DEFAULT_LIMITS,
    semantic: SemanticLayer | None = None,
) -> RecommendationAnswer:
    """Course: "Se ingresa el nombre de una película y te recomienda las similares en una
    lista de 5 valores."

    ``recomendaciones`` is the list of titles, best first; ``detalle`` adds id, year, score
    and the reasons (shared director, genres, keywords, collection...). A Spanish title is
    read as in ``/peliculas_duracion`` (``interpretacion``).
    """
    key = clean_input(titulo, "título", limits.max_input_length)
    match, reading = find_film(catalog, titulo, key, anio, limits, semantic)
    query = match.position
    query_key, query_year = catalog.title_key[query], catalog.years[query]
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = {(query_key, query_year)}
    for neighbour in catalog.neighbours(query):
        p = neighbour.position
        identity = (catalog.title_key[p], catalog.years[p])
        if p == query or identity in seen:
            continue
        seen.add(identity)
        rows.append({"id": catalog.ids[p], "titulo": catalog.titles[p], "anio": catalog.years[p],
                     "puntaje": round(neighbour.score, 4), "motivos": list(neighbour.reasons)})
        if len(rows) == RECOMMENDATIONS:
            break
    picked = items(Recommendation, rows)
    title = catalog.titles[query]
    if picked:
        mensaje = (f"Películas similares a {title} ({query_year}): "
                   + ", ".join(r.titulo for r in picked))
    else:
        mensaje = f"Todavía no hay recomendaciones calculadas para {title} ({query_year})."
    return RecommendationAnswer(
        titulo=title, id=catalog.ids[query], anio=query_year,
        recomendaciones=[r.titulo for r in picked], detalle=picked,
        otras_coincidencias=film_refs(catalog, match.others),
        interpretacion=reading,
        mensaje=interpreted(reading, mensaje),
    )
