"""The contract kit catches faults, not only passes: each deliberately broken server fails with
the check that names its fault; a server that refuses the key or never answers 2xx fails the run
instead of passing it untested; progress and the report name each operation; the kit's options
and read-only guard work."""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from mockserver.contract import KIT
from mockserver.testing import ROOT, running_server

from .broken_servers import broken_server, real_looking_server, rejecting_server, unwilling_server

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

EXPECTED = {
    "wrong-types": "Response violates schema",
    "missing-envelope": "ofapi_envelope",
    "server-error": "Server error",
    "computed-calls-upstream": "ofapi_computed_upstream",
    "foreign-media-host": "ofapi_media_hosts",
}


def contract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "contract", "--max-examples", "2", "--report", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_the_kit_fails_a_broken_server_with_the_right_check(fault):
    with broken_server(fault) as (url, op_id):
        result = contract("--base-url", url, "--operation", op_id, "--mode", "positive")
    assert result.returncode != 0, result.stdout[-2000:]
    summary = result.stdout[result.stdout.index("OFAPI contract summary") :]
    assert EXPECTED[fault] in summary, summary


def test_the_kit_passes_the_mock_and_writes_junit(tmp_path):
    junit = tmp_path / "contract.xml"
    with running_server() as url:
        result = contract("--base-url", url, "--tag", "SmartLinks,Webhooks", "--junit-xml", str(junit))
    assert result.returncode == 0, result.stdout[-3000:]
    suite = ET.parse(junit).getroot().find("testsuite") or ET.parse(junit).getroot()
    assert int(suite.get("tests")) >= 15 and int(suite.get("failures")) == 0
    # progress by operation: a line each, counted and with a percentage that reaches 100
    progress = re.findall(
        r"^\[ *(\d+)/(\d+) +(\d+)%\] (passed|failed|skipped|not exercised) +(\S+)", result.stdout, re.M
    )
    total = int(progress[0][1])
    assert [int(done) for done, *_ in progress] == list(range(1, total + 1)) and progress[-1][2] == "100"
    assert {"smartLinksList", "webhooksCreate"} <= {name for *_, name in progress}
    # the report lists every operation with its calls, even though nothing failed
    report = result.stdout[result.stdout.index("OFAPI contract summary") :]
    assert re.search(r"passed +smartLinksList \(GET /api/smart-links\) +\d+ calls: .*200×\d+", report), report
    assert "failures by check: none" in report


def test_the_kit_stops_at_once_when_the_server_refuses_the_key():
    with rejecting_server() as url:
        result = contract("--base-url", url, "--api-key", "")
        direct = subprocess.run(
            [sys.executable, "-m", "pytest", str(KIT), "-p", "no:cacheprovider", "--base-url", url, "--api-key", ""],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )
    for run in (result, direct):
        assert run.returncode != 0 and "passed" not in run.stdout, run.stdout[-2000:]
        first = run.stderr.strip().splitlines()[0]
        assert url in first and "401" in first and "--api-key" in first and "empty API key" in first, run.stderr


def test_an_operation_that_never_answers_2xx_is_not_exercised_and_the_run_fails():
    with unwilling_server() as (url, op_id):
        result = contract("--base-url", url, "--operation", op_id, "--mode", "positive")
    assert result.returncode == 1, result.stdout[-2000:]
    assert re.search(
        r"not exercised +fansListActive \(GET /api/\{account\}/fans/active\) +\d+ calls: 422×", result.stdout
    )
    assert "nothing was tested" in result.stdout and " passed" not in result.stdout.splitlines()[-1]


def test_the_report_does_not_count_a_skip_as_a_failure():
    with real_looking_server([]) as url:
        result = contract("--base-url", url, "--operation", "smartLinksList,smartLinksCreate", "--mode", "positive")
    assert result.returncode == 0, result.stdout[-2000:]
    report = result.stdout[result.stdout.index("OFAPI contract summary") :]
    assert "failed: 0" in report and "operations to look at" not in report and "failing" not in report
    assert re.search(r"skipped +test_crud_resources_follow_their_links", report), report


def test_every_operation_has_its_own_test_id():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(KIT), "--collect-only", "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    ids = [line for line in result.stdout.splitlines() if "::" in line]
    assert len(ids) > 270 and not [i for i, n in Counter(ids).items() if n > 1]


def test_only_reads_run_against_a_server_that_is_not_the_mock():
    seen: list[str] = []
    with real_looking_server(seen) as url:
        contract("--base-url", url, "--operation", "smartLinksCreate,smartLinksList")
        assert "GET" in seen and "POST" not in seen
        contract("--base-url", url, "--operation", "smartLinksCreate", "--allow-writes")
        assert "POST" in seen


def test_the_mock_is_recognised_by_its_info_endpoint_not_by_a_header():
    seen: list[str] = []
    with real_looking_server(seen, headers={"X-Mock-Upstream-Calls": "0"}) as url:
        contract("--base-url", url, "--operation", "smartLinksCreate,smartLinksList")
    assert "GET" in seen and "POST" not in seen
