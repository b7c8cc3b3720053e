"""The answers the services build, declared once: pydantic v2 models.

Owns the JSON shape of every successful answer. :mod:`.questions`, :mod:`.search` and
:mod:`.recommend` build these models, and the API (:mod:`filmoteca.api`) declares them as
its response models: FastAPI passes an instance of the declared model through untouched
(no conversion, no second object) and pydantic-core writes it to JSON bytes. The field
descriptions and the examples (real answers over the embedded sample) are what ``/docs``
shows.

Money fields are plain numbers in US dollars; ``mensaje`` repeats them written the Spanish
way (``US$ 1.234.567``, :mod:`filmoteca.formatting`). Answers are frozen: a cached or shared
answer cannot be changed by whoever reads it. Their schemas are built on first use
(``defer_build``): a server waking up builds only the one its first answer needs. The items
of lists (films of a director, recommendations, search hits, other films sharing a title)
are validated from plain dicts in one call per list (:func:`items`): a director with 700
films costs one pass of pydantic-core instead of 700 constructor calls.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from filmoteca.config import RECOMMENDATIONS, SEARCH_MAX_MATCHES
from filmoteca.formatting import format_int


def _config(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(frozen=True, defer_build=True,
                      json_schema_extra={"examples": list(examples)})


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


Item = TypeVar("Item", bound=Answer)


@cache
def _list_of(model: type[Item]) -> TypeAdapter[list[Item]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def items(model: type[Item], rows: list[dict[str, Any]]) -> list[Item]:
    """``rows`` (plain dicts) as a list of ``model``, validated in one pydantic-core call."""
    return _list_of(model).validate_python(rows)


class LanguageAnswer(Answer):
    """``/peliculas_idioma``: films whose original language is the one asked for."""

    model_config = _config({
        "idioma": "fr", "nombre": "francés", "nombre_ingles": "French", "cantidad": 104,
        "mensaje": "104 cantidad de películas fueron estrenadas en idioma francés",
    })

    idioma: str = Field(description="Código ISO 639-1 del idioma original.")
    nombre: str = Field(description="Nombre del idioma en español.")
    nombre_ingles: str = Field(description="Nombre del idioma en inglés.")
    cantidad: int = Field(description="Películas cuyo idioma original es este.")
    mensaje: str


class FilmRef(Answer):
    """Another film sharing the title asked for."""

    id: int = Field(description="Id de TMDB.")
    titulo: str
    anio: int


class Interpretation(Answer):
    """How a title that matched no catalog title directly was read."""

    consulta: str = Field(description="Lo que se escribió.")
    titulo: str = Field(description="El título del catálogo con que se interpretó.")
    metodo: Literal["titulo", "titulo_original", "titulo_en_espanol", "modelo_multilingue"] = (
        Field(description=(
            "Cómo se leyó: `titulo_en_espanol` (un título de estreno en España o "
            "Latinoamérica de la película), `titulo_original` (su título original), "
            "`modelo_multilingue` (lo escrito se parece en sentido a ese título) o `titulo` "
            "(el título del catálogo, con un año escrito al final).")))
    similitud: float | None = Field(
        default=None,
        description="Con `modelo_multilingue`: similitud de coseno (-1 a 1) entre lo escrito "
                    "y ese título en el espacio multilingüe del modelo; si no, null.")
    anio: int | None = Field(
        default=None, description="El año escrito con el título ('Drácula 1992'), o null.")


class NameInterpretation(Answer):
    """How a name typed in part was read ("hitchcock" -> "Alfred Hitchcock")."""

    consulta: str = Field(description="Lo que se escribió.")
    nombre: str = Field(description="El nombre completo con que se interpretó.")
    metodo: Literal["nombre_parcial"] = Field(
        description="`nombre_parcial`: lo escrito son palabras enteras de un solo nombre "
                    "(o de uno que claramente predomina entre los que las tienen).")


#: The field ``interpretacion`` of the answers that take a title.
INTERPRETATION_DESCRIPTION = (
    "null si el título coincidió directamente con uno del catálogo; si no, cómo se "
    "interpretó lo escrito (por ejemplo un título en español).")


#: The field ``interpretacion`` of the answers that take a name.
NAME_INTERPRETATION_DESCRIPTION = (
    "null si el nombre coincidió directamente; si se escribió una parte ('hitchcock'), el "
    "nombre completo con que se interpretó.")


class DurationAnswer(Answer):
    """``/peliculas_duracion``: runtime and year of a film."""

    model_config = _config({
        "titulo": "Cape Fear", "id": 1598, "duracion_min": 128, "anio": 1991,
        "fecha_lanzamiento": "1991-11-15",
        "otras_coincidencias": [{"id": 11349, "titulo": "Cape Fear", "anio": 1962}],
        "interpretacion": None,
        "mensaje": "Cape Fear. Duración: 128 minutos. Año: 1991",
    }, {
        "titulo": "The Godfather", "id": 238, "duracion_min": 175, "anio": 1972,
        "fecha_lanzamiento": "1972-03-14", "otras_coincidencias": [],
        "interpretacion": {"consulta": "El padrino", "titulo": "The Godfather",
                           "metodo": "titulo_en_espanol", "similitud": None, "anio": None},
        "mensaje": "'El padrino' es el título en español de 'The Godfather'. The Godfather. "
                   "Duración: 175 minutos. Año: 1972",
    })

    titulo: str
    id: int = Field(description="Id de TMDB.")
    duracion_min: int | None = Field(description="Minutos; null si se desconoce.")
    anio: int = Field(description="Año de estreno.")
    fecha_lanzamiento: str = Field(description="AAAA-MM-DD.")
    otras_coincidencias: list[FilmRef] = Field(
        description="Otras películas con el mismo título (elija una con ?anio=).",
    )
    interpretacion: Interpretation | None = Field(
        default=None, description=INTERPRETATION_DESCRIPTION)
    mensaje: str


class CollectionAnswer(Answer):
    """``/franquicia``: films of a collection, total and mean revenue."""

    model_config = _config({
        "franquicia": "Star Wars Collection", "cantidad": 4, "ganancia_total": 2810815565.0,
        "ganancia_promedio": 702703891.25,
        "mensaje": "La franquicia Star Wars Collection posee 4 películas, una ganancia total "
                   "de US$ 2.810.815.565 y una ganancia promedio de US$ 702.703.891",
    })

    franquicia: str
    cantidad: int
    ganancia_total: float = Field(description="Suma de revenue, en US$.")
    ganancia_promedio: float = Field(description="ganancia_total / cantidad, en US$.")
    interpretacion: NameInterpretation | None = Field(
        default=None, description=NAME_INTERPRETATION_DESCRIPTION)
    mensaje: str


class CountryAnswer(Answer):
    """``/peliculas_pais``: films produced (at least partly) in a country."""

    model_config = _config({
        "pais": "Estados Unidos", "codigo": "US", "nombre_ingles": "United States",
        "cantidad": 2220, "mensaje": "Se produjeron 2.220 películas en el país Estados Unidos",
    })

    pais: str = Field(description="Nombre del país en español.")
    codigo: str = Field(description="Código ISO 3166-1.")
    nombre_ingles: str
    cantidad: int = Field(description="Películas producidas (al menos en parte) en el país.")
    mensaje: str


class CompanyAnswer(Answer):
    """``/productoras_exitosas``: revenue and film count of a production company."""

    model_config = _config({
        "productora": "Pixar Animation Studios", "ganancia_total": 736812892.0, "cantidad": 2,
        "mensaje": "La productora Pixar Animation Studios ha tenido un revenue de "
                   "US$ 736.812.892",
    })

    productora: str
    ganancia_total: float = Field(description="Suma de revenue de sus películas, en US$.")
    cantidad: int
    interpretacion: NameInterpretation | None = Field(
        default=None, description=NAME_INTERPRETATION_DESCRIPTION)
    mensaje: str


class DirectorFilm(Answer):
    """One film of a director."""

    id: int
    titulo: str
    fecha_lanzamiento: str = Field(description="AAAA-MM-DD.")
    retorno: float = Field(description="revenue / budget (0 si falta alguno).")
    costo: float = Field(description="budget, en US$.")
    ganancia: float = Field(description="revenue, en US$.")


class DirectorAnswer(Answer):
    """``/get_director``: a director's total return and each of their films."""

    model_config = _config({
        "director": "John Lasseter", "retorno_total": 15.478958, "cantidad": 2,
        "peliculas": [
            {"id": 862, "titulo": "Toy Story", "fecha_lanzamiento": "1995-10-30",
             "retorno": 12.451801, "costo": 30000000.0, "ganancia": 373554033.0},
            {"id": 9487, "titulo": "A Bug's Life", "fecha_lanzamiento": "1998-11-25",
             "retorno": 3.027157, "costo": 120000000.0, "ganancia": 363258859.0},
        ],
        "mensaje": "El director John Lasseter ha dirigido 2 películas con un retorno total "
                   "de 15,48",
    })

    director: str
    retorno_total: float = Field(description="Suma del retorno de sus películas.")
    cantidad: int
    peliculas: list[DirectorFilm] = Field(description="Por fecha de estreno.")
    interpretacion: NameInterpretation | None = Field(
        default=None, description=NAME_INTERPRETATION_DESCRIPTION)
    mensaje: str


