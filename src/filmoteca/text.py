"""Name normalization shared by the build (index keys) and the API (user input).

``normalize`` makes matching case-, accent-, punctuation-spacing- and whitespace-insensitive:
"  EL  Padrino " -> "el padrino", "Amélie" -> "amelie".
"""

from __future__ import annotations

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def normalize(value: str) -> str:
    """Lower-case ASCII transliteration with runs of whitespace folded to one space."""
    return _SPACES.sub(" ", unidecode(value).casefold()).strip()
