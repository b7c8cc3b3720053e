"""Similar films, for one film or several, with filters: read from the stored neighbours.

Owns :func:`recomendacion` (one title), :func:`recomendacion_varias` (2 to 10 titles),
both filtered by :class:`~filmoteca.services.filters.Filter`, and the ranking they share,
:func:`similar`:

- candidates: the neighbours stored at build time (:mod:`filmoteca.etl.neighbours`) of
  each film asked for, those the filters admit; a candidate's score is the sum of its stored
  scores over the films asked for (0 where absent), best first (compared at 6 decimals),
  ties by lower id, as ``filmoteca evaluate`` measures it; the films
  asked for and their duplicates (same normalized title and year) are never candidates;
- when fewer than asked for pass the filters, a wider search fills the list among every film
  the filters admit: by plot (the films' plot vectors, the semantic layer) or, without one,
  by genres in common, then votes. Its cost is measured in ``reports/benchmarks/api.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from filmoteca.config import DEFAULT_LIMITS, RECOMMENDATIONS, Limits
from filmoteca.formatting import format_int
from filmoteca.services.answers import (
    QueryFilm,
    Recommendation,
    RecommendationAnswer,
    SeveralRecommendationAnswer,
    items,
)
from filmoteca.services.catalog import Catalog
from filmoteca.services.filters import Filter
from filmoteca.services.matching import InvalidInput, NotFound, clean_input
from filmoteca.services.semantic import SemanticLayer
from filmoteca.services.titles import film_refs, find_film, interpreted

#: How many titles ``/recomendacion?titulo=`` takes.
MIN_TITLES, MAX_TITLES = 2, 10
#: The reason of a film found by the wider search.
WIDER = "búsqueda ampliada"


def _identity(catalog: Catalog, position: int) -> tuple[str, int]:
    return catalog.title_key[position], catalog.years[position]


def similar(catalog: Catalog, queries: Sequence[int], count: int = RECOMMENDATIONS,
            wanted: Filter | None = None, semantic: SemanticLayer | None = None,
            ) -> list[dict[str, Any]]:
    """The ``count`` films most similar to the films at ``queries`` that ``wanted`` admits,
    best first, as :class:`Recommendation` fields (see the module docstring)."""
    wanted = wanted or Filter()
    seen = {_identity(catalog, q) for q in queries}
    score: dict[int, float] = {}
    best: dict[int, tuple[float, int, tuple[str, ...]]] = {}  # the input it answers most
    answers: dict[int, list[int]] = {}
    for query in queries:
        for neighbour in catalog.neighbours(query):
            p = neighbour.position
            if _identity(catalog, p) in seen or not wanted.admits(catalog, p):
                continue
            score[p] = score.get(p, 0.0) + neighbour.score
            answers.setdefault(p, []).append(query)
            if p not in best or neighbour.score > best[p][0]:
                best[p] = (neighbour.score, query, neighbour.reasons)
    rows: list[dict[str, Any]] = []
    several = len(queries) > 1
    # sums compared at the stored scores' 6 decimals, so equal sums tie (by the lower id)
    for p in sorted(score, key=lambda p: (-round(score[p], 6), catalog.ids[p])):
        identity = _identity(catalog, p)
        if identity in seen:
            continue
        seen.add(identity)
        _, query, reasons = best[p]
        motivos = [f"como {catalog.titles[query]}: {r}" for r in reasons] if several \
            else list(reasons)
        rows.append({"id": catalog.ids[p], "titulo": catalog.titles[p],
                     "anio": catalog.years[p], "puntaje": round(score[p], 4),
                     "motivos": motivos,
                     "responde_a": [catalog.ids[q] for q in dict.fromkeys(answers[p])]})
        if len(rows) == count:
            return rows
    return rows + _wider(catalog, queries, count - len(rows), wanted, seen, semantic)


def _wider(catalog: Catalog, queries: Sequence[int], count: int, wanted: Filter,
           seen: set[tuple[str, int]], semantic: SemanticLayer | None,
           ) -> list[dict[str, Any]]:
    """Up to ``count`` more films among all those ``wanted`` admits (none in ``seen``): by
    plot when the catalog has a semantic layer, else by genres in common, then votes."""
    import numpy as np

    if count <= 0:
        return []
    admitted = wanted.mask(catalog)
    if not admitted.any():
        return []
    masks = np.asarray(catalog.genre_masks)
    index = semantic.get() if semantic is not None else None
    if index is not None:
        vector = index.plots.vector_of(list(queries))
        closeness = index.plots.coarse_cosines(vector)
        reason = f"{WIDER}: argumento parecido"
    else:
        shared = np.bitwise_count(masks & np.bitwise_or.reduce(masks[list(queries)]))
        votes = np.asarray(catalog.vote_counts, dtype=np.float64)
        closeness = shared + votes / (votes.max() + 1.0)  # genres first, then votes
        reason = f"{WIDER}: géneros en común"
    closeness = np.where(admitted, closeness, -np.inf)
    rows: list[dict[str, Any]] = []
    for p in np.argsort(-closeness, kind="stable")[:count + 4 * len(queries) + 16].tolist():
        if not np.isfinite(closeness[p]):
            break
        identity = _identity(catalog, p)
        if identity in seen:
            continue
        seen.add(identity)
        rows.append({"id": catalog.ids[p], "titulo": catalog.titles[p],
                     "anio": catalog.years[p], "puntaje": round(float(closeness[p]), 4),
                     "motivos": [reason], "responde_a": [catalog.ids[q] for q in queries]})
        if len(rows) == count:
            break
    return rows


def recomendacion(
    catalog: Catalog, titulo: str, anio: int | None = None, limits: Limits = DEFAULT_LIMITS,
    semantic: SemanticLayer | None = None, wanted: Filter | None = None,
) -> RecommendationAnswer:
    """Course: "Se ingresa el nombre de una película y te recomienda las similares en una
    lista de 5 valores."

    ``recomendaciones`` is the list of titles, best first; ``detalle`` adds id, year, score
    and the reasons (shared director, genres, keywords, collection...). A Spanish title is
    read as in ``/peliculas_duracion`` (``interpretacion``); ``wanted`` filters the films.
    """
    wanted = wanted or Filter()
    key = clean_input(titulo, "título", limits.max_input_length)
    match, reading = find_film(catalog, titulo, key, anio, limits, semantic)
    query = match.position
    picked = items(Recommendation, similar(catalog, [query], RECOMMENDATIONS, wanted,
                                           semantic))
    title, year = catalog.titles[query], catalog.years[query]
    mensaje = _said(f"{title} ({year})", wanted, picked)
    return RecommendationAnswer(
        titulo=title, id=catalog.ids[query], anio=year,
        recomendaciones=[r.titulo for r in picked], detalle=picked,
        otras_coincidencias=film_refs(catalog, match.others), interpretacion=reading,
        filtros=wanted.shown, mensaje=interpreted(reading, mensaje),
    )


def recomendacion_varias(
    catalog: Catalog, titulos: Sequence[str], limits: Limits = DEFAULT_LIMITS,
    semantic: SemanticLayer | None = None, wanted: Filter | None = None,
) -> SeveralRecommendationAnswer:
    """The films most similar to a set of 2 to 10 films (the films asked for excluded),
    each with reasons that name the film of the set it answers. Each title is read as in
    ``/recomendacion/{titulo}``; the titles not found are named in one 404, each with its
    suggestions."""
    wanted = wanted or Filter()
    if not MIN_TITLES <= len(titulos) <= MAX_TITLES:
        raise InvalidInput(f"Escriba de {MIN_TITLES} a {MAX_TITLES} títulos (`titulo` "
                           f"repetido: ?titulo=A&titulo=B); llegaron "
                           f"{format_int(len(titulos))}.")
    read: list[QueryFilm] = []
    missing: list[tuple[str, list[str]]] = []
    positions: list[int] = []
    for typed in titulos:
        key = clean_input(typed, "título", limits.max_input_length)
        try:
            match, reading = find_film(catalog, typed, key, None, limits, semantic)
        except NotFound as miss:
            missing.append((typed.strip(), miss.sugerencias))
            continue
        p = match.position
        positions.append(p)
        read.append(QueryFilm(consulta=typed.strip(), id=catalog.ids[p],
                              titulo=catalog.titles[p], anio=catalog.years[p],
                              interpretacion=reading))
    if missing:
        named = "; ".join(f"'{typed}'" + (f" (¿{', '.join(s[:3])}?)" if s else "")
                          for typed, s in missing)
        # the closest names of each missing title in turn: the first of each, then the second...
        turns = itertools.zip_longest(*(found for _, found in missing))
        suggestions = dict.fromkeys(s for turn in turns for s in turn if s is not None)
        verb = "No se encontró" if len(missing) == 1 else "No se encontraron"
        raise NotFound(f"{verb} {len(missing)} de los {len(titulos)} títulos: {named}.",
                       list(suggestions)[:limits.max_suggestions])
    picked = items(Recommendation, similar(catalog, list(dict.fromkeys(positions)),
                                           RECOMMENDATIONS, wanted, semantic))
    asked = ", ".join(f"{f.titulo} ({f.anio})" for f in read)
    return SeveralRecommendationAnswer(titulos=read, recomendaciones=[r.titulo for r in picked],
                                       detalle=picked, filtros=wanted.shown,
                                       mensaje=_said(asked, wanted, picked))


def _said(asked: str, wanted: Filter, picked: Sequence[Recommendation]) -> str:
    """``mensaje`` of a recommendation: the films asked for, the filters, the titles found."""
    if picked:
        return (f"Películas similares a {asked}{wanted.said()}: "
                + ", ".join(r.titulo for r in picked))
    return f"Ninguna película similar a {asked}{wanted.said()}."
