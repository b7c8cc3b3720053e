"""The section file: named arrays in one file, written at build time, memory-mapped to serve.

Owns the on-disk container of the serving index (:mod:`filmoteca.etl.index` decides what
goes in it, :mod:`filmoteca.services.catalog` reads it) and the read-only views the server
answers from. Pure standard library (the serving process imports it).

File layout::

    MAGIC (16 bytes) | header length (8 bytes, little-endian) | header (JSON) | sections

The header holds the layout version, the build manifest, small metadata and, per section,
``[type, offset, length]``; every section starts at a multiple of 8 bytes. A section is a
little-endian array of one :mod:`array` type: ``B`` (bytes), ``i`` (int32), ``q`` (int64),
``f`` (float32) or ``d`` (float64).

Reading is one ``mmap`` and a JSON parse of the header (a few kilobytes): nothing is
decoded or copied at start-up. Numeric sections are ``memoryview`` casts of the mapping
(indexing them returns Python numbers), and strings are decoded one at a time when read,
so a request touches only the pages it needs; the pages are the operating system's file
cache, shared by every process that maps the file (a second worker adds almost nothing).

Composite views built from sections, with one naming convention (``NAME.data`` and
``NAME.offsets``, ``NAME.values``...):

- :class:`Strings`: a list of strings, UTF-8, each followed by ``"\\n"``, with ``n + 1``
  offsets (item ``i`` is ``data[offsets[i]:offsets[i + 1] - 1]``);
- :class:`Table`: a read-only mapping whose keys are a :class:`Strings` sorted by code
  point (looked up by binary search) and whose values are a parallel :class:`Strings`,
  turned into Python values by a converter given by the reader (e.g. ``orjson.loads``).
"""

from __future__ import annotations

import bisect
import mmap
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import orjson

MAGIC = b"FILMOTECA-INDEX\x00"
TYPES = {"B": 1, "i": 4, "q": 8, "f": 4, "d": 8}
ALIGN = 8

V = TypeVar("V")


class SectionError(ValueError):
    """The file is not a section file, is truncated, or lacks a section."""


# ------------------------------------------------------------------------------------------
# Writing (build time)


def encode_strings(items: Iterable[str]) -> tuple[bytes, array[int]]:
    """``(data, offsets)`` of a :class:`Strings` section pair."""
    offsets = array("q", [0])
    chunks: list[bytes] = []
    total = 0
    for item in items:
        raw = item.encode("utf-8") + b"\n"
        chunks.append(raw)
        total += len(raw)
        offsets.append(total)
    return b"".join(chunks), offsets


