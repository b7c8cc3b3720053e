"""The serving catalog: ``index.json`` loaded once into plain Python structures.

Owns :class:`Catalog` (what every question reads) and :func:`load_catalog`. The index is
built by :mod:`filmoteca.catalog.index` (its docstring describes the layout); here it is
only read with orjson and checked (a file that parses but lacks keys, has another layout
version or inconsistent arrays raises :class:`CatalogError` with a one-line message saying
what to run), then a few serving helpers are derived from it in one pass (film position by
id, normalized title per film, the text of all titles for very short searches). No request
scans the film arrays: every answer is a dictionary lookup plus a few positions.

Numeric columns arrive packed (base64 of little-endian values, see the index layout) and are
kept as :mod:`array` arrays: decoding them takes milliseconds and they use 4-8 bytes per
value instead of a Python object each, which keeps start-up fast and memory small.

The name tables (languages, countries, companies, collections, directors) are
:class:`Rows`: read-only mappings whose values are the NamedTuples of
:mod:`filmoteca.catalog.layout` (``catalog.companies[key].revenue``). The JSON lists are
kept as parsed and wrapped on access (one tuple per answer), so loading converts nothing.
"""

from __future__ import annotations

import base64
import binascii
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from filmoteca.catalog.layout import (
    FILM_FIELDS,
    INDEX_VERSION,
    NAME_KINDS,
    NEIGHBOUR_FIELDS,
    REQUIRED_KEYS,
    SEARCH_GRAM,
    CollectionRow,
    CompanyRow,
    DirectorRow,
    NamedCount,
)
from filmoteca.catalog.store import INDEX, CatalogError, read_json
from filmoteca.services.matching import Suggester

HINT = "run `filmoteca build` (or `make build`)"

Row = TypeVar("Row", bound=tuple[Any, ...])


class Rows(Mapping[str, Row]):
    """A name table of the index: key -> row, stored as parsed JSON lists and returned as
    the row's NamedTuple (``make`` is its ``_make``, which also checks the length)."""

    __slots__ = ("_data", "_make")

    def __init__(self, data: dict[str, list[Any]], make: Callable[[Iterable[Any]], Row]) -> None:
        self._data = data
        self._make = make

    def __getitem__(self, key: str) -> Row:
        return self._make(self._data[key])

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True, slots=True)
class Film:
    """One film, as the answers show it."""

    position: int
    id: int
    title: str
    year: int
    release_date: str
    runtime: int | None
    vote_count: int
    vote_average: float
    revenue: float
    budget: float
    return_: float


@dataclass(frozen=True, slots=True)
class Neighbour:
    position: int
    score: float
    reasons: tuple[str, ...]


class Catalog:
    """Read-only, in-memory serving index. Build it with :func:`load_catalog`."""

    def __init__(self, index: dict[str, Any], source: Path | None = None) -> None:
        _check(index, source)
        self.source = source
        self.manifest: dict[str, Any] = index["manifest"]
        films = index["films"]
        self.titles: list[str] = films["title"]
        self.release_dates: list[str] = films["release_date"]
        self.ids = unpack(films["id"])
        self.years = unpack(films["year"])
        self._runtimes = unpack(films["runtime"])
        self.vote_counts = unpack(films["vote_count"])
        self.vote_averages = unpack(films["vote_average"])
        self.revenues = unpack(films["revenue"])
        self.budgets = unpack(films["budget"])
        self.returns = unpack(films["return"])
        self.by_votes: list[int] = index["by_votes"]
        self.by_title: dict[str, list[int]] = index["titles"]
        self.languages = Rows(index["languages"], NamedCount._make)
        self.language_aliases: dict[str, str] = index["language_aliases"]
        self.countries = Rows(index["countries"], NamedCount._make)
        self.country_aliases: dict[str, str] = index["country_aliases"]
        self.companies = Rows(index["companies"], CompanyRow._make)
        self.collections = Rows(index["collections"], CollectionRow._make)
        self.collection_aliases: dict[str, str] = index["collection_aliases"]
        self.directors = Rows(index["directors"], DirectorRow._make)

        neighbours = index["neighbours"]
        self._offsets = unpack(neighbours["offsets"])
        self._neighbour_film = unpack(neighbours["film"])
        self._neighbour_score = unpack(neighbours["score"])
        self._neighbour_reasons = unpack(neighbours["reasons"])
        self._reason_sets: list[tuple[str, ...]] = [tuple(r) for r in index["reason_sets"]]

        self.position_of_id: dict[int, int] = {fid: p for p, fid in enumerate(self.ids)}
        self.title_key: list[str] = [""] * len(self.ids)
        for key, positions in self.by_title.items():
            for position in positions:
                self.title_key[position] = key
        # Title search (services.search): one line per film, most voted first; a trigram
        # index gives, per trigram, the ascending lines whose title contains it.
        self.search_positions: list[int] = list(self.by_votes)
        self.search_lines: list[str] = [self.title_key[p] for p in self.search_positions]
        search = index["search"]
        if search["gram"] != SEARCH_GRAM:
            raise CatalogError(f"catalog index{where(source)}: unexpected search index; {HINT}")
        self.search_grams: dict[str, int] = {g: i for i, g in enumerate(search["grams"])}
        self.search_offsets = unpack(search["offsets"])
        self.search_postings = unpack(search["lines"])
        # Queries shorter than a trigram scan this text (they match early and often).
        self.search_text: str = "\n".join(self.search_lines) + "\n"
        starts, offset = [], 0
        for line in self.search_lines:
            starts.append(offset)
            offset += len(line) + 1
        self.search_starts: list[int] = starts
        _check_lengths(self, source)

        # Punctuation-blind second chance (matching.find_key) and fuzzy suggestions (404s),
        # one prepared table per kind of name, all computed at build time.
        loose, suggest = index["loose"], index["suggest"]
        self.loose_titles: dict[str, str] = loose["titles"]
        self.loose_languages: dict[str, str] = loose["languages"]
        self.loose_countries: dict[str, str] = loose["countries"]
        self.loose_companies: dict[str, str] = loose["companies"]
        self.loose_collections: dict[str, str] = loose["collections"]
        self.loose_directors: dict[str, str] = loose["directors"]
        self.suggest_titles = Suggester(*suggest["titles"])
        self.suggest_languages = Suggester(*suggest["languages"])
        self.suggest_countries = Suggester(*suggest["countries"])
        self.suggest_companies = Suggester(*suggest["companies"])
        self.suggest_collections = Suggester(*suggest["collections"])
        self.suggest_directors = Suggester(*suggest["directors"])

    def runtime(self, position: int) -> int | None:
        """Minutes, None when unknown (missing or 0 in the data)."""
        return self._runtimes[position] or None

    def __len__(self) -> int:
        return len(self.ids)

    def film(self, position: int) -> Film:
        return Film(
            position=position,
            id=self.ids[position],
            title=self.titles[position],
            year=self.years[position],
            release_date=self.release_dates[position],
            runtime=self.runtime(position),
            vote_count=self.vote_counts[position],
            vote_average=self.vote_averages[position],
            revenue=self.revenues[position],
            budget=self.budgets[position],
            return_=self.returns[position],
        )

    def neighbours(self, position: int) -> list[Neighbour]:
        """Stored neighbours of a film, best first (as computed at build time)."""
        start, end = self._offsets[position], self._offsets[position + 1]
        return [
            Neighbour(
                position=self._neighbour_film[i],
                score=self._neighbour_score[i],
                reasons=self._reason_sets[self._neighbour_reasons[i]],
            )
            for i in range(start, end)
        ]

    @property
    def dataset(self) -> str:
        return str(self.manifest.get("dataset", "unknown"))


