"""CORS, on by default: a browser front-end on another origin can call the mock (preflights
answered for any origin and every method the spec has; errors carry the headers too; the
headers OFAPI's clients read are exposed). `--no-cors` turns it off."""

from __future__ import annotations

import httpx
import pytest

from mockserver.testing import running_server

from .conftest import ACCOUNT

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

ORIGIN = "http://localhost:5173"
PATH = f"/api/{ACCOUNT}/fans/active"


@pytest.fixture(scope="module")
def base():
    with running_server() as url:
        yield url


@pytest.fixture(scope="module")
def closed_base():
    with running_server("--no-cors") as url:
        yield url


def preflight(base: str, path: str, method: str, headers: str = "authorization") -> httpx.Response:
    request_headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }
    return httpx.options(base + path, headers=request_headers)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", PATH),
        ("POST", "/api/smart-links"),
        ("PUT", "/api/webhooks/wh_1"),
        ("PATCH", "/api/smart-link-postbacks/1"),
        ("DELETE", "/api/smart-links/x"),
    ],
)
def test_a_preflight_is_answered_for_any_origin_and_every_method_of_the_spec(base, method, path):
    answer = preflight(base, path, method, "authorization, content-type, idempotency-key, prefer, x-stainless-lang")
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert method in answer.headers["access-control-allow-methods"].split(", ")
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "prefer", "x-stainless-lang"} <= allowed


def test_a_preflight_always_names_the_headers_ofapi_clients_send(base):
    asked = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
    answer = httpx.options(base + PATH, headers={**asked, "Access-Control-Request-Private-Network": "true"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-private-network"] == "true"  # a public page, a local mock
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "idempotency-key", "prefer"} <= allowed


def test_a_method_the_spec_does_not_have_is_refused_with_json(base):
    answer = preflight(base, PATH, "TRACE")
    assert answer.status_code == 400
    assert "TRACE" in answer.json()["error"]


def test_simple_requests_and_errors_carry_cors_headers(base):
    ok = httpx.get(base + PATH, headers={"Origin": ORIGIN, "Authorization": "Bearer test"})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in ok.headers["access-control-expose-headers"].split(",")}
    assert {"x-ofapi-credits-balance", "x-rate-limit-remaining-minute", "retry-after", "x-mock-operation"} <= exposed
    refused = httpx.get(base + PATH, headers={"Origin": ORIGIN})  # no key: OFAPI's 401, still readable
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*"
    unknown = httpx.get(base + "/api/no/such/thing/here", headers={"Origin": ORIGIN, "Authorization": "Bearer test"})
    assert unknown.status_code == 404
    assert unknown.headers["access-control-allow-origin"] == "*"


def test_no_cors_turns_it_off(closed_base):
    answer = preflight(closed_base, PATH, "GET")
    assert answer.status_code == 405
    assert "access-control-allow-origin" not in answer.headers
    ok = httpx.get(closed_base + PATH, headers={"Origin": ORIGIN, "Authorization": "Bearer test"})
    assert ok.status_code == 200
    assert "access-control-allow-origin" not in ok.headers
