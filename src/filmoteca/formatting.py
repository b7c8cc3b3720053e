"""How numbers are written for people, in Spanish: the one formatter of the project.

Used by the API's ``mensaje`` sentences (:mod:`filmoteca.services`) and by the EDA's texts
and axes (:mod:`filmoteca.analysis.eda`); the web page does the same in the browser with
``Intl.NumberFormat("es-ES", {useGrouping: "always"})``. JSON fields stay plain numbers.

Spanish style: ``.`` groups thousands (also in 4-digit numbers: ``2.220``), ``,`` marks
decimals. Money is in US dollars (the dataset's unit), rounded to whole dollars and written
``US$ 1.234.567``; ratios such as a film's return keep two decimals (``12,45``).
Pure Python (no babel): the serving process imports it and must start fast.
"""

from __future__ import annotations

from typing import SupportsFloat


def _spanish(text: str) -> str:
    """Swap the separators of a number formatted the English way (``1,234.5``)."""
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_number(value: SupportsFloat, decimals: int = 0) -> str:
    """``12345.678, 1`` -> ``"12.345,7"``; ``-0.04, 1`` -> ``"0,0"`` (no negative zero)."""
    number = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return _spanish(f"{number:,.{decimals}f}")


def format_int(value: int) -> str:
    """``1234567`` -> ``"1.234.567"``."""
    return _spanish(f"{value:,d}")


def format_money(value: float) -> str:
    """``373554033.0`` -> ``"US$ 373.554.033"`` (rounded to whole dollars)."""
    return f"US$ {format_int(round(value))}"


def format_ratio(value: float) -> str:
    """``12.4518`` -> ``"12,45"``."""
    return format_number(value, 2)
