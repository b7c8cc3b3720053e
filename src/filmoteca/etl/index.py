"""What the serving index holds, computed once from the clean tables at build time.

Owns :func:`index_sections` (every section of :mod:`filmoteca.catalog.layout`, one at a
time: names, counts, totals, the title search, the neighbours, the loose and fuzzy name
lists) and :func:`write_index` (each section laid out as it comes, so the whole index is
never in memory). Counting rules: a language counts films by ``original_language``; a
country, a company, a collection and a director count distinct films; money sums
``revenue``; a collection's mean is total / films; a director's return is the sum of
``return``. Languages and countries babel knows without films are kept with 0 films, and
:mod:`.aliases` adds colloquial names. Adding a section: compute it here, name it in
``layout``, read it in :class:`filmoteca.services.catalog.Catalog`, bump ``INDEX_VERSION``.
"""


from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from filmoteca import text
from filmoteca.catalog.binary import SectionWriter
from filmoteca.catalog.layout import (
    ALIAS_TABLES,
    FILM_COLUMNS,
    INDEX_FILE,
    INDEX_VERSION,
    JSON_TABLES,
    MAX_GENRES,
    NAME_KINDS,
    SEARCH_GRAM,
    TITLE_ALIASES,
    CollectionRow,
    CompanyRow,
    DirectorRow,
    FilmDetails,
    GenreRow,
    NamedCount,
    suggestion_choices,
    word_index,
)
from filmoteca.etl import aliases
from filmoteca.etl.clean import Tables
from filmoteca.etl.titles import other_titles
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


def pack(values: Any, kind: str) -> bytes:
    """A numeric column as little-endian bytes of section type ``kind``."""
    column = np.asarray(values, dtype="float64" if kind in "fd" else "int64")
    if kind in "fd":
        column = np.nan_to_num(column, nan=0.0, posinf=0.0, neginf=0.0)
    return bytes(column.astype(_DTYPES[kind]).tobytes())


def _films(films: pd.DataFrame) -> dict[str, Any]:
    runtime = films["runtime"].astype("float64")
    runtime = runtime.where(runtime > 0).round().fillna(0)
    return {
        "title": films["title"].astype(str).tolist(),
        "release_date": films["release_date"].astype(str).tolist(),
        "id": films["id"].to_numpy(dtype="int64"),
        "year": films["release_year"].to_numpy(dtype="int64"),
        "runtime": runtime.to_numpy(dtype="int64"),
        "vote_count": films["vote_count"].to_numpy(dtype="int64"),
        "vote_average": films["vote_average"].astype("float64").fillna(0.0).to_numpy(),
        "revenue": films["revenue"].astype("float64").fillna(0.0).to_numpy(),
        "budget": films["budget"].astype("float64").fillna(0.0).to_numpy(),
        "return": films["return"].astype("float64").fillna(0.0).to_numpy(),
        "by_id": np.argsort(films["id"].to_numpy(dtype="int64"), kind="stable"),
    }


def _by_film(frame: pd.DataFrame, column: str, sort: str | None = None,
             limit: int | None = None) -> dict[int, list[str]]:
    """film id -> the distinct values of ``column`` in that film's rows (by ``sort``)."""
    if sort is not None:
        frame = frame.sort_values(["film_id", sort], kind="stable")
    frame = frame.dropna(subset=[column]).drop_duplicates(["film_id", column])
    out: dict[int, list[str]] = {}
    for film, value in zip(frame["film_id"].tolist(), frame[column].astype(str).tolist(),
                           strict=True):
        values = out.setdefault(int(film), [])
        if limit is None or len(values) < limit:
            values.append(value)
    return out


def _details(tables: Tables, originals: pd.DataFrame, links: pd.DataFrame) -> list[str]:
    """One :class:`FilmDetails` row (JSON) per film position."""
    films = tables.films
    genres = _by_film(tables.film_genres, "genre")
    directors = _by_film(tables.directors, "name")
    cast = _by_film(tables.cast, "name", sort="order", limit=5) if len(tables.cast) else {}
    collections = _by_film(tables.film_collections, "collection")
    companies = _by_film(tables.film_companies, "company")
    countries = _by_film(tables.film_countries, "iso_3166_1")
    languages = _by_film(tables.film_languages, "iso_639_1")
    original = _by_film(originals, "original_title")
    imdb = dict(zip(links["film_id"].astype("int64").tolist(), links["imdb_id"].tolist(),
                    strict=True)) if len(links) else {}

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    rows = []
    for film, overview, tagline in zip(films["id"].astype("int64").tolist(),
                                       films["overview"].tolist(), films["tagline"].tolist(),
                                       strict=True):
        rows.append(orjson.dumps(list(FilmDetails(
            genres.get(film, []), directors.get(film, []), cast.get(film, []),
            next(iter(collections.get(film, [])), None), companies.get(film, []),
            [c.upper() for c in countries.get(film, [])],
            [c.lower() for c in languages.get(film, [])], next(iter(original.get(film, [])), None),
            text(overview), text(tagline), imdb.get(film)))).decode())
    return rows


