"""Every way a raw file can be broken ends in one clear line naming the file."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from filmoteca.raw.files import CREDITS, MOVIES, RawDataError, read_raw, resolve_sources


@pytest.fixture
def raw_copy(sample_dir: Path, tmp_path: Path) -> Path:
    """A raw folder with the Kaggle file names, made from the embedded real sample."""
    out = tmp_path / "raw"
    out.mkdir()
    shutil.copy(sample_dir / "movies_dataset_sample.csv.gz", out / "movies_metadata.csv.gz")
    shutil.copy(sample_dir / "credits_sample.csv.gz", out / "credits.csv.gz")
    return out


def test_default_is_the_embedded_sample(monkeypatch, tmp_path: Path):
    from filmoteca.config import get_settings

    monkeypatch.setattr(get_settings(), "raw_dir", tmp_path / "nothing-here")
    sources = resolve_sources()
    assert sources.dataset == "sample" and sources.origin == "embedded real sample"


def test_kaggle_names_are_accepted_and_optional_files_fall_back(raw_copy: Path):
    sources = resolve_sources(raw_copy)
    assert sources.dataset == "full"
    assert sources.paths["movies"].name == "movies_metadata.csv.gz"
    assert {"keywords", "links", "ratings"} <= {n.split(":")[0] for n in sources.notes}
    (raw_copy / "movies_metadata.csv.gz").rename(raw_copy / "movies_dataset.csv.gz")
    assert resolve_sources(raw_copy).paths["movies"].name == "movies_dataset.csv.gz"


def test_missing_directory_and_missing_file(raw_copy: Path):
    with pytest.raises(RawDataError, match="raw directory not found"):
        resolve_sources(raw_copy / "nope")
    (raw_copy / "credits.csv.gz").unlink()
    with pytest.raises(RawDataError, match=r"^credits file not found in .*credits\.csv"):
        resolve_sources(raw_copy)


def _plain(sample_dir: Path, tmp_path: Path, name: str = "movies_metadata.csv") -> Path:
    path = tmp_path / name
    with gzip.open(sample_dir / "movies_dataset_sample.csv.gz", "rb") as src:
        path.write_bytes(src.read())
    return path


def test_truncated_gzip(sample_dir: Path, tmp_path: Path):
    data = (sample_dir / "movies_dataset_sample.csv.gz").read_bytes()
    path = tmp_path / "movies_metadata.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RawDataError, match=r"^movies_metadata\.csv\.gz: unreadable or truncated"):
        read_raw(path, MOVIES)


def test_truncated_plain_file_inside_a_quoted_cell(sample_dir: Path, tmp_path: Path):
    path = _plain(sample_dir, tmp_path)
    text = path.read_text(encoding="utf-8")
    cut = text.index('"Led by Woody') + 20  # cut inside Toy Story's quoted overview
    path.write_text(text[:cut], encoding="utf-8")
    with pytest.raises(RawDataError, match=r"^movies_metadata\.csv: not a readable CSV"):
        read_raw(path, MOVIES)


def test_wrong_encoding(sample_dir: Path, tmp_path: Path):
    path = _plain(sample_dir, tmp_path)
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(RawDataError, match=r"^movies_metadata\.csv: not valid UTF-8"):
        read_raw(path, MOVIES)


def test_wrong_delimiter(tmp_path: Path):
    path = tmp_path / "credits.csv"
    path.write_text("cast;crew;id\n[];[];862\n", encoding="utf-8")
    with pytest.raises(RawDataError, match=r"missing required columns: cast, crew, id; .*delim"):
        read_raw(path, CREDITS)


def test_missing_columns_are_named(tmp_path: Path):
    path = tmp_path / "credits.csv"
    path.write_text("cast,id\n[],862\n", encoding="utf-8")
    with pytest.raises(RawDataError, match=r"^credits\.csv: missing required columns: crew$"):
        read_raw(path, CREDITS)


def test_empty_file(tmp_path: Path):
    path = tmp_path / "credits.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(RawDataError, match=r"^credits\.csv: the file is empty$"):
        read_raw(path, CREDITS)


def _lines(n: int) -> list[str]:
    return [f"{i},[],[]" for i in range(1, n + 1)]


def test_streaming_counts_skipped_lines_in_every_chunk(tmp_path: Path):
    from filmoteca.raw.files import iter_raw

    lines = _lines(10)
    lines[2] += ",extra"  # in the first chunk of 4 rows
    lines[8] += ",extra,more"  # in the third
    path = tmp_path / "credits.csv"
    path.write_text("id,cast,crew\n" + "\n".join(lines) + "\n", encoding="utf-8")
    chunks = list(iter_raw(path, CREDITS, chunk_rows=4))
    assert sum(len(frame) for frame, _ in chunks) == 8
    assert sum(skipped for _, skipped in chunks) == 2
    ids = [i for frame, _ in chunks for i in frame["id"]]
    assert ids == [str(i) for i in (1, 2, 4, 5, 6, 7, 8, 10)]


def test_streaming_a_cell_that_spans_lines_and_chunks(tmp_path: Path):
    from filmoteca.raw.files import iter_raw

    path = tmp_path / "credits.csv"
    path.write_text('id,cast,crew\n1,[],"[\n]"\n2,"[\n\n]",[]\n3,[],[]\n', encoding="utf-8")
    chunks = [frame for frame, _ in iter_raw(path, CREDITS, chunk_rows=1)]
    assert [frame["id"].tolist() for frame in chunks] == [["1"], ["2"], ["3"]]
    assert chunks[1]["cast"].iloc[0] == "[\n\n]"


def test_streaming_errors_at_the_last_chunk_name_the_file(sample_dir: Path, tmp_path: Path):
    from filmoteca.raw.files import iter_raw

    path = _plain(sample_dir, tmp_path)
    text = path.read_text(encoding="utf-8")
    cut = text.rindex(',"') + 10  # inside the last quoted cell of the file
    path.write_text(text[:cut], encoding="utf-8")
    chunks = iter_raw(path, MOVIES, chunk_rows=500)
    next(chunks)  # the first chunks are fine
    with pytest.raises(RawDataError, match=r"^movies_metadata\.csv: not a readable CSV"):
        list(chunks)


def test_header_only_file(tmp_path: Path):
    path = tmp_path / "credits.csv"
    path.write_text("cast,crew,id\n", encoding="utf-8")
    with pytest.raises(RawDataError, match=r"^credits\.csv: the file has a header but no rows$"):
        read_raw(path, CREDITS)
