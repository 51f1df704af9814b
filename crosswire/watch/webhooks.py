"""Webhook deliveries of alerts: signed JSON POSTs, retried with backoff, never one blocking another.

A watch with a webhook gets a delivery queued with each alert, in the alert's own transaction
(``store.add_alert``), so an alert is never recorded without its delivery nor delivered twice
for one recording. ``deliver_due`` posts the deliveries that are due, a few at a time on
threads (a receiver that hangs until the client's timeout holds up only its own delivery) and
records each outcome on the caller's thread, which alone uses the store.

The body is JSON (UTF-8)::

    {"alert": 12, "watch": "rutte", "event": "story", "story": 3,
     "created_at": "2025-03-10T08:00:01.123456Z", "sent_at": "2025-03-10T08:00:02.000000Z",
     "detail": {"story": 3, "title": ..., "languages": [...], "outlets": [...], "articles": 2,
                "matched": ["Mark Rutte"], "reason": "Mark Rutte: a new story in ar, nb (2 outlets)"}}

with the headers ``X-Crosswire-Event`` (the event), ``X-Crosswire-Delivery`` (the alert id: the
same on every attempt, so a receiver can drop a repeat), ``X-Crosswire-Timestamp`` (the Unix time
of sending, also the body's ``sent_at``) and ``X-Crosswire-Signature: sha256=<hex>``, the
HMAC-SHA256 of the exact body bytes keyed with the watch's secret, as GitHub signs its webhooks.
The timestamp is covered by the signature through ``sent_at`` in the body: a receiver that
wants to refuse replays checks the signature, then that ``sent_at`` is recent.

A failed attempt (refused as unsafe by the fetch client, no answer within its timeout, any status
outside 2xx) is tried again after a delay that doubles with each failure (1 minute, 2, 4, ... up
to 6 hours); after ``MAX_ATTEMPTS`` it is given up, its last error kept.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from crosswire.fetch.backoff import backoff
from crosswire.fetch.client import Fetcher, FetchError
from crosswire.store.base import Alert, Delivery, StoreProtocol, Watch
from crosswire.store.following import stamp

MAX_ATTEMPTS = 8
SIGNATURE_HEADER = "X-Crosswire-Signature"
BATCH = 100  # deliveries read from the store at a time
WORKERS = 4  # deliveries posted at once


def retry_after(failures: int) -> float:
    """Seconds before the next attempt after ``failures`` failed ones: ``fetch.backoff`` without
    jitter (1, 2, 4... minutes, at most 6 hours): deliveries fail at their own times, not all at once."""
    return backoff(failures, jitter=False)


def body_of(alert: Alert, sent_at: datetime) -> bytes:
    """The JSON body of an alert's delivery, as its bytes are signed."""
    payload: dict[str, Any] = {"alert": alert.id, "watch": alert.watch, "event": alert.event, "story": alert.story_id,
                               "created_at": stamp(alert.created_at), "sent_at": stamp(sent_at),
                               "detail": alert.detail}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The ``X-Crosswire-Signature`` value of a body: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str | None) -> bool:
    """What a receiver does: the signature header matches the body's, compared in constant time."""
    return bool(signature) and hmac.compare_digest(sign(secret, body), signature or "")


def request_of(alert: Alert, watch: Watch | None, sent_at: datetime) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt (signed when the watch has a secret, as every watch made by
    ``crosswire watch add`` with a webhook has)."""
    body = body_of(alert, sent_at)
    headers = {"Content-Type": "application/json", "X-Crosswire-Event": alert.event,
               "X-Crosswire-Delivery": str(alert.id), "X-Crosswire-Timestamp": str(int(sent_at.timestamp()))}
    if watch is not None and watch.secret:
        headers[SIGNATURE_HEADER] = sign(watch.secret, body)
    return body, headers


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0      # failed now, due again later
    gave_up: int = 0       # failed for the last time
    errors: list[str] = field(default_factory=list)  # one line per failed attempt: "alert 12 (rutte): problem"

    def summary(self) -> str:
        return f"{self.delivered} webhook(s) delivered, {self.retrying} to retry, {self.gave_up} given up"


def deliver_due(store: StoreProtocol, fetcher: Fetcher, now: datetime | None = None, *,
                workers: int = WORKERS) -> DeliveryReport:
    """Post every delivery due at ``now`` (default: the present) and record how each went."""
    now = now or datetime.now(timezone.utc)
    report = DeliveryReport()
    tried: set[int] = set()
    watches: dict[int, Watch] | None = None
    while True:
        batch = [d for d in store.due_deliveries(now, limit=BATCH) if d.alert_id not in tried]
        if not batch:
            return report
        tried.update(d.alert_id for d in batch)
        if watches is None:
            watches = {w.id: w for w in store.watches()}
        alerts = store.alerts_by_id([d.alert_id for d in batch])
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(batch)))) as pool:
            pending = {}
            for delivery in batch:
                alert = alerts.get(delivery.alert_id)
                if alert is None:  # removed with its watch meanwhile: nothing left to send
                    store.record_delivery(delivery.alert_id, error="its alert was removed")
                    continue
                body, headers = request_of(alert, watches.get(delivery.watch_id), now)
                pending[pool.submit(_post, fetcher, delivery.url, body, headers)] = (delivery, alert)
            for done in as_completed(pending):
                delivery, alert = pending[done]
                _record(store, delivery, alert, done.result(), now, report)


def _post(fetcher: Fetcher, url: str, body: bytes, headers: dict[str, str]) -> str | None:
    """One attempt, on a worker thread: None when delivered, else the problem."""
    try:
        fetcher.post(url, body, headers)
    except FetchError as err:
        return err.problem
    return None


def _record(store: StoreProtocol, delivery: Delivery, alert: Alert, problem: str | None, now: datetime,
            report: DeliveryReport) -> None:
    if problem is None:
        store.record_delivery(delivery.alert_id)
        report.delivered += 1
        return
    attempts = delivery.attempts + 1
    report.errors.append(f"alert {alert.id} ({alert.watch}) to {delivery.url}: {problem} (attempt {attempts})")
    if attempts >= MAX_ATTEMPTS:
        store.record_delivery(delivery.alert_id, error=problem)
        report.gave_up += 1
    else:
        store.record_delivery(delivery.alert_id, error=problem, next_at=now + timedelta(seconds=retry_after(attempts)))
        report.retrying += 1
