"""Settings: every path, host and knob in one pydantic-settings class.

Values come from environment variables prefixed ``FILMOTECA_`` (plus plain ``HOST`` and
``PORT``, which hosting platforms such as Render set), else the defaults below.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


def _project_root() -> Path:
    """The repository root when running from a checkout (src/ layout), else the cwd."""
    candidate = PACKAGE_DIR.parent.parent
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd()


PROJECT_ROOT = _project_root()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FILMOTECA_", extra="ignore")

    #: The user's own raw Kaggle files (git-ignored).
    raw_dir: Path = PROJECT_ROOT / "data" / "raw"
    #: The embedded real sample shipped with the project (CC0).
    sample_dir: Path = PROJECT_ROOT / "data" / "sample"
    #: Where the built catalog lives (a directory, replaced atomically by each build).
    catalog_dir: Path = PROJECT_ROOT / "data" / "processed" / "catalog"
    reports_dir: Path = PROJECT_ROOT / "reports"
    #: Where ``filmoteca synth`` writes SYNTHETIC raw files, one folder per size and seed.
    synthetic_dir: Path = PROJECT_ROOT / "data" / "synthetic"

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("FILMOTECA_HOST", "HOST"))
    port: int = Field(default=8000, validation_alias=AliasChoices("FILMOTECA_PORT", "PORT"))

    #: Longest name a user may type in a path or query parameter.
    max_input_length: int = 200
    #: How many suggestions a 404 offers.
    max_suggestions: int = 5


@lru_cache
def get_settings() -> Settings:
    return Settings()
