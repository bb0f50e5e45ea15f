"""Same seed, byte-identical answers (across processes, whatever the hash seed); another seed
gives another world."""

import json
import urllib.request

import pytest

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import running_server

from .conftest import ACCOUNT, AUTH

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

PATHS = [
    f"/api/{ACCOUNT}/fans/active?limit=5",
    f"/api/{ACCOUNT}/chats?limit=3",
    f"/api/{ACCOUNT}/transactions",
    f"/api/{ACCOUNT}/media/vault",
    f"/api/{ACCOUNT}/users/somebody",
    f"/api/{ACCOUNT}/posts/12345",
    "/api/acct_XXXXXXXXXXXXXXX/statistics/overview",
    "/api/accounts",
]


def fetch(base: str, path: str) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(base + path, headers=AUTH)) as r:
        return r.read()


def bodies_in_process(seed: int | None) -> list[bytes]:
    with create_app(Settings(seed=seed)).test_client() as c:
        return [_comparable(c.get(p, headers=AUTH).content, "http://testserver") for p in PATHS]


@pytest.fixture(scope="module")
def default_bodies():
    return bodies_in_process(None)


def test_two_servers_with_the_same_seed_answer_identically(default_bodies):
    with running_server() as one, running_server() as other:
        first = [_comparable(fetch(one, p), one) for p in PATHS]
        second = [_comparable(fetch(other, p), other) for p in PATHS]
    assert first == second == default_bodies


def test_a_different_seed_gives_a_different_world(default_bodies):
    other = bodies_in_process(7)
    assert all(a != b for a, b in zip(default_bodies, other, strict=True))


def _comparable(body: bytes, base: str) -> bytes:
    """The body without what differs by design: `_meta` (balances and rate-limit counters depend
    on the calls that came before) and the server's own address in `next_page` links."""
    doc = json.loads(body.replace(base.encode(), b""))
    if isinstance(doc, dict):
        doc.pop("_meta", None)
    return json.dumps(doc).encode()
