"""``filmoteca eda``: write the EDA report (``index.html`` in Spanish + ``figures/*.png``).

:func:`make_eda` loads the catalog (:mod:`.data`), draws every section (:mod:`.sections`),
saves each figure as a PNG under ``out_dir/figures/`` and writes ``out_dir/index.html``, whose
header says which dataset (sample, full or synthetic) the catalog was built from.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

from filmoteca.analysis.eda.data import EdaData, load_data
from filmoteca.analysis.eda.sections import SECTIONS, Section, iter_sections, num
from filmoteca.progress import NullProgress, Progress

FIGURES = "figures"
DPI = 110

DATASET_LABELS = {
    "sample": ("muestra real", "la muestra real incluida en el proyecto (primeras filas del "
               "archivo de Kaggle)"),
    "full": ("catálogo completo", "los archivos completos de Kaggle"),
    "synthetic": ("SINTÉTICO", "archivos SINTÉTICOS generados con `filmoteca synth` a partir "
                  "de la muestra real: las cifras no describen películas reales"),
}

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1f2933; background: #f5f7fa; line-height: 1.5; }
header { background: #1f3a5f; color: #fff; padding: 1.5rem 2rem; }
header h1 { margin: 0 0 .3rem; }
header p { margin: .2rem 0; }
.badge { display: inline-block; padding: .1rem .6rem; border-radius: 1rem; font-weight: bold;
         background: #fff; color: #1f3a5f; }
.badge.synthetic { background: #d9822b; color: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 2rem 3rem; }
nav ol { columns: 2; }
section { background: #fff; border-radius: .6rem; padding: 1rem 1.5rem; margin: 1.5rem 0;
          box-shadow: 0 1px 3px rgba(0,0,0,.08); }
section img { max-width: 100%; height: auto; display: block; margin: .5rem auto; }
.finding { background: #eef4fb; border-left: 4px solid #3b6ea5; padding: .6rem 1rem; }
.notes { color: #8a5a00; }
footer { color: #616e7c; font-size: .9rem; }
"""


def _header(data: EdaData) -> str:
    manifest = data.manifest
    kind = data.dataset
    label, description = DATASET_LABELS.get(kind, (kind, kind))
    css_class = "badge synthetic" if kind == "synthetic" else "badge"
    films = num(int(manifest.get("films", len(data.films))))
    built = html.escape(str(manifest.get("built_at", "?")))
    origin = html.escape(str(manifest.get("origin", "?")))
    warning = (
        "<p><strong>Atención: datos SINTÉTICOS, generados para medir el rendimiento; no "
        "sacar conclusiones sobre películas reales.</strong></p>" if kind == "synthetic" else ""
    )
    return (
        "<header>\n<h1>Análisis exploratorio del catálogo de películas</h1>\n"
        f'<p>Datos: <span class="{css_class}">{html.escape(label)}</span> '
        f"· {films} películas, de {html.escape(description)}.</p>\n"
        f"<p>Origen: {origin}. Catálogo construido el {built}.</p>\n{warning}</header>\n"
    )


def render_html(data: EdaData, sections: list[Section], elapsed: float) -> str:
    """The Spanish report page (figures referenced from ``figures/``)."""
    toc = "\n".join(
        f'<li><a href="#{s.key}">{html.escape(s.title)}</a></li>' for s in sections
    )
    body = "\n".join(
        f'<section id="{s.key}" aria-labelledby="{s.key}-t">\n'
        f'<h2 id="{s.key}-t">{html.escape(s.title)}</h2>\n'
        f'<img src="{FIGURES}/{s.filename}" alt="{html.escape(s.alt)}" loading="lazy">\n'
        f'<p class="finding"><strong>Hallazgo:</strong> {html.escape(s.finding)}</p>\n'
        "</section>"
        for s in sections
    )
    notes = "".join(f'<p class="notes">{html.escape(n)}</p>' for n in data.notes)
    return (
        '<!doctype html>\n<html lang="es">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>EDA: {num(len(data.films))} películas ({html.escape(data.dataset)})</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n{_header(data)}<main>\n"
        "<p>Análisis hecho a mano con matplotlib y seaborn sobre las tablas limpias del "
        "catálogo (<code>filmoteca build</code>). Presupuesto, ingresos y retorno valen 0 "
        "cuando el dato falta (regla del curso), por eso las cifras de dinero usan solo los "
        "valores mayores que 0. Cada hallazgo se calcula a partir de los datos al generar "
        f"el informe.</p>\n{notes}<nav aria-label=\"Índice\"><h2>Índice</h2><ol>\n{toc}\n"
        f"</ol></nav>\n{body}\n<footer><p>Generado por <code>filmoteca eda</code> en "
        f"{num(elapsed, 1)} s el {time.strftime('%Y-%m-%d %H:%M:%S')}.</p></footer>\n"
        "</main>\n</body>\n</html>\n"
    )


def make_eda(catalog_dir: Path, out_dir: Path, progress: Progress | None = None) -> Path:
    """Write the EDA report of the catalog at ``catalog_dir``; returns ``out_dir/index.html``.

    Raises :class:`filmoteca.catalog.store.CatalogError` if the catalog is missing.
    """
    progress = progress or NullProgress()
    started = time.perf_counter()
    progress.start("EDA: loading the catalog")
    data = load_data(Path(catalog_dir))
    figures_dir = Path(out_dir) / FIGURES
    figures_dir.mkdir(parents=True, exist_ok=True)
    progress.start("EDA: figures", total=len(SECTIONS))
    sections: list[Section] = []
    for section in iter_sections(data):
        section.figure.savefig(figures_dir / section.filename, dpi=DPI)
        section.figure.clear()
        sections.append(section)
        progress.advance(1)
    progress.start("EDA: writing index.html")
    index = Path(out_dir) / "index.html"
    index.write_text(render_html(data, sections, time.perf_counter() - started),
                     encoding="utf-8")
    return index
