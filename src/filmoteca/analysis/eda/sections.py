"""The EDA's sections: one figure (matplotlib/seaborn, drawn on an Agg canvas) and one short
finding in Spanish per topic, written with f-strings from the numbers computed here (never
hard-coded).

Figures are built with the object-oriented API (:class:`matplotlib.figure.Figure` with a
:class:`FigureCanvasAgg`), never through ``pyplot``, so the report leaves no global backend
state behind and the same functions display inline in the notebook.

Budget, revenue and return of 0 mean "unknown" (the course's cleaning sets missing values
to 0), so money statistics are computed on the values greater than 0 and say so.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, SupportsFloat, cast

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from babel import Locale
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from wordcloud import STOPWORDS, WordCloud

from filmoteca.analysis.eda.data import EdaData
from filmoteca.formatting import format_number

SPANISH = Locale("es")
ACCENT = "#3b6ea5"
SECOND = "#d9822b"
STYLE: dict[str, Any] = {
    **sns.axes_style("whitegrid"),
    **sns.plotting_context("notebook", font_scale=0.9),
    "figure.dpi": 100,
    "axes.titleweight": "bold",
}

#: TMDB genre names (English in the raw file) shown in Spanish.
GENRES_ES = {
    "Action": "Acción", "Adventure": "Aventura", "Animation": "Animación",
    "Comedy": "Comedia", "Crime": "Crimen", "Documentary": "Documental", "Drama": "Drama",
    "Family": "Familiar", "Fantasy": "Fantasía", "Foreign": "Extranjera",
    "History": "Historia", "Horror": "Terror", "Music": "Música", "Mystery": "Misterio",
    "Romance": "Romance", "Science Fiction": "Ciencia ficción", "TV Movie": "Película de TV",
    "Thriller": "Suspense", "War": "Bélica", "Western": "Western",
}
#: Spanish labels of the numeric columns of ``films``.
COLUMNS_ES = {
    "runtime": "duración", "budget": "presupuesto", "revenue": "ingresos",
    "return": "retorno", "popularity": "popularidad", "vote_average": "nota media",
    "vote_count": "votos", "release_year": "año",
}
#: Why the build dropped film rows (keys of the build report, without "movies.").
DROP_REASONS_ES = {
    "malformed_id": "id no numérico (filas desplazadas)",
    "id_too_large": "id demasiado grande",
    "duplicate_id": "id duplicado",
    "missing_title": "sin título",
    "missing_release_date": "sin fecha de estreno",
    "invalid_release_date": "fecha de estreno no válida",
    "line_with_too_many_fields": "línea con demasiados campos",
}
#: Words left out of the title word cloud (English from wordcloud, plus common others).
TITLE_STOPWORDS = frozenset(STOPWORDS) | {
    "el", "la", "los", "las", "de", "del", "y", "en", "un", "una", "le", "les", "des", "du",
    "et", "der", "die", "das", "und", "il", "di", "da", "o", "s", "th", "ii", "iii", "iv",
    "part",
}
WORD = re.compile(r"[^\W\d_]+")


# ----------------------------------------------------------------------------- formatting


def num(value: SupportsFloat, decimals: int = 0) -> str:
    """A number the Spanish way (:func:`filmoteca.formatting.format_number`): ``12.345``."""
    return format_number(value, decimals)


def pct(part: SupportsFloat, whole: SupportsFloat = 1.0, decimals: int = 1) -> str:
    """``part / whole`` as a Spanish percentage: ``45,3 %``."""
    share = 0.0 if float(whole) == 0 else 100.0 * float(part) / float(whole)
    return f"{num(share, decimals)} %"


def musd(value: SupportsFloat, decimals: int = 1) -> str:
    """Millions of US dollars: ``12,5 M USD``."""
    return f"{num(float(value) / 1e6, decimals)} M USD"


def times(value: SupportsFloat) -> str:
    """A ratio such as a return: ``2,35x``."""
    return f"{num(value, 2)}x"


def language_name(code: str) -> str:
    name = SPANISH.languages.get(str(code))
    return f"{name} ({code})" if name else str(code)


def country_name(code: str, fallback: str) -> str:
    return SPANISH.territories.get(str(code)) or fallback


def genre_name(genre: str) -> str:
    return GENRES_ES.get(genre, genre)


# ----------------------------------------------------------------------------- figures


@dataclass
class Section:
    """One figure of the report and its finding."""

    key: str
    title: str
    figure: Figure
    finding: str
    alt: str
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.key}.png"

    def png(self, dpi: int = 80) -> bytes:
        """The figure as PNG bytes (the notebook displays these)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()


