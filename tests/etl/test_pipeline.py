"""The build as a whole: atomic publication, a failed build leaves the catalog untouched,
the CLI's one-line errors and exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from filmoteca.catalog.binary import SectionFile
from filmoteca.catalog.layout import INDEX_FILE, SEMANTIC_DIR
from filmoteca.etl import pipeline
from filmoteca.etl.pipeline import BuildResult, build_catalog
from filmoteca.raw.files import RawDataError


def test_build_writes_every_table_and_the_report(sample_build: BuildResult):
    names = {p.name for p in sample_build.path.iterdir()}
    for table in ("films", "film_genres", "film_companies", "film_countries", "film_languages",
                  "film_collections", "cast", "directors", "keywords", "ratings", "neighbours"):
        assert f"{table}.parquet" in names
    report = orjson.loads((sample_build.path / "build_report.json").read_bytes())
    assert report["dataset"] == "sample"
    assert set(report["stages"]) == {"movies", "credits", "keywords", "ratings", "neighbours",
                                     "index", "embeddings", "total"}
    manifest = orjson.loads((sample_build.path / "manifest.json").read_bytes())
    assert manifest["films"] == 2993 and manifest["dataset"] == "sample"


def test_failed_build_leaves_previous_catalog(sample_dir: Path, tmp_path: Path, monkeypatch):
    catalog = tmp_path / "catalog"
    first = build_catalog(raw_dir=sample_dir, catalog_dir=catalog)
    target = os.readlink(catalog)

    def boom(*args, **kwargs):
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(pipeline, "neighbour_chunks", boom)
    with pytest.raises(RuntimeError):
        build_catalog(raw_dir=sample_dir, catalog_dir=catalog)
    assert os.readlink(catalog) == target
    assert (catalog / "manifest.json").exists()
    assert [p.name for p in (tmp_path / "catalog.builds").iterdir()] == [first.path.name]


def test_second_build_replaces_the_first(sample_dir: Path, tmp_path: Path):
    catalog = tmp_path / "catalog"
    first = build_catalog(raw_dir=sample_dir, catalog_dir=catalog)
    shutil.rmtree(first.path)  # even a vanished old build is no obstacle
    second = build_catalog(raw_dir=sample_dir, catalog_dir=catalog)
    assert catalog.resolve() == second.path.resolve()


def test_bad_raw_file_writes_nothing(sample_dir: Path, tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "movies_metadata.csv").write_text("id,title\n1,x\n", encoding="utf-8")
    shutil.copy(sample_dir / "credits_sample.csv.gz", raw / "credits.csv.gz")
    with pytest.raises(RawDataError, match=r"movies_metadata\.csv: missing required columns"):
        build_catalog(raw_dir=raw, catalog_dir=tmp_path / "catalog")
    assert list(tmp_path.iterdir()) == [raw]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "filmoteca.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_error_is_one_line_and_non_zero(tmp_path: Path):
    result = _cli("build", "--raw", str(tmp_path / "missing"), "--catalog",
                  str(tmp_path / "catalog"), cwd=tmp_path)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("error: raw directory not found")
    assert "Traceback" not in result.stderr


def test_cli_build_says_which_data(sample_dir: Path, tmp_path: Path):
    result = _cli("build", "--raw", str(sample_dir), "--catalog", str(tmp_path / "catalog"),
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "sample" in result.stderr and "2,993 films" in result.stderr


TABLES = ("films", "film_genres", "film_companies", "film_countries", "film_languages",
          "film_collections", "cast", "directors", "keywords", "ratings", "neighbours")


class RecordingProgress:
    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.advanced: dict[str, int] = {}

    def start(self, stage: str, total: int | None = None) -> None:
        self.stages.append((stage, total))
        self.advanced[stage] = 0

    def advance(self, units: int = 1) -> None:
        self.advanced[self.stages[-1][0]] += units


def test_streaming_in_small_chunks_builds_the_same_catalog(
    sample_build: BuildResult, sample_dir: Path, tmp_path: Path, monkeypatch
):
    """Raw files read 97 rows at a time (ids repeated across chunks, a chunk boundary in
    most files) give exactly the catalog of the one-chunk build, and every stage shows its
    progress."""
    import pandas as pd

    from filmoteca.raw import files

    for kind in ("movies", "credits", "keywords"):
        monkeypatch.setitem(files.CHUNK_ROWS, kind, 97)
    progress = RecordingProgress()
    small = build_catalog(raw_dir=sample_dir, catalog_dir=tmp_path / "catalog",
                          progress=progress)
    for table in TABLES:
        got = pd.read_parquet(small.path / f"{table}.parquet")
        want = pd.read_parquet(sample_build.path / f"{table}.parquet")
        if table == "neighbours":
            got["reasons"], want["reasons"] = got["reasons"].map(list), want["reasons"].map(list)
        pd.testing.assert_frame_equal(got, want, obj=table)
    got, want = small.report.to_dict(), sample_build.report.to_dict()
    for part in ("dropped", "repaired", "tables"):
        assert got[part] == want[part], part
    assert got["dropped"]["keywords_file.duplicate_id"] == 987  # repeated across chunks
    index = SectionFile(small.path / INDEX_FILE)
    reference = SectionFile(sample_build.path / INDEX_FILE)
    sections = index.header["sections"]
    assert sections.keys() == reference.header["sections"].keys()
    assert [name for name in sections
            if bytes(index.bytes_of(name)) != bytes(reference.bytes_of(name))] == []
    assert {k for k in index.header if index.header[k] != reference.header[k]} == {"manifest"}

    names = [stage for stage, _ in progress.stages]
    for prefix in ("Films", "Credits", "Keywords", "Ratings", "Recommender: features",
                   "Recommender: neighbours", "Serving index"):
        assert any(name.startswith(prefix) for name in names), prefix
    assert progress.advanced["Films (rows read)"] == 2996
    assert progress.advanced["Recommender: neighbours"] == 2993


def test_build_without_embeddings_skips_the_stage(sample_dir: Path, tmp_path: Path):
    result = build_catalog(raw_dir=sample_dir, catalog_dir=tmp_path / "catalog",
                           embeddings=False)
    assert not (result.path / SEMANTIC_DIR).exists()
    report = result.report.to_dict()
    assert "embeddings" not in report["stages"]
    assert any("embeddings stage skipped" in note for note in report["notes"])
    assert result.manifest["films"] == 2993
    # served as `filmoteca serve` serves it: no model (titles the shipped table does not
    # know stay a 404; the table's still answer), description search 503
    from fastapi.testclient import TestClient

    from filmoteca.api.app import create_app
    from filmoteca.config import Settings
    from filmoteca.services.catalog import load_catalog

    app = create_app(load_catalog(tmp_path / "catalog"), Settings(catalog_dir=tmp_path / "catalog"))
    with TestClient(app) as client:
        assert client.get("/peliculas_duracion/Toy Story").status_code == 200
        assert client.get("/peliculas_duracion/Conduciendo a Miss Daisy").status_code == 404
        assert client.get("/peliculas_duracion/El padrino").json()["id"] == 238
        described = client.get("/buscar_descripcion", params={"q": "un tiburón"})
        assert described.status_code == 503
        assert "filmoteca build" in described.json()["detail"]["mensaje"]
