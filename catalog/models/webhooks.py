"""Webhooks: the endpoints that receive the change feed's entries, and each entry's delivery to each of them."""

from django.db import models
from django.utils import timezone

from catalog.models.courses import SLUG_MAX_LENGTH

URL_MAX_LENGTH = 2000


class WebhookEndpoint(models.Model):
    """A receiver of every change learners can see: each feed entry is POSTed to it, signed with `secret`.

    `failures` counts failed rounds in a row (one round: the deliveries a sender sent it at once);
    while it is above zero the endpoint is paused until `retry_at` and probed with one delivery at a
    time. At the limit (settings.WEBHOOKS_FAILURE_LIMIT) it is switched off: `active` false, with the
    time and the reason, which the admin shows to editors.
    """

    url = models.URLField("URL", max_length=URL_MAX_LENGTH, unique=True)
    secret = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    failures = models.PositiveIntegerField("failures in a row", default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    switched_off_at = models.DateTimeField(null=True, blank=True)
    switched_off_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url"]
        verbose_name = "webhook endpoint"

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One feed entry for one endpoint, written in the transaction of the change (the outbox).

    `payload` is the body exactly as sent, every time; `entry_id` is the feed entry's id (the
    X-Catalog-Delivery header), kept without a foreign key because compaction drops old entries.
    A delivery waits for the earlier unfinished deliveries of its course to the same endpoint.
    `claim`/`claimed_until` mark a batch a sender is working on: when it dies, the lease runs out
    and the next sweep sends the batch again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        FAILED = "failed", "Failed, will retry"
        SENT = "sent", "Sent"
        GAVE_UP = "gave_up", "Gave up"

    UNFINISHED = (Status.PENDING, Status.FAILED)

    endpoint = models.ForeignKey(WebhookEndpoint, related_name="deliveries", on_delete=models.CASCADE)
    entry_id = models.BigIntegerField("delivery id")
    course_id = models.BigIntegerField()
    slug = models.CharField(max_length=SLUG_MAX_LENGTH)
    kind = models.CharField(max_length=10)
    payload = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    retry_until = models.DateTimeField()
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_code = models.PositiveIntegerField("answer code", null=True, blank=True)
    last_body = models.TextField("answer body (excerpt)", blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-entry_id", "endpoint_id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [models.UniqueConstraint(fields=["endpoint", "entry_id"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "course_id", "entry_id"], name="webhook_delivery_course"),
        ]

    def __str__(self):
        return f"{self.kind} {self.slug} ({self.entry_id}) to {self.endpoint_id}"
