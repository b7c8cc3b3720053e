"""The neighbours stage at the full catalog's size (the sample tiled 15x in memory): every
film gets its k neighbours, never itself. Its time and memory are measured by
``benchmarks/build.py``, not here."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from filmoteca.catalog.store import table_path
from filmoteca.build.etl.clean import Tables
from filmoteca.progress import NullProgress
from filmoteca.build.neighbours import compute_neighbours

COPIES = 15  # 2,993 x 15 = 44,895 films, about the real catalog's 45,466


def _tiled(catalog_dir: Path, copies: int) -> Tables:
    frames = {f.name: pd.read_parquet(table_path(catalog_dir, f.name)) for f in fields(Tables)}
    out = {}
    for name, frame in frames.items():
        if name == "ratings":
            out[name] = frame
            continue
        key = "id" if name == "films" else "film_id"
        parts = []
        for c in range(copies):
            part = frame.copy()
            part[key] = part[key] + c * 10_000_000
            if name == "films" and c:
                part["title"] = part["title"] + f" ({c})"  # copies are not duplicates
            parts.append(part)
        out[name] = pd.concat(parts, ignore_index=True)
    return Tables(**out)


@pytest.mark.slow
def test_neighbours_at_full_scale(catalog_dir: Path) -> None:
    tables = _tiled(catalog_dir, COPIES)
    nb = compute_neighbours(tables, NullProgress())
    assert len(nb) == 10 * len(tables.films)
    assert (nb.groupby("film_id").size() == 10).all()
    assert not (nb["film_id"] == nb["neighbour_id"]).any()
