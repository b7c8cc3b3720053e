"""The ``filmoteca`` command's entry point: ``filmoteca serve`` starts without the CLI stack.

Owns :func:`main` (the console script) and :func:`serve_catalog`. Every command goes to the
Typer application (:mod:`filmoteca.cli`), except a plain ``filmoteca serve`` with only the
options it documents (``--catalog``, ``--host``, ``--port``, ``--workers``, ``--server``, as
``--opt value``
or ``--opt=value``): that one is parsed here, so that a server waking up on a small instance
does not spend CPU importing Typer, Click and rich (about a third of its start-up). Anything
else (``--help``, a typo, another command) gets Typer's own parsing and messages.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: The options of ``serve`` (as in :func:`filmoteca.cli.serve`) and their types.
OPTIONS: dict[str, type[str] | type[int]] = {
    "--catalog": str, "--host": str, "--port": int, "--workers": int, "--server": str}


class ServeError(Exception):
    """The server cannot start (missing or corrupt catalog): one line for the user."""


def serve_catalog(catalog: Path | None, host: str | None, port: int | None,
                  workers: int = 1, http_server: str = "uvicorn") -> None:
    """Map the catalog (checked before the server starts), then serve it."""
    import importlib.util

    from filmoteca.api.server import run
    from filmoteca.catalog.store import CatalogError
    from filmoteca.config import get_settings
    from filmoteca.serve.catalog import load_catalog

    settings = get_settings()
    folder = catalog or settings.catalog_dir
    try:  # fail fast, one line, before uvicorn
        loaded = load_catalog(folder)
    except CatalogError as exc:
        raise ServeError(str(exc)) from None
    if http_server not in ("uvicorn", "granian"):
        raise ServeError(f"--server must be uvicorn or granian, not {http_server!r}")
    if importlib.util.find_spec(http_server) is None:
        raise ServeError(f"--server {http_server} is not installed: pip install {http_server}")
    run(folder, loaded, settings, host or settings.host, port or settings.port, workers,
        http_server)


def _plain_serve(args: list[str]) -> dict[str, str | int] | None:
    """The options of ``serve ARGS`` when they are all simple and valid, else None."""
    values: dict[str, str | int] = {}
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name not in OPTIONS or name in values:
            return None
        if not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        i += 1
        try:
            values[name] = OPTIONS[name](value)
        except ValueError:
            return None
    if int(values.get("--workers", 1)) < 1:
        return None
    return values


def main() -> None:
    args = sys.argv[1:]
    options = _plain_serve(args[1:]) if args[:1] == ["serve"] else None
    if options is None:
        from filmoteca.cli import app

        app()
        return
    catalog, host, port = (options.get(f"--{name}") for name in ("catalog", "host", "port"))
    try:
        serve_catalog(Path(str(catalog)) if catalog is not None else None,
                      str(host) if host is not None else None,
                      int(port) if port is not None else None,
                      int(options.get("--workers", 1)), str(options.get("--server", "uvicorn")))
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
