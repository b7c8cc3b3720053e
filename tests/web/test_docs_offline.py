"""``/docs`` works offline: Swagger UI from the installed package (fastapi-offline, under
``/static-offline-docs``), loaded in Chromium with every request to a host other than the
live server's aborted, renders the API's operations, and no request tried to leave.

The browser and the live server are the fixtures of :mod:`tests.web.test_page`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.web.test_page import (  # noqa: F401  (fixtures, used by name)
    TIMEOUT_MS,
    browser,
    live_server,
    screenshots,
    sync_api,
)

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def test_docs_render_with_every_outside_request_blocked(browser, live_server: str,  # noqa: F811
                                                        screenshots: Path):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    requested: list[str] = []
    outside: list[str] = []
    errors: list[str] = []

    def only_local(route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_local)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(live_server + "docs")
        # the operations of the API, rendered by Swagger UI from /openapi.json
        operation = page.locator(".opblock", has_text="/peliculas_idioma/{idioma}")
        operation.wait_for()
        for path in ("/recomendacion/{titulo}", "/recomendacion", "/pelicula/{id}",
                     "/buscar_descripcion"):
            assert page.locator(".opblock-summary-path", has_text=path).count() >= 1, path
        assert page.locator(".opblock").count() >= 12
        # an operation opens and shows its parameters (Swagger UI's scripts really work)
        operation.locator(".opblock-summary").first.click()
        name = operation.locator(".parameters .parameter__name").first
        name.wait_for()
        assert name.inner_text().split()[0] == "idioma"
        page.screenshot(path=str(screenshots / "docs_sin_red.png"))
    finally:
        context.close()
    assert not outside, f"/docs tried to reach outside hosts: {outside}"
    assert not errors, f"errors on /docs: {errors}"
    assert any("/static-offline-docs/" in url for url in requested), requested
    assert any(url.endswith("/openapi.json") for url in requested), requested
