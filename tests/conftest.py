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


# --- API / services fixtures (added by the API work; the fixtures above are unchanged) ---


@pytest.fixture(scope="session")
def catalog(catalog_dir: Path):  # -> filmoteca.services.catalog.Catalog
    from filmoteca.services.catalog import load_catalog

    return load_catalog(catalog_dir)


@pytest.fixture(scope="session")
def client(catalog):  # -> fastapi.testclient.TestClient over the sample catalog
    from fastapi.testclient import TestClient

    from filmoteca.api.app import create_app

    with TestClient(create_app(catalog)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def clean_movies(raw_movies: pd.DataFrame) -> pd.DataFrame:
    """The raw sample after the course's row rules, done independently with plain pandas:
    integer ids only, first row of each id, non-null release_date."""
    df = raw_movies[raw_movies["id"].str.fullmatch(r"\d+", na=False)]
    df = df.drop_duplicates("id", keep="first")
    df = df[df["release_date"].notna()].copy()
    df["revenue_n"] = pd.to_numeric(df["revenue"], errors="coerce").fillna(0.0)
    df["budget_n"] = pd.to_numeric(df["budget"], errors="coerce").fillna(0.0)
    df["vote_count_n"] = pd.to_numeric(df["vote_count"], errors="coerce").fillna(0)
    return df.reset_index(drop=True)
