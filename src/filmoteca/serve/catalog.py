"""The serving catalog: ``index.bin`` memory-mapped, every answer read from it in place.

Owns :class:`Catalog` (what every question reads) and :func:`load_catalog`. The index is
built by :mod:`filmoteca.build.index` (its docstring describes the sections) as a section
file (:mod:`filmoteca.catalog.binary`). Loading maps the file and checks it (a missing,
truncated or foreign file, another layout version or inconsistent arrays raise
:class:`CatalogError` with a one-line message saying what to run): nothing is parsed,
decoded or copied, so start-up costs the same at 3,000 films as at 1,000,000, and the file's
pages are shared by every worker process serving it.

Every lookup works on the mapped sections: numeric columns are ``memoryview`` arrays, names
are sorted tables searched by binary search (a few microseconds), strings are decoded when
read. Large derived structures that only some requests need (the fuzzy suggesters, used by
404s) are created on first use; no request scans the film arrays.

The name tables (languages, countries, companies, collections, directors) are mappings whose
values are the NamedTuples of :mod:`filmoteca.catalog.layout`
(``catalog.companies[key].revenue``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import orjson

from filmoteca.catalog.binary import SectionError, SectionFile, Strings, Table
from filmoteca.catalog.layout import (
    ALIAS_TABLES,
    FILM_COLUMNS,
    INDEX_FILE,
    INDEX_VERSION,
    JSON_TABLES,
    NAME_KINDS,
    NEIGHBOUR_FIELDS,
    SEARCH_GRAM,
    CollectionRow,
    CompanyRow,
    DirectorRow,
    NamedCount,
)
from filmoteca.catalog.store import CatalogError
from filmoteca.serve.matching import Suggester, WordIndex

HINT = "run `filmoteca build` (or `make build`)"

Row = TypeVar("Row")


def _rows(make: Callable[[Any], Row]) -> Callable[[str], Row]:
    def convert(text: str) -> Row:
        return make(orjson.loads(text))

    return convert


def _same(text: str) -> str:
    return text


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
        columns = {name: index.array(f"films.{name}") for name in FILM_COLUMNS}
        self.ids: Sequence[int] = columns["id"]
        self.years: Sequence[int] = columns["year"]
        self._runtimes: Sequence[int] = columns["runtime"]
        self.vote_counts: Sequence[int] = columns["vote_count"]
        self.vote_averages: Sequence[float] = columns["vote_average"]
        self.revenues: Sequence[float] = columns["revenue"]
        self.budgets: Sequence[float] = columns["budget"]
        self.returns: Sequence[float] = columns["return"]
        self.by_votes: Sequence[int] = index.array("by_votes")
        self.position_of_id = PositionOfId(self.ids, index.array("films.by_id"))

        tables = {name: index.table(name, _same) for name in ALIAS_TABLES}
        json_tables = {name: index.table(name, orjson.loads) for name in JSON_TABLES}
        self.by_title: Table[list[int]] = json_tables["titles"]
        self.title_key = TitleKeys(index.array("films.title_row"), self.by_title)
        self.languages = index.table("languages", _rows(NamedCount._make))
        self.language_aliases: Table[str] = tables["language_aliases"]
        self.countries = index.table("countries", _rows(NamedCount._make))
        self.country_aliases: Table[str] = tables["country_aliases"]
        self.companies = index.table("companies", _rows(CompanyRow._make))
        self.collections = index.table("collections", _rows(CollectionRow._make))
        self.collection_aliases: Table[str] = tables["collection_aliases"]
        self.directors = index.table("directors", _rows(DirectorRow._make))

        neighbours = {f: index.array(f"neighbours.{f}") for f in NEIGHBOUR_FIELDS}
        self._offsets = neighbours["offsets"]
        self._neighbour_film = neighbours["film"]
        self._neighbour_score = neighbours["score"]
        self._neighbour_reasons = neighbours["reasons"]
        self._reason_sets = index.strings("reason_sets")

        # Title search (services.search): one line per film, most voted first; a trigram
        # index gives, per trigram, the ascending lines whose title contains it.
        self.search_positions: Sequence[int] = self.by_votes
        self.search_lines: Strings = index.strings("search.lines")
        self.search_grams: Strings = index.strings("search.grams")
        self.search_offsets: Sequence[int] = index.array("search.offsets")
        self.search_postings: Sequence[int] = index.array("search.postings")
        self.search_starts: Sequence[int] = index.array("search.lines.offsets")

        # Punctuation-blind second chance (matching.find_key): exact key per loose key.
        loose = {kind: index.table(f"loose.{kind}", _same) for kind in NAME_KINDS}
        self.loose_titles: Table[str] = loose["titles"]
        self.loose_languages: Table[str] = loose["languages"]
        self.loose_countries: Table[str] = loose["countries"]
        self.loose_companies: Table[str] = loose["companies"]
        self.loose_collections: Table[str] = loose["collections"]
        self.loose_directors: Table[str] = loose["directors"]
        for kind in NAME_KINDS:  # the suggesters are made on first use; check them now
            for part in ("keys", "labels", "words"):
                index.strings(f"suggest.{kind}.{part}")
        _check_lengths(self, source)

    def _suggester(self, kind: str) -> Suggester:
        index = self._index
        words = WordIndex(index.strings(f"suggest.{kind}.words"),
                          index.array(f"suggest.{kind}.word_offsets"),
                          index.array(f"suggest.{kind}.word_choices"))
        return Suggester(index.strings(f"suggest.{kind}.keys"),
                         index.strings(f"suggest.{kind}.labels"),
                         lengths=index.array(f"suggest.{kind}.lengths"), words=words)

    # Fuzzy suggestions (404s), one prepared table per kind of name, computed at build
    # time; the Suggester object (and rapidfuzz) only on the first 404 of that kind.
    @cached_property
    def suggest_titles(self) -> Suggester:
        return self._suggester("titles")

    @cached_property
    def suggest_languages(self) -> Suggester:
        return self._suggester("languages")

    @cached_property
    def suggest_countries(self) -> Suggester:
        return self._suggester("countries")

    @cached_property
    def suggest_companies(self) -> Suggester:
        return self._suggester("companies")

    @cached_property
    def suggest_collections(self) -> Suggester:
        return self._suggester("collections")

    @cached_property
    def suggest_directors(self) -> Suggester:
        return self._suggester("directors")

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
    columns = (catalog.release_dates, catalog.ids, catalog.years, catalog._runtimes,
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
