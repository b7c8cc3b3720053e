"""``filmoteca build``: raw files -> clean tables -> neighbours -> serving index -> catalog.

Stages (timed in the build report): read, movies, credits, keywords, ratings, neighbours,
tables (Parquet), index, embeddings (title and plot vectors for Spanish search,
:mod:`filmoteca.catalog.semantic_stage`; the model is checked before anything is read).
All raw files are read and checked before anything is written; the catalog is written into
a fresh directory and published atomically (see :mod:`filmoteca.catalog.store`), so a failed
or killed build changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from filmoteca import __version__
from filmoteca.catalog import store
from filmoteca.catalog.index import build_index
from filmoteca.catalog.semantic_stage import embed_catalog, require_model
from filmoteca.config import get_settings
from filmoteca.etl import clean
from filmoteca.etl.report import BuildReport
from filmoteca.progress import NullProgress, Progress
from filmoteca.raw import files
from filmoteca.recommender.model import compute_neighbours


@dataclass
class BuildResult:
    path: Path
    manifest: dict[str, Any]
    report: BuildReport


def read_sources(sources: files.RawSources, report: BuildReport) -> dict[str, pd.DataFrame]:
    frames = {}
    for spec in files.SPECS:
        frame, skipped = files.read_raw(sources.paths[spec.kind], spec)
        report.drop(f"{spec.kind}.line_with_too_many_fields", skipped)
        frames[spec.kind] = frame
    return frames


def transform(frames: dict[str, pd.DataFrame], sources: files.RawSources,
              report: BuildReport, progress: Progress) -> clean.Tables:
    with report.stage("movies"):
        progress.start("Cleaning films")
        films = clean.clean_movies(frames["movies"], report)
        if films.empty:
            reasons = ", ".join(f"{k}={v:,}" for k, v in sorted(report.dropped.items()))
            raise files.RawDataError(
                f"{sources.paths['movies'].name}: no film is left after cleaning ({reasons}); "
                "the catalog is unchanged"
            )
        links = clean.unnest_movies(films, report)
        film_ids = set(films["id"].tolist())
    with report.stage("credits"):
        progress.start("Parsing credits", total=len(frames["credits"]))
        cast, directors = clean.credits_tables(
            frames["credits"], film_ids, report, progress=progress.advance
        )
    with report.stage("keywords"):
        progress.start("Keywords")
        keywords = clean.keywords_table(frames["keywords"], film_ids, report)
    with report.stage("ratings"):
        progress.start("Ratings")
        ratings = clean.ratings_table(frames["ratings"], frames["links"], film_ids, report)
    return clean.Tables(
        films=films[list(clean.FILM_COLUMNS)],
        cast=cast, directors=directors, keywords=keywords, ratings=ratings, **links,
    )


def build_catalog(
    raw_dir: Path | None = None,
    catalog_dir: Path | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the catalog from raw files. Raises :class:`files.RawDataError` on bad input."""
    progress = progress or NullProgress()
    settings = get_settings()
    catalog_dir = catalog_dir or settings.catalog_dir
    require_model()
    sources = files.resolve_sources(raw_dir)
    report = BuildReport(
        dataset=sources.dataset,
        origin=sources.origin,
        sources={kind: str(path) for kind, path in sources.paths.items()},
        notes=list(sources.notes),
    )
    progress.start(f"Reading raw files ({sources.origin})")
    with report.stage("read"):
        frames = read_sources(sources, report)
    tables = transform(frames, sources, report, progress)
    del frames

    build_dir = store.new_build_dir(catalog_dir)
    try:
        with report.stage("neighbours"):
            neighbours = compute_neighbours(tables, progress)
        with report.stage("tables"):
            progress.start("Writing Parquet tables")
            for name, frame in (*tables.items(), ("neighbours", neighbours)):
                frame.to_parquet(store.table_path(build_dir, name), index=False,
                                 compression="zstd")
        manifest = {
            "dataset": sources.dataset,
            "origin": sources.origin,
            "films": len(tables.films),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "filmoteca_version": __version__,
            "tables": {name: len(frame) for name, frame in tables.items()},
        }
        with report.stage("index"):
            progress.start("Building the serving index")
            store.write_json(build_dir, store.INDEX, build_index(tables, neighbours, manifest))
        with report.stage("embeddings"):
            report.extra["embeddings"] = embed_catalog(
                build_dir, settings.embedding_cache_dir, progress, settings.embedding_workers)
        legacy = store.legacy_target(catalog_dir)
        if legacy is not None:
            report.notes.append(
                f"the previous catalog ({legacy}, old layout) is left in place: builds now "
                f"live in {store.builds_dir(catalog_dir)}; delete it by hand once nothing uses it"
            )
        store.write_json(build_dir, store.MANIFEST, manifest)
        store.write_json(build_dir, store.REPORT, report.to_dict())
        final = store.publish(catalog_dir, build_dir)
    except BaseException:
        store.discard(build_dir)
        raise
    return BuildResult(path=final, manifest=manifest, report=report)
