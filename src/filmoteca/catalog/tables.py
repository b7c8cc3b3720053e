"""The clean tables of a build, as Parquet files: written chunk by chunk, read by name.

Owns :func:`table_path`, :class:`TableWriter` (a build streams its raw files, so a table is
appended chunk by chunk and never held whole) and :func:`read_table` (the build's later
stages, the evaluation and the EDA read back the columns they use). pandas and pyarrow are
imported here only: the serving process never imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from filmoteca.catalog.store import HINT, CatalogError

if TYPE_CHECKING:
    import pandas as pd


def table_path(catalog_dir: Path, name: str) -> Path:
    return catalog_dir / f"{name}.parquet"


class TableWriter:
    """Appends frames to one Parquet table of a build, chunk by chunk (a build streams its
    raw files), so a table never has to be held whole in memory. Every chunk is written
    with the first chunk's schema."""

    def __init__(self, build: Path, name: str) -> None:
        self.path = table_path(build, name)
        self.rows = 0
        self._writer: Any = None
        self._schema: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self.path, self._schema, compression="zstd")
        else:
            table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_table(build: Path, name: str, columns: list[str] | None = None,
               categories: list[str] | None = None) -> pd.DataFrame:
    """One Parquet table of a build (pass the folder :func:`resolve` returned);
    :class:`CatalogError` (one line) if it is missing or unreadable. ``categories``: text
    columns read as pandas categoricals (each distinct value stored once: names repeat a lot
    in link tables)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    def lists_as_arrow(kind: pa.DataType) -> pd.ArrowDtype | None:
        # list columns (the neighbours' reasons) stay Arrow: no Python list per row
        return pd.ArrowDtype(kind) if pa.types.is_list(kind) else None

    path = table_path(build, name)
    if not path.exists():
        raise CatalogError(f"catalog table not found: {path}; {HINT}")
    try:
        table = pq.read_table(path, columns=columns, read_dictionary=categories)
        return table.to_pandas(types_mapper=lists_as_arrow).reset_index(drop=True)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise CatalogError(f"catalog table unreadable: {path} ({exc}); {HINT}") from None
