"""The catalog opened for answering: ``index.bin`` memory-mapped, read in place.

Owns :class:`Catalog` (what every answer reads) and :func:`load_catalog`, which maps the file
and checks it (missing, truncated, another layout version: :class:`CatalogError`, one line
saying what to run). Nothing is parsed or copied at start-up; names are found by binary
search in sorted tables, strings decoded when read, and the fuzzy suggesters made on the
first 404 that needs them. Start-up is measured in ``reports/benchmarks/serve.md``.
"""


from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any, TypeVar

import orjson

from filmoteca import text
from filmoteca.catalog.binary import SectionError, SectionFile, Strings, Table
from filmoteca.catalog.layout import (
    FILM_COLUMNS,
    INDEX_FILE,
    INDEX_VERSION,
    NAME_TABLES,
    NEIGHBOUR_FIELDS,
    SEARCH_GRAM,
    TITLE_ALIASES,
    CollectionRow,
    CompanyRow,
    DirectorRow,
    FilmDetails,
    GenreRow,
    NamedCount,
)
from filmoteca.catalog.store import CatalogError
from filmoteca.services.matching import Names, Suggester, WordIndex

HINT = "run `filmoteca build` (or `make build`)"

Row = TypeVar("Row")


def _rows(make: Callable[[Any], Row]) -> Callable[[str], Row]:
    def convert(text: str) -> Row:
        return make(orjson.loads(text))

    return convert


def _same(text: str) -> str:
    return text


#: The kinds of name that may be typed in part ("hitchcock", "pixar", "bond"), and the films
#: of a row (how :func:`~filmoteca.services.matching.find_name` tells which name dominates).
PARTIAL: dict[str, Callable[[Any], int]] = {
    "companies": lambda row: int(row.films),
    "collections": lambda row: int(row.films),
    "directors": lambda row: len(row.positions),
}


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


class TitleKeys(Sequence[str]):
    """The normalized title of each film position (via its row in the titles table)."""

    __slots__ = ("_rows", "_titles")

    def __init__(self, rows: Sequence[int], titles: Table[list[int]]) -> None:
        self._rows = rows
        self._titles = titles

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, position: int) -> str:  # type: ignore[override]
        return self._titles.key_at(self._rows[position])


