"""Folders put in place in one step, and a full disk said plainly.

Owns what the catalog build (:mod:`filmoteca.catalog.store`) and the download
(:mod:`filmoteca.raw.download`) share when they publish a folder. The new folder is
written completely beside its destination (same file system), then put in place with a
rename (:func:`replace_dir`) or a symlink swap (:func:`swap_link`): a failure or a kill
leaves the previous folder as it was. :func:`alive` tells a staging folder whose process
still runs from an abandoned one. :func:`writing` turns running out of space into
:class:`NoSpace`: which folder, what was being written, about how much space it needs.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Below this many free bytes, a failed write is taken for a full disk.
NEARLY_FULL = 16 * 2**20
#: How numpy and others word a short write (no errno): "1532416 requested and 987008 written".
_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")


def alive(pid: int) -> bool:
    """True if a process ``pid`` runs on this machine (or cannot be signalled: not ours)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def replace_dir(fresh: Path, target: Path, previous: Path) -> None:
    """Put the complete folder ``fresh`` in place of ``target`` with two renames; the old
    ``target`` goes to ``previous`` (the caller removes it), and comes back if the second
    rename fails. All three paths must be on one file system."""
    if target.is_dir():
        os.rename(target, previous)
        try:
            os.rename(fresh, target)
        except OSError:
            os.rename(previous, target)
            raise
    else:
        os.rename(fresh, target)


def swap_link(link: Path, target: Path) -> None:
    """Make the symlink ``link`` point to ``target`` (relative to the link's folder) in one
    step: a new link is made beside it, then renamed over it."""
    staged = link.with_name(f".{link.name}.link-{os.getpid()}")
    if staged.is_symlink():
        staged.unlink()
    staged.symlink_to(target)
    os.replace(staged, link)


class NoSpace(OSError):
    """No space left where a folder was being written."""

    def __init__(self, folder: Path, what: str, needed: int | None, free: int) -> None:
        super().__init__(errno.ENOSPC, f"no space left in {folder}")
        self.folder = folder
        self.what = what
        self.needed = needed
        self.free = free


def megabytes(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def is_no_space(exc: BaseException, folder: Path) -> bool:
    """Whether ``exc``, raised while writing under ``folder``, means the disk is full: the
    system says so (ENOSPC, EDQUOT), a write came out short, or almost nothing is free."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if "No space left" in str(exc) or _SHORT_WRITE.search(str(exc)):
        return True
    return isinstance(exc, OSError) and free_bytes(folder) < NEARLY_FULL


def free_bytes(folder: Path) -> int:
    """Free bytes on the file system of ``folder`` (or of its nearest existing parent)."""
    for candidate in (folder, *folder.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return 0


@contextmanager
def writing(folder: Path, what: str, needed: int | None = None) -> Iterator[None]:
    """Raise :class:`NoSpace` instead of whatever a write under ``folder`` raises when the
    disk is full (``what``: what is being written; ``needed``: about how many bytes it takes
    in all, when known)."""
    try:
        yield
    except NoSpace:
        raise
    except Exception as exc:
        if is_no_space(exc, folder):
            raise NoSpace(folder, what, needed, free_bytes(folder)) from exc
        raise
