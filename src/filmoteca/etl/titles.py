"""A film's other titles: its original title, and the titles it was released under in Spanish.

Owns the two name tables a typed title is looked up in after the catalog's own titles:

- ``titles_original``: the raw file's ``original_title`` where it differs from ``title``
  (``推手`` is "Tui shou" once transliterated; the course drops the column from the films
  table, the build keeps it for matching in ``film_original_titles``);
- ``titles_es``: the Spanish release titles (Spain and Latin America) of the shipped table
  ``etl/data/titulos_es.csv``, one row per (film, title), each checked by hand (the
  ``verificacion`` column: a page that confirms it, or certain and audited; method in
  ``docs/titulos_es.md``). A row names a film by TMDB id and English title and year; it is
  used only when the catalog holds that id with that title and year, so a table written for
  one catalog never renames a film of another.

Keys are normalized (:func:`filmoteca.text.normalize`); each maps to its films, most voted
first. Build time only (pandas).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from filmoteca.text import normalize

#: The shipped table of Spanish release titles.
SPANISH_TITLES = Path(__file__).resolve().parent / "data" / "titulos_es.csv"


def spanish_titles(path: Path = SPANISH_TITLES) -> pd.DataFrame:
    """The table's rows: ``id`` (int), ``titulo_catalogo``, ``anio`` (int), ``titulo_es``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    frame = pd.DataFrame(rows, columns=["id", "titulo_catalogo", "anio", "titulo_es"])
    frame["id"] = frame["id"].astype("int64")
    frame["anio"] = frame["anio"].astype("int64")
    return frame


def _keyed(pairs: Iterable[tuple[str, int]], order: dict[int, int]) -> dict[str, list[int]]:
    """normalized name -> film positions, most voted first (``order``: position -> rank)."""
    out: dict[str, set[int]] = {}
    for name, position in pairs:
        key = normalize(name)
        if key:
            out.setdefault(key, set()).add(position)
    return {key: sorted(positions, key=order.__getitem__) for key, positions in out.items()}


def other_titles(films: pd.DataFrame, originals: pd.DataFrame, by_votes: np.ndarray,
                 spanish: pd.DataFrame | None = None) -> dict[str, dict[str, list[int]]]:
    """``{"titles_original": {...}, "titles_es": {...}}``: normalized name -> positions of
    ``films`` (its row order), most voted first (``by_votes``: positions by vote rank).
    ``originals``: ``film_id``, ``original_title``; ``spanish``: :func:`spanish_titles`
    (default: the shipped table). A name that is a film's own title is left out."""
    if spanish is None:
        spanish = spanish_titles()
    order = {int(p): rank for rank, p in enumerate(by_votes.tolist())}
    position = pd.Series(np.arange(len(films)), index=films["id"].to_numpy(dtype=np.int64))
    own = {normalize(str(t)) for t in films["title"].tolist()}

    ids = originals["film_id"].to_numpy(dtype=np.int64)
    known = position.reindex(ids)
    original_pairs = [(str(name), int(p)) for name, p in
                      zip(originals["original_title"].tolist(), known.tolist(), strict=True)
                      if p == p]  # NaN: a film that is not in the catalog
    by_id = films.assign(position=np.arange(len(films))).set_index("id")
    spanish_pairs = []
    for film, title, year, name in zip(spanish["id"], spanish["titulo_catalogo"],
                                       spanish["anio"], spanish["titulo_es"], strict=True):
        if film not in by_id.index:
            continue
        row = by_id.loc[film]
        if normalize(str(row["title"])) == normalize(title) and int(row["release_year"]) == year:
            spanish_pairs.append((str(name), int(row["position"])))
    return {kind: {k: v for k, v in _keyed(pairs, order).items() if k not in own}
            for kind, pairs in (("titles_original", original_pairs),
                                ("titles_es", spanish_pairs))}
