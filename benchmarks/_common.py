"""Helpers shared by the benchmark scripts: synthetic raw data on demand, markdown tables."""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports" / "benchmarks"
SYNTHETIC = ROOT / "data" / "synthetic"
SAMPLE = ROOT / "data" / "sample"


def synthetic_raw(films: int, seed: int = 0) -> Path:
    """Raw files in the Kaggle format with ``films`` rows (SYNTHETIC), generated once."""
    out = SYNTHETIC / f"{films}-seed{seed}"
    if not (out / "SYNTHETIC.md").exists():
        subprocess.run(
            [sys.executable, "-m", "filmoteca.cli", "synth", "--films", str(films),
             "--seed", str(seed), "--out", str(out)],
            check=True,
        )
    return out


def machine() -> str:
    import os

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC')}")


def table(headers: list[str], rows: list[list[object]]) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_report(name: str, text: str) -> Path:
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / name
    path.write_text(text, encoding="utf-8")
    print(text)
    print(f"\nwritten to {path}")
    return path
