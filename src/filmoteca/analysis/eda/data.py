"""Load what the EDA looks at: the clean catalog tables, its manifest and build report, and
the missing values of the raw movies file (before cleaning).

Raises :class:`filmoteca.catalog.store.CatalogError` (one line, saying to run
``filmoteca build``) when the catalog is missing or a table cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from filmoteca.catalog import store
from filmoteca.catalog.tables import read_table
from filmoteca.raw import files

#: Columns of ``films`` the EDA uses (the rest, such as ``overview``, only for missing values).
FILM_COLUMNS = (
    "id", "title", "original_language", "overview", "tagline", "status", "release_date",
    "release_year", "runtime", "budget", "revenue", "return", "popularity", "vote_average",
    "vote_count",
)
LINK_TABLES = ("film_genres", "film_companies", "film_countries", "directors")


@dataclass
class EdaData:
    """Everything the sections draw from, loaded once."""

    catalog_dir: Path
    manifest: dict[str, Any]
    report: dict[str, Any]
    films: pd.DataFrame
    genres: pd.DataFrame
    companies: pd.DataFrame
    countries: pd.DataFrame
    directors: pd.DataFrame
    #: Empty cells per column of the raw movies file, ``None`` if the file is not available.
    raw_missing: pd.Series | None = None
    raw_rows: int = 0
    raw_path: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def dataset(self) -> str:
        return str(self.manifest.get("dataset", "desconocido"))


def raw_missing_values(path: Path) -> tuple[pd.Series, int]:
    """Empty cells per column of the raw movies file, read exactly as the build reads it
    (streamed in chunks: the file can hold a million films)."""
    missing: pd.Series | None = None
    rows = 0
    for frame, _skipped in files.iter_raw(path, files.MOVIES):
        counts = frame.isna().sum()
        missing = counts if missing is None else missing.add(counts, fill_value=0)
        rows += len(frame)
    assert missing is not None  # iter_raw yields at least one chunk or raises
    return missing.astype("int64"), rows


def load_data(catalog_dir: Path) -> EdaData:
    """Read the catalog built by ``filmoteca build`` (and the raw movies file if present).

    The ``catalog`` link is resolved once and every file is read from that one build, so a
    build published meanwhile cannot mix two builds in one report."""
    build = store.resolve(catalog_dir)
    manifest = store.read_json(build, store.MANIFEST)
    report = store.read_json(build, store.REPORT)
    films = read_table(build, "films", list(FILM_COLUMNS))
    tables = {name: read_table(build, name) for name in LINK_TABLES}
    data = EdaData(
        catalog_dir=build,
        manifest=manifest,
        report=report,
        films=films,
        genres=tables["film_genres"],
        companies=tables["film_companies"],
        countries=tables["film_countries"],
        directors=tables["directors"],
    )
    raw_path = report.get("sources", {}).get("movies")
    if raw_path and Path(raw_path).is_file():
        try:
            data.raw_missing, data.raw_rows = raw_missing_values(Path(raw_path))
            data.raw_path = raw_path
        except files.RawDataError as exc:
            data.notes.append(f"No se pudo leer el archivo crudo de películas: {exc}")
    else:
        data.notes.append(
            "El archivo crudo de películas usado en la construcción ya no está disponible "
            f"({raw_path or 'sin ruta'}); no se muestran los valores faltantes antes de limpiar."
        )
    return data