class SectionWriter:
    """Collects sections, then writes the file in one go (:meth:`write`)."""

    def __init__(self) -> None:
        self._sections: dict[str, tuple[str, bytes]] = {}

    def add(self, name: str, kind: str, data: bytes | array[Any]) -> None:
        if kind not in TYPES:
            raise ValueError(f"unknown section type {kind!r}")
        if name in self._sections:
            raise ValueError(f"section {name!r} written twice")
        if isinstance(data, array):
            if data.typecode != kind:
                raise ValueError(f"section {name!r}: array of {data.typecode!r}, not {kind!r}")
            if sys.byteorder == "big":
                data = array(data.typecode, data)
                data.byteswap()
            data = data.tobytes()
        if len(data) % TYPES[kind]:
            raise ValueError(f"section {name!r}: {len(data)} bytes is not whole {kind!r} items")
        self._sections[name] = (kind, bytes(data))

    def add_strings(self, name: str, items: Iterable[str]) -> None:
        data, offsets = encode_strings(items)
        self.add(f"{name}.data", "B", data)
        self.add(f"{name}.offsets", "q", offsets)

    def add_table(self, name: str, rows: Mapping[str, str]) -> None:
        """A :class:`Table` from ``key -> value text`` (keys sorted here)."""
        keys = sorted(rows)
        self.add_strings(f"{name}.keys", keys)
        self.add_strings(f"{name}.values", (rows[key] for key in keys))

    def add_json_table(self, name: str, rows: Mapping[str, Any]) -> None:
        """A :class:`Table` whose values are JSON (read back with ``orjson.loads``)."""
        self.add_table(name, {key: orjson.dumps(value).decode() for key, value in rows.items()})

    def write(self, path: Path, header: dict[str, Any]) -> None:
        layout: dict[str, list[Any]] = {}
        offset = 0
        for name, (kind, data) in self._sections.items():
            layout[name] = [kind, offset, len(data)]
            offset += -(-len(data) // ALIGN) * ALIGN
        head = orjson.dumps({**header, "sections": layout})
        start = len(MAGIC) + 8 + len(head)
        start = -(-start // ALIGN) * ALIGN
        with path.open("wb") as out:
            out.write(MAGIC)
            out.write(len(head).to_bytes(8, "little"))
            out.write(head)
            out.write(b"\0" * (start - out.tell()))
            for _kind, data in self._sections.values():
                out.write(data)
                out.write(b"\0" * (-len(data) % ALIGN))


# ------------------------------------------------------------------------------------------
# Reading (serving)


class SectionFile:
    """A section file mapped read-only. :attr:`header` is its JSON header."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as handle:
            try:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                raise SectionError("empty file") from None
        size = len(self._map)
        if size < len(MAGIC) + 8 or self._map[:len(MAGIC)] != MAGIC:
            raise SectionError("not a Filmoteca index file")
        head_length = int.from_bytes(self._map[len(MAGIC):len(MAGIC) + 8], "little")
        head_start = len(MAGIC) + 8
        if head_start + head_length > size:
            raise SectionError("truncated header")
        try:
            header = orjson.loads(self._map[head_start:head_start + head_length])
        except orjson.JSONDecodeError:
            raise SectionError("unreadable header") from None
        if not isinstance(header, dict) or not isinstance(header.get("sections"), dict):
            raise SectionError("header without sections")
        self.header: dict[str, Any] = header
        base = -(-(head_start + head_length) // ALIGN) * ALIGN
        self._view = memoryview(self._map)
        self._sections: dict[str, tuple[str, int, int]] = {}
        for name, entry in header["sections"].items():
            kind, offset, length = entry
            if kind not in TYPES or length % TYPES[kind] or base + offset + length > size:
                raise SectionError(f"section {name} is truncated or malformed")
            self._sections[name] = (kind, base + offset, length)

    def __contains__(self, name: object) -> bool:
        return name in self._sections

    def array(self, name: str) -> Sequence[Any]:
        """The section as a sequence of numbers (or bytes, for ``B``), without copying."""
        try:
            kind, start, length = self._sections[name]
        except KeyError:
            raise SectionError(f"missing section {name}") from None
        view = self._view[start:start + length]
        if kind == "B":
            return view
        if sys.byteorder == "big":  # pragma: no cover - the file is little-endian
            swapped = array(kind, view.tobytes())
            swapped.byteswap()
            return swapped
        return view.cast(kind)  # type: ignore[call-overload]

    def bytes_of(self, name: str) -> memoryview:
        _, start, length = self._sections[name]
        return self._view[start:start + length]

    def strings(self, name: str) -> Strings:
        return Strings(self.bytes_of(f"{name}.data"), self.array(f"{name}.offsets"))

    def table(self, name: str, convert: Callable[[str], V]) -> Table[V]:
        return Table(self.strings(f"{name}.keys"), self.strings(f"{name}.values"), convert)


#: Sorted lists keep every SAMPLE-th item in memory (made on the first search), so that a
#: binary search runs in C over those and reads at most log2(SAMPLE) items from the map.
SAMPLE = 16


class Strings(Sequence[str]):
    """A read-only list of strings over a section pair; each read decodes one item."""

    __slots__ = ("_data", "_last", "_length", "_offsets", "_sample")

    def __init__(self, data: memoryview | bytes, offsets: Sequence[int]) -> None:
        if not offsets or offsets[0] != 0 or offsets[len(offsets) - 1] != len(data):
            raise SectionError("string offsets do not match their data")
        self._data = data
        self._offsets = offsets
        self._length = len(offsets) - 1
        self._sample: list[str] | None = None
        self._last: tuple[str, int] = ("", -1)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if index.__class__ is not int:
            if isinstance(index, slice):
                return [self[i] for i in range(*index.indices(self._length))]
            index = int(index)
        if index < 0:
            index += self._length
            if index < 0:
                raise IndexError("string index out of range")
        offsets = self._offsets  # an index past the end raises IndexError here
        return str(self._data[offsets[index]:offsets[index + 1] - 1], "utf-8")

    def window(self, low: int, high: int) -> list[str]:
        """Items ``low`` to ``high - 1`` in one decode (items must not contain ``"\\n"``,
        which holds for normalized keys: :func:`filmoteca.text.normalize` folds it)."""
        if low >= high:
            return []
        offsets = self._offsets
        return str(self._data[offsets[low]:offsets[high] - 1], "utf-8").split("\n")

    def byte_length(self, index: int) -> int:
        return int(self._offsets[index + 1] - self._offsets[index] - 1)

    def find(self, key: str) -> int:
        """Position of ``key`` in a list sorted by code point, or -1 (the last key found is
        remembered: a lookup is often followed by a read of the same key)."""
        last = self._last
        if last[0] == key and last[1] >= 0:
            return last[1]
        at = self.bisect_left(key)
        if at < self._length and self[at] == key:
            self._last = (key, at)
            return at
        return -1

    def bisect_left(self, key: str) -> int:
        """Where ``key`` goes in a list sorted by code point (as :func:`bisect.bisect_left`)."""
        sample = self._sample
        if sample is None:
            sample = self._sample = [self[i] for i in range(0, self._length, SAMPLE)]
        block = bisect.bisect_left(sample, key)
        # The answer lies in ((block - 1) * SAMPLE, block * SAMPLE].
        low = max(0, (block - 1) * SAMPLE + 1)
        high = min(self._length, block * SAMPLE)
        return bisect.bisect_left(self, key, low, high)

    def __iter__(self) -> Iterator[str]:
        for i in range(self._length):
            yield self[i]


class Table(Mapping[str, V], Generic[V]):
    """Sorted keys -> values (converted on access); a read-only mapping."""

    __slots__ = ("_convert", "_keys", "_values")

    def __init__(self, keys: Strings, values: Strings, convert: Callable[[str], V]) -> None:
        if len(keys) != len(values):
            raise SectionError("table keys and values differ in length")
        self._keys = keys
        self._values = values
        self._convert = convert

    def __getitem__(self, key: str) -> V:
        at = self._keys.find(key) if isinstance(key, str) else -1
        if at < 0:
            raise KeyError(key)
        return self._convert(self._values[at])

    def get_at(self, position: int) -> tuple[str, V]:
        return self._keys[position], self._convert(self._values[position])

    def position(self, key: str) -> int:
        """Row of ``key`` (its rank among the sorted keys), or -1."""
        return self._keys.find(key)

    def key_at(self, position: int) -> str:
        return self._keys[position]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._keys.find(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
