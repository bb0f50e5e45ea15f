"""Prism-compatible request preferences, through the real server: `Prefer: code=NNN` answers that
status with a body valid against the spec's schema for it, `example=NAME` a named example of the
spec, `dynamic=true|false` generated or fixed payloads; anything else in `Prefer` is a 400
naming it. A preferred answer comes from the spec: the operation does not run."""

from __future__ import annotations

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from mockserver.spec.load import load_spec
from mockserver.testing import running_server

from .conftest import ACCOUNT

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

SPEC = load_spec()
FANS = f"/api/{ACCOUNT}/fans/active"
KEY = {"Authorization": "Bearer prefer-tests"}


@pytest.fixture(scope="module")
def http():
    with running_server() as base, httpx.Client(base_url=base, headers=KEY) as client:
        yield client


def response_of(path: str, method: str, status: int) -> dict:
    """The spec's response for a status of an operation (its own, else a common one), dereferenced."""
    responses = SPEC["paths"][path][method]["responses"]
    response = responses.get(str(status)) or SPEC["x-common-responses"][str(status)]
    while "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def assert_valid(body, path: str, method: str, status: int) -> None:
    schema = response_of(path, method, status)["content"]["application/json"]["schema"]
    errors = list(OAS30Validator({**schema, "components": SPEC["components"]}).iter_errors(body))
    assert errors == [], f"{method} {path} {status}: {errors[0].message}"


def prefer(http: httpx.Client, value: str, path: str = FANS, method: str = "GET", **kwargs) -> httpx.Response:
    return http.request(method, path, headers={"Prefer": value}, **kwargs)


@pytest.mark.parametrize("status", [400, 401, 402, 404, 422, 429, 500, 502, 503, 504])
def test_code_answers_that_status_with_a_body_valid_against_its_schema(http, status):
    answer = prefer(http, f"code={status}")
    assert answer.status_code == status
    assert answer.headers["preference-applied"] == f"code={status}"
    assert answer.headers["x-mock-operation"] == "fansListActive"
    assert_valid(answer.json(), "/api/{account}/fans/active", "get", status)


@pytest.mark.parametrize(
    ("path", "template", "method", "status"),
    [
        ("/api/smart-links", "/api/smart-links", "post", 404),
        ("/api/smart-links", "/api/smart-links", "post", 503),
        ("/api/whoami", "/api/whoami", "get", 500),
        (f"/api/{ACCOUNT}/chats/1/messages", "/api/{account}/chats/{chat_id}/messages", "post", 409),
    ],
)
def test_code_works_on_any_operation(http, path, template, method, status):
    body = {"text": "hi"} if "chats" in path else {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "x"}
    answer = prefer(http, f"code={status}", path, method.upper(), json=body if method == "post" else None)
    assert answer.status_code == status
    assert_valid(answer.json(), template, method, status)


def test_code_429_says_when_to_retry(http):
    answer = prefer(http, "code=429")
    assert int(answer.headers["retry-after"]) >= 0
    assert answer.json() == {"error": "Too many requests."}


def test_codes_without_a_json_body(http):
    deleted = prefer(http, "code=204", "/api/fan-summary-categories/fan_cat_x", "DELETE")
    assert (deleted.status_code, deleted.content) == (204, b"")
    cdn = "https%3A%2F%2Fcdn2.onlyfans.com%2Ffiles%2Fa%2Fab%2Fabc%2F1.jpg"
    redirected = prefer(http, "code=302", f"/api/{ACCOUNT}/media/download/{cdn}", follow_redirects=False)
    assert redirected.status_code == 302
    assert redirected.headers["location"].startswith("https://")


def test_example_answers_a_named_example_of_the_spec(http):
    answer = prefer(http, "example=account_disconnected")  # found among the 404's examples
    assert answer.status_code == 404
    assert answer.json() == {"error": "Account acct_0123456789abcdef0123456789abcdef is not connected."}
    both = prefer(http, "code=503, example=unavailable")
    assert both.status_code == 503
    assert both.json()["onlyfans_response"] == {"status": 503, "body": None}
    assert both.headers["preference-applied"] == "code=503, example=unavailable"


def test_dynamic_payloads_are_generated_and_fixed_ones_repeat(http):
    generated = [prefer(http, "dynamic=true").json() for _ in range(2)]
    fixed = [prefer(http, "dynamic=false").json() for _ in range(2)]
    normal = http.get(FANS).json()
    assert generated[0] != generated[1]
    assert fixed[0] == fixed[1] != normal
    for body in (*generated, *fixed):
        assert_valid(body, "/api/{account}/fans/active", "get", 200)
    assert prefer(http, "code=200").json() == fixed[0]  # the success status: a fixed payload too


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("return=minimal", "return"),
        ("code=abc", "abc"),
        ("code=418", "418"),
        ("example=nope", "nope"),
        ("code=404, example=unavailable", "unavailable"),
        ("dynamic=maybe", "maybe"),
    ],
)
def test_a_preference_the_mock_cannot_honour_is_a_400_naming_it(http, value, named):
    answer = prefer(http, value)
    assert answer.status_code == 400
    assert named in answer.json()["error"]


def test_preferences_apply_to_valid_authenticated_requests_only(http):
    assert prefer(http, "code=404", f"{FANS}?limit=999").status_code == 422
    unauthenticated = httpx.get(str(http.base_url).rstrip("/") + FANS, headers={"Prefer": "code=404"})
    assert unauthenticated.status_code == 401


def test_a_preferred_answer_runs_no_operation(http):
    before = http.get("/api/smart-links").json()["data"]
    body = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "preferred"}
    created = prefer(http, "dynamic=true", "/api/smart-links", "POST", json=body)
    assert created.status_code == 200
    assert_valid(created.json(), "/api/smart-links", "post", 200)
    assert http.get("/api/smart-links").json()["data"] == before
    assert created.headers.get("x-ofapi-credits-used") is None
