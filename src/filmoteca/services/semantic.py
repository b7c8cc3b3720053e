"""The semantic layer of a served catalog: its title and plot vectors, loaded beside it.

Owns :class:`SemanticLayer`, the object the services receive (never part of the
:class:`~filmoteca.services.catalog.Catalog`) when a title matched nothing directly or a plot
is described. It loads a :class:`filmoteca.services.vectors.SemanticIndex` in a background
thread started :data:`WARM_UP_DELAY` seconds after start-up (so the request that woke the
server is answered first); a request that needs it earlier loads it at once, and numpy is
imported by that thread, never by importing this module. A catalog built without vectors
has no layer (:meth:`SemanticLayer.open` returns None); arrays of another build are refused.
"""


from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from filmoteca.catalog.layout import SEMANTIC_DIR

if TYPE_CHECKING:
    from filmoteca.services.catalog import Catalog
    from filmoteca.services.vectors import SemanticIndex

log = logging.getLogger("filmoteca.services")

#: Seconds between the app's start-up and the background loading of the layer.
WARM_UP_DELAY = 1.0


class SemanticUnavailable(RuntimeError):
    """The catalog has no usable semantic layer: HTTP 503 where one is required."""


class SemanticLayer:
    """A :class:`~filmoteca.services.vectors.SemanticIndex` made by ``loader`` in the background.

    :meth:`get` returns it (waiting for the loader if it is still running), or None when it
    could not be loaded (the reason is in :attr:`error`).
    """

    def __init__(self, loader: Callable[[], SemanticIndex], warm_up: bool = True) -> None:
        self._loader = loader
        self._warm_up = warm_up
        self._index: SemanticIndex | None = None
        self._ready = threading.Event()
        self._started = False
        self._lock = threading.Lock()
        self.error: str | None = None

    @classmethod
    def of(cls, index: SemanticIndex) -> SemanticLayer:
        """A layer over an index already loaded (tests, benchmarks)."""
        layer = cls(lambda: index, warm_up=False)
        layer._index = index
        layer._started = True
        layer._ready.set()
        return layer

    @classmethod
    def open(cls, catalog_dir: Path, catalog: Catalog) -> SemanticLayer | None:
        """The layer of the catalog in ``catalog_dir`` (not started), or None if the build
        has no ``semantic/`` folder."""
        if not (Path(catalog_dir) / SEMANTIC_DIR).is_dir():
            log.warning("%s has no %s/ folder (built before Spanish search): Spanish titles "
                        "and description search are off; rebuild the catalog",
                        catalog_dir, SEMANTIC_DIR)
            return None
        titles: Sequence[str] = catalog.titles
        votes: Sequence[float] = catalog.vote_counts
        ids: Sequence[int] = catalog.ids
        years: Sequence[int] = catalog.years

        def load() -> SemanticIndex:
            from filmoteca.services.vectors import open_for_catalog

            return open_for_catalog(Path(catalog_dir), titles, votes, ids, years=years)

        return cls(load)

    @classmethod
    def beside(cls, catalog: Catalog, catalog_dir: Path) -> SemanticLayer | None:
        """The layer next to ``catalog`` (the folder it was loaded from, else
        ``catalog_dir``), loading in the background from :data:`WARM_UP_DELAY` seconds on;
        None for a catalog built without one. What the API app and ``filmoteca serve``
        open."""
        folder = catalog.source.parent if catalog.source is not None else catalog_dir
        layer = cls.open(folder, catalog)
        return layer.start(delay=WARM_UP_DELAY) if layer is not None else None

    def start(self, delay: float = 0.0) -> SemanticLayer:
        """Load in a daemon thread (once), after ``delay`` seconds; returns self. A request
        that needs the layer earlier loads it at once (:meth:`get`)."""
        if delay > 0:
            timer = threading.Timer(delay, self.start)
            timer.daemon = True
            timer.start()
            return self
        with self._lock:
            if not self._started:
                self._started = True
                threading.Thread(target=self._load, name="filmoteca-semantic-load",
                                 daemon=True).start()
        return self

    def _load(self) -> None:
        try:
            self._index = self._loader()
        except Exception as exc:  # missing or foreign arrays: the layer is off, said once
            self.error = f"{type(exc).__name__}: {exc}"
            log.warning("semantic layer not loaded (%s): Spanish titles and description "
                        "search are off", self.error)
        finally:
            self._ready.set()
        if self._index is not None and self._warm_up:
            try:
                self._index.warm_up(background=False)
            except Exception as exc:  # the layer is off from now on
                self.error = f"{type(exc).__name__}: {exc}"
                log.warning("the multilingual encoder did not load (%s)", self.error)

    def state(self) -> tuple[str, str | None]:
        """(state, reason) as ``/health`` reports it: "lista", "cargando", or
        "no_disponible" with the reason (the arrays or the encoder could not be loaded)."""
        if self.error is not None:
            return "no_disponible", f"no se pudo cargar ({self.error})"
        if not self._ready.is_set():
            return "cargando", None
        return "lista", None

    @property
    def ready(self) -> bool:
        """True once the arrays are loaded (or failed to)."""
        return self._ready.is_set()

    def get(self) -> SemanticIndex | None:
        """The index (loading it now, in this thread, if :meth:`start` was never called),
        or None if it, or its encoder, could not be loaded."""
        if not self._started:
            with self._lock:
                if not self._started:
                    self._started = True
                    self._warm_up = False
                    self._load()
        self._ready.wait()
        return self._index if self.error is None else None
