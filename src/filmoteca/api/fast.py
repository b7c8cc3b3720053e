"""The fast path: the questions answered without the web framework's per-request work.

Owns :class:`FastPath`, a plain ASGI application placed in front of the FastAPI app
(:func:`filmoteca.api.app.create_app` installs it as its outermost middleware, and
``filmoteca serve`` runs it as the server's application, see :mod:`.server`). For the hot
GET requests (``/health``, the six questions, ``/recomendacion``, ``/buscar``,
``/buscar_descripcion``) it calls the
same service function the FastAPI route calls and sends the same bytes (:mod:`.responses`),
and it sends the web page (``/`` and its files under ``/static/``) as FastAPI's
``FileResponse``/``StaticFiles`` would (same bytes and content type):
no routing over every route, no dependency resolution, no validation of an answer the
services just built from trusted data, one serialization. Everything else, and anything
unusual about a hot request (another method, an unknown or repeated query parameter, a
number that is not a plain in-range integer), goes to the FastAPI app, whose routes remain
the published contract (``/docs``) and whose handlers answer those cases; the tests run the
contract and schemathesis checks through this path.

Answers are kept, as bytes, in a bounded LRU cache keyed by the exact request target (path
and query string): a repeated question costs a dictionary lookup. 200s and 404s are cached
(both depend only on the catalog, which never changes while the process lives), 422s are
not. An answer that reads the semantic layer (a Spanish title, a description) waits for
the layer to load, so it too depends only on what the process serves and is cached.
``Settings.response_cache`` sets the number of entries (0 turns it off) and
:data:`CACHE_BYTES` bounds the bytes.

Every answer carries ``Server-Timing: app;dur=<ms>``, measured from the moment the request
reaches this application to the moment its headers are sent (body already serialized), as
:mod:`.timing` does for the FastAPI routes.
"""

from __future__ import annotations

import mimetypes
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel

from filmoteca import __version__
from filmoteca.api.responses import JSON_HEADERS, answer_body, error_body
from filmoteca.config import (
    DESCRIPTION_DEFAULT_LIMIT,
    DESCRIPTION_MAX_LIMIT,
    MAX_YEAR,
    MIN_YEAR,
    PACKAGE_DIR,
    SEARCH_DEFAULT_LIMIT,
    SEARCH_MAX_LIMIT,
    SEARCH_MAX_PAGE,
    Limits,
)
from filmoteca.serve import descriptions, questions, recommend, search
from filmoteca.serve.answers import Health
from filmoteca.serve.catalog import Catalog
from filmoteca.serve.matching import InvalidInput, NotFound
from filmoteca.serve.semantic import SemanticLayer, SemanticUnavailable

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Most bytes of answers kept in the response cache.
CACHE_BYTES = 32 * 2**20
#: The web page (``/`` is its index.html) and its files (``/static/NAME``).
STATIC_DIR = PACKAGE_DIR / "api" / "static"

#: Query parameters and their accepted range, per kind of endpoint.
_ANIO = {"anio": (MIN_YEAR, MAX_YEAR)}
_PAGE = {"limite": (1, SEARCH_MAX_LIMIT), "pagina": (1, SEARCH_MAX_PAGE)}
_DESCRIPTION = {"limite": (1, DESCRIPTION_MAX_LIMIT)}
Query = dict[str, int]
Semantic = SemanticLayer | None
Service = Callable[[Catalog, str, Query, Limits, Semantic], BaseModel]

#: Path prefix -> (service, integer query parameters it accepts). The FastAPI routes of
#: these paths (:mod:`.routers`) call the same services with the same arguments.
NAMED: dict[str, tuple[Service, dict[str, tuple[int, int]]]] = {
    "/peliculas_idioma/": (
        lambda c, v, q, lim, s: questions.peliculas_idioma(c, v, lim), {}),
    "/peliculas_duracion/": (
        lambda c, v, q, lim, s: questions.peliculas_duracion(c, v, q.get("anio"), lim, s),
        _ANIO),
    "/franquicia/": (lambda c, v, q, lim, s: questions.franquicia(c, v, lim), {}),
    "/peliculas_pais/": (lambda c, v, q, lim, s: questions.peliculas_pais(c, v, lim), {}),
    "/productoras_exitosas/": (
        lambda c, v, q, lim, s: questions.productoras_exitosas(c, v, lim), {}),
    "/get_director/": (lambda c, v, q, lim, s: questions.get_director(c, v, lim), {}),
    "/recomendacion/": (
        lambda c, v, q, lim, s: recommend.recomendacion(c, v, q.get("anio"), lim, s),
        _ANIO),
}
_PREFIXES = {prefix.split("/")[1]: prefix for prefix in NAMED}

#: Path -> (service called with the text of ``q``, integer query parameters it accepts).
QUERIED: dict[str, tuple[Service, dict[str, tuple[int, int]]]] = {
    "/buscar": (lambda c, v, q, lim, s: search.buscar(
        c, v, q.get("limite", SEARCH_DEFAULT_LIMIT), q.get("pagina", 1), lim), _PAGE),
    "/buscar_descripcion": (lambda c, v, q, lim, s: descriptions.buscar_descripcion(
        c, s, v, q.get("limite", DESCRIPTION_DEFAULT_LIMIT)), _DESCRIPTION),
}


class _Fallback(Exception):
    """This request is for the FastAPI app."""


