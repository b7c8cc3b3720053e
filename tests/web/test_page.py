"""The web page at ``/`` in a real browser (Debian's chromium driven by Playwright) against a
live uvicorn server on the sample catalog: every question answered as a card, the raw JSON
shown, title autocomplete from ``/buscar``, a typo's 404 suggestion clicked, a 422 shown,
and screenshots taken: into a temporary folder, or into ``$FILMOTECA_SCREENSHOTS_DIR`` when
set (``make screenshots`` refreshes ``reports/screenshots/`` that way), so that running the
tests leaves the working tree untouched.

Chromium comes from ``apt-get install chromium`` (Playwright cannot download browsers here).
Without it the tests skip locally but FAIL in CI (``CI`` set), so CI cannot silently skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from devserver import free_port

from filmoteca.api.app import create_app
from filmoteca.services.catalog import Catalog

pytestmark = pytest.mark.browser

try:
    from playwright import sync_api
except ImportError:  # a dev dependency: missing only outside `make setup`
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed (pip install -e '.[dev]')", allow_module_level=True)

CHROMIUM = os.environ.get("FILMOTECA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: ``$FILMOTECA_SCREENSHOTS_DIR`` if set, else a temporary
    folder (the tests still take them: a page that cannot be captured fails)."""
    chosen = os.environ.get("FILMOTECA_SCREENSHOTS_DIR")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def live_server(catalog: Catalog) -> Iterator[str]:
    """uvicorn serving the app on the sample catalog, in a thread, on a free port."""
    port = free_port()
    app = create_app(catalog)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live uvicorn server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).is_file():
        message = (f"chromium not found at {CHROMIUM}: install it with "
                   "`apt-get install -y chromium` (Playwright cannot download browsers here)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))

    def asset_error(response) -> None:  # API 404/422 are expected; page assets are not
        if response.status >= 400 and response.request.resource_type != "fetch":
            errors.append(f"{response.status}: {response.url}")

    page.on("response", asset_error)
    page.goto(live_server)
    page.locator("#estado.ok").wait_for()
    yield page
    context.close()
    assert not errors, f"errors on the page: {errors}"


def _answer(page, question: str):
    return page.locator(f"form#q-{question} + .answer")


def _json(answer) -> dict:
    """The raw JSON the card shows (in a closed <details>: read its text content)."""
    return json.loads(answer.locator(".raw pre").text_content())


def _ask(page, question: str, field: str, value: str):
    page.fill(field, value)
    page.press(field, "Enter")  # submits (also with the autocomplete list open)
    return _answer(page, question)


def test_page_is_spanish_and_links_the_docs(page, live_server: str):
    assert page.locator("html").get_attribute("lang") == "es"
    assert "muestra real" in page.locator("#estado").inner_text()
    assert page.get_by_role("link", name="Documentación de la API (/docs)").get_attribute(
        "href") == "docs"
    for label in ("Idioma", "País", "Productora", "Franquicia (colección)",
                  "Director o directora"):
        assert page.get_by_label(label, exact=True).is_visible()
    response = page.request.get(live_server + "static/app.js")
    assert response.ok


def test_every_question_renders_an_answer_card(page, screenshots: Path):
    # 1. language by its Spanish name
    answer = _ask(page, "idioma", "#idioma", "francés")
    answer.locator(".result.ok").wait_for()
    assert "estrenadas en idioma francés" in answer.inner_text()
    body = _json(answer)
    assert body["idioma"] == "fr"
    assert answer.locator(".stat-value").first.text_content() == str(body["cantidad"])

    # 2. runtime, choosing the title (and its year) from the autocomplete with the keyboard
    page.fill("#duracion-titulo", "toy st")
    option = page.locator("#duracion-titulo ~ .listbox [role=option]").first
    option.wait_for()
    assert "Toy Story" in option.inner_text()
    page.locator("section", has=page.locator("form#q-duracion")).screenshot(
        path=str(screenshots / "pagina_autocompletar.png"))
    page.press("#duracion-titulo", "ArrowDown")
    page.press("#duracion-titulo", "Enter")
    assert page.input_value("#duracion-titulo") == "Toy Story"
    assert page.input_value("#duracion-anio") == "1995"
    page.click("form#q-duracion button[type=submit]")
    answer = _answer(page, "duracion")
    answer.locator(".result.ok").wait_for()
    assert "81 min" in answer.inner_text() and "1995" in answer.inner_text()

    # 3. collection without the trailing " Collection"
    answer = _ask(page, "franquicia", "#franquicia", "james bond")
    answer.locator(".result.ok").wait_for()
    assert "James Bond Collection" in answer.locator(".film-title").inner_text()
    assert "US$" in answer.locator(".stats").inner_text()

    # 4. country by its Spanish name
    answer = _ask(page, "pais", "#pais", "Francia")
    answer.locator(".result.ok").wait_for()
    assert "Se produjeron" in answer.inner_text() and "(FR)" in answer.inner_text()

    # 5. company, through an example button
    page.click("form#q-productora [data-example='Pixar Animation Studios']")
    answer = _answer(page, "productora")
    answer.locator(".result.ok").wait_for()
    assert "ha tenido un revenue de US$" in answer.inner_text()

    # 6. director: a table with one row per film
    answer = _ask(page, "director", "#director", "alfred hitchcock")
    answer.locator(".result.ok").wait_for()
    rows = answer.locator("table.films tbody tr")
    assert rows.count() > 10
    assert "Alfred Hitchcock" in answer.locator(".film-title").inner_text()

    # 7. recommendation: five similar films, each with its reasons
    answer = _ask(page, "recomendacion", "#recomendacion-titulo", "Jumanji")
    answer.locator(".result.ok").wait_for()
    assert answer.locator("ol.recs > li").count() == 5
    assert answer.locator(".chip").count() >= 5

    # title search: results with actions, raw JSON available
    answer = _ask(page, "buscar", "#buscar-q", "toy")
    answer.locator(".result.ok").wait_for()
    assert "Toy Story" in answer.locator(".hits").inner_text()
    answer.locator("summary").click()
    assert '"resultados"' in answer.locator(".raw pre").inner_text()

    page.screenshot(path=str(screenshots / "pagina_respuestas.png"), full_page=True)


def test_typo_offers_suggestions_that_ask_again(page, screenshots: Path):
    answer = _ask(page, "recomendacion", "#recomendacion-titulo", "Jumanjii")
    answer.locator(".result.notfound").wait_for()
    assert "404" in answer.locator(".result-head").inner_text()
    page.locator("section", has=page.locator("form#q-recomendacion")).screenshot(
        path=str(screenshots / "pagina_sugerencias.png"))
    answer.get_by_role("button", name="Jumanji", exact=True).click()
    answer.locator(".result.ok").wait_for()
    assert page.input_value("#recomendacion-titulo") == "Jumanji"
    assert "Jumanji" in answer.locator(".film-title").inner_text()

    # a year that does not exist: the suggestion "Heat (1995)" fills title and year
    page.fill("#duracion-titulo", "heat")
    page.fill("#duracion-anio", "1990")  # typing a title clears the year: set it after
    page.press("#duracion-anio", "Enter")
    answer = _answer(page, "duracion")
    answer.locator(".result.notfound").wait_for()
    answer.get_by_role("button", name="Heat (1995)").click()
    answer.locator(".result.ok").wait_for()
    assert page.input_value("#duracion-anio") == "1995"

    # a language typo: the suggestion carries the ISO code
    answer = _ask(page, "idioma", "#idioma", "fracés")
    answer.locator(".result.notfound").wait_for()
    answer.locator("button.suggestion").first.click()
    answer.locator(".result.ok").wait_for()


def test_search_by_description_and_spanish_titles(page, screenshots: Path):
    # an example of the "Buscar por descripción" form, clicked
    page.click("form#q-descripcion [data-example='dinosaurios en un parque de atracciones']")
    answer = _answer(page, "descripcion")
    answer.locator(".result.ok").wait_for()
    assert page.input_value("#descripcion-q") == "dinosaurios en un parque de atracciones"
    hits = answer.locator("ol.hits > li")
    assert hits.count() == 10
    assert "Jurassic Park" in hits.first.inner_text()
    assert _json(answer)["resultados"][0]["id"] == 329
    page.locator("section", has=page.locator("form#q-descripcion")).screenshot(
        path=str(screenshots / "pagina_descripcion.png"))

    # a plot typed in Spanish, then "Duración" of a result fills the other form
    answer = _ask(page, "descripcion", "#descripcion-q", "un tiburón aterroriza una playa")
    answer.locator(".result.ok").wait_for()
    assert "Jaws" in answer.locator("ol.hits > li").first.inner_text()
    answer.locator("ol.hits > li").first.get_by_role("button", name="Duración").click()
    duration = _answer(page, "duracion")
    duration.locator(".result.ok").wait_for()
    assert page.input_value("#duracion-titulo") == "Jaws"

    # too short: the API's 422 is shown
    answer = _ask(page, "descripcion", "#descripcion-q", "ab")
    answer.locator(".result.invalid").wait_for()
    assert "demasiado corta" in answer.inner_text()

    # a Spanish title: the card says how it was read
    answer = _ask(page, "duracion", "#duracion-titulo", "El padrino")
    answer.locator(".result.ok").wait_for()
    note = answer.locator(".interpretation")
    assert "El padrino" in note.inner_text() and "The Godfather" in note.inner_text()
    assert _json(answer)["interpretacion"]["titulo"] == "The Godfather"
    page.click("form#q-recomendacion [data-example='Volver al futuro']")
    answer = _answer(page, "recomendacion")
    answer.locator(".result.ok").wait_for()
    assert "Back to the Future" in answer.locator(".interpretation").inner_text()
    assert answer.locator("ol.recs > li").count() == 5
    page.locator("section", has=page.locator("form#q-duracion")).screenshot(
        path=str(screenshots / "pagina_titulo_espanol.png"))


def test_invalid_input_is_shown_as_422(page):
    answer = _ask(page, "pais", "#pais", "x" * 201)
    answer.locator(".result.invalid").wait_for()
    assert "422" in answer.locator(".result-head").inner_text()
    assert "demasiado largo" in answer.inner_text()
    answer = _ask(page, "productora", "#productora", "   ")
    answer.locator(".result.invalid").wait_for()
    assert "Escriba una productora" in answer.inner_text()



def test_overlapping_submits_show_the_latest_answer(page):
    """Defect 6: an answer arriving after a newer submit on the same form must not replace
    the newer answer. The first request (francés) is held by the browser until the second
    (inglés) has been answered and shown, then released."""
    held = []
    page.route("**/peliculas_idioma/fr*", lambda route: held.append(route))  # no answer yet
    page.fill("#idioma", "fr")
    page.press("#idioma", "Enter")
    while not held:
        page.wait_for_timeout(20)
    answer = _ask(page, "idioma", "#idioma", "en")
    answer.locator(".result.ok").wait_for()
    assert _json(answer)["idioma"] == "en"
    with page.expect_response("**/peliculas_idioma/fr*") as late:
        held[0].continue_()
    assert late.value.json()["idioma"] == "fr"  # the stale answer did arrive...
    page.wait_for_timeout(300)  # ...and the page had time to (wrongly) draw it
    assert _json(answer)["idioma"] == "en"
    assert "idioma inglés" in answer.locator(".result-head").inner_text()


def test_numbers_are_written_the_spanish_way(page, client):
    """Intl.NumberFormat("es-ES") with grouping also for 4 digits, as the API's mensaje."""
    cantidad = client.get("/peliculas_pais/US").json()["cantidad"]
    assert cantidad >= 1000  # the sample has 2,220 US films: a 4-digit count
    answer = _ask(page, "pais", "#pais", "US")
    answer.locator(".result.ok").wait_for()
    assert answer.locator(".stat-value").first.text_content() == (
        f"{cantidad:,}".replace(",", "."))
    answer = _ask(page, "director", "#director", "John Lasseter")
    answer.locator(".result.ok").wait_for()
    films = {f["titulo"]: f for f in _json(answer)["peliculas"]}
    row = answer.locator("table.films tbody tr", has_text="Toy Story").first
    cells = row.locator("td").all_text_contents()
    retorno = f"{films['Toy Story']['retorno']:,.2f}"
    assert cells[2] == retorno.replace(",", " ").replace(".", ",").replace(" ", ".")
    assert cells[3] == f"{round(films['Toy Story']['costo']):,}".replace(",", ".")


# --- films as links to their card (/pelicula/{id}), filters, several films, readings ---


def _film(live_server: str, page, film_id: int) -> dict:
    """The API's own card of a film, fetched by the test (not through the page)."""
    response = page.request.get(f"{live_server}pelicula/{film_id}")
    assert response.ok, response.status
    return response.json()


def _card(page):
    """The film card dialog, once a film's card (not a loading text) is in it."""
    dialog = page.locator("dialog#ficha")
    dialog.locator(".film-card, .result").first.wait_for()
    return dialog


def _hash(page) -> str:
    return page.evaluate("location.hash")


def _fill_filters(page, question: str, **filters: str) -> None:
    form = page.locator(f"form#q-{question}")
    labels = {"anio_desde": "Desde el año", "anio_hasta": "Hasta el año",
              "genero": "Género", "idioma": "Idioma original"}
    for name, value in filters.items():
        form.get_by_label(labels[name], exact=True).fill(value)


def test_a_recommendation_opens_its_film_card_and_back_works(page, live_server: str,
                                                             screenshots: Path):
    answer = _ask(page, "recomendacion", "#recomendacion-titulo", "Toy Story")
    answer.locator(".result.ok").wait_for()
    body = _json(answer)
    assert (body["id"], body["anio"]) == (862, 1995)
    # the film asked for is a link to its own card too
    assert answer.locator(".film-title a").get_attribute("href") == "#pelicula/862"
    first = body["detalle"][0]
    link = answer.locator("ol.recs > li").first.get_by_role("link")
    assert link.get_attribute("href") == f"#pelicula/{first['id']}"
    link.click()
    dialog = _card(page)
    assert dialog.evaluate("d => d.open")
    assert _hash(page) == f"#pelicula/{first['id']}"
    expected = _film(live_server, page, first["id"])
    title = dialog.locator("h2#ficha-titulo")
    assert title.inner_text() == f"{expected['titulo']} ({expected['anio']})"
    assert title.inner_text() == f"{first['titulo']} ({first['anio']})"
    facts = dialog.locator("dl.facts").inner_text()
    assert ", ".join(expected["generos"]) in facts
    assert ", ".join(expected["directores"]) in facts
    assert _json(dialog)["id"] == first["id"]
    page.screenshot(path=str(screenshots / "pagina_ficha.png"))

    # the card's own recommendations open their cards; back returns to the previous one
    second = expected["recomendaciones"][0]
    assert dialog.locator("ol.recs > li").count() == len(expected["recomendaciones"]) == 5
    dialog.locator("ol.recs > li").first.get_by_role("link").click()
    page.wait_for_function(f"location.hash === '#pelicula/{second['id']}'")
    sync_api.expect(title).to_have_text(f"{second['titulo']} ({second['anio']})")
    page.go_back()
    sync_api.expect(title).to_have_text(f"{first['titulo']} ({first['anio']})")
    assert _hash(page) == f"#pelicula/{first['id']}"
    page.go_back()  # to the page as it was before any card: the dialog closes
    sync_api.expect(page.locator("dialog#ficha")).to_be_hidden()
    assert _hash(page) == ""

    # keyboard: a film link opens with Enter, Escape closes and clears the hash, focus
    # returns to the link
    link.focus()
    page.keyboard.press("Enter")
    sync_api.expect(title).to_have_text(f"{first['titulo']} ({first['anio']})")
    sync_api.expect(title).to_be_focused()  # the card is in place: Escape goes to the dialog
    page.keyboard.press("Escape")
    sync_api.expect(page.locator("dialog#ficha")).to_be_hidden()
    page.wait_for_function("location.hash === ''")
    assert link.evaluate("a => a === document.activeElement")
    # "Cerrar ficha" closes too
    link.click()
    _card(page).get_by_role("button", name="Cerrar ficha").click()
    sync_api.expect(page.locator("dialog#ficha")).to_be_hidden()
    assert _hash(page) == ""


def test_deep_link_opens_a_film_card_on_load(page, live_server: str):
    page.goto("about:blank")
    page.goto(live_server + "#pelicula/238")
    dialog = _card(page)
    assert dialog.locator("h2#ficha-titulo").inner_text() == "The Godfather (1972)"
    facts = dialog.locator("dl.facts").inner_text()
    assert "Francis Ford Coppola" in facts and "Drama, Crimen" in facts
    assert "The Godfather Collection" in facts and "inglés (en)" in facts
    assert "175 min" in dialog.locator(".stats").inner_text()
    imdb = dialog.get_by_role("link", name="Ver en IMDb")
    assert imdb.get_attribute("href") == "https://www.imdb.com/title/tt0068646/"
    assert dialog.get_by_role("link", name="Ver en TMDB").get_attribute(
        "href") == "https://www.themoviedb.org/movie/238"
    assert _json(dialog)["directores"] == ["Francis Ford Coppola"]

    # an id the catalog does not have: the API's 404, in the card
    page.goto("about:blank")
    page.goto(live_server + "#pelicula/999999999")
    dialog = _card(page)
    dialog.locator(".result.notfound").wait_for()
    assert "999999999" in dialog.inner_text()

    # the "Ficha de una película" form sets the hash and opens the card
    page.get_by_role("button", name="Cerrar ficha").click()
    page.fill("#ficha-id", "862")
    page.press("#ficha-id", "Enter")
    page.wait_for_function("location.hash === '#pelicula/862'")
    sync_api.expect(page.locator("h2#ficha-titulo")).to_have_text("Toy Story (1995)")
    assert "John Lasseter" in page.locator("dialog#ficha dl.facts").inner_text()
    page.get_by_role("button", name="Cerrar ficha").click()
    page.fill("#ficha-id", "abc")  # not an id: the API's 422, in the card
    page.press("#ficha-id", "Enter")
    page.locator("dialog#ficha .result.invalid").wait_for()
    assert "id" in page.locator("dialog#ficha .result.invalid").inner_text()


def test_every_answer_links_its_films_to_their_card(page):
    answer = _ask(page, "buscar", "#buscar-q", "toy story")
    answer.locator(".result.ok").wait_for()
    assert answer.get_by_role("link", name="Toy Story (1995)").get_attribute(
        "href") == "#pelicula/862"

    answer = _ask(page, "duracion", "#duracion-titulo", "Hamlet")
    answer.locator(".result.ok").wait_for()
    body = _json(answer)
    assert answer.locator(".film-title a").get_attribute("href") == f"#pelicula/{body['id']}"
    other = body["otras_coincidencias"][0]
    assert (other["id"], other["anio"]) == (23383, 1948)
    assert answer.locator(".others").get_by_role("link").first.get_attribute(
        "href") == "#pelicula/23383"

    answer = _ask(page, "director", "#director", "John Lasseter")
    answer.locator(".result.ok").wait_for()
    row = answer.locator("table.films tbody tr", has_text="Toy Story").first
    assert row.get_by_role("link").get_attribute("href") == "#pelicula/862"

    page.click("form#q-descripcion [data-example='dinosaurios en un parque de atracciones']")
    answer = _answer(page, "descripcion")
    answer.locator(".result.ok").wait_for()
    link = answer.locator("ol.hits > li").first.get_by_role("link")
    assert link.get_attribute("href") == "#pelicula/329"  # Jurassic Park
    link.click()
    sync_api.expect(page.locator("h2#ficha-titulo")).to_have_text("Jurassic Park (1993)")


def test_filters_on_a_recommendation_are_respected(page, live_server: str,
                                                    screenshots: Path):
    page.fill("#recomendacion-titulo", "Toy Story")
    _fill_filters(page, "recomendacion", anio_desde="1990", anio_hasta="2000",
                  genero="Animación")
    page.click("form#q-recomendacion button[type=submit]")
    answer = _answer(page, "recomendacion")
    answer.locator(".result.ok").wait_for()
    body = _json(answer)
    assert body["filtros"] == {"anio_desde": 1990, "anio_hasta": 2000, "genero": "Animación",
                               "idioma": None}
    assert "(filtros: de 1990 a 2000, género Animación)" in answer.locator(
        ".result-head").inner_text()
    assert "género Animación" in answer.locator(".applied-filters").inner_text()
    items = answer.locator("ol.recs > li")
    assert items.count() == len(body["detalle"]) == 5
    for i, rec in enumerate(body["detalle"]):
        film = _film(live_server, page, rec["id"])
        assert "Animación" in film["generos"], film["titulo"]
        assert 1990 <= film["anio"] <= 2000, film["titulo"]
        assert rec["id"] != 862
        assert items.nth(i).get_by_role("link").inner_text() == f"{film['titulo']} ({film['anio']})"
    page.locator("section", has=page.locator("form#q-recomendacion")).screenshot(
        path=str(screenshots / "pagina_filtros.png"))
    # the card of a filtered recommendation shows the genre
    items.last.get_by_role("link").click()
    assert "Animación" in _card(page).locator("dl.facts").inner_text()
    page.get_by_role("button", name="Cerrar ficha").click()

    # the example with filters fills them; an example without filters clears them
    page.click("form#q-recomendacion [data-example='Toy Story'][data-genero]")
    answer.locator(".result.ok").wait_for()
    assert page.input_value("#q-recomendacion-genero") == "Animación"
    assert _json(answer)["filtros"]["anio_desde"] == 1990
    page.click("form#q-recomendacion [data-example='Jumanji']")
    sync_api.expect(answer.locator(".result-head")).to_contain_text("Jumanji")
    assert page.input_value("#q-recomendacion-genero") == ""
    assert _json(answer)["filtros"] is None

    # a language filter on a description search: every result's original language
    page.fill("#descripcion-q", "una historia de amor en París")
    _fill_filters(page, "descripcion", idioma="francés")
    page.press("#descripcion-q", "Enter")
    answer = _answer(page, "descripcion")
    answer.locator(".result.ok").wait_for()
    results = _json(answer)["resultados"]
    assert _json(answer)["filtros"]["idioma"] == "fr" and len(results) == 10
    for hit in results:
        film = _film(live_server, page, hit["id"])
        assert film["idioma_original"]["codigo"] == "fr", film["titulo"]


def test_filter_errors_are_shown_with_their_suggestions(page, live_server: str,
                                                        screenshots: Path):
    # an unknown genre: 404, its closest genres offered; picking one fills the genre
    page.fill("#recomendacion-titulo", "Toy Story")
    _fill_filters(page, "recomendacion", genero="Terrorr")
    page.press("#recomendacion-titulo", "Enter")
    answer = _answer(page, "recomendacion")
    answer.locator(".result.notfound").wait_for()
    assert "No se reconoce el género 'Terrorr'" in answer.inner_text()
    offered = answer.locator("button.suggestion").all_inner_texts()
    assert offered[0] == "Terror" and len(offered) == len(_json(answer)["detail"]["sugerencias"])
    page.locator("section", has=page.locator("form#q-recomendacion")).screenshot(
        path=str(screenshots / "pagina_filtro_404.png"))
    answer.get_by_role("button", name="Terror", exact=True).click()
    answer.locator(".result.ok").wait_for()
    assert page.input_value("#q-recomendacion-genero") == "Terror"
    assert page.input_value("#recomendacion-titulo") == "Toy Story"
    body = _json(answer)
    assert body["filtros"]["genero"] == "Terror" and len(body["detalle"]) == 5
    for rec in body["detalle"]:
        assert "Terror" in _film(live_server, page, rec["id"])["generos"]

    # a language typo: the suggestion "francés (fr)" fills the code
    _fill_filters(page, "recomendacion", genero="", idioma="fracés")
    page.press("#recomendacion-titulo", "Enter")
    answer.locator(".result.notfound").wait_for()
    answer.get_by_role("button", name="francés (fr)").click()
    answer.locator(".result.ok").wait_for()
    assert page.input_value("#q-recomendacion-idioma") == "fr"
    assert _json(answer)["filtros"]["idioma"] == "fr"

    # years the wrong way round: 404 suggesting the range swapped
    page.locator("form#q-recomendacion").get_by_role("button", name="Quitar filtros").click()
    _fill_filters(page, "recomendacion", anio_desde="2000", anio_hasta="1990")
    page.press("#recomendacion-titulo", "Enter")
    answer.locator(".result.notfound").wait_for()
    answer.get_by_role("button", name="años 1990–2000").click()
    answer.locator(".result.ok").wait_for()
    assert page.input_value("#q-recomendacion-anio-desde") == "1990"
    assert page.input_value("#q-recomendacion-anio-hasta") == "2000"

    # a year out of bounds: the API's 422
    _fill_filters(page, "descripcion", anio_desde="1800")
    answer = _ask(page, "descripcion", "#descripcion-q", "un tiburón aterroriza una playa")
    answer.locator(".result.invalid").wait_for()
    assert "anio_desde" in answer.inner_text() and "1870" in answer.inner_text()


def test_several_films_say_which_one_each_recommendation_answers(page, live_server: str,
                                                                 screenshots: Path):
    page.fill("#varias-titulos", "Toy Story\nEl padrino")
    _fill_filters(page, "varias", anio_hasta="1980")
    page.press("#varias-titulos", "Control+Enter")
    answer = _answer(page, "varias")
    answer.locator(".result.ok").wait_for()
    body = _json(answer)
    assert [(t["id"], t["anio"]) for t in body["titulos"]] == [(862, 1995), (238, 1972)]
    note = answer.locator(".interpretation")
    assert note.count() == 1
    assert "El padrino" in note.inner_text() and "The Godfather" in note.inner_text()
    inputs = answer.locator("ul.inputs a")
    assert [inputs.nth(i).get_attribute("href") for i in range(2)] == [
        "#pelicula/862", "#pelicula/238"]
    names = {862: "Toy Story", 238: "The Godfather"}
    items = answer.locator("ol.recs > li")
    assert items.count() == len(body["detalle"]) == 5
    answered = set()
    for i, rec in enumerate(body["detalle"]):
        assert rec["id"] not in names and rec["anio"] <= 1980
        shown = items.nth(i).locator(".answers-to").inner_text()
        assert shown == "responde a: " + ", ".join(names[x] for x in rec["responde_a"])
        answered.update(rec["responde_a"])
        for reason in rec["motivos"]:
            if reason.startswith("como "):
                assert reason.split(":")[0][5:] in {names[x] for x in rec["responde_a"]}
    assert answered == {862, 238}  # with films up to 1980, both inputs are answered
    page.locator("section", has=page.locator("form#q-varias")).screenshot(
        path=str(screenshots / "pagina_varias.png"))
    first = body["detalle"][0]
    items.first.get_by_role("link").click()
    sync_api.expect(page.locator("h2#ficha-titulo")).to_have_text(
        f"{first['titulo']} ({first['anio']})")
    page.get_by_role("button", name="Cerrar ficha").click()

    # fewer than 2 titles: the API's 422
    page.locator("form#q-varias").get_by_role("button", name="Quitar filtros").click()
    page.fill("#varias-titulos", "Toy Story\n\n")
    page.click("form#q-varias button[type=submit]")
    answer.locator(".result.invalid").wait_for()
    assert "de 2 a 10 títulos" in answer.inner_text()

    # a title not found: 404 naming it; a suggestion replaces that line only
    page.fill("#varias-titulos", "Toy Story\nJumanjii\nHeat")
    page.click("form#q-varias button[type=submit]")
    answer.locator(".result.notfound").wait_for()
    assert "'Jumanjii'" in answer.inner_text()
    answer.get_by_role("button", name="Jumanji", exact=True).click()
    answer.locator(".result.ok").wait_for()
    assert page.input_value("#varias-titulos") == "Toy Story\nJumanji\nHeat"
    assert [t["id"] for t in _json(answer)["titulos"]] == [862, 8844, 949]


def test_names_typed_in_part_show_how_they_were_read(page):
    answer = _ask(page, "director", "#director", "hitchcock")
    answer.locator(".result.ok").wait_for()
    assert answer.locator(".interpretation").inner_text() == (
        "«hitchcock» se interpretó como «Alfred Hitchcock»")
    assert _json(answer)["interpretacion"]["metodo"] == "nombre_parcial"
    answer = _ask(page, "productora", "#productora", "pixar")
    answer.locator(".result.ok").wait_for()
    assert answer.locator(".interpretation").inner_text() == (
        "«pixar» se interpretó como «Pixar Animation Studios»")
    answer = _ask(page, "franquicia", "#franquicia", "bond")
    answer.locator(".result.ok").wait_for()
    assert "«James Bond Collection»" in answer.locator(".interpretation").inner_text()
    # a direct match has no note
    answer = _ask(page, "franquicia", "#franquicia", "James Bond Collection")
    sync_api.expect(answer.locator(".result-head")).to_have_text(
        re.compile(r"^La franquicia James Bond Collection posee 11 películas"))
    assert answer.locator(".interpretation").count() == 0
    # a Spanish title says how it was read, in the words of the API
    answer = _ask(page, "duracion", "#duracion-titulo", "El padrino")
    sync_api.expect(answer.locator(".interpretation")).to_have_text(
        "«El padrino» es el título en español de «The Godfather»")


def test_film_card_fits_a_phone(browser, live_server: str, screenshots: Path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(live_server + "#pelicula/862")
        dialog = _card(page)
        assert dialog.locator("h2#ficha-titulo").inner_text() == "Toy Story (1995)"
        box = dialog.bounding_box()
        assert box["x"] >= 0 and box["width"] <= 390
        page.screenshot(path=str(screenshots / "pagina_ficha_movil.png"))
        page.get_by_role("button", name="Cerrar ficha").click()
        page.click("form#q-varias [data-example]")
        _answer(page, "varias").locator(".result.ok").wait_for()
        # nothing wider than the screen: no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