class Recommendation(Answer):
    """One recommended film, with why it was picked."""

    id: int
    titulo: str
    anio: int
    puntaje: float = Field(
        description="Similitud (mayor es más parecida). Las halladas por la búsqueda "
                    "ampliada (motivo 'búsqueda ampliada') van después, con su propia escala.")
    motivos: list[str] = Field(description="Por qué se parece.")
    responde_a: list[int] = Field(
        default_factory=list,
        description="Ids de TMDB de las películas consultadas a las que se parece (con varias "
                    "películas, los motivos empiezan por 'como X:').")


class Filters(Answer):
    """The filters a recommendation or a description search was asked with."""

    anio_desde: int | None = None
    anio_hasta: int | None = None
    genero: str | None = Field(default=None, description="El género, en español.")
    idioma: str | None = Field(default=None, description="Código del idioma original.")


#: The field ``filtros`` of the answers that take filters.
FILTERS_DESCRIPTION = "Los filtros pedidos (null si ninguno)."


class RecommendationAnswer(Answer):
    """``/recomendacion/{titulo}``: the most similar films, best first."""

    model_config = _config({
        "titulo": "Toy Story", "id": 862, "anio": 1995,
        "recomendaciones": ["A Bug's Life", "Forrest Gump", "The Lion King",
                            "The Shawshank Redemption", "Back to the Future"],
        "detalle": [{
            "id": 9487, "titulo": "A Bug's Life", "anio": 1998, "puntaje": 0.8571,
            "motivos": ["mismo director: John Lasseter",
                        "géneros en común: Animation, Comedy, Family"], "responde_a": [862],
        }],
        "otras_coincidencias": [],
        "interpretacion": None,
        "filtros": None,
        "mensaje": "Películas similares a Toy Story (1995): A Bug's Life, Forrest Gump, "
                   "The Lion King, The Shawshank Redemption, Back to the Future",
    })

    titulo: str
    id: int
    anio: int
    recomendaciones: list[str] = Field(
        description=f"Hasta {RECOMMENDATIONS} títulos, el más parecido primero.")
    detalle: list[Recommendation]
    otras_coincidencias: list[FilmRef]
    interpretacion: Interpretation | None = Field(
        default=None, description=INTERPRETATION_DESCRIPTION)
    filtros: Filters | None = Field(default=None, description=FILTERS_DESCRIPTION)
    mensaje: str