def _genres(tables: Tables) -> tuple[dict[str, list[Any]], np.ndarray]:
    """normalized genre name -> GenreRow (English and Spanish names and their variants, see
    :data:`aliases.GENRES`), and each film's genre bitmask (the most frequent genres get the
    :data:`MAX_GENRES` bits)."""
    link = tables.film_genres
    counts = link.drop_duplicates(["film_id", "genre"])["genre"].astype(str).value_counts()
    ordered = sorted(counts.index, key=lambda g: (-counts[g], g))[:MAX_GENRES]
    bit = {genre: b for b, genre in enumerate(ordered)}
    table: dict[str, list[Any]] = {}
    for genre in ordered:
        spanish, names = aliases.genre_names(genre)
        for name in names:
            key = normalize(name)
            if key:
                table.setdefault(key, list(GenreRow(bit[genre], genre, spanish)))
    position = pd.Series(np.arange(len(tables.films)),
                         index=tables.films["id"].to_numpy(dtype=np.int64))
    mask = np.zeros(len(tables.films), dtype=np.int64)
    rows = link[link["genre"].astype(str).isin(bit)]
    at = position.reindex(rows["film_id"].to_numpy(dtype=np.int64)).to_numpy()
    bits = rows["genre"].astype(str).map(bit).to_numpy(dtype=np.int64)
    known = ~np.isnan(at)
    np.bitwise_or.at(mask, at[known].astype(np.int64), np.left_shift(1, bits[known]))
    return table, mask


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

    ``grams`` (sorted) -> ``offsets`` into ``postings``: the ascending line numbers (= vote
    rank) of the titles containing that trigram; ``lines`` are the titles themselves. A
    query of 3+ characters walks the shortest list of its trigrams and checks each candidate
    title, so matches come out most voted first without reading the other titles.

    Keys are ASCII (:func:`filmoteca.text.normalize` transliterates), so a trigram is 3
    bytes and fits one integer: the postings are built with numpy over one buffer of all
    the keys, with no Python object per posting (15 million at 1,000,000 films).
    """
    key_of = np.empty(len(order), dtype=object)
    for key, positions in titles.items():
        key_of[positions] = key
    keys = key_of[order].tolist()  # line -> title key
    del key_of
    buffer = "".join(keys).encode("ascii")  # normalize() keys are ASCII
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    data = np.frombuffer(buffer, dtype=np.uint8)
    counts = np.maximum(lengths - SEARCH_GRAM + 1, 0)  # trigrams of each line
    total = int(counts.sum())
    index_type = np.int32 if len(buffer) < 2**31 else np.int64
    line = np.repeat(np.arange(len(lengths), dtype=np.int32), counts)
    skip = np.concatenate(([0], np.cumsum(lengths)[:-1])) - \
        np.concatenate(([0], np.cumsum(counts)[:-1]))  # each line's first byte - first gram
    at = np.repeat(skip.astype(index_type), counts) + np.arange(total, dtype=index_type)
    code = data[at].astype(np.int32) << 16
    code |= data[at + 1].astype(np.int32) << 8
    code |= data[at + 2]
    del at, data, buffer
    by_gram = np.argsort(code, kind="stable")  # lines stay ascending within a trigram
    code, line = code[by_gram], line[by_gram]
    del by_gram
    distinct = np.ones(total, dtype=bool)  # a trigram twice in one title counts once
    distinct[1:] = (code[1:] != code[:-1]) | (line[1:] != line[:-1])
    code, line = code[distinct], line[distinct]
    starts = np.flatnonzero(np.diff(code, prepend=-1))
    sizes = np.diff(np.append(starts, len(code)))
    return {
        "gram": SEARCH_GRAM,
        "grams": [bytes([g >> 16, (g >> 8) & 255, g & 255]).decode("ascii")
                  for g in code[starts].tolist()],
        "lines": keys,
        "offsets": np.concatenate(([0], np.cumsum(sizes))),
        "postings": line,
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
    colloquial and regional names of ``extra`` (:mod:`filmoteca.etl.aliases`), in
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


_REASON_SEPARATOR = "\x1f"  # never inside a reason


def _neighbours(
    batches: Iterable[Any], films: pd.DataFrame
) -> tuple[dict[str, Any], list[list[str]]]:
    """The packed neighbours section from the neighbours table, read batch by batch (Arrow
    record batches or tables): no Python object per pair (10 million at 1,000,000 films).
    Reason lists are numbered in order of first appearance (by film position, then rank)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(films)
    ids = films["id"].to_numpy(dtype=np.int64)
    by_id = np.argsort(ids, kind="stable")
    sorted_ids = ids[by_id]

    def position(column: Any) -> np.ndarray:
        values = np.asarray(column, dtype=np.int64)
        if n == 0:
            return np.full(len(values), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(sorted_ids, values), n - 1)
        return np.where(sorted_ids[at] == values, by_id[at], -1)

    distinct: dict[str, int] = {}
    parts: list[tuple[np.ndarray, ...]] = []
    for batch in batches:
        film, neighbour = position(batch["film_id"]), position(batch["neighbour_id"])
        keep = (film >= 0) & (neighbour >= 0) & (film != neighbour)
        lists = batch["reasons"] if "reasons" in batch.schema.names else \
            pa.array([[]] * len(batch), pa.list_(pa.string()))
        joined = pc.binary_join(lists, _REASON_SEPARATOR).fill_null("")
        encoded = pc.dictionary_encode(joined)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        local = np.array([distinct.setdefault(text, len(distinct))
                          for text in encoded.dictionary.to_pylist()], dtype=np.int64)
        reason = local[np.asarray(encoded.indices, dtype=np.int64)] if len(local) else \
            np.zeros(len(batch), dtype=np.int64)
        parts.append((film[keep].astype(np.int32), np.asarray(batch["rank"])[keep].astype(np.int32),
                      neighbour[keep].astype(np.int32),
                      np.asarray(batch["score"], dtype=np.float32)[keep],
                      reason[keep].astype(np.int32)))
    if not parts or not sum(len(p[0]) for p in parts):
        empty = {"offsets": np.zeros(n + 1, dtype=np.int64), "film": np.zeros(0, dtype=np.int32),
                 "score": np.zeros(0, dtype=np.float32), "reasons": np.zeros(0, dtype=np.int32)}
        return empty, []
    film, rank, neighbour, score, reason = (np.concatenate(c) for c in zip(*parts, strict=True))
    del parts
    order = np.lexsort((rank, film))
    del rank
    reason = reason[order]
    # renumber the reason lists by first appearance in (film, rank) order
    used, first_at = np.unique(reason, return_index=True)
    renumber = np.empty(len(distinct), dtype=np.int64)
    renumber[used[np.argsort(first_at)]] = np.arange(len(used))
    texts = list(distinct)
    sets = [texts[i].split(_REASON_SEPARATOR) if texts[i] else []
            for i in used[np.argsort(first_at)]]
    counts = np.bincount(film, minlength=n)
    table = {
        "offsets": np.concatenate(([0], np.cumsum(counts))),
        "film": neighbour[order],
        "score": score[order],
        "reasons": renumber[reason],
    }
    return table, sets


