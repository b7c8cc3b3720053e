"""Write and read the catalog directory.

Layout (``data/processed/`` by default)::

    catalog -> builds/20261126T120000-1234   (a symlink, swapped atomically)
    builds/20261126T120000-1234/
        manifest.json        dataset kind (sample | full | synthetic), counts, build time
        build_report.json    dropped / repaired rows by reason, rows per table, timings
        index.json           the serving index (all the API loads)
        *.parquet            the clean tables (ETL, EDA, evaluation)

A build writes a new ``builds/`` directory completely, then replaces the ``catalog`` symlink
with :func:`os.replace` (atomic on POSIX): a build that fails or is killed half-way leaves
the previous catalog untouched and serving. Older build directories are removed after the
swap; the temporary folder of a killed build is removed by the next build.

Reading the serving index needs only :mod:`orjson`; reading tables needs pandas/pyarrow.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import orjson

MANIFEST = "manifest.json"
REPORT = "build_report.json"
INDEX = "index.json"
BUILDS = "builds"


class CatalogError(Exception):
    """The catalog is missing or unreadable (one-line message saying what to run)."""


def _dump(path: Path, data: Any, indent: bool = True) -> None:
    option = orjson.OPT_SERIALIZE_NUMPY | (orjson.OPT_INDENT_2 if indent else 0)
    path.write_bytes(orjson.dumps(data, option=option))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned(builds: Path) -> None:
    """Delete ``.tmp-*`` folders left by builds that were killed (their process is gone)."""
    for tmp in builds.glob(".tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)


def new_build_dir(catalog_dir: Path) -> Path:
    builds = catalog_dir.parent / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(builds)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = builds / f".tmp-{stamp}-{os.getpid()}"
    path.mkdir()
    return path


def publish(catalog_dir: Path, build_dir: Path) -> Path:
    """Make ``build_dir`` the catalog: rename it to its final name, swap the symlink."""
    final = build_dir.with_name(build_dir.name.removeprefix(".tmp-"))
    build_dir.rename(final)
    if catalog_dir.exists() and not catalog_dir.is_symlink():
        # A plain directory from another tool: keep it beside the builds, never delete it.
        catalog_dir.rename(catalog_dir.with_name(catalog_dir.name + f".old-{os.getpid()}"))
    link_tmp = catalog_dir.with_name(f".{catalog_dir.name}.link-{os.getpid()}")
    if link_tmp.is_symlink():
        link_tmp.unlink()
    link_tmp.symlink_to(Path(BUILDS) / final.name)
    os.replace(link_tmp, catalog_dir)
    for old in final.parent.iterdir():
        if old != final and not old.name.startswith(".tmp-"):
            shutil.rmtree(old, ignore_errors=True)
    return final


def discard(build_dir: Path) -> None:
    shutil.rmtree(build_dir, ignore_errors=True)


def write_json(build_dir: Path, name: str, data: Any) -> None:
    """Write ``name`` into the build; the (large) serving index without indentation."""
    _dump(build_dir / name, data, indent=name != INDEX)


def read_json(catalog_dir: Path, name: str) -> Any:
    path = catalog_dir / name
    hint = "run `filmoteca build` (or `make build`)"
    if not path.exists():
        raise CatalogError(f"catalog not found: {path} is missing; {hint}")
    try:
        return orjson.loads(path.read_bytes())
    except (orjson.JSONDecodeError, OSError) as exc:
        raise CatalogError(f"catalog is corrupt: {path} ({exc}); {hint}") from None


def table_path(catalog_dir: Path, name: str) -> Path:
    return catalog_dir / f"{name}.parquet"
