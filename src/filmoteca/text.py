"""Name normalization shared by the build (index keys) and the API (user input).

``normalize`` makes matching case-, accent-, punctuation-spacing- and whitespace-insensitive:
"  EL  Padrino " -> "el padrino", "Amélie" -> "amelie". ``loose_key`` drops punctuation too,
for a second chance ("warner bros" finds "Warner Bros.", "face off" finds "Face/Off").
"""

from __future__ import annotations

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")
_APOSTROPHES = re.compile(r"['`\u2019]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalize(value: str) -> str:
    """Lower-case ASCII transliteration with runs of whitespace folded to one space."""
    return _SPACES.sub(" ", unidecode(value).casefold()).strip()


def loose_key(key: str) -> str:
    """A normalized key without punctuation: apostrophes dropped, other signs -> spaces."""
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", key))).strip()
