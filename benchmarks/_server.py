"""Helpers shared by the serving benchmarks (serve.py, load.py): start and stop a server
process on 127.0.0.1, read its resident memory, list the heavy libraries it loaded, and pick
real example questions from a built catalog.

Every server is a subprocess started here and stopped here (SIGTERM to its own session,
SIGKILL if it lingers); all traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil

from _common import ROOT

sys.path.insert(0, str(ROOT / "scripts"))  # devserver: child servers, shared with the tests
from devserver import free_port, stop, wait_until_ready

__all__ = ["free_port"]  # re-exported for api.py and serve.py

#: Build-time libraries the serving process should not load (issue 7).
HEAVY = ("pandas", "numpy", "sklearn", "scipy", "pyarrow")
#: Serving processes must answer within this bound, or the benchmark gives up.
START_TIMEOUT = 60.0


def filmoteca_command(port: int) -> list[str]:
    """``filmoteca serve`` exactly as a user runs it (the console script of this venv)."""
    script = Path(sys.executable).with_name("filmoteca")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "filmoteca.cli"]
    return [*program, "serve", "--host", "127.0.0.1", "--port", str(port)]


@dataclass
class Server:
    """A server subprocess; ``started`` is the perf_counter just before it was spawned."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    log: Path | None = None
    _log_handle: Any = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log: Path) -> Server:
        self.log = log
        self._log_handle = log.open("wb")
        env = {**os.environ, **self.env}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=self._log_handle,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, path: str = "/health", timeout: float = START_TIMEOUT,
                   any_answer: bool = False) -> float:
        """Poll ``path`` until 200 (or, with ``any_answer``, any status below 500); seconds
        from spawn to that first answer."""
        assert self.proc is not None
        log = self.log
        wait_until_ready(
            self.base + path, self.proc, timeout=timeout,
            ready=lambda status: status == 200 or (any_answer and status < 500),
            output=(lambda: log.read_text(errors="replace")) if log else None, poll=0.005,
        )
        return time.perf_counter() - self.started

    def rss_mb(self) -> float:
        """Resident memory of the server process and any children it spawned."""
        assert self.proc is not None
        process = psutil.Process(self.proc.pid)
        total = process.memory_info().rss
        total += sum(child.memory_info().rss for child in process.children(recursive=True))
        return total / 2**20

    def peak_rss_mb(self) -> float:
        """High-water mark of the resident memory (VmHWM): includes the transient peak
        while the catalog is parsed at start-up, which a later RSS reading misses."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return self.rss_mb()

    def rss_parts_mb(self) -> tuple[float, float]:
        """(anonymous, file-backed) resident memory of the server process (RssAnon and
        RssFile + RssShmem in /proc/PID/status): file-backed pages (the mapped catalog, the
        libraries) are shared with other processes and can be dropped and re-read by the
        kernel under memory pressure; anonymous ones (Python objects) cannot."""
        assert self.proc is not None
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile", "RssShmem"):
                fields[name] = int(value.split()[0]) / 1024
        return fields.get("RssAnon", 0.0), fields.get("RssFile", 0.0) + fields.get(
            "RssShmem", 0.0)

    def heavy_libraries(self) -> list[str]:
        """Heavy libraries whose compiled extensions are mapped into the process (read from
        /proc/PID/maps: what is really loaded, without touching the server's code)."""
        assert self.proc is not None
        pids = [self.proc.pid] + [c.pid for c in psutil.Process(self.proc.pid).children(True)]
        found = set()
        for pid in pids:
            try:
                maps = Path(f"/proc/{pid}/maps").read_text()
            except OSError:
                continue
            for lib in HEAVY:
                if f"/site-packages/{lib}/" in maps or f"/site-packages/{lib}.libs/" in maps:
                    found.add(lib)
        return sorted(found)

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
        if self._log_handle is not None:
            self._log_handle.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def filmoteca_server(catalog: Path, port: int | None = None, name: str = "filmoteca",
                     env: dict[str, str] | None = None, workers: int = 1,
                     http_server: str = "uvicorn") -> Server:
    """``filmoteca serve`` over ``catalog`` (``env``: more settings, e.g. the cache)."""
    port = port or free_port()
    command = filmoteca_command(port) + (["--workers", str(workers)] if workers > 1 else [])
    if http_server != "uvicorn":
        command += ["--server", http_server]
    return Server(name, command,
                  {"FILMOTECA_CATALOG_DIR": str(catalog.resolve()), **(env or {})}, port)


# ------------------------------------------------------------------------------------------
# Real examples from a built catalog


@dataclass
class Examples:
    """Real names from the catalog (most popular first) for every kind of question."""

    titles: list[str]
    languages: list[str]
    countries: list[str]
    companies: list[str]
    collections: list[str]
    directors: list[str]
    film_ids: list[int]  # of the most voted films


def examples(catalog: Path, per_kind: int = 200) -> Examples:
    """Names that exist in ``catalog`` (read from its index, in this process only)."""
    from filmoteca.services.catalog import load_catalog

    index = load_catalog(catalog)
    titles = list(dict.fromkeys(index.titles[p] for p in index.by_votes[:per_kind * 2]))
    titles = titles[:per_kind]

    def top(table: Any, count: Any, name: Any) -> list[str]:
        ranked = sorted(table.items(), key=lambda kv: -count(kv[1]))
        return [name(k, v) for k, v in ranked if count(v) > 0][:per_kind]

    return Examples(
        titles=titles,
        # Spanish names, as the students type them (e.g. "inglés", "Francia").
        languages=top(index.languages, lambda v: v.films, lambda k, v: v.spanish or k),
        countries=top(index.countries, lambda v: v.films, lambda k, v: v.spanish or k),
        companies=top(index.companies, lambda v: v.films, lambda k, v: v.name),
        collections=top(index.collections, lambda v: v.films, lambda k, v: v.name),
        directors=top(index.directors, lambda v: len(v.positions), lambda k, v: v.name),
        film_ids=[index.ids[p] for p in index.by_votes[:per_kind]],
    )


def path(prefix: str, name: str) -> str:
    return f"/{prefix}/{quote(name, safe='')}"


def one_per_endpoint(ex: Examples) -> dict[str, str]:
    """One real question per endpoint (all answer 200)."""
    return {
        "/health": "/health",
        "/": "/",
        "/peliculas_idioma": path("peliculas_idioma", ex.languages[0]),
        "/peliculas_duracion": path("peliculas_duracion", ex.titles[0]),
        "/franquicia": path("franquicia", ex.collections[0]),
        "/peliculas_pais": path("peliculas_pais", ex.countries[0]),
        "/productoras_exitosas": path("productoras_exitosas", ex.companies[0]),
        "/get_director": path("get_director", ex.directors[0]),
        "/recomendacion": path("recomendacion", ex.titles[0]),
        "/buscar": f"/buscar?q={quote(ex.titles[0][:4].lower())}&limite=10",
    }


def typo(name: str, rng: random.Random) -> str:
    """Swap two neighbouring letters (the most common typing slip)."""
    letters = [i for i in range(len(name) - 1)
               if name[i].isalpha() and name[i + 1].isalpha() and name[i] != name[i + 1]]
    if not letters:
        return name + "x"
    i = rng.choice(letters)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def mix(ex: Examples, count: int = 2000, seed: int = 0) -> list[tuple[str, str]]:
    """A realistic request mix, as (kind, path): 60% hits on the six catalog questions
    (popular names more often), 10% recommendations, 10% title searches, 10% typos (404 with
    suggestions, or a fuzzy 200 where the API accepts it), 10% deliberate misses (404)."""
    rng = random.Random(seed)

    def pick(names: list[str]) -> str:
        return names[min(int(rng.expovariate(1 / 20)), len(names) - 1)]  # popular first

    hits = [
        ("peliculas_idioma", ex.languages), ("peliculas_duracion", ex.titles),
        ("franquicia", ex.collections), ("peliculas_pais", ex.countries),
        ("productoras_exitosas", ex.companies), ("get_director", ex.directors),
    ]
    out: list[tuple[str, str]] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.6:
            prefix, names = hits[i % len(hits)]
            out.append(("hit", path(prefix, pick(names))))
        elif roll < 0.7:
            out.append(("recommendation", path("recomendacion", pick(ex.titles))))
        elif roll < 0.8:
            words = [w for w in pick(ex.titles).split() if len(w) >= 3 and w.isalnum()]
            query = quote(rng.choice(words).lower()) if words else "the"
            out.append(("search", f"/buscar?q={query}&limite=10"))
        elif roll < 0.9:
            prefix, names = hits[i % len(hits)]
            out.append(("typo", path(prefix, typo(pick(names), rng))))
        else:
            prefix, _ = hits[i % len(hits)]
            out.append(("miss", path(prefix, f"zzqx inexistente {rng.randrange(10**6)}")))
    return out
