"""The catalog store never deletes what it did not make: two catalogs in one folder, a user's
own ``builds/`` folder, a killed build's debris, and catalogs of the old layout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from filmoteca.catalog import store
from filmoteca.etl.pipeline import BuildResult, build_catalog
from filmoteca.services.catalog import load_catalog

FILMS = 2993  # films in the catalog of the embedded sample


def _publish_copy(build: BuildResult, catalog: Path) -> Path:
    """Publish a copy of the session's sample build as ``catalog`` (no rebuild needed)."""
    tmp = store.new_build_dir(catalog)
    for item in build.path.iterdir():
        if item.is_dir():  # semantic/ (its 65 MB model table: linked, not copied)
            shutil.copytree(item, tmp / item.name, copy_function=os.link)
        elif item.name != store.MARKER:
            shutil.copy(item, tmp / item.name)
    return store.publish(catalog, tmp)


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def _user_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_two_catalogs_in_one_folder_survive_each_other(sample_build: BuildResult,
                                                       sample_dir: Path, tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    _publish_copy(sample_build, a)
    index_a = (a / store.INDEX).read_bytes()
    built_b = build_catalog(raw_dir=sample_dir, catalog_dir=b)  # a real build next to a
    assert built_b.path.parent == tmp_path / "b.builds"
    assert (a / store.INDEX).read_bytes() == index_a
    _publish_copy(sample_build, a)  # and a's build leaves b alone
    assert b.resolve() == built_b.path.resolve()
    for catalog in (a, b):
        assert len(load_catalog(catalog)) == FILMS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "a.builds", "b", "b.builds"]


def test_user_folders_are_never_touched(sample_build: BuildResult, tmp_path: Path):
    own = tmp_path / "builds"  # the shared name the old layout used
    (own / "holidays").mkdir(parents=True)
    (own / "holidays" / "photo.txt").write_text("mine", encoding="utf-8")
    (own / "notes.txt").write_text("also mine", encoding="utf-8")
    (own / ".tmp-20200101T000000-1").mkdir()  # looks like debris of the old layout
    catalog = tmp_path / "catalog"
    first = _publish_copy(sample_build, catalog)
    stray = first.parent / "my-backup"  # a folder of the user inside catalog.builds/
    stray.mkdir()
    (stray / "manifest.json").write_text("{}", encoding="utf-8")
    before = _user_files(own)
    for _ in range(3):
        _publish_copy(sample_build, catalog)
    assert _user_files(own) == before
    assert (own / ".tmp-20200101T000000-1").is_dir()
    assert (stray / "manifest.json").read_text(encoding="utf-8") == "{}"


def test_keeps_the_new_build_and_the_one_it_replaced(sample_build: BuildResult,
                                                     tmp_path: Path):
    catalog = tmp_path / "catalog"
    builds = [_publish_copy(sample_build, catalog) for _ in range(3)]
    left = sorted(p.name for p in (tmp_path / "catalog.builds").iterdir())
    assert left == sorted(p.name for p in builds[1:])
    assert catalog.resolve() == builds[2].resolve()
    assert os.readlink(catalog) == f"catalog.builds/{builds[2].name}"  # relative link
    marker = orjson.loads((builds[2] / store.MARKER).read_bytes())
    assert marker["tool"] == "filmoteca" and marker["catalog"] == "catalog"


def test_killed_build_is_cleaned_by_the_next_build_of_the_same_catalog_only(
    sample_build: BuildResult, tmp_path: Path
):
    a, b = tmp_path / "a", tmp_path / "b"
    _publish_copy(sample_build, a)
    running = store.new_build_dir(a)  # another build of a, still running (this process)
    killed = store.new_build_dir(a)
    marker = orjson.loads((killed / store.MARKER).read_bytes())
    marker["pid"] = _dead_pid()  # as if its process had been killed
    (killed / store.MARKER).write_bytes(orjson.dumps(marker))
    (killed / "films.parquet").write_bytes(b"half-written")

    _publish_copy(sample_build, b)
    assert killed.is_dir() and running.is_dir()  # b's build does not touch a's folders
    _publish_copy(sample_build, a)
    assert not killed.exists()
    assert running.is_dir()  # its process is alive: it is not debris
    store.discard(running)


