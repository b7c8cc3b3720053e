"""Every test file is collected: pytest skips some folder names by default (``build``,
``dist``, ``venv``... in ``norecursedirs``), and a test folder named like one would stop
running without a word (it happened: ``tests/build/`` ran nothing for a while)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_test_file_is_collected() -> None:
    listed = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                             "-p", "no:randomly", str(TESTS)],
                            capture_output=True, text=True, cwd=TESTS.parent, check=True)
    collected = {line.split("::")[0] for line in listed.stdout.splitlines() if "::" in line}
    files = {str(path.relative_to(TESTS.parent)) for path in TESTS.rglob("test_*.py")}
    assert files - collected == set()
