"""`ofapi-mock` as a newcomer meets it: `--version`, help with defaults, and for input a user
gave wrong, one or two lines naming the thing at fault and a non-zero exit, never a traceback.
Each runs the real command in a subprocess."""

import queue
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest

from mockserver import __version__
from mockserver.testing import ROOT, free_port, stop

from .conftest import ACCOUNT, AUTH


def ofapi_mock(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def assert_clear_error(result: subprocess.CompletedProcess, *names: str) -> str:
    """Non-zero, no traceback, at most two lines on stderr, each name in them; the message."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    for name in names:
        assert name in result.stderr, (name, result.stderr)
    return result.stderr


def test_version():
    result = ofapi_mock("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"ofapi-mock {__version__}"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "serve",
            [
                "--host HOST",
                "(default: 127.0.0.1)",
                "--port PORT",
                "(default: 4010)",
                "--workers N",
                "(default: 1)",
                "--log-level",
                "(default: warning)",
                "--quiet",
            ],
        ),
        ("contract", ["--seed N", "--max-examples N", "(default: 5)", "--api-key KEY", "(default: test)"]),
        ("lint", ["spec", "the spec to check", "ofapi.yaml"]),
        ("docs", ["spec", "the spec to document", "--out DIR"]),
        ("diff", ["old", "the older version of the spec", "new", "the newer version"]),
        ("reset", ["--store PATH"]),
    ],
)
def test_help_explains_every_option_with_its_default(command, expected):
    result = ofapi_mock(command, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for words in expected:
        assert words in text, (words, result.stdout)
    assert "CONTRACT_SEED" not in text and "(default: None)" not in text


def test_a_usage_error_is_two_lines_not_a_page_of_usage():
    assert_clear_error(ofapi_mock("serve", "--port", "99999"), "--port", "99999")
    assert_clear_error(ofapi_mock("serve", "--workers", "0"), "--workers")
    assert_clear_error(ofapi_mock("serve", "--bogus"), "--bogus")


@pytest.fixture
def not_sqlite(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n")
    return path


@pytest.mark.parametrize("case", ["directory", "missing parent", "not sqlite", "damaged"])
def test_serve_with_a_bad_store_says_which_file_and_why(case, tmp_path, not_sqlite):
    path = {
        "directory": tmp_path,
        "missing parent": tmp_path / "nope" / "store.sqlite",
        "not sqlite": not_sqlite,
        "damaged": _damaged(tmp_path / "damaged.sqlite"),
    }[case]
    message = assert_clear_error(ofapi_mock("serve", "--port", str(free_port()), "--store", str(path)), str(path))
    assert message.startswith("ofapi-mock serve: --store ")


@pytest.mark.slow
def test_reset_empties_an_existing_store(tmp_path, serve):
    path = tmp_path / "store.sqlite"
    link = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "Summer"}
    alpha = {"Authorization": "Bearer ofapi_demo_alpha"}

    def links(url: str) -> list:
        _wait_until_up(url)
        return httpx.get(f"{url}/api/smart-links", headers=alpha).json()["data"]

    proc, url, _ = serve("--quiet", "--store", str(path))
    links(url)
    assert httpx.post(f"{url}/api/smart-links", headers=alpha, json=link).status_code in (200, 201)
    assert len(links(url)) == 1
    stop(proc)
    result = ofapi_mock("reset", "--store", str(path))
    assert result.returncode == 0 and result.stdout.strip() == f"reset {path}", result.stderr
    _, url, _ = serve("--quiet", "--store", str(path))
    assert links(url) == []


def test_reset_of_a_missing_store_is_an_error_and_creates_nothing(tmp_path):
    path = tmp_path / "typo.db"
    assert_clear_error(ofapi_mock("reset", "--store", str(path)), str(path), "no such store file")
    assert not path.exists()


def test_reset_of_a_file_that_is_not_a_store(not_sqlite):
    assert_clear_error(ofapi_mock("reset", "--store", str(not_sqlite)), str(not_sqlite), "not an SQLite database")
    assert not_sqlite.read_text() == "not a database\n"


def test_docs_onto_an_existing_file(tmp_path):
    target = tmp_path / "docs.html"
    target.write_text("mine")
    assert_clear_error(ofapi_mock("docs", "--out", str(target)), str(target), "not a directory")
    assert target.read_text() == "mine"


def test_diff_with_a_missing_file(tmp_path):
    missing = tmp_path / "old.yaml"
    assert_clear_error(ofapi_mock("diff", str(missing), "openapi/ofapi.yaml"), str(missing), "no such file")


def test_diff_with_bad_yaml(tmp_path):
    bad = tmp_path / "new.yaml"
    bad.write_text("openapi: 3.0.3\npaths:\n  /a: [unclosed\n")
    message = assert_clear_error(ofapi_mock("diff", "openapi/ofapi.yaml", str(bad)), str(bad), "not valid YAML")
    assert f"{bad}:4:" in message or f"{bad}:3:" in message  # located


def test_diff_with_a_file_that_is_not_a_spec(tmp_path):
    other = tmp_path / "list.yaml"
    other.write_text("- a\n- b\n")
    assert_clear_error(ofapi_mock("diff", str(other), "openapi/ofapi.yaml"), str(other), "not an OpenAPI document")


def test_lint_with_a_missing_file(tmp_path):
    missing = tmp_path / "spec.yaml"
    result = ofapi_mock("lint", str(missing))
    assert result.returncode != 0 and "Traceback" not in result.stderr and missing.name in result.stdout


@pytest.mark.slow
def test_contract_against_an_unreachable_server_is_one_clear_error():
    url = f"http://127.0.0.1:{free_port()}"
    message = assert_clear_error(ofapi_mock("contract", "--base-url", url, timeout=120), url, "cannot reach")
    assert "urllib3" not in message


@pytest.mark.slow
def test_contract_with_an_empty_key_is_one_clear_error():
    assert_clear_error(ofapi_mock("contract", "--api-key", ""), "--api-key is empty", "--api-key test")


def _damaged(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE journal (seq INTEGER PRIMARY KEY, at REAL, kind TEXT, body TEXT)")
    conn.executemany("INSERT INTO journal (at, kind, body) VALUES (0, 'x', ?)", [("y" * 500,)] * 200)
    conn.commit()
    conn.close()
    raw = bytearray(path.read_bytes())
    raw[8192:16384] = b"\xff" * 8192
    path.write_bytes(bytes(raw))
    return path


class Output:
    """Lines a running process prints, read on a thread so a test can wait for each with a timeout."""

    def __init__(self, stream):
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line.rstrip("\n")) for line in stream], daemon=True).start()

    def next(self, timeout: float = 60) -> str:
        return self.lines.get(timeout=timeout)

    def rest(self) -> list[str]:
        return list(self.lines.queue)


@pytest.fixture
def serve():
    procs = []

    def start(*args: str):
        port = free_port()
        cmd = [sys.executable, "-m", "mockserver", "serve", "--port", str(port), *args]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        procs.append(proc)
        return proc, f"http://127.0.0.1:{port}", Output(proc.stdout)

    yield start
    for proc in procs:
        stop(proc)


@pytest.mark.slow
def test_serve_says_where_to_go_and_logs_one_line_per_request(serve):
    proc, url, out = serve()
    first = out.next()
    assert first.startswith(f"ofapi-mock {__version__} ready on {url}: seed 4010, store "), first
    assert first.endswith(f"try {url}/ui/ (Ctrl+C stops it)")
    assert httpx.get(f"{url}/api/{ACCOUNT}/fans/active?limit=1", headers=AUTH).status_code == 200
    assert httpx.get(f"{url}/api/whoami").status_code == 401
    assert re.fullmatch(rf"GET /api/{ACCOUNT}/fans/active\?limit=1 200 credits=1 upstream=1 \d+\.\dms", out.next())
    assert re.fullmatch(r"GET /api/whoami 401 credits=- upstream=- \d+\.\dms", out.next())
    stop(proc)
    assert proc.stderr.read() == ""  # nothing else: no banner, no warnings


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/api/whoami", headers=AUTH)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{url} did not start"
            time.sleep(0.1)


@pytest.mark.slow
def test_serve_quiet_prints_nothing(serve):
    proc, url, out = serve("--quiet")
    _wait_until_up(url)
    assert httpx.get(f"{url}/api/whoami", headers=AUTH).status_code == 200
    stop(proc)
    time.sleep(0.2)
    assert out.rest() == [] and proc.stderr.read() == ""


@pytest.mark.slow
def test_serve_on_a_port_in_use_is_one_clear_error(serve):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        message = assert_clear_error(ofapi_mock("serve", "--port", str(port)), f"127.0.0.1:{port}")
    assert "in use" in message
