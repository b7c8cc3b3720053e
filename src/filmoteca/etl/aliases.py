"""Extra names for languages and countries: regional variants, colloquial forms, TMDB codes.

Owns the names the serving index adds to babel's standard Spanish and English names, so
that "EEUU", "EE. UU.", "USA", "UK", "Holanda", "castellano" or "cantonés" find their code:

- **Data first (CLDR through babel).** The names a code has in babel's regional Spanish and
  English locales (es_419, es_MX, es_AR..., en_GB, en_AU...) when they differ from the
  standard ones: "Costa de Marfil", "Arabia Saudita", "Timor Oriental", "Bosnia-Herzegovina".
  Babel 2.19 ships no CLDR ``alt="short"`` / ``alt="variant"`` territory names (its CLDR
  import drops them: ``Locale('es').territories`` has no "EE. UU."; the string only occurs
  inside longer names such as "Islas Vírgenes de EE. UU."), so the short forms cannot come
  from there.
- **A short hand list** of colloquial forms CLDR lacks or babel does not ship
  (:data:`COUNTRY_ALIASES`, :data:`LANGUAGE_ALIASES`), each for one unambiguous code.
  Deliberately absent: CLDR's Spanish short name "RU" for the United Kingdom (it is Russia's
  ISO code) and regions that are not one country ("Norteamérica", "Corea").
- **TMDB's codes outside ISO** (or withdrawn ones babel does not name) that the dataset uses:
  languages ``cn`` (Cantonese: TMDB's own code; the sample has 14 films, shown as
  "广州话 / 廣州話"), ``xx`` (no language), ``mo`` (Moldavian, withdrawn from ISO 639-1);
  countries ``SU``, ``XC``, ``XG``, ``YU``, ``CS``, ``AN`` (states that no longer exist),
  with Spanish and English names (:func:`extra_languages`, :func:`extra_countries`).
- :func:`superseded_languages`: babel codes whose films TMDB files under another code
  (``yue`` -> ``cn``), so the builder can send "yue" and "cantonés" to the code that has
  the films.

Build time only (babel). The index builder merges these: names from
:func:`extra_languages` / :func:`extra_countries` where babel has none, then every alias of
:func:`language_aliases` / :func:`country_aliases` after the standard names (the first code
to claim a normalized alias keeps it).
"""

from __future__ import annotations

from functools import lru_cache

from filmoteca.text import normalize

#: Colloquial country names CLDR lacks (or babel does not ship), by ISO 3166 code.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    # Spanish abbreviations (CLDR's alt-short "EE. UU." plus the usual spellings) and English.
    "US": ("EEUU", "EE. UU.", "EE.UU.", "EE UU", "USA", "U.S.A.", "U.S.",
           "Estados Unidos de América"),
    # English alt-short "UK"; Britain and England as people say them for British films.
    "GB": ("UK", "U.K.", "Gran Bretaña", "Great Britain", "Britain", "Inglaterra", "England"),
    "NL": ("Holanda", "Holland"),
    "CZ": ("República Checa", "Czech Republic"),
    "MK": ("Macedonia",),
    "SZ": ("Suazilandia", "Swaziland"),
    "MM": ("Birmania", "Burma"),
    "CI": ("Costa de Marfil", "Ivory Coast"),
    "VA": ("Vaticano", "Vatican"),
}

#: Colloquial language names CLDR lacks, by the code the dataset uses.
LANGUAGE_ALIASES: dict[str, tuple[str, ...]] = {
    "es": ("castellano", "Castilian"),
    "zh": ("mandarín", "chino mandarín", "Mandarin"),
    "fa": ("farsi",),
    "cn": ("chino cantonés", "yue"),
    "xx": ("sin diálogos", "ningún idioma"),
}

