"""Answers kept as bytes: a bounded LRU in front of the app, keyed by the request target.

Owns :class:`ResponseCache`, the ASGI middleware :func:`filmoteca.api.app.create_app`
installs around the app. A GET answer is kept (status, headers, body) when its status is
200 or 404 and it does not say ``Cache-Control: no-store`` (``/health`` does): those depend
only on the catalog, which never changes while a process lives. The key is the exact request
target (raw path and query string). A repeated question costs a dictionary lookup.
``Settings.response_cache`` sets the entries (0 turns the cache off) and :data:`CACHE_BYTES`
bounds the bytes; what it is worth is measured in ``reports/benchmarks/api.md``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Most bytes of answers kept.
CACHE_BYTES = 32 * 2**20
#: Statuses kept.
KEPT = (200, 404)

Entry = tuple[int, list[tuple[bytes, bytes]], bytes]


class ResponseCache:
    def __init__(self, app: ASGIApp, entries: int = 10_000) -> None:
        self.app = app
        self.entries = entries
        self._cache: OrderedDict[bytes, Entry] = OrderedDict()
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self.entries:
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
        key = raw_path + b"?" + scope["query_string"]
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                start.update(message)
            elif kind == "http.response.body" and start:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._remember(key, start, b"".join(chunks))
            else:  # another way of sending (a file path...): not kept
                start.clear()
            await send(message)

        await self.app(scope, receive, keep)

    def _remember(self, key: bytes, start: dict[str, Any], body: bytes) -> None:
        headers = [(bytes(k), bytes(v)) for k, v in start.get("headers", ())]
        if start.get("status") not in KEPT or len(body) > CACHE_BYTES // 64 or any(
                name.lower() == b"cache-control" and b"no-store" in value.lower()
                for name, value in headers):
            return
        old = self._cache.pop(key, None)
        if old is not None:  # two requests for the same target missed at once
            self._bytes -= len(old[2]) + len(key)
        self._cache[key] = (start["status"], headers, body)
        self._bytes += len(body) + len(key)
        while len(self._cache) > self.entries or self._bytes > CACHE_BYTES:
            old_key, (_, _, old_body) = self._cache.popitem(last=False)
            self._bytes -= len(old_body) + len(old_key)
