"""The Render Blueprint (render.yaml): its build and start commands, run exactly as written.

Owns: checking that ``render.yaml`` describes a free native-Python web service with a
health check, and that its ``buildCommand`` and ``startCommand`` work in a fresh copy of the
repository (the tracked and not-ignored files, i.e. what a clone of the commit would hold).

Choice of environment: a truly fresh virtual environment would download and install every
dependency (minutes). Running the commands with the project's own ``.venv`` on ``PATH``
would make ``pip install .`` replace the developers' editable install. So the test creates a
small fresh venv whose ``site-packages`` borrows the *dependencies* from the current venv
(one ``.pth`` line; the editable install's own ``.pth`` is not processed that way), and runs
the two commands verbatim with that venv first on ``PATH``: ``pip install .`` really builds
and installs the package (not editable: package data such as the web page must be in the
wheel), ``filmoteca build`` really builds the catalog in the copy, and ``filmoteca serve``
really starts, reads ``$PORT`` and answers ``/health``. Only ``pip``'s build backend
(setuptools, wheel) may be fetched from PyPI, as Render does. About 15-40 s on 2 cores
(the sample catalog is built for real), so it runs in the default suite.

The build command downloads the Kaggle dataset first. Tests never reach Kaggle: every
HTTP(S) request of the build goes to a proxy address on which nothing listens, except those
to the Python package index (``NO_PROXY``), so ``filmoteca download`` really runs and fails
as it does without internet, on any machine. That is the fallback path: the build log must
say loudly that the sample is deployed, and ``/health`` must report ``"datos": "sample"``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from devserver import free_port, stop, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "render.yaml"


def _service() -> dict[str, Any]:
    spec = yaml.safe_load(BLUEPRINT.read_text(encoding="utf-8"))
    services = spec["services"]
    assert len(services) == 1
    return services[0]


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {item["key"]: str(item["value"]) for item in service.get("envVars", [])}


def test_blueprint_is_a_free_python_web_service_with_health_check():
    service = _service()
    assert service["type"] == "web"
    assert service["runtime"] == "python"
    assert service["plan"] == "free"
    assert service["healthCheckPath"] == "/health"
    # Render wants a fully qualified version; it must satisfy pyproject's requires-python.
    version = _env(service)["PYTHON_VERSION"]
    assert re.fullmatch(r"3\.11\.\d+", version), version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["requires-python"] == ">=3.11,<3.12"
    # The start command binds every interface and leaves the port to Render's $PORT.
    start = service["startCommand"]
    assert "--host 0.0.0.0" in start
    assert "--port" not in start


def _copy_of_the_repository(dest: Path) -> Path:
    """Tracked + untracked-but-not-ignored files: what a clone of the next commit holds."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: cannot tell which files a clone would hold")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # skip files deleted in the working tree
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


def _fresh_venv(path: Path) -> Path:
    """A new venv that sees the current venv's installed dependencies (see module doc)."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=120)
    query = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = subprocess.run([str(path / "bin" / "python"), "-c", query],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "_borrowed_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return path / "bin"


def test_build_and_start_commands_work_in_a_fresh_copy(tmp_path: Path):
    service = _service()
    repo = _copy_of_the_repository(tmp_path / "repo")
    bin_dir = _fresh_venv(tmp_path / "venv")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FILMOTECA_") and k not in {"HOST", "PORT", "PYTHONPATH"}}
    env.update(_env(service))
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
               VIRTUAL_ENV=str(bin_dir.parent), PIP_DISABLE_PIP_VERSION_CHECK="1")
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: no request leaves
    env = {k: v for k, v in env.items() if k.lower() not in {"http_proxy", "https_proxy",
                                                              "all_proxy", "no_proxy"}}
    env.update(HTTP_PROXY=nowhere, HTTPS_PROXY=nowhere,
               NO_PROXY="pypi.org,files.pythonhosted.org,localhost,127.0.0.1")

    build = subprocess.run(["bash", "-c", service["buildCommand"]], cwd=repo, env=env,
                           capture_output=True, text=True, timeout=900, check=False)
    log = build.stdout + build.stderr
    assert build.returncode == 0, log[-6000:]
    assert (repo / "data" / "processed" / "catalog" / "manifest.json").is_file()
    # The download really ran, failed in one line, and the fallback said so loudly.
    assert "error: no se pudo descargar movies_metadata.csv de Kaggle (sin conexión" in log
    assert "AVISO: NO SE PUDO DESCARGAR EL DATASET COMPLETO" in log
    assert not (repo / "data" / "raw").exists()  # the failed download left nothing behind
    where = subprocess.run([str(bin_dir / "python"), "-c",
                            "import filmoteca; print(filmoteca.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.startswith(str(bin_dir.parent)), where.stdout  # the built wheel

    port = free_port()
    env["PORT"] = str(port)  # what Render sets
    server = subprocess.Popen(["bash", "-c", f"exec {service['startCommand']}"], cwd=repo,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base + service["healthCheckPath"], server, timeout=60)
        page = httpx.get(base + "/", timeout=5)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert httpx.get(base + "/health", timeout=5).json()["datos"] == "sample"
        answer = httpx.get(base + "/peliculas_idioma/en", timeout=5)
        assert answer.status_code == 200 and answer.json()["cantidad"] > 0
        # the build embedded the sample's plots (empty cache: the embeddings stage for real)
        plot = httpx.get(base + "/buscar_descripcion",
                         params={"q": "un tiburón aterroriza una playa"}, timeout=30)
        assert plot.status_code == 200 and plot.json()["resultados"][0]["titulo"] == "Jaws"
    finally:
        stop(server)
