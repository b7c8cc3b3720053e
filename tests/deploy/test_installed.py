"""An installed wheel (``pip install .``, not editable) builds and serves from any directory.

Owns defect 5 of issue 11 end to end: the package is built from a copy of its sources and
installed into a fresh venv (whose ``site-packages`` borrows the already installed
dependencies, as in ``test_render.py``: only the build backend may come from PyPI), with a
temporary ``HOME`` and no ``FILMOTECA_*`` variable. ``filmoteca build`` runs in one empty
directory and must find the embedded sample (package data of the wheel); ``filmoteca serve``
runs in another and must find the catalog that build wrote (under the user's data folder,
``~/.local/share/filmoteca``); neither writes anything where it runs. About 20-40 s on
2 cores (a wheel is built and the sample catalog is built for real).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
from devserver import free_port, stop, wait_until_ready

from filmoteca.config import get_settings

ROOT = Path(__file__).resolve().parents[2]


def _package_sources(dest: Path) -> Path:
    """What ``pip install .`` reads: the project file, the README and ``src/``."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "src", dest / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return dest


def _fresh_venv(path: Path) -> Path:
    """A new venv that sees the current venv's installed dependencies (one ``.pth`` line;
    the editable install's own ``.pth`` is not processed that way)."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=120)
    query = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = subprocess.run([str(path / "bin" / "python"), "-c", query],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "_borrowed_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return path / "bin"


def test_installed_wheel_builds_and_serves_from_any_directory(tmp_path: Path) -> None:
    sources = _package_sources(tmp_path / "sources")
    bin_dir = _fresh_venv(tmp_path / "venv")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FILMOTECA_")
           and k not in {"HOST", "PORT", "PYTHONPATH", "XDG_DATA_HOME", "VIRTUAL_ENV"}}
    env.update(HOME=str(home), PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
               PIP_DISABLE_PIP_VERSION_CHECK="1")

    install = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--no-deps",
                              "--quiet", str(sources)], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=600, check=False)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    probe = ("import filmoteca.config as c; "
             "print(c.PACKAGE_DIR); print(c.checkout_root()); print(c.get_settings().home)")
    where = subprocess.run([str(bin_dir / "python"), "-c", probe], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout.split("\n")
    assert where[0].startswith(str(tmp_path / "venv")), where  # the wheel, not the checkout
    assert where[1] == "None"
    assert where[2] == str(home / ".local" / "share" / "filmoteca")

    # The embedding cache the developer's own builds filled, where the user's data folder
    # keeps it (as after an earlier build): the sample's texts are not embedded again here
    # (tests/deploy/test_render.py builds with an empty cache).
    user_cache = home / ".local/share/filmoteca/data/processed/embedding-cache"
    developer_cache = get_settings().embedding_cache_dir
    if developer_cache.is_dir():
        shutil.copytree(developer_cache, user_cache,
                        ignore=shutil.ignore_patterns("*-table.npy", ".*"))

    build_here, serve_here = tmp_path / "a", tmp_path / "b"
    build_here.mkdir()
    serve_here.mkdir()
    build = subprocess.run([str(bin_dir / "filmoteca"), "build"], cwd=build_here, env=env,
                           capture_output=True, text=True, timeout=600, check=False)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "embedded real sample" in build.stderr
    manifest_path = home / ".local/share/filmoteca/data/processed/catalog/manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["dataset"] == "sample"

    port = free_port()
    server = subprocess.Popen([str(bin_dir / "filmoteca"), "serve", "--port", str(port)],
                              cwd=serve_here, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base + "/health", server, timeout=60)
        health = httpx.get(base + "/health", timeout=5).json()
        assert (health["datos"], health["peliculas"]) == ("sample", manifest["films"])
        answer = httpx.get(base + "/peliculas_duracion/Toy Story", timeout=5).json()
        assert (answer["id"], answer["duracion_min"]) == (862, 81)
        spanish = httpx.get(base + "/peliculas_duracion/El padrino", timeout=30).json()
        assert spanish["id"] == 238 and spanish["interpretacion"]["titulo"] == "The Godfather"
        assert httpx.get(base + "/", timeout=5).status_code == 200  # the page is in the wheel
    finally:
        stop(server)
    assert list(build_here.iterdir()) == [] and list(serve_here.iterdir()) == []
