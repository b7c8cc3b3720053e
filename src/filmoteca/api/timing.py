"""``Server-Timing: app;dur=<ms>`` on every response: time spent inside the server.

Owns :class:`ServerTimingMiddleware`, a plain ASGI middleware (no per-request task or body
copy). The duration runs from the moment the request reaches the application to the moment
the response headers are sent; with FastAPI's JSON fast path the body is already serialized
then, so it covers routing, validation, the lookup and serialization. The benchmarks
(``benchmarks/api.py``) read it to report latency "at the server", free of client overhead.
"""

from __future__ import annotations

from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServerTimingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = (perf_counter() - start) * 1000
                headers = list(message.get("headers", ()))
                headers.append((b"server-timing", f"app;dur={elapsed:.3f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)
