"""Serving budget: resident memory and cold start of `filmoteca serve`, on the real sample
and on the 45,466-film SYNTHETIC catalog, side by side with the reference course-style app
(`benchmarks/reference_app.py`: pandas tables loaded at start-up, TF-IDF fitted per
request) when that file exists.

Measured, per catalog and server, each server being its own subprocess on 127.0.0.1:

- cold start: process spawn -> first 200 of an endpoint, in a FRESH process per endpoint
  (what a visitor waking a sleeping free instance waits), median of ``--repeat`` runs
  (the reference app: one run); plus the CPU seconds the process used until its first 200
  and, from them, an estimate on Render's free instance (0.1 CPU => CPU seconds x 10);
- resident memory (psutil RSS): after start, after one request to every endpoint, and
  after a bounded mix of ``--requests`` sequential requests (hits, typos, misses,
  recommendations, searches);
- heavy libraries (pandas, numpy, sklearn, scipy, pyarrow) mapped into the process
  (/proc/PID/maps), after those requests.

Targets (issue 7): RSS under 300 MB and cold start under 2 s on the full-size catalog.

Usage: python benchmarks/serve.py [--repeat 3] [--requests 2000] [--catalogs sample,synthetic]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from _common import ROOT, SYNTHETIC_FILMS, ensure_catalog, machine, table, write_report
from _server import (
    Server,
    examples,
    filmoteca_server,
    free_port,
    mix,
    one_per_endpoint,
)

REFERENCE = ROOT / "benchmarks" / "reference_app.py"
RENDER_CPU = 0.1  # Render free instance: 0.1 CPU
RSS_TARGET_MB, COLD_TARGET_S = 300, 2.0


def reference_server(catalog: Path) -> Server | None:
    """The API engineer's reference app, if it exists (see its docstring for how it runs)."""
    if not REFERENCE.exists():
        return None
    port = free_port()
    command = [sys.executable, str(REFERENCE), "--catalog", str(catalog.resolve()),
               "--host", "127.0.0.1", "--port", str(port)]
    return Server("reference", command, {}, port)


@dataclass
class Result:
    catalog: str
    server: str
    cold: dict[str, float] = field(default_factory=dict)  # endpoint -> median seconds
    cold_cpu: float = 0.0  # CPU seconds until the first 200 of /health
    rss_start: float = 0.0
    rss_endpoints: float = 0.0
    rss_mix: float = 0.0
    rss_peak: float = 0.0  # VmHWM at the end: the highest RSS ever, start-up included
    mix_requests: int = 0
    mix_seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    heavy: list[str] = field(default_factory=list)


def cold_start(make: object, endpoint_path: str, logs: Path, repeat: int,
               strict: bool = True) -> tuple[float, float]:
    """Median seconds from spawn to the first 200 on ``endpoint_path`` in fresh processes
    (not ``strict``: the first answer below 500, for the reference app), and the median CPU
    seconds the server used until then."""
    walls, cpus = [], []
    for _ in range(repeat):
        server: Server = make()  # type: ignore[operator]
        with server:
            server.start(logs / f"{server.name}-cold.log")
            walls.append(server.wait_ready(endpoint_path, any_answer=not strict))
            assert server.proc is not None
            times = psutil.Process(server.proc.pid).cpu_times()
            cpus.append(times.user + times.system)
    return statistics.median(walls), statistics.median(cpus)


