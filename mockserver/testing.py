"""Run the real mock server (`ofapi-mock serve`) in a subprocess: for end-to-end tests, ours
and yours (`with running_server() as base_url: ...`)."""

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


@contextlib.contextmanager
def running_server(*args: str, timeout: float = 30.0):
    """Yield the base URL of a freshly started `ofapi-mock serve`; stop it afterwards."""
    port = free_port()
    cmd = [sys.executable, "-m", "mockserver", "serve", "--port", str(port), *args]
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "random"}, stdout=subprocess.DEVNULL, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/whoami", timeout=1)
            except urllib.error.HTTPError:
                break  # it answered (401 without a key): it is up
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {_tail(log)}") from None
                time.sleep(0.1)
            else:
                break
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _tail(log) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-2000:]
