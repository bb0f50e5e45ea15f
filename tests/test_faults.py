"""Faults and latency on demand (`/_mock/faults`, `--latency`), through the real server: every
effect (each status with OFAPI's own body, added latency with jitter, a dropped connection),
matching by operationId, tag, path glob and method, first rule first; probability reproducible
from the seed; count and time windows, consumed exactly once across two workers; team rules
for the team, global ones for everyone; every injected fault marked in a header and the journal."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from mockserver.spec.load import load_spec
from mockserver.testing import running_server

from .conftest import ACCOUNT

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

SPEC = load_spec()
ADMIN = "fault-admin-token"
FANS = f"/api/{ACCOUNT}/fans/active"


@pytest.fixture(scope="module")
def base():
    with running_server("--admin-token", ADMIN) as url:
        yield url


@pytest.fixture(scope="module")
def slow_base():
    with running_server("--workers", "2", "--latency", "150", "--jitter", "100") as url:
        yield url


class Team:
    """A fresh team (its own API key) with its own fault rules."""

    def __init__(self, base: str, name: str):
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {name}"}, timeout=20)

    def fault(self, **rule) -> dict:
        answer = self.http.post("/_mock/faults", json=rule)
        assert answer.status_code == 201, answer.text
        return answer.json()["data"]

    def get(self, path: str = FANS, **kwargs) -> httpx.Response:
        return self.http.get(path, **kwargs)


@pytest.fixture
def team(base, request):
    team = Team(base, f"faults-{request.node.name}-{time.monotonic_ns()}")
    yield team
    team.http.post("/_mock/reset")
    team.http.close()


def assert_valid(body, status: int) -> None:
    response = SPEC["x-common-responses"][str(status)]
    response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    errors = list(OAS30Validator({**schema, "components": SPEC["components"]}).iter_errors(body))
    assert errors == [], errors[0].message


@pytest.mark.parametrize("status", [401, 402, 404, 429, 500, 502, 503, 504])
def test_a_status_fault_answers_ofapis_own_body_once(team, status):
    rule = team.fault(operation="fansListActive", status=status, times=1)
    faulted = team.get()
    assert faulted.status_code == status
    assert_valid(faulted.json(), status)
    assert faulted.headers["x-mock-fault"] == f"rule={rule['id']}; status={status}"
    assert faulted.headers["x-mock-operation"] == "fansListActive"
    assert team.get().status_code == 200  # the count is used up
    assert "x-mock-fault" not in team.get().headers


def test_fault_bodies_are_ofapis(team):
    team.fault(operation="fansListActive", status=404, times=1)
    team.fault(operation="fansListActive", status=429, times=1, retry_after=7)
    team.fault(operation="fansListActive", status=503, times=1)
    team.fault(operation="fansListActive", status=401, times=1)
    assert team.get().json() == {"error": f"Account {ACCOUNT} is not connected."}
    limited = team.get()
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "7")
    failed = team.get().json()
    assert failed["error"] == "ONLYFANS_COM_ERROR" and failed["onlyfans_response"]["status"] == 503
    assert team.get().json()["error"].startswith("Unauthorized.")
    team.fault(operation="smartLinksList", status=404, times=1)  # no account in the path
    assert team.get("/api/smart-links").json() == {"error": "Not found."}


def test_rules_match_by_operation_tag_path_and_method_first_rule_first(team):
    team.fault(path="/api/*/chats/*/messages", method="POST", status=502)
    team.fault(tag="Fans", status=503)
    team.fault(operation="fansList*", status=500)  # never reached for fans: the tag rule comes first
    team.fault(operation="smartLinksList", status=504)
    assert team.get().status_code == 503
    assert team.get(f"/api/{ACCOUNT}/fans/expired").status_code == 503
    assert team.http.post(f"/api/{ACCOUNT}/chats/1/messages", json={"text": "hi"}).status_code == 502
    assert team.get(f"/api/{ACCOUNT}/chats/1/messages").status_code == 200  # GET: the method does not match
    assert team.get("/api/smart-links").status_code == 504
    assert team.get("/api/whoami").status_code == 200


def test_probability_is_reproducible_from_the_seed(team):
    def pattern() -> list[bool]:
        rule = team.fault(operation="fansListActive", status=500, probability=0.5)
        seen = [team.get(params={"limit": 1}).status_code == 500 for _ in range(30)]
        assert team.http.delete(f"/_mock/faults/{rule['id']}").status_code == 200
        return seen

    first, second = pattern(), pattern()
    assert first == second  # the same rule again: the same draws
    assert 5 <= sum(first) <= 25


def test_a_time_window_ends(team):
    team.fault(operation="fansListActive", status=503, seconds=0.6)
    assert team.get().status_code == 503
    time.sleep(0.8)
    assert team.get().status_code == 200


def test_latency_with_jitter_then_the_real_answer(team):
    rule = team.fault(operation="fansListActive", latency_ms=300, jitter_ms=200, times=3)
    for _ in range(3):
        started = time.monotonic()
        slow = team.get()
        elapsed = time.monotonic() - started
        assert slow.status_code == 200 and slow.json()["data"]["list"]
        added = int(slow.headers["x-mock-fault"].rsplit("latency=", 1)[1])
        assert 300 <= added <= 500 and elapsed >= added / 1000
        assert slow.headers["x-mock-fault"].startswith(f"rule={rule['id']}; latency=")


def test_a_dropped_connection(team):
    team.fault(operation="fansListActive", drop=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        team.get()
    assert team.get().status_code == 200


def test_every_fault_is_in_the_journal(team):
    rule = team.fault(operation="fansListActive", status=503, times=1)
    team.fault(operation="fansListActive", drop=True, times=1)
    team.get()
    with pytest.raises(httpx.RemoteProtocolError):
        team.get()
    team.get()
    entries = [e for e in team.get("/_mock/journal", params={"kind": "request"}).json()["data"]]
    faults = [e.get("fault") for e in reversed(entries) if e["operation"] == "fansListActive"]
    assert faults[0] == {"rule": rule["id"], "status": 503}
    assert faults[1]["drop"] is True
    assert faults[2] is None


def test_team_rules_stay_in_the_team_and_admin_rules_reach_everyone(base, team):
    other = Team(base, "faults-other-team")
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN}"})
    team.fault(operation="fansListActive", status=503)
    assert other.get().status_code == 200
    everyone = admin.post("/_mock/faults", json={"operation": "whoamiRetrieve", "status": 500, "times": 2})
    assert everyone.status_code == 201 and everyone.json()["data"]["scope"] == "global"
    assert team.get("/api/whoami").status_code == 500
    assert other.get("/api/whoami").status_code == 500
    assert other.get("/api/whoami").status_code == 200
    listed = team.get("/_mock/faults").json()["data"]
    assert [r["scope"] for r in listed] == ["team", "global"]  # first first
    assert listed[1]["fired"] == 2 and listed[1]["times_left"] == 0
    assert other.http.delete(f"/_mock/faults/{listed[0]['id']}").status_code == 404  # not its own rule
    team.http.post("/_mock/reset")  # a team's reset forgets its rules
    assert team.get().status_code == 200
    assert admin.delete("/_mock/faults").status_code == 200
    assert admin.get("/_mock/faults").json()["data"] == []
    admin.close()
    other.http.close()


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"status": 418}, "status"),
        ({"operation": "noSuchOperation", "status": 500}, "operation"),
        ({"tag": "Nope", "status": 500}, "tag"),
        ({"path": "api/no-slash", "status": 500}, "path"),
        ({"method": "BREW", "status": 500}, "method"),
        ({"status": 500, "probability": 2}, "probability"),
        ({"status": 500, "times": 0}, "times"),
        ({"status": 500, "seconds": -1}, "seconds"),
        ({"latency_ms": 10**9}, "latency_ms"),
        ({"status": 500, "drop": True}, "drop"),
        ({"operation": "fansListActive"}, "status"),
        ({"status": 500, "color": "red"}, "color"),
        ({"status": "500"}, "status"),
    ],
)
def test_a_bad_rule_is_a_422_naming_the_field(team, rule, field):
    answer = team.http.post("/_mock/faults", json=rule)
    assert answer.status_code == 422
    assert field in answer.json()["errors"]
    assert team.get("/_mock/faults").json()["data"] == []


def test_faults_need_credentials(base):
    assert httpx.post(base + "/_mock/faults", json={"status": 500}).status_code == 401
    assert httpx.get(base + "/_mock/faults").status_code == 401


def test_global_latency_with_jitter(slow_base):
    answers = []
    for _ in range(4):
        started = time.monotonic()
        answer = httpx.get(slow_base + FANS, headers={"Authorization": "Bearer slow"})
        answers.append((answer, time.monotonic() - started))
    for answer, elapsed in answers:
        added = int(answer.headers["x-mock-fault"].removeprefix("latency="))
        assert 150 <= added <= 250 and elapsed >= added / 1000
    assert "x-mock-fault" not in httpx.get(slow_base + "/openapi.json").headers  # only the API is slowed


def test_a_count_is_consumed_exactly_once_across_workers(slow_base):
    key = {"Authorization": "Bearer count-across-workers"}
    created = httpx.post(
        slow_base + "/_mock/faults", headers=key, json={"operation": "whoamiRetrieve", "status": 503, "times": 7}
    )
    assert created.status_code == 201
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: httpx.get(slow_base + "/api/whoami", headers=key, timeout=30), range(40)))
    assert sum(a.status_code == 503 for a in answers) == 7
    assert {a.status_code for a in answers} == {200, 503}
    assert len({a.headers["x-mock-fault"] for a in answers if a.status_code == 200}) >= 1  # latency marked too


def test_a_server_slower_than_the_start_probe_still_starts():
    with running_server("--latency", "1500") as slow:  # the probe waits 1 s: it must not be slowed
        started = time.monotonic()
        assert httpx.get(slow + "/api/whoami", headers={"Authorization": "Bearer t"}).status_code == 200
        assert time.monotonic() - started >= 1.5
