"""The ``filmoteca`` command line: one command per pipeline stage.

    filmoteca download  Kaggle's dataset -> data/raw/ (kagglehub; checked, atomic)
    filmoteca build     raw files -> catalog (data/processed/catalog)
    filmoteca synth     synthetic raw files in the Kaggle format, for measurements
    filmoteca serve     the API (uvicorn)
    filmoteca evaluate  offline evaluation of the recommender -> reports/recommender.md
    filmoteca eda       the exploratory report -> reports/eda/index.html

Default folders come from the settings (filmoteca.config: FILMOTECA_HOME, the checkout or
~/.local/share/filmoteca), never from the current directory.
Errors in the user's input or files end with one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True, soft_wrap=True)  # long paths: no hard line breaks in logs


class RichStages:
    """Adapter from :class:`filmoteca.progress.Progress` to a rich progress display."""

    def __init__(self, progress: RichProgress) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def start(self, stage: str, total: int | None = None) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, completed=task.total or 1, total=task.total or 1)
        self._task = self._progress.add_task(stage, total=total)

    def advance(self, units: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, units)

    def finish(self) -> None:
        self.start("Done", total=1)
        self.advance(1)


class ByteStages(RichStages):
    """Stages counted in bytes: a finished stage keeps the size it reached as its total.
    Without a terminal (a build log) rich draws no bar, so each stage is printed as a line."""

    def start(self, stage: str, total: int | None = None) -> None:
        if not self._progress.console.is_terminal:
            self._progress.console.print(f"{stage}…", highlight=False)
        if self._task is not None:
            done = self._progress.tasks[self._task].completed
            self._progress.update(self._task, total=done, completed=done)
        self._task = self._progress.add_task(stage, total=total)


@contextmanager
def stages() -> Iterator[RichStages]:
    columns = (
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with RichProgress(*columns, console=console, transient=False) as progress:
        adapter = RichStages(progress)
        yield adapter
        adapter.finish()


def _one_line(exc: BaseException, limit: int = 400) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unexpected(exc: Exception) -> str:
    """One line for an exception nobody expected; the traceback goes to a file it names."""
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="filmoteca-error-", suffix=".txt",
                                     delete=False, encoding="utf-8") as handle:
        traceback.print_exception(exc, file=handle)
    return (f"unexpected {type(exc).__name__}: {_one_line(exc, 200)} (a bug in filmoteca: "
            f"please report it with the details in {handle.name})")


def fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def require_extra(command: str, extra: str, *modules: str) -> None:
    """Fail in one line, before any work, if ``command`` needs an optional dependency group
    (a pyproject extra, left out of ``pip install .``) that is not installed."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise fail(f"`filmoteca {command}` needs the optional '{extra}' dependencies "
                   f"({', '.join(missing)} not installed): pip install 'filmoteca[{extra}]' "
                   "(in a checkout: make setup)")


@app.command()
def build(
    raw: Annotated[
        Path | None,
        typer.Option(help="Folder with the raw Kaggle files (default: data/raw/ if the "
                     "Kaggle files are there, else the embedded sample)."),
    ] = None,
    catalog: Annotated[Path | None, typer.Option(help="Catalog folder to (re)place.")] = None,
    embeddings: Annotated[
        bool | None,
        typer.Option("--embeddings/--no-embeddings",
                     help="Compute the title and plot vectors of Spanish search (default: "
                     "on, or FILMOTECA_EMBEDDINGS). Without them the catalog answers "
                     "everything but Spanish titles and /buscar_descripcion (503)."),
    ] = None,
) -> None:
    """Build the catalog (tables, recommender neighbours, serving index, vectors for
    Spanish search) from raw files."""
    from filmoteca.catalog.store import CatalogError
    from filmoteca.etl.pipeline import build_catalog
    from filmoteca.folders import NoSpace, megabytes
    from filmoteca.raw.files import RawDataError

    try:
        with stages() as progress:
            result = build_catalog(raw_dir=raw, catalog_dir=catalog, progress=progress,
                                   embeddings=embeddings)
    except NoSpace as full:
        raise fail(f"no space left on the disk of {full.folder} while writing {full.what}: "
                   f"the build needs about {megabytes(full.needed or 0)}, "
                   f"{megabytes(full.free)} were free when it stopped; the previous catalog is "
                   "unchanged and the partial build was removed") from None
    except (RawDataError, CatalogError, OSError) as exc:
        raise fail(_one_line(exc)) from None
    except MemoryError:
        raise fail("out of memory while building; the previous catalog is unchanged") from None
    except KeyboardInterrupt:
        console.print("[bold red]interrupted:[/] the previous catalog is unchanged",
                      highlight=False)
        raise typer.Exit(code=130) from None
    except Exception as exc:  # a bug: one line, and the details kept for the report
        raise fail(_unexpected(exc)) from None
    manifest, report = result.manifest, result.report
    console.print(
        f"Catalog built from the [bold]{manifest['dataset']}[/] data ({manifest['origin']}): "
        f"{manifest['films']:,} films in {report.to_dict()['stages']['total']:.1f} s -> "
        f"{result.path}",
        highlight=False,
    )
    for note in report.notes:
        console.print(f"  note: {note}", highlight=False)
    dropped = ", ".join(f"{k}={v:,}" for k, v in sorted(report.dropped.items())) or "none"
    console.print(f"  dropped rows: {dropped}", highlight=False)


