"""Values that make sense together: relations an object schema declares between its fields
(`x-money`, `x-counts`), which the renderer keeps when it makes those fields up. A value the
source gives is the truth and is never changed; only made-up values are fitted to it.

    x-money: {gross: total_gross, net: total_net}   # gross = net + fee, fee 20 % of gross, none negative
    x-counts: {mediaCount: media}                   # a count is the length of the list it counts

Each relation is one function registered under its extension's name (`@relation`).
"""

from __future__ import annotations

from collections.abc import Callable

FEE_SHARE = 0.2  # what OnlyFans keeps of what fans pay

RELATIONS: dict[str, Callable[[dict, dict, set], None]] = {}


def relation(name: str):
    def register(fn):
        RELATIONS[name] = fn
        return fn

    return register


def related(schema: dict) -> bool:
    """Whether an object schema declares any relation."""
    return any(isinstance(schema.get(name), dict) for name in RELATIONS)


def keep(obj: dict, schema: dict, made: set[str]) -> None:
    """Fit the made-up fields of a rendered object to the relations its schema declares."""
    for name, fn in RELATIONS.items():
        if isinstance(schema.get(name), dict):
            fn(obj, schema[name], made)


def _amount(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _like(value: float, template):
    """`value` written as `template` is: an integer, a number with cents, or a money string."""
    if isinstance(template, int) and not isinstance(template, bool):
        return round(value)
    if isinstance(template, str):
        return f"{value:.2f}"
    return round(value, 2)


@relation("x-money")
def money(obj: dict, fields: dict, made: set[str]) -> None:
    """What fans paid (gross), what the creator keeps (net) and OnlyFans' fee add up: the anchor
    is whichever the source gave (gross first); made-up amounts follow from it."""
    gross, net, fee = (fields.get(k) for k in ("gross", "net", "fee"))
    present = [k for k in (gross, net, fee) if k in obj and _amount(obj[k]) is not None]
    if not present:
        return
    given = [k for k in present if k not in made]
    if gross in given:
        total = max(_amount(obj[gross]), 0.0)
    elif net in given:
        total = max(_amount(obj[net]), 0.0) / (1 - FEE_SHARE)
    elif fee in given:
        total = max(_amount(obj[fee]), 0.0) / FEE_SHARE
    else:
        total = abs(_amount(obj[present[0]]))
        if any(isinstance(obj[k], int) and not isinstance(obj[k], bool) for k in present):
            total = 5.0 * max(1, round(total / 5))  # whole gross, net and fee (OnlyFans keeps a fifth)
    kept = round(total * (1 - FEE_SHARE), 2)
    for key, value in ((gross, total), (net, kept), (fee, total - kept)):
        if key in made and key in present:
            obj[key] = _like(max(value, 0.0), obj[key])


@relation("x-counts")
def counts(obj: dict, fields: dict, made: set[str]) -> None:
    """A made-up count of a list the object carries is that list's length."""
    for count, items in fields.items():
        if count in made and isinstance(obj.get(items), list):
            obj[count] = len(obj[items])
