"""Folders put in place in one step, and a full disk said plainly (filmoteca.folders)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from filmoteca import folders


def test_replace_dir_keeps_the_old_folder_aside(tmp_path: Path) -> None:
    target, fresh, previous = tmp_path / "raw", tmp_path / "fresh", tmp_path / "previous"
    target.mkdir()
    (target / "old.txt").write_text("old")
    fresh.mkdir()
    (fresh / "new.txt").write_text("new")
    folders.replace_dir(fresh, target, previous)
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in previous.iterdir()] == ["old.txt"]


def test_swap_link_points_the_link_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    link = tmp_path / "catalog"
    folders.swap_link(link, Path("a"))
    folders.swap_link(link, Path("b"))
    assert os.readlink(link) == "b" and sorted(p.name for p in tmp_path.iterdir()) == [
        "a", "b", "catalog"]


@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"),
                                 OSError("1532416 requested and 987008 written"),
                                 OSError(errno.EDQUOT, "Disk quota exceeded")])
def test_a_full_disk_becomes_no_space(tmp_path: Path, exc: OSError) -> None:
    with pytest.raises(folders.NoSpace) as info, folders.writing(tmp_path, "the index", 10):
        raise exc
    assert (info.value.folder, info.value.what, info.value.needed) == (tmp_path, "the index", 10)
    assert info.value.free == shutil.disk_usage(tmp_path).free or info.value.free >= 0


def test_other_errors_pass_through(tmp_path: Path) -> None:
    with pytest.raises(PermissionError), folders.writing(tmp_path, "x"):
        raise PermissionError(errno.EACCES, "denied")
    with pytest.raises(ValueError), folders.writing(tmp_path, "x"):
        raise ValueError("not a disk error")


def _small_disk(size: str) -> Path | None:
    """A tmpfs of ``size`` (root only), or None where mounting is not allowed."""
    point = Path(tempfile.mkdtemp(prefix="filmoteca-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        point.rmdir()
        return None
    return point


def test_build_on_a_really_full_disk(tmp_path: Path) -> None:
    """``filmoteca build`` into a 3 MB file system (the sample's catalog needs about 5 MB):
    exit 1, one line saying so, nothing left on that disk. Where this machine does not allow
    mounting a small file system, the same failure is made by a write that raises ENOSPC."""
    disk = _small_disk("3M")
    env = {**os.environ, "FILMOTECA_EMBEDDINGS": "0"}
    try:
        target = (disk or tmp_path) / "catalog"
        code = ("import errno, sys\n"
                "from filmoteca.catalog import binary\n"
                "def full(self, path, header):\n"
                "    raise OSError(errno.ENOSPC, 'No space left on device')\n"
                "binary.SectionWriter.write = full\n"
                "from filmoteca.cli import main\n"
                "sys.argv = ['filmoteca', 'build', '--catalog', sys.argv[1]]\n"
                "main()\n") if disk is None else None
        command = ([sys.executable, "-c", code, str(target)] if code else
                   [sys.executable, "-m", "filmoteca.cli", "build", "--catalog", str(target)])
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 1, done.stderr[-2000:]
        last = [line for line in done.stderr.splitlines() if line.strip()][-1]
        assert last.startswith(f"error: no space left on the disk of {target.parent} while "
                               "writing ")
        assert "the build needs about 5 MB" in last
        assert "the previous catalog is unchanged" in last
        assert list(target.parent.iterdir()) == []
    finally:
        if disk is not None:
            subprocess.run(["umount", str(disk)], check=False)
            disk.rmdir()
