"""The contract kit catches faults, not only passes: each deliberately broken server fails with
the check that names its fault; the kit's options and read-only guard work."""

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from mockserver.testing import running_server

from .broken_servers import broken_server, real_looking_server

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


def test_only_reads_run_against_a_server_that_is_not_the_mock():
    seen: list[str] = []
    with real_looking_server(seen) as url:
        contract("--base-url", url, "--operation", "smartLinksCreate,smartLinksList")
        assert "GET" in seen and "POST" not in seen
        contract("--base-url", url, "--operation", "smartLinksCreate", "--allow-writes")
        assert "POST" in seen