def _loose(keys: list[str], key_function: Callable[[str], str] = loose_key) -> dict[str, str]:
    """Punctuation-blind keys that differ from their exact key (first key wins)."""
    out: dict[str, str] = {}
    for key in keys:
        loose = key_function(key)
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
    for kind, key_function in TITLE_ALIASES.items():
        # another title of a film is suggested as the film's catalog title (after them)
        loose[kind] = _loose(list(index[kind]), getattr(text, key_function))
        labels["titles"] += [(k, films["title"][p[0]]) for k, p in index[kind].items()]
    suggest = {kind: list(suggestion_choices(pairs)) for kind, pairs in labels.items()}
    return loose, suggest


def index_sections(
    tables: Tables, neighbours: Iterable[Any], manifest: dict[str, Any],
    originals: pd.DataFrame | None = None, spanish: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
) -> Iterator[tuple[str, Any]]:
    """The serving index, section by section (``(key, value)``), from the clean tables and
    the neighbours table (its Arrow record batches, read one at a time). The sections the
    name lists do not need (neighbours, search) come first, so :func:`write_index` can lay
    out and drop each one before the next is built: at 1,000,000 films the whole index is
    never in memory as Python objects at once. ``originals``: the films' original titles
    (``film_original_titles``); ``spanish``: the Spanish release titles (default: the
    shipped table; see :mod:`.titles`)."""
    films = tables.films.reset_index(drop=True)
    tables = Tables(**{**dict(tables.items()), "films": films})
    yield "version", INDEX_VERSION
    yield "manifest", manifest
    neighbour_table, reason_sets = _neighbours(neighbours, films)
    yield "neighbours", neighbour_table
    del neighbour_table
    yield "reason_sets", reason_sets
    del reason_sets
    order = _vote_order(films)
    titles = _titles(films, order)
    yield "search", _search(titles, order)
    languages, language_aliases = _languages(tables)
    countries, country_aliases = _countries(tables)
    collections, collection_aliases = _collections(tables)
    film_columns = _films(films)
    genre_table, film_columns["genre_mask"] = _genres(tables)
    codes = sorted(languages)  # the languages table's keys, in their stored order
    row_of_code = {code: row for row, code in enumerate(codes)}
    original = films["original_language"].astype(str).str.strip().str.lower()
    film_columns["language"] = np.array([row_of_code.get(c, -1) for c in original.tolist()],
                                        dtype=np.int64)
    rank = {key: row for row, key in enumerate(sorted(titles))}
    title_row = np.zeros(len(films), dtype="int64")
    for key, positions in titles.items():
        title_row[positions] = rank[key]
    film_columns["title_row"] = title_row
    del rank, title_row
    if originals is None:
        originals = pd.DataFrame({"film_id": [], "original_title": []})
    if links is None:
        links = pd.DataFrame({"film_id": [], "imdb_id": []})
    film_columns["details"] = _details(tables, originals, links)
    other = other_titles(films, originals, order, spanish)
    index: dict[str, Any] = {
        **other,
        "genres": genre_table,
        "films": film_columns,
        "by_votes": order,
        "titles": titles,
        "languages": languages,
        "language_aliases": language_aliases,
        "countries": countries,
        "country_aliases": country_aliases,
        "companies": _companies(tables),
        "collections": collections,
        "collection_aliases": collection_aliases,
        "directors": _directors(tables),
    }
    del tables, films, order, titles
    index["loose"], index["suggest"] = _names(index)
    while index:
        yield index.popitem()  # popped: the writer's copy is the only one left


