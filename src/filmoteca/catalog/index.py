"""The serving index: everything the API answers from, precomputed once at build time.

Owns the layout of ``index.json`` (written by :mod:`filmoteca.pipeline`, read by
:mod:`filmoteca.services.catalog`). Build time only: pandas and babel are allowed here, the
serving process never imports this module.

Every name key is ``filmoteca.text.normalize(name)``. Films are referred to by *position*
(0-based row of the columnar ``films`` arrays), never by scanning. Large numeric columns are
*packed*: ``{"type": "i" | "q" | "f" | "d", "data": base64 of little-endian values}``, read
by the server with :mod:`array` in milliseconds (no per-number JSON parsing, no numpy).
Layout (:mod:`filmoteca.catalog.layout`, ``INDEX_VERSION``)::

    version       int
    manifest      the build manifest (dataset kind, film count, build time)
    films         one entry per film: title, release_date ("YYYY-MM-DD") as JSON lists;
                  packed id, year, runtime (minutes, 0 when unknown), vote_count,
                  vote_average, revenue, budget, return
    by_votes      film positions, most voted first (ties: lower id first)
    titles        normalized title -> film positions, most voted first
    search        trigram index of the titles in vote order (see ``_search``): gram (3),
                  grams (sorted), packed offsets, packed lines
    languages     ISO code -> [films with that original_language, Spanish name, English name]
    language_aliases   normalized code / English name / Spanish name / dataset name -> code
    countries     ISO 3166 code -> [films produced there, Spanish name, English name]
    country_aliases    normalized code / English / Spanish / dataset name -> code
    companies     normalized name -> [display name, films, total revenue]
    collections   normalized name -> [display name, films, total revenue, mean revenue]
    collection_aliases normalized name with and without " Collection" -> collections key
    directors     normalized name -> [display name, total return, film positions by date]
    neighbours    packed top-k table: offsets (n + 1 values: film p owns [offsets[p],
                  offsets[p + 1])), film (neighbour positions, best first), score, reasons
                  (index into reason_sets)
    reason_sets   distinct lists of Spanish reasons ("mismo director: ...")
    loose         kind -> {key without punctuation: exact key}, only where they differ
                  (:func:`filmoteca.text.loose_key`)
    suggest       kind -> [[keys], [labels]] sorted by key length, the fuzzy choice lists
                  (:class:`filmoteca.services.matching.Suggester`)

Rows of languages, countries, companies, collections and directors are JSON lists in the
field order of their :mod:`filmoteca.catalog.layout` types (``NamedCount``, ``CompanyRow``,
``CollectionRow``, ``DirectorRow``), which the server reads them back through.

The kinds of ``loose`` and ``suggest`` are titles, languages, countries, companies,
collections and directors (their exact keys: ``titles``, the ``*_aliases`` maps,
``companies``, ``directors``).

Counting rules: a language counts films by ``original_language``; a country, a company, a
collection and a director count distinct films; money sums ``revenue``; a collection's mean
is total revenue / films; a director's total return is the sum of ``return`` of their films.
Languages and countries known to babel but absent from the data are kept with 0 films, so
"¿cuántas películas en idioma klingon?" has an answer instead of a 404. TMDB's own codes
(``cn`` = Cantonese, ``xx``, ``SU``...) get Spanish and English names, and every code the
colloquial and regional names of :mod:`filmoteca.catalog.aliases` ("EEUU", "UK",
"castellano", "cantonés" -> ``cn``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from filmoteca.catalog import aliases
from filmoteca.catalog.layout import (
    INDEX_VERSION,
    NAME_KINDS,
    SEARCH_GRAM,
    CollectionRow,
    CompanyRow,
    DirectorRow,
    NamedCount,
    suggestion_choices,
)
from filmoteca.etl.clean import Tables
from filmoteca.text import loose_key, normalize

#: babel territory codes that are regions or pseudo-codes, not countries.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
COLLECTION_SUFFIX = " collection"


def _keys(names: pd.Series) -> pd.Series:
    """``normalize`` applied once per distinct name (names repeat a lot in link tables)."""
    distinct = names.drop_duplicates()
    mapping = dict(zip(distinct.tolist(), map(normalize, distinct.tolist()), strict=True))
    return names.map(mapping)


_DTYPES = {"i": "<i4", "q": "<i8", "f": "<f4", "d": "<f8"}


def pack(values: Any, kind: str) -> dict[str, str]:
    """A numeric column as ``{"type", "data"}`` (base64 of little-endian values)."""
    array = np.asarray(values, dtype="float64" if kind in "fd" else "int64")
    if kind in "fd":
        array = np.nan_to_num(array, nan=0.0, posinf=0.0, neginf=0.0)
    data = array.astype(_DTYPES[kind]).tobytes()
    return {"type": kind, "data": base64.b64encode(data).decode("ascii")}


def _films(films: pd.DataFrame) -> dict[str, Any]:
    runtime = films["runtime"].astype("float64")
    runtime = runtime.where(runtime > 0).round().fillna(0)
    return {
        "title": films["title"].astype(str).tolist(),
        "release_date": films["release_date"].astype(str).tolist(),
        "id": pack(films["id"], "q"),
        "year": pack(films["release_year"], "i"),
        "runtime": pack(runtime, "i"),
        "vote_count": pack(films["vote_count"], "q"),
        "vote_average": pack(films["vote_average"].astype("float64").fillna(0.0), "d"),
        "revenue": pack(films["revenue"].astype("float64").fillna(0.0), "d"),
        "budget": pack(films["budget"].astype("float64").fillna(0.0), "d"),
        "return": pack(films["return"].astype("float64").fillna(0.0), "d"),
    }


def _vote_order(films: pd.DataFrame) -> np.ndarray:
    """Positions sorted by vote count descending, ties by id ascending."""
    return np.lexsort((films["id"].to_numpy(), -films["vote_count"].to_numpy()))


def _titles(films: pd.DataFrame, order: np.ndarray) -> dict[str, list[int]]:
    keys = _keys(films["title"].astype(str)).to_numpy()[order]
    out: dict[str, list[int]] = {}
    for key, position in zip(keys.tolist(), order.tolist(), strict=True):
        out.setdefault(key, []).append(position)
    return out


def _search(titles: dict[str, list[int]], order: np.ndarray) -> dict[str, Any]:
    """Trigram index of the normalized titles, one line per film in vote order.

    ``grams`` (sorted) -> packed ``offsets`` into packed ``lines``: the ascending line numbers
    (= vote rank) of the titles containing that trigram. A query of 3+ characters walks the
    shortest list of its trigrams and checks each candidate title, so matches come out most
    voted first without reading the other titles.
    """
    key_of: dict[int, str] = {p: key for key, positions in titles.items() for p in positions}
    postings: dict[str, list[int]] = {}
    for line, position in enumerate(order.tolist()):
        key = key_of[position]
        for gram in {key[i:i + SEARCH_GRAM] for i in range(len(key) - SEARCH_GRAM + 1)}:
            postings.setdefault(gram, []).append(line)
    grams = sorted(postings)
    sizes = np.fromiter((len(postings[g]) for g in grams), dtype="int64", count=len(grams))
    lines = [line for g in grams for line in postings[g]]
    return {
        "gram": SEARCH_GRAM,
        "grams": grams,
        "offsets": pack(np.concatenate(([0], np.cumsum(sizes))), "i"),
        "lines": pack(lines, "i"),
    }


def _add_alias(aliases: dict[str, str], name: str | None, code: str) -> None:
    if name:
        key = normalize(name)
        if key:
            aliases.setdefault(key, code)


def _named_codes(
    codes: list[str], counts: pd.Series, dataset_names: dict[str, set[str]],
    english: dict[str, str], spanish: dict[str, str],
    extra: Callable[[str], list[str]] | None = None,
) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """code -> [films, Spanish name, English name] and normalized alias -> code, for the
    languages and the countries. Names come from babel, else from the dataset, else the code.
    Aliases: every code first, then the English, Spanish and dataset names, then the
    colloquial and regional names of ``extra`` (:mod:`filmoteca.catalog.aliases`), in
    ``codes`` order (the first code to claim an alias keeps it)."""
    table: dict[str, list[Any]] = {}
    aliases: dict[str, str] = {}
    for code in codes:
        fallback = min(dataset_names.get(code, {code}))
        en_name = english.get(code) or fallback
        es_name = spanish.get(code) or en_name
        table[code] = list(NamedCount(int(counts.get(code, 0)), es_name, en_name))
        _add_alias(aliases, code, code)
    for code in codes:
        _add_alias(aliases, table[code][2], code)
        _add_alias(aliases, table[code][1], code)
        for name in sorted(dataset_names.get(code, ())):
            _add_alias(aliases, name, code)
    if extra is not None:
        for code in codes:
            for name in extra(code):
                _add_alias(aliases, name, code)
    return table, aliases


def _languages(tables: Tables) -> tuple[dict[str, list[Any]], dict[str, str]]:
    from babel import Locale

    english: dict[str, str] = {str(k): str(v) for k, v in Locale("en").languages.items()}
    spanish: dict[str, str] = {str(k): str(v) for k, v in Locale("es").languages.items()}
    original = tables.films["original_language"].dropna().astype(str).str.strip().str.lower()
    counts = original[original != ""].value_counts()
    spoken = tables.film_languages.drop_duplicates("iso_639_1")
    dataset_names = dict(zip(spoken["iso_639_1"].astype(str).str.lower(),
                             spoken["language"].astype(str), strict=True))
    # TMDB's codes babel does not name (cn = Cantonese); babel codes whose films TMDB files
    # under another code (yue -> cn) are left out unless the data uses them.
    for code, (es_name, en_name) in aliases.extra_languages().items():
        english.setdefault(code, en_name)
        spanish.setdefault(code, es_name)
    superseded = aliases.superseded_languages()
    babel_codes = [code for code in english if "_" not in code and code not in superseded]
    # Languages with films first (they win alias collisions), then the rest of babel's.
    with_films = [str(code) for code in counts.index]
    codes = with_films + sorted(set(babel_codes) - set(with_films))
    return _named_codes(codes, counts, {code: {name} for code, name in dataset_names.items()},
                        english, spanish, aliases.language_aliases)


def _countries(tables: Tables) -> tuple[dict[str, list[Any]], dict[str, str]]:
    from babel import Locale

    english: dict[str, str] = {str(k): str(v) for k, v in Locale("en").territories.items()}
    spanish: dict[str, str] = {str(k): str(v) for k, v in Locale("es").territories.items()}
    link = tables.film_countries
    codes_col = link["iso_3166_1"].astype(str).str.strip().str.upper()
    pairs = pd.DataFrame({"code": codes_col, "film": link["film_id"]}).drop_duplicates()
    counts = pairs["code"].value_counts()
    dataset_names: dict[str, set[str]] = {}
    for code, name in zip(codes_col.tolist(), link["country"].astype(str).tolist(), strict=True):
        dataset_names.setdefault(code, set()).add(name)
    for code, (es_name, en_name) in aliases.extra_countries().items():  # SU, YU...
        english.setdefault(code, en_name)
        spanish.setdefault(code, es_name)
    babel_codes = {
        code for code in english
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    }
    with_films = [str(code) for code in counts.index]
    codes = with_films + sorted(babel_codes - set(with_films))
    return _named_codes(codes, counts, dataset_names, english, spanish, aliases.country_aliases)


def _grouped(link: pd.DataFrame, name_column: str, films: pd.DataFrame) -> pd.DataFrame:
    """Distinct (normalized name, film) pairs with the film's revenue and position."""
    frame = pd.DataFrame({
        "name": link[name_column].astype(str),
        "film_id": link["film_id"].astype("int64"),
    })
    frame["key"] = _keys(frame["name"])
    frame = frame[frame["key"] != ""].drop_duplicates(["key", "film_id"])
    position = pd.Series(np.arange(len(films)), index=films["id"].to_numpy())
    frame["position"] = frame["film_id"].map(position)
    frame = frame.dropna(subset=["position"])
    frame["position"] = frame["position"].astype("int64")
    frame["revenue"] = films["revenue"].to_numpy()[frame["position"].to_numpy()]
    frame["return"] = films["return"].to_numpy()[frame["position"].to_numpy()]
    return frame


