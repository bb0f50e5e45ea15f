"""How much a worker takes from a shared count at once (rate windows, credits): one per 1,000 of
what is left, at most 64. Under 2,000 nothing is leased: small limits and balances are counted
call by call, exactly, in the store."""

LEASE_MAX = 64
LEASE_PER = 1000


def lease_size(left: int) -> int:
    """What a worker may take beyond the call itself when `left` remains."""
    return max(0, min(LEASE_MAX, left // LEASE_PER))