def where(source: Path | None) -> str:
    return f" ({source})" if source else ""


def _check(index: Any, source: Path | None) -> None:
    where = f" ({source})" if source else ""
    if not isinstance(index, dict):
        raise CatalogError(f"catalog index is corrupt{where}: not a JSON object; {HINT}")
    missing = [key for key in REQUIRED_KEYS if key not in index]
    if missing:
        raise CatalogError(
            f"catalog index is incomplete{where}: missing {', '.join(missing)}; {HINT}"
        )
    if index["version"] != INDEX_VERSION:
        raise CatalogError(
            f"catalog index{where} has version {index['version']!r}, this code reads "
            f"version {INDEX_VERSION}; {HINT}"
        )
    films, neighbours = index["films"], index["neighbours"]
    if not isinstance(films, dict) or any(f not in films for f in FILM_FIELDS):
        raise CatalogError(f"catalog index is incomplete{where}: bad films table; {HINT}")
    if not isinstance(neighbours, dict) or any(f not in neighbours for f in NEIGHBOUR_FIELDS):
        raise CatalogError(f"catalog index is incomplete{where}: bad neighbours; {HINT}")
    for section in ("loose", "suggest"):
        if not isinstance(index[section], dict) or any(
                kind not in index[section] for kind in NAME_KINDS):
            raise CatalogError(f"catalog index is incomplete{where}: bad {section}; {HINT}")


def _check_lengths(catalog: Catalog, source: Path | None) -> None:
    where = f" ({source})" if source else ""
    n = len(catalog.titles)
    columns = (catalog.release_dates, catalog.ids, catalog.years, catalog._runtimes,
               catalog.vote_counts, catalog.vote_averages, catalog.revenues, catalog.budgets,
               catalog.returns, catalog.by_votes)
    if any(len(column) != n for column in columns):
        raise CatalogError(f"catalog index is corrupt{where}: film arrays differ; {HINT}")
    m = len(catalog._neighbour_film)
    grams = len(catalog.search_grams)
    if len(catalog.search_offsets) != grams + 1 or (
            grams and catalog.search_offsets[grams] != len(catalog.search_postings)):
        raise CatalogError(f"catalog index is corrupt{where}: bad search index; {HINT}")
    if (len(catalog._offsets) != n + 1 or len(catalog._neighbour_score) != m
            or len(catalog._neighbour_reasons) != m or (n and catalog._offsets[n] != m)):
        raise CatalogError(f"catalog index is corrupt{where}: bad neighbour table; {HINT}")


def unpack(column: dict[str, str]) -> array[Any]:
    """A packed numeric column (``{"type", "data"}``, little-endian) as an :class:`array`."""
    kind = {"i": "i", "q": "q", "f": "f", "d": "d"}[column["type"]]
    values = array(kind)
    values.frombytes(base64.b64decode(column["data"]))
    if sys.byteorder == "big":
        values.byteswap()
    return values


def load_catalog(catalog_dir: Path) -> Catalog:
    """Load ``catalog_dir/index.json``; :class:`CatalogError` (one line) if missing/corrupt."""
    index = read_json(catalog_dir, INDEX)
    try:
        return Catalog(index, source=catalog_dir / INDEX)
    except CatalogError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError, binascii.Error) as exc:
        raise CatalogError(
            f"catalog index is corrupt ({catalog_dir / INDEX}: {type(exc).__name__}); {HINT}"
        ) from None
