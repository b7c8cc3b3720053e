"""Parse the Python-literal cells of the raw files, safely and fast.

The nested columns (``genres``, ``cast``, ``crew``, ``keywords``...) hold ``repr()`` of a
list of flat dicts (or of one dict), with single-quoted strings: not JSON. ``eval`` is never
used. The fast path checks the whole cell against a regular expression of "a list of flat
dicts of scalars" and reads the pairs with a second one (both run in C); only string tokens
that contain a backslash escape go through :func:`ast.literal_eval`. Any cell that does not
fit the fast path is parsed by :func:`ast.literal_eval` itself, so the result is always
exactly what ``ast.literal_eval`` returns. The fast path matters for ``credits.csv`` (190 MB
of literals in the real file): ``ast.literal_eval`` reads about 4 MB/s.
"""

from __future__ import annotations

import ast
import re
from typing import Any

# Exactly the tokens ``ast.literal_eval`` accepts: no raw line break or NUL inside a string,
# no integer with leading zeros ("007" is a syntax error in Python 3).
_STR = r"'[^'\\\n\r\x00]*(?:\\.[^'\\\n\r\x00]*)*'|\"[^\"\\\n\r\x00]*(?:\\.[^\"\\\n\r\x00]*)*\""
_NUMBER = r"-?(?:\d+(?:\.\d+)?[eE][-+]?\d+|\d+\.\d+|0|[1-9]\d*)"
_SCALAR = rf"(?:{_STR}|{_NUMBER}|None|True|False)"
_KEY = r"'[A-Za-z_][A-Za-z_0-9]*'"
_PAIR = rf"{_KEY}: {_SCALAR}"
_DICT = rf"\{{(?:{_PAIR}(?:, {_PAIR})*)?\}}"

_LIST_RE = re.compile(rf"\[(?:{_DICT}(?:, {_DICT})*)?\]")
_ONE_DICT_RE = re.compile(_DICT)
_DICT_ITER_RE = re.compile(_DICT)
_PAIR_RE = re.compile(rf"'([A-Za-z_][A-Za-z_0-9]*)': ({_SCALAR})")

Record = dict[str, Any]


class LiteralError(ValueError):
    """A cell is not a Python literal list of dicts (or a dict)."""


def _scalar(token: str) -> Any:
    first = token[0]
    if first in "'\"":
        return token[1:-1] if "\\" not in token else ast.literal_eval(token)
    if token == "None":
        return None
    if token == "True":
        return True
    if token == "False":
        return False
    if "." in token or "e" in token or "E" in token:
        return float(token)
    return int(token)


def _records(text: str) -> list[Record]:
    return [
        {key: _scalar(value) for key, value in _PAIR_RE.findall(match.group(0))}
        for match in _DICT_ITER_RE.finditer(text)
    ]


def parse_records(cell: object) -> list[Record]:
    """Records of a nested cell: a list of dicts, a single dict (as a one-item list), or
    ``[]`` for an empty / missing cell.

    Raises :class:`LiteralError` if the cell is not such a literal.
    """
    if cell is None or not isinstance(cell, str):
        return []  # NA / NaN
    text = cell.strip()
    if not text or text == "[]":
        return []
    if _LIST_RE.fullmatch(text) or _ONE_DICT_RE.fullmatch(text):
        return _records(text)
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise LiteralError(f"not a Python literal: {text[:60]!r}") from exc
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise LiteralError(f"not a list of dicts: {text[:60]!r}")
    return value


def _exactly_dicts(text: str, n: int) -> bool:
    """Whether ``text`` is exactly ``[d1, d2, ..., dn]`` (or one ``d1``), given that a regular
    expression of flat dicts matched ``n`` non-overlapping dicts in it.

    Each match starts with ``{`` and ends with ``}``. If the cell holds exactly ``n`` of each,
    they are the matches' own braces (no brace hides in a string or in garbage), so every
    ``}, {`` joins two consecutive matches: ``n - 1`` of them mean every gap between matches
    is exactly ``, ``; the two ends then settle what is before and after. Counting
    characters runs in C: no second regular-expression pass.
    """
    if text.count("{") != n or text.count("}") != n or text.count("}, {") != n - 1:
        return False
    if text.startswith("[{") and text.endswith("}]"):
        return True
    return n == 1 and text.startswith("{") and text.endswith("}")


class RecordShape:
    """Fast reader for cells whose dicts all have one known key order (the real files' cast
    and crew entries, the movies' nested cells). A single regular expression matches each
    whole dict and captures only the wanted values, so no per-pair Python work is done.

    Guard (:func:`_exactly_dicts`): the matched dicts must be the whole cell, joined by
    ``, `` inside ``[...]``; otherwise (another key order, a damaged or truncated cell, text
    that holds no dict at all such as ``garbage``) the cell goes through
    :func:`parse_records`, which is exact. Either way the wanted values come back as tuples,
    in the order of ``keys``; ``where=(key, value)`` keeps only records with that value
    (compared before any conversion on the fast path, so rejected records cost nothing).
    """

    def __init__(self, keys: tuple[str, ...], wanted: tuple[str, ...],
                 where: tuple[str, str] | None = None) -> None:
        if list(wanted) != [k for k in keys if k in wanted]:
            raise ValueError("wanted keys must follow the order of keys")
        self.keys, self.wanted, self.where = keys, wanted, where
        captured = set(wanted) | ({where[0]} if where else set())
        parts = [f"'{k}': ({_SCALAR})" if k in captured else f"'{k}': {_SCALAR}" for k in keys]
        self._regex = re.compile(r"\{" + ", ".join(parts) + r"\}")
        order = [k for k in keys if k in captured]
        self._take = [order.index(k) for k in wanted]
        self._where_at = order.index(where[0]) if where else -1
        self._where_tokens = {repr(where[1]), f'"{where[1]}"'} if where else set()

    def extract(self, cell: object) -> list[tuple[Any, ...]]:
        if cell is None or not isinstance(cell, str):
            return []
        text = cell.strip()
        if not text or text == "[]":
            return []
        found = self._regex.findall(text)
        n = len(found)
        if n and _exactly_dicts(text, n):
            if not isinstance(found[0], tuple):
                found = [(v,) for v in found]
            if self.where is not None:
                at, tokens, wanted = self._where_at, self._where_tokens, self.where[1]
                found = [values for values in found if values[at] in tokens
                         or ("\\" in values[at] and _scalar(values[at]) == wanted)]
            take = self._take
            return [tuple([_scalar(values[i]) for i in take]) for values in found]
        records = parse_records(text)
        if self.where is not None:
            key, value = self.where
            records = [r for r in records if r.get(key) == value]
        return [tuple(r.get(k) for k in self.wanted) for r in records]
