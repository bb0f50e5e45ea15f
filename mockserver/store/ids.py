"""Identifiers for resources OFAPI creates: time-ordered and unique, like OFAPI's ULIDs."""

from __future__ import annotations

import base64
import os
import time

_ALPHABET = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as ULIDs use
_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _ALPHABET)


def new_id(prefix: str = "") -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, 26 characters."""
    return prefix + ulid(time.time(), int.from_bytes(os.urandom(10), "big"))


def ulid(at: float, entropy: int) -> str:
    """The ULID of a moment (Unix seconds) with 80 bits of `entropy` (given: a seeded row's id):
    its 128 bits in Crockford's base32, by the standard base32 of 20 bytes (the last 26 of its
    32 characters hold the 130 low bits) with the alphabet swapped."""
    value = (int(at * 1000) << 80) | (entropy & (2**80 - 1))
    return base64.b32encode(value.to_bytes(20, "big"))[6:].translate(_CROCKFORD).decode()
