"""Settings: every path, host and limit in one pydantic-settings class, read when asked for.

Values come from environment variables prefixed ``FILMOTECA_`` (plus plain ``HOST`` and
``PORT``, which hosting platforms such as Render set), else the defaults below. Nothing is
read at import: :func:`get_settings` builds the settings on first use, and the API takes
them as an argument (``create_app(settings=...)``).

Where the files live, without ever guessing from the current directory:

- the embedded real sample ships *inside the package* (``filmoteca/sample/``, package data
  of the wheel), so ``filmoteca build`` finds it however the package was installed;
- everything the commands write or read back (``data/raw/``, ``data/processed/catalog``,
  ``data/synthetic/``, ``reports/``) lives under one folder, :attr:`Settings.home`
  (``FILMOTECA_HOME``): the repository when the code runs from a checkout (``make``,
  ``pip install -e .``), else the user's data folder (``$XDG_DATA_HOME/filmoteca``, by
  default ``~/.local/share/filmoteca``). So ``filmoteca build`` and ``filmoteca serve`` meet
  on the same catalog from any working directory. A relative path given in the environment
  is taken from the directory where the command starts (as every command-line path is).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
#: The embedded real sample (CC0), shipped as package data.
SAMPLE_DIR = PACKAGE_DIR / "sample"


#: Longest name a user may type in a path or query parameter (default).
MAX_INPUT_LENGTH = 200
#: How many suggestions a 404 offers (default).
MAX_SUGGESTIONS = 5
#: Fixed bounds of the other parameters (not settings: the page and the tests rely on them).
#: ``/buscar``: matches counted per query (``total`` stops there), results per page, pages.
SEARCH_MAX_MATCHES = 1000
SEARCH_MAX_LIMIT = 50
SEARCH_DEFAULT_LIMIT = 10
SEARCH_MAX_PAGE = 100
#: ``/buscar_descripcion``: characters of a description (``q``), results (``limite``).
DESCRIPTION_MIN_LENGTH = 3
DESCRIPTION_MAX_LENGTH = 500
DESCRIPTION_MAX_LIMIT = 50
DESCRIPTION_DEFAULT_LIMIT = 10
#: ``/recomendacion``: how many similar films (the course asks for 5).
RECOMMENDATIONS = 5
#: ``?anio=``: release years a user may ask for.
MIN_YEAR = 1870
MAX_YEAR = 2100


@dataclass(frozen=True, slots=True)
class Limits:
    """What the API accepts and offers. The server enforces these values and the OpenAPI
    schema publishes them (:mod:`filmoteca.api.contract`): both read the same object."""

    max_input_length: int = MAX_INPUT_LENGTH
    max_suggestions: int = MAX_SUGGESTIONS


#: The limits when none are given (a service called directly, e.g. from a test).
DEFAULT_LIMITS = Limits()


def checkout_root() -> Path | None:
    """The repository root when the package runs from a source checkout (``src/`` layout,
    editable install), else None (an installed wheel)."""
    if PACKAGE_DIR.parent.name != "src":
        return None
    root = PACKAGE_DIR.parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def default_home() -> Path:
    """The checkout when running from one, else the user's data folder (XDG)."""
    root = checkout_root()
    if root is not None:
        return root
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "filmoteca"


def _under_home(*parts: str) -> Any:
    def factory(data: dict[str, Any]) -> Path:
        return Path(data["home"], *parts)

    return factory


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FILMOTECA_", extra="ignore")

    #: The folder that holds data/ and reports/ (see the module docstring).
    home: Path = Field(default_factory=default_home)
    #: The user's own raw Kaggle files (git-ignored).
    raw_dir: Path = Field(default_factory=_under_home("data", "raw"))
    #: The embedded real sample shipped with the package (CC0).
    sample_dir: Path = SAMPLE_DIR
    #: Where the built catalog lives (a directory, replaced atomically by each build).
    catalog_dir: Path = Field(default_factory=_under_home("data", "processed", "catalog"))
    #: Default output of ``filmoteca evaluate`` (recommender.md) and ``filmoteca eda`` (eda/).
    reports_dir: Path = Field(default_factory=_under_home("reports"))
    #: Where ``filmoteca synth`` writes SYNTHETIC raw files, one folder per size and seed.
    synthetic_dir: Path = Field(default_factory=_under_home("data", "synthetic"))
    #: Embeddings of titles and plots by content hash, reused by every build (never inside a
    #: build folder, which a later build removes).
    embedding_cache_dir: Path = Field(
        default_factory=_under_home("data", "processed", "embedding-cache"))
    #: Processes that embed texts during a build (each loads its own copy of the model).
    embedding_workers: int = Field(default=2, ge=1)
    #: Whether a build computes the title and plot vectors of Spanish search (off: the
    #: catalog answers everything else; Spanish titles and description search are off).
    embeddings: bool = True

    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("FILMOTECA_HOST", "HOST"))
    port: int = Field(default=8000, validation_alias=AliasChoices("FILMOTECA_PORT", "PORT"))

    max_input_length: int = Field(default=MAX_INPUT_LENGTH, ge=1)
    max_suggestions: int = Field(default=MAX_SUGGESTIONS, ge=0)
    #: Answers kept, as bytes, by the API's response cache (entries; 0 turns it off).
    response_cache: int = Field(default=10_000, ge=0)

    @field_validator("home", "raw_dir", "sample_dir", "catalog_dir", "reports_dir",
                     "embedding_cache_dir", mode="after")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        # absolute(), not resolve(): the catalog is a symlink that each build swaps.
        return path.expanduser().absolute()

    @property
    def limits(self) -> Limits:
        return Limits(max_input_length=self.max_input_length,
                      max_suggestions=self.max_suggestions)


@lru_cache
def get_settings() -> Settings:
    return Settings()