def _integer(text: str, low: int, high: int) -> int:
    """A plain decimal integer within [low, high], else :class:`_Fallback` (FastAPI then
    answers with its Spanish 422, or accepts a form this parser does not)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or text[0] == "0":
        raise _Fallback
    value = int(text)
    if not low <= value <= high:
        raise _Fallback
    return value


def _query(raw: bytes, integers: dict[str, tuple[int, int]],
           text: tuple[str, ...] = ()) -> tuple[Query, dict[str, str]]:
    """The query string as FastAPI reads it (``parse_qsl``, blanks kept), when every key is
    known and appears once; else :class:`_Fallback`."""
    numbers: Query = {}
    strings: dict[str, str] = {}
    if not raw:
        return numbers, strings
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if key in numbers or key in strings:
            raise _Fallback
        if key in integers:
            numbers[key] = _integer(value, *integers[key])
        elif key in text:
            strings[key] = value
        else:
            raise _Fallback
    return numbers, strings


class FastPath:
    """ASGI application answering the hot requests; the rest goes to ``app``.

    ``catalog`` returns the loaded catalog (None: no catalog, every request goes to ``app``,
    which answers 503); ``semantic`` returns its semantic layer (None: none; a description
    search then goes to ``app``, which answers 503). With ``lifespan``, this application
    answers the ASGI lifespan protocol itself (the catalog is loaded before the server
    starts) instead of passing it to ``app``, which may then be created on first use
    (:class:`.server.LazyApp`).
    """

    def __init__(self, app: ASGIApp, catalog: Callable[[], Catalog | None], limits: Limits,
                 cache_entries: int = 0, lifespan: bool = False,
                 semantic: Callable[[], Semantic] = lambda: None) -> None:
        self.app = app
        self._catalog = catalog
        self._semantic = semantic
        self._limits = limits
        self._cache: OrderedDict[bytes, tuple[int, bytes, list[tuple[bytes, bytes]]]] = (
            OrderedDict())
        self._cache_entries = cache_entries
        self._cache_bytes = 0
        self._lifespan = lifespan
        self._health: bytes | None = None
        self._files: dict[str, tuple[bytes, bytes] | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan" and self._lifespan:
            await _lifespan(receive, send)
            return
        if kind != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
        key = raw_path + b"?" + scope["query_string"]
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            await _send(send, start, *hit)
            return
        page = self._page(scope["path"]) if not scope["query_string"] else None
        if page is not None:
            body, media = page
            await _send(send, start, 200, body, [(b"content-type", media),
                                                 (b"content-length", str(len(body)).encode())])
            return
        catalog = self._catalog()
        if catalog is None:
            await self.app(scope, receive, send)
            return
        try:
            status, body, cacheable = self._answer(catalog, scope["path"], scope["query_string"])
        except _Fallback:
            await self.app(scope, receive, send)
            return
        headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
        if cacheable and self._cache_entries and len(body) < CACHE_BYTES // 64:
            self._remember(key, (status, body, headers))
        await _send(send, start, status, body, headers)

    def _answer(self, catalog: Catalog, path: str, query: bytes) -> tuple[int, bytes, bool]:
        """(status, body, cacheable) of a hot request, or :class:`_Fallback`."""
        limits = self._limits
        try:
            if path == "/health":
                if query:
                    raise _Fallback
                return 200, self._health_body(catalog), False
            if path in QUERIED:
                service, integers = QUERIED[path]
                numbers, strings = _query(query, integers, ("q",))
                if "q" not in strings:
                    raise _Fallback  # FastAPI's 422 for a missing parameter
                answer = service(catalog, strings["q"], numbers, limits, self._semantic())
                return 200, answer_body(answer), True
            prefix = _PREFIXES.get(path[1:path.find("/", 1)] if path.find("/", 1) > 0 else "")
            if prefix is None:
                raise _Fallback
            service, integers = NAMED[prefix]
            numbers, _ = _query(query, integers)
            answer = service(catalog, path[len(prefix):], numbers, limits, self._semantic())
            return 200, answer_body(answer), True
        except NotFound as exc:
            return 404, error_body(exc.mensaje, exc.sugerencias), True
        except InvalidInput as exc:
            return 422, error_body(exc.mensaje), False
        except SemanticUnavailable:
            raise _Fallback from None  # FastAPI's 503, as declared

    def _page(self, path: str) -> tuple[bytes, bytes] | None:
        """(body, content type) of ``/`` or ``/static/NAME``, read once; None for any other
        path or a missing file (FastAPI then answers: its fallback page, or a 404)."""
        if path == "/":
            name = "index.html"
        elif path.startswith("/static/"):
            name = path[len("/static/"):]
        else:
            return None
        if name not in self._files:
            self._files[name] = _read_static(name)
        return self._files[name]

    def _health_body(self, catalog: Catalog) -> bytes:
        if self._health is None:
            self._health = answer_body(Health(
                estado="ok", datos=catalog.dataset, peliculas=len(catalog),
                construido=str(catalog.manifest.get("built_at", "")), version=__version__,
            ))
        return self._health

    def _remember(self, key: bytes, entry: tuple[int, bytes, list[tuple[bytes, bytes]]]) -> None:
        cache = self._cache
        cache[key] = entry
        self._cache_bytes += len(entry[1]) + len(key)
        while len(cache) > self._cache_entries or self._cache_bytes > CACHE_BYTES:
            old_key, old = cache.popitem(last=False)
            self._cache_bytes -= len(old[1]) + len(old_key)


def _read_static(name: str) -> tuple[bytes, bytes] | None:
    """A file directly in :data:`STATIC_DIR` with the content type Starlette gives it."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    file = STATIC_DIR / name
    try:
        body = file.read_bytes()
    except OSError:
        return None
    media = mimetypes.guess_type(name)[0] or "text/plain"
    if media.startswith("text/"):
        media += "; charset=utf-8"
    return body, media.encode()


async def _send(send: Send, start: float, status: int, body: bytes,
                headers: list[tuple[bytes, bytes]]) -> None:
    timing = (b"server-timing", f"app;dur={(perf_counter() - start) * 1000:.3f}".encode())
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, timing]})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
