"""The layout of the serving index and of the vector files, shared by writer and reader.

:mod:`filmoteca.etl.index` writes ``index.bin`` (a :mod:`filmoteca.catalog.binary` section
file) and :mod:`filmoteca.services.catalog` maps it; both read the names below, so they cannot
disagree. Sections (``T`` sorted-key table, ``S`` string list, else an array type)::

    films.*        id, year, runtime, votes, score, revenue, budget, return; title S,
                   release_date S; title_row (row in ``titles``), by_id (positions by id);
                   details S (a FilmDetails row per film, for its page); genre_mask q
                   (bit b set: the film has genre b); language i (row of its original
                   language in ``languages``, -1 if none)
    genres         T normalized genre name (English, Spanish, others) -> GenreRow
    by_votes       film positions, most voted first
    titles         T normalized title -> film positions, most voted first
    titles_original, titles_es      T the films' original and Spanish release titles
    search.*       trigram index of the titles in vote order
    languages, countries            T code -> NamedCount; *_aliases T name -> code
    companies, directors            T normalized name -> CompanyRow / DirectorRow
    collections, collection_aliases T name (with or without " Collection") -> row
    neighbours.*, reason_sets       each film's stored neighbours and their reasons
    loose.KIND, suggest.KIND.*      punctuation-blind keys, fuzzy choices (NAME_TABLES)

Rows are JSON lists in the field order of the NamedTuples below. Pure Python: the serving
process imports it.
"""


from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from filmoteca.text import key_words

#: Bumped whenever the layout changes: a server refuses an index of another version.
INDEX_VERSION = 6
#: The file of the serving index inside a catalog folder.
INDEX_FILE = "index.bin"
#: Length of the n-grams of the title search index.
SEARCH_GRAM = 3
#: The kinds of name a user types: the table its keys are looked up in and, when those keys
#: are aliases (alias -> code), the table of its rows (code -> row). Each kind also has
#: ``loose.KIND`` (punctuation-blind keys) and ``suggest.KIND.*`` (the fuzzy choices).
NAME_TABLES: dict[str, tuple[str, str | None]] = {
    "titles": ("titles", None),
    "languages": ("language_aliases", "languages"),
    "countries": ("country_aliases", "countries"),
    "companies": ("companies", None),
    "collections": ("collection_aliases", "collections"),
    "directors": ("directors", None),
}
NAME_KINDS = tuple(NAME_TABLES)
#: A film's other titles (its original title; its Spanish release titles), looked up after
#: the catalog's own: each is a table normalized name -> film positions, most voted first,
#: with ``loose.KIND`` made by the key function named here (``filmoteca.text``).
TITLE_ALIASES: dict[str, str] = {"titles_original": "loose_key",
                                 "titles_es": "article_blind_key"}
#: Numeric film columns and their section types (the strings are ``title``, ``release_date``).
FILM_COLUMNS = {
    "id": "q", "year": "i", "runtime": "i", "vote_count": "q", "vote_average": "d",
    "revenue": "d", "budget": "d", "return": "d", "genre_mask": "q", "language": "i",
}
NEIGHBOUR_FIELDS = ("offsets", "film", "score", "reasons")
#: Name tables whose values are JSON rows (the types below) and plain ``name -> key`` tables.
JSON_TABLES = ("titles", "languages", "countries", "companies", "collections", "directors",
               "genres")
ALIAS_TABLES = ("language_aliases", "country_aliases", "collection_aliases")
#: Shortest word of a name indexed for word suggestions ("pixar" -> "Pixar Animation...").
MIN_WORD = 3


# The rows of the name tables. ``index.bin`` stores each row as a JSON list in this field
# order (compact, parsed one row at a time); the writer builds rows with these types and the
# server reads them back through them, so both sides name the fields the same way.


class NamedCount(NamedTuple):
    """A ``languages`` (by ISO 639-1 code) or ``countries`` (by ISO 3166-1 code) row."""

    films: int
    spanish: str
    english: str