class PositionOfId(Mapping[int, int]):
    """TMDB id -> film position, by binary search over the positions sorted by id."""

    __slots__ = ("_by_id", "_ids")

    def __init__(self, ids: Sequence[int], by_id: Sequence[int]) -> None:
        self._ids = ids
        self._by_id = by_id

    def __getitem__(self, film_id: int) -> int:
        ids, by_id = self._ids, self._by_id
        low, high = 0, len(by_id)
        while low < high:
            mid = (low + high) // 2
            if ids[by_id[mid]] < film_id:
                low = mid + 1
            else:
                high = mid
        if low < len(by_id) and ids[by_id[low]] == film_id:
            return int(by_id[low])
        raise KeyError(film_id)

    def __iter__(self) -> Iterator[int]:
        return (int(self._ids[p]) for p in self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


class Catalog:
    """Read-only serving index over a mapped section file. Build it with :func:`load_catalog`."""

    def __init__(self, index: SectionFile, source: Path | None = None) -> None:
        self.source = source
        self._index = index
        header = index.header
        if header.get("version") != INDEX_VERSION:
            raise CatalogError(
                f"catalog index{where(source)} has version {header.get('version')!r}, this "
                f"code reads version {INDEX_VERSION}; {HINT}"
            )
        if header.get("search_gram") != SEARCH_GRAM:
            raise CatalogError(f"catalog index{where(source)}: unexpected search index; {HINT}")
        self.manifest: dict[str, Any] = header.get("manifest") or {}
        self.titles: Strings = index.strings("films.title")
        self.release_dates: Strings = index.strings("films.release_date")
        self._details: Strings = index.strings("films.details")
        columns = {name: index.array(f"films.{name}") for name in FILM_COLUMNS}
        self.ids: Sequence[int] = columns["id"]
        self.years: Sequence[int] = columns["year"]
        self._runtimes: Sequence[int] = columns["runtime"]
        self.vote_counts: Sequence[int] = columns["vote_count"]
        self.vote_averages: Sequence[float] = columns["vote_average"]
        self.revenues: Sequence[float] = columns["revenue"]
        self.budgets: Sequence[float] = columns["budget"]
        self.returns: Sequence[float] = columns["return"]
        #: Per film: its genres as bits (``genres`` rows name them), its original language
        #: as the row of its code among ``languages`` (-1: none).
        self.genre_masks: Sequence[int] = columns["genre_mask"]
        self.languages_of: Sequence[int] = columns["language"]
        self.by_votes: Sequence[int] = index.array("by_votes")
        self.position_of_id = PositionOfId(self.ids, index.array("films.by_id"))

        # The name tables: titles -> film positions; language, country and collection
        # aliases -> code -> row; companies and directors -> row (rows: catalog.layout).
        rows: dict[str, Table[Any]] = {
            "titles": index.table("titles", orjson.loads),
            "languages": index.table("languages", _rows(NamedCount._make)),
            "countries": index.table("countries", _rows(NamedCount._make)),
            "companies": index.table("companies", _rows(CompanyRow._make)),
            "collections": index.table("collections", _rows(CollectionRow._make)),
            "directors": index.table("directors", _rows(DirectorRow._make)),
        }
        self.by_title: Table[list[int]] = rows["titles"]
        self.title_key = TitleKeys(index.array("films.title_row"), self.by_title)
        self.languages: Table[NamedCount] = rows["languages"]
        self.countries: Table[NamedCount] = rows["countries"]
        self.companies: Table[CompanyRow] = rows["companies"]
        self.collections: Table[CollectionRow] = rows["collections"]
        self.directors: Table[DirectorRow] = rows["directors"]
        self.genres: Table[GenreRow] = index.table("genres", _rows(GenreRow._make))
        #: Each kind of name a user types (see :class:`~filmoteca.services.matching.Names`).
        self.names: dict[str, Names] = {}
        for kind, (keys, coded) in NAME_TABLES.items():
            for part in ("keys", "labels", "words"):  # suggesters are made on first use
                index.strings(f"suggest.{kind}.{part}")
            self.names[kind] = Names(
                keys=rows[keys] if coded is None else index.table(keys, _same),
                rows=rows[coded] if coded is not None else None,
                loose=index.table(f"loose.{kind}", _same),
                make_suggester=partial(self._suggester, kind), size=PARTIAL.get(kind))
        for kind, key_function in TITLE_ALIASES.items():  # a film's other titles
            self.names[kind] = Names(keys=index.table(kind, orjson.loads),
                                     loose=index.table(f"loose.{kind}", _same),
                                     loose_form=getattr(text, key_function))

        neighbours = {f: index.array(f"neighbours.{f}") for f in NEIGHBOUR_FIELDS}
        self._offsets = neighbours["offsets"]
        self._neighbour_film = neighbours["film"]
        self._neighbour_score = neighbours["score"]
        self._neighbour_reasons = neighbours["reasons"]
        self._reason_sets = index.strings("reason_sets")

        # Title search (serve.search): one line per film, most voted first; a trigram
        # index gives, per trigram, the ascending lines whose title contains it.
        self.search_positions: Sequence[int] = self.by_votes
        self.search_lines: Strings = index.strings("search.lines")
        self.search_grams: Strings = index.strings("search.grams")
        self.search_offsets: Sequence[int] = index.array("search.offsets")
        self.search_postings: Sequence[int] = index.array("search.postings")
        self.search_starts: Sequence[int] = index.array("search.lines.offsets")

        _check_lengths(self, source)

    def _suggester(self, kind: str) -> Suggester:
        index = self._index
        words = WordIndex(index.strings(f"suggest.{kind}.words"),
                          index.array(f"suggest.{kind}.word_offsets"),
                          index.array(f"suggest.{kind}.word_choices"))
        return Suggester(index.strings(f"suggest.{kind}.keys"),
                         index.strings(f"suggest.{kind}.labels"),
                         lengths=index.array(f"suggest.{kind}.lengths"), words=words)

    @cached_property
    def search_text(self) -> str:
        """The normalized titles in vote order, each followed by "\n", as one string made at
        the first search (1 byte per character, so :attr:`search_starts` index it: the
        titles are ASCII after normalization; latin-1 keeps that true for any byte)."""
        return str(self._index.bytes_of("search.lines.data"), "latin-1")

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

    def details(self, position: int) -> FilmDetails:
        """What the film's page shows beyond its columns (:class:`FilmDetails`)."""
        return FilmDetails._make(orjson.loads(self._details[position]))

    def neighbours(self, position: int) -> list[Neighbour]:
        """Stored neighbours of a film, best first (as computed at build time)."""
        start, end = self._offsets[position], self._offsets[position + 1]
        return [
            Neighbour(
                position=self._neighbour_film[i],
                score=self._neighbour_score[i],
                reasons=tuple(orjson.loads(self._reason_sets[self._neighbour_reasons[i]])),
            )
            for i in range(start, end)
        ]

    @property
    def dataset(self) -> str:
        return str(self.manifest.get("dataset", "unknown"))


def where(source: Path | None) -> str:
    return f" ({source})" if source else ""


def _check_lengths(catalog: Catalog, source: Path | None) -> None:
    n = len(catalog.titles)
    columns = (catalog.release_dates, catalog._details, catalog.ids, catalog.years,
               catalog._runtimes, catalog.genre_masks, catalog.languages_of,
               catalog.vote_counts, catalog.vote_averages, catalog.revenues, catalog.budgets,
               catalog.returns, catalog.by_votes, catalog.search_lines, catalog.title_key,
               catalog.position_of_id)
    if any(len(column) != n for column in columns):
        raise CatalogError(f"catalog index is corrupt{where(source)}: film arrays differ; {HINT}")
    m = len(catalog._neighbour_film)
    grams = len(catalog.search_grams)
    if len(catalog.search_offsets) != grams + 1 or (
            grams and catalog.search_offsets[grams] != len(catalog.search_postings)):
        raise CatalogError(f"catalog index is corrupt{where(source)}: bad search index; {HINT}")
    if (len(catalog._offsets) != n + 1 or len(catalog._neighbour_score) != m
            or len(catalog._neighbour_reasons) != m or (n and catalog._offsets[n] != m)):
        raise CatalogError(
            f"catalog index is corrupt{where(source)}: bad neighbour table; {HINT}")


def load_catalog(catalog_dir: Path) -> Catalog:
    """Map ``catalog_dir/index.bin``; :class:`CatalogError` (one line) if missing/corrupt."""
    path = catalog_dir / INDEX_FILE
    if not path.exists():
        raise CatalogError(f"catalog not found: {path} is missing; {HINT}")
    try:
        return Catalog(SectionFile(path), source=path)
    except CatalogError:
        raise
    except (SectionError, OSError, KeyError, TypeError, ValueError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CatalogError(f"catalog index is corrupt ({path}: {detail}); {HINT}") from None
