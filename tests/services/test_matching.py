"""Input checks, punctuation-blind keys and fuzzy suggestions, on hand-made cases."""

from __future__ import annotations

import pytest

from filmoteca.catalog.layout import suggestion_choices
from filmoteca.formatting import format_int, format_money, format_ratio
from filmoteca.services.matching import (
    MAX_COMPARISONS,
    InvalidInput,
    NotFound,
    Suggester,
    clean_input,
    find_key,
)
from filmoteca.text import loose_key


@pytest.mark.parametrize(("typed", "key"), [
    ("  EL  Padrino ", "el padrino"), ("Amélie", "amelie"), ("STAR WARS", "star wars"),
    ("🎬", ""),  # valid input that matches nothing
])
def test_clean_input_normalizes(typed: str, key: str) -> None:
    assert clean_input(typed, "título") == key


@pytest.mark.parametrize(("typed", "words"), [
    ("", "Falta"), ("   ", "Falta"), ("a" * 201, "demasiado largo"),
    ("a\nb", "control"), ("\x00", "control"), ("a\x7f", "control"), ("a\x85", "control"),
])
def test_clean_input_rejects(typed: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        clean_input(typed, "título")


def test_two_hundred_characters_are_fine() -> None:
    assert clean_input("a" * 200, "título") == "a" * 200


@pytest.mark.parametrize(("key", "loose"), [
    ("face/off", "face off"), ("warner bros.", "warner bros"), ("a bug's life", "a bugs life"),
    ("star wars: episode iv - a new hope", "star wars episode iv a new hope"),
])
def test_loose_key(key: str, loose: str) -> None:
    assert loose_key(key) == loose


def test_find_key_prefers_exact() -> None:
    exact = {"face off": 1, "face/off": 2, "warner bros.": 3}
    loose = {"face off": "face/off", "warner bros": "warner bros."}
    assert find_key(exact, loose, "face/off") == "face/off"
    assert find_key(exact, loose, "face off") == "face off"
    assert find_key(exact, loose, "warner bros") == "warner bros."
    assert find_key(exact, loose, "Warner-Bros".lower()) == "warner bros."
    assert find_key(exact, loose, "nothing") is None


def test_suggester_ranks_closest_first() -> None:
    keys, labels = suggestion_choices(
        [("toy story", "Toy Story"), ("toys", "Toys"), ("the godfather", "The Godfather"),
         ("toy story", "duplicate ignored"), ("", "empty ignored")])
    assert labels[keys.index("toy story")] == "Toy Story"
    suggester = Suggester(keys, labels)
    assert suggester.suggest("toy stori")[0] == "Toy Story"
    assert suggester.suggest("") == ()
    assert suggester.suggest("zzzzzzzzzzzzzzzz") == ()


def test_suggester_offers_names_containing_the_typed_words() -> None:
    keys, labels = suggestion_choices(
        [("pixar animation studios", "Pixar Animation Studios"), ("pixel films", "Pixel"),
         ("john lasseter", "John Lasseter"), ("paramount pictures", "Paramount Pictures"),
         ("walt disney pictures", "Walt Disney Pictures")])
    suggester = Suggester(keys, labels)
    # "pixar" is far from the whole name by edit distance, but it is its first word.
    assert suggester.suggest("pixar") == ("Pixar Animation Studios",)
    assert suggester.suggest("pix")[:2] == ("Pixel", "Pixar Animation Studios")
    assert suggester.suggest("lasseter") == ("John Lasseter",)
    # Both typed words match: that name first, then those sharing one word.
    assert suggester.suggest("disney pictures")[:2] == ("Walt Disney Pictures",
                                                        "Paramount Pictures")
    assert suggester.suggest("xy") == ()  # words under 3 letters are not looked up


def test_suggestions_are_cached_but_cannot_be_changed_by_a_caller() -> None:
    """Defect 8: the cached suggestions used to be a list shared by every caller."""
    keys, labels = suggestion_choices([("toy story", "Toy Story"), ("toys", "Toys")])
    suggester = Suggester(keys, labels)
    first = suggester.suggest("toy stori")
    assert first == ("Toy Story", "Toys")
    assert suggester.suggest("toy stori") is first  # served from the cache
    with pytest.raises(AttributeError):
        first.append("Jumanji")  # type: ignore[attr-defined]
    # A 404 gets its own list: whoever edits it leaves the cache as it was.
    missing = NotFound("No se encontró ninguna película titulada 'toy stori'.", first)
    missing.sugerencias.clear()
    assert suggester.suggest("toy stori") == ("Toy Story", "Toys")
    assert suggester.suggest("toy stori", 1) == ("Toy Story",)


def test_suggester_requires_sorted_keys() -> None:
    with pytest.raises(ValueError):
        Suggester(["long key", "k"], ["a", "b"])


def test_suggester_caps_comparisons() -> None:
    keys, labels = suggestion_choices(
        (f"title {i:06d}", f"Title {i}") for i in range(MAX_COMPARISONS * 2))
    suggester = Suggester(keys, labels)
    low, high = suggester._window(len("title 000123"))
    assert high - low <= MAX_COMPARISONS
    assert "Title 123" in suggester.suggest("title 000123")


def test_spanish_number_format() -> None:
    assert format_int(1234567) == "1.234.567"
    assert format_money(373554033.0) == "US$ 373.554.033"
    assert format_money(702703891.25) == "US$ 702.703.891"
    assert format_ratio(12.4518) == "12,45"
    assert format_ratio(1234.5) == "1.234,50"
