"""A ULID is the 128-bit number (48 bits of milliseconds, 80 of entropy) written in Crockford's
base32, 26 characters, most significant first: so ids sort by time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mockserver.store.ids import new_id, ulid

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _by_hand(at: float, entropy: int) -> str:
    value = (int(at * 1000) << 80) | (entropy & (2**80 - 1))
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(26)))


@given(at=st.floats(0, 2**48 / 1000 - 1), entropy=st.integers(0, 2**100))
def test_a_ulid_is_its_number_in_crockford_base32(at, entropy):
    assert ulid(at, entropy) == _by_hand(at, entropy)


@given(a=st.floats(0, 2**47 / 1000), b=st.floats(0, 2**47 / 1000), entropy=st.integers(0, 2**80 - 1))
def test_ulids_sort_by_time(a, b, entropy):
    if int(a * 1000) < int(b * 1000):
        assert ulid(a, entropy) < ulid(b, 0)


def test_new_ids_are_26_characters_and_distinct():
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 26 and set(i) <= set(ALPHABET) for i in ids)