@app.command()
def download(
    raw: Annotated[
        Path | None, typer.Option(help="Folder to place the Kaggle files in (default: data/raw/).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Download even if valid files are already there.")
    ] = False,
) -> None:
    """Download Kaggle's The Movies Dataset (public, no account needed) into data/raw/.

    Only the files the build reads are fetched; each is checked (columns, rows) before the
    folder is replaced in one step. On failure data/raw/ and the catalog are untouched.
    """
    from rich.progress import DownloadColumn, TransferSpeedColumn
    from rich.table import Table

    from filmoteca.config import get_settings
    from filmoteca.formatting import format_int
    from filmoteca.raw.download import DownloadError
    from filmoteca.raw.download import download as run_download

    target = raw or get_settings().raw_dir
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeElapsedColumn())
    try:
        with RichProgress(*columns, console=console, transient=True) as bar:
            result = run_download(target, force=force, progress=ByteStages(bar))
    except DownloadError as exc:
        raise fail(f"{exc}. {target} no se modificó.") from None
    table = Table("archivo", "filas", "tamaño", title=None, box=None, pad_edge=False)
    for got in result.files:
        table.add_row(got.name, format_int(got.rows), f"{got.size / 1e6:,.1f} MB")
    console.print(table)
    if result.skipped:
        console.print(f"Los archivos ya estaban en {result.raw_dir} y son válidos: no se "
                      "descargó nada (--force para volver a descargar).", highlight=False)
    else:
        console.print(f"Datos completos de Kaggle en {result.raw_dir}.", highlight=False)
    if result.replaced:
        console.print(f"  reemplazados: {', '.join(result.replaced)}", highlight=False)
    console.print("Siguiente paso: filmoteca build (o make full).", highlight=False)


@app.command()
def synth(
    films: Annotated[int, typer.Option(min=1, help="Number of film rows to write.")] = 45466,
    seed: Annotated[int, typer.Option(min=0, help="Random seed (same seed, same files).")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder (default: <synthetic dir>/<films>-seed<seed>, the "
                     "synthetic dir being $FILMOTECA_SYNTHETIC_DIR or data/synthetic/)."),
    ] = None,
    gzip: Annotated[bool, typer.Option("--gzip", help="Write .csv.gz files.")] = False,
) -> None:
    """Write SYNTHETIC raw files in the exact Kaggle format, resampled from the real sample."""
    from filmoteca.config import get_settings
    from filmoteca.raw.synth import synthesize

    settings = get_settings()
    out = out or settings.synthetic_dir / f"{films}-seed{seed}"
    try:
        with stages() as progress:
            progress.start(f"Synthesizing {films:,} films", total=films)
            last = 0

            def report(done: int, total: int) -> None:
                nonlocal last
                progress.advance(done - last)
                last = done

            summary = synthesize(out, films=films, seed=seed, sample_dir=settings.sample_dir,
                                 progress=report, compress=gzip)
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from None
    console.print(
        f"Wrote SYNTHETIC raw files to {summary.out_dir}: {summary.films:,} film rows "
        f"({summary.malformed_rows} malformed, {summary.duplicate_ids} duplicated ids), "
        f"credits {summary.credits_bytes / 1e6:,.0f} MB. Build them with "
        f"`filmoteca build --raw {summary.out_dir}`.",
        highlight=False,
    )


@app.command()
def serve(
    catalog: Annotated[Path | None, typer.Option(
        help="Catalog folder (default: $FILMOTECA_CATALOG_DIR, else the one `filmoteca "
             "build` writes).")] = None,
    host: Annotated[str | None, typer.Option(help="Default: $HOST or 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: $PORT or 8000.")] = None,
    workers: Annotated[int, typer.Option(
        min=1, help="Worker processes sharing the port (they share the mapped catalog).")] = 1,
    server: Annotated[str, typer.Option(
        help="HTTP server: uvicorn, or granian (optional: pip install granian).")] = "uvicorn",
) -> None:
    """Serve the API (the catalog must have been built)."""
    from filmoteca.api.server import ServeError
    from filmoteca.api.server import serve as run_server

    try:
        run_server(catalog, host, port, workers, server)
    except ServeError as exc:
        raise fail(str(exc)) from None


def _catalog_dir(catalog: Path | None) -> Path:
    from filmoteca.config import get_settings

    return catalog or get_settings().catalog_dir


@app.command()
def evaluate(
    catalog: Annotated[Path | None, typer.Option(help="Catalog folder.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Report folder (default: the settings' reports/).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the 80/20 user split.")] = 42,
) -> None:
    """Offline evaluation of the recommender on MovieLens ratings -> reports/recommender.md."""
    require_extra("evaluate", "eda", "matplotlib")  # for its figure
    from filmoteca.analysis.evaluate import evaluate as run_evaluation
    from filmoteca.catalog.store import CatalogError
    from filmoteca.config import get_settings

    out = out or get_settings().reports_dir
    try:
        with stages() as progress:
            path = run_evaluation(_catalog_dir(catalog), out, seed=seed, progress=progress)
    except CatalogError as exc:
        raise fail(str(exc)) from None
    console.print(f"Evaluation written to {path}", highlight=False)


@app.command()
def eda(
    catalog: Annotated[Path | None, typer.Option(help="Catalog folder.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Output folder (default: the settings' reports/eda/).")] = None,
) -> None:
    """The hand-made exploratory report (figures + findings) -> reports/eda/index.html."""
    require_extra("eda", "eda", "matplotlib", "seaborn", "wordcloud")
    from filmoteca.analysis.eda.report import make_eda
    from filmoteca.catalog.store import CatalogError
    from filmoteca.config import get_settings

    out = out or get_settings().reports_dir / "eda"
    try:
        with stages() as progress:
            path = make_eda(_catalog_dir(catalog), out, progress=progress)
    except CatalogError as exc:
        raise fail(str(exc)) from None
    console.print(f"EDA report written to {path}", highlight=False)


def main() -> None:
    """The console script ``filmoteca``."""
    app()


if __name__ == "__main__":
    main()
