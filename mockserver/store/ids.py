"""Identifiers for resources OFAPI creates: time-ordered and unique, like OFAPI's ULIDs."""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as ULIDs use


def new_id(prefix: str = "") -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, 26 characters."""
    return prefix + ulid(time.time(), int.from_bytes(os.urandom(10), "big"))


def ulid(at: float, entropy: int) -> str:
    """The ULID of a moment (Unix seconds) with 80 bits of `entropy` (given: a seeded row's id)."""
    value = (int(at * 1000) << 80) | (entropy & (2**80 - 1))
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))
