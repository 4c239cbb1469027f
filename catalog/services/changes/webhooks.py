"""Webhooks: endpoints, the outbox written with every feed entry, and sending what is due.

The outbox: catalog.services.changes.feed appends an entry and, in the same transaction, `deliveries_enqueue`
writes one delivery per active endpoint, so a rolled-back change sends nothing. After commit the
sender is woken (a Celery task, or a thread of this process without a broker); every minute the
worker's beat sweeps again, so a lost message or a restarted worker loses nothing: what is due lives
in the database. A sweep claims a batch (SELECT ... FOR UPDATE SKIP LOCKED, then a lease), sends it
outside any transaction, and records the answers.
"""

import datetime as dt
import logging
import random
import secrets
import time
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from catalog.db import internals
from catalog.domain import documents
from catalog.errors import CatalogValidationError
from catalog.models import FeedEntry, WebhookDelivery, WebhookEndpoint
from catalog.services.changes import webhook_http, webhook_thread

log = logging.getLogger(__name__)

Status = WebhookDelivery.Status
UNSET = object()
SEND_TASK = "catalog.webhooks_send"
# Retries go on for at least this long after the change; then the delivery gives up.
RETRY_FOR = dt.timedelta(hours=24)
# Waits after the n-th failure: 1 min x 3^(n-1), capped at 8 h, +-20% jitter. Nine waits add up to
# 24 h even at the low end of the jitter, so the default limit of 10 failed rounds in a row switches an
# endpoint off only after a day of failing: never after a short outage.
FIRST_WAIT, LONGEST_WAIT, JITTER = 60, 8 * 3600, 0.2
# A sender holds a claimed batch this long; if it dies, the next sweep after that sends the batch.
LEASE = dt.timedelta(minutes=3)
BATCH = 48  # deliveries claimed per endpoint and round (sent by WEBHOOKS_CONCURRENCY threads)
SECRET_MIN_LENGTH = 16
EXCERPT = 500  # characters of an answer's body kept


def retry_wait(failures: int, rng=random) -> dt.timedelta:
    base = min(FIRST_WAIT * 3 ** (max(failures, 1) - 1), LONGEST_WAIT)
    return dt.timedelta(seconds=base * rng.uniform(1 - JITTER, 1 + JITTER))


# --- endpoints


def endpoint_check_url(url: str) -> str:
    """The URL stripped, or CatalogValidationError saying what is wrong with it (see webhook_http)."""
    url = (url or "").strip()
    problem = webhook_http.url_problem(url) or webhook_http.address_problem(url, allow_private=_allow_private())
    if problem:
        raise CatalogValidationError({"url": [problem]})
    return url


def endpoint_check_secret(secret: str) -> str:
    if len(secret or "") < SECRET_MIN_LENGTH:
        raise CatalogValidationError(
            {"secret": [f"Use at least {SECRET_MIN_LENGTH} characters (or leave it empty to have one made)."]}
        )
    if len(secret) > 200:
        raise CatalogValidationError({"secret": ["At most 200 characters."]})
    return secret


def secret_make() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def endpoint_add(*, url: str, secret: str, active: bool = True) -> WebhookEndpoint:
    url = endpoint_check_url(url)
    secret = endpoint_check_secret(secret)
    if WebhookEndpoint.objects.filter(url=url).exists():
        raise CatalogValidationError({"url": ["An endpoint with this URL exists already."]})
    endpoint = WebhookEndpoint(url=url, secret=secret, active=active)
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, url=UNSET, secret=UNSET, active=UNSET) -> WebhookEndpoint:
    """Change an endpoint; switching it on (again) clears its failures and sends what it has pending."""
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
    if url is not UNSET and url != endpoint.url:
        endpoint.url = endpoint_check_url(url)
        if WebhookEndpoint.objects.filter(url=endpoint.url).exclude(pk=endpoint.pk).exists():
            raise CatalogValidationError({"url": ["An endpoint with this URL exists already."]})
    if secret is not UNSET and secret != endpoint.secret:
        endpoint.secret = endpoint_check_secret(secret)
    if active is not UNSET and active != endpoint.active:
        endpoint.active = active
        if active:
            endpoint.failures, endpoint.retry_at = 0, None
            endpoint.switched_off_at, endpoint.switched_off_reason = None, ""
            endpoint.deliveries.filter(status__in=WebhookDelivery.UNFINISHED).update(next_attempt_at=timezone.now())
            transaction.on_commit(deliveries_kick)
    endpoint.save()
    return endpoint


