"""API latency and throughput per endpoint: Filmoteca vs the reference course approach.

For each catalog (the real sample, 2,993 films; SYNTHETIC catalogs generated from it, as
labelled everywhere), three servers run alone, one after the other, as subprocesses on
127.0.0.1: ``filmoteca serve`` as deployed (its response cache on), ``filmoteca serve`` with
the response cache off (``FILMOTECA_RESPONSE_CACHE=0``: every answer computed), and
``benchmarks/reference_app.py`` (pandas filtering of the whole table per request, TF-IDF
fitted per request). Per endpoint, one client on one keep-alive connection sends requests
back to back (cycling through up to 200 real names of the catalog), up to ``--requests``
requests or ``--seconds`` seconds, after an uncounted warm-up; then ``wrk`` measures the
requests/s the server process sustains on the same targets.

Rows: ``/health``, each endpoint, a title typo (404 with suggestions), and the *six-question
mix* (the six catalog questions interleaved, each with its own names).

Measured per endpoint and server:

- latency *at the server*: the ``Server-Timing: app;dur=`` header every app adds (from the
  request reaching the app to the response headers, body already serialized), p50 and p99;
- throughput: requests/s with ``wrk`` (1 thread, ``--connections`` keep-alive connections,
  ``--seconds`` seconds; without wrk, the sequential client's rate);
- the ratio to the same server's ``/health`` requests/s, and to the reference's requests/s;
- statuses (every hit must be 200; the typo row 404; any 5xx is an error).

Targets (issue 12): every question endpoint at >= 80% of the same server's ``/health``
requests/s; the six-question mix at >= 15x the reference; p99 at the server under 5 ms.

Designs (``--designs``, at 45,466 SYNTHETIC films): how the API answers, each measured
cached and uncached against its own ``/health`` in the same run: the routes answered directly
(:mod:`filmoteca.api.direct`, as deployed), the plain FastAPI app behind the same response
cache (``benchmarks/_variants.py --design fastapi``), and the earlier hand-written fast path,
run from a checkout of the commit that had it (``--before DIR``); plus each design's CPU
from process start to its first answer.

Usage: python benchmarks/api.py [--requests 2000] [--seconds 5] [--connections 8]
       [--catalogs sample,synthetic] [--no-reference] [--designs] [--before DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil

from _common import ROOT, ensure_catalog, label, machine, table, write_report
from _server import Examples, Server, examples, filmoteca_server, free_port, path, typo

REFERENCE = ROOT / "benchmarks" / "reference_app.py"
P99_TARGET_MS, MIX_TARGET, HEALTH_SHARE_TARGET = 5.0, 15.0, 0.80
WARMUP = 30
QUESTIONS = ("/peliculas_idioma", "/peliculas_duracion", "/franquicia", "/peliculas_pais",
             "/productoras_exitosas", "/get_director")
MIX = "six-question mix"
#: Alternations of a row with /health when measuring the row's share of /health.
ROUNDS = 3
#: Endpoints slower than this (median at the client) are measured sequentially only.
SLOW_MS = 100.0
NAMES_PER_ENDPOINT = 200
_TIMING = re.compile(rb"server-timing: app;dur=([0-9.]+)", re.IGNORECASE)
_LENGTH = re.compile(rb"content-length: (\d+)", re.IGNORECASE)


class RawClient:
    """Minimal blocking HTTP/1.1 keep-alive client (GET only, Content-Length bodies)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def get(self, target: str) -> tuple[int, float | None, bytes]:
        """(status, server ms from Server-Timing or None, body)."""
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("ascii"))
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length_match = _LENGTH.search(head)
        length = int(length_match.group(1)) if length_match else 0
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            rest += chunk
        self.buffer = rest[length:]
        timing = _TIMING.search(head)
        return status, float(timing.group(1)) if timing else None, rest[:length]

    def close(self) -> None:
        self.sock.close()


