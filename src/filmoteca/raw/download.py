"""``filmoteca download``: Kaggle's *The Movies Dataset* into the raw folder (``data/raw/``).

Owns: which files of the dataset the build needs (:data:`WANTED`, with the row counts that
version 7 of the dataset has), fetching each one with ``kagglehub`` (one file at a time, with
``path=``, straight into a staging folder: no copy in kagglehub's cache), checking each file
(UTF-8 CSV, the columns :mod:`filmoteca.raw.files` requires, a plausible number of rows, a
last row that is not cut short), and publishing them.

Publishing never leaves a half-written raw folder: everything happens in a staging folder
beside the raw folder (same filesystem), which receives hard links to the user's other files
already in the raw folder and then takes its place with two renames. Files of the same kinds
under other accepted names (``movies_dataset.csv``, ``credits.csv.gz``...) and the marker
of synthetic data are left out of the new folder: they would shadow the downloaded files.
Everything else the user had there is kept. On any failure (no network, a file missing in
the dataset, wrong columns, a truncated file) the raw folder is not touched and one
:class:`DownloadError` line says why. The catalog is never touched: rebuilding it is
``filmoteca build``'s job.

Authentication: the dataset is public, so none is needed; kagglehub itself reads
``KAGGLE_USERNAME``/``KAGGLE_KEY`` (or ``~/.kaggle/kaggle.json``) when they are set.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import logging
import os
import shutil
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from filmoteca.folders import NoSpace, alive, is_no_space, megabytes, replace_dir, writing
from filmoteca.formatting import format_int
from filmoteca.progress import NullProgress, Progress
from filmoteca.raw.files import (
    CREDITS,
    KEYWORDS,
    LINKS,
    MOVIES,
    RATINGS,
    SYNTHETIC_MARKER,
    RawSpec,
    find_file,
)

#: The dataset on Kaggle, pinned to a version so that every download gets the same files.
HANDLE = "rounakbanik/the-movies-dataset/versions/7"
#: Prefix of the staging folders created beside the raw folder.
STAGING_PREFIX = ".raw-download-"


class DownloadError(Exception):
    """The download or a check failed; the raw folder was not touched (one Spanish line)."""


@dataclass(frozen=True)
class Wanted:
    """A file of the Kaggle dataset that the build reads."""

    name: str
    spec: RawSpec
    #: Fewer rows than this means a wrong or cut file (version 7 has the count in comments).
    min_rows: int
    #: About how many bytes the file takes (version 7), to say how much space a download needs.
    size: int = 0


WANTED: tuple[Wanted, ...] = (
    Wanted("movies_metadata.csv", MOVIES, 45_000, 34_445_126),  # 45,466 rows
    Wanted("credits.csv", CREDITS, 45_000, 189_917_659),  # 45,476
    Wanted("keywords.csv", KEYWORDS, 46_000, 6_231_943),  # 46,419
    Wanted("links.csv", LINKS, 45_000, 989_107),  # 45,843
    Wanted("ratings_small.csv", RATINGS, 99_000, 2_438_266),  # 100,004
)


class Fetcher(Protocol):
    """What is used of kagglehub: ``dataset_download(handle, path=..., output_dir=...)``."""

    def __call__(self, handle: str, path: str | None = None, *,
                 output_dir: str | None = None) -> str: ...


@dataclass(frozen=True)
class Got:
    """One checked file: where it ended up, its rows (without the header) and bytes."""

    name: str
    path: Path
    rows: int
    size: int


@dataclass
class DownloadResult:
    raw_dir: Path
    files: list[Got]
    #: Files that were in the raw folder and were replaced or left out (they would shadow
    #: the downloaded ones).
    replaced: list[str]
    #: True when the raw folder already held valid files and nothing was downloaded.
    skipped: bool = False


def kagglehub_fetcher() -> Fetcher:
    """kagglehub's ``dataset_download``, imported only when a download is asked for."""
    try:
        import kagglehub
    except ImportError:
        raise DownloadError(
            "falta el paquete kagglehub: reinstale filmoteca (pip install .)"
        ) from None
    fetch: Fetcher = kagglehub.dataset_download
    return fetch


