"""``Server-Timing: app;dur=<ms>`` on every response: the time spent inside the server.

Owns :class:`ServerTimingMiddleware`, the outermost middleware (a plain ASGI wrapper): from
the moment a request reaches the app to the moment its headers are sent (the body is ready
then). The benchmarks read it to report latency at the server, free of client overhead.
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
