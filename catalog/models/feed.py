"""The change feed: what learners can see changing, appended by the services in the writing transaction."""

from django.db import models
from django.utils import timezone

from catalog.models.courses import SLUG_MAX_LENGTH


class FeedEntry(models.Model):
    """One change of what learners see: a release of a course went live at `slug` ("published"), or the
    course left learners' view at `slug` ("removed": unpublished, archived, deleted, renamed away).

    Entries are numbered in the order their transactions commit (catalog.services.changes.feed serialises
    appends), so a follower's position is an entry id. There is no foreign key to the course:
    tombstones outlive it.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Published"
        REMOVED = "removed", "Removed"

    course_id = models.BigIntegerField(db_index=True)
    slug = models.CharField(max_length=SLUG_MAX_LENGTH)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    release = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    summary = models.TextField(blank=True, default="")  # the course summary as learners read it (published)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind} {self.slug} ({self.id})"


class FeedHorizon(models.Model):
    """The newest entry compaction has dropped (one row): cursors before it are too old."""

    entry = models.BigIntegerField(default=0)
    compacted_at = models.DateTimeField(null=True, blank=True)