def download(
    raw_dir: Path,
    *,
    fetch: Fetcher | None = None,
    wanted: Sequence[Wanted] | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> DownloadResult:
    """Download, check and publish ``wanted`` (default :data:`WANTED`) into ``raw_dir``.

    If the build would already read every wanted file from ``raw_dir`` under its Kaggle name
    (plain or .gz: e.g. files committed to a fork) and they pass the checks, nothing is
    downloaded unless ``force``. Raises :class:`DownloadError`.
    """
    progress = progress or NullProgress()
    wanted = WANTED if wanted is None else wanted
    raw_dir = raw_dir.resolve()  # a symlinked raw folder: stage beside its target
    parent = raw_dir.parent
    _recover_interrupted(raw_dir)
    if not force and raw_dir.is_dir():
        present = _already_there(raw_dir, wanted, progress)
        if present is not None:
            return DownloadResult(raw_dir, present, [], skipped=True)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise DownloadError(f"no se puede escribir en {parent}: {exc.strerror or exc}") from None
    needed = sum(item.size for item in wanted)
    try:
        fetch = fetch or kagglehub_fetcher()
        incoming = work / "kaggle"
        incoming.mkdir()
        got = []
        for item in wanted:
            with writing(parent, item.name, needed):
                got.append(_fetch_and_check(fetch, item, incoming, progress))
        with writing(parent, "la carpeta nueva", needed):
            replaced = _publish(raw_dir, work, got, wanted)
    except NoSpace as full:
        raise DownloadError(
            f"no queda espacio en el disco de {full.folder} al escribir {full.what}: la "
            f"descarga ocupa unos {megabytes(full.needed or needed)} y quedan "
            f"{megabytes(full.free)} libres") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    final = [Got(g.name, raw_dir / g.name, g.rows, g.size) for g in got]
    return DownloadResult(raw_dir, final, replaced)


# --- fetching -------------------------------------------------------------------------------


def _fetch_and_check(fetch: Fetcher, item: Wanted, incoming: Path, progress: Progress) -> Got:
    progress.start(f"Descargando {item.name}")
    target = incoming / item.name
    with _quiet_kagglehub(), _watch_size(target, progress):
        try:
            returned = fetch(HANDLE, path=item.name, output_dir=str(incoming))
        except DownloadError:
            raise
        except Exception as exc:  # kagglehub/requests raise many kinds: one line for all
            if is_no_space(exc, incoming):
                raise  # said by the caller: which disk, how much space
            raise DownloadError(
                f"no se pudo descargar {item.name} de Kaggle ({_reason(exc)})"
            ) from None
    path = Path(returned)
    if not path.is_file():
        raise DownloadError(f"Kaggle no entregó {item.name} (se esperaba un archivo en {path})")
    if path != target:
        os.replace(path, target)
    rows = check_csv(target, item, progress)
    return Got(item.name, target, rows, target.stat().st_size)


def _reason(exc: BaseException) -> str:
    """A short, human reason for a failed request."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"ConnectionError", "Timeout", "ProxyError", "NameResolutionError"}:
        return "sin conexión con Kaggle: ¿hay internet?"
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if status is not None:
        return f"Kaggle respondió HTTP {status}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


@contextlib.contextmanager
def _quiet_kagglehub() -> Iterator[None]:
    """kagglehub prints its own tqdm bar and log lines; progress is shown by the caller."""
    logger = logging.getLogger("kagglehub")
    level, previous = logger.level, os.environ.get("TQDM_DISABLE")
    logger.setLevel(logging.WARNING)
    os.environ["TQDM_DISABLE"] = "1"
    try:
        yield
    finally:
        logger.setLevel(level)
        if previous is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = previous


@contextlib.contextmanager
def _watch_size(path: Path, progress: Progress, every: float = 0.25) -> Iterator[None]:
    """Report the bytes written so far to ``path`` while a download runs (kagglehub has no
    progress callback; the file grows in place)."""
    stop = threading.Event()
    reported = 0

    def poll() -> None:
        nonlocal reported
        while not stop.wait(every):
            with contextlib.suppress(OSError):
                size = path.stat().st_size
                if size > reported:
                    progress.advance(size - reported)
                    reported = size

    watcher = threading.Thread(target=poll, name="download-size", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


# --- checking -------------------------------------------------------------------------------


def _lines(path: Path, on_bytes: Callable[[int], None]) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        for line in handle:
            on_bytes(len(line))
            yield line.decode("utf-8")


def check_csv(path: Path, item: Wanted, progress: Progress | None = None) -> int:
    """Rows of a raw CSV file (plain or .gz) after checking it; raises :class:`DownloadError`
    if it is not UTF-8 CSV, lacks a required column, has fewer than ``item.min_rows`` rows,
    or its last row has fewer fields than the header (a file cut short)."""
    progress = progress or NullProgress()
    size = path.stat().st_size
    progress.start(f"Comprobando {path.name}", total=None if path.suffix == ".gz" else size)
    pending = 0

    def on_bytes(count: int) -> None:
        nonlocal pending
        pending += count
        if pending >= 1 << 20:
            progress.advance(pending)
            pending = 0

    name = path.name
    try:
        reader = csv.reader(_lines(path, on_bytes))
        header = next(reader, None)
        if not header:
            raise DownloadError(f"{name}: el archivo está vacío")
        missing = [c for c in item.spec.required_columns if c not in header]
        if missing:
            raise DownloadError(f"{name}: faltan columnas: {', '.join(missing)}")
        rows, last = 0, len(header)
        for row in reader:
            rows += 1
            last = len(row)
    except UnicodeDecodeError as exc:
        raise DownloadError(f"{name}: no es texto UTF-8 (byte {exc.start})") from None
    except csv.Error as exc:
        raise DownloadError(f"{name}: no es un CSV legible ({exc})") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DownloadError(f"{name}: archivo comprimido ilegible o cortado ({exc})") from None
    progress.advance(pending)
    if last < len(header):
        raise DownloadError(
            f"{name}: la última fila tiene {last} de {len(header)} campos: archivo cortado"
        )
    if rows < item.min_rows:
        raise DownloadError(
            f"{name}: sólo {format_int(rows)} filas, se esperaban al menos "
            f"{format_int(item.min_rows)}: archivo incompleto"
        )
    return rows


def _already_there(raw_dir: Path, wanted: Sequence[Wanted],
                   progress: Progress) -> list[Got] | None:
    """The wanted files if the build would read them from ``raw_dir`` as they are: each
    kind's file is the Kaggle one (plain or .gz, not shadowed by another accepted name), it
    passes the checks, and the folder is not marked synthetic."""
    if (raw_dir / SYNTHETIC_MARKER).exists() or (raw_dir / f"{SYNTHETIC_MARKER}.gz").exists():
        return None
    got = []
    for item in wanted:
        path = find_file(raw_dir, item.spec)
        if path is None or path.name not in {item.name, f"{item.name}.gz"}:
            return None
        try:
            rows = check_csv(path, item, progress)
        except (DownloadError, OSError):
            return None
        got.append(Got(item.name, path, rows, path.stat().st_size))
    return got


# --- publishing -----------------------------------------------------------------------------


def _shadowing(raw_dir: Path, wanted: Sequence[Wanted]) -> set[str]:
    """Top-level names in the raw folder that a build would read instead of (or besides)
    the downloaded files: other accepted names of the same kinds, and the synthetic marker."""
    names = {SYNTHETIC_MARKER, f"{SYNTHETIC_MARKER}.gz"}
    for item in wanted:
        for name in (*item.spec.names, item.name):
            names.update({name, f"{name}.gz"})
    return {n for n in names if (raw_dir / n).exists() or (raw_dir / n).is_symlink()}


def _link_or_copy(source: str, target: str) -> Any:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return target


def _publish(raw_dir: Path, work: Path, got: list[Got], wanted: Sequence[Wanted]) -> list[str]:
    """Make ``raw_dir`` hold the downloaded files plus the user's other files, atomically
    as far as the filesystem allows: the new folder is complete before it is renamed in."""
    fresh = work / "raw"
    replaced: list[str] = []
    try:
        if raw_dir.is_dir():
            shadowing = _shadowing(raw_dir, wanted)
            replaced = sorted(shadowing)
            shutil.copytree(
                raw_dir, fresh, symlinks=True, copy_function=_link_or_copy,
                ignore=lambda d, names: shadowing if Path(d) == raw_dir else set(),
            )
        elif raw_dir.exists():
            raise DownloadError(f"{raw_dir} existe y no es una carpeta")
        else:
            fresh.mkdir()
        for item in got:
            os.replace(item.path, fresh / item.name)
        replace_dir(fresh, raw_dir, work / "previous")
    except OSError as exc:
        if is_no_space(exc, raw_dir.parent):
            raise  # said by the caller: which disk, how much space
        raise DownloadError(
            f"no se pudo escribir en {raw_dir}: {exc.strerror or exc}"
        ) from None
    return replaced


def _recover_interrupted(raw_dir: Path) -> None:
    """Undo what a download killed between its two renames left: the raw folder missing and
    the user's previous one inside a staging folder of a process that no longer runs."""
    parent = raw_dir.parent
    if not parent.is_dir():
        return
    for stale in parent.glob(f"{STAGING_PREFIX}*"):
        pid = stale.name[len(STAGING_PREFIX):].partition("-")[0]
        if not pid.isdigit() or alive(int(pid)):
            continue
        previous = stale / "previous"
        if not raw_dir.exists() and previous.is_dir():
            os.rename(previous, raw_dir)
        shutil.rmtree(stale, ignore_errors=True)
