"""``filmoteca download`` without the network: a fake ``kagglehub`` module serves the shipped
real files, so everything but the HTTP requests is the real code path (import of kagglehub,
``dataset_download(handle, path=..., output_dir=...)``, checks, publishing, CLI).

Every failure (no network, a file Kaggle does not have, wrong columns, a cut file, not
UTF-8, an interruption) must leave the raw folder byte for byte as it was, and no staging
folder behind. Expected row counts come from reading the shipped files with pandas and
agree with the counts documented in DESIGN.md.
"""

from __future__ import annotations

import errno
import gzip
import os
import subprocess
import sys
import types
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import requests
from typer.testing import CliRunner

from filmoteca.cli import app
from filmoteca.raw import download as dl
from filmoteca.raw.files import resolve_sources

# What the fake serves for each Kaggle name: the shipped real files (the movies and credits
# files are the 2,996-row sample; the other three are complete).
SERVED = {
    "movies_metadata.csv": "movies_dataset_sample.csv.gz",
    "credits.csv": "credits_sample.csv.gz",
    "keywords.csv": "keywords.csv.gz",
    "links.csv": "links.csv.gz",
    "ratings_small.csv": "ratings_small.csv.gz",
}
# The sample's movies and credits files are smaller than the real ones: in tests that must
# succeed, only those two thresholds are lowered; the other three keep the real ones.
SAMPLE_WANTED = tuple(
    replace(w, min_rows=2_900) if w.name in {"movies_metadata.csv", "credits.csv"} else w
    for w in dl.WANTED
)

Tamper = Callable[[bytes], bytes]