def _companies(tables: Tables) -> dict[str, list[Any]]:
    frame = _grouped(tables.film_companies, "company", tables.films)
    agg = frame.groupby("key", sort=True).agg(
        name=("name", "first"), films=("film_id", "size"), revenue=("revenue", "sum"),
    )
    return {
        key: list(CompanyRow(name, int(count), float(revenue)))
        for key, name, count, revenue in zip(
            agg.index.tolist(), agg["name"].tolist(), agg["films"].tolist(),
            agg["revenue"].tolist(), strict=True,
        )
    }


def _collections(tables: Tables) -> tuple[dict[str, list[Any]], dict[str, str]]:
    frame = _grouped(tables.film_collections, "collection", tables.films)
    agg = frame.groupby("key", sort=True).agg(
        name=("name", "first"), films=("film_id", "size"), revenue=("revenue", "sum"),
    )
    collections: dict[str, list[Any]] = {}
    for key, name, count, revenue in zip(
        agg.index.tolist(), agg["name"].tolist(), agg["films"].tolist(),
        agg["revenue"].tolist(), strict=True,
    ):
        collections[key] = list(CollectionRow(name, int(count), float(revenue),
                                              float(revenue) / int(count)))
    aliases = {key: key for key in collections}
    for key in collections:
        if key.endswith(COLLECTION_SUFFIX):
            short = key.removesuffix(COLLECTION_SUFFIX).strip()
            if short:
                aliases.setdefault(short, key)
    return collections, aliases