def test_a_failed_first_build_leaves_no_folder(tmp_path: Path):
    catalog = tmp_path / "catalog"
    store.discard(store.new_build_dir(catalog))
    assert list(tmp_path.iterdir()) == []


def test_old_layout_keeps_serving_until_rebuilt(sample_build: BuildResult, sample_dir: Path,
                                                tmp_path: Path):
    old = tmp_path / "builds" / "20250101T000000-42"
    shutil.copytree(sample_build.path, old)
    (old / store.MARKER).unlink()  # the old layout had no marker
    catalog = tmp_path / "catalog"
    catalog.symlink_to(Path("builds") / old.name)
    assert len(load_catalog(catalog)) == FILMS
    assert store.legacy_target(catalog) == old

    rebuilt = build_catalog(raw_dir=sample_dir, catalog_dir=catalog)
    assert catalog.resolve() == rebuilt.path.resolve()
    assert rebuilt.path.parent == tmp_path / "catalog.builds"
    assert (old / store.INDEX).is_file()  # never deleted: nothing says it was ours alone
    assert any("old layout" in note for note in rebuilt.report.notes)
    assert len(load_catalog(catalog)) == FILMS


def test_resolve_once(sample_build: BuildResult, tmp_path: Path):
    catalog = tmp_path / "catalog"
    first = _publish_copy(sample_build, catalog)
    real = store.resolve(catalog)
    assert real == first.resolve()
    _publish_copy(sample_build, catalog)  # a publish while a reader holds ``real``
    assert store.resolve(catalog) != real
    assert (real / store.INDEX).is_file()  # the replaced build is still readable
    with pytest.raises(store.CatalogError, match="filmoteca build"):
        store.resolve(tmp_path / "nothing")


def _publish_other(build: BuildResult, catalog: Path) -> Path:
    """Publish a build whose tables differ from the session's (one row each)."""
    import pandas as pd

    tmp = store.new_build_dir(catalog)
    for item in build.path.iterdir():
        if item.is_dir():  # semantic/ (its 65 MB model table: linked, not copied)
            shutil.copytree(item, tmp / item.name, copy_function=os.link)
        elif item.name != store.MARKER:
            shutil.copy(item, tmp / item.name)
    for name in ("films", "ratings", "film_genres", "directors"):
        frame = pd.read_parquet(tmp / f"{name}.parquet")
        frame.head(1).to_parquet(tmp / f"{name}.parquet")
    return store.publish(catalog, tmp)


@pytest.mark.parametrize("reader", ["evaluation", "eda"])
def test_a_publish_in_the_middle_of_a_read_does_not_mix_builds(
    reader: str, sample_build: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import pyarrow.parquet as pq

    from filmoteca.analysis.eda.data import load_data
    from filmoteca.analysis.evaluate import load_tables

    catalog = tmp_path / "catalog"
    _publish_copy(sample_build, catalog)
    read_table = pq.read_table  # what pandas and the store read Parquet files with
    published: list[Path] = []

    def read_then_publish(*args, **kwargs):
        table = read_table(*args, **kwargs)
        if not published:  # a build lands right after the reader's first table
            published.append(catalog)
            published[0] = _publish_other(sample_build, catalog)
        return table

    monkeypatch.setattr(pq, "read_table", read_then_publish)
    if reader == "evaluation":
        tables = load_tables(catalog)
        rows = {"films": len(tables.films), "film_genres": len(tables.film_genres),
                "directors": len(tables.directors)}
    else:
        data = load_data(catalog)
        rows = {"films": len(data.films), "film_genres": len(data.genres),
                "directors": len(data.directors)}
    assert published and catalog.resolve() == published[0].resolve()
    # every table from the build that was read first
    assert rows == {name: sample_build.manifest["tables"][name] for name in rows}
