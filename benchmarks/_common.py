"""Helpers shared by the benchmark scripts: synthetic raw data on demand, markdown tables."""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

from filmoteca.config import SAMPLE_DIR

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports" / "benchmarks"
SYNTHETIC = ROOT / "data" / "synthetic"
SAMPLE = SAMPLE_DIR  # the embedded real sample (package data)
#: Films in the full Kaggle catalog: the size of the SYNTHETIC catalog the benchmarks measure.
SYNTHETIC_FILMS = 45466


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


def loadable(catalog: Path) -> bool:
    """Whether the serving code of this checkout accepts ``catalog`` (checked in a child
    process, so the calling process stays free of the catalog's memory)."""
    check = ("import sys; from pathlib import Path; "
             "from filmoteca.services.catalog import load_catalog; "
             "load_catalog(Path(sys.argv[1]))")
    return subprocess.run([sys.executable, "-c", check, str(catalog)], cwd=ROOT,
                          capture_output=True, check=False).returncode == 0


def films_of(kind: str) -> int:
    """Films of a SYNTHETIC catalog kind: ``synthetic`` (45,466) or ``synthetic-N``."""
    return int(kind.split("-", 1)[1]) if "-" in kind else SYNTHETIC_FILMS


def label(kind: str) -> str:
    """How reports name a catalog kind."""
    if kind == "sample":
        return "real sample (2,993 films)"
    return f"SYNTHETIC {films_of(kind):,} films"


def ensure_catalog(kind: str) -> Path:
    """The ``sample``, ``synthetic`` (45,466 films) or ``synthetic-N`` catalog to measure,
    under data/processed/ (git-ignored), built when missing or made by an older version of
    the code."""
    if kind == "sample":
        raw, catalog = SAMPLE, ROOT / "data" / "processed" / "sample" / "catalog"
    else:
        films = films_of(kind)
        raw = synthetic_raw(films)
        catalog = ROOT / "data" / "processed" / f"synthetic-{films}" / "catalog"
    if not loadable(catalog):
        subprocess.run([sys.executable, "-m", "filmoteca.cli", "build", "--raw", str(raw),
                        "--catalog", str(catalog)], cwd=ROOT, check=True)
    return catalog


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
