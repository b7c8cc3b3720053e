"""Build benchmark: peak memory and time of `filmoteca build`, per stage, by catalog size.

Sizes: 45,466 films (the full Kaggle catalog's size), 200,000, 450,000 and 1,000,000, all
SYNTHETIC (`filmoteca synth --films N --seed 0`: the Kaggle format, resampled from the real
sample; generated on first use under data/synthetic/, credits.csv is about 4 GB at 1M).

Each build runs in its own process, started through a small launcher process that reports
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` once the build has exited: the peak resident
memory of the build's process tree, measured by the kernel. Inside the build a psutil thread
samples RSS every 20 ms and the build's progress callbacks mark the stages, which gives the
peak and the time of each stage.

Reference, in the same run: the whole-file approach the build used before streaming (issue
12): every raw file read whole with pandas, every table held in memory, the neighbours and
the index built from in-memory frames (same cleaning and model code, so only the memory
strategy differs). It is run where it still fits (default: 45,466 and 200,000 films; at
450,000 it needed 10.9 GB).

Targets (issue 12): peak memory roughly flat, at most 1.5x the 45,466-film peak at 200,000
films, under 4 GB at 1,000,000 films on 2 cores; time linear in the number of films.

Usage: python benchmarks/build.py [--sizes 45466,200000,450000,1000000]
                                  [--reference-sizes 45466,200000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, machine, synthetic_raw, table, write_report

#: Runs the command in argv as a child, passes its stdout through, then prints the peak RSS
#: of the child's process tree (kernel accounting of waited-for children).
LAUNCHER = r"""
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)
sys.stdout.write(done.stdout)
print(json.dumps({"returncode": done.returncode,
                  "tree_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

#: The build, with a progress recorder that notes each stage's time and sampled peak RSS.
CHILD = r"""
import json, sys, threading, time
from pathlib import Path
import psutil
from filmoteca.etl.pipeline import build_catalog

GROUPS = (("Films", "movies"), ("Credits", "credits"), ("Keywords", "keywords"),
          ("Ratings", "ratings"), ("Recommender", "neighbours"), ("Serving index", "index"),
          ("Embeddings", "embeddings"))

class Stages:
    def __init__(self):
        self.process, self.lock = psutil.Process(), threading.Lock()
        self.group, self.start_time, self.peak, self.stages = "setup", time.perf_counter(), 0, {}
        threading.Thread(target=self.sample, daemon=True).start()
    def sample(self):
        while True:
            rss = self.process.memory_info().rss
            with self.lock:
                self.peak = max(self.peak, rss)
            time.sleep(0.02)
    def close_group(self):
        seconds, peak = self.stages.get(self.group, (0.0, 0))
        self.stages[self.group] = (seconds + time.perf_counter() - self.start_time,
                                   max(peak, self.peak))
    def start(self, stage, total=None):
        group = next((g for prefix, g in GROUPS if stage.startswith(prefix)), self.group)
        with self.lock:
            if group != self.group:
                self.close_group()
                self.group, self.start_time = group, time.perf_counter()
                self.peak = self.process.memory_info().rss
            print(f"    {stage}", file=sys.stderr, flush=True)
    def advance(self, units=1):
        pass

stages = Stages()
start = time.perf_counter()
result = build_catalog(raw_dir=Path(sys.argv[1]), catalog_dir=Path(sys.argv[2]), progress=stages,
                       embeddings=sys.argv[3] == "1")
with stages.lock:
    stages.close_group()
print(json.dumps({"wall": time.perf_counter() - start, "films": result.manifest["films"],
                  "stages": {g: [s, p / 2**20] for g, (s, p) in stages.stages.items()}}))
"""

#: The whole-file approach (the build before issue 12), same cleaning and model code.
REFERENCE = r"""
import json, sys, time
from pathlib import Path
import tempfile
import pyarrow as pa
from filmoteca.etl.index import build_index, write_index
from filmoteca.etl import clean
from filmoteca.etl.report import BuildReport
from filmoteca.progress import NullProgress
from filmoteca.raw import files
from filmoteca.etl.neighbours import compute_neighbours

start = time.perf_counter()
sources = files.resolve_sources(Path(sys.argv[1]))
report = BuildReport()
raw = {spec.kind: files.read_raw(sources.paths[spec.kind], spec)[0] for spec in files.SPECS}
films = clean.clean_movies(raw["movies"], report)
links = clean.unnest_movies(films, report)
ids = films["id"].to_numpy()
cast, directors = clean.credits_tables(raw["credits"], ids, report)
keywords = clean.keywords_table(raw["keywords"], ids, report)
ratings = clean.ratings_table(raw["ratings"], raw["links"], ids, report)
del raw
tables = clean.Tables(films=films[list(clean.FILM_COLUMNS)], cast=cast, directors=directors,
                      keywords=keywords, ratings=ratings, **links)
neighbours = compute_neighbours(tables, NullProgress())
batches = pa.Table.from_pandas(neighbours, preserve_index=False).to_batches()
index = build_index(tables, batches, {"films": len(films)})
with tempfile.TemporaryDirectory() as out:
    write_index(Path(out), index.items())
print(json.dumps({"wall": time.perf_counter() - start, "films": len(films)}))
"""

STAGES = ("movies", "credits", "keywords", "ratings", "neighbours", "index", "embeddings")
TARGET_GROWTH, TARGET_1M_MB = 1.5, 4096


def measure(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh process (through the launcher); its JSON plus the tree peak."""
    command = [sys.executable, "-c", LAUNCHER, sys.executable, "-c", code, *args]
    done = subprocess.run(command, check=True, capture_output=False, stdout=subprocess.PIPE,
                          text=True)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    result, launcher = lines[0] if len(lines) > 1 else {}, lines[-1]
    if launcher["returncode"] != 0:
        raise SystemExit(f"build failed (exit {launcher['returncode']}): {args}")
    return {**result, "peak_mb": launcher["tree_peak_mb"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="45466,200000,450000,1000000")
    parser.add_argument("--reference-sizes", default="45466,200000")
    parser.add_argument("--embeddings", action="store_true",
                        help="also run the embeddings stage (off by default: see the report)")
    parser.add_argument("--keep", action="store_true",
                        help="build into data/processed/synthetic-N/catalog (where serve.py "
                        "and api.py look) instead of a temporary folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    reference_sizes = {int(s) for s in args.reference_sizes.split(",") if s}
    load_before = os.getloadavg()

    ours, reference = {}, {}
    for films in sizes:
        raw = synthetic_raw(films)
        print(f"{films:,} films (SYNTHETIC): streamed build", flush=True)
        flag = "1" if args.embeddings else "0"
        if args.keep:
            target = ROOT / "data" / "processed" / f"synthetic-{films}" / "catalog"
            ours[films] = measure(CHILD, str(raw), str(target), flag)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                ours[films] = measure(CHILD, str(raw), str(Path(tmp) / "catalog"), flag)
        print(f"  {ours[films]['wall']:.1f} s, peak {ours[films]['peak_mb']:,.0f} MB", flush=True)
        if films in reference_sizes:
            print(f"{films:,} films (SYNTHETIC): reference (whole files)", flush=True)
            reference[films] = measure(REFERENCE, str(raw))
            print(f"  {reference[films]['wall']:.1f} s, peak "
                  f"{reference[films]['peak_mb']:,.0f} MB", flush=True)
    load_after = os.getloadavg()

    base = min(ours)
    rows = []
    for films in sizes:
        run = ours[films]
        stage_cells = [f"{run['stages'][s][0]:.1f} s / {run['stages'][s][1]:,.0f} MB"
                       if s in run["stages"] else "skipped" for s in STAGES]
        rows.append([f"{films:,}", run["films"], run["wall"], f"{run['peak_mb']:,.0f}",
                     f"{run['peak_mb'] / ours[base]['peak_mb']:.2f}x",
                     f"{run['wall'] / films * 1000:.2f}", *stage_cells])
    ref_rows = [
        [f"{films:,}", reference[films]["wall"], f"{reference[films]['peak_mb']:,.0f}",
         f"{ours[films]['wall']:.1f}", f"{ours[films]['peak_mb']:,.0f}",
         f"{reference[films]['peak_mb'] / ours[films]['peak_mb']:.1f}x"]
        for films in sizes if films in reference
    ]
    verdicts = []
    if 200000 in ours and 45466 in ours:
        growth = ours[200000]["peak_mb"] / ours[45466]["peak_mb"]
        verdicts.append(f"- Peak at 200,000 films / peak at 45,466: {growth:.2f}x (target <= "
                        f"{TARGET_GROWTH}x: {'met' if growth <= TARGET_GROWTH else 'MISSED'}).")
    if 1000000 in ours:
        peak = ours[1000000]["peak_mb"]
        verdicts.append(f"- 1,000,000 films: peak {peak:,.0f} MB (target < {TARGET_1M_MB:,} MB:"
                        f" {'met' if peak < TARGET_1M_MB else 'MISSED'}), "
                        f"{ours[1000000]['wall']:.0f} s.")
    per_film = [ours[f]["wall"] / f * 1000 for f in sizes]
    verdicts.append("- Time per film (ms): " + ", ".join(
        f"{f:,}: {t:.2f}" for f, t in zip(sizes, per_film, strict=True))
        + f" (largest / smallest: {max(per_film) / min(per_film):.2f}x; 1.00x is linear).")

    text = "\n".join([
        "# Build benchmark (SYNTHETIC data)",
        "",
        f"Machine: {machine()}. Command: `python benchmarks/build.py --sizes "
        f"{args.sizes} --reference-sizes {args.reference_sizes}"
        f"{' --embeddings' if args.embeddings else ''}{' --keep' if args.keep else ''}`.",
        "The embeddings stage (vectors for Spanish search) was "
        + ("run: each distinct text is embedded once and the cache of earlier builds is "
           "reused, so its time depends on what the cache already holds." if args.embeddings
           else "skipped (`--no-embeddings`): its cost is the model's, about 5.6 ms of CPU "
           "per distinct text whatever the catalog size, measured in `reports/busqueda.md`; "
           "these rows measure the memory strategy of the rest of the build."),
        "Every catalog here is **SYNTHETIC** (`filmoteca synth --films N --seed 0`, the Kaggle "
        "format resampled from the real sample): the figures measure the build, not real "
        "films.",
        f"Load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end, on "
        "2 cores" + (": the machine was shared with other work, times are inflated; memory "
                     "figures are not affected much." if max(load_before[0], load_after[0]) > 1.5
                     else " (quiet machine)."),
        "",
        "Peak = the build process tree's maximum resident memory (kernel, "
        "`RUSAGE_CHILDREN`). Per stage: wall time / peak RSS sampled every 20 ms while the "
        "stage ran (memory already held by the process counts in every later stage).",
        "",
        table(["films", "in catalog", "build s", "peak MB", "peak vs smallest",
               "ms per film", *[f"{s} (s / MB)" for s in STAGES]], rows),
        "",
        "Reference in the same run: the whole-file build (every raw file read whole, every "
        "table in memory; the approach before issue 12, same cleaning and model code).",
        "",
        table(["films", "reference s", "reference peak MB", "streamed s", "streamed peak MB",
               "reference peak / streamed"], ref_rows) if ref_rows else "(not run)",
        "",
        "Targets (issue 12):",
        *verdicts,
        "",
    ])
    write_report("build.md", text)


if __name__ == "__main__":
    main()
