"""What ``filmoteca serve`` runs: the catalog checked, then the app in one or more processes.

Owns :func:`serve` and :func:`worker_app`. The catalog is mapped first (milliseconds; a
missing or corrupt one stops here with one line, :class:`ServeError`), then the app of
:func:`filmoteca.api.app.create_app` runs under uvicorn (httptools, uvloop), or granian
(optional). Several workers each map the catalog themselves (:func:`worker_app`): the pages
of the mapped index are shared between them. Start-up and memory are measured in
``reports/benchmarks/serve.md``.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from fastapi import FastAPI

from filmoteca.api.app import create_app
from filmoteca.catalog.store import CatalogError
from filmoteca.config import Settings, get_settings
from filmoteca.services.catalog import load_catalog

#: The HTTP servers ``--server`` accepts (uvicorn is a dependency; granian an option).
HTTP_SERVERS = ("uvicorn", "granian")


class ServeError(Exception):
    """The server cannot start (missing or corrupt catalog, unknown server): one line."""


def worker_app() -> FastAPI:
    """The app of one worker process: the catalog of the settings (:func:`serve` puts the
    chosen folder in ``FILMOTECA_CATALOG_DIR``), mapped by each worker."""
    settings = Settings()  # read now: a forked worker inherits the parent's cached settings
    return create_app(load_catalog(settings.catalog_dir), settings)


def serve(catalog_dir: Path | None = None, host: str | None = None, port: int | None = None,
          workers: int = 1, http_server: str = "uvicorn") -> None:
    """Map the catalog (checked before the server starts), then serve it on ``host:port``
    (defaults: the settings) until stopped."""
    settings = get_settings()
    folder = catalog_dir or settings.catalog_dir
    host, port = host or settings.host, port or settings.port
    if http_server not in HTTP_SERVERS:
        raise ServeError(f"--server must be one of {', '.join(HTTP_SERVERS)}, "
                         f"not {http_server!r}")
    if importlib.util.find_spec(http_server) is None:
        raise ServeError(f"--server {http_server} is not installed: pip install {http_server}")
    try:
        catalog = load_catalog(folder)
    except CatalogError as exc:
        raise ServeError(str(exc)) from None
    if http_server == "granian" or workers > 1:
        # Worker processes import worker_app and map the catalog themselves.
        os.environ["FILMOTECA_CATALOG_DIR"] = str(folder.absolute())
    if http_server == "granian":
        from granian import Granian
        from granian.constants import Interfaces, Loops

        Granian("filmoteca.api.server:worker_app", factory=True, interface=Interfaces.ASGI,
                address=host, port=port, workers=workers, loop=Loops.uvloop).serve()
        return
    import uvicorn

    if workers > 1:
        uvicorn.run("filmoteca.api.server:worker_app", factory=True, workers=workers,
                    host=host, port=port, log_level="info", access_log=False)
        return
    app = create_app(catalog, settings.model_copy(update={"catalog_dir": folder}))
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
