"""The scenes of the demo video (``make video``), in the course's order.

Each entry is one scene: what the browser shows and the Spanish caption (subtitle and, with
``--voz``, the voice). Answers are never written here: every number on screen comes from the
running app or from the reports when the video is recorded. Captions describe, they do not
quote figures, so they stay true on the sample and on the full catalog.

To add a scene, add an entry where it belongs (kinds: ``video_engine.py``). A scene with
``when=`` plays only if the app has what it shows, so features that land later (the Spanish
title and description searches of issue 10) appear by themselves, and never as fake content:

    Json(q("/peliculas_pais", "EEUU"), "«EEUU» también es Estados Unidos.",
         when=answers(q("/peliculas_pais", "EEUU"))),
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from video_engine import (
    Ask,
    Card,
    Ctx,
    Endpoints,
    Json,
    MarkdownTable,
    Picture,
    Scene,
    Visit,
    answers,
    file_exists,
    has_path,
    q,
)

DESCRIPTION = "un muñeco vaquero celoso de un juguete astronauta"


def served(ctx: Ctx) -> Sequence[str]:
    health = ctx.get_json("/health")
    kind = {"sample": "la muestra real incluida", "full": "el catálogo completo de Kaggle",
            "synthetic": "datos SINTÉTICOS"}.get(health["datos"], health["datos"])
    films = f"{health['peliculas']:,}".replace(",", ".")
    return [
        "Las seis preguntas y la recomendación: en la página y como URL con su JSON",
        "Cómo puntúa el recomendador y cómo se evaluó",
        "El EDA, el ETL y cómo está hecha la API",
        f"Datos de esta grabación: {kind} ({films} películas), respuestas en vivo",
    ]


def build_report(ctx: Ctx) -> Sequence[str]:
    report = json.loads((ctx.catalog / "build_report.json").read_text(encoding="utf-8"))
    films = report["tables"]["films"]
    lines = [f"`{films['rows_in']:,}` filas de películas leídas → `{films['rows_out']:,}` "
             f"en el catálogo ({report['stages']['total']:.1f} s)".replace(",", ".")]
    for reason, count in sorted(report["dropped"].items()):
        if reason.startswith("movies."):
            lines.append(f"descartadas `{reason}`: {count:,}".replace(",", "."))
    tables = [name for name in report["tables"] if name != "films"]
    lines.append(f"tablas: {', '.join(tables)}")
    return lines


SCENES: list[Scene] = [
    # --- what it is and for whom --------------------------------------------------------------
    Card("Filmoteca", kicker="MVP de MLOps · The Movies Dataset (Kaggle, CC0)", lines=[
        "Una API de películas rápida y tolerante, con recomendador",
        "ETL → catálogo → API FastAPI → página web, EDA y despliegue gratuito",
        "Para estudiantes de ciencia de datos, y para quien los evalúa",
    ], caption="Filmoteca convierte The Movies Dataset de Kaggle en una API de películas con "
               "recomendador: el MVP de MLOps del curso, de los datos crudos al despliegue."),
    Card("Qué se ve en este video", lines=served,
         caption="Todo lo que aparece se responde en vivo desde la aplicación en ejecución."),
    Visit("/", caption="La página de inicio tiene un formulario por pregunta: cada uno llama a "
                       "la API y muestra la respuesta como ficha y como JSON."),

    # --- the six questions and the recommendation, on the page and as raw URLs -----------------
    Ask("idioma", "#idioma", "inglés",
        caption="Pregunta 1: películas por idioma original. Vale el código ISO o el nombre en "
                "español o en inglés, con o sin tilde."),
    Json(q("/peliculas_idioma", "inglés"),
         caption="La misma consulta como URL: el JSON trae el código, el nombre, la cantidad "
                 "y el mensaje que pide el curso."),
    Ask("duracion", "#duracion-titulo", "toy story",
        caption="Pregunta 2: duración y año de una película. Mayúsculas, tildes y espacios no "
                "importan."),
    Json(q("/peliculas_duracion", "The Mummy", query="anio=1932"),
         caption="Si varias películas comparten el título, responde la más votada y lista las "
                 "demás; el parámetro anio elige una."),
    Ask("franquicia", "#franquicia", "Toy Story",
        caption="Pregunta 3: una franquicia, con o sin «Collection»: cantidad de películas, "
                "ganancia total y ganancia promedio."),
    Json(q("/franquicia", "Toy Story"), caption="Y su JSON, con los importes como números."),
    Ask("pais", "#pais", "Francia",
        caption="Pregunta 4: películas producidas en un país, por código o por nombre en "
                "español o en inglés."),
    Json(q("/peliculas_pais", "Francia"), caption="El país se resuelve a su código ISO."),
    Ask("productora", "#productora", "pixar animation studios",
        caption="Pregunta 5: una productora, cuánto recaudó y cuántas películas hizo."),
    Json(q("/productoras_exitosas", "pixar animation studios"),
         caption="El nombre escrito en minúsculas encuentra a la productora."),
    Ask("director", "#director", "John Lasseter",
        caption="Pregunta 6: el éxito de un director medido por el retorno, y cada película "
                "con fecha, retorno, costo y ganancia."),
    Json(q("/get_director", "John Lasseter"),
         caption="En el JSON, una entrada por película dirigida."),
    Ask("recomendacion", "#recomendacion-titulo", "Toy Story",
        caption="La recomendación: cinco películas similares, de la más parecida a la menos, "
                "cada una con sus motivos."),
    Json(q("/recomendacion", "Toy Story"),
         caption="recomendaciones trae los cinco títulos; detalle, el puntaje y los motivos de "
                 "cada una."),
    Ask("recomendacion", "#recomendacion-titulo", "Toy Stroy", expect=".result.notfound",
        caption="Un título mal escrito no rompe nada: la API responde 404 con sugerencias, y "
                "un clic en una vuelve a preguntar."),
    Json("/recomendacion?titulo=Toy%20Story&titulo=Jumanji&anio_desde=1990",
         when=answers("/recomendacion?titulo=Toy%20Story&titulo=Jumanji"),
         caption="También a partir de varias películas, con filtros de años, género o idioma: "
                 "cada recomendación dice a cuál de las pedidas responde."),
    Json(q("/recomendacion", "Toy Story", query="genero=Terror"),
         when=answers(q("/recomendacion", "Toy Story", query="genero=Terror")),
         caption="Con un filtro siempre llegan cinco mientras haya películas que lo cumplan: "
                 "si los vecinos guardados no alcanzan, la búsqueda se amplía y lo dice."),
    Visit("/#pelicula/862", when=has_path("/pelicula/{id}"),
          caption="Cada película que aparece en una respuesta abre su ficha: datos, dinero, "
                  "enlaces a IMDb y TMDB, y sus cinco recomendaciones."),

    # --- Spanish titles, colloquial names and plot search (issue 10): only once they exist ------
    Ask("duracion", "#duracion-titulo", "El padrino",
        when=answers(q("/peliculas_duracion", "El padrino")),
        caption="Títulos en español: «El padrino» se interpreta como el título del catálogo, y "
                "la respuesta dice cómo se leyó."),
    Json(q("/peliculas_duracion", "El padrino"),
         when=answers(q("/peliculas_duracion", "El padrino")),
         caption="El campo interpretacion muestra lo que se escribió y lo que se entendió."),
    Json(q("/peliculas_pais", "EEUU"), when=answers(q("/peliculas_pais", "EEUU")),
         caption="También nombres coloquiales: «EEUU» es Estados Unidos."),
    Json(q("/get_director", "hitchcock"), when=answers(q("/get_director", "hitchcock")),
         caption="Y nombres escritos en parte, cuando designan a uno solo: «hitchcock» es "
                 "Alfred Hitchcock, y la respuesta lo dice."),
    Json(f"/buscar_descripcion?q={quote(DESCRIPTION)}&limite=5",
         when=has_path("/buscar_descripcion"),
         caption="Y la búsqueda por descripción: un argumento contado en español encuentra la "
                 "película."),

    # --- the recommender ----------------------------------------------------------------------
    Card("Cómo puntúa el recomendador", lines=[
        "Similitud de coseno por bloques: géneros, palabras clave, director, reparto, "
        "colección y sinopsis (TF-IDF, sin nombres de personajes)",
        "+ co-valoraciones de usuarios de MovieLens",
        "+ un prior de calidad (la media ponderada de IMDb)",
        "`puntaje = Σ w·cos + w·cf + w·prior`, pesos elegidos con usuarios de validación",
        "Un tope de exposición: ninguna película en más del 2 % de las listas",
        "Los 20 vecinos de cada película se calculan al construir el catálogo",
    ], caption="El modelo es híbrido: suma similitudes de contenido, co-valoraciones de "
               "MovieLens y un prior de calidad, con un tope para que los éxitos no aparezcan "
               "en todas partes. Se calcula al construir: servir es una búsqueda."),
    MarkdownTable("reports/recommender.md", "Evaluación sin conexión (reports/recommender.md)",
                  columns=(0, 1, 2, 6, 5), when=file_exists("reports/recommender.md"),
                  note="HR@5: la lista de 5 contiene otra película que le gustó al usuario.",
                  caption="Se evalúa con usuarios de MovieLens que el modelo no vio, frente a "
                          "las líneas base medidas en la misma corrida, también en la cola "
                          "larga: películas que no son éxitos."),
    MarkdownTable("reports/recommender.md", "Exposición: ¿las mismas películas en todas partes?",
                  columns=(0, 1, 3), after="## Exposure: the blockbuster echo",
                  when=file_exists("reports/recommender.md"),
                  note="Cada película del catálogo preguntada una vez: en qué parte de las "
                       "listas aparece la más recomendada, y el Gini de la exposición.",
                  caption="Y cuánto se repiten: «más populares» acierta mucho porque pone las "
                          "mismas cinco en todas las listas; el modelo no deja a ninguna pasar "
                          "del dos por ciento."),
    Picture("reports/figures/recommender.png", "Acierto, exposición y cobertura",
            when=file_exists("reports/figures/recommender.png"),
            caption="La misma comparación en una figura: acierto general y en la cola larga, "
                    "exposición, y qué parte del catálogo se llega a recomendar."),

    # --- EDA, ETL, how the API is built -------------------------------------------------------
    Visit("reports/eda/index.html", scroll=True, when=file_exists("reports/eda/index.html"),
          caption="El análisis exploratorio, hecho a mano con matplotlib y seaborn: cada "
                  "figura con un hallazgo calculado de los datos."),
    Visit("reports/eda/index.html", anchor="#nube_titulos",
          when=file_exists("reports/eda/figures/nube_titulos.png"),
          caption="Entre ellas, la nube de palabras de los títulos."),
    Card("El ETL, contado en build_report.json", lines=build_report,
         when=lambda ctx: (ctx.catalog / "build_report.json").is_file(),
         caption="El ETL lee los CSV crudos con sus literales de Python, aplica las reglas del "
                 "curso y cuenta cada fila descartada con su motivo."),
    Card("El catálogo completo en un comando", lines=[
        "`make full`: descarga el dataset con kagglehub y construye las 45.466 películas",
        "La descarga se comprueba y se publica de una vez: si falla, data/raw/ no cambia",
        "En Render, el build descarga; si no puede, despliega la muestra y lo avisa",
    ], caption="Con internet, el catálogo completo está a un comando, y el despliegue en "
               "Render lo usa por defecto."),
    Endpoints(caption="La API es FastAPI: cada ruta declara parámetros y respuestas con "
                      "pydantic, y de ahí sale el esquema OpenAPI que muestra /docs."),
    Card("Filmoteca", lines=[
        "`make run` · `make test` · `make full` · `make video`",
        "Cada cifra del README sale de un benchmark o de un informe reproducible",
        "Código MIT · Datos CC0",
    ], caption="Todo está en el repositorio: el README explica cómo reproducir cada paso. "
               "Gracias."),
]
