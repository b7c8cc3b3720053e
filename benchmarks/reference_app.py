"""REFERENCE implementation of the usual course approach, for side-by-side benchmarks only.

What most course projects ship: a FastAPI app that loads the cleaned tables into pandas
DataFrames at start-up and, per request, filters the whole table (``==`` on a column,
``str.contains`` / ``str.lower()`` on titles and names), and for recommendations fits a
TF-IDF model on every overview and computes cosine similarities *per request*.

To compare like with like it answers the same paths with the same inputs as Filmoteca:
language and country names are mapped to codes with a dict built once at start-up (babel),
collections are accepted with or without " Collection"; the cost that matters (scanning
the table on every request) is exactly the course's. It is never used by the product.

It reads the catalog's Parquet tables (``films``, ``film_countries``, ``film_companies``,
``film_collections``, ``directors``), not the Filmoteca index. Every response carries the
same ``Server-Timing`` header as Filmoteca (``app;dur=<ms>``, :class:`ServerTiming` below).

Usage: python benchmarks/reference_app.py --catalog DIR [--host 127.0.0.1] [--port 8001]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import pandas as pd
import uvicorn
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel


class ServerTiming:
    """``Server-Timing: app;dur=<ms>``: request in -> response headers out, as Filmoteca."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()

        async def timed(message: Any) -> None:
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - began) * 1000
                message = {**message, "headers": [*message.get("headers", ()),
                                                  (b"server-timing", b"app;dur=%.3f" % elapsed)]}
            await send(message)

        await self.app(scope, receive, timed)

def _aliases(kind: str) -> dict[str, str]:
    from babel import Locale

    out: dict[str, str] = {}
    for locale in ("en", "es"):
        names = getattr(Locale(locale), kind)
        for code, name in names.items():
            out.setdefault(str(name).lower(), str(code))
    return out


def create_reference_app(catalog: Path) -> FastAPI:
    def table(name: str) -> pd.DataFrame:
        return pd.read_parquet(catalog / f"{name}.parquet")

    films = table("films")
    countries = table("film_countries")
    companies = table("film_companies")
    collections = table("film_collections")
    directors = table("directors")
    languages_by_name = _aliases("languages")
    countries_by_name = _aliases("territories")
    countries_by_name.update({str(n).lower(): str(c) for c, n in zip(
        countries["iso_3166_1"], countries["country"], strict=True)})

    app = FastAPI(title="Reference (course approach)")
    app.add_middleware(ServerTiming)

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return "<html><body>reference</body></html>"

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"estado": "ok", "peliculas": len(films)}

    @app.get("/peliculas_idioma/{idioma}")
    def peliculas_idioma(idioma: str) -> dict[str, Any]:
        code = languages_by_name.get(idioma.lower(), idioma.lower())
        count = int((films["original_language"] == code).sum())
        return {"idioma": code, "cantidad": count,
                "mensaje": f"{count} cantidad de películas fueron estrenadas en idioma {idioma}"}

    def find_title(titulo: str) -> pd.DataFrame:
        found = films[films["title"].str.contains(titulo, case=False, regex=False, na=False)]
        if found.empty:
            raise HTTPException(404, "Película no encontrada")
        exact = found[found["title"].str.lower() == titulo.lower()]
        return (exact if not exact.empty else found).sort_values("vote_count", ascending=False)

    @app.get("/peliculas_duracion/{pelicula}")
    def peliculas_duracion(pelicula: str) -> dict[str, Any]:
        row = find_title(pelicula).iloc[0]
        return {"titulo": row["title"], "duracion_min": row["runtime"],
                "anio": int(row["release_year"]),
                "mensaje": f"{row['title']}. Duración: {row['runtime']}. "
                           f"Año: {row['release_year']}"}

    @app.get("/franquicia/{franquicia}")
    def franquicia(franquicia: str) -> dict[str, Any]:
        names = {franquicia.lower(), franquicia.lower() + " collection"}
        ids = collections[collections["collection"].str.lower().isin(names)]["film_id"]
        if ids.empty:
            raise HTTPException(404, "Franquicia no encontrada")
        revenue = films[films["id"].isin(ids)]["revenue"]
        return {"franquicia": franquicia, "cantidad": len(revenue),
                "ganancia_total": float(revenue.sum()),
                "ganancia_promedio": float(revenue.mean())}

    @app.get("/peliculas_pais/{pais}")
    def peliculas_pais(pais: str) -> dict[str, Any]:
        code = countries_by_name.get(pais.lower(), pais.upper())
        count = int(countries[countries["iso_3166_1"] == code]["film_id"].nunique())
        return {"pais": pais, "cantidad": count,
                "mensaje": f"Se produjeron {count} películas en el país {pais}"}

    @app.get("/productoras_exitosas/{productora}")
    def productoras_exitosas(productora: str) -> dict[str, Any]:
        ids = companies[companies["company"].str.lower() == productora.lower()]["film_id"]
        if ids.empty:
            raise HTTPException(404, "Productora no encontrada")
        revenue = films[films["id"].isin(ids)]["revenue"]
        return {"productora": productora, "ganancia_total": float(revenue.sum()),
                "cantidad": len(revenue)}

    @app.get("/get_director/{nombre_director}")
    def get_director(nombre_director: str) -> dict[str, Any]:
        ids = directors[directors["name"].str.lower() == nombre_director.lower()]["film_id"]
        if ids.empty:
            raise HTTPException(404, "Director no encontrado")
        own = films[films["id"].isin(ids)]
        return {
            "director": nombre_director, "retorno_total": float(own["return"].sum()),
            "peliculas": [
                {"titulo": r["title"], "fecha_lanzamiento": r["release_date"],
                 "retorno": float(r["return"]), "costo": float(r["budget"]),
                 "ganancia": float(r["revenue"])}
                for r in own.to_dict("records")
            ],
        }

    @app.get("/recomendacion/{titulo}")
    def recomendacion(titulo: str) -> dict[str, Any]:
        target = find_title(titulo).index[0]
        overviews = films["overview"].fillna("")
        matrix = TfidfVectorizer(stop_words="english").fit_transform(overviews)
        position = films.index.get_loc(target)
        scores = linear_kernel(matrix[position], matrix).ravel()
        ranked = [int(i) for i in scores.argsort()[::-1] if i != position][:5]
        return {"titulo": films.at[target, "title"],
                "recomendaciones": films.iloc[ranked]["title"].tolist()}

    @app.get("/buscar")
    def buscar(q: str, limite: int = 10, pagina: int = 1) -> dict[str, Any]:
        found = films[films["title"].str.contains(q, case=False, regex=False, na=False)]
        found = found.sort_values("vote_count", ascending=False)
        page = found.iloc[(pagina - 1) * limite: pagina * limite]
        return {"total": len(found), "resultados": [
            {"id": int(r["id"]), "titulo": r["title"], "anio": int(r["release_year"])}
            for r in page.to_dict("records")]}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(create_reference_app(args.catalog), host=args.host, port=args.port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
