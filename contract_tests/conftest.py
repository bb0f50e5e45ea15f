"""Options for the contract kit: point it at the mock (default: start one), your own server or
the real API.

    pytest contract_tests                                   # against a mock it starts itself
    pytest contract_tests --base-url http://127.0.0.1:4010  # against a running server
"""

import os

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("ofapi contract")
    group.addoption(
        "--base-url", default=os.environ.get("OFAPI_BASE_URL"), help="server under test (default: start the mock)"
    )
    group.addoption(
        "--api-key", default=os.environ.get("OFAPI_API_KEY", "test"), help="bearer key sent with every request"
    )


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
