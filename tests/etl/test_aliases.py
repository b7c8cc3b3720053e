"""Colloquial names of countries and languages, and TMDB's codes outside ISO."""

from __future__ import annotations

import pandas as pd
import pytest
from babel import Locale

from filmoteca.etl import aliases
from filmoteca.text import normalize


@pytest.mark.parametrize(("code", "typed"), [
    ("US", "EEUU"), ("US", "EE. UU."), ("US", "EE.UU."), ("US", "USA"), ("GB", "UK"),
    ("NL", "Holanda"), ("CZ", "República Checa"),
    ("CI", "Costa de Marfil"),  # babel's es_419 name (es says "Côte d’Ivoire")
    ("SA", "Arabia Saudita"),   # babel's regional Spanish name (es: "Arabia Saudí")
    ("SU", "URSS"),
])
def test_country_aliases(code: str, typed: str) -> None:
    assert normalize(typed) in {normalize(a) for a in aliases.country_aliases(code)}


def test_regional_names_come_from_babel() -> None:
    assert Locale.parse("es_419").territories["CI"] == "Costa de Marfil"
    assert Locale("es").territories["CI"] != "Costa de Marfil"
    assert "Costa de Marfil" in aliases._regional("territories")["CI"]


def test_country_aliases_never_name_another_country() -> None:
    # No alias may be another territory's ISO code or its standard Spanish/English name.
    claimed: dict[str, str] = {}
    for language in ("es", "en"):
        for code, name in Locale(language).territories.items():
            claimed.setdefault(normalize(str(name)), str(code))
            if len(code) == 2:
                claimed.setdefault(normalize(str(code)), str(code))
    for code in [*aliases.COUNTRY_ALIASES, *aliases.EXTRA_COUNTRIES]:
        for alias in aliases.country_aliases(code):
            owner = claimed.get(normalize(alias), code)
            assert owner == code, f"{alias!r} of {code} is {owner}'s name"
    # CLDR's Spanish short name of the United Kingdom is Russia's code: left out on purpose.
    assert "ru" not in {normalize(a) for a in aliases.country_aliases("GB")}


def test_language_aliases() -> None:
    assert "castellano" in aliases.language_aliases("es")
    assert normalize("mandarín") in {normalize(a) for a in aliases.language_aliases("zh")}
    assert "yue" in aliases.language_aliases("cn")
    assert aliases.superseded_languages() == {"yue": "cn"}


def test_cantonese_keeps_babel_names_under_tmdb_code() -> None:
    spanish, english = aliases.extra_languages()["cn"]
    # The names babel gives to ISO 639-3 "yue" are the names of TMDB's "cn".
    assert spanish == Locale("es").languages["yue"]
    assert english == Locale("en").languages["yue"]


def test_every_language_code_of_the_sample_has_a_name(raw_movies: pd.DataFrame) -> None:
    english = Locale("en").languages
    codes = set(raw_movies["original_language"].dropna().str.strip().str.lower())
    unnamed = {code for code in codes if code not in english}
    assert unnamed == {"cn", "xx"}  # found in the raw file, independently of the catalog
    assert unnamed <= set(aliases.extra_languages())
    assert aliases.extra_languages()["xx"] == ("sin idioma", "No Language")


def test_extra_codes_are_not_babel_codes() -> None:
    assert not set(aliases.extra_languages()) & set(Locale("en").languages)
    assert not set(aliases.extra_countries()) & set(Locale("en").territories)
