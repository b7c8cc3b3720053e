"""Write and read the catalog directory, and never touch anything this project did not make.

Layout, for ``--catalog X/catalog`` (``data/processed/catalog`` by default)::

    X/catalog -> catalog.builds/20261126T120000-1234-0   (a relative symlink, swapped atomically)
    X/catalog.builds/                  this catalog's builds, and nothing else's
        20261126T120000-1234-0/
            .filmoteca-build     the marker: this folder is a build of ``X/catalog``
            manifest.json        dataset kind (sample | full | synthetic), counts, build time
            build_report.json    dropped / repaired rows by reason, rows per table, timings
            index.bin            the serving index (all the API loads, memory-mapped)
            *.parquet            the clean tables (ETL, EDA, evaluation)
        .tmp-20261126T130000-5678-0/   a build being written (or killed half-way)

A build writes a new folder completely, then replaces the ``catalog`` symlink with
:func:`os.replace` (atomic on POSIX): a build that fails or is killed half-way leaves the
previous catalog untouched and serving.

Clean-up only ever removes folders inside ``<catalog>.builds/`` that carry the marker naming
this catalog: after a publish, every such build except the new one and the one it replaced
(a reader that resolved the link just before the swap may still be reading it); before a
build, ``.tmp-*`` folders whose process is gone. Two catalogs in one folder (``X/a`` and
``X/b``) have separate ``X/a.builds/`` and ``X/b.builds/``; a user's own ``X/builds/`` is
never looked at. Upgrading from the old layout (``catalog -> builds/NAME``): the old build
keeps serving until the next build swaps the link, and is then left where it is (nothing
marks it as this catalog's alone), which :func:`legacy_target` lets the build report say.

Readers resolve the link ONCE (:func:`resolve`) and read every file from the real build
folder, so a publish during a long read (evaluation, EDA) cannot mix two builds.

Pure standard library and orjson (the serving process imports it); the Parquet tables of a
build are :mod:`filmoteca.catalog.tables`.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import orjson

from filmoteca.catalog.layout import INDEX_FILE
from filmoteca.folders import alive, swap_link

MANIFEST = "manifest.json"
REPORT = "build_report.json"
INDEX = INDEX_FILE
#: Suffix of the folder holding one catalog's builds: ``X/catalog`` -> ``X/catalog.builds``.
BUILDS_SUFFIX = ".builds"
#: The file that marks a folder as a build made by this project, for one catalog.
MARKER = ".filmoteca-build"
#: The shared folder of the old layout (``catalog -> builds/NAME``), only ever read.
LEGACY_BUILDS = "builds"
TMP_PREFIX = ".tmp-"
HINT = "run `filmoteca build` (or `make build`)"
_SERIAL = itertools.count()


class CatalogError(Exception):
    """The catalog is missing or unreadable (one-line message saying what to run)."""


def _dump(path: Path, data: Any, indent: bool = True) -> None:
    option = orjson.OPT_SERIALIZE_NUMPY | (orjson.OPT_INDENT_2 if indent else 0)
    path.write_bytes(orjson.dumps(data, option=option))


def builds_dir(catalog_dir: Path) -> Path:
    """The folder that holds ``catalog_dir``'s builds (and no other catalog's)."""
    return catalog_dir.with_name(catalog_dir.name + BUILDS_SUFFIX)


def _marker(folder: Path) -> dict[str, Any] | None:
    """The marker of a build folder made by this project, or None (not ours, or unreadable)."""
    try:
        data = orjson.loads((folder / MARKER).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("tool") == "filmoteca" else None


def _ours(folder: Path, catalog_dir: Path) -> dict[str, Any] | None:
    """The marker if ``folder`` is a build of ``catalog_dir`` made by this project."""
    marker = _marker(folder)
    if marker is None or marker.get("catalog") != catalog_dir.name:
        return None
    return marker


def _remove_abandoned(catalog_dir: Path) -> None:
    """Delete this catalog's ``.tmp-*`` builds whose process (on this host) is gone."""
    builds = builds_dir(catalog_dir)
    for tmp in builds.glob(f"{TMP_PREFIX}*"):
        marker = _ours(tmp, catalog_dir)
        if marker is None or marker.get("host") != socket.gethostname():
            continue
        pid = marker.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and not alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)