def endpoint_paths(ex: Examples) -> dict[str, tuple[list[str], int]]:
    """Endpoint label -> (request targets to cycle through, expected status)."""
    rng = random.Random(0)
    n = NAMES_PER_ENDPOINT

    def words(title: str) -> str:
        found = [w for w in title.split() if len(w) >= 3 and w.isalnum()]
        return found[0].lower() if found else title[:3].lower()

    return {
        "/health": (["/health"], 200),
        "/peliculas_idioma": ([path("peliculas_idioma", x) for x in ex.languages[:n]], 200),
        "/peliculas_duracion": ([path("peliculas_duracion", x) for x in ex.titles[:n]], 200),
        "/franquicia": ([path("franquicia", x) for x in ex.collections[:n]], 200),
        "/peliculas_pais": ([path("peliculas_pais", x) for x in ex.countries[:n]], 200),
        "/productoras_exitosas": (
            [path("productoras_exitosas", x) for x in ex.companies[:n]], 200),
        "/get_director": ([path("get_director", x) for x in ex.directors[:n]], 200),
        "/recomendacion": ([path("recomendacion", x) for x in ex.titles[:n]], 200),
        "/buscar": ([f"/buscar?q={quote(words(x))}&limite=10" for x in ex.titles[:n]], 200),
        "title typo -> 404 + suggestions": (
            [path("peliculas_duracion", typo(x, rng) + "q") for x in ex.titles[:n]], 404),
    }


def steer_paths(ex: Examples) -> dict[str, tuple[list[str], int]]:
    """Issue 23's rows: the same titles as /recomendacion, with filters that the stored
    neighbours rarely satisfy (so the wider search runs), several films, a film's page."""
    titles = ex.titles[:NAMES_PER_ENDPOINT]
    several = [f"/recomendacion?titulo={quote(a)}&titulo={quote(b)}"
               for a, b in zip(titles, titles[1:] + titles[:1], strict=True)]
    return {
        "/health": (["/health"], 200),
        "/recomendacion": ([path("recomendacion", t) for t in titles], 200),
        "/recomendacion ?idioma=fr": (
            [path("recomendacion", t) + "?idioma=fr" for t in titles], 200),
        "/recomendacion ?genero=Western&anio_hasta=1960": (
            [path("recomendacion", t) + "?genero=Western&anio_hasta=1960" for t in titles],
            200),
        "/recomendacion?titulo=A&titulo=B": (several, 200),
        "/recomendacion?titulo=A&titulo=B&anio_desde=2010": (
            [target + "&anio_desde=2010" for target in several], 200),
        "/buscar_descripcion ?genero=Comedia": (
            [f"/buscar_descripcion?q={quote(t)}&genero=Comedia" for t in titles], 200),
        "/pelicula/{id}": ([f"/pelicula/{i}" for i in ex.film_ids[:NAMES_PER_ENDPOINT]], 200),
    }


def steer_section(kind: str, plan: dict[str, tuple[list[str], int]], run: ServerRun) -> str:
    """p50/p99 at the server of issue 23's rows, uncached, against plain /recomendacion."""
    base = run.rows["/recomendacion"]
    rows = []
    for name in plan:
        row = run.rows[name]
        rows.append([name, Row.pct(row.server_ms, 50), Row.pct(row.server_ms, 99),
                     f"{Row.pct(row.server_ms, 99) / max(Row.pct(base.server_ms, 99), 1e-9):.1f}"
                     "x",
                     row.rps, ", ".join(f"{k}: {v}" for k, v in sorted(row.statuses.items()))])
    return "\n".join([
        f"## Filters, several films, a film's page: {label(kind)}, uncached",
        "",
        "`filmoteca serve` with `FILMOTECA_RESPONSE_CACHE=0` (every answer computed). The "
        "filters are chosen so that the stored neighbours rarely pass them (a French film, a "
        "Western before 1960, from 2010 on) and the wider search over every film runs. "
        "Target (issue 23): p99 at the server under 25 ms at 45,466 SYNTHETIC films.",
        "",
        table(["row", "p50 ms at the server", "p99 ms at the server",
               "p99 vs /recomendacion", "req/s", "statuses"], rows),
        "",
    ])