class QueryFilm(Answer):
    """One of the films a recommendation was asked for, as it was read."""

    consulta: str = Field(description="Lo que se escribió.")
    id: int
    titulo: str
    anio: int
    interpretacion: Interpretation | None = Field(
        default=None, description=INTERPRETATION_DESCRIPTION)


class SeveralRecommendationAnswer(Answer):
    """``/recomendacion?titulo=A&titulo=B``: the films most similar to a set of films."""

    titulos: list[QueryFilm] = Field(description="Las películas consultadas, como se leyeron.")
    recomendaciones: list[str] = Field(
        description=f"Hasta {RECOMMENDATIONS} títulos, el más parecido al conjunto primero.")
    detalle: list[Recommendation]
    filtros: Filters | None = Field(default=None, description=FILTERS_DESCRIPTION)
    mensaje: str


class Named(Answer):
    """A code and its Spanish name (a country, a language)."""

    codigo: str
    nombre: str


class FilmLinks(Answer):
    """Where else the film is described."""

    tmdb: str
    imdb: str | None = Field(default=None, description="Si se conoce su id de IMDb.")


class FilmAnswer(Answer):
    """``/pelicula/{id}``: one film whole, its recommendations and its links."""

    id: int = Field(description="Id de TMDB.")
    titulo: str
    titulo_original: str | None = Field(description="Si es distinto del título.")
    anio: int
    fecha_lanzamiento: str = Field(description="AAAA-MM-DD.")
    duracion_min: int | None
    generos: list[str] = Field(description="En español.")
    directores: list[str]
    reparto: list[str] = Field(description="Reparto principal, si los créditos lo traen.")
    coleccion: str | None
    productoras: list[str]
    paises: list[Named]
    idioma_original: Named | None
    idiomas: list[Named] = Field(description="Idiomas hablados.")
    sinopsis: str
    lema: str
    votos: int = Field(description="vote_count de TMDB.")
    puntuacion: float = Field(description="vote_average de TMDB (0-10).")
    costo: float = Field(description="budget, en US$.")
    ganancia: float = Field(description="revenue, en US$.")
    retorno: float = Field(description="revenue / budget (0 si falta alguno).")
    recomendaciones: list[Recommendation]
    enlaces: FilmLinks
    mensaje: str