def build_index(
    tables: Tables, neighbours: Iterable[Any], manifest: dict[str, Any],
    originals: pd.DataFrame | None = None, spanish: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The serving index as one dict (:func:`index_sections` collected)."""
    return dict(index_sections(tables, neighbours, manifest, originals, spanish, links))


def write_index(build_dir: Path, sections: Iterable[tuple[str, Any]]) -> Path:
    """Lay the sections of :func:`index_sections` out as ``build_dir / INDEX_FILE``, each
    turned into bytes as it arrives (the Python lists and dicts of one section are dropped
    before the next section is computed)."""
    out = SectionWriter()
    header: dict[str, Any] = {}
    for key, value in sections:
        if key in ("version", "manifest"):
            header[key] = value
        elif key == "films":
            for column, kind in FILM_COLUMNS.items():
                out.add(f"films.{column}", kind, pack(value[column], kind))
            out.add_strings("films.title", value["title"])
            out.add_strings("films.release_date", value["release_date"])
            out.add_strings("films.details", value["details"])
            out.add("films.by_id", "i", pack(value["by_id"], "i"))
            out.add("films.title_row", "i", pack(value["title_row"], "i"))
            header["films"] = len(value["title"])
        elif key == "by_votes":
            out.add("by_votes", "i", pack(value, "i"))
        elif key == "search":
            out.add_strings("search.lines", value["lines"])
            out.add_strings("search.grams", value["grams"])
            out.add("search.offsets", "i", pack(value["offsets"], "i"))
            out.add("search.postings", "i", pack(value["postings"], "i"))
            header["search_gram"] = value["gram"]
        elif key in JSON_TABLES or key in TITLE_ALIASES:
            out.add_json_table(key, value)
        elif key in ALIAS_TABLES:
            out.add_table(key, value)
        elif key == "neighbours":
            for part, kind in (("offsets", "i"), ("film", "i"), ("score", "f"),
                               ("reasons", "i")):
                out.add(f"neighbours.{part}", kind, pack(value[part], kind))
        elif key == "reason_sets":
            out.add_strings("reason_sets", (orjson.dumps(r).decode() for r in value))
        elif key == "loose":
            for kind in (*NAME_KINDS, *TITLE_ALIASES):
                out.add_table(f"loose.{kind}", value[kind])
        elif key == "suggest":
            for kind in NAME_KINDS:
                keys, labels = value[kind]
                out.add_strings(f"suggest.{kind}.keys", keys)
                out.add_strings(f"suggest.{kind}.labels", labels)
                out.add(f"suggest.{kind}.lengths", "i", pack([len(k) for k in keys], "i"))
                words, choices = word_index(keys)
                out.add_strings(f"suggest.{kind}.words", words)
                sizes = np.fromiter((len(c) for c in choices), dtype="int64",
                                    count=len(choices))
                out.add(f"suggest.{kind}.word_offsets", "q",
                        pack(np.concatenate(([0], np.cumsum(sizes))), "q"))
                out.add(f"suggest.{kind}.word_choices", "i",
                        array("i", (i for c in choices for i in c)))
                del words, choices
        else:
            raise ValueError(f"unknown index section {key!r}")
        del value
    path = build_dir / INDEX_FILE
    out.write(path, {"version": header["version"], "manifest": header["manifest"],
                     "search_gram": header["search_gram"], "films": header["films"]})
    return path
