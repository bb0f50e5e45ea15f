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


WRITES = [  # (method, path, body): a session of writes to the fake OnlyFans
    ("POST", f"/api/{ACCOUNT}/user-lists", {"name": "Whales"}),
    ("POST", f"/api/{ACCOUNT}/posts", {"text": "New set tonight"}),
    ("POST", f"/api/{ACCOUNT}/posts/labels", {"name": "Drafts"}),
]
READS = [
    f"/api/{ACCOUNT}/user-lists",
    f"/api/{ACCOUNT}/posts?limit=5",
    f"/api/{ACCOUNT}/posts/labels",
    f"/api/{ACCOUNT}/chats?limit=5",
    f"/api/{ACCOUNT}/me",
]


def _session(seed: int) -> list[str]:
    """The reads after the same writes, with the moments the server clock wrote blanked (the one
    thing a second session cannot repeat)."""
    import re
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    marker = str(int(now.timestamp()))[:6]  # OnlyFans' markers: Unix times
    clock = re.compile(rf'"({now:%Y-%m-%d}T[0-9:.]+(Z|\+00:00)|{marker}\d{{4}}\.\d{{6}})"')
    with create_app(Settings(seed=seed)).test_client() as client:
        chat = client.get(f"/api/{ACCOUNT}/chats", params={"limit": 1}, headers=AUTH).json()["data"][0]["fan"]["id"]
        writes = [*WRITES, ("POST", f"/api/{ACCOUNT}/chats/{chat}/messages", {"text": "hi"})]
        for method, path, body in writes:
            assert client.request(method, path, json=body, headers=AUTH).status_code == 200, path
        bodies = [client.get(path, headers=AUTH).json()["data"] for path in READS]
    return [clock.sub('"<now>"', json.dumps(body, sort_keys=True)) for body in bodies]


def test_the_same_seed_and_the_same_writes_give_the_same_answers():
    first, second = _session(4010), _session(4010)
    assert first == second
    assert '"<now>"' in first[0] + first[1]  # the writes are in what was compared
