"""Child server processes for the demo, the tests and the benchmarks (not used to serve).

Owns the three chores every one of them repeats: a free port on 127.0.0.1, waiting until a
started server answers (or dies, with the tail of what it printed), and stopping it (SIGTERM
to its own session, SIGKILL if it lingers). Only the standard library is used, so the
module adds nothing to what the product installs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status_of(url: str, timeout: float = 2.0) -> int | None:
    """HTTP status of a GET (4xx/5xx included), None if nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return None


def wait_until_ready(
    url: str,
    proc: subprocess.Popen[bytes],
    timeout: float = 60.0,
    ready: Callable[[int], bool] = lambda status: status == 200,
    output: Callable[[], str] | None = None,
    poll: float = 0.02,
) -> float:
    """Poll ``url`` until ``ready(status)``; seconds waited. Raises RuntimeError with the
    server's last output (``output()``, else its stderr pipe) if it exits or times out."""
    started = time.perf_counter()
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            if output is not None:
                tail = output()
            elif proc.stderr is not None:
                tail = proc.stderr.read().decode(errors="replace")
            else:
                tail = ""
            raise RuntimeError(f"server exited with {proc.returncode}: {tail[-2000:]}")
        status = status_of(url)
        if status is not None and ready(status):
            return time.perf_counter() - started
        time.sleep(poll)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started with ``start_new_session=True``, and its children."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    if proc.stderr is not None:
        proc.stderr.close()
