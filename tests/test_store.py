"""The store suite: every component of the store, the same tests on both backends (SQLite and
PostgreSQL). Where two workers or instances meet, the test opens the same location twice: two
`Store`s are two processes as far as the database can tell (two connections on SQLite, two
connection pools on PostgreSQL), and their threads run at once."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from mockserver.errors import ApiError
from mockserver.onlyfans.world import load_fixtures
from mockserver.settings import Settings
from mockserver.store import schema
from mockserver.store.backend import StoreError
from mockserver.store.deliveries import DELIVERING, FAILED, PENDING, SUCCEEDED
from mockserver.store.store import Store

from .pg import fresh_schema

FIXTURES = load_fixtures()
HOOK = {"id": "wh_1", "url": "http://127.0.0.1:9/hook", "events": ["messages.received"], "account_scope": "global"}


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])  # slow: a real server
def location(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return fresh_schema(request.getfixturevalue("postgres"))


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def open_store(location, clock):
    """Open the location (again): `open_store(**settings)` -> a Store, closed after the test."""
    opened = []

    def make(**settings) -> Store:
        store = Store(Settings(store_path=location, **settings), FIXTURES, clock=clock)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store):
    return open_store()


def together(n: int, fn, *args_each) -> list:
    """Run fn(i) for i in range(n) on n threads, released at once; their results in order."""
    gate = threading.Barrier(n)

    def run(i):
        gate.wait(timeout=30)
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


# -- schema and world state -------------------------------------------------------------------
def test_the_layout_is_created_once_and_versioned(open_store, location):
    first = open_store()
    first.docs.insert("thing", {"id": "a"}, "t1")
    again = open_store()  # a second start migrates nothing and loses nothing
    assert again.docs.get("thing", "a", "t1") == {"id": "a"}
    assert again.db.rows("SELECT value FROM meta WHERE name = 'schema_version'")[0][0] == str(schema.VERSION)


def test_instances_starting_at_once_on_a_new_store_all_come_up(open_store):
    stores = together(4, lambda i: open_store())
    assert len({id(s) for s in stores}) == 4
    stores[0].docs.insert("thing", {"id": "a"}, "t1")
    assert all(s.docs.get("thing", "a", "t1") for s in stores)


def test_a_store_of_a_newer_layout_is_refused_in_one_line(open_store):
    store = open_store()
    with store.db.tx() as db:
        db.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (str(schema.VERSION + 1),))
    with pytest.raises(StoreError, match="newer than this ofapi-mock") as err:
        open_store()
    assert "\n" not in str(err.value)


def test_state_and_bump(store):
    state = store.state()
    assert (state.seed, state.generation, state.media_epoch, state.accounts_epoch) == (None, 0, "0", 0)
    with store.db.tx() as db:
        store.bump(db, "generation")
        store.bump(db, "generation")
        store.bump(db, "accounts_epoch")
    state = store.state()
    assert (state.generation, state.accounts_epoch) == (2, 1)


def test_bumps_from_two_instances_at_once_all_count(open_store):
    a, b = open_store(), open_store()

    def bump(i):
        for _ in range(10):
            with (a if i % 2 else b).db.tx() as db:
                a.bump(db, "generation")

    together(6, bump)
    assert a.state().generation == 60


def test_a_transaction_inside_another_joins_it_and_fails_with_it(store):
    with pytest.raises(RuntimeError):
        with store.db.tx():
            store.docs.insert("thing", {"id": "a"}, "t1")
            with store.db.tx():
                store.docs.insert("thing", {"id": "b"}, "t1")
            assert store.docs.get("thing", "b", "t1") == {"id": "b"}  # a read inside sees the writes
            raise RuntimeError("undo both")
    assert store.docs.list("thing", "t1") == []


def test_a_single_statement_write_commits_at_once_for_every_instance(open_store):
    one, two = open_store(), open_store()
    assert one.db.write("INSERT INTO meta (name, value) VALUES ('x', '1')") == 1
    assert two.db.rows("SELECT value FROM meta WHERE name = 'x'")[0][0] == "1"
    assert two.db.write("DELETE FROM meta WHERE name = 'x'") == 1
    assert one.db.rows("SELECT value FROM meta WHERE name = 'x'") == []


# -- documents --------------------------------------------------------------------------------
def test_docs_insert_get_list_save_delete(store, clock):
    for n in range(5):
        clock.now += 1
        store.docs.insert("link", {"id": f"l{n}", "n": n}, "alpha", "acct_1")
    store.docs.insert("link", {"id": "l0", "n": 99}, "beta")  # the same id in another team
    assert [d["n"] for d in store.docs.list("link", "alpha")] == [0, 1, 2, 3, 4]
    assert [d["n"] for d in store.docs.list("link", "alpha", limit=2, offset=1)] == [1, 2]
    assert store.docs.count("link", "alpha") == 5
    assert store.docs.get("link", "l0", "beta") == {"id": "l0", "n": 99}
    assert store.docs.get("link", "l0", "gamma") is None
    store.docs.save("link", {"id": "l1", "n": 11}, "alpha")
    assert store.docs.get("link", "l1", "alpha")["n"] == 11
    assert store.docs.delete("link", "l1", "alpha") and not store.docs.delete("link", "l1", "alpha")
    assert not store.docs.delete("link", "l0", "gamma")
    assert sorted(t for t, _ in store.docs.every_team("link")) == ["alpha"] * 4 + ["beta"]
    with pytest.raises(Exception):  # noqa: B017 - each engine's own integrity error
        store.docs.insert("link", {"id": "l0"}, "alpha")


def test_docs_keep_any_text(store):
    body = {"id": "x", "text": "50% off ? 'quoted' \"double\" é 🎉 \\ back"}
    store.docs.insert("note", body, "t'eam?")
    assert store.docs.get("note", "x", "t'eam?") == body
    assert store.docs.list("note", "t'eam?") == [body]


def test_docs_change_from_two_instances_at_once_loses_no_update(open_store):
    a, b = open_store(), open_store()
    a.docs.insert("counter", {"id": "c", "n": 0}, "t1")

    def add(i):
        for _ in range(15):
            (a if i % 2 else b).docs.change("counter", "c", "t1", lambda d: d.update(n=d["n"] + 1))

    together(6, add)
    assert a.docs.get("counter", "c", "t1")["n"] == 90
    assert a.docs.change("counter", "missing", "t1", lambda d: None) is None


def test_next_number_from_two_instances_never_repeats(open_store):
    a, b = open_store(), open_store()
    numbers = together(6, lambda i: [(a if i % 2 else b).docs.next_number("seq") for _ in range(20)])
    flat = [n for ns in numbers for n in ns]
    assert len(set(flat)) == 120 and min(flat) == 100001


# -- credits ----------------------------------------------------------------------------------
def test_reserve_and_settle(store):
    store.balances.initial = 10
    where = ("fans/active", "acct_1")
    with store.db.tx() as db:
        assert store.balances.reserve(db, "t1", 3, where) == 7
        assert store.balances.reserve(db, "t1", 8, where) is None
    assert store.balances.settle("t1", 3, 5, where) == (5, 5)  # 2 more taken
    assert store.balances.settle("t1", 0, 9, where) == (5, 0)  # only what there is
    with store.db.tx() as db:
        assert store.balances.reserve(db, "t2", 4, where) == 6
    assert store.balances.settle("t2", 4, 0, where) == (0, 10)  # all given back
    assert store.balances.balance("t1") == 0 and store.balances.balance("t3") == 10
    usage = store.balances.usage("t1", "2000-01-01", "2100-01-01")
    assert [(u[1], u[2], u[3], u[4]) for u in usage] == [("fans/active", "acct_1", 2, 10)]


def test_credits_are_never_overspent_by_two_instances_at_once(open_store):
    a, b = open_store(initial_credits=25), open_store(initial_credits=25)

    def spend(i):
        store = a if i % 2 else b
        taken = 0
        for _ in range(10):
            with store.db.tx() as db:
                taken += store.balances.reserve(db, "team", 1, ("x", "")) is not None
        return taken

    assert sum(together(6, spend)) == 25
    assert a.balances.balance("team") == 0


def test_settlements_from_two_instances_at_once_never_go_below_zero(open_store):
    a, b = open_store(initial_credits=40), open_store(initial_credits=40)
    used = together(6, lambda i: sum((a if i % 2 else b).balances.settle("team", 0, 3, ("x", ""))[0] for _ in range(5)))
    assert sum(used) == 40 and b.balances.balance("team") == 0


# -- rate windows -----------------------------------------------------------------------------
def test_rate_windows_count_across_instances(open_store):
    a, b = open_store(), open_store()

    def hit(i):
        for _ in range(20):
            with (a if i % 2 else b).db.tx() as db:
                a.windows.hit(db, "key", 7)

    together(4, hit)
    assert b.windows.used("key", 7) == 80 and b.windows.used("key", 8) == 0
    with a.db.tx() as db:
        assert a.windows.hit(db, "key", 8) == 1
    a.windows.forget_before(8)
    assert a.windows.used("key", 7) == 0 and a.windows.used("key", 8) == 1


# -- idempotency and the public cache ---------------------------------------------------------
def test_idempotency_claim_finish_replay_abandon_expire(store, clock):
    records = store.idempotency
    assert records.claim("s1", "t1", "fp", 60) is None  # ours to run
    pending = records.claim("s1", "t1", "fp", 60)
    assert pending is not None and not pending.done
    records.finish("s1", 201, b'{"ok": 1}', "application/json")
    done = records.claim("s1", "t1", "other", 60)
    assert (done.done, done.status, done.body, done.fingerprint) == (True, 201, b'{"ok": 1}', "fp")
    assert records.claim("s2", "t1", "fp", 60) is None
    records.abandon("s2")
    assert records.claim("s2", "t1", "fp", 60) is None  # abandoned: the key may be used again
    clock.now += 61
    assert records.claim("s1", "t1", "new", 60) is None  # expired: a new first use
    clock.now += 61
    records.expire(60)
    assert store.db.rows("SELECT COUNT(*) FROM idempotency")[0][0] == 0


def test_an_idempotency_key_claimed_by_two_instances_at_once_runs_once(open_store):
    a, b = open_store(), open_store()
    for n in range(5):
        results = together(6, lambda i, n=n: (a if i % 2 else b).idempotency.claim(f"k{n}", "t1", "fp", 60))
        assert sum(r is None for r in results) == 1, results


def test_public_cache_put_get_trim(store, clock):
    store.public.limit = 2
    for n in range(3):
        clock.now += 1
        store.public.put("t1", f"p{n}", f"body{n}".encode())
    assert store.public.get("t1", "p2") == (clock.now, b"body2")
    assert store.public.get("t2", "p2") is None
    store.public.trim(ttl=3600)
    assert store.public.get("t1", "p0") is None and store.public.get("t1", "p1") is not None
    clock.now += 3601
    store.public.trim(ttl=3600)
    assert store.public.get("t1", "p2") is None


# -- media cache ------------------------------------------------------------------------------
def test_media_cache_is_shared_and_trimmed(open_store, clock):
    a, b = open_store(media_cache_rows=3), open_store(media_cache_rows=3)
    assert b.media.cached_among(["k1", "k2"]) == set()
    for n in range(5):
        clock.now += 1
        a.media.add([f"k{n}"])
    assert b.media.cached_among(["k1", "k4", "zz"]) == {"k1", "k4"}
    assert b.media.is_cached("k0")
    with a.db.tx() as db:
        assert a.media.trim(db)
        a.bump(db, "media_epoch")
    b.media.sync(b.state().media_epoch)  # a new epoch empties b's memo of cached files
    assert b.media.cached_among([f"k{n}" for n in range(5)]) == {"k2", "k3", "k4"}
    with a.db.tx() as db:
        assert not a.media.trim(db)


# -- journal ----------------------------------------------------------------------------------
def test_journal_per_team_redacted_and_capped(open_store):
    a, b = open_store(journal_rows=5), open_store(journal_rows=5)
    a.journal.add("request", {"path": "/api/x?token=abc&limit=1"}, "t1")
    b.journal.add("delivery", {"url": "http://user:pw@h/x"}, "t2")
    b.journal.flush()
    entries = a.journal.entries("t1")
    assert [(e["kind"], e["path"], e["team"]) for e in entries] == [("request", "/api/x?token=***&limit=1", "t1")]
    assert a.journal.entries("t2")[0]["url"] == "http://***@h/x"
    assert len(a.journal.entries(None, every_team=True)) == 2
    assert a.journal.entries("t1", kind="delivery") == []
    for n in range(10):
        b.journal.add("request", {"n": n}, "t1")
    b.journal.flush()
    assert [e["n"] for e in a.journal.entries("t1")] == [9, 8, 7, 6, 5]


# -- webhook deliveries -----------------------------------------------------------------------
def _enqueue(store, n, tenant="t1", hook=HOOK):
    return [store.deliveries.enqueue(tenant, hook, "messages.received", json.dumps({"n": i}).encode(), f"evt_{i}")
            for i in range(n)]  # fmt: skip


def test_deliveries_claim_one_per_webhook_finish_and_retry(store, clock):
    other = dict(HOOK, id="wh_2")
    first = _enqueue(store, 3)
    _enqueue(store, 1, hook=other)
    jobs = store.deliveries.claim(10, lease=30)
    assert sorted(j.webhook_id for j in jobs) == ["wh_1", "wh_2"]  # one in flight per webhook
    assert {j.id for j in jobs} & set(first) == {first[0]}
    assert store.deliveries.claim(10, lease=30) == []  # both webhooks busy
    job = next(j for j in jobs if j.webhook_id == "wh_1")
    assert (job.attempts, json.loads(job.body)) == (1, {"n": 0})
    store.deliveries.finish(job, 500, ("http_status", "The receiver answered 500."), retry_at=clock.now + 5)
    again = store.deliveries.claim(10, lease=30)
    assert [j.id for j in again] == [first[1]]  # the retry is not due yet; the next one is
    clock.now += 5
    store.deliveries.finish(again[0], 200, None, None)
    third = store.deliveries.claim(10, lease=30)  # due since it was queued: before the retry
    assert [(j.id, j.attempts) for j in third] == [(first[2], 1)]
    history = store.deliveries.history("t1", "wh_1", {}, 10, 0)
    states = {h["delivery_uuid"]: h["state"] for h in history}
    assert states == {first[0]: PENDING, first[1]: SUCCEEDED, first[2]: DELIVERING}
    store.deliveries.finish(third[0], 200, None, None)
    retried = store.deliveries.claim(10, lease=30)
    assert [(j.id, j.attempts) for j in retried] == [(first[0], 2)]
    store.deliveries.finish(retried[0], None, ("timeout", "No answer."), None)
    ok = store.deliveries.history("t1", "wh_1", {"succeeded": True}, 10, 0)
    assert sorted(h["delivery_uuid"] for h in ok) == sorted(first[1:])
    history = store.deliveries.history("t1", "wh_1", {"succeeded": False}, 10, 0)
    assert [(h["delivery_uuid"], h["state"], h["attempt"], h["error_type"]) for h in history] == [
        (first[0], FAILED, 2, "timeout")
    ]
    assert store.deliveries.history("t2", "wh_1", {}, 10, 0) == []
    number = next(h["id"] for h in ok if h["delivery_uuid"] == first[1])
    assert store.deliveries.find("t1", "wh_1", str(number))[3] == first[1]
    assert store.deliveries.find("t1", "wh_1", first[1])[1] == "evt_1"
    assert store.deliveries.find("t2", "wh_1", first[1]) is None


def test_a_lease_that_runs_out_makes_a_delivery_claimable_again(store, clock):
    _enqueue(store, 1)
    assert len(store.deliveries.claim(5, lease=10)) == 1
    clock.now += 11
    jobs = store.deliveries.claim(5, lease=10)
    assert len(jobs) == 1 and jobs[0].attempts == 2


def test_deliveries_queue_is_bounded_and_history_trimmed(open_store):
    store = open_store(queue_per_webhook=3, deliveries_kept=2)
    made = _enqueue(store, 5)
    assert made[3:] == [None, None] and None not in made[:3]
    for _ in range(3):
        for job in store.deliveries.claim(5, lease=30):
            store.deliveries.finish(job, 200, None, None)
    store.deliveries.trim()
    assert len(store.deliveries.history("t1", "wh_1", {}, 10, 0)) == 2


def test_each_delivery_is_claimed_once_by_two_instances_at_once(open_store):
    """Every delivery sent exactly once, and never two of one webhook in flight at a time."""
    a, b = open_store(), open_store()
    hooks = [dict(HOOK, id=f"wh_{n}") for n in range(8)]
    made = {d for hook in hooks for d in _enqueue(a, 4, hook=hook)}
    claimed: list[str] = []
    in_flight: set[str] = set()
    lock = threading.Lock()

    def work(i):
        store = a if i % 2 else b
        for _ in range(500):
            jobs = store.deliveries.claim(3, lease=60)
            with lock:
                claimed.extend(j.id for j in jobs)
                assert not in_flight & {j.webhook_id for j in jobs}
                in_flight.update(j.webhook_id for j in jobs)
                if not jobs and len(claimed) >= len(made):
                    return
            for job in jobs:
                with lock:
                    in_flight.discard(job.webhook_id)  # before the store hears it is done
                store.deliveries.finish(job, 200, None, None)

    together(4, work)
    assert sorted(claimed) == sorted(made)


def test_emit_queues_one_delivery_per_matching_webhook(store):
    store.docs.insert("webhook", dict(HOOK, id="w1"), "t1")
    store.docs.insert("webhook", dict(HOOK, id="w2", events=["posts.liked"]), "t1")
    store.docs.insert("webhook", dict(HOOK, id="w3"), "t2")
    assert store.emit("messages.received", "acct_1", {"x": 1}, "t1") == 1
    assert store.emit("messages.received", "acct_1", {"x": 1}) == 2  # every team's
    assert len(store.deliveries.history("t2", "w3", {}, 10, 0)) == 1


# -- timers -----------------------------------------------------------------------------------
def test_timers_claim_done_clear(store, clock):
    store.timers.set("t1", "export", "e1", clock.now - 1)
    store.timers.set("t1", "export", "e2", clock.now + 10)
    store.timers.set("t1", "export", "e3", clock.now - 2)
    claimed = store.timers.claim(10, lease=30)
    assert [r[2] for r in claimed] == ["e3", "e1"]
    assert store.timers.claim(10, lease=30) == []  # leased
    store.timers.set("t1", "export", "e3", clock.now + 5)  # the handler moved it on
    for tenant, kind, ref, due in claimed:
        store.timers.done(tenant, kind, ref, due)
    clock.now += 10
    assert [r[2] for r in store.timers.claim(10, lease=30)] == ["e3", "e2"]
    store.timers.clear("t1", "export", "e2")
    clock.now += 31
    assert [r[2] for r in store.timers.claim(10, lease=30)] == ["e3"]


def test_each_timer_is_claimed_once_by_two_instances_at_once(open_store, clock):
    a, b = open_store(), open_store()
    for n in range(60):
        a.timers.set("t1", "export", f"e{n}", clock.now - n)
    claims = together(6, lambda i: [r[2] for _ in range(5) for r in (a if i % 2 else b).timers.claim(4, lease=60)])
    flat = [ref for refs in claims for ref in refs]
    assert sorted(flat) == sorted(f"e{n}" for n in range(60))


# -- accounts ---------------------------------------------------------------------------------
def test_accounts_first_use_disconnect_and_strict(open_store):
    store = open_store()
    fixture = store.accounts.fixture_ids[0]
    store.accounts.require("t1", "acct_new")  # first use connects it
    assert store.accounts.ids("t1") == [*store.accounts.fixture_ids, "acct_new"]
    assert store.accounts.ids("t2") == list(store.accounts.fixture_ids)
    assert store.accounts.disconnect("t1", fixture) and not store.accounts.disconnect("t1", "acct_unknown")
    assert store.state().accounts_epoch == 1
    other = open_store()
    with pytest.raises(ApiError) as err:
        other.accounts.require("t1", fixture)
    assert err.value.status == 404
    store.accounts.connect("t1", fixture, "auth", {"email": "creator@example.com"})
    other.accounts.require("t1", fixture)
    assert other.accounts.profile(fixture) == {"email": "creator@example.com"}
    strict = open_store(strict_accounts=True)
    with pytest.raises(ApiError):
        strict.accounts.require("t1", "acct_other")


# -- reset ------------------------------------------------------------------------------------
def _fill(store, tenant):
    store.docs.insert("link", {"id": "l1"}, tenant)
    with store.db.tx() as db:
        store.balances.reserve(db, tenant, 5, ("x", ""))
    store.idempotency.claim(f"scope-{tenant}", tenant, "fp", 60)
    store.public.put(tenant, "p", b"x")
    store.journal.add("request", {"n": 1}, tenant)
    store.journal.flush()
    store.deliveries.enqueue(tenant, HOOK, "messages.received", b"{}", "evt")
    store.timers.set(tenant, "export", "e1", 0)
    store.accounts.connect(tenant, "acct_x", "first_use")


def test_a_team_reset_forgets_only_that_team(open_store):
    a, b = open_store(initial_credits=100), open_store(initial_credits=100)
    _fill(a, "t1")
    _fill(a, "t2")
    b.reset(tenant="t1")
    assert b.docs.get("link", "l1", "t1") is None and a.docs.get("link", "l1", "t2") is not None
    assert a.balances.balance("t1") == 100 and a.balances.balance("t2") == 95
    assert a.public.get("t1", "p") is None and a.public.get("t2", "p") is not None
    assert a.journal.entries("t1") == [] and len(a.journal.entries("t2")) == 1
    assert a.deliveries.history("t1", "wh_1", {}, 5, 0) == [] and a.deliveries.history("t2", "wh_1", {}, 5, 0)
    assert "acct_x" not in a.accounts.ids("t1") and "acct_x" in a.accounts.ids("t2")
    assert a.idempotency.claim("scope-t1", "t1", "fp", 60) is None
    assert a.idempotency.claim("scope-t2", "t2", "fp", 60) is not None
    assert a.state().generation == 0 and a.state().accounts_epoch == 1


def test_a_global_reset_forgets_everything_and_starts_a_new_world(open_store):
    a, b = open_store(), open_store()
    _fill(a, "t1")
    a.media.add(["k1"])
    a.docs.next_number("delivery")
    before = b.state()
    a.reset(seed=77)
    state = b.state()
    assert (state.seed, state.generation) == (77, before.generation + 1)
    assert state.media_epoch != before.media_epoch and state.accounts_epoch == before.accounts_epoch + 1
    for table in schema.DATA_TABLES:
        assert b.db.rows(f"SELECT COUNT(*) FROM {table}")[0][0] == 0, table  # noqa: S608
    a.reset()
    assert b.state().seed == 77  # a reset without a seed keeps the world's seed


# -- the schema itself ------------------------------------------------------------------------
def test_the_postgresql_layout_uses_no_sqlite_only_types():
    """A table written with SQLite's types would be created on PostgreSQL too, but wrong (REAL is
    4 bytes there, INTEGER 32 bits; BLOB does not exist): use BIGINT and TYPES' {real} {blob} {serial}."""
    import re

    for sql in schema.statements("postgresql"):
        assert not re.search(r"\b(REAL|INTEGER|BLOB|AUTOINCREMENT|DATETIME)\b", sql), sql


