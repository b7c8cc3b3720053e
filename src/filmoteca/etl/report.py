"""The build report: every dropped or repaired row counted by reason, rows in/out per table,
stage timings. Written as ``build_report.json`` beside the catalog."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class BuildReport:
    dataset: str = ""
    origin: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: reason -> rows removed from the catalog, e.g. "movies.duplicate_id".
    dropped: Counter[str] = field(default_factory=Counter)
    #: reason -> rows kept but changed, e.g. "movies.budget_not_numeric_set_to_0".
    repaired: Counter[str] = field(default_factory=Counter)
    #: table -> {"rows_in": n, "rows_out": m}
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    #: stage -> seconds
    stages: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def drop(self, reason: str, count: int) -> None:
        if count:
            self.dropped[reason] += int(count)

    def repair(self, reason: str, count: int) -> None:
        if count:
            self.repaired[reason] += int(count)

    def rows(self, table: str, rows_in: int, rows_out: int) -> None:
        """Add rows in and out of ``table`` (a build streams a file in chunks)."""
        counts = self.tables.setdefault(table, {"rows_in": 0, "rows_out": 0})
        counts["rows_in"] += int(rows_in)
        counts["rows_out"] += int(rows_out)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = round(time.perf_counter() - start, 3)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["dropped"] = dict(sorted(self.dropped.items()))
        data["repaired"] = dict(sorted(self.repaired.items()))
        data["stages"]["total"] = round(sum(self.stages.values()), 3)
        return data
