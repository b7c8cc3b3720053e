"""Name normalization shared by the build (index keys) and the API (user input).

``normalize`` makes matching case-, accent-, punctuation-spacing- and whitespace-insensitive:
"  EL  Padrino " -> "el padrino", "Amélie" -> "amelie". ``loose_key`` drops punctuation too,
for a second chance ("warner bros" finds "Warner Bros.", "face off" finds "Face/Off");
``article_blind_key`` also a leading Spanish article (Spanish release titles);
``key_words`` are the words of a key that a name typed in part is looked up by.
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


def key_words(key: str) -> list[str]:
    """The words of a normalized key, punctuation apart: "metro-goldwyn-mayer (mgm)" ->
    metro, goldwyn, mayer, mgm (so "mgm" or "goldwyn" typed alone finds the name)."""
    return loose_key(key).split()


#: Articles a Spanish title may be typed with or without ("La jungla de cristal").
_ARTICLE = re.compile(r"^(?:el|la|los|las|lo|un|una|unos|unas) (?=\S)")


def article_blind_key(key: str) -> str:
    """:func:`loose_key` without a leading Spanish article: "la jungla de cristal" and
    "jungla de cristal" meet."""
    return _ARTICLE.sub("", loose_key(key))
