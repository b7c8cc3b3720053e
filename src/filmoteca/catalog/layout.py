"""The layout of the serving index, shared by its writer and its reader.

:mod:`filmoteca.catalog.index` (build side) writes ``index.json`` with these sections and
:mod:`filmoteca.services.catalog` (serving side) reads and checks them: both import this
module, so the two can never disagree, and ``catalog/`` never imports ``services/``.
Pure Python, no third-party imports (the serving process loads it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

#: Bumped whenever the layout changes: a server refuses an index of another version.
INDEX_VERSION = 3
REQUIRED_KEYS = (
    "version", "manifest", "films", "by_votes", "titles", "languages", "language_aliases",
    "countries", "country_aliases", "companies", "collections", "collection_aliases",
    "directors", "neighbours", "reason_sets", "loose", "suggest", "search",
)
#: Length of the n-grams of the title search index.
SEARCH_GRAM = 3
#: The kinds of name a user types; each has ``loose`` and ``suggest`` entries.
NAME_KINDS = ("titles", "languages", "countries", "companies", "collections", "directors")
FILM_FIELDS = (
    "id", "title", "year", "release_date", "runtime", "vote_count", "vote_average",
    "revenue", "budget", "return",
)
NEIGHBOUR_FIELDS = ("offsets", "film", "score", "reasons")


# The rows of the name tables. ``index.json`` stores each row as a JSON list in this field
# order (compact, and parsed fast); the writer builds rows with these types and the server
# reads them back through them, so both sides name the fields the same way.


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


#: The folder of a catalog build with the title and plot vectors of Spanish search
#: (written by :mod:`filmoteca.catalog.semantic_stage`, read by :mod:`filmoteca.semantic`).
SEMANTIC_DIR = "semantic"