WRK_SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""
_WRK_RPS = re.compile(r"Requests/sec:\s+([0-9.]+)")
_WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def run_wrk(port: int, targets: list[str], connections: int, seconds: float,
            work: Path) -> tuple[float, int]:
    """(requests/s, non-2xx responses) from wrk, 1 thread, keep-alive connections."""
    script = work / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{t}"' for t in targets))
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
         "--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout
    rps = _WRK_RPS.search(out)
    non2xx = _WRK_NON2XX.search(out)
    return (float(rps.group(1)) if rps else 0.0), int(non2xx.group(1)) if non2xx else 0


@dataclass
class Row:
    wrk_rps: float | None = None
    #: wrk requests/s of /health on the same server, measured right after this row's
    #: (paired: both see the same load of the shared machine).
    health_rps: float | None = None
    count: int = 0
    seconds: float = 0.0
    client_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def rps(self) -> float:
        if self.wrk_rps:  # None without wrk; 0.0 when no request finished within the run
            return self.wrk_rps
        return self.count / self.seconds if self.seconds else 0.0

    @staticmethod
    def pct(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_endpoint(client: RawClient, targets: list[str], requests: int, seconds: float,
                 warmup: int) -> Row:
    for i in range(min(warmup, requests)):
        client.get(targets[i % len(targets)])
    row = Row()
    start = time.perf_counter()
    deadline = start + seconds
    i = 0
    while i < requests and (i < 3 or time.perf_counter() < deadline):
        t0 = time.perf_counter()
        status, server, _ = client.get(targets[i % len(targets)])
        row.client_ms.append((time.perf_counter() - t0) * 1000)
        if server is not None:
            row.server_ms.append(server)
        row.statuses[status] += 1
        i += 1
    row.count, row.seconds = i, time.perf_counter() - start
    return row


@dataclass
class ServerRun:
    name: str
    cold_start_s: float
    rss_mb: float
    rows: dict[str, Row]


def measure(server: Server, plan: dict[str, tuple[list[str], int]], requests: int,
            seconds: float, warmup: int, connections: int, log: Path,
            paired: bool = False) -> ServerRun:
    use_wrk = shutil.which("wrk") is not None
    with server.start(log):
        cold = server.wait_ready("/health")
        rows = {}
        for label, (targets, _expected) in plan.items():
            # A fresh connection per endpoint: the server closes idle keep-alive
            # connections (uvicorn: after 5 s) while wrk runs.
            client = RawClient(server.port)
            try:
                rows[label] = run_endpoint(client, targets, requests, seconds, warmup)
            finally:
                client.close()
            r = rows[label]
            # wrk only where requests are fast: on a slow endpoint (seconds per request) the
            # sequential rate is exact, and wrk would leave a backlog of abandoned requests
            # that the server keeps working on during the next endpoint's measurement.
            if use_wrk and Row.pct(r.client_ms, 50) < SLOW_MS:
                if paired and label != "/health":
                    # Alternate the row and /health (ROUNDS times each, seconds / ROUNDS
                    # each): both see the same load of the shared machine.
                    row_rps, health_rps = [], []
                    for _ in range(ROUNDS):
                        for wanted, out in ((targets, row_rps), (["/health"], health_rps)):
                            out.append(run_wrk(server.port, wanted, connections,
                                               seconds / ROUNDS, log.parent)[0])
                            wait_idle(server)
                    r.wrk_rps = statistics.fmean(row_rps)
                    r.health_rps = statistics.fmean(health_rps)
                else:
                    r.wrk_rps, _ = run_wrk(server.port, targets, connections, seconds,
                                           log.parent)
                    wait_idle(server)
            print(f"  {server.name:10s} {label:34s} {r.count:6d} req  "
                  f"p50 {Row.pct(r.server_ms, 50):8.3f} ms  "
                  f"p99 {Row.pct(r.server_ms, 99):8.3f} ms  {r.rps:9.1f} req/s  "
                  f"{dict(r.statuses)}", flush=True)
        rss = server.rss_mb()
    return ServerRun(server.name, cold, rss, rows)


def wait_idle(server: Server, timeout: float = 60.0) -> None:
    """Wait until the server process has used (almost) no CPU for half a second."""
    assert server.proc is not None
    process = psutil.Process(server.proc.pid)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        before = process.cpu_times()
        time.sleep(0.5)
        after = process.cpu_times()
        if (after.user + after.system) - (before.user + before.system) < 0.025:
            return


def http_stack() -> str:
    """Which HTTP implementation uvicorn picks ("auto"): httptools/uvloop if installed."""
    found = []
    for module, fallback in (("httptools", "h11"), ("uvloop", "asyncio")):
        try:
            __import__(module)
            found.append(module)
        except ImportError:
            found.append(f"{fallback} ({module} not installed)")
    return ", ".join(found)


VARIANTS = ROOT / "benchmarks" / "_variants.py"


def before_catalog(before: Path, kind: str) -> Path:
    """The same raw files built by the earlier checkout (its own index format), once."""
    catalog = ROOT / "data" / "processed" / f"before-{kind}" / "catalog"
    if not (catalog / "manifest.json").is_file():
        raw = ensure_catalog(kind)  # the raw files the current build read
        origin = json.loads((raw / "manifest.json").read_text())["origin"]
        subprocess.run([sys.executable, "-m", "filmoteca.cli", "build", "--raw", origin,
                        "--catalog", str(catalog)], check=True,
                       env={**os.environ, "PYTHONPATH": str(before / "src")})
    return catalog


def design_servers(catalog: Path, before: Path | None,
                   old_catalog: Path | None = None) -> list[tuple[str, Server]]:
    """The API designs compared, each cached and uncached (see the module docstring);
    ``old_catalog``: the catalog the earlier checkout built."""
    off = {"FILMOTECA_RESPONSE_CACHE": "0"}
    out = []
    for design in ("direct", "fastapi"):
        for cache, env in (("cached", {}), ("uncached", off)):
            port = free_port()
            out.append((f"{design}, {cache}", Server(
                f"{design}-{cache}", [sys.executable, str(VARIANTS), "--design", design,
                                      "--catalog", str(catalog.resolve()), "--port",
                                      str(port)], env, port)))
    if before is not None:
        for cache, env in (("cached", {}), ("uncached", off)):
            port = free_port()
            out.append((f"before: fast path, {cache}", Server(
                f"before-{cache}", [sys.executable, "-m", "filmoteca.launch", "serve",
                                    "--host", "127.0.0.1", "--port", str(port)],
                {**env, "PYTHONPATH": str(before / "src"),
                 "FILMOTECA_CATALOG_DIR": str((old_catalog or catalog).resolve())}, port)))
    return out


def first_answer_cpu(server: Server, target: str, log: Path, repeat: int = 3) -> float:
    """Median CPU seconds (user + sys) of a fresh server process from spawn to its first
    answer to ``target``."""
    values = []
    for _ in range(repeat):
        with server.start(log):
            server.wait_ready(target, any_answer=True)
            assert server.proc is not None
            times = psutil.Process(server.proc.pid).cpu_times()
            values.append(times.user + times.system)
        wait = time.perf_counter() + 2
        while server.proc is not None and server.proc.poll() is None and \
                time.perf_counter() < wait:
            time.sleep(0.05)
    return statistics.median(values)


def designs_section(kind: str, plan: dict[str, tuple[list[str], int]],
                    runs: dict[str, ServerRun], cpu: dict[str, float]) -> str:
    names = list(runs)
    rows = []
    for row_name in plan:
        row: list[object] = [row_name]
        for name in names:
            run = runs[name]
            row += [run.rows[row_name].rps, f"{health_share(run, row_name):.0%}",
                    Row.pct(run.rows[row_name].server_ms, 99)]
        rows.append(row)
    headers = ["endpoint"]
    for name in names:
        headers += [f"req/s ({name})", f"vs /health ({name})", f"p99 ms ({name})"]
    lines = [
        f"## API designs, {label(kind)}",
        "",
        "Each design alone on the same catalog, in one run (the module docstring says how "
        "each runs). CPU from process start to the first answer of "
        "`/peliculas_idioma/inglés` (median of 3 fresh processes) and RSS after the run:",
        "",
        table(["design", "CPU to first answer (s)", "RSS after the run (MB)"],
              [[name, cpu[name], runs[name].rss_mb] for name in names]),
        "",
        table(headers, rows),
        "",
    ]
    return "\n".join(lines)


def reference_server(catalog: Path) -> Server:
    port = free_port()
    return Server("reference", [sys.executable, str(REFERENCE), "--catalog",
                                str(catalog.resolve()), "--host", "127.0.0.1",
                                "--port", str(port)], {}, port)


def plan_with_mix(ex: Examples) -> dict[str, tuple[list[str], int]]:
    plan = endpoint_paths(ex)
    questions = [plan[name][0] for name in QUESTIONS]
    longest = max(len(targets) for targets in questions)
    plan[MIX] = ([targets[i % len(targets)] for i in range(longest) for targets in questions],
                 200)
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000,
                        help="most requests per endpoint and server (latency phase)")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="most seconds per endpoint and server, for each phase")
    parser.add_argument("--connections", type=int, default=8,
                        help="wrk keep-alive connections (throughput phase)")
    parser.add_argument("--catalogs", default="sample,synthetic")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--report", default="api.md", help="file name in reports/benchmarks/")
    parser.add_argument("--no-granian", dest="granian", action="store_false",
                        help="skip the granian server (compared with uvicorn, cached)")
    parser.add_argument("--designs", action="store_true",
                        help="compare the API designs at 45,466 SYNTHETIC films (see above)")
    parser.add_argument("--before", type=Path, default=None,
                        help="checkout of the commit with the earlier fast path, for --designs")
    parser.add_argument("--designs-only", action="store_true",
                        help="only the designs comparison (with --designs)")
    args = parser.parse_args()
    if args.granian and importlib.util.find_spec("granian") is None:
        print("granian is not installed (pip install -e '.[bench]'): not compared")
        args.granian = False

    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    sections: list[str] = []
    verdicts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="filmoteca-api-bench-") as tmp:
        try:
            if args.designs:
                kind = "synthetic"
                catalog = ensure_catalog(kind)
                plan = plan_with_mix(examples(catalog))
                design_runs, cpu = {}, {}
                old = before_catalog(args.before, kind) if args.before is not None else None
                for name, server in design_servers(catalog, args.before, old):
                    log = Path(tmp) / f"{server.name}.log"
                    cpu[name] = first_answer_cpu(server, path("peliculas_idioma", "inglés"), log)
                    design_runs[name] = measure(server, plan, args.requests, args.seconds, WARMUP,
                                                args.connections, log, paired=True)
                sections.append(designs_section(kind, plan, design_runs, cpu))
            for kind in ([] if args.designs_only else args.catalogs.split(",")):
                catalog = ensure_catalog(kind)
                plan = plan_with_mix(examples(catalog))
                print(f"{label(kind)}: {catalog}", flush=True)
                runs = {}
                servers = [("cached", {}, "uvicorn"),
                           ("uncached", {"FILMOTECA_RESPONSE_CACHE": "0"}, "uvicorn")]
                if args.granian:
                    servers.append(("granian", {}, "granian"))
                for name, env, http in servers:
                    runs[name] = measure(
                        filmoteca_server(catalog, name=name, env=env, http_server=http), plan,
                        args.requests, args.seconds, WARMUP, args.connections,
                        Path(tmp) / f"{name}-{kind}.log", paired=True)
                ref = None
                if not args.no_reference:
                    ref = measure(reference_server(catalog), plan, args.requests, args.seconds,
                                  1, args.connections, Path(tmp) / f"reference-{kind}.log")
                sections.append(section(kind, plan, runs["cached"], runs["uncached"], ref,
                                        verdicts))
                if "granian" in runs:
                    sections.append(servers_section(kind, plan, runs["cached"], runs["granian"],
                                                    ref))
                steer = steer_paths(examples(catalog))
                sections.append(steer_section(kind, steer, measure(
                    filmoteca_server(catalog, name="steer", env={"FILMOTECA_RESPONSE_CACHE": "0"}),
                    steer, args.requests, args.seconds, WARMUP, args.connections,
                    Path(tmp) / f"steer-{kind}.log", paired=True)))
        except Exception as exc:
            sections.append(f"**The run stopped here:** {type(exc).__name__}: {exc}")
            verdicts.append("- The run stopped before its end (last section).")
    load_after = ", ".join(f"{x:.1f}" for x in os.getloadavg())

    text = "\n".join([
        "# API latency and throughput",
        "",
        f"Machine: {machine()}; load average before the run {load_before}, after "
        f"{load_after} (2 cores shared with other work: ratios measured in one run are "
        "meaningful, absolute numbers less so). Command: "
        f"`python benchmarks/api.py --requests {args.requests} --seconds {args.seconds:g} "
        f"--connections {args.connections} --catalogs {args.catalogs}`. HTTP stack: "
        f"uvicorn, {http_stack()}.",
        "",
        "Three servers per catalog, each alone: `filmoteca serve` as deployed (*cached*: "
        "its HTTP layer, `api/cache.py`, keeps answers as bytes in an LRU by request "
        "target), `filmoteca serve` with `FILMOTECA_RESPONSE_CACHE=0` (*uncached*: every "
        "answer computed by the services), and the reference "
        "(`benchmarks/reference_app.py`, the usual course approach: pandas filtering of the "
        "whole table per request, `str.contains` on "
        "titles, TF-IDF fitted per recommendation; uvicorn + FastAPI). Each row cycles "
        "through up to 200 real names of the catalog (the most voted titles, the largest "
        "companies...): one sequential keep-alive client first (latency at the server, from "
        "the `Server-Timing` header every app adds), then `wrk` (1 thread, "
        "`--connections` connections) for requests/s. **How the cached figures relate to "
        "the cache:** every target is asked during the warm-up and the latency phase "
        "before `wrk` runs, so every `wrk` request of the cached server is a cache hit; the "
        "uncached server computes every answer. *vs /health* = the row's requests/s / the "
        "same server's `/health` requests/s, both measured by `wrk` in alternation (row, "
        f"/health, {ROUNDS} times, `--seconds` / {ROUNDS} each, means compared), so that "
        "both see the same load of the shared machine. *vs ref.* = requests/s / "
        "the reference's "
        "requests/s on the same row. SYNTHETIC catalogs are `filmoteca synth --films N "
        "--seed 0` (resampled from the real sample).",
        "",
        "## Verdict",
        "",
        *verdicts,
        "",
        *sections,
    ])
    write_report(args.report, text)


