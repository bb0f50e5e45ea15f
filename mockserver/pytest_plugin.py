"""ofapi-mock's pytest plugin (registered through the `pytest11` entry point: installing
ofapi-mock is enough). One mock per test session, a clean team per test:

    ofapi_mock    session   a real `ofapi-mock serve` on a free loopback port: `.base_url`, and the
                            admin's calls (`.reset()`, `.journal()`, `.event()`, `.faults` for every team)
    ofapi_team    function  a team of this test's own (a random API key): empty, isolated from every
                            other test (also under pytest-xdist); `.api_key`, `.headers`, `.faults`,
                            `.journal()`, `.reset()`; forgotten after the test
    ofapi_key     function  that team's API key
    ofapi_client  function  the official SDK's client for that team (skipped without `pip install onlyfans`)
    ofapi_faults  function  that team's fault rules: `.add(operation=…, status=503, times=1)`, `.clear()`

    @pytest.mark.ofapi_fault(**rule)   a fault rule for this test's team (`/_mock/faults` fields)

Options: `--ofapi-mock-url URL` tests against a mock already running (with
`--ofapi-mock-admin-token`, or `OFAPI_MOCK_ADMIN_TOKEN`); the ini option `ofapi_mock_args`
adds `ofapi-mock serve` arguments (e.g. `--lenient --latency 20`). Only the standard library is
used here, so the plugin costs nothing in a session that does not use its fixtures.
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.error
import urllib.request

import pytest

from . import testing


class MockError(Exception):
    """A call to the mock's own endpoints was refused: the status and the mock's JSON answer."""

    def __init__(self, status: int, body):
        super().__init__(f"ofapi-mock answered {status}: {body}")
        self.status = status
        self.body = body


class MockServer:
    """A running ofapi-mock, as its admin sees it."""

    def __init__(self, base_url: str, admin_token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.admin_token = admin_token
        self.faults = Faults(self, admin_token)  # global rules: they apply to every team

    def call(self, method: str, path: str, body=None, key: str | None = None):
        """One request to the mock (`path` from the root): its JSON answer; MockError on a 4xx/5xx."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            raise MockError(exc.code, json.loads(raw) if raw else None) from None
        return json.loads(raw) if raw else None

    def reset(self, seed: int | None = None) -> dict:
        """Forget every team's data and fault rules (with a seed: a new world too)."""
        return self.call("POST", "/_mock/reset", {} if seed is None else {"seed": seed}, self.admin_token)

    def journal(self, limit: int = 100, kind: str | None = None) -> list[dict]:
        """Recent requests and deliveries of every team, newest first."""
        query = f"?limit={limit}" + (f"&kind={kind}" if kind else "")
        return self.call("GET", "/_mock/journal" + query, key=self.admin_token)["data"]

    def event(self, event: str, account_id: str, payload: dict | None = None, api_key: str | None = None) -> dict:
        """Simulate an OnlyFans event: the webhooks that want it get a delivery."""
        body = {"event": event, "account_id": account_id, "payload": payload, "api_key": api_key}
        return self.call("POST", "/_mock/events", {k: v for k, v in body.items() if v is not None}, self.admin_token)

    def team(self, api_key: str | None = None) -> Team:
        """A team: a new one of its own (a random API key), or the team of `api_key`."""
        return Team(self, api_key or f"test_{secrets.token_hex(12)}")


class Team:
    """One team of the mock, as its API key sees it."""

    def __init__(self, server: MockServer, api_key: str):
        self.server = server
        self.api_key = api_key
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.faults = Faults(server, api_key)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def reset(self) -> dict:
        """Forget this team's data and fault rules (other teams are not touched)."""
        return self.server.call("POST", "/_mock/reset", {}, self.api_key)

    def journal(self, limit: int = 100, kind: str | None = None) -> list[dict]:
        """This team's recent requests and deliveries, newest first."""
        query = f"?limit={limit}" + (f"&kind={kind}" if kind else "")
        return self.server.call("GET", "/_mock/journal" + query, key=self.api_key)["data"]

    def client(self, **options):
        """The official SDK's client for this team (`pip install onlyfans`)."""
        from onlyfansapi import OnlyFansAPI

        return OnlyFansAPI(api_key=self.api_key, base_url=self.base_url, **options)


class Faults:
    """Fault rules (`/_mock/faults`): a team's own, or, with the admin token, global ones."""

    def __init__(self, server: MockServer, key: str | None):
        self.server = server
        self.key = key

    def add(self, **rule) -> dict:
        """Add a rule (e.g. `operation="fansListActive", status=503, times=1`); it applies after
        the rules already there. MockError (422, naming the field) for a bad rule."""
        return self.server.call("POST", "/_mock/faults", rule, self.key)["data"]

    def list(self) -> list[dict]:
        return self.server.call("GET", "/_mock/faults", key=self.key)["data"]

    def delete(self, rule_id: str) -> None:
        self.server.call("DELETE", f"/_mock/faults/{rule_id}", key=self.key)

    def clear(self) -> None:
        self.server.call("DELETE", "/_mock/faults", key=self.key)


# -- the plugin ---------------------------------------------------------------------------------
def pytest_addoption(parser):
    group = parser.getgroup("ofapi-mock")
    group.addoption("--ofapi-mock-url", default=None, help="test against this running ofapi-mock (default: start one)")
    group.addoption(
        "--ofapi-mock-admin-token", default=None, help="the running mock's admin token (or OFAPI_MOCK_ADMIN_TOKEN)"
    )
    parser.addini("ofapi_mock_args", type="args", default=[], help="extra `ofapi-mock serve` arguments")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ofapi_fault(**rule): a fault rule (/_mock/faults fields) for this test's ofapi-mock team"
    )


@pytest.fixture(scope="session")
def ofapi_mock(pytestconfig):
    """A real ofapi-mock for the session (or the one `--ofapi-mock-url` names)."""
    url = pytestconfig.getoption("ofapi_mock_url")
    if url:
        token = pytestconfig.getoption("ofapi_mock_admin_token") or os.environ.get("OFAPI_MOCK_ADMIN_TOKEN")
        yield MockServer(url, token)
        return
    token = secrets.token_urlsafe(24)
    proc, base = testing.start_server(f"--admin-token={token}", *pytestconfig.getini("ofapi_mock_args"))
    try:
        yield MockServer(base, token)
    finally:
        testing.stop(proc)


@pytest.fixture
def ofapi_team(ofapi_mock):
    """A team of this test's own: empty, and forgotten (data and fault rules) after the test."""
    team = ofapi_mock.team()
    yield team
    team.reset()


@pytest.fixture
def ofapi_key(ofapi_team) -> str:
    return ofapi_team.api_key


@pytest.fixture
def ofapi_faults(ofapi_team) -> Faults:
    return ofapi_team.faults


@pytest.fixture
def ofapi_client(ofapi_team):
    """The official SDK's client (`onlyfansapi.OnlyFansAPI`) for this test's team, with the SDK's own
    retry settings (so fault rules exercise them)."""
    pytest.importorskip("onlyfansapi", reason="the official SDK is not installed (pip install onlyfans)")
    client = ofapi_team.client()
    yield client
    client.close()


@pytest.fixture(autouse=True)
def _ofapi_fault_markers(request):
    """`@pytest.mark.ofapi_fault(...)`: the rules, outermost first, then the test's own top to bottom."""
    markers = list(request.node.iter_markers("ofapi_fault"))
    if markers:
        team = request.getfixturevalue("ofapi_team")
        for marker in reversed(markers):
            team.faults.add(**marker.kwargs)
