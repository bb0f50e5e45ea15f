"""Webhook delivery: every matching webhook gets an HTTP POST of `{"event", "account_id",
"payload"}`, signed with its secret (`Signature: hex(HMAC-SHA256(secret, body))`), retried
with exponential backoff on failure.

The deliveries themselves are rows of the store (`store/deliveries.py`), made in the same
transaction as the change that raised the event; each worker runs one dispatcher that claims
due rows and sends them from a small asynchronous pool, one in flight per webhook, so a
receiver that never answers holds up only its own deliveries. Nothing here follows a redirect
or reads proxy settings from the environment: only the URL a team registered is contacted,
and every delivery carries a header the mock itself refuses, so a webhook pointed at the mock
cannot drive it. The same loop fires due timers (exports moving on) and keeps the store within
its bounds. It cannot die: each step's failure is logged and the loop goes on.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import threading
import time

import httpx

from ..store.backend import StoreUnavailable
from ..store.timers import HANDLERS as TIMER_HANDLERS
from ..store.webhooks import KIND as WEBHOOK

LOOP_HEADER = "X-OFAPI-Mock-Delivery"  # the mock answers 403 to any request that carries it
TICK_SECONDS = 0.25
HOUSEKEEPING_SECONDS = 10.0
log = logging.getLogger(__name__)


def signature(secret: str, body: bytes) -> str:
    return hmac.new(str(secret).encode(), body, hashlib.sha256).hexdigest()


class Dispatcher:
    def __init__(self, store, settings, clock=time.time):
        self.store = store
        self.settings = settings
        self.clock = clock
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self._said_unavailable = float("-inf")

    # -- control, from any thread ---------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="webhook-deliveries", daemon=True)
                self._thread.start()

    def wake(self) -> None:
        """Something is due now (a delivery was queued): look at once, not at the next tick."""
        self.start()
        loop, event = self._loop, self._wake
        if loop is not None and event is not None:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # the loop is closing
                pass

    def stop(self) -> None:
        self._stopped = True
        self.wake()

    # -- the loop ------------------------------------------------------------------------------
    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        in_flight: set[asyncio.Task] = set()
        housekept = self.clock()
        timeout = self.settings.webhook_timeout_seconds
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=timeout) as client:
            while not self._stopped:
                try:
                    capacity = self.settings.delivery_concurrency - len(in_flight)
                    for job in self.store.deliveries.claim(capacity, timeout + 5) if capacity > 0 else ():
                        task = asyncio.create_task(self._send(client, job))
                        in_flight.add(task)
                        task.add_done_callback(in_flight.discard)
                    self._fire_timers()
                    if self.clock() - housekept >= HOUSEKEEPING_SECONDS:
                        housekept = self.clock()
                        self.store.housekeeping()
                    else:
                        self.store.flush()
                except StoreUnavailable as exc:  # said once a minute, not at every tick
                    if self.clock() - self._said_unavailable > 60:
                        self._said_unavailable = self.clock()
                        log.error("webhook dispatcher paused: %s", exc)
                except Exception:  # noqa: BLE001 - the dispatcher must outlive any one failure
                    log.exception("webhook dispatcher step failed")
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), TICK_SECONDS)
                except TimeoutError:
                    pass
            for task in in_flight:
                task.cancel()

    def _fire_timers(self) -> None:
        for tenant, kind, ref, due in self.store.timers.claim(50, 30.0):
            try:
                TIMER_HANDLERS[kind](self.store, tenant, ref)
            finally:
                self.store.timers.done(tenant, kind, ref, due)

    async def _send(self, client: httpx.AsyncClient, job) -> None:
        try:
            await self._attempt(client, job)
        except Exception:  # noqa: BLE001 - one delivery's failure is that delivery's, not the loop's
            log.exception("delivery %s failed unexpectedly", job.id)

    async def _attempt(self, client: httpx.AsyncClient, job) -> None:
        hook = self.store.docs.get(WEBHOOK, job.webhook_id, job.tenant)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "ofapi-mock-webhooks",
            "X-OFAPI-Event": job.event,
            "X-OFAPI-Delivery-Id": job.id,
            "x-ofapi-idempotency-key": job.event_key,
            LOOP_HEADER: "1",
        }
        status, error = None, None
        if hook is None:
            error = ("webhook_deleted", "The webhook was deleted before this delivery was sent.")
        else:
            if hook.get("signing_secret"):
                headers["Signature"] = signature(hook["signing_secret"], job.body)
            try:
                response = await client.post(job.url, content=job.body, headers=headers)
                status = response.status_code
                if not 200 <= status < 300:
                    error = ("http_status", f"The receiver answered {status}.")
            except httpx.TimeoutException:
                error = ("timeout", f"No answer within {self.settings.webhook_timeout_seconds} s.")
            except (httpx.HTTPError, OSError, ValueError) as exc:
                error = ("connection", str(exc) or type(exc).__name__)
        ok = status is not None and 200 <= status < 300
        retry = not ok and hook is not None and job.attempts < self.settings.webhook_attempts
        retry_at = self.clock() + self.settings.webhook_backoff_seconds * 2 ** (job.attempts - 1) if retry else None
        self.store.deliveries.finish(job, status, None if ok else error, retry_at)
        self.store.journal.add(
            "delivery",
            {
                "webhook_id": job.webhook_id,
                "delivery_id": job.id,
                "event": job.event,
                "url": job.url,
                "attempt": job.attempts,
                "status": status,
                "ok": ok,
                "error": None if ok else error[1],
            },
            job.tenant,
        )