def _directors(tables: Tables) -> dict[str, list[Any]]:
    frame = _grouped(tables.directors, "name", tables.films)
    frame["date"] = tables.films["release_date"].astype(str).to_numpy()[
        frame["position"].to_numpy()
    ]
    frame = frame.sort_values(["key", "date", "position"], kind="stable")
    if frame.empty:
        return {}
    keys = frame["key"].to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    names = frame["name"].to_numpy()[starts].tolist()
    totals = np.add.reduceat(frame["return"].to_numpy(dtype="float64"), starts).tolist()
    groups = np.split(frame["position"].to_numpy(), starts[1:])
    return {
        str(key): list(DirectorRow(name, float(total), group.tolist()))
        for key, name, total, group in zip(
            keys[starts].tolist(), names, totals, groups, strict=True
        )
    }


def _neighbours(
    neighbours: pd.DataFrame, films: pd.DataFrame
) -> tuple[dict[str, Any], list[list[str]]]:
    n = len(films)
    if neighbours is None or len(neighbours) == 0:
        empty = {"offsets": pack(np.zeros(n + 1), "i"), "film": pack([], "i"),
                 "score": pack([], "f"), "reasons": pack([], "i")}
        return empty, []
    position = pd.Series(np.arange(n), index=films["id"].to_numpy())
    frame = pd.DataFrame({
        "film": neighbours["film_id"].astype("int64").map(position),
        "neighbour": neighbours["neighbour_id"].astype("int64").map(position),
        "rank": neighbours["rank"].astype("int64"),
        "score": neighbours["score"].astype("float64"),
    })
    if "reasons" in neighbours.columns:
        frame["reasons"] = neighbours["reasons"].to_numpy()
    else:
        frame["reasons"] = [()] * len(frame)
    frame = frame.dropna(subset=["film", "neighbour"])
    frame = frame[frame["film"] != frame["neighbour"]]
    frame = frame.astype({"film": "int64", "neighbour": "int64"})
    frame = frame.sort_values(["film", "rank"], kind="stable")
    sets: dict[tuple[str, ...], int] = {}
    reason_index = []
    for reasons in frame["reasons"].tolist():
        key = tuple(str(r) for r in reasons) if reasons is not None else ()
        reason_index.append(sets.setdefault(key, len(sets)))
    counts = np.bincount(frame["film"].to_numpy(), minlength=n)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    table = {
        "offsets": pack(offsets, "i"),
        "film": pack(frame["neighbour"], "i"),
        "score": pack(frame["score"], "f"),
        "reasons": pack(reason_index, "i"),
    }
    return table, [list(reasons) for reasons in sets]


