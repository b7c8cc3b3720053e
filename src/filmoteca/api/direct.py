"""The API's own routes answered without FastAPI's per-request machinery, derived from them.

Owns :class:`DirectRoutes`, an ASGI middleware that :func:`filmoteca.api.app.create_app`
installs inside the app. On its first request it reads the app's routes and keeps, for each
GET route whose parameters are plain path and query values and whose dependencies need only
the request:

- the route itself (its own path matching and converters),
- a pydantic model made of the route's own parameter declarations (the same types, bounds
  and defaults FastAPI validates with),
- the endpoint, and the route's response field (FastAPI's own serializer).

A request such a route matches is answered by validating its parameters in one call,
calling the endpoint, and serializing the answer as FastAPI does; an exception goes to the
app's own handler for it. Anything unusual (an unknown or repeated query parameter, a value
the declarations reject, a route of another kind) goes to FastAPI untouched, which answers
it. Nothing here names a path, a parameter or a bound: a route added to a router is answered
here too. ``tests/api/test_direct.py`` checks that both ways send the same bytes; what it
saves is measured in ``reports/benchmarks/api.md``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, iter_route_contexts, serialize_response
from pydantic import BaseModel, ValidationError, create_model
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

Handler = Callable[[Request, Exception], Awaitable[Response]]
#: First path segments whose candidate routes are remembered (paths of 404s are not bounded).
MAX_SEGMENTS = 256


@dataclass(frozen=True, slots=True)
class _Direct:
    """What answering one route directly needs, read from the route once."""

    route: APIRoute
    params: type[BaseModel]
    #: query key -> parameter name
    query: dict[str, str]
    #: (parameter name, dependency function) of the dependencies (each takes the request)
    needs: tuple[tuple[str, Callable[..., Any]], ...]
    response_param: str | None
    request_param: str | None
    #: only path parameters, each a plain ``str``: nothing to validate or convert
    plain: bool


def _direct(route: APIRoute) -> _Direct | None:
    """The direct form of ``route``, or None when it has to go through FastAPI."""
    dependant = route.dependant
    if ("GET" not in (route.methods or ()) or not inspect.iscoroutinefunction(dependant.call)
            or dependant.header_params or dependant.cookie_params or dependant.body_params
            or route.response_field is None
            or not isinstance(route.response_class, DefaultPlaceholder)):
        return None
    needs = []
    for sub in dependant.dependencies:
        if (sub.name is None or sub.call is None or sub.dependencies or sub.path_params
                or sub.query_params or sub.header_params or sub.cookie_params
                or sub.body_params or not inspect.iscoroutinefunction(sub.call)
                or sub.request_param_name is None):
            return None
        needs.append((sub.name, sub.call))
    fields = [*dependant.path_params, *dependant.query_params]
    params = create_model(  # type: ignore[call-overload]
        f"{route.name}_parameters",
        **{f.name: (f.field_info.annotation, f.field_info)
           for f in fields})
    plain = not dependant.query_params and all(
        f.field_info.annotation is str and not f.field_info.metadata
        for f in dependant.path_params)
    return _Direct(route=route, params=params,
                   query={f.alias: f.name for f in dependant.query_params},
                   needs=tuple(needs), response_param=dependant.response_param_name,
                   request_param=dependant.request_param_name, plain=plain)


def app_routes(app: Any) -> list[Any]:
    """The app's routes in matching order, those of included routers in their place (this
    FastAPI keeps an included router as one entry of ``app.routes``)."""
    return [context.original_route for context in iter_route_contexts(app.routes)]


def _handler(app: Any, exc: Exception) -> Handler | None:
    handlers: dict[Any, Handler] = app.exception_handlers
    for kind in type(exc).__mro__:
        if kind in handlers:
            return handlers[kind]
    return None


class DirectRoutes:
    """ASGI middleware answering the app's plain GET routes directly (see the module
    docstring); ``scope["app"]`` is the FastAPI app whose routes it derives."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: list[tuple[str, Any, _Direct | None]] | None = None
        #: first segment of a path -> the routes that may match it, in matching order
        self._by_segment: dict[str, list[tuple[str, Any, _Direct | None]]] = {}

    def _candidates(self, path: str) -> list[tuple[str, Any, _Direct | None]]:
        """The routes whose literal start a path of this first segment can begin with."""
        segment = "/" + path[1:].split("/", 1)[0]
        found = self._by_segment.get(segment)
        if found is None:
            found = [entry for entry in self._routes or ()
                     if (segment.startswith(entry[0]) if len(entry[0]) <= len(segment)
                         else entry[0].startswith(segment + "/"))]
            if len(self._by_segment) < MAX_SEGMENTS:
                self._by_segment[segment] = found
        return found

    def _derive(self, app: Any) -> list[tuple[str, Any, _Direct | None]]:
        """(literal start of the path, route, direct form or None), in matching order."""
        contexts = list(iter_route_contexts(app.routes))
        if any(getattr(c.original_route, "path", None) != c.path for c in contexts):
            return []  # a router included with a prefix: its routes match only in FastAPI
        return [((c.path or "").split("{")[0], c.original_route, _direct(c.original_route)
                 if isinstance(c.original_route, APIRoute) else None) for c in contexts]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        app = scope["app"]
        if self._routes is None:
            self._routes = self._derive(app)
        path = scope["path"]
        for start, route, direct in self._candidates(path):
            if not path.startswith(start):
                continue  # a route matches only paths that begin with its literal part
            if direct is None:
                if route.matches(scope)[0] is Match.FULL:
                    break  # FastAPI's own (a page, a mount...)
                continue
            found = route.path_regex.match(path)  # the route's own pattern and converters
            if found is not None:
                values = {name: route.param_convertors[name].convert(value)
                          for name, value in found.groupdict().items()}
                if await self._answer(app, direct, values, scope, receive, send):
                    return
                break
        await self.app(scope, receive, send)

    async def _answer(self, app: Any, direct: _Direct, values: dict[str, Any], scope: Scope,
                      receive: Receive, send: Send) -> bool:
        """Answer ``scope`` (its path parameters: ``values``) through ``direct``; False
        (nothing sent) to leave it to FastAPI."""
        if scope["query_string"]:
            for key, value in parse_qsl(scope["query_string"].decode("latin-1"),
                                        keep_blank_values=True):
                name = direct.query.get(key)
                if name is None or name in values:
                    return False  # unknown or repeated: FastAPI's own rules apply
                values[name] = value
        if direct.plain and not scope["query_string"]:
            arguments = values  # plain text path parameters (``/health``: none)
        else:
            try:
                arguments = direct.params.model_validate(values).__dict__  # a fresh instance's
            except ValidationError:
                return False  # FastAPI answers with its 422
        request = Request(scope, receive)
        route = direct.route
        sub_response = None
        try:
            if direct.request_param is not None:
                arguments[direct.request_param] = request
            for name, call in direct.needs:
                arguments[name] = await call(request)
            if direct.response_param is not None:
                # what the endpoint adds (headers, a status), as FastAPI hands it over
                sub_response = Response()
                del sub_response.headers["content-length"]
                sub_response.status_code = None  # type: ignore[assignment]
                arguments[direct.response_param] = sub_response
            answer = await route.dependant.call(**arguments)  # type: ignore[misc]
        except Exception as exc:
            handler = _handler(app, exc)
            if handler is None:
                raise
            response = await handler(request, exc)
        else:
            if isinstance(answer, Response):
                await answer(scope, receive, send)
                return True
            if route.response_field is not None and type(answer) is route.response_model:
                # FastAPI's serialize_response validates, then dumps: an instance of the
                # declared model validates to itself, so only the dump is left
                content = route.response_field.serialize_json(
                    answer, include=route.response_model_include,
                    exclude=route.response_model_exclude,
                    by_alias=route.response_model_by_alias,
                    exclude_unset=route.response_model_exclude_unset,
                    exclude_defaults=route.response_model_exclude_defaults,
                    exclude_none=route.response_model_exclude_none)
            else:
                content = await serialize_response(
                    field=route.response_field, response_content=answer,
                    include=route.response_model_include,
                    exclude=route.response_model_exclude,
                    by_alias=route.response_model_by_alias,
                    exclude_unset=route.response_model_exclude_unset,
                    exclude_defaults=route.response_model_exclude_defaults,
                    exclude_none=route.response_model_exclude_none, dump_json=True)
            # the headers Starlette's Response(content, media_type=...) writes
            headers = [(b"content-length", str(len(content)).encode()),
                       (b"content-type", b"application/json")]
            status = route.status_code or 200
            if sub_response is not None:
                status = sub_response.status_code or status
                headers.extend(sub_response.headers.raw)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})
            return True
        await response(scope, receive, send)
        return True
