"""`make demo`: start the API, ask every question with real examples, print each answer
with its latency, stop the API.

Owns the scripted demo that ``docs/demo.md`` (the outline of the demo video) is built on.
It uses the catalog the settings point to (``data/processed/catalog``, or
``$FILMOTECA_CATALOG_DIR``) and builds it first if it is missing. The examples come from the
shipped real sample (the first rows of Kaggle's file, so they exist in the full catalog as
well): a title typed in lower case, a title shared by several films with and without
``anio``, a typo that gets suggestions, languages and countries typed in Spanish, a
collection without " Collection", a recommendation, the title search, and the 422 of an
absurd input. The server runs as a subprocess on a free port of 127.0.0.1 and is always
stopped. Exit status: 0 if every answer has the expected status code (and shape), else 1.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
from devserver import free_port, stop, wait_until_ready
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from filmoteca.catalog.store import CatalogError
from filmoteca.config import get_settings
from filmoteca.services.catalog import load_catalog

console = Console()
Check = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class Question:
    """One question of the demo: what to say, what to ask, what must come back."""

    pregunta: str
    path: str
    status: int = 200
    check: Check | None = None  # an extra condition on the JSON body
    show: tuple[str, ...] = ()  # fields printed besides `mensaje`


def q(prefix: str, name: str, query: str = "") -> str:
    return f"/{prefix}/{quote(name, safe='')}" + (f"?{query}" if query else "")


QUESTIONS: tuple[Question, ...] = (
    Question("¿Está vivo el servicio? ¿Con qué datos?", "/health",
             show=("estado", "datos", "peliculas", "construido")),
    Question("Películas en idioma original «inglés» (nombre en español, con tilde)",
             q("peliculas_idioma", "inglés"), show=("idioma", "cantidad")),
    Question("Películas en idioma «fr» (código ISO)", q("peliculas_idioma", "fr"),
             show=("nombre", "cantidad")),
    Question("Duración y año de «toy story» (en minúsculas)", q("peliculas_duracion", "toy story"),
             check=lambda b: b["anio"] == 1995, show=("titulo", "duracion_min", "anio")),
    Question("«The Mummy»: tres películas con el mismo título; responde la más votada",
             q("peliculas_duracion", "The Mummy"),
             check=lambda b: len(b["otras_coincidencias"]) >= 2,
             show=("anio", "otras_coincidencias")),
    Question("…y con ?anio=1932 se elige la de 1932", q("peliculas_duracion", "The Mummy",
                                                         "anio=1932"),
             check=lambda b: b["anio"] == 1932, show=("anio", "duracion_min")),
    Question("«Sabrina» de 1995 (hay dos)", q("peliculas_duracion", "Sabrina", "anio=1995"),
             check=lambda b: b["anio"] == 1995, show=("anio", "otras_coincidencias")),
    Question("Un error de tipeo: «Toy Stroy» -> 404 con sugerencias",
             q("peliculas_duracion", "Toy Stroy"), status=404,
             check=lambda b: "Toy Story" in b["detail"]["sugerencias"]),
    Question("Franquicia «Toy Story» (sin «Collection»)", q("franquicia", "Toy Story"),
             show=("franquicia", "cantidad", "ganancia_total", "ganancia_promedio")),
    Question("Películas producidas en «Francia»", q("peliculas_pais", "Francia"),
             show=("codigo", "cantidad")),
    Question("Películas producidas en «Estados Unidos»", q("peliculas_pais", "Estados Unidos"),
             show=("codigo", "cantidad")),
    Question("Productora «pixar animation studios»",
             q("productoras_exitosas", "pixar animation studios"),
             show=("productora", "cantidad", "ganancia_total")),
    Question("Director «John Lasseter»: retorno total y cada película",
             q("get_director", "John Lasseter"),
             check=lambda b: len(b["peliculas"]) >= 1, show=("retorno_total", "peliculas")),
    Question("Recomendación: 5 películas parecidas a «Toy Story»",
             q("recomendacion", "Toy Story"),
             check=lambda b: len(b["recomendaciones"]) == 5, show=("recomendaciones", "detalle")),
    Question("Búsqueda de títulos que contienen «mummy»", "/buscar?q=mummy&limite=5",
             check=lambda b: b["total"] >= 3, show=("total", "resultados")),
    Question("Entrada absurda (201 caracteres) -> 422, nunca un 500",
             q("peliculas_duracion", "x" * 201), status=422),
)


def ensure_catalog(catalog: Path) -> None:
    try:
        load_catalog(catalog)
        return
    except CatalogError as exc:
        console.print(f"[yellow]{exc}[/]\nConstruyendo el catálogo (filmoteca build)…")
    subprocess.run([sys.executable, "-m", "filmoteca.cli", "build", "--catalog", str(catalog)],
                   check=True, timeout=600)


def start_server(catalog: Path, port: int) -> tuple[subprocess.Popen[bytes], float]:
    """Start `filmoteca serve`; wait (at most 60 s) for /health; seconds it took."""
    env = {**os.environ, "FILMOTECA_CATALOG_DIR": str(catalog)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "filmoteca.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/health", proc, timeout=60)
    except RuntimeError as exc:
        stop(proc)
        raise SystemExit(f"el servidor no arrancó: {exc}") from None
    return proc, time.perf_counter() - started


def thousands(value: float) -> str:
    """Spanish digit grouping: 1.234.567."""
    return f"{value:,.0f}".replace(",", ".")


def money(value: Any) -> str:
    return f"US$ {thousands(value)}" if isinstance(value, float) else str(value)


def render_value(name: str, value: Any) -> str:
    if not isinstance(value, list):
        return money(value) if name.startswith("ganancia") else (
            f"{value:,.2f}" if isinstance(value, float) else str(value))
    if name == "otras_coincidencias":
        return ", ".join(f"{o['titulo']} ({o['anio']})" for o in value) or "—"
    if name == "peliculas":
        return "\n".join(f"{p['fecha_lanzamiento'][:4]} {p['titulo']}: retorno "
                         f"{p['retorno']:.2f}, costo {money(p['costo'])}, "
                         f"ganancia {money(p['ganancia'])}" for p in value[:6])
    if name == "detalle":
        return "\n".join(f"{d['puntaje']:.2f} {d['titulo']} ({d['anio']}): "
                         f"{'; '.join(d['motivos'])}" for d in value)
    if name == "resultados":
        return "\n".join(f"{r['titulo']} ({r['anio']}), {thousands(r['votos'])} votos"
                         for r in value)
    if name == "recomendaciones":
        return " > ".join(value)
    return str(value)


def ask(client: httpx.Client, number: int, question: Question) -> tuple[bool, float]:
    start = time.perf_counter()
    response = client.get(question.path)
    latency_ms = (time.perf_counter() - start) * 1000
    server_ms = response.headers.get("server-timing", "").partition("dur=")[2] or "?"
    try:
        body = response.json()
    except ValueError:
        body = {}
    ok = response.status_code == question.status
    if ok and question.check is not None:
        try:
            ok = bool(question.check(body))
        except (KeyError, TypeError, IndexError):
            ok = False

    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    shown = unquote(question.path)
    shown = shown if len(shown) < 70 else shown[:67] + "…"
    grid.add_row("GET", shown)
    grid.add_row("estado", f"{response.status_code} (esperado {question.status})")
    grid.add_row("latencia", f"{latency_ms:.1f} ms en el cliente, {server_ms} ms en el servidor")
    detail = body.get("detail") if isinstance(body.get("detail"), dict) else None
    if "mensaje" in body:
        grid.add_row("mensaje", f"[bold]{body['mensaje']}[/]")
    if detail:
        grid.add_row("mensaje", f"[bold]{detail.get('mensaje', '')}[/]")
        if detail.get("sugerencias"):
            grid.add_row("sugerencias", ", ".join(detail["sugerencias"]))
    for name in question.show:
        if name in body:
            try:
                grid.add_row(name, render_value(name, body[name]))
            except (KeyError, TypeError, ValueError):
                grid.add_row(name, str(body[name])[:300])
                ok = False  # the answer does not have the documented shape
    if question.path == "/" or not body:
        grid.add_row("cuerpo", response.text[:200])
    mark = "[green]✔[/]" if ok else "[bold red]✘[/]"
    console.print(Panel(grid, title=f"{mark} {number}. {question.pregunta}", title_align="left",
                        border_style="green" if ok else "red"))
    return ok, latency_ms


def main() -> int:
    began = time.perf_counter()
    catalog = get_settings().catalog_dir
    ensure_catalog(catalog)
    port = free_port()
    console.rule("[bold]Filmoteca: demostración")
    proc, startup = start_server(catalog, port)
    console.print(f"Servidor en http://127.0.0.1:{port} listo en {startup:.2f} s "
                  f"(catálogo: {catalog})")
    results: list[tuple[bool, float]] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for number, question in enumerate(QUESTIONS, start=1):
                results.append(ask(client, number, question))
    finally:
        stop(proc)
    failed = [QUESTIONS[i].path for i, (ok, _) in enumerate(results) if not ok]
    latencies = sorted(ms for _, ms in results)
    console.rule()
    console.print(
        f"{len(results) - len(failed)}/{len(QUESTIONS)} respuestas como se esperaba; latencia "
        f"en el cliente: mediana {latencies[len(latencies) // 2]:.1f} ms, máxima "
        f"{latencies[-1]:.1f} ms; demo completa en {time.perf_counter() - began:.1f} s. "
        "Servidor detenido."
    )
    if failed:
        console.print(f"[bold red]Respuestas inesperadas:[/] {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