#: TMDB's genres (English, as in the dataset) -> their Spanish name (TMDB's Spanish one) and
#: other ways of writing them. A genre of the data not listed keeps its own name only.
GENRES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Action": ("Acción", ()),
    "Adventure": ("Aventura", ("aventuras",)),
    "Animation": ("Animación", ("dibujos animados",)),
    "Comedy": ("Comedia", ()),
    "Crime": ("Crimen", ("policíaca", "policiaco", "policial")),
    "Documentary": ("Documental", ()),
    "Drama": ("Drama", ()),
    "Family": ("Familia", ("familiar",)),
    "Fantasy": ("Fantasía", ()),
    "Foreign": ("Extranjera", ()),
    "History": ("Historia", ("histórica", "historico")),
    "Horror": ("Terror", ("miedo",)),
    "Music": ("Música", ("musical",)),
    "Mystery": ("Misterio", ()),
    "Romance": ("Romance", ("romántica", "romantica")),
    "Science Fiction": ("Ciencia ficción", ("ciencia-ficción", "sci-fi", "scifi")),
    "TV Movie": ("Película de TV", ("telefilme",)),
    "Thriller": ("Suspense", ("suspenso", "intriga")),
    "War": ("Bélica", ("guerra", "bélico")),
    "Western": ("Western", ("oeste", "del oeste", "wéstern")),
}


def genre_names(genre: str) -> tuple[str, list[str]]:
    """(Spanish name, every name a user may type) of a genre of the dataset."""
    spanish, others = GENRES.get(genre, (genre, ()))
    return spanish, [genre, spanish, *others]


#: TMDB language codes babel does not name: code -> (Spanish name, English name).
EXTRA_LANGUAGES: dict[str, tuple[str, str]] = {
    "cn": ("cantonés", "Cantonese"),
    "xx": ("sin idioma", "No Language"),
    "mo": ("moldavo", "Moldavian"),
}

#: Country codes TMDB uses for states that no longer exist: code -> (Spanish, English) and
#: their usual abbreviations.
EXTRA_COUNTRIES: dict[str, tuple[str, str]] = {
    "SU": ("Unión Soviética", "Soviet Union"),
    "XC": ("Checoslovaquia", "Czechoslovakia"),
    "XG": ("Alemania del Este", "East Germany"),
    "YU": ("Yugoslavia", "Yugoslavia"),
    "CS": ("Serbia y Montenegro", "Serbia and Montenegro"),
    "AN": ("Antillas Neerlandesas", "Netherlands Antilles"),
}
EXTRA_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "SU": ("URSS", "USSR"),
    "XG": ("RDA", "GDR", "República Democrática Alemana"),
}

#: babel language codes whose films TMDB files under another code.
SUPERSEDED_LANGUAGES: dict[str, str] = {"yue": "cn"}


def extra_languages() -> dict[str, tuple[str, str]]:
    """TMDB language codes without a babel name: ``{code: (Spanish, English)}``."""
    return dict(EXTRA_LANGUAGES)


def extra_countries() -> dict[str, tuple[str, str]]:
    """TMDB country codes without a babel name: ``{code: (Spanish, English)}``."""
    return dict(EXTRA_COUNTRIES)


def superseded_languages() -> dict[str, str]:
    """``{babel code: code the dataset uses instead}`` (``yue`` -> ``cn``)."""
    return dict(SUPERSEDED_LANGUAGES)


@lru_cache(maxsize=1)
def _regional(kind: str) -> dict[str, tuple[str, ...]]:
    """code -> names it has in babel's regional Spanish and English locales (Latin script)
    that differ (once normalized) from the ``es`` / ``en`` names."""
    from babel import Locale, localedata

    out: dict[str, dict[str, str]] = {}
    for language in ("es", "en"):
        base = {str(code): normalize(str(name))
                for code, name in getattr(Locale(language), kind).items()}
        for identifier in sorted(localedata.locale_identifiers()):
            if not identifier.startswith(f"{language}_"):
                continue
            locale = Locale.parse(identifier)
            if locale.script is not None:  # en_Dsrt, en_Shaw: other alphabets
                continue
            for code, name in getattr(locale, kind).items():
                key = normalize(str(name))
                if key and key != base.get(str(code)):
                    out.setdefault(str(code), {}).setdefault(key, str(name))
    return {code: tuple(names.values()) for code, names in out.items()}


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = normalize(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def language_aliases(code: str) -> list[str]:
    """Extra names of a language code (hand list first, then babel's regional variants)."""
    return _unique([*LANGUAGE_ALIASES.get(code, ()), *_regional("languages").get(code, ())])


def country_aliases(code: str) -> list[str]:
    """Extra names of a country code (hand list first, then babel's regional variants)."""
    code = code.upper()
    return _unique([*COUNTRY_ALIASES.get(code, ()), *EXTRA_COUNTRY_ALIASES.get(code, ()),
                    *_regional("territories").get(code, ())])
