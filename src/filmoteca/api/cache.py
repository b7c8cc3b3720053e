"""HTTP as clients expect it: caching, compression, HEAD; answers kept as bytes in the process.

Owns :class:`HttpCache`, the ASGI middleware that :func:`filmoteca.api.app.create_app` puts
around the routes. For every GET or HEAD request:

- an answer above :data:`GZIP_ABOVE` bytes is sent gzip-compressed to a client that accepts
  it (``Content-Encoding: gzip``, ``Vary: Accept-Encoding``);
- an answer that depends only on the catalog (status 200 or 404, not ``Cache-Control:
  no-store`` as ``/health`` says) gets a strong ``ETag`` (a hash of the catalog build and
  the bytes sent, so a gzip answer and a plain one differ) and ``Cache-Control: public,
  max-age=...`` (the catalog never changes while a process lives);
- ``If-None-Match`` naming that ETag -> ``304 Not Modified`` with no body;
- HEAD is answered as the GET it names, with the same status and headers and no body;
- every answer may be read by a page of any origin (CORS: ``Access-Control-Allow-Origin:
  *``, no credentials, the ETag and Server-Timing headers exposed), and a preflight
  ``OPTIONS`` is answered here. (Starlette's CORS middleware was measured first: it adds
  ``Vary: Origin`` to every answer, about 15 µs per request, a third of an answer computed
  without the cache, for a header that does not depend on the origin here.)
- the answer is kept (status, headers, bytes) in a bounded LRU keyed by the request target
  and whether the client takes gzip: a repeated question costs a dictionary lookup.
  ``Settings.response_cache`` sets the entries (0: nothing kept; the headers above stay) and
  :data:`CACHE_BYTES` bounds the bytes.

What it is worth is measured in ``reports/benchmarks/api.md``.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Most bytes of answers kept.
CACHE_BYTES = 32 * 2**20
#: Statuses that depend only on the catalog: cacheable by clients, kept here.
KEPT = (200, 404)
#: How long a client may reuse an answer without asking again (it revalidates with the ETag).
MAX_AGE = 3600
#: Answers smaller than this many bytes are sent as they are (gzip would not pay).
GZIP_ABOVE = 1000
#: zlib's level: 6 compresses JSON almost as well as 9 for a third of the time.
GZIP_LEVEL = 6
CACHE_CONTROL = f"public, max-age={MAX_AGE}".encode()

Headers = list[tuple[bytes, bytes]]
#: status, headers, body, and the ETag (None: not cacheable)
Entry = tuple[int, Headers, bytes, bytes | None]
#: What any web page may read of an answer (CORS, no credentials).
CORS: Headers = [(b"access-control-allow-origin", b"*"),
                 (b"access-control-expose-headers", b"ETag, Server-Timing")]
#: How long a browser may keep a preflight's answer (seconds).
PREFLIGHT_AGE = b"86400"


def _header(headers: Headers, name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _timing(began: float) -> tuple[bytes, bytes]:
    """``Server-Timing: app;dur=<ms>``: the time since the request reached this layer, the
    outermost of the app's own (its answer is ready then). The benchmarks read it to report
    latency at the server, free of client overhead."""
    return b"server-timing", b"app;dur=%.3f" % ((perf_counter() - began) * 1000)


def _names(conditional: bytes, etag: bytes) -> bool:
    """Whether an ``If-None-Match`` value names ``etag`` (one tag, a list, or ``*``)."""
    tags = [tag.strip() for tag in conditional.split(b",")]
    return b"*" in tags or etag in tags or b"W/" + etag in tags


class HttpCache:
    """ETag, 304, Cache-Control, HEAD and the response cache (see the module docstring).
    ``build``: identifies the catalog served (part of every ETag), read on first use."""

    def __init__(self, app: ASGIApp, build: Callable[[], str], entries: int = 10_000) -> None:
        self.app = app
        self.entries = entries
        self._build = build
        self._salt: bytes | None = None
        self._cache: OrderedDict[bytes, Entry] = OrderedDict()
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        began = perf_counter()
        method = scope.get("method")
        if scope["type"] != "http" or (method != "GET" and method != "HEAD"):
            if method == "OPTIONS" and _header(scope["headers"],
                                               b"access-control-request-method") is not None:
                await self._preflight(scope, send, began)
                return
            if scope["type"] != "http":
                await self.app(scope, receive, send)
                return

            async def timed_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", ()),
                                                      _timing(began)]}
                await send(message)

            await self.app(scope, receive, timed_send)
            return
        gzip_ok, conditional = False, None  # what the request's headers ask, in one pass
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                gzip_ok = b"gzip" in value.lower()
            elif name == b"if-none-match":
                conditional = value
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
        key = raw_path + b"?" + scope["query_string"] + (b"\x00gz" if gzip_ok else b"")
        entry = self._cache.get(key)
        if entry is None:
            entry = await self._answer(scope, receive, gzip_ok)
            if self.entries and entry[3] is not None:
                self._remember(key, entry)
        else:
            self._cache.move_to_end(key)
        status, headers, body, etag = entry
        if etag is not None and conditional is not None and _names(conditional, etag):
            kept = [(k, v) for k, v in headers if k in (b"etag", b"cache-control", b"vary")]
            kept.append(_timing(began))
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": status,
                    "headers": [*headers, _timing(began)]})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})

    @staticmethod
    async def _preflight(scope: Scope, send: Send, began: float) -> None:
        """A browser asks whether a page of another origin may GET: yes, any origin."""
        asked = _header(scope["headers"], b"access-control-request-method") or b""
        allowed = asked.strip().upper() in (b"GET", b"HEAD")
        headers = [*CORS, (b"access-control-allow-methods", b"GET, HEAD"),
                   (b"access-control-max-age", PREFLIGHT_AGE), (b"content-length", b"0")]
        wanted = _header(scope["headers"], b"access-control-request-headers")
        if wanted is not None:
            headers.append((b"access-control-allow-headers", wanted))
        headers.append(_timing(began))
        await send({"type": "http.response.start", "status": 204 if allowed else 405,
                    "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _answer(self, scope: Scope, receive: Receive, gzip_ok: bool) -> Entry:
        """The whole answer of the app to ``scope`` (as a GET), compressed when the client
        takes gzip and it pays, with the cache headers added when it depends only on the
        catalog."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        extensions = scope.get("extensions") or {}
        if scope["method"] != "GET" or "http.response.pathsend" in extensions:
            # the whole body is kept, so a file is never handed to the server by its path
            scope = {**scope, "method": "GET", "extensions": {
                k: v for k, v in extensions.items() if k != "http.response.pathsend"}}
        await self.app(scope, receive, keep)
        status = int(start.get("status", 500))
        headers: Headers = list(start.get("headers", ()))  # lower-case names (ASGI)
        encoded = control = own_tag = None
        for name, value in headers:
            if name == b"content-encoding":
                encoded = value
            elif name == b"cache-control":
                control = value
            elif name == b"etag":
                own_tag = value
        body = b"".join(chunks)
        if len(body) >= GZIP_ABOVE and encoded is None:
            headers = [(k, v) for k, v in headers if k != b"content-length"]
            if gzip_ok:
                body = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
                headers.append((b"content-encoding", b"gzip"))
            headers += [(b"content-length", str(len(body)).encode()),
                        (b"vary", b"Accept-Encoding")]
        headers += CORS
        etag = None
        if status in KEPT and (control is None or b"no-store" not in control):
            if self._salt is None:
                self._salt = self._build().encode()[:64]
            etag = b'"' + hashlib.blake2b(body, key=self._salt, digest_size=12).hexdigest(
                ).encode() + b'"'
            if own_tag is not None:  # a file's own (by its date and size): ours names the bytes
                headers = [(k, v) for k, v in headers if k != b"etag"]
            headers += [(b"etag", etag), (b"cache-control", CACHE_CONTROL)]
        return status, headers, body, etag

    def _remember(self, key: bytes, entry: Entry) -> None:
        body = entry[2]
        if len(body) > CACHE_BYTES // 64:
            return
        old = self._cache.pop(key, None)
        if old is not None:  # two requests for the same target missed at once
            self._bytes -= len(old[2]) + len(key)
        self._cache[key] = entry
        self._bytes += len(body) + len(key)
        while len(self._cache) > self.entries or self._bytes > CACHE_BYTES:
            old_key, old = self._cache.popitem(last=False)
            self._bytes -= len(old[2]) + len(old_key)
