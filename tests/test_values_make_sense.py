"""Values that make sense (issue 9): successful actions say so, error fields are null on
success, booleans are booleans, money adds up, counts agree with the lists they count, and a
resource made a moment ago has no activity yet. Checked over every operation's answer (under
the value-class test's seeds) and on the issue's own cases."""

from __future__ import annotations

import time

import pytest

from mockserver.onlyfans.relations import FEE_SHARE
from mockserver.onlyfans.values import parse_moment
from mockserver.spec.load import load_spec

from .conftest import ACCOUNT
from .every_operation import answered
from .test_value_classes import SEEDS, _resolve

ALPHA = {"Authorization": "Bearer ofapi_demo_alpha"}
TRIAL = {"duration": 7, "offerExpiration": 30, "offerLimit": 10}
SPEC = load_spec()
SCHEMAS = SPEC["components"]["schemas"]
OPERATIONS = {op["operationId"]: op for item in SPEC["paths"].values() for op in item.values() if "responses" in op}


def nodes(value, schema: dict, at: str = "$"):
    """(path, value, resolved schema) of every value of an answer, with the schema it answers to."""
    schema = _resolve(schema, SCHEMAS)
    union = schema.get("anyOf") or schema.get("oneOf")
    if union:
        schema = _resolve(union[0], SCHEMAS)
    yield at, value, schema
    if isinstance(value, dict):
        props, extra = schema.get("properties", {}), schema.get("additionalProperties")
        for key, item in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                yield from nodes(item, sub, f"{at}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from nodes(item, schema["items"], f"{at}[{i}]")


def every_node(seed: int):
    for answer in answered(seed):
        if answer.body is not None and answer.status < 300:
            content = OPERATIONS[answer.call.op_id]["responses"][str(answer.status)]["content"]
            for at, value, schema in nodes(answer.body, content["application/json"]["schema"]):
                yield answer.call.op_id, at, value, schema


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@pytest.mark.slow  # every operation, three worlds: not in `make check`
@pytest.mark.parametrize("seed", SEEDS)
def test_successful_actions_say_success(seed):
    answers = ("$.success", "$.data.success")  # what the action answers (not a record it shows)
    failed = [f"{op} {at}" for op, at, value, _ in every_node(seed) if at in answers and value is False]
    assert failed == []


@pytest.mark.slow  # every operation, three worlds: not in `make check`
@pytest.mark.parametrize("seed", SEEDS)
def test_booleans_are_booleans(seed):
    """No answer carries a boolean written as a string, where the field is a boolean or not."""
    worded = [f"{op} {at}" for op, at, value, _ in every_node(seed) if value in ("true", "false")]
    typed = [f"{op} {at}: {v!r}" for op, at, v, s in every_node(seed) if s.get("type") == "boolean" and v is not None]
    assert worded == []
    assert [t for t in typed if not t.endswith((": True", ": False"))] == []


@pytest.mark.slow  # every operation, three worlds: not in `make check`
@pytest.mark.parametrize("seed", SEEDS)
def test_money_adds_up(seed):
    """Every object that declares a money relation (`x-money`): gross = net + fee, the fee is
    OnlyFans' share of the gross, and none is negative."""
    checked, wrong = 0, []
    for op, at, value, schema in every_node(seed):
        fields = schema.get("x-money")
        if not isinstance(fields, dict) or not isinstance(value, dict):
            continue
        amounts = {role: _number(value.get(name)) for role, name in fields.items() if name in value}
        if amounts.get("gross") is None or amounts.get("net") is None:
            continue
        checked += 1
        gross, net = amounts["gross"], amounts["net"]
        fee = amounts.get("fee", gross - net)
        whole = any(type(value.get(name)) is int for name in fields.values())
        slack = 1.0 if whole else 0.011  # a cent (whole amounts: a dollar)
        share = abs(fee - gross * FEE_SHARE) > slack + gross * 0.001
        if min(gross, net, fee) < 0 or abs(gross - net - fee) > slack or share:
            wrong.append(f"{op} {at}: gross {gross}, net {net}, fee {fee}")
    assert checked > 20
    assert wrong == []


@pytest.mark.slow  # every operation, three worlds: not in `make check`
@pytest.mark.parametrize("seed", SEEDS)
def test_counts_agree_with_the_lists_they_count(seed):
    checked, wrong = 0, []
    for op, at, value, schema in every_node(seed):
        for count, items in (schema.get("x-counts") or {}).items():
            if isinstance(value, dict) and isinstance(value.get(items), list) and count in value:
                checked += 1
                if value[count] != len(value[items]):
                    wrong.append(f"{op} {at}.{count} = {value[count]}, {items} has {len(value[items])}")
    assert checked > 20
    assert wrong == []


def test_the_issues_cases(client):
    """Net above gross on earning statistics, `success: false` on chat actions, error fields on a
    successful auth attempt, `subscribedOn: "false"` on expired fans."""
    earnings = client.get(f"/api/{ACCOUNT}/payouts/earning-statistics", headers=ALPHA).json()["data"]["list"]
    for month in earnings["months"].values():
        assert month["total_net"] <= month["total_gross"]
        for kind in ("tips", "subscribes"):
            assert all(0 <= row["net"] <= row["gross"] for row in month.get(kind) or [])
    statement = client.get(
        f"/api/{ACCOUNT}/statistics/statements/earnings",
        headers=ALPHA,
        params={"start_date": "2026-01-01", "end_date": "2026-02-01"},
    ).json()["data"]["total"]
    assert 0 <= statement["total"] <= statement["gross"]
    chat = client.get(f"/api/{ACCOUNT}/chats?limit=1", headers=ALPHA).json()["data"][0]["fan"]["id"]
    for method, action in (("post", "mute"), ("delete", "unmute"), ("post", "hide"), ("post", "mark-as-read")):
        r = client.request(method, f"/api/{ACCOUNT}/chats/{chat}/{action}", headers=ALPHA)
        assert r.json()["data"] == {"success": True}, (action, r.text)
    assert client.delete(f"/api/{ACCOUNT}/chats/{chat}", headers=ALPHA).json()["data"] == {"success": True}
    attempt = client.post(
        "/api/authenticate", headers=ALPHA, json={"email": "no2fa@example.com", "password": "correct-password"}
    ).json()["attempt_id"]
    polled = client.get(f"/api/authenticate/{attempt}", headers=ALPHA).json()
    assert polled["lastAttempt"]["success"] is True
    assert polled["lastAttempt"]["error_code"] is None and polled["lastAttempt"]["error_message"] is None
    expired = client.get(f"/api/{ACCOUNT}/fans/expired?limit=20", headers=ALPHA).json()["data"]["list"]
    assert expired and all(fan["subscribedOn"] in (None, False) for fan in expired)


def test_a_resource_made_a_moment_ago_has_no_activity_yet(client):
    post = client.post(f"/api/{ACCOUNT}/posts", headers=ALPHA, json={"text": "hello"}).json()["data"]
    assert (post["likesCount"], post["tipsAmount"], post["isLiked"]) == (0, "$0", False)
    assert abs(parse_moment(post["postedAt"]).timestamp() - time.time()) < 60  # made now
    assert post["mediaCount"] == len(post.get("media", []))
    trial = client.post(f"/api/{ACCOUNT}/trial-links", headers=ALPHA, json=TRIAL).json()["data"]
    assert (trial["clicksCounts"], trial["claimCounts"], trial["subscribeCounts"]) == (0, 0, 0)
    listed = client.post(f"/api/{ACCOUNT}/user-lists", headers=ALPHA, json={"name": "New list"}).json()["data"]
    assert listed["usersCount"] == len(listed["users"]) == 0 and listed["postsCount"] == 0
    link = client.post(
        "/api/smart-links", headers=ALPHA, json={"account_id": ACCOUNT, "link_type": "tracking_link", "name": "New"}
    ).json()["data"]
    assert (link["clicks_count"], link["conversions_count"], link["revenue"]) == (0, 0, "0.00")
    no_cost = {"inputMode": None, "inputValue": None, "perSub": None, "perClick": None, "perPromo": None}
    assert link["cost"] == {**no_cost, "clickSourceCount": 0, "subscriberSourceCount": 0}  # as OFAPI shows a new link
    assert client.get(f"/api/smart-links/{link['id']}", headers=ALPHA).json()["data"]["cost"] == link["cost"]
    clicks = client.get(f"/api/smart-links/{link['id']}/clicks", headers=ALPHA).json()["data"]
    assert clicks["rows"] == [] and clicks["summary"]["clicks_total"] == 0
