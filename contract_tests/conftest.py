"""The contract kit's options: point it at the mock (default: it starts one), your own server
or the real API.

    pytest contract_tests                                   # against a mock it starts itself
    pytest contract_tests --base-url http://127.0.0.1:4010  # against a running server
    ofapi-mock contract --base-url URL [--report]           # the same, with a summary

Against a server that is not the mock (it does not answer `X-Mock-Upstream-Calls`), only
read operations run unless `--allow-writes` is given: a real account is never changed by
accident.
"""

from __future__ import annotations

import os
from collections import defaultdict

import httpx
import pytest

SELECTION = {  # option -> environment variable the test modules read when they are imported
    "operation": "OFAPI_CONTRACT_OPERATIONS",
    "tag": "OFAPI_CONTRACT_TAGS",
    "data_source": "OFAPI_CONTRACT_DATA_SOURCES",
    "max_examples": "OFAPI_CONTRACT_MAX_EXAMPLES",
    "contract_seed": "OFAPI_CONTRACT_SEED",
    "mode": "OFAPI_CONTRACT_MODE",
}


def pytest_addoption(parser):
    from mockserver.contract import OPTIONS

    environment = {"--base-url": os.environ.get("OFAPI_BASE_URL"), "--api-key": os.environ.get("OFAPI_API_KEY")}
    group = parser.getgroup("ofapi contract")
    for flag, spec in OPTIONS.items():
        default = environment.get(flag)
        group.addoption(flag, **({**spec, "default": default} if default is not None else spec))


def is_mock(base_url: str, api_key: str) -> bool:
    try:
        r = httpx.get(f"{base_url}/api/whoami", headers={"Authorization": f"Bearer {api_key}"}, timeout=10)
    except httpx.HTTPError:
        return False
    return "X-Mock-Upstream-Calls" in r.headers


def pytest_configure(config):
    for option, variable in SELECTION.items():
        value = config.getoption(option, default=None)
        if value is not None:
            os.environ[variable] = str(value)
    base = config.getoption("--base-url", default=None)
    api_key = config.getoption("--api-key", default="test")
    writes = not base or config.getoption("--allow-writes", default=False) or is_mock(base.rstrip("/"), api_key)
    os.environ["OFAPI_CONTRACT_READ_ONLY"] = "" if writes else "1"
    config.ofapi_results = defaultdict(lambda: defaultdict(int))


@pytest.fixture(scope="session")
def base_url(request):
    url = request.config.getoption("--base-url")
    if url:
        yield url.rstrip("/")
        return
    from mockserver.testing import running_server

    with running_server() as started:
        yield started


@pytest.fixture(scope="session")
def auth_headers(request):
    return {"Authorization": f"Bearer {request.config.getoption('--api-key')}"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call":
        operation = item.callspec.id if hasattr(item, "callspec") else item.name
        results = item.config.ofapi_results
        if report.passed:
            results[operation]["passed"] += 1
        elif call.excinfo is not None:
            for failure in getattr(call.excinfo.value, "exceptions", [call.excinfo.value]):
                results[operation][_check_name(failure)] += 1
    return report


def _check_name(failure) -> str:
    title = getattr(failure, "title", None) or type(failure).__name__
    message = str(failure)
    for name in ("ofapi_envelope", "ofapi_credits", "ofapi_media_hosts", "ofapi_enrichment", "ofapi_computed_upstream"):
        doc = name
        if doc in message or doc in title:
            return name
    return title


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    results = getattr(config, "ofapi_results", None)
    if not results or not (config.getoption("--report", default=False) or exitstatus):
        return
    by_check: dict[str, int] = defaultdict(int)
    for counts in results.values():
        for check, n in counts.items():
            if check != "passed":
                by_check[check] += n
    write = terminalreporter.write_line
    write("")
    write("OFAPI contract summary")
    write(f"  operations: {len(results)}  passed: {sum(1 for c in results.values() if set(c) == {'passed'})}")
    write("  failures by check:" + ("" if by_check else " none"))
    for check, n in sorted(by_check.items(), key=lambda kv: -kv[1]):
        write(f"    {check:<40} {n}")
    failing = {op: c for op, c in results.items() if set(c) - {"passed"}}
    if failing:
        write("  failing operations:")
        for op, counts in sorted(failing.items()):
            write(f"    {op:<60} {', '.join(sorted(set(counts) - {'passed'}))}")
