"""`Idempotency-Key` on message sends (`x-idempotency`): the first call runs; a repeat within
24 h gets the stored response (`Idempotent-Replayed: true`, no OnlyFans call, no credits).
Keys are scoped to the API key, the operation and the account. Records live in the store, so
a repeat is recognised by any worker or instance, and a claim is atomic: two concurrent calls
with one key run once (the other gets 409 while the first runs)."""

from __future__ import annotations

import hashlib
import json

from ..errors import ApiError
from ..onlyfans.payloads import Request

TTL_SECONDS = 24 * 3600
HEADER = "idempotency-key"


def _invalid(key: str) -> bool:
    return not 1 <= len(key) <= 255 or not all(0x20 <= ord(c) < 0x7F for c in key)


class Idempotency:
    def __init__(self, records, clock):
        self._records = records  # store.idempotency
        self._clock = clock

    @staticmethod
    def key_of(req: Request) -> str | None:
        return req.headers.get(HEADER) if req.op.idempotent else None

    def begin(self, req: Request):
        """(scope, record to replay). Raises the documented 400 / 409 / 422."""
        key = self.key_of(req)
        if key is None:
            return None, None
        if _invalid(key):
            raise ApiError(
                400,
                "The Idempotency-Key header must be 1-255 printable ASCII characters.",
                code="IDEMPOTENCY_KEY_INVALID",
            )
        scope = hashlib.sha256(
            json.dumps([req.api_key, req.op.op_id, req.path_params.get("account"), key]).encode()
        ).hexdigest()
        fingerprint = hashlib.sha256(
            json.dumps([req.path_params, req.query, req.body], sort_keys=True, default=str).encode()
        ).hexdigest()
        record = self._records.claim(scope, req.tenant, fingerprint, TTL_SECONDS)
        if record is None:
            return scope, None
        if record.fingerprint != fingerprint:
            raise ApiError(
                422, "This Idempotency-Key was used with a different request.", code="IDEMPOTENCY_KEY_MISMATCH"
            )
        if not record.done:
            raise ApiError(409, "A request with this Idempotency-Key is still running.", code="IDEMPOTENCY_CONFLICT")
        return scope, record

    def finish(self, scope: str | None, status: int, body: bytes, media_type: str) -> None:
        """Store the response; 5xx, 408 and 429 are never stored, so the key can be retried."""
        if scope is None:
            return
        if status >= 500 or status in (408, 429):
            self._records.abandon(scope)
        else:
            self._records.finish(scope, status, body, media_type)

    def abandon(self, scope: str | None) -> None:
        """The call failed before answering: the key may be used again."""
        if scope is not None:
            self._records.abandon(scope)
