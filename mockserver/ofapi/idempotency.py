"""`Idempotency-Key` on message sends (`x-idempotency`): the first call runs; a repeat within
24 h gets the stored response (`Idempotent-Replayed: true`, no OnlyFans call, no credits).
Keys are scoped to the API key, the operation and the account."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..errors import ApiError
from ..onlyfans.payloads import Request

TTL_SECONDS = 24 * 3600
HEADER = "idempotency-key"


@dataclass
class Record:
    fingerprint: str
    at: float
    done: bool = False
    status: int = 0
    body: bytes = b""
    media_type: str = "application/json"


def _invalid(key: str) -> bool:
    return not 1 <= len(key) <= 255 or not all(0x20 <= ord(c) < 0x7F for c in key)


class Idempotency:
    def __init__(self, records, clock):
        self._records = records  # a bounded mapping in the store
        self._clock = clock

    def begin(self, req: Request) -> tuple[tuple | None, Record | None]:
        """(scope, record to replay). Raises the documented 400 / 409 / 422."""
        key = req.headers.get(HEADER) if req.op.idempotent else None
        if key is None:
            return None, None
        if _invalid(key):
            raise ApiError(
                400,
                "The Idempotency-Key header must be 1-255 printable ASCII characters.",
                code="IDEMPOTENCY_KEY_INVALID",
            )
        scope = (req.api_key, req.op.op_id, req.path_params.get("account"), key)
        fingerprint = hashlib.sha256(
            json.dumps([req.path_params, req.body], sort_keys=True, default=str).encode()
        ).hexdigest()
        record = self._records.get(scope)
        if record is not None and self._clock() - record.at > TTL_SECONDS:
            record = None
        if record is None:
            self._records[scope] = Record(fingerprint, self._clock())
            return scope, None
        if record.fingerprint != fingerprint:
            raise ApiError(
                422, "This Idempotency-Key was used with a different request.", code="IDEMPOTENCY_KEY_MISMATCH"
            )
        if not record.done:
            raise ApiError(409, "A request with this Idempotency-Key is still running.", code="IDEMPOTENCY_CONFLICT")
        return scope, record

    def finish(self, scope: tuple | None, status: int, body: bytes, media_type: str) -> None:
        """Store the response; 5xx, 408 and 429 are never stored, so the key can be retried."""
        if scope is None:
            return
        record = self._records.get(scope)
        if record is None or record.done:
            return
        if status >= 500 or status in (408, 429):
            self._records.pop(scope, None)
        else:
            record.done, record.status, record.body, record.media_type = True, status, body, media_type

    def abandon(self, scope: tuple | None) -> None:
        """The call failed before answering: the key may be used again."""
        record = self._records.get(scope) if scope else None
        if record is not None and not record.done:
            self._records.pop(scope, None)
