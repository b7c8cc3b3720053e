"""Load test: `--clients` concurrent clients (default 50) for `--duration` seconds (default
60) against `filmoteca serve` on 127.0.0.1, with a realistic request mix, on the 45,466-film
SYNTHETIC catalog (and/or the real sample: `--catalogs sample,synthetic`).

The mix (see `_server.mix`): 60% hits on the six catalog questions with real names from the
catalog (popular ones more often, Spanish language and country names), 10% recommendations,
10% title searches, 10% typos (404 with suggestions), 10% deliberate misses (404). Before the
load, every distinct path of the mix is asked once, so the expected status of each is known.

Client: `wrk` (Debian package; an efficient C client, which matters on a 2-core machine where
client and server share the CPU) with a generated Lua script that cycles through the mix and
counts statuses; without wrk, an asyncio/httpx client (slower: it competes for the CPU).
Clients are closed-loop without think time, so latencies include queueing at the server:
they describe saturation, not one request's cost (see the API benchmark for that).

Measured: requests/s, latency p50/p99/max, statuses, errors (5xx and connection errors:
404s of deliberate misses and typos are expected and counted separately), resident memory
of the server before the load (after a warm-up), at its peak during the load and after.
Targets (issue 7): zero errors, RSS growth under 10%.

With `--reference`, the reference course-style app (`benchmarks/reference_app.py`: pandas
filtering per request, TF-IDF fitted per recommendation) gets the same mix, clients and time.

Scale-out (`--workers 1,2`): the same load on `filmoteca serve --workers N` (uvicorn's
supervisor and N worker processes sharing the port and the memory-mapped catalog), with the
memory of every process after the load: RSS, USS (memory only that process uses) and PSS
(its proportional share of pages shared with others, such as the catalog's file pages); the
memory a worker adds is the growth of the summed PSS.

Usage: python benchmarks/load.py [--duration 60] [--clients 50] [--catalogs synthetic]
                                 [--reference] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from _common import ensure_catalog, label, machine, table, write_report
from _server import Server, examples, filmoteca_server, mix
from serve import REFERENCE, reference_server

MIX_SIZE = 5000
GROWTH_TARGET = 0.10

LUA = r"""
local paths = {PATHS}
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 997)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
  statuses = {}
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      totals[code] = (totals[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(totals) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  io.write(string.format(
    'FILMOTECA_JSON {"requests": %d, "duration_us": %d, "errors": {"connect": %d, ' ..
    '"read": %d, "write": %d, "timeout": %d}, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %f, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50),
    latency:percentile(99), latency.max, latency.mean, table.concat(parts, ", ")))
end
"""


@dataclass
class LoadResult:
    catalog: str
    client: str
    server: str = "filmoteca"
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0
    expected: Counter[int] = field(default_factory=Counter)  # status share of the mix
    rss_before: float = 0.0
    rss_peak: float = 0.0
    rss_after: float = 0.0
    server_tracebacks: int = 0
    workers: int = 1
    #: (role, RSS MB, USS MB, PSS MB) of every server process after the load.
    processes: list[tuple[str, float, float, float]] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)

    @property
    def unexpected(self) -> int:
        """Responses whose status never occurs for any path in the pre-flight check."""
        return sum(n for code, n in self.statuses.items() if code not in self.expected)


class RssSampler(threading.Thread):
    """Samples the server's RSS every 0.5 s while the load runs (bounded by ``stop``)."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server, self.peak, self._stop_event = server, 0.0, threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.5):
            self.peak = max(self.peak, self.server.rss_mb())

    def stop(self) -> float:
        self._stop_event.set()
        self.join(timeout=5)
        return self.peak


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(server: Server, paths: list[str], clients: int, duration: int,
            work: Path) -> dict:
    script = work / "mix.lua"
    script.write_text(LUA.replace("{PATHS}", "{" + ",".join(map(lua_string, paths)) + "}"),
                      encoding="utf-8")
    threads = max(1, min(2, (os.cpu_count() or 2) // 2))  # leave the server a core
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{duration}s", "--timeout", "10s",
         "-s", str(script), server.base],
        capture_output=True, text=True, timeout=duration + 60, check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("FILMOTECA_JSON "))
    return json.loads(line.removeprefix("FILMOTECA_JSON "))


async def _asyncio_load(base: str, paths: list[str], clients: int, duration: int) -> dict:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors = 0
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.perf_counter() < deadline and len(latencies) < 10_000_000:
                i += 1
                start = time.perf_counter()
                try:
                    response = await client.get(paths[i % len(paths)])
                    statuses[response.status_code] += 1
                except httpx.TransportError:
                    errors += 1
                latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(worker(k * 997) for k in range(clients)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "duration_us": elapsed * 1e6,
            "errors": {"connect": errors, "read": 0, "write": 0, "timeout": 0},
            "p50_us": cuts[49] * 1e6, "p99_us": cuts[98] * 1e6,
            "max_us": max(latencies) * 1e6, "statuses": dict(statuses)}


def memory(server: Server) -> list[tuple[str, float, float, float]]:
    """(role, RSS, USS, PSS) in MB of the server process and its children."""
    assert server.proc is not None
    root = psutil.Process(server.proc.pid)
    out = []
    for role, process in (("main", root), *(("worker", c) for c in root.children(True))):
        try:
            info = process.memory_full_info()
        except psutil.Error:
            continue
        out.append((role, info.rss / 2**20, info.uss / 2**20, info.pss / 2**20))
    return out


def load(kind: str, clients: int, duration: int, work: Path,
         reference: bool = False, workers: int = 1) -> LoadResult:
    catalog = ensure_catalog(kind)
    paths_by_kind = mix(examples(catalog), MIX_SIZE)
    paths = [p for _, p in paths_by_kind]
    use_wrk = shutil.which("wrk") is not None
    result = LoadResult(kind, "wrk" if use_wrk else "asyncio/httpx",
                        server="reference" if reference else "filmoteca", workers=workers)
    server = (reference_server(catalog) if reference
              else filmoteca_server(catalog, workers=workers))
    assert server is not None
    with server:
        server.start(work / f"server-{kind}-{result.server}-{workers}.log")
        server.wait_ready()
        if reference:
            # Asking each distinct path once would take minutes (TF-IDF per recommendation):
            # the reference is judged on 5xx and connection errors only.
            result.expected = Counter({200: 1, 404: 1, 422: 1})
        else:
            with httpx.Client(base_url=server.base, timeout=30) as client:
                status_of = {p: client.get(p).status_code for p in dict.fromkeys(paths)}
            result.expected = Counter(status_of[p] for p in paths)  # also warms paths up
        time.sleep(0.5)
        result.rss_before = server.rss_mb()
        sampler = RssSampler(server)
        sampler.start()
        raw = (run_wrk(server, paths, clients, duration, work) if use_wrk
               else asyncio.run(_asyncio_load(server.base, paths, clients, duration)))
        result.rss_peak = max(sampler.stop(), result.rss_before)
        time.sleep(0.5)
        result.rss_after = server.rss_mb()
        result.rss_peak = max(result.rss_peak, result.rss_after)
        result.processes = memory(server)
    assert server.log is not None
    result.server_tracebacks = server.log.read_text(errors="replace").count("Traceback")
    result.requests = int(raw["requests"])
    result.seconds = raw["duration_us"] / 1e6
    result.p50_ms, result.p99_ms = raw["p50_us"] / 1e3, raw["p99_us"] / 1e3
    result.max_ms = raw["max_us"] / 1e3
    result.statuses = Counter({int(k): int(v) for k, v in raw["statuses"].items()})
    result.connection_errors = sum(raw["errors"].values())
    print(f"  {kind} {result.server} x{workers}: {result.requests:,} requests, "
          f"{result.requests / result.seconds:,.0f}/s, "
          f"p99 {result.p99_ms:.1f} ms, statuses {dict(result.statuses)}, "
          f"connection errors {result.connection_errors}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (max 600)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent connections")
    parser.add_argument("--catalogs", default="synthetic", help="sample and/or synthetic")
    parser.add_argument("--reference", action="store_true",
                        help="also load the reference course-style app, same mix and time")
    parser.add_argument("--workers", default="1",
                        help="worker counts of filmoteca to load, e.g. 1,2 (scale-out)")
    parser.add_argument("--report", default="load.md", help="file name in reports/benchmarks/")
    args = parser.parse_args()
    duration = max(1, min(args.duration, 600))
    load_before = os.getloadavg()
    counts = [int(n) for n in args.workers.split(",")]

    with tempfile.TemporaryDirectory(prefix="filmoteca-load-") as tmp:
        results = []
        for kind in args.catalogs.split(","):
            for workers in counts:
                results.append(load(kind, args.clients, duration, Path(tmp), workers=workers))
            if args.reference and REFERENCE.exists():
                results.append(load(kind, args.clients, duration, Path(tmp), reference=True))
    load_after = os.getloadavg()

    def share(counts: Counter[int]) -> str:
        total = sum(counts.values()) or 1
        return ", ".join(f"{code}: {n / total:.1%}" for code, n in sorted(counts.items()))

    rows = [[label(r.catalog), f"{r.server}" + (f" x{r.workers}" if r.workers > 1 else ""),
             r.client, r.requests, r.requests / r.seconds, r.p50_ms,
             r.p99_ms, r.max_ms, r.server_errors, r.connection_errors, r.unexpected,
             r.statuses.get(404, 0), r.rss_before, r.rss_peak, r.rss_after,
             f"{(r.rss_peak - r.rss_before) / r.rss_before:+.1%}"] for r in results]
    mixes = [[label(r.catalog), r.server, share(r.statuses),
              share(r.expected) if r.server == "filmoteca" else "not asked (see above)",
              r.server_tracebacks] for r in results]
    verdicts, ratios = [], []
    for r in results:
        if r.server != "filmoteca":
            ours = next(o for o in results if o.server == "filmoteca" and o.catalog == r.catalog
                        and o.workers == counts[0])
            ratios.append(
                f"- {label(r.catalog)}: filmoteca serves "
                f"{ours.requests / max(r.requests, 1):,.0f}x the requests of the reference app "
                f"in the same time (p99 "
                f"{r.p99_ms / max(ours.p99_ms, 1e-9):,.1f}x lower); the reference had "
                f"{r.server_errors} 5xx and {r.connection_errors} connection errors/timeouts "
                f"and peaked at {r.rss_peak:,.0f} MB."
            )
            continue
        growth = (r.rss_peak - r.rss_before) / r.rss_before
        errors = r.server_errors + r.connection_errors + r.unexpected + r.server_tracebacks
        verdicts.append(
            f"- {label(r.catalog)}, {r.workers} worker(s): {errors} errors (target 0: "
            f"{'met' if errors == 0 else 'MISSED'}); RSS growth {growth:+.1%} "
            f"(target < {GROWTH_TARGET:.0%}: {'met' if growth < GROWTH_TARGET else 'MISSED'})."
        )

    scale: list[list[object]] = []
    for r in results:
        if r.server != "filmoteca":
            continue
        one = next((o for o in results if o.server == "filmoteca" and o.catalog == r.catalog
                    and o.workers == 1), None)
        pss = sum(p[3] for p in r.processes)
        added = (f"{pss - sum(p[3] for p in one.processes):+.1f}"
                 if one is not None and r.workers > 1 else "")
        speed = (f"{(r.requests / r.seconds) / (one.requests / one.seconds):.2f}x"
                 if one is not None else "")
        scale.append([label(r.catalog), r.workers, r.requests / r.seconds, speed,
                      len(r.processes), sum(p[1] for p in r.processes),
                      ", ".join(f"{p[2]:.0f}" for p in r.processes), pss, added])

    text = "\n".join([
        "# Load test",
        "",
        f"Machine: {machine()}; load average before the run: "
        f"{', '.join(f'{x:.1f}' for x in load_before)}, after "
        f"{', '.join(f'{x:.1f}' for x in load_after)} (the 2 cores are shared: the wrk "
        "client runs beside the server, and other work may run on the machine). "
        f"Command: `python benchmarks/load.py --duration {duration} --clients {args.clients} "
        f"--catalogs {args.catalogs}{' --reference' if args.reference else ''} "
        f"--workers {args.workers}`.",
        "SYNTHETIC catalogs are `filmoteca synth --films N --seed 0`; the 45,466-film one is "
        "the size of the full Kaggle catalog. `filmoteca serve` runs on 127.0.0.1 with one "
        "uvicorn worker unless the row says xN (`--workers N`).",
        "",
        table(["catalog", "server", "client", "requests", "requests/s", "p50 ms", "p99 ms",
               "max ms", "5xx", "connection errors", "unexpected statuses", "404 (expected)",
               "RSS before MB", "RSS peak MB", "RSS after MB", "RSS growth (peak)"], rows),
        "",
        f"{args.clients} closed-loop clients without think time for {duration} s: latencies "
        "include the queue at the single server process (saturation), not one request's "
        "cost. Errors = 5xx + connection errors (connect, read, write, timeout) + statuses "
        "that no path of the mix returned when asked once before the load + tracebacks in "
        "the server log. 404s answer the deliberate misses and typos (with suggestions).",
        "",
        "## Status mix: under load vs each path asked once before the load",
        "",
        table(["catalog", "server", "under load", "pre-flight (expected)",
               "tracebacks in server log"], mixes),
        "",
        "## Verdict",
        "",
        *verdicts,
        "",
        "## Scale-out: worker processes on this machine",
        "",
        table(["catalog", "workers", "requests/s", "vs 1 worker", "processes",
               "RSS summed MB", "USS per process MB", "PSS summed MB",
               "PSS added vs 1 worker MB"], scale),
        "",
        "With N workers uvicorn adds a supervisor process (the first USS). RSS counts "
        "shared pages once per process (the mapped catalog, the interpreter's libraries); "
        "PSS divides them among the processes sharing them, so the summed PSS is the "
        "memory the set of processes really occupies. On 2 cores, with the load generator "
        "on the same cores, a second worker can at most use what wrk leaves.",
        "",
        "## Against the reference course-style app",
        "",
        *(ratios or ["- not measured (run with `--reference`; benchmarks/reference_app.py: "
                     "pandas filtering per request, TF-IDF fitted per recommendation)."]),
        "",
    ])
    write_report(args.report, text)


if __name__ == "__main__":
    main()
