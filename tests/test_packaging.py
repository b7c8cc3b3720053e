"""Packaging: ``pip install .`` (what Render runs) carries only what build and serve need; the
optional groups (pyproject extras) are named in one line by the commands that need them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

import pytest
from devserver import free_port, stop, wait_until_ready
from typer.testing import CliRunner

from filmoteca.cli import app

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: Import names of distributions whose import name differs (None: nothing to import).
IMPORT_NAMES = {"PyYAML": "yaml", "pandas-stubs": None, "filmoteca": None}


def _name(requirement: str) -> str:
    return re.split(r"[\[=<>!~ ;]", requirement, maxsplit=1)[0]


def _optional_modules() -> list[str]:
    """Every module that only an extra (eda, bench, dev) installs."""
    runtime = {_name(r) for r in PROJECT["dependencies"]}
    names = {_name(r) for group in PROJECT["optional-dependencies"].values() for r in group}
    modules = [IMPORT_NAMES.get(n, n.lower().replace("-", "_")) for n in names - runtime]
    return sorted(m for m in modules if m)


def test_heavy_tooling_is_in_extras_not_in_the_runtime():
    runtime = {_name(r).lower() for r in PROJECT["dependencies"]}
    extras = {group: {_name(r).lower() for r in reqs}
              for group, reqs in PROJECT["optional-dependencies"].items()}
    heavy = {"matplotlib", "seaborn", "wordcloud", "nbclient", "nbformat", "ipykernel", "psutil"}
    assert not runtime & heavy
    assert {"matplotlib", "seaborn", "wordcloud", "nbclient", "nbformat", "ipykernel"} <= (
        extras["eda"])
    assert "psutil" in extras["bench"]
    assert "filmoteca[eda,bench]" in PROJECT["optional-dependencies"]["dev"]  # make setup
    assert {"fastapi", "uvicorn", "pandas", "pyarrow", "scikit-learn"} <= runtime
    assert all("==" in r for r in PROJECT["dependencies"])  # pinned
    assert PROJECT["license"] == "MIT"  # SPDX string, not the deprecated table


@pytest.mark.parametrize(("command", "absent"), [("eda", "wordcloud"),
                                                  ("evaluate", "matplotlib")])
def test_commands_name_the_extra_they_miss(command: str, absent: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, absent, None)  # as if not installed
    result = CliRunner().invoke(app, [command, "--catalog", str(tmp_path / "none"),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert f"{absent} not installed" in lines[0]
    assert "pip install 'filmoteca[eda]'" in lines[0]
    assert not (tmp_path / "out").exists()


BLOCKED_RUN = """
import sys
for name in {modules!r}:
    sys.modules[name] = None  # as if not installed: importing it raises ImportError
from filmoteca.cli import app
sys.argv = ["filmoteca", *sys.argv[1:]]
app()
"""


def _without_extras(*args: str) -> list[str]:
    code = BLOCKED_RUN.format(modules=_optional_modules())
    return [sys.executable, "-c", code, *args]


def test_build_and_serve_need_no_extra(sample_dir: Path, tmp_path: Path):
    assert {"matplotlib", "psutil", "nbclient", "pytest", "httpx", "yaml"} <= set(
        _optional_modules())
    catalog = tmp_path / "catalog"
    built = subprocess.run(_without_extras("build", "--raw", str(sample_dir), "--catalog",
                                           str(catalog)),
                           cwd=tmp_path, capture_output=True, text=True, timeout=300,
                           check=False)
    assert built.returncode == 0, built.stderr[-3000:]
    port = free_port()
    env = {"FILMOTECA_CATALOG_DIR": str(catalog), "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen(_without_extras("serve", "--port", str(port)), cwd=tmp_path,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(f"{base}/health", server, timeout=60)
        with urllib.request.urlopen(f"{base}/recomendacion/Toy%20Story", timeout=5) as answer:
            body = json.loads(answer.read())
        assert body["titulo"] == "Toy Story" and len(body["recomendaciones"]) == 5
    finally:
        stop(server)
