"""What computed operations do with the store, registered under the spec's `x-store` action
names (`smart_links.create`, `webhooks.list` …). An action returns the *source* of the answer
(a partial object or a list); the store renders it through the operation's response schema."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import ApiError
from ..onlyfans.paging import Page, cut
from ..onlyfans.payloads import Request

ACTIONS: dict[str, Callable] = {}


@dataclass
class Answer:
    source: object
    next_cursor: tuple[str, object] | None = None
    cost: int | None = None  # credits, when the action charges (an export's start)
    paid: bool = False  # the action already took `cost` from the balance (in its own transaction)


def action(name: str):
    def register(fn):
        ACTIONS[name] = fn
        return fn

    return register


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found.")


def body_of(req: Request) -> dict:
    return req.body if isinstance(req.body, dict) else {}


def page(req: Request, items: list) -> Page:
    """The page of `items` the request asks for, cut the way the operation pages (`x-paging`)."""
    return cut(req.op.paging, items, req.query)


_HOST = re.compile(
    r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)$"
)


def is_http_url(url) -> bool:
    """An http(s) URL with a real host name and no spaces or control characters: what OFAPI
    will call back (webhooks, postbacks)."""
    if not isinstance(url, str) or len(url) > 2000 or any(ord(c) <= 0x20 or ord(c) >= 0x7F for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:  # e.g. `http://[x/`: an unbalanced IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and bool(_HOST.match(parts.hostname))