class FakeKaggle:
    """Stands in for the ``kagglehub`` module: writes ``output_dir/path`` and returns it,
    like the real ``dataset_download`` with ``path=`` and ``output_dir=``."""

    def __init__(self, sample_dir: Path) -> None:
        self.sample_dir = sample_dir
        self.calls: list[tuple[str, str | None]] = []
        self.tamper: dict[str, Tamper] = {}
        self.errors: dict[str, BaseException] = {}
        self.partial_then: dict[str, BaseException] = {}

    def content(self, name: str) -> bytes:
        return gzip.decompress((self.sample_dir / SERVED[name]).read_bytes())

    def dataset_download(self, handle: str, path: str | None = None, *,
                         force_download: bool | None = False,
                         output_dir: str | None = None) -> str:
        assert path is not None and output_dir is not None  # one file, straight to staging
        self.calls.append((handle, path))
        if path in self.errors:
            raise self.errors[path]
        data = self.content(path)
        data = self.tamper.get(path, lambda b: b)(data)
        target = Path(output_dir) / path
        if path in self.partial_then:  # the process dies mid-write
            target.write_bytes(data[: len(data) // 2])
            raise self.partial_then[path]
        target.write_bytes(data)
        return str(target)


@pytest.fixture
def kaggle(monkeypatch: pytest.MonkeyPatch, sample_dir: Path) -> FakeKaggle:
    fake = FakeKaggle(sample_dir)
    module = types.ModuleType("kagglehub")
    module.dataset_download = fake.dataset_download  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kagglehub", module)
    return fake


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if p.name.startswith(dl.STAGING_PREFIX)]


@pytest.fixture
def user_raw(tmp_path: Path) -> Path:
    """A raw folder a user already has: an old movies file under another accepted name, a
    synthetic marker, and unrelated files of their own (one in a subfolder)."""
    raw = tmp_path / "data" / "raw"
    (raw / "mine").mkdir(parents=True)
    (raw / "notas.txt").write_text("mis notas\n", encoding="utf-8")
    (raw / "mine" / "extra.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (raw / "movies_dataset.csv.gz").write_bytes(gzip.compress(b"id,title\n1,Vieja\n"))
    (raw / "SYNTHETIC.md").write_text("synthetic\n", encoding="utf-8")
    return raw


# --- success ---------------------------------------------------------------------------------


def test_download_places_checked_files_and_counts_their_rows(kaggle: FakeKaggle, tmp_path: Path,
                                                              sample_dir: Path):
    raw = tmp_path / "data" / "raw"
    result = dl.download(raw, wanted=SAMPLE_WANTED)

    assert [c[1] for c in kaggle.calls] == list(SERVED)
    assert {c[0] for c in kaggle.calls} == {"rounakbanik/the-movies-dataset/versions/7"}
    assert sorted(p.name for p in raw.iterdir()) == sorted(SERVED)
    # Independent counts: pandas over the shipped files; the complete ones match DESIGN.md.
    expected = {name: len(pd.read_csv(sample_dir / gz, dtype=str)) for name, gz in SERVED.items()}
    assert expected["keywords.csv"] == 46_419 and expected["links.csv"] == 45_843
    assert expected["ratings_small.csv"] == 100_004 and expected["movies_metadata.csv"] == 2_996
    assert {g.name: g.rows for g in result.files} == expected
    for got in result.files:
        assert got.path == raw.resolve() / got.name
        assert got.path.read_bytes() == kaggle.content(got.name)  # byte for byte
        assert got.size == got.path.stat().st_size
    assert not result.skipped and result.replaced == []
    assert leftovers(raw.parent) == []
    # The build now takes them as the full Kaggle data (their Kaggle names, no marker).
    sources = resolve_sources(raw)
    assert sources.dataset == "full" and sources.notes == []
    assert sources.paths["movies"].name == "movies_metadata.csv"


def test_a_users_other_files_are_kept_and_shadowing_ones_replaced(kaggle: FakeKaggle,
                                                                   user_raw: Path):
    before = snapshot(user_raw)
    result = dl.download(user_raw, wanted=SAMPLE_WANTED)

    after = snapshot(user_raw)
    assert after["notas.txt"] == before["notas.txt"]
    assert after["mine/extra.csv"] == before["mine/extra.csv"]
    # The old movies file (read before movies_metadata.csv) and the synthetic marker would
    # shadow the download: they are gone, and reported.
    assert result.replaced == ["SYNTHETIC.md", "movies_dataset.csv.gz"]
    assert "movies_dataset.csv.gz" not in after and "SYNTHETIC.md" not in after
    assert set(after) == {"notas.txt", "mine/extra.csv", *SERVED}
    assert resolve_sources(user_raw).dataset == "full"
    assert leftovers(user_raw.parent) == []


def test_valid_files_already_there_are_not_downloaded_again(kaggle: FakeKaggle, tmp_path: Path):
    raw = tmp_path / "raw"
    dl.download(raw, wanted=SAMPLE_WANTED)
    calls = len(kaggle.calls)
    again = dl.download(raw, wanted=SAMPLE_WANTED)
    assert again.skipped and len(kaggle.calls) == calls
    assert [g.rows for g in again.files] == [g.rows for g in dl.download(
        raw, wanted=SAMPLE_WANTED, force=True).files]
    assert len(kaggle.calls) == 2 * calls  # --force downloads again


def test_committed_gz_files_count_as_already_there(kaggle: FakeKaggle, tmp_path: Path,
                                                   sample_dir: Path):
    """Kaggle files committed compressed (the deploy's alternative) need no download."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, gz in SERVED.items():
        (raw / f"{name}.gz").write_bytes((sample_dir / gz).read_bytes())
    result = dl.download(raw, wanted=SAMPLE_WANTED)
    assert result.skipped and kaggle.calls == []
    assert [g.path.name for g in result.files] == [f"{n}.gz" for n in SERVED]
    assert result.files[2].rows == 46_419  # keywords, counted through gzip


@pytest.mark.parametrize("spoil", ["truncate", "shadow", "synthetic"])
def test_files_that_would_not_be_read_as_they_are_are_downloaded(
        spoil: str, kaggle: FakeKaggle, tmp_path: Path, sample_dir: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, gz in SERVED.items():
        (raw / f"{name}.gz").write_bytes((sample_dir / gz).read_bytes())
    if spoil == "truncate":  # a cut .gz is not valid
        data = (raw / "keywords.csv.gz").read_bytes()
        (raw / "keywords.csv.gz").write_bytes(data[: len(data) // 2])
    elif spoil == "shadow":  # the build would read movies_dataset.csv instead
        (raw / "movies_dataset.csv").write_text("id,title\n1,Otra\n", encoding="utf-8")
    else:
        (raw / "SYNTHETIC.md").write_text("synthetic\n", encoding="utf-8")
    result = dl.download(raw, wanted=SAMPLE_WANTED)
    assert not result.skipped and len(kaggle.calls) == len(SERVED)
    assert resolve_sources(raw).paths["movies"].name == "movies_metadata.csv"
    assert resolve_sources(raw).dataset == "full"


# --- failures: the raw folder is untouched ---------------------------------------------------


def _http_error(status: int) -> requests.HTTPError:
    response = requests.Response()
    response.status_code = status
    return requests.HTTPError(f"{status} Client Error", response=response)


def cut_mid_row(data: bytes) -> bytes:
    return data[: int(len(data) * 0.6)]


def first_rows(count: int) -> Tamper:
    return lambda data: b"\n".join(data.split(b"\n")[: count + 1]) + b"\n"


FAILURES: dict[str, tuple[str, str, Callable[[FakeKaggle, str], None]]] = {
    "no network": ("ratings_small.csv", "sin conexión con Kaggle",
                   lambda k, n: k.errors.__setitem__(n, requests.ConnectionError("DNS"))),
    "file not in the dataset": ("keywords.csv", "Kaggle respondió HTTP 404",
                                lambda k, n: k.errors.__setitem__(n, _http_error(404))),
    "wrong columns": ("links.csv", "faltan columnas: tmdbId",
                      lambda k, n: k.tamper.__setitem__(
                          n, lambda b: b.replace(b"tmdbId", b"tmdb", 1))),
    "cut mid-row": ("credits.csv", "archivo cortado",
                    lambda k, n: k.tamper.__setitem__(n, cut_mid_row)),
    "too few rows": ("keywords.csv", "sólo 1.000 filas, se esperaban al menos 46.000",
                     lambda k, n: k.tamper.__setitem__(n, first_rows(1_000))),
    "not UTF-8": ("movies_metadata.csv", "no es texto UTF-8",
                  lambda k, n: k.tamper.__setitem__(
                      n, lambda b: b.decode("utf-8").encode("latin-1", "replace"))),
    "empty file": ("links.csv", "el archivo está vacío",
                   lambda k, n: k.tamper.__setitem__(n, lambda b: b"")),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_any_failure_leaves_the_raw_folder_untouched(case: str, kaggle: FakeKaggle,
                                                     user_raw: Path):
    name, message, arrange = FAILURES[case]
    arrange(kaggle, name)
    before = snapshot(user_raw)
    with pytest.raises(dl.DownloadError) as info:
        dl.download(user_raw, wanted=SAMPLE_WANTED)
    text = str(info.value)
    assert message in text and name in text and "\n" not in text
    assert snapshot(user_raw) == before
    assert leftovers(user_raw.parent) == []


def test_a_missing_raw_folder_stays_missing_on_failure(kaggle: FakeKaggle, tmp_path: Path):
    kaggle.errors["links.csv"] = requests.ConnectionError("offline")
    with pytest.raises(dl.DownloadError):
        dl.download(tmp_path / "raw", wanted=SAMPLE_WANTED)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_interruption_mid_file_leaves_nothing_half_written(kaggle: FakeKaggle,
                                                              user_raw: Path):
    kaggle.partial_then["credits.csv"] = KeyboardInterrupt()
    before = snapshot(user_raw)
    with pytest.raises(KeyboardInterrupt):
        dl.download(user_raw, wanted=SAMPLE_WANTED)
    assert snapshot(user_raw) == before
    assert leftovers(user_raw.parent) == []


def test_a_download_killed_between_its_two_renames_is_recovered(kaggle: FakeKaggle,
                                                                user_raw: Path):
    """The window between moving the old folder away and renaming the new one in: the next
    run puts the user's folder back before doing anything else."""
    before = snapshot(user_raw)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = user_raw.parent / f"{dl.STAGING_PREFIX}{dead}-x1y2"
    stale.mkdir()
    os.rename(user_raw, stale / "previous")
    kaggle.errors["movies_metadata.csv"] = requests.ConnectionError("offline")
    with pytest.raises(dl.DownloadError):
        dl.download(user_raw, wanted=SAMPLE_WANTED)
    assert snapshot(user_raw) == before
    assert leftovers(user_raw.parent) == []


# --- the command line ------------------------------------------------------------------------


def test_cli_prints_files_rows_and_sizes(kaggle: FakeKaggle, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(dl, "WANTED", SAMPLE_WANTED)
    raw = tmp_path / "raw"
    result = CliRunner().invoke(app, ["download", "--raw", str(raw)])
    assert result.exit_code == 0, result.output
    size = (raw / "keywords.csv").stat().st_size / 1e6
    assert "46.419" in result.output and f"{size:,.1f} MB" in result.output
    assert "100.004" in result.output and "filmoteca build" in result.output
    # No terminal (a build log): each stage is a line instead of a bar.
    assert "Descargando credits.csv…" in result.output
    assert "Comprobando ratings_small.csv…" in result.output


def test_cli_failure_is_one_spanish_line_and_exit_1(kaggle: FakeKaggle, user_raw: Path):
    """With the real thresholds the 2,996-row sample served as movies_metadata.csv is
    rejected as incomplete."""
    before = snapshot(user_raw)
    result = CliRunner().invoke(app, ["download", "--raw", str(user_raw)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert errors == [lines[-1]] and "Traceback" not in result.output, result.output
    assert "movies_metadata.csv: sólo 2.996 filas" in errors[0] and "no se modificó" in errors[0]
    assert set(lines[:-1]) <= {"Descargando movies_metadata.csv…",
                               "Comprobando movies_metadata.csv…"}  # progress lines only
    assert snapshot(user_raw) == before


def test_a_full_disk_is_said_plainly_and_leaves_nothing(kaggle: FakeKaggle, user_raw: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    """The disk fills while credits.csv is written (the system's ENOSPC, as kagglehub would
    pass it on): one Spanish line naming the disk, the file and the space needed; the raw
    folder as it was; no staging folder left."""
    monkeypatch.setattr(dl, "WANTED", SAMPLE_WANTED)  # movies_metadata.csv passes its check
    before = snapshot(user_raw)
    kaggle.partial_then["credits.csv"] = OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(dl.DownloadError) as info:
        dl.download(user_raw)
    message = str(info.value)
    assert message.startswith(f"no queda espacio en el disco de {user_raw.parent} al escribir "
                              "credits.csv: la descarga ocupa unos ")
    needed = sum(item.size for item in dl.WANTED) / 2**20
    assert f"unos {needed:,.0f} MB" in message and "\n" not in message
    assert snapshot(user_raw) == before
    assert leftovers(user_raw.parent) == []
