"""Lenient mode (`--lenient`), for SDK suites generated from the spec: every official SDK method
called the way such a suite calls it (made-up ids, placeholder values, no state prepared, the
conditional fields OFAPI requires left out) succeeds on a lenient server, and still gets OFAPI's
404 / 409 / 422 on a default one."""

from __future__ import annotations

import time

import httpx
import pytest
from onlyfansapi import APIStatusError, OnlyFansAPI

from mockserver.testing import running_server

from . import sdk_harness
from .sdk_harness import ACCOUNT, run, sdk_operations

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

MADE_UP = "wh_01JCZWQJZXQJZXQJZXQJZX"  # a webhook id (OFAPI writes them `wh_…`) no one created
EXPORT = {"type": "transactions", "file_type": "csv", "start_date": "2024-01-01", "end_date": "2024-01-31"}


@pytest.fixture(scope="module")
def lenient_base():
    with running_server("--lenient", "--export-seconds", "60") as base:
        yield base


@pytest.fixture(scope="module")
def faithful_base():
    with running_server("--export-seconds", "60") as base:
        yield base


def sdk(base: str, key: str = "test") -> OnlyFansAPI:
    return OnlyFansAPI(api_key=key, base_url=base, _strict_response_validation=True, max_retries=0)


def placeholder_run(base: str, key: str):
    """Every SDK method, with the harness's placeholder arguments and nothing prepared."""
    saved = dict(sdk_harness.ONE_OF_REQUIRED)
    sdk_harness.ONE_OF_REQUIRED.clear()  # as a generated suite: conditional fields left out
    try:
        return run(sdk(base, key), sdk_operations())
    finally:
        sdk_harness.ONE_OF_REQUIRED.update(saved)


def test_every_sdk_method_with_made_up_ids_succeeds_when_lenient(lenient_base):
    report = placeholder_run(lenient_base, "lenient-suite")
    assert [f"{row['sdk_method']}: {exc}" for row, exc in report.failures] == []
    assert report.ok == len(sdk_operations()) == 265


def test_the_same_calls_get_ofapis_errors_by_default(faithful_base):
    report = placeholder_run(faithful_base, "faithful-suite")
    statuses = {row["sdk_method"]: getattr(exc, "status_code", None) for row, exc in report.failures}
    assert len(statuses) >= 25
    assert set(statuses.values()) <= {404, 409, 422}, statuses
    assert statuses["client.smart_links.retrieve"] == 404
    assert statuses["client.data_exports.start"] == 404
    assert statuses["client.smart_links.create"] == 422  # a free trial without its days
    assert statuses["client.chats.messages.send"] == 422  # neither text nor media


def test_a_made_up_id_answers_a_deterministic_resource_with_that_id(lenient_base):
    client = sdk(lenient_base, "lenient-ids")
    first = client.smart_links.retrieve("fuga").data
    again = client.smart_links.retrieve("fuga").data
    assert first.id == "fuga"
    assert first.model_dump() == again.model_dump()
    other_team = sdk(lenient_base, "lenient-ids-2").smart_links.retrieve("fuga").data
    assert other_team.name == first.name and other_team.account == first.account
    # it is stored: an update, a list and a delete see it
    moved = {"endpoint_url": "https://example.com/moved", "events": ["posts.liked"], "account_scope": "global"}
    client.webhooks.update(MADE_UP, **moved)
    hook = client.webhooks.retrieve(MADE_UP).data
    assert (hook.id, hook.url, hook.events) == (MADE_UP, "https://example.com/moved", ["posts.liked"])
    client.smart_links.delete("fuga")
    assert all(link.id != "fuga" for link in client.smart_links.list().data)


def test_state_machines_move_out_of_order_when_lenient(lenient_base, faithful_base):
    for base, expected in ((lenient_base, 200), (faithful_base, 409)):
        client = sdk(base, f"moves-{expected}")
        export = client.data_exports.create(**EXPORT, account_ids=[ACCOUNT]).data.id
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer moves-{expected}"}) as http:
            retried = http.post(f"/api/data-exports/{export}/retry")  # only a failed export can be retried
            cancelled = http.delete(f"/api/data-exports/{export}")  # still calculating: not running yet
        assert (retried.status_code, cancelled.status_code) == (expected, expected), (retried.text, cancelled.text)
    client = sdk(lenient_base, "moves-2fa")
    attempt = client.authenticate.start(email="no2fa@example.com", password="correct-password").attempt_id
    client.authenticate.submit_2fa(attempt, code="123456")  # no code was asked for
    deadline = time.monotonic() + 5
    while client.authenticate.poll_status(attempt).state != "authenticated" and time.monotonic() < deadline:
        time.sleep(0.05)


def test_placeholder_values_pass_where_only_ofapis_rules_object(lenient_base, faithful_base):
    args = {"account_id": "acct_XXXXXXXX", "link_type": "free_trial", "name": "Instagram Bio Link"}
    created = sdk(lenient_base).smart_links.create(**args).data
    assert (created.link_type, created.account.id) == ("free_trial", "acct_XXXXXXXX")
    with pytest.raises(APIStatusError) as refused:
        sdk(faithful_base).smart_links.create(**args)
    assert refused.value.status_code == 422
    assert "free_trial_days" in refused.value.body["errors"]


def test_the_spec_is_still_checked_when_lenient(lenient_base):
    with httpx.Client(base_url=lenient_base, headers={"Authorization": "Bearer test"}) as http:
        wrong_type = http.get(f"/api/{ACCOUNT}/fans/active", params={"limit": "many"})
        missing = http.post("/api/smart-links", json={"name": "no type, no account"})
        bad_enum = http.post("/api/smart-links", json={"account_id": ACCOUNT, "link_type": "nope", "name": "x"})
    assert wrong_type.status_code == missing.status_code == bad_enum.status_code == 422
    assert set(missing.json()["errors"]) == {"account_id", "link_type"}
    assert list(bad_enum.json()["errors"]) == ["link_type"]
