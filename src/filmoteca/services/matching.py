"""What the user typed -> an index key: input checks (422), lookup, suggestions (404).

Owns:

- the rule of a valid name, in one place: :data:`CONTROL_CLASS` and :data:`SPACE_CLASS`
  make both the server's check (:func:`clean_input`) and the ``pattern`` the OpenAPI schema
  publishes (:data:`NAME_PATTERN`, see :mod:`filmoteca.api.contract`), so the two agree;
- :func:`clean_input`: rejects empty, over-long (more than ``Limits.max_input_length``
  characters) and control-character input with :class:`InvalidInput` (the API turns it into
  a 422) and returns the normalized key (:func:`filmoteca.text.normalize`: case-, accent- and
  whitespace-insensitive);
- :class:`Suggester`: the closest names with rapidfuzz (``Limits.max_suggestions``, an
  immutable tuple), over choice lists prepared at build time (normalized, sorted by length,
  with their word index; rapidfuzz itself is imported on the first suggestion). The cheap
  ``fuzz.ratio`` scorer (normalized Indel similarity) is used with a score cutoff, and only
  choices whose length can reach the cutoff are compared (at most :data:`MAX_COMPARISONS`,
  the ones closest in length), so a miss costs about a millisecond on the 45k-title catalog.
  A part of a name is not close to the whole name by that measure ("pixar" vs "pixar
  animation studios"), so names having a word that starts with a typed word (of 3+ letters)
  are suggested too, through a word index (:class:`WordIndex`);
- :func:`find_key`: a second, punctuation-blind chance before a 404 ("warner bros" finds
  "Warner Bros.", "face off" finds "Face/Off"), through :func:`filmoteca.text.loose_key`;
- :class:`NotFound` (-> 404 with ``sugerencias``) and :func:`resolve_title` (a title, with an
  optional year, -> the most voted film of that title and the others sharing it).

Limits arrive as arguments (:class:`filmoteca.config.Limits`); nothing here reads settings.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from filmoteca.catalog.layout import MIN_WORD, word_index
from filmoteca.config import DEFAULT_LIMITS, MAX_INPUT_LENGTH, MAX_SUGGESTIONS, Limits
from filmoteca.text import key_words, loose_key, normalize

#: Minimum ``fuzz.ratio`` (0-100) for a suggestion.
SCORE_CUTOFF = 60.0
#: Most choices compared for one suggestion request (those closest in length).
MAX_COMPARISONS = 12_000
#: A fuzzy match this good (a typo) ranks before names that merely share a word.
CLOSE_SCORE = 80.0
#: Most index words one typed prefix expands to (typed words of MIN_WORD+ letters are used).
MAX_PREFIX_WORDS = 50
#: Words in more names than this ("the", "love") say too little to suggest by; skipped.
MAX_WORD_CHOICES = 500

#: Control characters (C0, DEL, C1), and U+FFFD, which stands for bytes that were not UTF-8
#: in the request ("%FF"): a name containing one is a 422.
CONTROL_CLASS = r"\x00-\x1f\x7f-\x9f\ufffd"
#: The other characters Python's ``str.isspace`` calls whitespace: a name made only of them
#: (and nothing else) is empty, a 422.
SPACE_CLASS = r" \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: A valid name (length aside), as a regular expression that reads the same in Python and in
#: the ECMA dialect of JSON Schema: no control character, at least one visible character.
NAME_PATTERN = rf"^[^{CONTROL_CLASS}]*[^{CONTROL_CLASS}{SPACE_CLASS}][^{CONTROL_CLASS}]*$"

_CONTROL = re.compile(f"[{CONTROL_CLASS}]")
_BLANK = re.compile(f"[{SPACE_CLASS}]*")


def find_key(exact: Mapping[str, object], loose: Mapping[str, str], key: str,
             loose_form: Callable[[str], str] = loose_key) -> str | None:
    """The exact index key for ``key``: itself if present, else via its loose form
    (``loose`` maps punctuation-blind keys to exact keys, where the two differ)."""
    if key in exact:
        return key
    blind = loose_form(key)
    if blind in exact:
        return blind
    return loose.get(blind)


class InvalidInput(ValueError):
    """Input that cannot be a name (empty, too long, control characters): HTTP 422."""

    def __init__(self, mensaje: str) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje


class NotFound(LookupError):
    """Nothing matches: HTTP 404 with the closest names."""

    def __init__(self, mensaje: str, sugerencias: Sequence[str] = ()) -> None:
        super().__init__(mensaje)
        self.mensaje = mensaje
        self.sugerencias = list(sugerencias)


def broken_rule(value: str, min_length: int, max_length: int) -> str | None:
    """The rule of valid input that ``value`` breaks, the one check of every text a user
    types (names and descriptions): "bytes" (bytes that were not UTF-8, decoded as U+FFFD),
    "control" (a control character), "long" (more than ``max_length`` characters), "short"
    (fewer than ``min_length``, or nothing visible), or None."""
    if "\ufffd" in value:
        return "bytes"
    if _CONTROL.search(value):
        return "control"
    if len(value) > max_length:
        return "long"
    if len(value) < min_length or _BLANK.fullmatch(value):
        return "short"
    return None


def clean_input(value: str, what: str, max_length: int = MAX_INPUT_LENGTH) -> str:
    """Check ``value`` (the ``what`` the user typed: "idioma", "título"...) and normalize it.

    Raises :class:`InvalidInput` with a Spanish message; returns the normalized key, which
    may be "" when the input has no letters or digits that transliterate (e.g. only emoji):
    such input is valid but matches nothing.
    """
    rule = broken_rule(value, 1, max_length)
    if rule == "bytes":
        raise InvalidInput(
            f"El {what} trae bytes que no son texto UTF-8 (por ejemplo %FF en la dirección); "
            "escríbalo como texto normal.")
    if rule == "control":
        raise InvalidInput(
            f"El {what} contiene caracteres de control (saltos de línea, tabuladores u "
            "otros invisibles); escríbalo como texto normal."
        )
    if rule == "long":
        raise InvalidInput(
            f"El {what} es demasiado largo: {len(value)} caracteres (máximo {max_length})."
        )
    if rule == "short":
        raise InvalidInput(f"Falta el {what}: escriba al menos un carácter.")
    return normalize(value)


class WordIndex:
    """Sorted words of the choices and, per word, the choices containing it (ascending):
    ``words[i]`` owns ``choices[offsets[i]:offsets[i + 1]]``."""

    __slots__ = ("_choices", "_offsets", "words")

    def __init__(self, words: Sequence[str], offsets: Sequence[int],
                 choices: Sequence[int]) -> None:
        if len(offsets) != len(words) + 1:
            raise ValueError("word offsets do not match the words")
        self.words = words
        self._offsets = offsets
        self._choices = choices

    @classmethod
    def of(cls, keys: Sequence[str]) -> WordIndex:
        words, postings = word_index(keys)
        offsets = [0]
        for posting in postings:
            offsets.append(offsets[-1] + len(posting))
        return cls(words, offsets, [i for posting in postings for i in posting])

    def size(self, at: int) -> int:
        return int(self._offsets[at + 1] - self._offsets[at])

    def choices(self, at: int) -> Sequence[int]:
        return self._choices[self._offsets[at]:self._offsets[at + 1]]


class Suggester:
    """Closest names to a typed key among fixed choices.

    ``keys`` (normalized) must be sorted by length, ``labels`` (what is shown) parallel to
    them: :func:`filmoteca.catalog.layout.suggestion_choices` prepares both (at build time, see
    :mod:`filmoteca.etl.index`, which also stores their ``lengths`` and ``words``; given
    plain lists, they are computed here). Keys that offer ``window(low, high)`` (the
    memory-mapped lists of :mod:`filmoteca.catalog.binary`) are read one length window at a
    time.
    """

    def __init__(self, keys: Sequence[str], labels: Sequence[str],
                 lengths: Sequence[int] | None = None, words: WordIndex | None = None) -> None:
        if len(keys) != len(labels):
            raise ValueError("keys and labels differ in length")
        self._keys = keys
        self._labels = labels
        if lengths is None:
            lengths = [len(key) for key in keys]
            if any(a > b for a, b in itertools.pairwise(lengths)):
                raise ValueError("suggestion keys are not sorted by length")
        elif len(lengths) != len(keys):
            raise ValueError("keys and lengths differ in length")
        self._lengths = lengths
        self._words = words if words is not None else WordIndex.of(keys)
        self._cached = lru_cache(maxsize=2048)(self._suggest)

    def _slice(self, low: int, high: int) -> list[str]:
        window = getattr(self._keys, "window", None)
        return list(window(low, high)) if window else list(self._keys[low:high])

    def __len__(self) -> int:
        return len(self._keys)

    def _window(self, size: int) -> tuple[int, int]:
        """Index range of the choices whose length can reach the cutoff, capped."""
        cutoff = SCORE_CUTOFF / 100
        low = bisect.bisect_left(self._lengths, size * cutoff / (2 - cutoff))
        high = bisect.bisect_right(self._lengths, size * (2 - cutoff) / cutoff)
        if high - low > MAX_COMPARISONS:
            center = bisect.bisect_left(self._lengths, size)
            low = max(low, min(center - MAX_COMPARISONS // 2, high - MAX_COMPARISONS))
            high = low + MAX_COMPARISONS
        return low, high

    def _by_words(self, key: str, limit: int) -> list[int]:
        """Choices with a word starting with each typed word of 3+ letters (all of them
        first, then most of them), shortest first; at most ``limit``. Index words found in
        more than :data:`MAX_WORD_CHOICES` names are skipped (cost, and no information)."""
        typed = [word for word in set(key_words(key)) if len(word) >= MIN_WORD]
        hits: dict[int, int] = {}
        table = self._words
        words = table.words
        search = getattr(words, "bisect_left", None)
        for word in typed:
            start = search(word) if search else bisect.bisect_left(words, word)
            exact = start < len(words) and words[start] == word
            if exact and table.size(start) > MAX_WORD_CHOICES:
                continue  # a common word typed whole ("the"): not its rarer extensions either
            seen: set[int] = set()
            for at in range(start, min(start + MAX_PREFIX_WORDS, len(words))):
                if not words[at].startswith(word):
                    break
                if table.size(at) <= MAX_WORD_CHOICES:
                    seen.update(table.choices(at))
            for index in seen:
                hits[index] = hits.get(index, 0) + 1
        # Choices are sorted by length: the index orders equally good hits shortest first.
        return sorted(hits, key=lambda index: (-hits[index], index))[:limit]

    def having_words(self, key: str) -> list[str]:
        """The keys that have every word of ``key`` as a whole word ("hitchcock" ->
        "alfred hitchcock"); words shorter than the indexed ones are not looked at."""
        typed = {word for word in key_words(key) if len(word) >= MIN_WORD}  # "de palma": palma
        if not typed:
            return []
        table = self._words
        words = table.words
        search = getattr(words, "bisect_left", None)
        found: set[int] | None = None
        for word in typed:
            at = search(word) if search else bisect.bisect_left(words, word)
            if at >= len(words) or words[at] != word:
                return []
            choices = set(table.choices(at))
            found = choices if found is None else found & choices
        return [self._keys[i] for i in sorted(found or ())]

    def suggest(self, key: str, limit: int = MAX_SUGGESTIONS) -> tuple[str, ...]:
        """Up to ``limit`` names closest to ``key``, best first (cached: an immutable tuple,
        so no caller can change what the next one receives)."""
        return self._cached(key, limit)

    def _suggest(self, key: str, limit: int) -> tuple[str, ...]:
        if not key:
            return ()
        from rapidfuzz import fuzz, process  # first suggestion only: not needed to start

        low, high = self._window(len(key))
        matches = process.extract(
            key, self._slice(low, high), scorer=fuzz.ratio, processor=None, limit=limit * 3,
            score_cutoff=SCORE_CUTOFF,
        )
        # Best score first; among equal scores the most relevant (shorter) name first.
        matches.sort(key=lambda m: (-m[1], m[2]))
        close = [low + index for _, score, index in matches if score >= CLOSE_SCORE]
        fuzzy = [low + index for _, score, index in matches if score < CLOSE_SCORE]
        labels: list[str] = []
        for index in (*close, *self._by_words(key, limit), *fuzzy):
            label = self._labels[index]
            if label not in labels:
                labels.append(label)
            if len(labels) == limit:
                break
        return tuple(labels)


class Names:
    """One kind of name a user types (titles, languages, countries, companies, collections,
    directors) over the serving index: ``keys`` (normalized names or aliases) -> a value,
    which is the row itself or, for alias tables, the code of the row in ``rows``;
    ``loose``, the punctuation-blind second chance (:func:`find_key`); and the fuzzy
    :class:`Suggester` of its 404s, made by ``make_suggester`` on first use."""

    def __init__(self, keys: Mapping[str, Any], loose: Mapping[str, str],
                 make_suggester: Callable[[], Suggester] | None = None,
                 rows: Mapping[str, Any] | None = None,
                 loose_form: Callable[[str], str] = loose_key,
                 size: Callable[[Any], int] | None = None) -> None:
        self.keys = keys
        self.rows = rows
        self.loose = loose
        self.loose_form = loose_form
        #: The films of a row, for names typed in part (None: this kind is never read so).
        self.size = size
        self._make_suggester = make_suggester
        self._suggester: Suggester | None = None

    def find(self, key: str) -> str | None:
        """The index key ``key`` designates (itself, or its ``loose_form``), or None."""
        return find_key(self.keys, self.loose, key, self.loose_form)

    def resolve(self, found: str) -> tuple[str, Any]:
        """(code, row) of a key :meth:`find` returned (the code is the key itself where the
        keys are not aliases)."""
        value = self.keys[found]
        if self.rows is None:
            return found, value
        return value, self.rows[value]

    @property
    def suggester(self) -> Suggester:
        if self._suggester is None:
            if self._make_suggester is None:
                raise LookupError("this kind of name has no suggestions of its own")
            self._suggester = self._make_suggester()
        return self._suggester

    def suggest(self, key: str, limit: int = MAX_SUGGESTIONS) -> tuple[str, ...]:
        return self.suggester.suggest(key, limit)

    def in_part(self, key: str) -> list[tuple[str, Any, int]]:
        """(code, row, films) of each name having every typed word as a whole word, most
        films first; none for a kind without :attr:`size`."""
        if self.size is None:
            return []
        found: dict[str, tuple[Any, int]] = {}
        for name in self.suggester.having_words(key):
            exact = self.find(name)
            if exact is not None:
                code, row = self.resolve(exact)
                found.setdefault(code, (row, self.size(row)))
        return sorted(((code, row, films) for code, (row, films) in found.items()),
                      key=lambda item: (-item[2], item[0]))


#: A name typed in part answers the largest name that has its words when that one has at
#: least this many times the films of all the others together (calibrated on the labelled
#: partial names of ``benchmarks/data/nombres_parciales.csv``: ``reports/busqueda.md``).
DOMINANCE = 2.5


@dataclass(frozen=True, slots=True)
class Found:
    """The row a typed name designates, its code, and the name it was read as when typed in
    part (None: typed whole)."""

    code: str
    row: Any
    read_as: str | None = None


def find_name(names: Names, typed: str, what: str, missing: str,
              limits: Limits = DEFAULT_LIMITS) -> Found:
    """The row the name ``typed`` designates: the one path from what the user typed to a
    row. :class:`InvalidInput` (422) when it cannot be a name (``what`` names it in the
    message: "idioma", "nombre de la productora"...). A name typed in part ("hitchcock")
    answers the one name it clearly designates (:data:`DOMINANCE`); when several compete,
    404 listing them. Else :class:`NotFound` (404) with the closest names (``missing``: the
    message, ``{typed}`` standing for what was typed)."""
    key = clean_input(typed, what, limits.max_input_length)
    found = names.find(key)
    if found is not None:
        return Found(*names.resolve(found))
    candidates = names.in_part(key)
    if candidates:
        code, row, films = candidates[0]
        others = sum(size for _, _, size in candidates[1:])
        if films >= DOMINANCE * others and films > 0:
            return Found(code, row, read_as=row.name)
        if len(candidates) > 1:
            raise NotFound(
                f"'{typed.strip()}' puede ser {len(candidates)} nombres distintos; escriba el "
                "nombre completo de uno de ellos.",
                [row.name for _, row, _ in candidates[:limits.max_suggestions]])
    raise NotFound(missing.format(typed=typed.strip()),
                   names.suggest(key, limits.max_suggestions))


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """The film a title (and optional year) designates, and the others sharing the title."""

    position: int
    others: list[int]


def resolve_title(titles: Names, years: Sequence[int], key: str,
                  anio: int | None) -> TitleMatch | None:
    """Most voted film of the title ``key`` (or the one of year ``anio``), None if none."""
    found = titles.find(key)
    if found is None:
        return None
    positions: list[int] = titles.keys[found]
    position = first_in_year(positions, years, anio)
    if position is None:
        return None
    return TitleMatch(position=position, others=[p for p in positions if p != position])


def first_in_year(positions: Sequence[int], years: Sequence[int], anio: int | None) -> int | None:
    """The first (most voted) of ``positions`` released in ``anio`` (the first when None)."""
    for position in positions:
        if anio is None or years[position] == anio:
            return position
    return None
