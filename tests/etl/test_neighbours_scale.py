"""The neighbours stage at the full catalog's size (the sample tiled 15x in memory).

Every copy of a film has the same genres, keywords, director, collection and overview as
the original, but no MovieLens ratings (those name the originals' ids) and another title (so
the copies are not duplicates of each other). So for a copy, its 14 siblings score exactly
alike (cosine 1 in every block it has, the same prior), at the top of what any film can
score on content: its first 14 neighbours (of the 20 stored) should be its 14 siblings, the
lower ids first, each with that same score (a copy's top 5 are siblings, so the originals'
lists are the only ones a blockbuster can fill: it stays under the exposure cap, 2% of the
lists = 897, and the cap leaves these lists alone). Candidates are generated, not all pairs
scored (the module docstring of :mod:`filmoteca.etl.neighbours`), so a film whose
features are all common can miss them; a candidate generation that lost pairs at this size
would miss them often. Time and memory are measured by ``benchmarks/build.py``, not here."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from filmoteca.catalog.tables import table_path
from filmoteca.etl.clean import Tables
from filmoteca.etl.neighbours import compute_neighbours
from filmoteca.progress import NullProgress

K = 20  # neighbours stored per film
COPIES = 15  # 2,993 x 15 = 44,895 films, about the real catalog's 45,466
STEP = 10_000_000  # copy c of film i has the id i + c * STEP


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
            part[key] = part[key] + c * STEP
            if name == "films" and c:
                part["title"] = part["title"] + f" ({c})"  # copies are not duplicates
            parts.append(part)
        out[name] = pd.concat(parts, ignore_index=True)
    return Tables(**out)


@pytest.mark.slow
def test_neighbours_at_full_scale(catalog_dir: Path) -> None:
    tables = _tiled(catalog_dir, COPIES)
    nb = compute_neighbours(tables, NullProgress())
    assert len(nb) == K * len(tables.films)
    assert (nb.groupby("film_id").size() == K).all()
    assert not (nb["film_id"] == nb["neighbour_id"]).any()
    first5 = nb.loc[nb["rank"] <= 5, "neighbour_id"].value_counts()
    assert first5.max() <= 0.05 * len(tables.films)
    original = nb["film_id"] % STEP
    described = set(tables.film_genres["film_id"] % STEP)  # films with a content block
    copies = nb[(nb["film_id"] >= STEP) & original.isin(described)]
    assert len(copies) > K * (COPIES - 1) * 2_000
    found = 0
    for film, group in copies.groupby("film_id"):
        siblings = sorted(film % STEP + c * STEP for c in range(COPIES) if c != film // STEP)
        listed = group.sort_values("rank")
        mine = listed[listed["neighbour_id"] % STEP == film % STEP]
        assert mine["neighbour_id"].tolist() == siblings[:len(mine)], film  # lower ids first
        assert mine["score"].nunique() <= 1, film  # siblings score exactly alike
        found += listed["neighbour_id"].tolist()[:COPIES - 1] == siblings
    print(f"all 14 siblings first: {found / copies['film_id'].nunique():.4f}")
    assert found / copies["film_id"].nunique() >= 0.99  # measured: 99.7%
