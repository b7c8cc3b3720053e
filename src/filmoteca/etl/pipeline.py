"""``filmoteca build``: raw files -> clean tables -> neighbours -> serving index -> catalog.

Stages (timed in the build report, each shown as it runs): movies, credits, keywords,
ratings, neighbours, index, embeddings (title and plot vectors for Spanish search,
:mod:`filmoteca.etl.vectors`; the model is checked before anything is read). The
catalog is written into a fresh build folder and published atomically (see
:mod:`filmoteca.catalog.store`), so a failed or killed build changes nothing and leaves
nothing behind.

Memory stays bounded whatever the number of films: ``movies``, ``credits.csv`` and
``keywords.csv`` are streamed in chunks (:func:`filmoteca.raw.files.iter_raw`); each chunk is
cleaned and unnested, and its rows are appended to the build's Parquet tables
(:class:`filmoteca.catalog.tables.TableWriter`) instead of being held. Only the film ids stay
in memory between chunks. The later stages read back just the columns they use.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from filmoteca import __version__
from filmoteca.catalog import store
from filmoteca.catalog.tables import TableWriter, read_table, table_path
from filmoteca.config import get_settings
from filmoteca.etl import clean
from filmoteca.etl.index import index_sections, write_index
from filmoteca.etl.neighbours import neighbour_chunks, write_neighbours
from filmoteca.etl.report import BuildReport
from filmoteca.etl.vectors import embed_catalog, require_model
from filmoteca.folders import writing
from filmoteca.progress import NullProgress, Progress
from filmoteca.raw import files

#: What each later stage reads back: table -> (columns, of which read as categoricals);
#: ``films`` included. The rest of the tables stays on disk (and is left empty).
RECOMMENDER_TABLES: dict[str, tuple[list[str], list[str]]] = {
    "films": (["id", "title", "release_year", "vote_average", "vote_count"], []),
    "film_genres": (["film_id", "genre_id", "genre"], ["genre"]),
    "keywords": (["film_id", "keyword_id", "keyword"], ["keyword"]),
    "directors": (["film_id", "person_id", "name"], ["name"]),
    "cast": (["film_id", "person_id", "name", "order"], ["name"]),
    "film_collections": (["film_id", "collection_id", "collection"], ["collection"]),
    "ratings": (["user_id", "film_id", "rating", "timestamp"], []),
}
INDEX_TABLES: dict[str, tuple[list[str], list[str]]] = {
    "films": (["id", "title", "original_language", "release_date", "release_year", "runtime",
               "budget", "revenue", "return", "vote_average", "vote_count", "overview",
               "tagline"],
              ["original_language", "release_date"]),
    "film_genres": (["film_id", "genre"], ["genre"]),
    "cast": (["film_id", "name", "order"], ["name"]),
    "film_languages": (["film_id", "iso_639_1", "language"], ["iso_639_1", "language"]),
    "film_countries": (["film_id", "iso_3166_1", "country"], ["iso_3166_1", "country"]),
    "film_companies": (["film_id", "company_id", "company"], ["company"]),
    "film_collections": (["film_id", "collection_id", "collection"], ["collection"]),
    "directors": (["film_id", "person_id", "name"], ["name"]),
}


def space_needed(sources: files.RawSources, embeddings: bool) -> int:
    """About how many bytes a build of ``sources`` writes, from the size of the movies file
    (measured on the sample and on 45,466 SYNTHETIC films: the catalog takes about 1.2 times
    the movies file plus 2 MB, the vectors about 2.8 KB per film plus the model's 65 MB
    table; a gzip file is about a third of its text)."""
    path = sources.paths["movies"]
    text = path.stat().st_size * (3 if path.suffix == ".gz" else 1)
    needed = int(1.2 * text) + 2 * 2**20
    if embeddings:
        needed += int(text / 860 * 2_800) + 70 * 2**20
    return needed


@dataclass
class BuildResult:
    path: Path
    manifest: dict[str, Any]
    report: BuildReport


def _movies(sources: files.RawSources, build: Path, report: BuildReport,
            progress: Progress) -> np.ndarray:
    """Stream the movies file: films and their link tables. Returns the sorted film ids."""
    path = sources.paths["movies"]
    progress.start("Films (rows read)")
    links = {table for table, *_ in clean.MOVIE_LINKS.values()} | {clean.ORIGINAL_TITLES}
    writers = {name: TableWriter(build, name) for name in ("films", *sorted(links))}
    seen: set[int] = set()
    ids: list[np.ndarray] = []
    try:
        for chunk, skipped in files.iter_raw(path, files.MOVIES):
            report.drop("movies.line_with_too_many_fields", skipped)
            films = clean.clean_movies(chunk, report, seen)
            for table, frame in clean.unnest_movies(films, report).items():
                writers[table].write(frame)
            writers["films"].write(films[list(clean.FILM_COLUMNS)])
            ids.append(films["id"].to_numpy(dtype=np.int64))
            progress.advance(len(chunk))
    finally:
        for writer in writers.values():
            writer.close()
    film_ids = np.sort(np.concatenate(ids))
    if len(film_ids) == 0:
        reasons = ", ".join(f"{k}={v:,}" for k, v in sorted(report.dropped.items()))
        raise files.RawDataError(
            f"{path.name}: no film is left after cleaning ({reasons}); the catalog is unchanged"
        )
    return film_ids


def _credits(sources: files.RawSources, build: Path, film_ids: np.ndarray,
             report: BuildReport, progress: Progress) -> None:
    progress.start("Credits (rows read)", total=len(film_ids))
    seen: set[int] = set()
    with TableWriter(build, "cast") as cast, \
            TableWriter(build, "directors") as directors:
        for chunk, skipped in files.iter_raw(sources.paths["credits"], files.CREDITS):
            report.drop("credits.line_with_too_many_fields", skipped)
            cast_rows, director_rows = clean.credits_tables(chunk, film_ids, report,
                                                            seen=seen)
            cast.write(cast_rows)
            directors.write(director_rows)
            progress.advance(len(chunk))


def _keywords(sources: files.RawSources, build: Path, film_ids: np.ndarray,
              report: BuildReport, progress: Progress) -> None:
    progress.start("Keywords (rows read)", total=len(film_ids))
    seen: set[int] = set()
    with TableWriter(build, "keywords") as keywords:
        for chunk, skipped in files.iter_raw(sources.paths["keywords"], files.KEYWORDS):
            report.drop("keywords_file.line_with_too_many_fields", skipped)
            keywords.write(clean.keywords_table(chunk, film_ids, report, seen))
            progress.advance(len(chunk))


def _ratings(sources: files.RawSources, build: Path, film_ids: np.ndarray,
             report: BuildReport, progress: Progress) -> None:
    """MovieLens ratings (``ratings_small``: 100,004 rows, read whole)."""
    progress.start("Ratings")
    ratings, skipped = files.read_raw(sources.paths["ratings"], files.RATINGS)
    report.drop("ratings.line_with_too_many_fields", skipped)
    links, skipped = files.read_raw(sources.paths["links"], files.LINKS)
    report.drop("links.line_with_too_many_fields", skipped)
    with TableWriter(build, "ratings") as writer:
        writer.write(clean.ratings_table(ratings, links, film_ids, report))
    with TableWriter(build, clean.FILM_LINKS) as writer:
        writer.write(clean.links_table(links, film_ids))


def _column(build: Path, table: str, column: str) -> Iterator[object]:
    """One column of a build's table, value by value, read in batches (never whole)."""
    with pq.ParquetFile(table_path(build, table)) as parquet:
        for batch in parquet.iter_batches(columns=[column], batch_size=20_000):
            yield from batch.column(0).to_pylist()