def new_build_dir(catalog_dir: Path) -> Path:
    """A fresh, marked ``.tmp-*`` folder in ``<catalog>.builds/`` for one build to fill."""
    builds = builds_dir(catalog_dir)
    made = [d for d in (builds, *builds.parents) if not d.exists()]  # innermost first
    builds.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(catalog_dir)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for _ in range(1000):
        name = f"{stamp}-{os.getpid()}-{next(_SERIAL)}"  # unique among live processes
        path = builds / f"{TMP_PREFIX}{name}"
        if (builds / name).exists():
            continue
        try:
            path.mkdir()
        except FileExistsError:
            continue
        _dump(path / MARKER, {
            "tool": "filmoteca", "catalog": catalog_dir.name, "pid": os.getpid(),
            "host": socket.gethostname(), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "made_dirs": [str(d.absolute()) for d in made],
        })
        return path
    raise CatalogError(f"cannot create a build folder in {builds}")  # pragma: no cover


def current_build(catalog_dir: Path) -> Path | None:
    """The real folder ``catalog_dir`` points to now, or None if there is none."""
    try:
        real = catalog_dir.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_dir() else None


def legacy_target(catalog_dir: Path) -> Path | None:
    """The build of the old layout (``catalog -> builds/NAME``) the link points to, if so."""
    if not catalog_dir.is_symlink():
        return None
    target = Path(os.readlink(catalog_dir))
    if target.is_absolute() or target.parts[:1] != (LEGACY_BUILDS,):
        return None
    return catalog_dir.parent / target


def publish(catalog_dir: Path, build_dir: Path) -> Path:
    """Make ``build_dir`` the catalog: rename it to its final name, swap the symlink, then
    remove this catalog's older builds (keeping the one just replaced)."""
    final = build_dir.with_name(build_dir.name.removeprefix(TMP_PREFIX))
    build_dir.rename(final)
    replaced = current_build(catalog_dir)
    if catalog_dir.exists() and not catalog_dir.is_symlink():
        # A plain directory from another tool: keep it beside the catalog, never delete it.
        catalog_dir.rename(catalog_dir.with_name(catalog_dir.name + f".old-{os.getpid()}"))
    swap_link(catalog_dir, Path(final.parent.name) / final.name)
    keep = {final.resolve()} | ({replaced} if replaced else set())
    for old in final.parent.iterdir():
        if (old.name.startswith(TMP_PREFIX) or old.is_symlink() or not old.is_dir()
                or old.resolve() in keep):
            continue
        if _ours(old, catalog_dir) is not None:
            shutil.rmtree(old, ignore_errors=True)
    return final


def discard(build_dir: Path) -> None:
    """Remove a build that failed (it is ours: :func:`new_build_dir` made it), and the
    folders it created for it (``<catalog>.builds/``, missing parents) if they are empty."""
    marker = _marker(build_dir) or {}
    shutil.rmtree(build_dir, ignore_errors=True)
    for folder in marker.get("made_dirs", []):  # innermost first
        try:
            Path(folder).rmdir()  # only succeeds when empty
        except OSError:
            break


def resolve(catalog_dir: Path) -> Path:
    """The real build folder behind ``catalog_dir``, resolved once: read every file of one
    run from it, so a publish in the middle of the run cannot mix two builds."""
    real = current_build(Path(catalog_dir))
    if real is None:
        raise CatalogError(f"catalog not found: {catalog_dir} does not exist; {HINT}")
    return real


def write_json(build_dir: Path, name: str, data: Any) -> None:
    """Write ``name`` into the build (the manifest and the report: small, indented)."""
    _dump(build_dir / name, data, indent=True)


def read_json(catalog_dir: Path, name: str) -> Any:
    path = catalog_dir / name
    if not path.exists():
        raise CatalogError(f"catalog not found: {path} is missing; {HINT}")
    try:
        return orjson.loads(path.read_bytes())
    except (orjson.JSONDecodeError, OSError) as exc:
        raise CatalogError(f"catalog is corrupt: {path} ({exc}); {HINT}") from None
