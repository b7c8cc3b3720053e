"""Build benchmark: time and peak memory of `filmoteca build` from raw files, by catalog size.

Sizes: the real sample (2,996 rows), 10x (29,960), the full catalog size (45,466) and
450,000 films; everything but the sample is SYNTHETIC (generated from the sample by
`filmoteca synth`, same format and per-row weight as the Kaggle files). Each build runs in
its own process; peak memory is that process's max RSS.

Reference, in the same run: the usual course approach to the expensive part, parsing every
`cast` and `crew` cell of credits.csv with `ast.literal_eval` (pandas `.apply`), timed on
the same file for the sizes up to 45,466 (at 450,000 it would take ~10 minutes; skipped).

Targets (issue 3): 45,466 films in under 60 s and under 2 GB on 2 cores; time growing
linearly with the number of films.

Usage: python benchmarks/build.py [--sizes 2996,29960,45466,450000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import SAMPLE, machine, synthetic_raw, table, write_report

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from filmoteca.pipeline import build_catalog
start = time.perf_counter()
result = build_catalog(raw_dir=Path(sys.argv[1]), catalog_dir=Path(sys.argv[2]))
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "films": result.manifest["films"], "stages": result.report.stages}))
"""

REFERENCE = r"""
import ast, json, resource, sys, time
import pandas as pd
from filmoteca.raw.files import CREDITS, find_file
path = find_file(__import__("pathlib").Path(sys.argv[1]), CREDITS)
credits = pd.read_csv(path)
start = time.perf_counter()
credits["cast"] = credits["cast"].apply(ast.literal_eval)
credits["crew"] = credits["crew"].apply(ast.literal_eval)
directors = credits["crew"].apply(lambda c: [d["name"] for d in c if d["job"] == "Director"])
print(json.dumps({"wall": time.perf_counter() - start,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2996,29960,45466,450000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    rows, results = [], {}
    for films in sizes:
        raw = SAMPLE if films == 2996 else synthetic_raw(films)
        label = "real sample" if films == 2996 else "synthetic"
        with tempfile.TemporaryDirectory() as tmp:
            ours = run(CHILD, str(raw), str(Path(tmp) / "catalog"))
        ref = run(REFERENCE, str(raw)) if films <= 45466 else None
        results[films] = ours
        stages = ours["stages"]
        rows.append([
            f"{films:,} ({label})", ours["films"], ours["wall"], ours["rss_mb"],
            stages.get("credits", 0.0), stages.get("neighbours", 0.0),
            ours["wall"] / films * 1000,
            f"{ref['wall']:.1f} s" if ref else "skipped",
            f"{ref['wall'] / max(stages.get('credits', 1e-9), 1e-9):.1f}x" if ref else "-",
        ])
        print(rows[-1], flush=True)

    base = min(results)
    growth = [
        f"- {films:,} films: {results[films]['wall'] / results[base]['wall']:.1f}x the time of "
        f"{base:,} for {films / base:.1f}x the films"
        for films in sorted(results) if films != base
    ]
    full = results.get(45466)
    verdict = ""
    if full:
        ok_time, ok_mem = full["wall"] < 60, full["rss_mb"] < 2048
        verdict = (f"\n45,466 films: {full['wall']:.1f} s (target < 60 s: "
                   f"{'met' if ok_time else 'MISSED'}), peak {full['rss_mb']:,.0f} MB "
                   f"(target < 2,048 MB: {'met' if ok_mem else 'MISSED'}).\n")
    text = "\n".join([
        "# Build benchmark",
        "",
        f"Machine: {machine()}. Command: `python benchmarks/build.py`.",
        "Every size but the real sample is **synthetic** (`filmoteca synth`, seed 0).",
        "",
        table(["films (raw rows)", "films in catalog", "build s", "peak MB", "credits s",
               "neighbours s", "ms per film", "reference credits parse",
               "credits speed-up vs reference"], rows),
        "",
        "Reference: `pd.read_csv` + `ast.literal_eval` on every cast and crew cell (the usual "
        "course approach), same file, same run, CSV reading excluded on both sides; compared "
        "with our `credits` stage (parse + directors + cast tables).",
        verdict,
        "Growth:",
        *growth,
        "",
    ])
    write_report("build.md", text)


if __name__ == "__main__":
    main()
