"""How a list is cut into pages: one registered function per paging style, named on each
paginated operation by the spec's `x-paging` (`offset`, `page`, `message-id`, `marker`,
`head-tail`, `end-date`, `cursor`).

A pager is a function of (the whole list, the query): it gets every item, in the order the
operation lists them, and returns the page, the query parameter and value that ask for the next
page (None on the last), the fields the payload carries about the page (`hasMore`, `nextOffset`,
`marker` …) and the members `_pagination` carries besides the next page's URL (`next_cursor`,
`total_results`). It keeps no state, so it pages any list: the world's, the store's, or a list
a write just changed.

Time-based styles (`marker`, `head-tail`, `end-date`) order by time, newest first, ties broken by
id, and never split one second's items across two pages: a marker is a whole second, so a page
that cut a second in two would skip or repeat the rest of it. Such a page ends early (`hasMore`
stays true), or, when one second holds more than `limit` items, holds all of them.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from ..errors import InvalidInput
from ..validation import display

DEFAULT_LIMIT = 10
DEFAULT_PER_PAGE = 15  # Laravel's paginator
TIME_FIELDS = ("createdAt", "postedAt", "date", "created_at")  # where an item says when it happened
END_DATE = "%Y-%m-%d %H:%M:%S"  # how OFAPI writes `endDate`


@dataclass
class Page:
    items: list
    next: tuple[str, object] | None = None  # (query parameter, value) asking for the next page
    fields: dict = field(default_factory=dict)  # what the payload says about the page
    pagination: dict = field(default_factory=dict)  # `_pagination` members besides the next page's URL


PAGERS: dict[str, Callable[[list, dict], Page]] = {}


def pager(name: str):
    def register(fn):
        PAGERS[name] = fn
        return fn

    return register


def cut(style: str, items: list, query: dict) -> Page:
    """The page of `items` the query asks for, cut the way `style` pages."""
    return PAGERS[style](items if isinstance(items, Sequence) else list(items), query)  # a stored list stays lazy


# -- reading the query ---------------------------------------------------------------------------
def _int(query: dict, name: str, default: int, least: int) -> int:
    value = query.get(name)
    if value is None or value == "":
        return default
    try:
        return max(least, int(value))
    except (TypeError, ValueError):
        raise _invalid(name, "The {name} field must be an integer.") from None


def _limit(query: dict, name: str = "limit", default: int = DEFAULT_LIMIT) -> int:
    return _int(query, name, default, 1)


def _invalid(name: str, template: str) -> InvalidInput:
    return InvalidInput({name: [template.format(name=display(name))]})


def _given(query: dict, name: str):
    value = query.get(name)
    return None if value is None or str(value).strip() in ("", "null") else value


# -- time and identity of an item -----------------------------------------------------------------
def moment(item: dict) -> int:
    """When the item happened, in whole UNIX seconds (OnlyFans' markers count seconds)."""
    for name in TIME_FIELDS:
        value = item.get(name)
        if value:
            return int(_parse_time(value).timestamp()) if isinstance(value, str) else int(value)
    return 0


def _parse_time(text: str) -> datetime:
    moment_ = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment_ if moment_.tzinfo else moment_.replace(tzinfo=UTC)


def _id_key(item: dict) -> tuple:
    ident = item.get("id")
    return (0, ident, "") if isinstance(ident, int) else (1, 0, str(ident))


def newest_first(items: list) -> list:
    return sorted(items, key=lambda item: (moment(item), _id_key(item)), reverse=True)


def marker_text(seconds: int) -> str:
    """A marker as OnlyFans writes it: `1739155047.000000`."""
    return f"{seconds}.000000"


def _whole_seconds(ordered: list, start: int, limit: int) -> int:
    """Where a page of `ordered` (newest first) from `start` ends without splitting a second."""
    end = min(start + limit, len(ordered))
    if end == start or end == len(ordered) or moment(ordered[end - 1]) != moment(ordered[end]):
        return end
    second = moment(ordered[end - 1])
    back = end - 1
    while back > start and moment(ordered[back - 1]) == second:
        back -= 1
    if back > start:  # end before the second this page cannot hold whole
        return back
    while end < len(ordered) and moment(ordered[end]) == second:  # one second, more than `limit` items
        end += 1
    return end


def _tail_fields(chunk: list, following: int) -> dict:
    """What OnlyFans says about where an offset page ends: `marker` (its last item's time, or the
    next offset for items without one) and the last item's id."""
    last = chunk[-1] if chunk and isinstance(chunk[-1], dict) else {}
    return {"marker": moment(last) or following, "lastId": last.get("id"), "nextLastId": last.get("id")}


# -- the styles ------------------------------------------------------------------------------------
@pager("offset")
def by_offset(items: list, query: dict) -> Page:
    """`limit` items from `offset`; the next page starts where this one ends."""
    limit, offset = _limit(query), _int(query, "offset", 0, 0)
    chunk = items[offset : offset + limit]
    following = offset + len(chunk)
    more = len(chunk) == limit and bool(items[following : following + 1])  # no count of a long stored list
    fields = {**_tail_fields(chunk, following), "hasMore": more, "offset": offset, "nextOffset": following}
    return Page(chunk, ("offset", following) if more else None, fields)


@pager("page")
def by_page(items: list, query: dict) -> Page:
    """Laravel's paginator: `per_page` items on page `page` (from 1), with the paginator's counts."""
    per_page, number = _limit(query, "per_page", DEFAULT_PER_PAGE), _int(query, "page", 1, 1)
    last = max(1, math.ceil(len(items) / per_page))
    first = (number - 1) * per_page
    chunk = items[first : first + per_page]
    fields = {
        "current_page": number,
        "last_page": last,
        "per_page": per_page,
        "total": len(items),
        "from": first + 1 if chunk else None,
        "to": first + len(chunk) if chunk else None,
    }
    return Page(chunk, ("page", number + 1) if number < last else None, fields)


@pager("message-id")
def by_message_id(items: list, query: dict) -> Page:
    """A chat's messages, newest first (`order=asc`: oldest first). `id` continues after that
    message (what `next_page` sends); without it, `first_id` starts after that message when
    newest first, and `last_id` starts at that message when oldest first."""
    ascending = str(query.get("order") or "desc").strip().lower() == "asc"
    ordered = items[::-1] if ascending else items
    after, at = _given(query, "id"), None
    if after is None:
        after = None if ascending else _given(query, "first_id")
        at = _given(query, "last_id") if ascending else None
    start = 0
    if after is not None:
        start = _position(ordered, after) + 1
    elif at is not None:
        start = _position(ordered, at)
    limit = _limit(query)
    chunk = ordered[start : start + limit]
    more = start + len(chunk) < len(ordered)
    return Page(chunk, ("id", chunk[-1]["id"]) if more else None, {"hasMore": more})


def _position(ordered: list, ident) -> int:
    """Where the message with this id is (past the end when the chat has none: an empty page)."""
    wanted = str(ident).strip()
    return next((i for i, item in enumerate(ordered) if str(item.get("id")) == wanted), len(ordered))


@pager("marker")
def by_marker(items: list, query: dict) -> Page:
    """Newest first; a `marker` (a UNIX time, `1739155047` or `1739155047.000000`) asks for the
    items older than it. `marker` and `nextMarker` say where the next page starts."""
    ordered, bound = newest_first(items), _marker(query)
    start = 0 if bound is None else next((i for i, it in enumerate(ordered) if moment(it) < bound), len(ordered))
    end = _whole_seconds(ordered, start, _limit(query))
    chunk, more = ordered[start:end], end < len(ordered)
    tail = moment(chunk[-1]) if chunk else None
    fields = {"hasMore": more, "marker": tail, "nextMarker": tail if more else None}
    return Page(chunk, ("marker", tail) if more else None, fields)


def _marker(query: dict) -> Decimal | None:
    value = _given(query, "marker")
    if value is None:
        return None
    try:
        bound = Decimal(str(value).strip())
    except InvalidOperation:
        raise _invalid("marker", "The {name} field must be a number.") from None
    if not bound.is_finite():
        raise _invalid("marker", "The {name} field must be a number.")
    return bound


@pager("head-tail")
def by_head_tail(items: list, query: dict) -> Page:
    """Posts by publish time (`sort=asc`: oldest first), `limit` from `offset`; `headMarker` and
    `tailMarker` are the first and last post's publish times as OnlyFans writes markers."""
    ordered = newest_first(items)
    if str(query.get("sort") or "desc").strip().lower() == "asc":
        ordered.reverse()
    page = by_offset(ordered, query)
    chunk = page.items
    page.fields |= {
        "headMarker": marker_text(moment(chunk[0])) if chunk else None,
        "tailMarker": marker_text(moment(chunk[-1])) if chunk else None,
    }
    return page


@pager("end-date")
def by_end_date(items: list, query: dict) -> Page:
    """Newest first; `endDate` (`Y-m-d H:i:s`, UTC) is the latest time a page holds. The next
    page's `endDate` is the second before this page's oldest item."""
    ordered, bound = newest_first(items), _end_date(query)
    start = 0 if bound is None else next((i for i, it in enumerate(ordered) if moment(it) <= bound), len(ordered))
    end = _whole_seconds(ordered, start, _limit(query))
    chunk, more = ordered[start:end], end < len(ordered)
    following = None
    if more:
        following = datetime.fromtimestamp(moment(chunk[-1]) - 1, UTC).strftime(END_DATE)
    return Page(chunk, ("endDate", following) if more else None, {"hasMore": more})


def _end_date(query: dict) -> int | None:
    value = _given(query, "endDate")
    if value is None:
        return None
    try:
        return int(_parse_time(str(value)).timestamp())
    except ValueError:
        raise _invalid("endDate", "The {name} field must be a valid date.") from None


@pager("cursor")
def by_cursor(items: list, query: dict) -> Page:
    """OFAPI's own search: `limit` results from where `cursor` (an opaque token it handed out)
    points; `_pagination` gives the next token, its URL and how many results there are."""
    number, offset = _cursor(query)
    limit = _limit(query)
    chunk = items[offset : offset + limit]
    following = offset + len(chunk)
    token = encode_cursor(number + 1, following) if following < len(items) else None
    return Page(
        chunk,
        ("cursor", token) if token else None,
        {"hasMore": token is not None},
        {"next_cursor": token, "total_results": len(items)},
    )


def encode_cursor(number: int, offset: int) -> str:
    """A search cursor: base64 of `[page number, "offset"]`, the shape OFAPI's tokens have."""
    return base64.b64encode(json.dumps([number, str(offset)], separators=(",", ":")).encode()).decode()


def _cursor(query: dict) -> tuple[int, int]:
    value = _given(query, "cursor")
    if value is None:
        return 0, 0
    try:
        number, offset = json.loads(base64.b64decode(str(value), validate=True))
        if isinstance(number, int) and isinstance(offset, str) and offset.isdigit() and number >= 0:
            return number, int(offset)
    except (binascii.Error, ValueError, TypeError):
        pass
    raise _invalid("cursor", "The selected {name} is invalid.")
