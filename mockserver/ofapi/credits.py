"""What a call costs (OFAPI's credit table): 1 credit per request OFAPI sends to OnlyFans,
3 per (decimal) MB of media moved (at least 1), 1 per profile a search returns; nothing for
computed answers, cached answers or files OFAPI already holds."""

from __future__ import annotations

import math

from ..spec.operations import Operation

CREDITS_PER_MB = 3


def file_cost(size: int) -> int:
    return max(1, math.ceil(size / 1_000_000 * CREDITS_PER_MB))


def results_in(data) -> int:
    """How many items a list payload holds (the first list found)."""
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict):
        return next((len(v) for v in data.values() if isinstance(v, list)), 0)
    return 0


def cost(op: Operation, data, calls: int, body_size: int) -> int:
    """The default cost of a call that made `calls` requests to OnlyFans."""
    if calls == 0:
        return 0
    if op.credits == "per-result":
        return results_in(data)
    if op.credits == "per-mb":
        return file_cost(body_size)
    return calls


def minimum(op: Operation) -> int:
    """What a call needs in the balance before OFAPI contacts OnlyFans for it."""
    return 0 if op.data_source == "computed" or op.behaviour else 1
