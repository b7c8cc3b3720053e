"""Fixtures of semantic search: the sample's films and their embedding arrays, built once.

The vectors are cached by content hash in ``Settings.embedding_cache_dir`` (git-ignored, the
cache the benchmark and the build use too): the first run embeds the sample's 2,993 titles and plots
(about 30 s on 2 cores), later runs read them back.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from filmoteca.config import get_settings
from filmoteca.pipeline import BuildResult

CACHE = get_settings().embedding_cache_dir


@pytest.fixture(scope="session")
def model():  # -> filmoteca.encoder.Encoder, loaded once for the tests that need no fresh one
    from filmoteca.encoder import default_encoder

    shared = default_encoder()
    shared.load()
    return shared


@pytest.fixture(scope="session")
def films(sample_build: BuildResult) -> pd.DataFrame:
    """The catalog's films in serving order (the index's film positions)."""
    return pd.read_parquet(sample_build.path / "films.parquet").reset_index(drop=True)


@pytest.fixture(scope="session")
def arrays(films: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from filmoteca.embeddings import build_embeddings

    folder = tmp_path_factory.mktemp("embeddings")
    build_embeddings(films, folder, CACHE, workers=2)
    return folder


@pytest.fixture(scope="session")
def index(arrays: Path, films: pd.DataFrame):  # -> filmoteca.semantic.SemanticIndex
    from filmoteca.semantic import SemanticIndex

    return SemanticIndex(arrays, films["title"].astype(str).tolist(),
                         films["vote_count"].tolist())


@pytest.fixture(scope="session")
def position(films: pd.DataFrame) -> dict[int, int]:
    """TMDB id -> film position."""
    return {int(i): p for p, i in enumerate(films["id"].tolist())}
