"""What ``filmoteca serve`` runs: the fast path in front, the FastAPI app made on first need.

Owns :func:`serving_app` and :func:`run`. The server process maps the catalog
(:func:`filmoteca.serve.catalog.load_catalog`, milliseconds), builds the
:class:`~filmoteca.api.fast.FastPath` over it and starts uvicorn: the first question is
answered without importing FastAPI at all. The FastAPI application
(:func:`filmoteca.api.app.create_app`, with ``/docs``, ``/openapi.json``, the web page, the
Spanish 404/405/422 of unusual requests) is created by :class:`LazyApp` on the first request
the fast path hands over, which then waits for it (a few tenths of a second of CPU, once per
process). Wake-up on a small instance costs only what the first answer needs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from filmoteca.api.fast import ASGIApp, FastPath, Receive, Scope, Send
from filmoteca.config import Settings
from filmoteca.serve.catalog import Catalog
from filmoteca.serve.semantic import SemanticLayer


class LazyApp:
    """An ASGI application created by ``factory`` on its first request."""

    def __init__(self, factory: Callable[[], ASGIApp]) -> None:
        self._factory = factory
        self._app: ASGIApp | None = None

    @property
    def created(self) -> bool:
        return self._app is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self._app = self._factory()
        await self._app(scope, receive, send)


def serving_app(catalog: Catalog, settings: Settings) -> FastPath:
    """The server's ASGI application over a loaded ``catalog``, with its semantic layer
    (opened once here, loaded in the background from
    :data:`~filmoteca.serve.semantic.WARM_UP_DELAY` seconds on, shared by the fast
    path and the FastAPI app)."""
    semantic = SemanticLayer.beside(catalog, settings.catalog_dir)

    def framework() -> ASGIApp:
        from filmoteca.api.app import create_app

        app = create_app(catalog, settings, semantic=semantic, open_layer=False)
        return app  # type: ignore[return-value]

    return FastPath(LazyApp(framework), lambda: catalog, settings.limits,
                    settings.response_cache, lifespan=True, semantic=lambda: semantic)


def worker_app() -> FastPath:
    """The application of one worker process (``workers > 1``): the catalog of the
    settings (:func:`run` puts the chosen folder in ``FILMOTECA_CATALOG_DIR``), mapped by
    each worker; the mapped pages are shared between them."""
    from filmoteca.serve.catalog import load_catalog

    settings = Settings()  # read now: a forked worker inherits the parent's cached settings
    return serving_app(load_catalog(settings.catalog_dir), settings)


def run(catalog_dir: Path, catalog: Catalog, settings: Settings, host: str, port: int,
        workers: int = 1, http_server: str = "uvicorn") -> None:
    """Serve ``catalog`` (loaded from ``catalog_dir``) on ``host:port``, in one process or
    in ``workers`` processes sharing the port (blocks until stopped). ``http_server``:
    uvicorn (with httptools and uvloop), or granian (Rust HTTP server, optional: ``pip
    install granian``), which always runs the application in worker processes."""
    if http_server == "granian" or workers > 1:
        # Worker processes import worker_app and map the catalog themselves.
        os.environ["FILMOTECA_CATALOG_DIR"] = str(catalog_dir.absolute())
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
    uvicorn.run(serving_app(catalog, settings), host=host, port=port, log_level="info",
                access_log=False)