def servers_section(kind: str, plan: dict[str, tuple[list[str], int]], uvicorn: ServerRun,
                    granian: ServerRun, ref: ServerRun | None) -> str:
    """uvicorn vs granian, both running `filmoteca serve` with the cache on."""
    rows = []
    for name in plan:
        a, g = uvicorn.rows[name], granian.rows[name]
        row: list[object] = [name, a.rps, g.rps, _ratio(g.rps, a.rps, 2),
                             f"{health_share(uvicorn, name):.0%}",
                             f"{health_share(granian, name):.0%}",
                             Row.pct(g.server_ms, 99)]
        if ref is not None:
            row.append(_ratio(g.rps, ref.rows[name].rps))
        rows.append(row)
    headers = ["endpoint", "req/s uvicorn", "req/s granian", "granian / uvicorn",
               "vs /health (uvicorn)", "vs /health (granian)", "server p99 ms (granian)"]
    if ref is not None:
        headers.append("granian vs ref.")
    return "\n".join([
        f"### {label(kind)}: HTTP server, uvicorn (httptools, uvloop) vs granian",
        "",
        "`filmoteca serve` (cache on) and `filmoteca serve --server granian` (granian 2, "
        "one worker process under its supervisor, uvloop), same targets, same run. RSS "
        f"after the run: uvicorn {uvicorn.rss_mb:.0f} MB (one process), granian "
        f"{granian.rss_mb:.0f} MB (supervisor + worker).",
        "",
        table(headers, rows),
        "",
    ])


