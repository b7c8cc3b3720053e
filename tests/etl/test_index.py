"""The vectorized parts of the serving-index build (trigram postings, packed neighbours)
against plain Python written here, on the sample catalog and on edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from filmoteca.catalog.tables import table_path
from filmoteca.etl import index as ix


def unpack(column: np.ndarray) -> list[float]:
    return np.asarray(column).tolist()


def python_search(titles: dict[str, list[int]], order: np.ndarray) -> dict[str, list[int]]:
    key_of = {p: key for key, positions in titles.items() for p in positions}
    postings: dict[str, list[int]] = {}
    for line, position in enumerate(order.tolist()):
        key = key_of[position]
        for gram in sorted({key[i:i + 3] for i in range(len(key) - 2)}):
            postings.setdefault(gram, []).append(line)
    return dict(sorted(postings.items()))


def from_index(search: dict) -> dict[str, list[int]]:
    offsets, lines = unpack(search["offsets"]), unpack(search["postings"])
    return {gram: lines[offsets[i]:offsets[i + 1]] for i, gram in enumerate(search["grams"])}


@pytest.fixture(scope="module")
def films(catalog_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(table_path(catalog_dir, "films"))


def test_trigram_postings_of_the_sample(films: pd.DataFrame):
    order = ix._vote_order(films)
    titles = ix._titles(films, order)
    search = ix._search(titles, order)
    assert search["gram"] == 3
    assert from_index(search) == python_search(titles, order)
    assert search["grams"] == sorted(search["grams"])
    key_of = {p: key for key, positions in titles.items() for p in positions}
    assert search["lines"] == [key_of[p] for p in order.tolist()]


def test_trigram_postings_edge_cases():
    keys = ["aaaa", "ab", "", "abcabc", "zzz", "aaaa b"]
    titles = {key: [p] for p, key in enumerate(keys)}
    order = np.array([3, 0, 5, 1, 4, 2])
    assert from_index(ix._search(titles, order)) == python_search(titles, order)


def test_packed_neighbours_of_the_sample(catalog_dir: Path, films: pd.DataFrame):
    path = table_path(catalog_dir, "neighbours")
    with pq.ParquetFile(path) as parquet:
        table, sets = ix._neighbours(parquet.iter_batches(batch_size=997), films)
    nb = pd.read_parquet(path)
    position = {int(f): p for p, f in enumerate(films["id"])}
    nb["film"] = nb["film_id"].map(position)
    nb["neighbour"] = nb["neighbour_id"].map(position)
    nb = nb.sort_values(["film", "rank"], kind="stable")
    distinct: dict[tuple[str, ...], int] = {}
    expected_reasons = [distinct.setdefault(tuple(r), len(distinct)) for r in nb["reasons"]]
    counts = nb.groupby("film").size().reindex(range(len(films)), fill_value=0)
    assert unpack(table["offsets"]) == [0, *np.cumsum(counts).tolist()]
    assert unpack(table["film"]) == nb["neighbour"].tolist()
    assert unpack(table["reasons"]) == expected_reasons
    assert sets == [list(r) for r in distinct]
    assert np.allclose(unpack(table["score"]), nb["score"].to_numpy(), atol=1e-6)


def test_packed_neighbours_without_reasons_or_rows(films: pd.DataFrame):
    empty = pa.table({"film_id": pa.array([], pa.int64()),
                      "neighbour_id": pa.array([], pa.int64()),
                      "rank": pa.array([], pa.int64()), "score": pa.array([], pa.float64())})
    table, sets = ix._neighbours(empty.to_batches(), films)
    assert unpack(table["offsets"]) == [0] * (len(films) + 1) and sets == []