def test_resets_while_other_instances_write_never_fail(open_store):
    """A reset deletes from every table while requests write to several: on PostgreSQL the two
    could each hold what the other waits for (a deadlock, one of them failing) unless a reset
    runs alone."""
    a, b = open_store(), open_store()
    errors: list[BaseException] = []
    done = threading.Event()

    def write(i):
        store = a if i % 2 else b
        try:
            while not done.is_set():
                with store.db.tx() as db:  # as a request: its window, its credits, then a document
                    store.windows.hit(db, f"key{i % 2}", 1)
                    store.balances.reserve(db, "team", 1, ("x", ""))
                    store.docs.save("thing", {"id": str(i)}, "team")
                store.docs.change("thing", str(i), "team", lambda d: d.update(n=1))
                store.balances.settle("team", 1, 2, ("x", ""))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(20):
            (a if n % 2 else b).reset(tenant="team" if n % 3 else None)
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)
    finally:
        done.set()
        for t in threads:
            t.join(timeout=30)
    assert errors == []


# -- the world overlay -------------------------------------------------------------------------
def test_overlay_rows_round_trip_in_write_order_per_team_and_account(store):
    overlay = store.overlay
    assert overlay.version("t1", "a1") == 0 and overlay.rows("t1", "a1") == (0, [])
    first = overlay.write("t1", "a1", [("messages", "9", {"id": 9, "text": "hi"}), ("chats", "5", {"_hidden": True})])
    second = overlay.write("t1", "a1", [("messages", "9", None)])  # deleted again
    overlay.write("t2", "a1", [("posts", "1", {"id": 1})])  # another team
    overlay.write("t1", "a2", [("posts", "2", {"id": 2})])  # another account
    version, rows = overlay.rows("t1", "a1")
    assert version == second > first
    assert rows == [("chats", "5", {"_hidden": True}, first), ("messages", "9", None, second)]
    assert overlay.rows("t1", "a1", after=first) == (second, [("messages", "9", None, second)])
    assert overlay.rows("t2", "a1")[1] == [("posts", "1", {"id": 1}, 1)]


