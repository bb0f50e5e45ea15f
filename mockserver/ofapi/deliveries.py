"""Webhook delivery: when an event happens (simulated with `POST /_mock/events`, or implied by
the mock's own actions: a connected account, a finished export …) every matching webhook
gets an HTTP POST of `{"event", "account_id", "payload"}`, signed with its secret
(`Signature: hex(HMAC-SHA256(secret, body))`), retried with exponential backoff on failure.

Deliveries run on a background thread, never on the request that caused them, and are
journaled. Only URLs a team registered are ever contacted.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from ..store.webhooks import KIND as WEBHOOK

TIMEOUT_SECONDS = 5
log = logging.getLogger(__name__)


@dataclass(order=True)
class Job:
    due: float
    seq: int
    webhook: dict = field(compare=False)
    body: bytes = field(compare=False)
    event: str = field(compare=False)
    attempt: int = field(compare=False, default=1)


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def matches(webhook: dict, event: str, account_id: str | None) -> bool:
    if not webhook.get("enabled", True) or event not in webhook.get("events", ()):
        return False
    scope, ids = webhook.get("account_scope", "global"), webhook.get("account_ids") or []
    if scope == "inclusive":
        return account_id in ids
    if scope == "exclusive":
        return account_id not in ids
    return True


class Dispatcher:
    def __init__(
        self, store, max_attempts: int = 5, backoff_seconds: float = 0.5, tick_seconds: float = 0.25, on_tick=None
    ):
        self.store = store
        self.on_tick = on_tick  # called between deliveries (time-driven state: exports)
        self.max_attempts = max_attempts
        self.backoff = backoff_seconds
        self.tick = tick_seconds
        self._queue: list[Job] = []
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def emit(self, event: str, account_id: str | None, payload: dict, tenant: str | None = None) -> int:
        """Queue a delivery to every matching webhook (of `tenant`, or of every team)."""
        body = json.dumps({"event": event, "account_id": account_id, "payload": payload}).encode()
        hooks = [
            hook
            for owner, hook in self.store.docs.all_tenants(WEBHOOK)
            if (tenant is None or owner == tenant) and matches(hook, event, account_id)
        ]
        with self._wake:
            for hook in hooks:
                heapq.heappush(self._queue, Job(time.monotonic(), next(self._seq), hook, body, event))
            self._wake.notify()
        self._ensure_running()
        return len(hooks)

    def start(self) -> None:
        self._ensure_running()

    def _ensure_running(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="webhook-deliveries", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._stopped and (not self._queue or self._queue[0].due > time.monotonic()):
                    wait = self._queue[0].due - time.monotonic() if self._queue else self.tick
                    self._wake.wait(max(0.0, min(wait, self.tick)))
                if self._stopped:
                    return
                job = heapq.heappop(self._queue) if self._queue and self._queue[0].due <= time.monotonic() else None
            if job is not None:
                self._deliver(job)
            elif self.on_tick is not None:
                try:
                    self.on_tick()
                except Exception:  # noqa: BLE001 - a failed tick must not stop deliveries
                    log.exception("periodic tick failed")

    def _deliver(self, job: Job) -> None:
        hook = job.webhook
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "ofapi-mock-webhooks",
            "X-OFAPI-Event": job.event,
            "x-ofapi-idempotency-key": f"{hook['id']}-{job.seq}",
        }
        if hook.get("signing_secret"):
            headers["Signature"] = signature(hook["signing_secret"], job.body)
        status, error = None, None
        try:
            request = urllib.request.Request(hook["url"], data=job.body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - registered URL
                status = response.status
        except urllib.error.HTTPError as exc:
            status, error = exc.code, str(exc.reason)
        except (OSError, ValueError) as exc:
            error = str(exc)
        ok = status is not None and 200 <= status < 300
        self.store.journal(
            "delivery",
            {
                "webhook_id": hook["id"],
                "event": job.event,
                "url": hook["url"],
                "attempt": job.attempt,
                "status": status,
                "ok": ok,
                "error": error,
            },
        )
        if not ok and job.attempt < self.max_attempts:
            job.attempt += 1
            job.due = time.monotonic() + self.backoff * 2 ** (job.attempt - 2)
            with self._wake:
                heapq.heappush(self._queue, job)
