"""Run the real mock server (`ofapi-mock serve`) in a subprocess: for end-to-end tests, ours
and yours (`with running_server("--seed", "7") as base_url: ...`; `start_server` and `stop` to
hold it longer). The pytest plugin (`pytest_plugin.py`) starts its session mock this way."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(*args: str, timeout: float = 30.0, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start `ofapi-mock serve` and wait until it answers: (the process, its base URL). The
    caller stops it (or kills it, to test crash safety)."""
    port = free_port()
    cmd = [sys.executable, "-m", "mockserver", "serve", "--port", str(port), *args]
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**(env or os.environ), "PYTHONHASHSEED": "random"}, stdout=subprocess.DEVNULL, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{base}/_mock/journal", timeout=1)  # not /api: never slowed by --latency
        except urllib.error.HTTPError:
            return proc, base  # it answered (401 without a key): it is up
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop(proc)
                raise RuntimeError(f"server did not start: {_tail(log)}") from None
            time.sleep(0.1)
        else:
            return proc, base


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextlib.contextmanager
def running_server(*args: str, timeout: float = 30.0):
    """Yield the base URL of a freshly started `ofapi-mock serve`; stop it afterwards."""
    proc, base = start_server(*args, timeout=timeout)
    try:
        yield base
    finally:
        stop(proc)


def _tail(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-2000:]
