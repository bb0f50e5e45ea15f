"""The contract kit's options: point it at the mock (default: it starts one), your own server
or the real API.

    pytest contract_tests                                                 # a mock it starts itself
    pytest contract_tests --base-url http://127.0.0.1:4010 --api-key test # a running server
    ofapi-mock contract --base-url URL [--report]                         # the same, with progress by operation

Before anything runs, the target must answer and accept the API key (contract_tests/target.py):
otherwise the run stops with one line saying so. Against a server that is not the mock (it does
not answer `GET /_mock/info`), only read operations run unless `--allow-writes` is given: a real
account is never changed by accident. An operation that never got a 2xx answer is reported as
not exercised, not as passed (contract_tests/results.py).
"""

from __future__ import annotations

import inspect
import os
from collections import Counter

import pytest
import requests

from . import results, target

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


def pytest_configure(config):
    for option, variable in SELECTION.items():
        value = config.getoption(option, default=None)
        if value is not None:
            os.environ[variable] = str(value)
    base = config.getoption("--base-url", default=None)
    api_key = config.getoption("--api-key", default="test")
    if base:
        try:
            mock = target.check(base.rstrip("/"), api_key)
        except target.Unusable as exc:
            raise pytest.UsageError(str(exc)) from None
    elif not api_key:
        raise pytest.UsageError(
            "--api-key is empty: the mock answers 401 to every call without a key; pass any key, e.g. --api-key test"
        )
    writes = not base or config.getoption("--allow-writes", default=False) or mock
    os.environ["OFAPI_CONTRACT_READ_ONLY"] = "" if writes else "1"
    os.environ["OFAPI_CONTRACT_MOCK"] = "1" if not base or mock else ""


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


@pytest.fixture
def session(request):
    """The HTTP session a test's calls go through; it notes the status of every answer."""
    statuses = request.node.stash.setdefault(results.STATUSES, Counter())
    with requests.Session() as s:
        s.hooks["response"].append(lambda response, *args, **kwargs: statuses.update([response.status_code]))
        yield s


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    statuses = item.stash.get(results.STATUSES, None)
    if call.when == "call" and report.passed and statuses is not None and results.expects_success(item.config):
        if not any(200 <= status < 300 for status in statuses):
            seen = ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items())) or "no call made"
            what = getattr(item, "operation_label", None) or item.name
            report.outcome = "skipped"
            report.longrepr = (str(item.path), _line(item), f"not exercised: {what} never answered 2xx ({seen})")
            report.not_exercised = True
    results.record(item, report, call)
    return report


def _line(item) -> int:
    """The (0-based) line of the test function an item runs, for the skip's location."""
    function = inspect.unwrap(getattr(item, "test_function", None) or item.function)
    return function.__code__.co_firstlineno - 1


def pytest_sessionfinish(session, exitstatus):
    """A run in which no operation got a 2xx answer tested nothing: it fails."""
    found = session.config.stash.get(results.RESULTS, {})
    if exitstatus == 0 and not hasattr(session.config, "workerinput") and results.nothing_tested(found):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    found = config.stash.get(results.RESULTS, {})
    if not found:
        return
    full = config.getoption("--report", default=False)
    looked_at = any(r.outcome in ("failed", results.NOT_EXERCISED) for r in found.values())
    if full or exitstatus or looked_at:
        results.summary(terminalreporter.write_line, found, full)
    if results.nothing_tested(found):
        terminalreporter.write_line("FAILED: no operation got a 2xx answer: nothing was tested", red=True, bold=True)