def endpoint_remove(*, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its deliveries (a change being written meanwhile keeps its row until it commits)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


# --- the outbox


def deliveries_enqueue(entries: list[FeedEntry]) -> None:
    """In the transaction that appended `entries`: one delivery per active endpoint and entry."""
    if not entries:
        return
    endpoints = _active_endpoint_ids()
    if not endpoints:
        return
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=endpoint,
                entry_id=entry.pk,
                course_id=entry.course_id,
                slug=entry.slug,
                kind=entry.kind,
                payload=payload_of(entry),
                next_attempt_at=now,
                retry_until=now + RETRY_FOR,
                created_at=now,
            )
            for entry in entries
            for endpoint in endpoints
        ],
        batch_size=1000,
    )
    transaction.on_commit(deliveries_kick)


def _active_endpoint_ids() -> list[int]:
    query = WebhookEndpoint.objects.filter(active=True).values_list("pk", flat=True)
    if connection.vendor != "postgresql":  # SQLite: one writer at a time anyway
        return list(query)
    # FOR KEY SHARE: an endpoint removed meanwhile waits for this transaction instead of breaking its
    # commit (the deliveries' foreign key), and senders' updates of the row (FOR NO KEY UPDATE) don't.
    sql, params = internals.sql_of(query)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} FOR KEY SHARE", params)
        return [pk for (pk,) in cursor.fetchall()]


def payload_of(entry: FeedEntry) -> str:
    """{"id", "kind", "slug", "release", "at", "course"}: the feed's entry with its id."""
    head = documents.dumps(
        {
            "id": entry.pk,
            "kind": entry.kind,
            "slug": entry.slug,
            "release": entry.release,
            "at": documents.timestamp(entry.at),
        }
    )
    course = entry.summary if entry.kind == FeedEntry.Kind.PUBLISHED and entry.summary else "null"
    return f'{head[:-1]},"course":{course}}}'


