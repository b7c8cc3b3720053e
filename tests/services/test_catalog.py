"""Loading the serving catalog: fast, checked, and free of the build-time stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from filmoteca.catalog.store import INDEX, CatalogError
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
        "    for u in ('/health', '/peliculas_idioma/en', '/recomendacion/Toy Story',\n"
        "              '/buscar?q=toy', '/get_director/nadie', '/peliculas_duracion/El padrino',\n"
        "              '/buscar_descripcion?q=un tiburón'):\n"
        "        assert c.get(u).status_code in (200, 404), u\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _copy_index(catalog_dir: Path, target: Path) -> dict:
    target.mkdir()
    return orjson.loads((catalog_dir / INDEX).read_bytes())


def test_missing_catalog(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="filmoteca build"):
        load_catalog(tmp_path / "nowhere")


def test_corrupt_catalog(tmp_path: Path) -> None:
    (tmp_path / INDEX).write_text("{not json")
    with pytest.raises(CatalogError, match="filmoteca build") as error:
        load_catalog(tmp_path)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("damage", ["drop_key", "not_object", "short_column", "version"])
def test_index_that_parses_but_is_wrong(catalog_dir: Path, tmp_path: Path, damage: str) -> None:
    target = tmp_path / "catalog"
    index = _copy_index(catalog_dir, target)
    if damage == "drop_key":
        del index["titles"]
    elif damage == "not_object":
        index = [1, 2, 3]
    elif damage == "short_column":
        index["films"]["title"] = index["films"]["title"][:-1]
    else:
        index["version"] = 999
    (target / INDEX).write_text(json.dumps(index))
    with pytest.raises(CatalogError, match="filmoteca build") as error:
        load_catalog(target)
    assert "\n" not in str(error.value)