def new_figure(ncols: int = 1, width: float = 9.0, height: float = 4.4) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, ncols)


def _millions(ax: Axes, axis: str = "x") -> None:
    formatter = FuncFormatter(lambda v, _pos: num(v / 1e6, 0 if v >= 1e6 or v == 0 else 2))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _thousands(ax: Axes, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda v, _pos: num(v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _barh(ax: Axes, labels: list[str], values: Sequence[float], color: str = ACCENT) -> None:
    positions = np.arange(len(labels))
    ax.barh(positions, values, color=color)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)


def _row_of_max(frame: pd.DataFrame, values: pd.Series) -> pd.Series:
    """The row of ``frame`` where ``values`` (aligned with it, NaN ignored) is largest."""
    return frame.iloc[int(np.nanargmax(values.to_numpy(dtype="float64")))]


def _quote(title: Any) -> str:
    return f"«{title}»"


# ----------------------------------------------------------------------------- sections


def runtime_section(data: EdaData) -> Section:
    films = data.films
    runtime = films["runtime"].where(films["runtime"] > 0)
    valid = runtime.dropna()
    median, q1, q3 = valid.median(), valid.quantile(0.25), valid.quantile(0.75)
    longest = _row_of_max(films, runtime)
    missing = len(films) - len(valid)
    cap = float(max(valid.quantile(0.995), q3))
    fig, ax = new_figure()
    sns.histplot(valid.clip(upper=cap), bins=60, ax=ax, color=ACCENT)
    ax.axvline(median, color=SECOND, linestyle="--", label=f"mediana: {num(median)} min")
    ax.set(xlabel=f"Duración (minutos; las mayores de {num(cap)} se agrupan al final)",
           ylabel="Películas", title="Duración de las películas")
    ax.legend()
    _thousands(ax)
    finding = (
        f"La duración mediana es de {num(median)} minutos y la mitad de las películas dura "
        f"entre {num(q1)} y {num(q3)} minutos. La más larga es {_quote(longest['title'])} "
        f"({longest['release_year']}), con {num(longest['runtime'])} minutos. "
        f"{num(missing)} películas ({pct(missing, len(films))}) no tienen duración "
        f"(vacía o 0) y no entran en la figura."
    )
    return Section("duracion", "Duración", fig, finding,
                   "Histograma de la duración de las películas en minutos",
                   {"median": float(median), "missing": int(missing)})


def years_section(data: EdaData) -> Section:
    years = data.films["release_year"]
    per_year = years.value_counts().sort_index()
    decades = (years // 10 * 10).value_counts()
    top_decade = int(decades.index[int(decades.to_numpy().argmax())])
    peak = int(per_year.index[int(per_year.to_numpy().argmax())])
    fig, ax = new_figure()
    ax.bar(per_year.index, per_year.to_numpy(), width=1.0, color=ACCENT)
    ax.set(xlabel="Año de estreno", ylabel="Películas", title="Películas por año de estreno")
    _thousands(ax)
    finding = (
        f"El catálogo va de {years.min()} a {years.max()}, con un año mediano de "
        f"{int(years.median())}. La década con más estrenos es la de {top_decade} "
        f"({num(decades.max())} películas, {pct(decades.max(), len(years))} del total) y el "
        f"año con más películas es {peak} ({num(per_year.max())})."
    )
    return Section("anios", "Años de estreno", fig, finding,
                   "Barras con el número de películas estrenadas cada año",
                   {"peak_year": peak, "top_decade": top_decade})


def money_section(data: EdaData) -> Section:
    films = data.films
    budget = films.loc[films["budget"] > 0, "budget"]
    revenue = films.loc[films["revenue"] > 0, "revenue"]
    top = _row_of_max(films, films["revenue"])
    fig, axes = new_figure(ncols=2, width=10)
    for ax, values, label, color in (
        (axes[0], budget, "Presupuesto", ACCENT), (axes[1], revenue, "Ingresos", SECOND),
    ):
        if len(values):
            sns.histplot(values, log_scale=True, bins=40, ax=ax, color=color)
            ax.axvline(values.median(), color="black", linestyle="--",
                       label=f"mediana: {musd(values.median())}")
            ax.legend()
        ax.set(xlabel=f"{label} (USD, escala logarítmica)", ylabel="Películas",
               title=f"{label} (solo valores > 0)")
    finding = (
        f"Solo {pct(len(budget), len(films))} de las películas tiene presupuesto conocido "
        f"y {pct(len(revenue), len(films))} ingresos conocidos; el resto figura como 0 "
        f"(dato ausente, según la regla del curso). Entre los conocidos, el presupuesto "
        f"mediano es de {musd(budget.median() if len(budget) else 0)} y los ingresos "
        f"medianos de {musd(revenue.median() if len(revenue) else 0)}; la escala "
        f"logarítmica muestra que ambos abarcan varios órdenes de magnitud. La película "
        f"con más ingresos es {_quote(top['title'])} ({top['release_year']}, "
        f"{musd(top['revenue'])})."
    )
    return Section("presupuesto_ingresos", "Presupuesto e ingresos", fig, finding,
                   "Histogramas en escala logarítmica del presupuesto y de los ingresos",
                   {"budget_known": len(budget), "revenue_known": len(revenue)})


def return_section(data: EdaData) -> Section:
    films = data.films
    known = films.loc[(films["budget"] > 0) & (films["revenue"] > 0)]
    ret = known["return"]
    fig, ax = new_figure()
    if len(known):
        sns.histplot(ret, log_scale=True, bins=50, ax=ax, color=ACCENT)
        ax.axvline(1.0, color=SECOND, linestyle="--", label="retorno = 1 (recupera lo invertido)")
        ax.legend()
    ax.set(xlabel="Retorno = ingresos / presupuesto (escala logarítmica)", ylabel="Películas",
           title="Retorno de la inversión")
    if len(known):
        best = _row_of_max(known, ret)
        finding = (
            f"De las {num(len(known))} películas con presupuesto e ingresos conocidos, el "
            f"retorno mediano es {times(ret.median())} y {pct((ret >= 1).sum(), len(known))} "
            f"recuperó al menos lo invertido. El máximo, {times(ret.max())}, es de "
            f"{_quote(best['title'])} ({best['release_year']}), con un presupuesto "
            f"registrado de {num(best['budget'])} USD: los retornos extremos suelen delatar "
            f"presupuestos mal cargados, por eso conviene mirar la mediana y no la media "
            f"({times(ret.mean())})."
        )
    else:
        finding = "Ninguna película tiene a la vez presupuesto e ingresos conocidos."
    return Section("retorno", "Retorno", fig, finding,
                   "Histograma en escala logarítmica del retorno (ingresos / presupuesto)",
                   {"n": len(known), "median": float(ret.median()) if len(known) else 0.0})


def votes_section(data: EdaData) -> Section:
    films = data.films
    voted = films.loc[films["vote_count"] > 0]
    rho = voted["vote_count"].corr(voted["vote_average"], method="spearman")
    threshold = voted["vote_count"].quantile(0.9)
    top = voted.loc[voted["vote_count"] >= threshold, "vote_average"]
    rest = voted.loc[voted["vote_count"] < threshold, "vote_average"]
    fig, ax = new_figure(width=8.5, height=4.8)
    hexes = ax.hexbin(voted["vote_count"], voted["vote_average"], xscale="log", gridsize=40,
                      mincnt=1, cmap="Blues", bins="log")
    fig.colorbar(hexes, ax=ax, label="Películas (escala log.)")
    ax.set(xlabel="Número de votos (escala logarítmica)", ylabel="Nota media (0-10)",
           title="Votos frente a nota media")
    finding = (
        f"La correlación de Spearman entre el número de votos y la nota media es "
        f"{num(rho, 2)}: las películas más votadas tienden a estar mejor valoradas. El 10 % "
        f"más votado (al menos {num(threshold)} votos) tiene una nota media de "
        f"{num(top.mean(), 2)}, frente a {num(rest.mean(), 2)} del resto; con pocos votos la "
        f"nota es muy dispersa (de ahí el promedio ponderado del recomendador). "
        f"{num(len(films) - len(voted))} películas no tienen ningún voto."
    )
    return Section("votos", "Votos y nota media", fig, finding,
                   "Mapa de densidad hexagonal del número de votos frente a la nota media",
                   {"spearman": float(rho)})


def languages_section(data: EdaData, top_n: int = 15) -> Section:
    languages = data.films["original_language"].dropna()
    counts = languages.value_counts()
    top = counts.head(top_n)
    fig, ax = new_figure(height=5)
    _barh(ax, [language_name(c) for c in top.index], top.to_list())
    ax.set(xlabel="Películas", title=f"Idiomas originales más frecuentes (top {len(top)})")
    _thousands(ax, "x")
    total = len(data.films)
    others = "; ".join(
        f"{language_name(str(code))}, {pct(n, total)}" for code, n in counts.iloc[1:3].items()
    )
    finding = (
        f"Hay {num(len(counts))} idiomas originales distintos. El más frecuente es el "
        f"{language_name(str(counts.index[0]))}, con {num(counts.iloc[0])} películas "
        f"({pct(counts.iloc[0], total)}); le siguen {others}."
    )
    return Section("idiomas", "Idiomas originales", fig, finding,
                   "Barras horizontales con los idiomas originales más frecuentes",
                   {"top": str(counts.index[0]), "top_share": float(counts.iloc[0] / total)})


def countries_section(data: EdaData, top_n: int = 15) -> Section:
    countries = data.countries.drop_duplicates(["film_id", "iso_3166_1"])
    counts = countries.groupby("iso_3166_1")["film_id"].nunique().sort_values(ascending=False)
    names = countries.drop_duplicates("iso_3166_1").set_index("iso_3166_1")["country"]
    top = counts.head(top_n)
    total = len(data.films)
    per_film = countries.groupby("film_id").size()
    without = total - per_film.index.isin(data.films["id"]).sum()
    fig, ax = new_figure(height=5)
    _barh(ax, [country_name(c, names.get(c, c)) for c in top.index], top.to_list())
    ax.set(xlabel="Películas (una película puede tener varios países)",
           title=f"Países de producción más frecuentes (top {len(top)})")
    _thousands(ax, "x")
    first = top.index[0] if len(top) else "-"
    finding = (
        f"Participan {num(len(counts))} países. {country_name(first, names.get(first, first))} "
        f"figura en {num(top.iloc[0] if len(top) else 0)} películas "
        f"({pct(top.iloc[0] if len(top) else 0, total)}); {pct((per_film > 1).sum(), total)} "
        f"de las películas son coproducciones (más de un país) y {num(without)} "
        f"({pct(without, total)}) no declaran país."
    )
    return Section("paises", "Países de producción", fig, finding,
                   "Barras horizontales con los países de producción más frecuentes",
                   {"countries": len(counts)})


def companies_section(data: EdaData, top_n: int = 12) -> Section:
    links = data.companies.drop_duplicates(["film_id", "company_id"])
    merged = links.merge(data.films[["id", "revenue"]], left_on="film_id", right_on="id")
    by_company = merged.groupby("company").agg(films=("film_id", "nunique"),
                                               revenue=("revenue", "sum"))
    most = by_company.sort_values("films", ascending=False).head(top_n)
    richest = by_company.sort_values("revenue", ascending=False).head(top_n)
    fig, axes = new_figure(ncols=2, width=11, height=5)
    _barh(axes[0], most.index.to_list(), most["films"].to_list())
    axes[0].set(xlabel="Películas", title="Productoras con más películas")
    _barh(axes[1], richest.index.to_list(), richest["revenue"].to_list(), SECOND)
    axes[1].set(xlabel="Ingresos acumulados (millones de USD)",
                title="Productoras con más ingresos")
    _millions(axes[1])
    share_top = richest["revenue"].sum() / max(by_company["revenue"].sum(), 1.0)
    finding = (
        f"Hay {num(len(by_company))} productoras. La más prolífica es "
        f"{most.index[0]} ({num(most['films'].iloc[0])} películas) y la de mayores "
        f"ingresos acumulados, {richest.index[0]} ({musd(richest['revenue'].iloc[0])}). "
        f"Las {len(richest)} productoras con más ingresos suman {pct(share_top)} de los "
        f"ingresos atribuidos a productoras (una película cuenta para cada una de sus "
        f"productoras)."
    ) if len(by_company) else "Ninguna película declara productora."
    return Section("productoras", "Productoras", fig, finding,
                   "Barras con las productoras con más películas y con más ingresos",
                   {"companies": len(by_company)})


def genres_section(data: EdaData, top_n: int = 8) -> Section:
    films = data.films[["id", "release_year"]]
    genres = data.genres.drop_duplicates(["film_id", "genre"]).merge(
        films, left_on="film_id", right_on="id")
    genres["decade"] = genres["release_year"] // 10 * 10
    decade_size = (films["release_year"] // 10 * 10).value_counts()
    enough = decade_size[decade_size >= max(20, len(films) // 100)].sort_index()
    overall = genres["genre"].value_counts()
    top = overall.head(top_n).index.to_list()
    share = (
        genres[genres["genre"].isin(top) & genres["decade"].isin(enough.index)]
        .groupby(["decade", "genre"]).size().unstack(fill_value=0)
        .div(enough, axis=0).reindex(columns=top, fill_value=0.0) * 100
    )
    fig, ax = new_figure(width=10, height=5)
    palette = sns.color_palette("tab10", len(top))
    for color, genre in zip(palette, top, strict=True):
        ax.plot(share.index, share[genre], marker="o", color=color, label=genre_name(genre))
    ax.set(xlabel="Década de estreno", ylabel="% de las películas de la década",
           title="Géneros a lo largo del tiempo (una película puede tener varios)")
    ax.legend(ncols=2, fontsize="small")
    finding = (
        f"El género más frecuente es {genre_name(overall.index[0])} "
        f"({pct(overall.iloc[0], len(films))} de las películas). "
    ) if len(overall) else "Ninguna película declara género. "
    if len(share) >= 2:
        first, last = share.index[0], share.index[-1]
        delta = share.loc[last] - share.loc[first]
        up, down = delta.idxmax(), delta.idxmin()
        finding += (
            f"Entre la década de {first} y la de {last} (décadas con al menos "
            f"{num(enough.min())} películas), el que más peso gana es {genre_name(up)} "
            f"({num(share.loc[first, up], 1)} % → {num(share.loc[last, up], 1)} %) y el que "
            f"más pierde, {genre_name(down)} ({num(share.loc[first, down], 1)} % → "
            f"{num(share.loc[last, down], 1)} %)."
        )
    return Section("generos", "Géneros a lo largo del tiempo", fig, finding,
                   "Líneas con el porcentaje de películas de cada género por década",
                   {"top": overall.index[0] if len(overall) else None})


def correlations_section(data: EdaData) -> Section:
    columns = list(COLUMNS_ES)
    frame = data.films[columns].astype("float64")
    for column in ("runtime", "budget", "revenue", "return"):
        frame[column] = frame[column].where(frame[column] > 0)
    frame["vote_average"] = frame["vote_average"].where(frame["vote_count"] > 0)
    corr = frame.corr(method="spearman", min_periods=30).rename(index=COLUMNS_ES,
                                                                columns=COLUMNS_ES)
    fig, ax = new_figure(width=7.5, height=6)
    sns.heatmap(corr, ax=ax, annot=True, fmt=".2f", cmap="vlag", vmin=-1, vmax=1, square=True,
                cbar_kws={"label": "Spearman"})
    ax.set_title("Correlaciones (Spearman; ceros de dinero y duración, y notas sin votos, "
                 "como ausentes)")
    upper = corr.where(np.triu(np.ones(corr.shape, dtype=bool), k=1))
    pairs = cast(pd.Series, upper.stack()).dropna().astype("float64")
    ranked = pairs.reindex(pairs.abs().sort_values(ascending=False).index)
    if len(ranked) >= 2:
        (a, b), (c, d) = ranked.index[0], ranked.index[1]
        negative = cast(tuple[str, str], pairs.index[int(pairs.to_numpy().argmin())])
        finding = (
            f"La correlación más fuerte es entre {a} y {b} ({num(float(ranked.iloc[0]), 2)}), "
            f"seguida de {c} y {d} ({num(float(ranked.iloc[1]), 2)}). La más negativa es entre "
            f"{negative[0]} y {negative[1]} ({num(float(pairs.min()), 2)}). Se usa Spearman (por "
            f"rangos) porque el dinero y los votos tienen colas muy largas."
        )
    else:
        finding = "No hay datos suficientes para calcular correlaciones."
    return Section("correlaciones", "Correlaciones", fig, finding,
                   "Mapa de calor de las correlaciones de Spearman entre variables numéricas",
                   {"strongest": float(ranked.iloc[0]) if len(ranked) else 0.0})


def missing_section(data: EdaData) -> Section:
    films = data.films
    total = len(films)
    after = films.isna().sum()
    film_ids = films["id"]
    after_extra = {
        "budget = 0": int((films["budget"] <= 0).sum()),
        "revenue = 0": int((films["revenue"] <= 0).sum()),
        "runtime = 0": int((films["runtime"] == 0).sum()),
        "sin géneros": int((~film_ids.isin(data.genres["film_id"])).sum()),
        "sin productoras": int((~film_ids.isin(data.companies["film_id"])).sum()),
        "sin países": int((~film_ids.isin(data.countries["film_id"])).sum()),
        "sin director": int((~film_ids.isin(data.directors["film_id"])).sum()),
    }
    after_all = pd.concat([after[after > 0], pd.Series(after_extra)]).sort_values(
        ascending=False) / max(total, 1) * 100
    fig, axes = new_figure(ncols=2, width=11, height=6.5)
    raw = data.raw_missing
    if raw is not None:
        before = (raw / max(data.raw_rows, 1) * 100).sort_values(ascending=False)
        shown = before[before > 0]
        _barh(axes[0], shown.index.to_list(), shown.to_list(), SECOND)
        axes[0].set(xlabel=f"% de celdas vacías (las otras {len(before) - len(shown)} "
                           "columnas están completas)",
                    title=f"Antes de limpiar: archivo crudo ({num(data.raw_rows)} filas)")
    else:
        axes[0].text(0.5, 0.5, "Archivo crudo no disponible", ha="center", va="center",
                     transform=axes[0].transAxes)
        axes[0].set_axis_off()
    _barh(axes[1], after_all.index.to_list(), after_all.to_list())
    axes[1].set(xlabel="% de películas",
                title=f"Después de limpiar: catálogo ({num(total)} películas)")
    dropped = {k.removeprefix("movies."): v for k, v in data.report.get("dropped", {}).items()
               if k.startswith("movies.")}
    reasons = ", ".join(
        f"{DROP_REASONS_ES.get(k, k.replace('_', ' '))}: {num(v)}" for k, v in dropped.items()
    )
    if raw is not None:
        worst = before.index[:3]
        finding = (
            f"En el archivo crudo ({num(data.raw_rows)} filas, {num(len(raw))} columnas) hay "
            f"{num(raw.sum())} celdas vacías; las columnas más incompletas son "
            + ", ".join(f"{c} ({num(before[c], 1)} %)" for c in worst)
            + ". "
        )
    else:
        finding = data.notes[0] + " " if data.notes else ""
    remaining = after[after > 0]
    nulls = (
        "quedan nulos en " + ", ".join(f"{c} ({num(n)})" for c, n in remaining.items())
        if len(remaining) else "no quedan nulos"
    )
    finding += (
        f"La limpieza descartó {num(sum(dropped.values()))} filas de películas"
        + (f" ({reasons})" if reasons else "")
        + f". Después {nulls}, pero el dato ausente se desplaza a los ceros: "
        f"{pct(after_extra['budget = 0'], total)} de las películas tiene presupuesto 0 y "
        f"{pct(after_extra['revenue = 0'], total)} ingresos 0."
    )
    return Section("faltantes", "Valores faltantes antes y después de limpiar", fig, finding,
                   "Barras con el porcentaje de valores faltantes por columna antes y después "
                   "de la limpieza",
                   {"raw_empty_cells": int(raw.sum()) if raw is not None else None})


def title_words(titles: pd.Series) -> Counter[str]:
    """Word counts of the titles: lower case, letters only, stop words left out."""
    counter: Counter[str] = Counter()
    for title in titles.dropna().tolist():
        counter.update(w for w in WORD.findall(str(title).lower())
                       if len(w) > 1 and w not in TITLE_STOPWORDS)
    return counter


def wordcloud_section(data: EdaData) -> Section:
    counter = title_words(data.films["title"])
    fig, ax = new_figure(width=11, height=5.5)
    if counter:
        cloud = WordCloud(width=1200, height=600, background_color="white", colormap="viridis",
                          max_words=150, random_state=0, prefer_horizontal=0.9)
        cloud.generate_from_frequencies(dict(counter.most_common(400)))
        ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()
    ax.set_title("Nube de palabras de los títulos")
    common = counter.most_common(5)
    finding = (
        f"Los {num(len(data.films))} títulos usan {num(len(counter))} palabras distintas "
        f"(sin contar palabras vacías como «the» u «of»). Las más frecuentes son "
        + ", ".join(f"«{w}» ({num(n)})" for w, n in common)
        + "."
    ) if counter else "No hay títulos con palabras."
    return Section("nube_titulos", "Nube de palabras de los títulos", fig, finding,
                   "Nube de palabras con las palabras más frecuentes de los títulos",
                   {"top_words": common})


def directors_section(data: EdaData, top_n: int = 15) -> Section:
    counts = data.directors.drop_duplicates(["film_id", "person_id"]).groupby(
        "name")["film_id"].nunique().sort_values(ascending=False)
    top = counts.head(top_n)
    fig, ax = new_figure(height=5)
    _barh(ax, top.index.to_list(), top.to_list())
    ax.set(xlabel="Películas dirigidas", title=f"Directores con más películas (top {len(top)})")
    finding = (
        f"Hay {num(len(counts))} directores; la mediana es de {num(counts.median())} "
        f"película(s) por director y {pct((counts == 1).sum(), len(counts))} dirigió una sola. "
        f"El más prolífico es {top.index[0]}, con {num(top.iloc[0])} películas."
    ) if len(counts) else "Ninguna película declara director."
    return Section("directores", "Directores", fig, finding,
                   "Barras horizontales con los directores con más películas",
                   {"directors": len(counts)})


#: Every section, in report order.
SECTIONS: tuple[Callable[[EdaData], Section], ...] = (
    missing_section, runtime_section, years_section, money_section, return_section,
    votes_section, languages_section, countries_section, companies_section, genres_section,
    directors_section, correlations_section, wordcloud_section,
)
SECTION_KEYS = (
    "faltantes", "duracion", "anios", "presupuesto_ingresos", "retorno", "votos", "idiomas",
    "paises", "productoras", "generos", "directores", "correlaciones", "nube_titulos",
)


def iter_sections(data: EdaData) -> Iterator[Section]:
    """Build every section in order (the figures use seaborn's whitegrid style)."""
    for build in SECTIONS:
        with matplotlib.rc_context(cast(Any, STYLE)):
            section = build(data)
        yield section
