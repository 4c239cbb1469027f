"""The edge purges' outbox: a purge an edge instance did not take, kept until it does."""

from django.db import models
from django.utils import timezone


class EdgePurge(models.Model):
    """Surrogate keys that `target` (a Varnish instance's URL, or a CDN) still has to forget.

    Written when a purge after a commit failed (the write itself succeeded); retried with growing
    waits, capped low, until the target answers (catalog.services.changes.edge), then deleted.
    """

    target = models.CharField(max_length=500)
    keys = models.TextField(help_text="Surrogate keys, separated by spaces.")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at"], name="edge_purge_due")]
        verbose_name = "edge purge"

    def __str__(self):
        return f"{self.target}: {self.keys[:80]}"
