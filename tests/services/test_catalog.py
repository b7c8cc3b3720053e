"""Loading the serving catalog: fast, checked, and free of the build-time stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from filmoteca.catalog.binary import SectionFile, SectionWriter
from filmoteca.catalog.layout import INDEX_FILE
from filmoteca.catalog.store import CatalogError
from filmoteca.services.catalog import load_catalog

#: numpy is allowed: the semantic layer (Spanish titles, description search) uses it.
HEAVY = ("pandas", "pyarrow", "scipy", "sklearn", "babel")


def test_loads_every_film(catalog, sample_build) -> None:
    assert len(catalog) == sample_build.manifest["films"]
    assert catalog.dataset == "sample"
    assert catalog.position_of_id[862] == catalog.by_title["toy story"][0]


def test_serving_process_imports_no_build_stack(catalog_dir: Path) -> None:
    code = (
        "import sys, pathlib\n"
        "from fastapi.testclient import TestClient\n"
        "from filmoteca.api.app import create_app\n"
        "from filmoteca.services.catalog import load_catalog\n"
        f"app = create_app(load_catalog(pathlib.Path({str(catalog_dir)!r})))\n"
        "with TestClient(app) as c:\n"
        "    for u, status in (('/health', 200), ('/peliculas_idioma/en', 200),\n"
        "                      ('/recomendacion/Toy Story', 200), ('/buscar?q=toy', 200),\n"
        "                      ('/get_director/nadie', 404), ('/franquicia/x', 404),\n"
        "                      ('/peliculas_duracion/El padrino', 200),\n"
        "                      ('/peliculas_duracion/Toy Stroy', 404),\n"
        "                      ('/buscar_descripcion?q=un tiburón', 200),\n"
        "                      ('/pelicula/862', 200),\n"
        "                      ('/recomendacion/Toy Story?idioma=fr&genero=Drama', 200),\n"
        "                      ('/recomendacion?titulo=Toy Story&titulo=Heat', 200)):\n"
        "        assert c.get(u).status_code == status, u\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _rewrite(source: Path, target: Path, damage: str) -> None:
    """Copy the index of ``source`` into ``target`` with one defect."""
    index = SectionFile(source / INDEX_FILE)
    out = SectionWriter()
    for name, (kind, _offset, _length) in index.header["sections"].items():
        data = bytes(index.bytes_of(name))
        if damage == "drop_key" and name == "titles.keys.data":
            continue
        if damage == "short_column" and name == "films.year":
            data = data[:-4]
        out.add(name, kind, data)
    header = {k: v for k, v in index.header.items() if k != "sections"}
    if damage == "version":
        header["version"] = 999
    target.mkdir()
    out.write(target / INDEX_FILE, header)


def test_missing_catalog(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="filmoteca build"):
        load_catalog(tmp_path / "nowhere")


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2, 3]", b"FILMOTECA-INDEX"])
def test_corrupt_catalog(tmp_path: Path, content: bytes) -> None:
    (tmp_path / INDEX_FILE).write_bytes(content)
    with pytest.raises(CatalogError, match="filmoteca build") as error:
        load_catalog(tmp_path)
    assert "\n" not in str(error.value)


def test_truncated_catalog(catalog_dir: Path, tmp_path: Path) -> None:
    whole = (catalog_dir / INDEX_FILE).read_bytes()
    (tmp_path / INDEX_FILE).write_bytes(whole[:len(whole) // 2])
    with pytest.raises(CatalogError, match="filmoteca build") as error:
        load_catalog(tmp_path)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("damage", ["drop_key", "short_column", "version"])
def test_index_that_parses_but_is_wrong(catalog_dir: Path, tmp_path: Path, damage: str) -> None:
    target = tmp_path / "catalog"
    _rewrite(catalog_dir, target, damage)
    with pytest.raises(CatalogError, match="filmoteca build") as error:
        load_catalog(target)
    assert "\n" not in str(error.value)


def test_an_intact_copy_loads(catalog_dir: Path, tmp_path: Path) -> None:
    """The rewriting above changes nothing by itself (so each failure is its defect's)."""
    _rewrite(catalog_dir, tmp_path / "catalog", "none")
    assert len(load_catalog(tmp_path / "catalog")) == len(load_catalog(catalog_dir))
