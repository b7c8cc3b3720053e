"""``/buscar``: title search, most voted first, paginated, with suggestions on a miss.

Owns :func:`buscar`. Titles are searched in their normalized form (case/accent-insensitive)
as substrings, so prefixes ("toy" -> "Toy Story") and words in the middle ("padrino" ->
"El padrino") both match. The catalog keeps one line per film in vote order and a trigram
index built at build time (:mod:`filmoteca.etl.index`): a query of three or more
characters walks the shortest posting list of its trigrams (ascending line = most voted
first) and checks only those candidates; a shorter query scans the text of all titles with
``str.find``, which stops early because one or two characters match very often. (The text
is one string, decoded from the mapped index at the first search.) Either
way a page costs at most :data:`MAX_MATCHES` matches; ``total`` counts up to that bound
(``total_es_minimo`` says when there are more). With no match, ``sugerencias`` offers the
closest titles (rapidfuzz).
"""

from __future__ import annotations

import bisect

from filmoteca.catalog.layout import SEARCH_GRAM
from filmoteca.config import (
    DEFAULT_LIMITS,
    SEARCH_DEFAULT_LIMIT,
    SEARCH_MAX_MATCHES,
    Limits,
)
from filmoteca.formatting import format_int
from filmoteca.services.answers import SearchAnswer, SearchHit, items
from filmoteca.services.catalog import Catalog
from filmoteca.services.matching import clean_input

#: Matches counted per query (pages beyond it are empty; ``total`` stops there).
MAX_MATCHES = SEARCH_MAX_MATCHES


def _scan(catalog: Catalog, key: str, stop: int) -> tuple[list[int], bool]:
    """Lines (in vote order) of the first ``stop`` titles containing a short ``key``."""
    text, starts = catalog.search_text, catalog.search_starts
    found: list[int] = []
    at = text.find(key)
    while at != -1:
        if len(found) == stop:
            return found, True
        line = bisect.bisect_right(starts, at) - 1
        found.append(line)
        at = text.find(key, starts[line + 1])
    return found, False


def _lookup(catalog: Catalog, key: str, stop: int) -> tuple[list[int], bool]:
    """Lines (in vote order) of the first ``stop`` titles containing ``key`` (3+ chars)."""
    gram = SEARCH_GRAM
    offsets, grams = catalog.search_offsets, catalog.search_grams
    best_start = best_end = 0
    best_size = -1
    for i in range(len(key) - gram + 1):
        index = grams.find(key[i:i + gram])
        if index < 0:
            return [], False  # a trigram no title has
        start, end = offsets[index], offsets[index + 1]
        if best_size < 0 or end - start < best_size:
            best_start, best_end, best_size = start, end, end - start
    postings, text, starts = catalog.search_postings, catalog.search_text, catalog.search_starts
    found: list[int] = []
    for i in range(best_start, best_end):
        line = postings[i]
        if text.find(key, starts[line], starts[line + 1]) != -1:
            if len(found) == stop:
                return found, True
            found.append(line)
    return found, False


def buscar(
    catalog: Catalog, q: str, limite: int = SEARCH_DEFAULT_LIMIT, pagina: int = 1,
    limits: Limits = DEFAULT_LIMITS,
) -> SearchAnswer:
    """Films whose title contains ``q`` (case/accent-insensitive), most voted first."""
    key = clean_input(q, "texto a buscar", limits.max_input_length)
    lines: list[int]
    if not key:
        lines, more = [], False
    elif len(key) < SEARCH_GRAM:
        lines, more = _scan(catalog, key, MAX_MATCHES)
    else:
        lines, more = _lookup(catalog, key, MAX_MATCHES)
    matched = [catalog.search_positions[line] for line in lines]
    start = (pagina - 1) * limite
    hits = items(SearchHit, [
        {"id": catalog.ids[p], "titulo": catalog.titles[p], "anio": catalog.years[p],
         "duracion_min": catalog.runtime(p), "votos": catalog.vote_counts[p],
         "puntuacion": catalog.vote_averages[p]}
        for p in matched[start:start + limite]
    ])
    suggestions = () if matched else catalog.names["titles"].suggest(key, limits.max_suggestions)
    total = len(matched)
    if total:
        mensaje = (f"{'Más de ' if more else ''}{format_int(total)} películas contienen "
                   f"'{q.strip()}' en el título; página {pagina} ({len(hits)} resultados).")
    else:
        mensaje = f"Ninguna película contiene '{q.strip()}' en el título."
        if suggestions:
            mensaje += " ¿Quiso decir: " + ", ".join(suggestions) + "?"
    return SearchAnswer(
        q=q, total=total, total_es_minimo=more, pagina=pagina, limite=limite, resultados=hits,
        sugerencias=list(suggestions), mensaje=mensaje,
    )
