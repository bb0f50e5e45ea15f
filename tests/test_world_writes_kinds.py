"""Writes to the fake OnlyFans beyond the round trip: bad input changes nothing, an upload's
prefixed id attaches it, new objects go through the CDN rewrite and OFAPI's stored links, the
overlay of every kind survives a SIGKILL, and the official SDK sees a sent message first."""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import running_server, start_server

from .conftest import ACCOUNT

H = {"Authorization": "Bearer kinds-team"}


@pytest.fixture(scope="module")
def client():
    with create_app(Settings()).test_client() as c:
        yield c


def data(response):
    assert response.status_code == 200, response.text
    return response.json()["data"]


def rows(payload):
    return payload if isinstance(payload, list) else payload["list"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("trial-links", {"duration": 7, "offerLimit": 1, "offerExpiration": 2**51}, "offerExpiration"),
        ("promotions", {"discount": 10, "expirationDays": 2**51, "offerLimit": 1, "type": "new"}, "expirationDays"),
    ],
)
def test_a_date_no_calendar_holds_is_a_422_and_nothing_is_created(client, path, body, field):
    def listed() -> list:
        page = client.get(f"/api/{ACCOUNT}/{path}", headers=H).json()["data"]
        return [item["id"] for item in page.get("list", page.get("items", []))]

    before = listed()
    got = client.post(f"/api/{ACCOUNT}/{path}", headers=H, json=body)
    assert got.status_code == 422, got.text
    assert field in got.json()["errors"]
    assert listed() == before
