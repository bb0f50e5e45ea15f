"""A smart link's traffic unfolds with time: what has happened by one moment is exactly what a
later reading shows up to that moment (nothing changes once it happened), a link has none in
its first minute, and 60 days on it has all of it."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.store.smart_links import _new, _traffic

DAY = 86400.0
ACCOUNT = "acct_0123456789abcdef0123456789abcdef"


def _link(app, ident: str):
    world = app.ofapi.world
    created = world.now.timestamp()
    body = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "traffic"}
    doc = _new(SimpleNamespace(world=world), body, ident, created)
    return doc, created


def _at(app, doc, when: float):
    return _traffic(SimpleNamespace(world=app.ofapi.world, clock=lambda: when), doc)


def _ids(rows, until: float) -> list[str]:
    return sorted(r["id"] for r in rows if r["_at"] <= until)


@settings(max_examples=60, deadline=None)
@given(ident=st.integers(1, 10**9).map(str), early=st.floats(0, 61), later=st.floats(0, 61))
def test_what_happened_by_a_moment_reads_the_same_later(app, ident, early, later):
    doc, created = _link(app, ident)
    early, later = sorted((created + early * DAY, created + later * DAY))
    clicks, conversions = _at(app, doc, early)
    clicks_later, conversions_later = _at(app, doc, later)
    assert _ids(clicks, early) == sorted(c["id"] for c in clicks)
    assert _ids(clicks_later, early) == sorted(c["id"] for c in clicks)
    assert _ids(conversions_later, early) == sorted(c["id"] for c in conversions)
    kept = {c["id"]: c for c in clicks_later}
    assert all(kept[c["id"]] == c for c in clicks)  # the same clicks, field for field


def test_a_new_link_has_no_traffic_and_an_old_one_all_of_it(app):
    doc, created = _link(app, "42")
    assert _at(app, doc, created) == ([], [])
    assert _at(app, doc, created + 59) == ([], [])  # its first minute is quiet
    clicks, conversions = _at(app, doc, created + 62 * DAY)
    assert 40 <= len(clicks) <= 120
    assert all(c["click"] is not None for c in conversions)


def test_clicks_spread_evenly_over_the_60_days(app):
    days = []
    for ident in range(30):
        doc, created = _link(app, f"spread-{ident}")
        clicks, _ = _at(app, doc, created + 62 * DAY)
        days += [(c["_at"] - created) / DAY for c in clicks]
    assert 0 <= min(days) and max(days) <= 60
    for lo in range(0, 60, 10):  # each 10-day stretch holds about a sixth of the clicks
        share = sum(lo <= d < lo + 10 for d in days) / len(days)
        assert 0.12 < share < 0.22, (lo, share)
