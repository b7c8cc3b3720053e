"""A tiny progress interface so long work (build, synth, EDA) can report to rich or to nothing."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, stage: str, total: int | None = None) -> None:
        """Begin a stage; ``total`` units of work if known."""

    def advance(self, units: int = 1) -> None:
        """Some units of the current stage are done."""


class NullProgress:
    def start(self, stage: str, total: int | None = None) -> None:
        return None

    def advance(self, units: int = 1) -> None:
        return None
