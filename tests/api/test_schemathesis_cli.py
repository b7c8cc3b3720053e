"""The contract checked from outside, as a client would: schemathesis's own command line
against a real server.

``filmoteca serve`` (uvicorn, a child process on a free port) serves the sample catalog built
for this session, and ``st run <base>/openapi.json --checks all --max-examples 300`` (issue
14's run) must report no failure: schema-valid requests accepted, schema-invalid ones
rejected, unsupported methods answered 405 with ``Allow``, and every response's status,
``Content-Type``, headers and body as declared. Hypothesis health checks stay on. About a
minute on 2 cores (the client's data generation dominates); the seed is printed on failure.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from devserver import free_port, stop, wait_until_ready

ST = Path(sys.executable).with_name("st")


@pytest.fixture(scope="module")
def live_server(catalog_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "filmoteca.cli", "serve", "--catalog", str(catalog_dir),
             "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base + "/health", server, timeout=60,
                         output=lambda: log.read_text(errors="replace"))
        yield base
    finally:
        stop(server)


def test_schemathesis_command_line_finds_no_failure(live_server: str, tmp_path: Path) -> None:
    assert ST.is_file(), f"schemathesis is not installed in this environment ({ST})"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")}
    run = subprocess.run(
        [str(ST), "run", f"{live_server}/openapi.json", "--checks", "all",
         "--max-examples", "300", "--workers", "2", "--no-color"],
        cwd=tmp_path,  # its .hypothesis/ database stays out of the working tree
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    # Every operation of the schema exercised, every generated case passed.
    assert re.search(r"Operations:\s+(\d+) selected / \1 total", report), report[-3000:]
    assert re.search(r"(\d+) generated, \1 passed", report), report[-3000:]