class CompanyRow(NamedTuple):
    """A ``companies`` row: films and total revenue of a production company."""

    name: str
    films: int
    revenue: float


class CollectionRow(NamedTuple):
    """A ``collections`` row: films, total and mean revenue of a franchise."""

    name: str
    films: int
    revenue: float
    mean_revenue: float


class FilmDetails(NamedTuple):
    """A film's ``films.details`` row: what its page shows beyond the film columns (names
    as in the dataset; countries and languages by code)."""

    genres: list[str]
    directors: list[str]
    cast: list[str]
    collection: str | None
    companies: list[str]
    countries: list[str]
    languages: list[str]
    original_title: str | None
    overview: str
    tagline: str
    imdb_id: str | None


class GenreRow(NamedTuple):
    """A ``genres`` row: the genre's bit in ``films.genre_mask`` and its two names."""

    bit: int
    english: str
    spanish: str


#: Most genres a catalog's films are filtered by (bits of ``films.genre_mask``); a genre
#: beyond them (only hostile data has so many) is named but cannot be filtered by.
MAX_GENRES = 63


class DirectorRow(NamedTuple):
    """A ``directors`` row: total return and film positions by release date."""

    name: str
    total_return: float
    positions: list[int]


def suggestion_choices(pairs: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """(keys, labels) of one ``suggest`` entry: the first label per non-empty key, sorted by
    key length (then key), as :class:`filmoteca.services.matching.Suggester` requires."""
    unique: dict[str, str] = {}
    for key, label in pairs:
        if key:
            unique.setdefault(key, label)
    ordered = sorted(unique.items(), key=lambda item: (len(item[0]), item[0]))
    return [key for key, _ in ordered], [label for _, label in ordered]


def word_index(keys: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """The words (:func:`~filmoteca.text.key_words` of :data:`MIN_WORD`+ letters, sorted) of
    suggestion ``keys`` and, per word,
    the ascending indexes of the keys that contain it."""
    words: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        for word in set(key_words(key)):
            if len(word) >= MIN_WORD:
                words.setdefault(word, []).append(index)
    ordered = sorted(words)
    return ordered, [words[word] for word in ordered]


# The vectors of Spanish search: a folder of ``.npy`` arrays in each build (written by
# :mod:`filmoteca.etl.vectors`, read by :mod:`filmoteca.services.vectors`). For each KIND:
#
#   KIND.i8.npy           int8 (rows, 512): one row per text, ``vector ~= row * scale``
#   KIND.scale.npy        float32 (rows,): per-row scale (unit vectors: cosine = dot product)
#   KIND.film.npy         int32 (rows,): the film position of each row (rows 0..n-1 are films
#                         0..n-1; later rows are a film's other texts, e.g. its original title)
#   KIND.coarse.i8.npy, KIND.coarse.scale.npy: the rows projected on KIND.basis.npy (float32
#                         (512, 128)) and quantised again, scanned first by the search
#
# plus ``ids.npy`` (the TMDB id of each film position: a server refuses arrays of another
# build), ``embeddings.json`` (model, counts) and the model's embedding table.

#: The folder of the vectors inside a build.
SEMANTIC_DIR = "semantic"
#: The two kinds of text embedded.
KINDS = ("titles", "plots")
#: The TMDB ids file and the metadata file of the folder.
IDS = "ids.npy"
META = "embeddings.json"


def array_paths(folder: Path, kind: str) -> dict[str, Path]:
    """The files of one kind ("titles" or "plots") in a vectors folder."""
    return {
        "rows": folder / f"{kind}.i8.npy",
        "scale": folder / f"{kind}.scale.npy",
        "film": folder / f"{kind}.film.npy",
        "coarse": folder / f"{kind}.coarse.i8.npy",
        "coarse_scale": folder / f"{kind}.coarse.scale.npy",
        "basis": folder / f"{kind}.basis.npy",
    }