@transaction.atomic
def delivery_retry(*, delivery: WebhookDelivery, now=None) -> WebhookDelivery:
    """Deliver again now (and for another RETRY_FOR on failure); lifts its endpoint's pause."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if not delivery.endpoint.active:
        raise CatalogValidationError(
            f"The endpoint {delivery.endpoint.url} is switched off: switch it on first (its pending deliveries "
            "are then sent)."
        )
    delivery.status, delivery.next_attempt_at, delivery.retry_until = Status.PENDING, now, now + RETRY_FOR
    delivery.claim, delivery.claimed_until = "", None
    delivery.save(update_fields=["status", "next_attempt_at", "retry_until", "claim", "claimed_until"])
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(retry_at=None)
    transaction.on_commit(deliveries_kick)
    return delivery


# --- sending


def deliveries_send_due(*, now=None, budget: float = 240.0) -> int:
    """Send what is due to every active endpoint, round after round, until nothing is due or `budget`
    seconds have passed (the next sweep goes on). Returns how many were sent. `now` is for tests."""
    fixed_now = now
    deadline = time.monotonic() + budget
    sent = 0
    while time.monotonic() < deadline:
        now = fixed_now or timezone.now()
        progressed = False
        endpoints = WebhookEndpoint.objects.filter(active=True).filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        for endpoint in endpoints:
            # A failing endpoint is probed with one delivery at a time; a healthy one gets batches.
            batch = deliveries_claim(endpoint=endpoint, now=now, limit=1 if endpoint.failures else BATCH)
            if batch:
                progressed = True
                sent += _send_round(endpoint, batch, now=fixed_now)
        if not progressed:
            break
    return sent


def deliveries_claim(*, endpoint: WebhookEndpoint, now=None, limit: int = BATCH) -> list[WebhookDelivery]:
    """Claim up to `limit` due deliveries of `endpoint`, each the first unfinished one of its course (so a
    later change of a course waits for the earlier one to be sent or given up)."""
    now = now or timezone.now()
    earlier = WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        course_id=OuterRef("course_id"),
        entry_id__lt=OuterRef("entry_id"),
        status__in=WebhookDelivery.UNFINISHED,
    )
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    due = (
        WebhookDelivery.objects.filter(endpoint=endpoint, status__in=WebhookDelivery.UNFINISHED)
        .filter(unclaimed, next_attempt_at__lte=now)
        .filter(~Exists(earlier))
        # Fresh deliveries first: a probe of a paused endpoint must not keep picking the one delivery
        # its receiver chokes on while the others could show that it works again.
        .order_by("attempts", "entry_id")
    )
    token = uuid.uuid4().hex
    with transaction.atomic():
        # SKIP LOCKED (PostgreSQL): concurrent senders take different rows instead of waiting; the
        # conditional update makes the claim safe on SQLite too.
        ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        WebhookDelivery.objects.filter(pk__in=ids).filter(unclaimed).update(claim=token, claimed_until=now + LEASE)
    return list(WebhookDelivery.objects.filter(claim=token).select_related("endpoint").order_by("entry_id"))


def _send_round(endpoint: WebhookEndpoint, batch: list[WebhookDelivery], *, now=None) -> int:
    results = webhook_http.send_all(
        endpoint.url,
        endpoint.secret,
        [(d.pk, d.entry_id, d.payload) for d in batch],
        allow_private=_allow_private(),
        timeout=settings.WEBHOOKS_TIMEOUT,
        concurrency=settings.WEBHOOKS_CONCURRENCY,
    )
    return _record(endpoint, batch, results, now=now or timezone.now())


@transaction.atomic
def _record(endpoint, batch, results: dict, *, now) -> int:
    token = batch[0].claim
    # Only the holder of the claim records: a sender whose lease ran out lost the batch to another.
    mine = WebhookDelivery.objects.select_for_update().filter(pk__in=[d.pk for d in batch], claim=token)
    # One UPDATE per outcome rather than per row: a round's successes usually all look alike.
    updates: dict[tuple, list[int]] = {}
    sent = failed = 0
    last_failure = ""
    for pk, attempts, retry_until in mine.values_list("pk", "attempts", "retry_until"):
        values = {"claim": "", "claimed_until": None}
        result = results.get(pk)
        if result is not None:  # else not tried: the round stopped at a failure
            values.update(last_attempt_at=now, last_code=result.code, last_body=result.body[:EXCERPT])
            values["last_error"] = result.error
            if result.ok:
                sent += 1
                values.update(status=Status.SENT, sent_at=now)
            else:
                failed += 1
                last_failure = result.error or f"answered {result.code}"
                if now >= retry_until:
                    values["status"] = Status.GAVE_UP
                else:
                    values.update(status=Status.FAILED, next_attempt_at=now + retry_wait(attempts + 1))
        updates.setdefault(tuple(sorted(values.items())), []).append(pk)
    for key, pks in updates.items():
        values = dict(key)
        if "last_attempt_at" in values:
            values["attempts"] = F("attempts") + 1
        WebhookDelivery.objects.filter(pk__in=pks).update(**values)
    if sent or failed:
        _endpoint_record(endpoint.pk, ok=bool(sent), last_failure=last_failure, now=now)
    return sent


def _endpoint_record(pk: int, *, ok: bool, last_failure: str, now) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=pk)
    if ok:
        if endpoint.failures or endpoint.retry_at:
            endpoint.failures, endpoint.retry_at = 0, None
            endpoint.save(update_fields=["failures", "retry_at"])
        return
    endpoint.failures += 1
    endpoint.retry_at = now + retry_wait(endpoint.failures)
    limit = settings.WEBHOOKS_FAILURE_LIMIT
    if endpoint.active and endpoint.failures >= limit:
        endpoint.active = False
        endpoint.switched_off_at = now
        endpoint.switched_off_reason = (
            f"Switched off after {endpoint.failures} failed attempts in a row (the last: {last_failure}). "
            "Fix the receiver, then switch the endpoint on again: its pending deliveries are sent then; "
            "changes made while it is off are not (a receiver catches up from the change feed)."
        )
        log.warning("webhook endpoint %s switched off: %s", endpoint.url, last_failure)
    endpoint.save(update_fields=["failures", "retry_at", "active", "switched_off_at", "switched_off_reason"])


def _allow_private() -> bool:
    return bool(settings.WEBHOOKS_ALLOW_PRIVATE)


# --- waking the sender after commit


def deliveries_kick() -> None:
    """After a commit that made deliveries due: have them sent now, by the worker or by this process."""
    sender = settings.WEBHOOKS_SENDER
    if sender == "celery":
        try:
            from config.celery import app

            app.send_task(SEND_TASK, retry=False)
        except Exception:  # the beat's sweep sends them within a minute anyway
            log.exception("could not wake the webhook worker; the next sweep sends the deliveries")
    elif sender == "thread":
        webhook_thread.wake(deliveries_send_due)


inline_sender_stop = webhook_thread.stop


def deliveries_prune(*, retention_days: int, now=None) -> int:
    """Drop the finished deliveries (sent, or given up) older than `retention_days`; the admin lists
    what is left. Unfinished ones stay whatever their age."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days)
    finished = WebhookDelivery.objects.filter(status__in=[Status.SENT, Status.GAVE_UP], created_at__lt=cutoff)
    return finished.delete()[0]