def _loose(keys: list[str]) -> dict[str, str]:
    """Punctuation-blind keys that differ from their exact key (first key wins)."""
    out: dict[str, str] = {}
    for key in keys:
        loose = loose_key(key)
        if loose != key and loose:
            out.setdefault(loose, key)
    return out


def _names(index: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``loose`` and ``suggest`` sections, one entry per kind of name."""
    films, titles = index["films"], index["titles"]
    languages, countries = index["languages"], index["countries"]
    companies, collections = index["companies"], index["collections"]
    directors = index["directors"]
    exact: dict[str, list[str]] = {
        "titles": list(titles),
        "languages": list(index["language_aliases"]),
        "countries": list(index["country_aliases"]),
        "companies": sorted(companies, key=lambda k: -companies[k][1]),
        "collections": list(index["collection_aliases"]),
        "directors": sorted(directors, key=lambda k: -len(directors[k][2])),
    }
    labels: dict[str, list[tuple[str, str]]] = {
        "titles": [(k, films["title"][p[0]]) for k, p in titles.items()],
        "languages": [(a, f"{languages[c][1]} ({c})")
                      for a, c in index["language_aliases"].items()],
        "countries": [(a, f"{countries[c][1]} ({c})")
                      for a, c in index["country_aliases"].items()],
        "companies": [(k, v[0]) for k, v in companies.items()],
        "collections": [(a, collections[k][0])
                        for a, k in index["collection_aliases"].items()],
        "directors": [(k, v[0]) for k, v in directors.items()],
    }
    assert set(exact) == set(labels) == set(NAME_KINDS)
    loose = {kind: _loose(keys) for kind, keys in exact.items()}
    suggest = {kind: list(suggestion_choices(pairs)) for kind, pairs in labels.items()}
    return loose, suggest


def build_index(
    tables: Tables, neighbours: pd.DataFrame, manifest: dict[str, Any]
) -> dict[str, Any]:
    """The serving index (JSON-serializable) from the clean tables and the neighbours."""
    films = tables.films.reset_index(drop=True)
    tables = Tables(**{**dict(tables.items()), "films": films})
    order = _vote_order(films)
    languages, language_aliases = _languages(tables)
    countries, country_aliases = _countries(tables)
    collections, collection_aliases = _collections(tables)
    neighbour_table, reason_sets = _neighbours(neighbours, films)
    titles = _titles(films, order)
    index: dict[str, Any] = {
        "version": INDEX_VERSION,
        "manifest": manifest,
        "films": _films(films),
        "by_votes": order.tolist(),
        "titles": titles,
        "search": _search(titles, order),
        "languages": languages,
        "language_aliases": language_aliases,
        "countries": countries,
        "country_aliases": country_aliases,
        "companies": _companies(tables),
        "collections": collections,
        "collection_aliases": collection_aliases,
        "directors": _directors(tables),
        "neighbours": neighbour_table,
        "reason_sets": reason_sets,
    }
    index["loose"], index["suggest"] = _names(index)
    return index
