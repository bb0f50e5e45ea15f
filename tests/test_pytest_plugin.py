"""The pytest plugin, used as a user would: a fresh project with no conftest of its own, the
plugin found through its `pytest11` entry point, run by `pytester` in a new process."""

from __future__ import annotations

import importlib.util
from importlib.metadata import entry_points

import pytest

from mockserver.testing import running_server

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

PROJECT = """
import json
import time
import urllib.error
import urllib.request

import pytest

ACCOUNT = "acct_0123456789abcdef0123456789abcdef"


def call(base, path, key, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_mock_answers(ofapi_mock, ofapi_key):
    status, body = call(ofapi_mock.base_url, f"/api/{ACCOUNT}/fans/active?limit=2", ofapi_key)
    assert status == 200 and len(body["data"]["list"]) == 2


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_with_a_clean_team(ofapi_team, run):
    status, body = call(ofapi_team.base_url, "/api/smart-links", ofapi_team.api_key)
    assert status == 200 and body["data"] == []
    link = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": f"run {run}"}
    assert call(ofapi_team.base_url, "/api/smart-links", ofapi_team.api_key, link)[0] == 200


@pytest.mark.ofapi_fault(operation="fansListActive", status=503, times=1)
def test_a_marker_sets_a_fault_for_this_test(ofapi_mock, ofapi_key):
    assert call(ofapi_mock.base_url, f"/api/{ACCOUNT}/fans/active", ofapi_key)[0] == 503
    assert call(ofapi_mock.base_url, f"/api/{ACCOUNT}/fans/active", ofapi_key)[0] == 200


@pytest.mark.ofapi_fault(tag="Fans", status=429, retry_after=3)
def test_faults_from_a_marker_apply_to_every_match(ofapi_team):
    for path in ("active", "expired"):
        assert call(ofapi_team.base_url, f"/api/{ACCOUNT}/fans/{path}", ofapi_team.api_key)[0] == 429


def test_latency_from_the_fixture(ofapi_faults, ofapi_team):
    ofapi_faults.add(operation="whoamiRetrieve", latency_ms=250)
    started = time.monotonic()
    assert call(ofapi_team.base_url, "/api/whoami", ofapi_team.api_key)[0] == 200
    assert time.monotonic() - started >= 0.25


def test_no_fault_leaks_into_the_next_test(ofapi_mock, ofapi_key):
    assert call(ofapi_mock.base_url, f"/api/{ACCOUNT}/fans/active", ofapi_key)[0] == 200
    assert call(ofapi_mock.base_url, "/api/whoami", ofapi_key)[0] == 200


def test_a_bad_rule_says_which_field(ofapi_faults):
    from mockserver.pytest_plugin import MockError

    with pytest.raises(MockError) as refused:
        ofapi_faults.add(status=418)
    assert refused.value.status == 422 and "status" in refused.value.body["errors"]


def test_the_sdk_client_retries_an_injected_503(ofapi_client, ofapi_faults, ofapi_team):
    ofapi_faults.add(operation="fansListActive", status=503, times=1)
    page = ofapi_client.fans.list_active(ACCOUNT, limit=2)
    assert len(page.data.list) == 2
    statuses = [e["status"] for e in ofapi_team.journal(kind="request")]
    assert statuses[:2] == [200, 503]


def test_the_admin_handle(ofapi_mock, ofapi_team):
    call(ofapi_team.base_url, "/api/whoami", ofapi_team.api_key)
    assert any(e["operation"] == "whoamiRetrieve" for e in ofapi_mock.journal(kind="request"))
    rule = ofapi_mock.faults.add(operation="whoamiRetrieve", status=500, times=1)
    assert rule["scope"] == "global"
    assert call(ofapi_team.base_url, "/api/whoami", ofapi_team.api_key)[0] == 500
"""


def test_the_plugin_is_registered_through_its_entry_point():
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert plugins["ofapi_mock"] == "mockserver.pytest_plugin"


def test_the_fixtures_work_in_a_fresh_project(pytester):
    pytester.makepyfile(test_client=PROJECT)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=10)


def test_a_running_mock_and_parallel_tests(pytester):
    """`--ofapi-mock-url`: every test a team of its own on one shared server, so tests can run in
    parallel (with pytest-xdist, when it is installed)."""
    pytester.makepyfile(test_client=PROJECT)
    parallel = ["-n", "2"] if importlib.util.find_spec("xdist") else []
    with running_server("--admin-token", "plugin-admin") as base:
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--ofapi-mock-url", base, "--ofapi-mock-admin-token", "plugin-admin", *parallel
        )
    result.assert_outcomes(passed=10)


def test_serve_arguments_from_the_ini_file(pytester):
    pytester.makeini("[pytest]\nofapi_mock_args = --lenient\n")
    pytester.makepyfile(
        test_lenient="""
import json
import urllib.request


def test_a_made_up_id_is_found(ofapi_mock, ofapi_key):
    request = urllib.request.Request(
        ofapi_mock.base_url + "/api/smart-links/made-up", headers={"Authorization": f"Bearer {ofapi_key}"})
    with urllib.request.urlopen(request) as answer:
        assert json.loads(answer.read())["data"]["id"] == "made-up"
"""
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_session_mock_starts_whatever_its_admin_token_begins_with(monkeypatch):
    """A random admin token can start with "-": passed as `--admin-token -x…`, the command line
    took it for an option and the session mock did not start (about 1 run in 64)."""
    from mockserver import pytest_plugin, testing
    from mockserver.cli import build_parser

    started = []
    monkeypatch.setattr(pytest_plugin.secrets, "token_urlsafe", lambda n: "-starts-with-a-dash")
    monkeypatch.setattr(testing, "start_server", lambda *args: started.append(args) or (None, "http://x"))
    monkeypatch.setattr(testing, "stop", lambda proc: None)

    class Config:
        def getoption(self, name):
            return None

        def getini(self, name):
            return []

    fixture = pytest_plugin.ofapi_mock.__wrapped__(Config())
    next(fixture)
    fixture.close()
    args = build_parser().parse_args(["serve", *started[0]])
    assert args.admin_token == "-starts-with-a-dash"