def health_share(run: ServerRun, name: str) -> float:
    """A row's requests/s over the same server's /health requests/s measured in alternation
    with it (the first /health row when there is no paired measurement)."""
    row = run.rows[name]
    health = row.health_rps or run.rows["/health"].rps
    return row.rps / health if health else float("nan")


def _ratio(a: float, b: float, digits: int = 0) -> str:
    return f"{a / b:,.{digits}f}x" if b else "n/a"


def section(kind: str, plan: dict[str, tuple[list[str], int]], cached: ServerRun,
            uncached: ServerRun, ref: ServerRun | None, verdicts: list[str]) -> str:
    rows = []
    for name, (_targets, expected) in plan.items():
        a, u = cached.rows[name], uncached.rows[name]
        bad = sum(v for run in (a, u) for k, v in run.statuses.items() if k != expected)
        errors = sum(v for run in (a, u) for k, v in run.statuses.items() if k >= 500)
        row: list[object] = [
            name, Row.pct(a.server_ms, 50), Row.pct(a.server_ms, 99),
            Row.pct(u.server_ms, 50), Row.pct(u.server_ms, 99), a.rps,
            f"{health_share(cached, name):.0%}", u.rps, f"{health_share(uncached, name):.0%}",
            f"{errors} / {bad}",
        ]
        if ref is not None:
            b = ref.rows[name]
            row += [Row.pct(b.server_ms, 50), b.rps, f"**{_ratio(a.rps, b.rps)}**",
                    _ratio(u.rps, b.rps)]
        rows.append(row)
    headers = ["endpoint", "server p50 ms (cached)", "server p99 ms (cached)",
               "server p50 ms (uncached)", "server p99 ms (uncached)", "req/s (cached)",
               "vs /health (cached)", "req/s (uncached)", "vs /health (uncached)",
               "5xx / unexpected status"]
    if ref is not None:
        headers += ["ref. server p50 ms", "ref. req/s", "vs ref. (cached)", "vs ref. (uncached)"]

    questions = [n for n in plan if n != "/health" and n != MIX and "typo" not in n]
    share = {run.name: min(health_share(run, n) for n in questions)
             for run in (cached, uncached)}
    worst_p99 = max(Row.pct(r.server_ms, 99) for run in (cached, uncached)
                    for r in run.rows.values())
    line = (f"- {label(kind)}: slowest question endpoint at {share['cached']:.0%} of "
            f"/health's requests/s cached, {share['uncached']:.0%} uncached (target >= "
            f"{HEALTH_SHARE_TARGET:.0%}: cached "
            f"{'met' if share['cached'] >= HEALTH_SHARE_TARGET else 'MISSED'}, uncached "
            f"{'met' if share['uncached'] >= HEALTH_SHARE_TARGET else 'MISSED'}); worst p99 "
            f"at the server {worst_p99:.2f} ms (target < {P99_TARGET_MS:g} ms: "
            f"{'met' if worst_p99 < P99_TARGET_MS else 'MISSED'})")
    if ref is not None:
        mix_c = cached.rows[MIX].rps / ref.rows[MIX].rps
        mix_u = uncached.rows[MIX].rps / ref.rows[MIX].rps
        line += (f"; six-question mix {mix_c:,.0f}x the reference cached, {mix_u:,.0f}x "
                 f"uncached (target >= {MIX_TARGET:g}x: cached "
                 f"{'met' if mix_c >= MIX_TARGET else 'MISSED'}, uncached "
                 f"{'met' if mix_u >= MIX_TARGET else 'MISSED'})")
    verdicts.append(line + ".")
    lines = [
        f"## {label(kind)}",
        "",
        f"Filmoteca: cold start (spawn -> first 200 on /health) "
        f"{cached.cold_start_s:.2f} s; RSS after the run {cached.rss_mb:.0f} MB cached, "
        f"{uncached.rss_mb:.0f} MB uncached.",
    ]
    if ref is not None:
        lines.append(f"Reference: cold start {ref.cold_start_s:.2f} s, RSS after the run "
                     f"{ref.rss_mb:.0f} MB.")
    lines += ["", table(headers, rows), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
