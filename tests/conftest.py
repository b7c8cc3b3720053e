"""Shared fixtures: the embedded real sample, and one catalog built from it per test session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from filmoteca.config import get_settings
from filmoteca.pipeline import BuildResult, build_catalog

SAMPLE_DIR = get_settings().sample_dir


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def raw_movies() -> pd.DataFrame:
    """The real sample exactly as in the file (text), for independent expected values."""
    return pd.read_csv(SAMPLE_DIR / "movies_dataset_sample.csv.gz", dtype=str,
                       keep_default_na=False, na_values=[""])


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The catalog built once from the embedded sample (into a temporary folder)."""
    root = tmp_path_factory.mktemp("catalog")
    return build_catalog(raw_dir=SAMPLE_DIR, catalog_dir=root / "catalog")


@pytest.fixture(scope="session")
def catalog_dir(sample_build: BuildResult) -> Path:
    return sample_build.path.parent.parent / "catalog"
