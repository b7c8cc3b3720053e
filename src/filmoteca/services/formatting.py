"""How numbers appear in the Spanish ``mensaje`` sentences (JSON fields stay plain numbers).

One format everywhere, Spanish style: ``.`` groups thousands, ``,`` marks decimals.
Money is in US dollars (the dataset's unit), rounded to whole dollars and written
``US$ 1.234.567``; ratios such as a film's return keep two decimals (``12,45``).
"""

from __future__ import annotations


def _spanish(text: str) -> str:
    """Swap the separators of a number formatted the English way (``1,234.5``)."""
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_int(value: int) -> str:
    """``1234567`` -> ``"1.234.567"``."""
    return _spanish(f"{value:,d}")


def format_money(value: float) -> str:
    """``373554033.0`` -> ``"US$ 373.554.033"`` (rounded to whole dollars)."""
    return f"US$ {format_int(round(value))}"


def format_ratio(value: float) -> str:
    """``12.4518`` -> ``"12,45"``."""
    return _spanish(f"{value:,.2f}")