def test_overlay_writes_from_two_instances_at_once_all_count(open_store):
    stores = [open_store() for _ in range(4)]
    together(4, lambda i: [stores[i].overlay.write("t1", "a1", [("posts", f"{i}-{n}", {"n": n})]) for n in range(5)])
    version, rows = stores[0].overlay.rows("t1", "a1")
    assert version == 20 and len(rows) == 20 and len({seq for *_, seq in rows}) == 20


def test_a_team_reset_forgets_its_overlay_and_moves_its_version_on(store):
    store.overlay.write("t1", "a1", [("posts", "1", {"id": 1})])
    store.overlay.write("t2", "a1", [("posts", "1", {"id": 1})])
    before = store.overlay.version("t1", "a1")
    store.reset(tenant="t1")
    version, rows = store.overlay.rows("t1", "a1")
    assert rows == [] and version > before  # a worker's merged view of it is stale
    assert len(store.overlay.rows("t2", "a1")[1]) == 1


def test_workers_opening_a_new_sqlite_file_at_once_never_find_it_locked(tmp_path):
    """Switching a new file to WAL is reported busy at once, without SQLite's busy handler: 4
    workers starting together failed about once in 120 starts ("database is locked")."""
    from mockserver.store.sqlite import SQLiteBackend

    for n in range(60):
        path = str(tmp_path / f"s{n}.sqlite")
        opened = together(4, lambda i, path=path: SQLiteBackend(path))
        for backend in opened:
            backend.close()