class SearchHit(Answer):
    """One film whose title contains the searched text."""

    id: int
    titulo: str
    anio: int
    duracion_min: int | None
    votos: int = Field(description="vote_count de TMDB.")
    puntuacion: float = Field(description="vote_average de TMDB (0-10).")


class SearchAnswer(Answer):
    """``/buscar``: one page of the films whose title contains ``q``."""

    model_config = _config({
        "q": "toy", "total": 4, "total_es_minimo": False, "pagina": 1, "limite": 2,
        "resultados": [
            {"id": 862, "titulo": "Toy Story", "anio": 1995, "duracion_min": 81,
             "votos": 5415, "puntuacion": 7.7},
            {"id": 11597, "titulo": "Toys", "anio": 1992, "duracion_min": 118,
             "votos": 173, "puntuacion": 5.0},
        ],
        "sugerencias": [],
        "mensaje": "4 películas contienen 'toy' en el título; página 1 (2 resultados).",
    })

    q: str
    total: int = Field(
        description=f"Coincidencias (se cuentan hasta {format_int(SEARCH_MAX_MATCHES)}).")
    total_es_minimo: bool = Field(
        description=f"true si hay más de {format_int(SEARCH_MAX_MATCHES)} coincidencias.")
    pagina: int
    limite: int
    resultados: list[SearchHit] = Field(description="Los más votados primero.")
    sugerencias: list[str] = Field(description="Títulos parecidos, si no hubo coincidencias.")
    mensaje: str


class DescriptionHit(Answer):
    """One film whose plot is close to the description."""

    id: int = Field(description="Id de TMDB.")
    titulo: str
    anio: int
    similitud: float = Field(
        description="Similitud de coseno (-1 a 1) entre la descripción y el argumento "
                    "(título, lema, sinopsis, géneros y palabras clave) de la película.")


class DescriptionAnswer(Answer):
    """``/buscar_descripcion``: films whose plot matches a description told in Spanish or
    English."""

    model_config = _config({
        "q": "dinosaurios en un parque de atracciones",
        "resultados": [
            {"id": 329, "titulo": "Jurassic Park", "anio": 1993, "similitud": 0.646},
            {"id": 330, "titulo": "The Lost World: Jurassic Park", "anio": 1997,
             "similitud": 0.522},
            {"id": 1634, "titulo": "Free Willy", "anio": 1993, "similitud": 0.336},
        ],
        "filtros": None,
        "mensaje": "Películas cuyo argumento se parece a 'dinosaurios en un parque de "
                   "atracciones': Jurassic Park (1993), The Lost World: Jurassic Park (1997), "
                   "Free Willy (1993).",
    })

    q: str
    resultados: list[DescriptionHit] = Field(
        description="La mejor primero (similitud y, un poco, popularidad: por eso la "
                    "similitud no siempre baja).")
    filtros: Filters | None = Field(default=None, description=FILTERS_DESCRIPTION)
    mensaje: str


class LayerState(Answer):
    """An optional layer of the served catalog (the semantic one: Spanish titles and
    ``/buscar_descripcion``)."""

    estado: Literal["lista", "cargando", "no_disponible"] = Field(
        description="`lista`; `cargando` (se carga en segundo plano tras el arranque); "
                    "`no_disponible` (el catálogo no la tiene, o no se pudo cargar: `motivo`).")
    motivo: str | None = Field(default=None, description="Por qué no está disponible.")


class Health(Answer):
    """``/health``: the service is up, which catalog it serves, and its optional layers."""

    model_config = _config({
        "estado": "ok", "datos": "sample", "peliculas": 2993,
        "construido": "2026-11-26T11:47:41+0000", "version": "0.1.0",
        "busqueda_semantica": {"estado": "lista", "motivo": None},
    })

    estado: Literal["ok", "degradado"] = Field(
        description="'ok' si el catálogo está cargado con todo lo que trae; 'degradado' si "
                    "una capa que el catálogo tiene no se pudo cargar (las demás preguntas "
                    "responden).")
    datos: str = Field(description="sample, full o synthetic.")
    peliculas: int
    construido: str = Field(description="Fecha y hora de construcción del catálogo.")
    version: str
    busqueda_semantica: LayerState = Field(
        description="Títulos en español y `/buscar_descripcion`.")
