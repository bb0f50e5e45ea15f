"""Credits with leases (store/balances.py): a large balance pays most calls from a worker's
lease, never spending beyond the balance; a small one is debited call by call, exactly; what a
worker holds goes back when it closes."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.onlyfans.world import load_fixtures
from mockserver.settings import Settings
from mockserver.store.store import Store

WHERE = ("fans/active", "")


def _store(path, credits):
    return Store(Settings(store_path=str(path / "s.sqlite"), initial_credits=credits), load_fixtures())


def _pay(store, tenant, amount):
    balance = store.balances.take(tenant, amount, WHERE)
    if balance is None:
        with store.db.tx() as db:
            balance = store.balances.reserve(db, tenant, amount, WHERE)
    return balance


def test_a_small_balance_is_debited_call_by_call(tmp_path):
    store = _store(tmp_path, 20)
    assert [_pay(store, "t", 1) for _ in range(21)] == [*range(19, -1, -1), None]
    assert store.balances.balance("t") == 0


def test_a_large_balance_pays_from_leases_and_shows_the_true_balance(tmp_path):
    store = _store(tmp_path, 100_000)
    assert [_pay(store, "t", 1) for _ in range(100)] == list(range(99_999, 99_899, -1))
    stored = store.db.rows("SELECT balance FROM balances WHERE tenant = 't'")[0][0]
    assert stored < 99_900  # a lease is out
    store.close()
    again = _store(tmp_path, 100_000)
    assert again.balances.balance("t") == 99_900  # given back on close


@settings(max_examples=15, deadline=None)
@given(workers=st.integers(2, 4), credits=st.sampled_from([2_000, 5_000, 9_000]), seed=st.integers(0, 2**32))
def test_workers_sharing_a_balance_never_spend_beyond_it(tmp_path_factory, workers, credits, seed):
    order, path = random.Random(seed), tmp_path_factory.mktemp("c")
    stores = [_store(path, credits) for _ in range(workers)]
    try:
        paid = 0
        for _ in range(credits + 300):
            amount = order.choice((1, 1, 1, 2, 5))
            paid += amount if _pay(stores[order.randrange(workers)], "t", amount) is not None else 0
        assert credits - 64 * workers <= paid <= credits
    finally:
        for store in stores:
            store.close()
    left = _store(path, credits)
    assert left.balances.balance("t") == credits - paid  # every lease given back