def measure(kind: str, catalog: Path, name: str, make: object, repeat: int,
            requests: int, logs: Path) -> Result:
    ex = examples(catalog)
    endpoints = one_per_endpoint(ex)
    result = Result(kind, name)
    strict = name == "filmoteca"
    cold_start(make, "/health", logs, 1)  # warm-up (page cache, .pyc), not counted
    for endpoint, endpoint_path in endpoints.items():
        result.cold[endpoint], cpu = cold_start(make, endpoint_path, logs, repeat, strict)
        if endpoint == "/health":
            result.cold_cpu = cpu
        print(f"  {kind} {name} cold {endpoint}: {result.cold[endpoint]:.2f} s", flush=True)

    server: Server = make()  # type: ignore[operator]
    with server:
        server.start(logs / f"{server.name}-warm.log")
        server.wait_ready()
        time.sleep(0.5)  # let the process settle
        result.rss_start = server.rss_mb()
        with httpx.Client(base_url=server.base, timeout=120) as client:
            for endpoint_path in endpoints.values():
                response = client.get(endpoint_path)
                if strict:
                    response.raise_for_status()
            result.rss_endpoints = server.rss_mb()
            deadline = time.perf_counter() + 300  # bounded in time as well as in count
            started = time.perf_counter()
            for _, request_path in mix(ex, requests):
                status = client.get(request_path).status_code
                result.statuses[status] = result.statuses.get(status, 0) + 1
                result.mix_requests += 1
                if time.perf_counter() > deadline:
                    break
            result.mix_seconds = time.perf_counter() - started
        result.rss_mix = server.rss_mb()
        result.rss_peak = server.peak_rss_mb()
        result.heavy = server.heavy_libraries()
    print(f"  {kind} {name}: RSS {result.rss_start:.0f} / {result.rss_endpoints:.0f} / "
          f"{result.rss_mix:.0f} MB, heavy {result.heavy or 'none'}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="cold starts per endpoint")
    parser.add_argument("--requests", type=int, default=2000, help="sequential mix size")
    parser.add_argument("--catalogs", default="sample,synthetic")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()

    load_before = os.getloadavg()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="filmoteca-serve-") as tmp:
        logs = Path(tmp)
        for kind in args.catalogs.split(","):
            catalog = ensure_catalog(kind)
            results.append(measure(kind, catalog, "filmoteca",
                                   lambda c=catalog: filmoteca_server(c), args.repeat,
                                   args.requests, logs))
            if not args.no_reference and reference_server(catalog) is not None:
                results.append(measure(kind, catalog, "reference",
                                       lambda c=catalog: reference_server(c), 1,
                                       min(args.requests, 100), logs))

    label = {"sample": "real sample (2,993 films)",
             "synthetic": f"SYNTHETIC {SYNTHETIC_FILMS:,} films"}
    endpoints = list(results[0].cold)
    summary = table(
        ["catalog", "server", "RSS after start MB", "RSS after 1 request/endpoint MB",
         "RSS after mix MB", "peak RSS (start-up included) MB", "cold start /health s",
         "worst endpoint cold start s",
         "CPU s to start", "est. start on 0.1 CPU s", "heavy libraries loaded"],
        [[label[r.catalog], r.server, r.rss_start, r.rss_endpoints, r.rss_mix, r.rss_peak,
          r.cold["/health"], max(r.cold.values()), r.cold_cpu, r.cold_cpu / RENDER_CPU,
          ", ".join(r.heavy) or "none"] for r in results],
    )
    per_endpoint = table(
        ["endpoint", *[f"{label[r.catalog]}, {r.server}" for r in results]],
        [[e, *[r.cold[e] for r in results]] for e in endpoints],
    )
    mixes = table(
        ["catalog", "server", "requests", "seconds", "statuses"],
        [[label[r.catalog], r.server, r.mix_requests, r.mix_seconds,
          ", ".join(f"{k}: {v:,}" for k, v in sorted(r.statuses.items()))] for r in results],
    )

    verdicts = []
    for r in results:
        if r.server != "filmoteca":
            continue
        rss = max(r.rss_start, r.rss_endpoints, r.rss_mix, r.rss_peak)
        cold = max(r.cold.values())
        verdicts.append(
            f"- {label[r.catalog]}: peak RSS {rss:,.0f} MB, start-up included "
            f"(target < {RSS_TARGET_MB} MB: "
            f"{'met' if rss < RSS_TARGET_MB else 'MISSED'}); worst cold start {cold:.2f} s "
            f"(target < {COLD_TARGET_S:.0f} s: {'met' if cold < COLD_TARGET_S else 'MISSED'});"
            f" heavy libraries: {', '.join(r.heavy) or 'none'}."
        )
    ratios = []
    for ours in (r for r in results if r.server == "filmoteca"):
        ref = next((r for r in results
                    if r.server == "reference" and r.catalog == ours.catalog), None)
        if ref:
            ratios.append(
                f"- {label[ours.catalog]}: reference / filmoteca RSS after the mix "
                f"{ref.rss_mix / ours.rss_mix:.1f}x, cold start (/health) "
                f"{ref.cold['/health'] / ours.cold['/health']:.1f}x, worst endpoint cold start "
                f"{max(ref.cold.values()) / max(ours.cold.values()):.1f}x."
            )
    if not ratios:
        ratios.append("- reference app not measured (benchmarks/reference_app.py absent or "
                      "--no-reference).")

    text = "\n".join([
        "# Serving budget",
        "",
        f"Machine: {machine()}; load average before the run: "
        f"{', '.join(f'{x:.1f}' for x in load_before)} (other work on the machine slows "
        "wall-clock start times; CPU seconds are less sensitive to it). "
        "Command: `python benchmarks/serve.py "
        f"--repeat {args.repeat} --requests {args.requests}`.",
        f"The {SYNTHETIC_FILMS:,}-film catalog is **synthetic** (`filmoteca synth --films "
        f"{SYNTHETIC_FILMS} --seed 0`, resampled from the real sample, same format), the "
        "size of the full Kaggle catalog; the sample is the real one shipped in the package "
        "(src/filmoteca/sample).",
        "Every server is its own process (`filmoteca serve`, one uvicorn worker) on 127.0.0.1.",
        "",
        summary,
        "",
        "Cold start = spawn of a fresh process -> its first 200 on that endpoint (reference "
        "app: its first answer below 500, whatever its status) (filmoteca: "
        f"median of {args.repeat}; reference: 1 run; after one uncounted warm-up start). "
        "\"CPU s to start\" = CPU time the process used until its first /health 200; "
        "Render's free instance has 0.1 CPU, so "
        "the estimate divides it by 0.1 (an upper bound if the host grants bursts). RSS = "
        "resident memory of the server process (psutil); peak RSS = its high-water mark "
        "(VmHWM), which includes the transient peak while the catalog is parsed. Heavy "
        "libraries = compiled extensions of pandas / numpy / sklearn / scipy / pyarrow "
        "mapped into the process.",
        "",
        "## Cold start per endpoint (seconds)",
        "",
        per_endpoint,
        "",
        "## The sequential mix used for \"RSS after mix\"",
        "",
        mixes,
        "",
        "404s are the deliberate misses and typos of the mix (answered with suggestions).",
        "",
        "## Verdict",
        "",
        *verdicts,
        "",
        "## Against the reference course-style app",
        "",
        *ratios,
        "",
    ])
    write_report("serve.md", text)


if __name__ == "__main__":
    main()