def read_tables(build: Path, wanted: dict[str, tuple[list[str], list[str]]]) -> clean.Tables:
    """The build's tables as ``wanted`` says (columns, categorical columns); the others
    are left empty."""
    frames: dict[str, pd.DataFrame] = {}
    for f in fields(clean.Tables):
        if f.name in wanted:
            columns, categories = wanted[f.name]
            frames[f.name] = read_table(build, f.name, columns, categories)
        else:
            frames[f.name] = read_table(build, f.name).iloc[0:0]
    return clean.Tables(**frames)


def build_catalog(
    raw_dir: Path | None = None,
    catalog_dir: Path | None = None,
    progress: Progress | None = None,
    embeddings: bool | None = None,
) -> BuildResult:
    """Build the catalog from raw files. Raises :class:`files.RawDataError` on bad input.
    ``embeddings``: run the embeddings stage (default: ``Settings.embeddings``)."""
    progress = progress or NullProgress()
    settings = get_settings()
    catalog_dir = catalog_dir or settings.catalog_dir
    embeddings = settings.embeddings if embeddings is None else embeddings
    if embeddings:
        require_model()
    sources = files.resolve_sources(raw_dir)
    report = BuildReport(
        dataset=sources.dataset,
        origin=sources.origin,
        sources={kind: str(path) for kind, path in sources.paths.items()},
        notes=list(sources.notes),
    )
    build = store.new_build_dir(catalog_dir)
    needed = space_needed(sources, embeddings)

    @contextmanager
    def stage(name: str, what: str) -> Iterator[None]:
        """A timed stage of the report; a full disk meanwhile is :class:`NoSpace`."""
        with report.stage(name), writing(catalog_dir.parent, what, needed):
            yield

    try:
        with stage("movies", "the films table"):
            film_ids = _movies(sources, build, report, progress)
        with stage("credits", "the cast and directors tables"):
            _credits(sources, build, film_ids, report, progress)
        with stage("keywords", "the keywords table"):
            _keywords(sources, build, film_ids, report, progress)
        with stage("ratings", "the ratings table"):
            _ratings(sources, build, film_ids, report, progress)
        del film_ids
        with stage("neighbours", "the recommender's neighbours"):
            progress.start("Recommender: reading the tables")
            # no reference kept here: the model drops the tables once its features are built
            chunks = neighbour_chunks(read_tables(build, RECOMMENDER_TABLES), progress,
                                      overviews=_column(build, "films", "overview"))
            write_neighbours(chunks, table_path(build, "neighbours"))
            del chunks
        manifest = {
            "dataset": sources.dataset,
            "origin": sources.origin,
            "films": report.tables["films"]["rows_out"],
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "filmoteca_version": __version__,
            "tables": {f.name: report.tables[f.name]["rows_out"] for f in fields(clean.Tables)},
        }
        with stage("index", "the serving index"):
            progress.start("Serving index")
            with pq.ParquetFile(table_path(build, "neighbours")) as neighbours:
                batches = neighbours.iter_batches(batch_size=20_000)  # 2,000 films each
                # no reference kept here: tables and sections are dropped once used
                write_index(build, index_sections(
                    read_tables(build, INDEX_TABLES), batches, manifest,
                    originals=read_table(build, clean.ORIGINAL_TITLES),
                    links=read_table(build, clean.FILM_LINKS)))
        if embeddings:
            with stage("embeddings", "the vectors of Spanish search"):
                report.extra["embeddings"] = embed_catalog(
                    build, settings.embedding_cache_dir, progress, settings.embedding_workers)
        else:
            report.notes.append("embeddings stage skipped (--no-embeddings): Spanish titles "
                                "and description search are off for this catalog")
        legacy = store.legacy_target(catalog_dir)
        if legacy is not None:
            report.notes.append(
                f"the previous catalog ({legacy}, old layout) is left in place: builds now "
                f"live in {store.builds_dir(catalog_dir)}; delete it by hand once nothing uses it"
            )
        with writing(catalog_dir.parent, "the build report", needed):
            store.write_json(build, store.MANIFEST, manifest)
            store.write_json(build, store.REPORT, report.to_dict())
            final = store.publish(catalog_dir, build)
    except BaseException:
        store.discard(build)
        raise
    return BuildResult(path=final, manifest=manifest, report=report)
