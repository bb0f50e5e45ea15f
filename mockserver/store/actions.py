"""What computed operations do with the store, registered under the spec's `x-store` action
names (`smart_links.create`, `webhooks.list` …). An action returns the *source* of the answer
(a partial object or a list); the store renders it through the operation's response schema."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ApiError
from ..onlyfans.payloads import Request

ACTIONS: dict[str, Callable] = {}


@dataclass
class Answer:
    source: object
    next_cursor: tuple[str, int] | None = None
    cost: int | None = None  # credits, when the action charges (an export's start)


def action(name: str):
    def register(fn):
        ACTIONS[name] = fn
        return fn

    return register


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found.")


def body_of(req: Request) -> dict:
    return req.body if isinstance(req.body, dict) else {}


def page(items: list, req: Request, default_limit: int) -> Answer:
    """A limit/offset page of `items`, with the cursor of the next page."""
    limit = int(req.query.get("limit") or default_limit)
    offset = int(req.query.get("offset") or 0)
    chunk = items[offset : offset + limit]
    more = offset + limit < len(items)
    return Answer({"list": chunk, "hasMore": more}, ("offset", offset + limit) if more else None)
