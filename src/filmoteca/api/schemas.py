"""Response models of the HTTP API (pydantic v2), with examples from the real sample.

Owns the JSON shape of every answer, so ``/docs`` is a usable manual. The services return
plain dataclasses (:mod:`filmoteca.services`); these models read them by attribute
(``from_attributes``) and FastAPI serializes them straight to JSON bytes. Money fields are
plain numbers in US dollars; ``mensaje`` repeats them formatted ``US$ 1.234.567``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(Model):
    mensaje: str = Field(description="Qué pasó y qué escribir en su lugar, en español.")
    sugerencias: list[str] = Field(
        default_factory=list, description="Hasta 5 nombres parecidos a lo escrito.",
    )


class ErrorResponse(Model):
    """A 404 (nothing found) or a 422 (input that cannot be a name)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "detail": {
            "mensaje": "No se encontró ninguna película titulada 'toy stori'.",
            "sugerencias": ["Toy Story", "Tokyo Fist", "Toys", "Money Train"],
        },
    }]})

    detail: ErrorDetail


class LanguageAnswer(Model):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "idioma": "fr", "nombre": "francés", "nombre_ingles": "French", "cantidad": 104,
        "mensaje": "104 cantidad de películas fueron estrenadas en idioma francés",
    }]})

    idioma: str = Field(description="Código ISO 639-1 del idioma original.")
    nombre: str = Field(description="Nombre del idioma en español.")
    nombre_ingles: str = Field(description="Nombre del idioma en inglés.")
    cantidad: int = Field(description="Películas cuyo idioma original es este.")
    mensaje: str


class FilmRef(Model):
    id: int = Field(description="Id de TMDB.")
    titulo: str
    anio: int


class DurationAnswer(Model):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "titulo": "Cape Fear", "id": 1598, "duracion_min": 128, "anio": 1991,
        "fecha_lanzamiento": "1991-11-15",
        "otras_coincidencias": [{"id": 11349, "titulo": "Cape Fear", "anio": 1962}],
        "mensaje": "Cape Fear. Duración: 128 minutos. Año: 1991",
    }]})

    titulo: str
    id: int = Field(description="Id de TMDB.")
    duracion_min: int | None = Field(description="Minutos; null si se desconoce.")
    anio: int = Field(description="Año de estreno.")
    fecha_lanzamiento: str = Field(description="AAAA-MM-DD.")
    otras_coincidencias: list[FilmRef] = Field(
        description="Otras películas con el mismo título (elija una con ?anio=).",
    )
    mensaje: str


class CollectionAnswer(Model):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "franquicia": "Star Wars Collection", "cantidad": 4, "ganancia_total": 2810815565.0,
        "ganancia_promedio": 702703891.25,
        "mensaje": "La franquicia Star Wars Collection posee 4 películas, una ganancia total "
                   "de US$ 2.810.815.565 y una ganancia promedio de US$ 702.703.891",
    }]})

    franquicia: str
    cantidad: int
    ganancia_total: float = Field(description="Suma de revenue, en US$.")
    ganancia_promedio: float = Field(description="ganancia_total / cantidad, en US$.")
    mensaje: str


class CountryAnswer(Model):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "pais": "Estados Unidos", "codigo": "US", "nombre_ingles": "United States",
        "cantidad": 2220, "mensaje": "Se produjeron 2.220 películas en el país Estados Unidos",
    }]})

    pais: str = Field(description="Nombre del país en español.")
    codigo: str = Field(description="Código ISO 3166-1.")
    nombre_ingles: str
    cantidad: int = Field(description="Películas producidas (al menos en parte) en el país.")
    mensaje: str


class CompanyAnswer(Model):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "productora": "Pixar Animation Studios", "ganancia_total": 736812892.0, "cantidad": 2,
        "mensaje": "La productora Pixar Animation Studios ha tenido un revenue de "
                   "US$ 736.812.892",
    }]})

    productora: str
    ganancia_total: float = Field(description="Suma de revenue de sus películas, en US$.")
    cantidad: int
    mensaje: str


