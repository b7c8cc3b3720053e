"""Faults end to end, through the real command line: what a user sees when things break.

Owns three promises of the product:

- a build killed half-way (SIGKILL, e.g. the host's out-of-memory killer) leaves the previous
  catalog published and serving;
- ``filmoteca serve`` with a missing or corrupt catalog refuses to start at once: non-zero
  exit, one line on stderr saying what to run, no traceback;
- ``filmoteca build --raw DIR`` with a truncated file, a wrong encoding, a wrong delimiter
  or missing columns stops with one error line naming the file (the reading rules
  themselves are unit-tested in ``tests/raw/test_files.py``; here the CLI is exercised).

The command-line cases run as concurrent subprocesses (one module fixture each) to keep the
file fast on two cores.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from devserver import free_port

from filmoteca.catalog.layout import INDEX_FILE
from filmoteca.etl.pipeline import BuildResult, build_catalog

TIMEOUT = 60  # seconds; every failing command must be far quicker than this


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FILMOTECA_")}
    full_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "filmoteca.cli", *args], env=full_env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _finish(procs: dict[str, subprocess.Popen[str]]) -> dict[str, tuple[int, str, float]]:
    """Wait for every process (bounded); return code, stderr and seconds to exit."""
    start = time.monotonic()
    results: dict[str, tuple[int, str, float]] = {}
    for name, proc in procs.items():
        try:
            _, err = proc.communicate(timeout=max(1.0, TIMEOUT - (time.monotonic() - start)))
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            err += "\n<still running after the timeout: killed by the test>"
        results[name] = (proc.returncode, err, time.monotonic() - start)
    return results


def _error_line(stderr: str) -> str:
    """The single ``error:`` line, which must also be the last line written."""
    assert "Traceback" not in stderr, stderr
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1, stderr
    assert lines[-1].endswith(errors[0].split("error:", 1)[1].strip()), stderr
    return errors[0][errors[0].index("error:"):]


def _copy_catalog(build: BuildResult, root: Path) -> Path:
    """A published catalog (symlink -> catalog.builds/<name>) in ``root``, copied from the
    session build (marker included) so the test does not pay for a first build."""
    target = root / "catalog.builds" / build.path.name
    shutil.copytree(build.path, target)
    (root / "catalog").symlink_to(Path("catalog.builds") / build.path.name)
    return root / "catalog"


def test_killed_build_leaves_the_previous_catalog_serving(
    sample_build: BuildResult, sample_dir: Path, tmp_path: Path
):
    from fastapi.testclient import TestClient

    from filmoteca.api.app import create_app
    from filmoteca.services.catalog import load_catalog

    catalog = _copy_catalog(sample_build, tmp_path)
    published = os.readlink(catalog)
    before = (catalog / INDEX_FILE).read_bytes()

    proc = _cli("build", "--raw", str(sample_dir), "--catalog", str(catalog))
    deadline = time.monotonic() + TIMEOUT
    while not list((tmp_path / "catalog.builds").glob(".tmp-*")):
        assert proc.poll() is None, f"the build ended before it could be killed: {proc.returncode}"
        assert time.monotonic() < deadline, "the second build never started writing"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # mid-way: after it created its build directory
    proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == -signal.SIGKILL

    assert os.readlink(catalog) == published
    assert (catalog / INDEX_FILE).read_bytes() == before
    loaded = load_catalog(catalog)
    assert len(loaded) == sample_build.manifest["films"]
    with TestClient(create_app(loaded)) as client:
        assert client.get("/health").status_code == 200
        answer = client.get("/peliculas_duracion/Toy Story")
        assert answer.status_code == 200 and answer.json()["anio"] == 1995

    # The debris of the killed build does not stand in the way of the next build, which
    # removes it (its process is gone).
    rebuilt = build_catalog(raw_dir=sample_dir, catalog_dir=catalog)
    assert catalog.resolve() == rebuilt.path.resolve() != (tmp_path / published).resolve()
    assert not list((tmp_path / "catalog.builds").glob(".tmp-*"))
    assert len(load_catalog(catalog)) == sample_build.manifest["films"]


# --------------------------------------------------------------------------------------
# Serving a missing or corrupt catalog


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


SERVE_CASES: dict[str, Callable[[Path], Path]] = {}


def _serve_case(func: Callable[[Path], Path]) -> Callable[[Path], Path]:
    SERVE_CASES[func.__name__.removeprefix("catalog_")] = func
    return func


@_serve_case
def catalog_missing(catalog: Path) -> Path:
    return catalog.parent / "never-built" / "catalog"


@_serve_case
def catalog_dangling_link(catalog: Path) -> Path:
    shutil.rmtree(catalog.resolve())  # the build it pointed to was deleted
    return catalog


@_serve_case
def catalog_truncated_index(catalog: Path) -> Path:
    _truncate(catalog / INDEX_FILE)
    return catalog


@_serve_case
def catalog_empty_index(catalog: Path) -> Path:
    (catalog / INDEX_FILE).write_bytes(b"")
    return catalog


@_serve_case
def catalog_index_of_another_shape(catalog: Path) -> Path:
    (catalog / INDEX_FILE).write_bytes(b'{"manifest": {"dataset": "sample"}}')
    return catalog


@pytest.fixture(scope="module")
def serve_results(
    sample_build: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, str, float]]:
    procs = {}
    for name, damage in SERVE_CASES.items():
        root = tmp_path_factory.mktemp(f"serve-{name}")
        catalog = damage(_copy_catalog(sample_build, root))
        procs[name] = _cli("serve", "--port", str(free_port()),
                           env={"FILMOTECA_CATALOG_DIR": str(catalog)})
    return _finish(procs)


@pytest.mark.parametrize("case", list(SERVE_CASES))
def test_serve_refuses_a_missing_or_corrupt_catalog(
    case: str, serve_results: dict[str, tuple[int, str, float]]
):
    code, stderr, seconds = serve_results[case]
    assert code != 0, stderr
    assert seconds < 30, f"took {seconds:.1f} s to give up"
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    line = _error_line(stderr)
    assert "filmoteca build" in line
    assert ("not found" in line) if case in {"missing", "dangling_link"} else (
        "corrupt" in line or "incomplete" in line or "version" in line
    ), line


# --------------------------------------------------------------------------------------
# Broken raw files through `filmoteca build --raw DIR`


def _sample_text(sample_dir: Path, name: str) -> str:
    with gzip.open(sample_dir / name, "rt", encoding="utf-8", newline="") as handle:
        return handle.read()


def raw_truncated_gzip(raw: Path, sample_dir: Path) -> None:
    _truncate(raw / "credits.csv.gz")


def raw_truncated_inside_a_cell(raw: Path, sample_dir: Path) -> None:
    (raw / "credits.csv.gz").unlink()
    text = _sample_text(sample_dir, "credits_sample.csv.gz")
    cut = text.index("'Director'", len(text) // 2)  # inside a quoted crew cell
    (raw / "credits.csv").write_text(text[:cut], encoding="utf-8", newline="")


def raw_latin1_encoding(raw: Path, sample_dir: Path) -> None:
    (raw / "movies_metadata.csv.gz").unlink()
    text = _sample_text(sample_dir, "movies_dataset_sample.csv.gz")
    (raw / "movies_metadata.csv").write_bytes(text.encode("cp1252", errors="replace"))


def raw_semicolon_delimiter(raw: Path, sample_dir: Path) -> None:
    """What a spreadsheet in a Spanish locale writes on "Save as CSV"."""
    (raw / "movies_metadata.csv.gz").unlink()
    rows = csv.reader(io.StringIO(_sample_text(sample_dir, "movies_dataset_sample.csv.gz")))
    with (raw / "movies_metadata.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)


def raw_missing_column(raw: Path, sample_dir: Path) -> None:
    """A user-supplied keywords.csv without its ``keywords`` column."""
    (raw / "keywords.csv").write_text("id,palabras\n862,[]\n", encoding="utf-8")


RAW_CASES: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "truncated_gzip": (raw_truncated_gzip, r"credits\.csv\.gz: unreadable or truncated"),
    "truncated_inside_a_cell": (raw_truncated_inside_a_cell, r"credits\.csv: not a readable CSV"),
    "latin1_encoding": (raw_latin1_encoding, r"movies_metadata\.csv: not valid UTF-8"),
    "semicolon_delimiter": (
        raw_semicolon_delimiter,
        r"movies_metadata\.csv: missing required columns: .*is the delimiter a comma\?",
    ),
    "missing_column": (raw_missing_column, r"keywords\.csv: missing required columns: keywords$"),
}


@pytest.fixture(scope="module")
def raw_results(
    sample_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, str, float, Path]]:
    procs, catalogs = {}, {}
    for name, (damage, _) in RAW_CASES.items():
        root = tmp_path_factory.mktemp(f"raw-{name}")
        raw = root / "raw"
        raw.mkdir()
        shutil.copy(sample_dir / "movies_dataset_sample.csv.gz", raw / "movies_metadata.csv.gz")
        shutil.copy(sample_dir / "credits_sample.csv.gz", raw / "credits.csv.gz")
        damage(raw, sample_dir)
        catalogs[name] = root / "out" / "catalog"
        procs[name] = _cli("build", "--raw", str(raw), "--catalog", str(catalogs[name]))
    return {name: (*result, catalogs[name]) for name, result in _finish(procs).items()}


@pytest.mark.parametrize("case", list(RAW_CASES))
def test_build_names_the_broken_raw_file(
    case: str, raw_results: dict[str, tuple[int, str, float, Path]]
):
    import re

    code, stderr, _, catalog = raw_results[case]
    assert code == 1, stderr
    line = _error_line(stderr)
    assert re.search(RAW_CASES[case][1], line), line
    assert not catalog.exists() and not catalog.parent.exists()  # nothing written
