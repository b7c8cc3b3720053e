"""Title search and stored recommendations, checked against the raw sample."""

from __future__ import annotations

import pandas as pd
import pytest

from filmoteca.services import recommend, search
from filmoteca.services.catalog import Catalog
from filmoteca.services.matching import InvalidInput, NotFound
from filmoteca.text import normalize


def test_search_counts_and_orders_by_votes(catalog: Catalog, clean_movies: pd.DataFrame) -> None:
    hits = clean_movies[clean_movies["title"].str.lower().str.contains("toy", regex=False)]
    expected = hits.sort_values(["vote_count_n", "id"], ascending=[False, True],
                                key=lambda s: s.astype(float) if s.name == "id" else s)
    answer = search.buscar(catalog, "TOY", limite=50)
    assert answer.total == len(hits)
    assert [h.id for h in answer.resultados] == expected["id"].astype(int).tolist()
    assert answer.sugerencias == []


@pytest.mark.parametrize("query", ["the", "Star Wars", "ar", "e", "man", "LOVE ", "ü",
                                   "of the", "zzz", "godfather: part", "x-men", "12"])
def test_search_matches_a_plain_scan(catalog: Catalog, clean_movies: pd.DataFrame,
                                     query: str) -> None:
    """Trigram index and short-query scan agree with a pandas substring filter."""
    keys = clean_movies["title"].map(normalize)
    hits = clean_movies[keys.str.contains(normalize(query), regex=False)]
    hits = hits.assign(idn=hits["id"].astype(int)).sort_values(
        ["vote_count_n", "idn"], ascending=[False, True])
    answer = search.buscar(catalog, query, limite=50)
    assert answer.total == min(len(hits), search.MAX_MATCHES)
    assert [h.id for h in answer.resultados] == hits["idn"].tolist()[:50]


def test_search_pagination(catalog: Catalog) -> None:
    everything = search.buscar(catalog, "the", limite=50, pagina=1)
    assert everything.total > 50
    pages = [search.buscar(catalog, "the", limite=10, pagina=p) for p in (1, 2, 3)]
    assert [h.id for page in pages for h in page.resultados] == [
        h.id for h in everything.resultados[:30]]
    assert search.buscar(catalog, "the", limite=50, pagina=100).resultados == []


def test_search_accents_and_middle_words(catalog: Catalog, clean_movies: pd.DataFrame) -> None:
    keys = clean_movies["title"].map(normalize)
    assert search.buscar(catalog, "MISÉRABLES").total == int(
        keys.str.contains("miserables", regex=False).sum())


def test_search_miss_suggests(catalog: Catalog) -> None:
    answer = search.buscar(catalog, "godfathr")
    assert answer.total == 0 and answer.resultados == []
    assert "The Godfather" in answer.sugerencias


def test_search_rejects_bad_input(catalog: Catalog) -> None:
    for typed in ("", " ", "a" * 201, "a\x07"):
        with pytest.raises(InvalidInput):
            search.buscar(catalog, typed)


def test_recommendation_shape_and_no_self(catalog: Catalog) -> None:
    answer = recommend.recomendacion(catalog, "toy story")
    assert (answer.titulo, answer.id, answer.anio) == ("Toy Story", 862, 1995)
    assert 0 < len(answer.recomendaciones) <= 5
    assert answer.recomendaciones == [d.titulo for d in answer.detalle]
    assert 862 not in {d.id for d in answer.detalle}
    scores = [d.puntaje for d in answer.detalle]
    assert scores == sorted(scores, reverse=True)
    assert recommend.recomendacion(catalog, "Toy Story") == answer  # deterministic


def test_recommendation_never_a_duplicate_of_itself(catalog: Catalog) -> None:
    checked = 0
    for key, positions in catalog.by_title.items():
        for position in positions:
            year = catalog.years[position]
            answer = recommend.recomendacion(catalog, catalog.titles[position], anio=year)
            identities = [(normalize(d.titulo), d.anio) for d in answer.detalle]
            assert (key, year) not in identities
            assert len(identities) == len(set(identities))
            checked += 1
        if checked > 300:
            break


def test_recommendation_with_anio_and_miss(catalog: Catalog) -> None:
    old = recommend.recomendacion(catalog, "cape fear", anio=1962)
    assert old.id == 11349 and [o.id for o in old.otras_coincidencias] == [1598]
    with pytest.raises(NotFound) as missing:
        recommend.recomendacion(catalog, "toy stori")
    assert "Toy Story" in missing.value.sugerencias
