"""Answers a worker keeps for repeated reads (ofapi/answers.py) are exactly what it would render
again, still count and cost as an OnlyFans call, and are dropped by every change that would
change them: a write to the account, a reset to another seed."""

from __future__ import annotations

import pytest

from mockserver.app import create_app
from mockserver.settings import Settings

from .conftest import ACCOUNT

KEY = {"Authorization": "Bearer answers-team"}


@pytest.fixture
def client():
    with create_app(Settings()).test_client() as c:
        yield c


def _data(r):
    return r.json()["data"]


def test_a_kept_answer_is_the_rendered_one_and_still_an_upstream_call(client):
    path = f"/api/{ACCOUNT}/fans/active?limit=5"
    client.get(path, headers=KEY)  # the first sighting of its files: not kept
    second, third = client.get(path, headers=KEY), client.get(path, headers=KEY)
    assert len(client.app.ofapi.answers) == 1
    assert _data(second) == _data(third)
    assert third.headers["X-Mock-Upstream-Calls"] == "1" and third.json()["_meta"]["_credits"]["used"] == 1
    assert third.json()["_meta"]["_credits"]["balance"] == second.json()["_meta"]["_credits"]["balance"] - 1
    fresh = create_app(Settings()).test_client()
    with fresh:
        for _ in range(2):
            again = fresh.get(path, headers=KEY)
    assert _data(again) == _data(third)  # another worker renders the same bytes


def test_a_write_drops_the_kept_answers_it_changes(client):
    chats, top = f"/api/{ACCOUNT}/chats?limit=1", f"/api/{ACCOUNT}/engagement/messages/top-message"
    for _ in range(3):
        client.get(chats, headers=KEY)
        sent_before = _data(client.get(top, headers=KEY))["purchases"]["sentCount"]
    assert len(client.app.ofapi.answers) >= 2
    sent = client.post(f"/api/{ACCOUNT}/chats/4242/messages", headers=KEY, json={"text": "new"}).json()["data"]
    assert _data(client.get(chats, headers=KEY))[0]["lastMessage"]["id"] == sent["id"]
    assert _data(client.get(top, headers=KEY))["purchases"]["sentCount"] == sent_before + 1


def test_a_reset_to_another_seed_drops_every_kept_answer(client):
    path = f"/api/{ACCOUNT}/fans/active?limit=1"
    for _ in range(3):
        before = _data(client.get(path, headers=KEY))["list"][0]["id"]
    client.post("/_mock/reset", json={"seed": 77})
    assert _data(client.get(path, headers=KEY))["list"][0]["id"] != before