class DirectorFilm(Model):
    id: int
    titulo: str
    fecha_lanzamiento: str = Field(description="AAAA-MM-DD.")
    retorno: float = Field(description="revenue / budget (0 si falta alguno).")
    costo: float = Field(description="budget, en US$.")
    ganancia: float = Field(description="revenue, en US$.")


class DirectorAnswer(Model):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "director": "John Lasseter", "retorno_total": 15.478958, "cantidad": 2,
        "peliculas": [
            {"id": 862, "titulo": "Toy Story", "fecha_lanzamiento": "1995-10-30",
             "retorno": 12.451801, "costo": 30000000.0, "ganancia": 373554033.0},
            {"id": 9487, "titulo": "A Bug's Life", "fecha_lanzamiento": "1998-11-25",
             "retorno": 3.027157, "costo": 120000000.0, "ganancia": 363258859.0},
        ],
        "mensaje": "El director John Lasseter ha dirigido 2 películas con un retorno total "
                   "de 15,48",
    }]})

    director: str
    retorno_total: float = Field(description="Suma del retorno de sus películas.")
    cantidad: int
    peliculas: list[DirectorFilm] = Field(description="Por fecha de estreno.")
    mensaje: str


class Recommendation(Model):
    id: int
    titulo: str
    anio: int
    puntaje: float = Field(description="Similitud (mayor es más parecida).")
    motivos: list[str] = Field(description="Por qué se parece.")


class RecommendationAnswer(Model):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "titulo": "Toy Story", "id": 862, "anio": 1995,
        "recomendaciones": ["A Bug's Life", "Forrest Gump", "The Lion King",
                            "The Shawshank Redemption", "Back to the Future"],
        "detalle": [{
            "id": 9487, "titulo": "A Bug's Life", "anio": 1998, "puntaje": 0.8571,
            "motivos": ["mismo director: John Lasseter",
                        "géneros en común: Animation, Comedy, Family"],
        }],
        "otras_coincidencias": [],
        "mensaje": "Películas similares a Toy Story (1995): A Bug's Life, Forrest Gump, "
                   "The Lion King, The Shawshank Redemption, Back to the Future",
    }]})

    titulo: str
    id: int
    anio: int
    recomendaciones: list[str] = Field(description="Hasta 5 títulos, el más parecido primero.")
    detalle: list[Recommendation]
    otras_coincidencias: list[FilmRef]
    mensaje: str


class SearchHit(Model):
    id: int
    titulo: str
    anio: int
    duracion_min: int | None
    votos: int = Field(description="vote_count de TMDB.")
    puntuacion: float = Field(description="vote_average de TMDB (0-10).")


class SearchAnswer(Model):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "q": "toy", "total": 4, "total_es_minimo": False, "pagina": 1, "limite": 2,
        "resultados": [
            {"id": 862, "titulo": "Toy Story", "anio": 1995, "duracion_min": 81,
             "votos": 5415, "puntuacion": 7.7},
            {"id": 11597, "titulo": "Toys", "anio": 1992, "duracion_min": 118,
             "votos": 173, "puntuacion": 5.0},
        ],
        "sugerencias": [],
        "mensaje": "4 películas contienen 'toy' en el título; página 1 (2 resultados).",
    }]})

    q: str
    total: int = Field(description="Coincidencias (se cuentan hasta 1.000).")
    total_es_minimo: bool = Field(description="true si hay más de 1.000 coincidencias.")
    pagina: int
    limite: int
    resultados: list[SearchHit] = Field(description="Los más votados primero.")
    sugerencias: list[str] = Field(description="Títulos parecidos, si no hubo coincidencias.")
    mensaje: str


class Health(Model):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "estado": "ok", "datos": "sample", "peliculas": 2993,
        "construido": "2026-11-26T11:47:41+0000", "version": "0.1.0",
    }]})

    estado: str = Field(description="'ok' si el catálogo está cargado.")
    datos: str = Field(description="sample, full o synthetic.")
    peliculas: int
    construido: str = Field(description="Fecha y hora de construcción del catálogo.")
    version: str
