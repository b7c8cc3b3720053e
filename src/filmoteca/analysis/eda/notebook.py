"""Execute ``notebooks/eda.ipynb`` in place (``make eda``), so the committed notebook never
goes stale.

The notebook is thin: it calls :func:`filmoteca.analysis.eda.data.load_data` and
:func:`filmoteca.analysis.eda.sections.iter_sections`, the same functions as ``filmoteca
eda``. It runs on the ``python3`` kernel, which jupyter_client starts with this
interpreter (the venv's), and reads the catalog from the usual settings
(``FILMOTECA_CATALOG_DIR`` or ``data/processed/catalog``).

Usage: ``python -m filmoteca.analysis.eda.notebook [NOTEBOOK] [--out OUTPUT]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from filmoteca.config import get_settings


def default_notebook() -> Path:
    """``notebooks/eda.ipynb`` of the checkout (the settings' ``home``)."""
    return get_settings().home / "notebooks" / "eda.ipynb"


def execute_notebook(path: Path, out: Path | None = None,
                     timeout: int = 600) -> Path:
    """Run every cell of ``path`` and write the executed notebook to ``out`` (default: in
    place). Raises :class:`nbclient.exceptions.CellExecutionError` if a cell fails."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    target = out or path
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", type=Path, default=None,
                        help="default: notebooks/eda.ipynb of the checkout")
    parser.add_argument("--out", type=Path, default=None, help="default: in place")
    args = parser.parse_args(argv)
    args.notebook = args.notebook or default_notebook()
    try:
        target = execute_notebook(args.notebook, args.out)
    except (CellExecutionError, OSError) as exc:
        last = str(exc).strip().splitlines()[-1] if str(exc).strip() else repr(exc)
        print(f"error: the notebook {args.notebook} failed: {last}", file=sys.stderr)
        return 1
    print(f"Notebook executed: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
