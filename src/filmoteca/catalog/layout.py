"""The layout of the serving index, shared by its writer and its reader.

:mod:`filmoteca.catalog.index` (build side) writes ``index.json`` with these sections and
:mod:`filmoteca.services.catalog` (serving side) reads and checks them: both import this
module, so the two can never disagree, and ``catalog/`` never imports ``services/``.
Pure Python, no third-party imports (the serving process loads it).
"""

from __future__ import annotations

from collections.abc import Iterable

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


def suggestion_choices(pairs: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """(keys, labels) of one ``suggest`` entry: the first label per non-empty key, sorted by
    key length (then key), as :class:`filmoteca.services.matching.Suggester` requires."""
    unique: dict[str, str] = {}
    for key, label in pairs:
        if key:
            unique.setdefault(key, label)
    ordered = sorted(unique.items(), key=lambda item: (len(item[0]), item[0]))
    return [key for key, _ in ordered], [label for _, label in ordered]
