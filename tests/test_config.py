"""Settings: every path from one home, never from the working directory; read on demand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from filmoteca import config
from filmoteca.config import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FILMOTECA_HOME", "FILMOTECA_RAW_DIR", "FILMOTECA_CATALOG_DIR",
                 "FILMOTECA_REPORTS_DIR", "FILMOTECA_SAMPLE_DIR", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)


def test_paths_hang_from_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert settings.raw_dir == tmp_path / "data" / "raw"
    assert settings.catalog_dir == tmp_path / "data" / "processed" / "catalog"
    assert settings.reports_dir == tmp_path / "reports"
    assert settings.sample_dir == ROOT / "src" / "filmoteca" / "sample"
    assert (settings.sample_dir / "movies_dataset_sample.csv.gz").is_file()


def test_checkout_is_the_home_when_running_from_it(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the working directory plays no part
    assert config.checkout_root() == ROOT
    assert Settings().home == ROOT
    assert Settings().catalog_dir == ROOT / "data" / "processed" / "catalog"


def test_installed_package_uses_the_user_data_folder(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    installed = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "filmoteca"
    monkeypatch.setattr(config, "PACKAGE_DIR", installed)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.chdir(tmp_path)
    assert config.checkout_root() is None
    assert Settings().home == tmp_path / "user" / ".local" / "share" / "filmoteca"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().catalog_dir == tmp_path / "xdg" / "filmoteca" / "data" / "processed" / (
        "catalog")


def test_environment_overrides_and_relative_paths(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FILMOTECA_HOME", ".")  # as render.yaml sets it
    monkeypatch.setenv("FILMOTECA_REPORTS_DIR", "~/informes")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    settings = Settings()
    assert settings.home == tmp_path  # taken from where the command starts, made absolute
    assert settings.raw_dir == tmp_path / "data" / "raw"
    assert settings.reports_dir == tmp_path / "user" / "informes"


def test_catalog_symlink_is_kept_not_resolved(tmp_path: Path) -> None:
    """Each build swaps the ``catalog`` link: settings must name the link, not its target."""
    target = tmp_path / "builds" / "one"
    target.mkdir(parents=True)
    link = tmp_path / "catalog"
    link.symlink_to(target)
    assert Settings(catalog_dir=link).catalog_dir == link


def test_limits_come_from_the_settings() -> None:
    limits = Settings(max_input_length=30, max_suggestions=2).limits
    assert (limits.max_input_length, limits.max_suggestions) == (30, 2)
    assert Settings().limits == config.DEFAULT_LIMITS


def test_importing_the_server_reads_no_settings() -> None:
    code = ("import filmoteca.api.app, filmoteca.services.questions, filmoteca.services.search, "
            "filmoteca.cli\n"
            "from filmoteca.config import get_settings\n"
            "print(get_settings.cache_info().currsize)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "0"
