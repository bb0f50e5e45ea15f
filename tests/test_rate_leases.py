"""Rate windows with leases (store/windows.py): a large limit is counted a lease at a time,
never admitting beyond it; a small one hit by hit, exactly."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.onlyfans.world import load_fixtures
from mockserver.settings import Settings
from mockserver.store.store import Store


def _store(path):
    return Store(Settings(store_path=str(path / "s.sqlite")), load_fixtures())


def _hit(store, key, minute, limit):
    used = store.windows.leased(key, minute)
    if used is None:
        with store.db.tx() as db:
            used = store.windows.hit(db, key, minute, limit)
    return used


def test_a_small_limit_is_counted_hit_by_hit(tmp_path):
    store = _store(tmp_path)
    assert [_hit(store, "k", 1, 10) for _ in range(12)] == list(range(1, 13))
    assert store.windows.used("k", 1) == 12  # every hit is in the store


def test_a_large_limit_takes_leases_and_writes_once_per_lease(tmp_path):
    store = _store(tmp_path)
    ordinals = [_hit(store, "k", 1, 1_000_000) for _ in range(130)]
    assert ordinals == list(range(1, 131))
    assert store.windows.used("k", 1) == 192  # three leases of 64
    assert _hit(store, "k", 2, 1_000_000) == 1  # a new minute: a new window


@settings(max_examples=20, deadline=None)
@given(workers=st.integers(2, 4), limit=st.sampled_from([2_000, 5_000, 20_000]), seed=st.integers(0, 2**32))
def test_workers_sharing_a_window_never_admit_beyond_the_limit(tmp_path_factory, workers, limit, seed):
    order = random.Random(seed)
    path = tmp_path_factory.mktemp("w")
    stores = [_store(path) for _ in range(workers)]
    try:
        admitted, turns = 0, itertools.cycle(range(workers))
        for _ in range(limit + 300):
            store = stores[order.randrange(workers) if order.random() < 0.5 else next(turns)]
            admitted += _hit(store, "k", 1, limit) <= limit
        assert limit - 64 * workers <= admitted <= limit
    finally:
        for store in stores:
            store.close()
