"""Course, Unit, Module (the working copy editors change) and the course history; writes go through catalog.services."""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Deferrable, Q
from django.utils import timezone
from django.utils.text import slugify
from model_utils.fields import AutoCreatedField, AutoLastModifiedField

SLUG_PATTERN = r"^[a-z0-9-]+$"
SLUG_MAX_LENGTH = 100
TITLE_MAX_LENGTH = 200
TOPIC_MAX_LENGTH = 100
LANGUAGE_MAX_LENGTH = 35  # BCP 47 tags in use are short; RFC 5646 asks implementations for at least 35


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


slug_validator = RegexValidator(
    SLUG_PATTERN, "Use only lowercase letters a-z, digits 0-9 and hyphens.", code="invalid_slug"
)


def default_language() -> str:
    return getattr(settings, "CATALOG_DEFAULT_LANGUAGE", "en") or "en"


def normalize_topic(value) -> str:
    """'Data Science ' -> 'data-science': the one normal form used for storing and filtering."""
    if value is None:
        return ""
    return re.sub(r"-{2,}", "-", slugify(str(value)).replace("_", "-")).strip("-")


def canonical_topics(values, *, limit: int | None = None) -> list[str]:
    """Topics as a query gives them -> the sorted, distinct, non-empty normal forms (at most `limit` read)."""
    values = list(values or [])[:limit]
    return sorted({normalize_topic(v) for v in values} - {""})


class TopicField(models.CharField):
    """A CharField that stores and looks up topics in their normal form."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalize_topic(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = normalize_topic(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    slug = models.CharField(max_length=SLUG_MAX_LENGTH, unique=True, validators=[slug_validator])
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    topic = TopicField(max_length=TOPIC_MAX_LENGTH, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Null: not said. Database defaults too: the bulk import copies new courses naming its columns only.
    level = models.CharField(max_length=12, choices=Level.choices, null=True, blank=True, db_default=None)
    # A BCP 47 tag in its standard form (catalog.domain.languages); existing courses get the default.
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH, default=default_language, db_default="en")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = AutoCreatedField(db_index=True, editable=False)
    updated_at = AutoLastModifiedField(editable=False)
    # Kept by the service layer so that lists never aggregate the whole tree per request.
    unit_count = models.PositiveIntegerField(default=0, editable=False)
    module_count = models.PositiveIntegerField(default=0, editable=False)
    # The sum of the modules' minutes, null when none is known (kept like the counts).
    duration_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False, db_default=None)
    # Title, topic, description and the tree's titles; refreshed by the service layer on PostgreSQL
    # and GIN-indexed there (migration 0002). Unused on SQLite. Editors search the working copy.
    search_vector = SearchVectorField(null=True, editable=False)
    # The working copy's content (fields and tree, ids included; not the slug), so that "has
    # unpublished changes" is one comparison with the live release's fingerprint.
    fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Scheduled switches, not yet recorded (catalog_tick records them; learners see them on time
    # anyway, through the listings' windows).
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    unpublish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Preview links carry the generation they were made in; revoking them all moves it on
    # (catalog.selectors.previews), so a revocation ends exactly the links made before it.
    # A database default too: the bulk import copies new courses without naming this column.
    preview_generation = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["status", "-created_at", "id"], name="course_status_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]), name="course_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__in=Level.values), name="course_level_valid"
            ),
        ]

    def __str__(self):
        return self.title


class Unit(models.Model):
    course = models.ForeignKey(Course, related_name="units", on_delete=models.CASCADE)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    order = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    created_at = AutoCreatedField(editable=False)
    updated_at = AutoLastModifiedField(editable=False)

    class Meta:
        ordering = ["course", "order"]
        constraints = [
            # Deferred (PostgreSQL) so a reorder may pass through duplicates inside its transaction;
            # SQLite gets a plain unique index from migration 0002 instead.
            models.UniqueConstraint(
                fields=["course", "order"], name="unit_order_unique", deferrable=Deferrable.DEFERRED
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="unit_order_positive"),
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


class Module(models.Model):
    unit = models.ForeignKey(Unit, related_name="modules", on_delete=models.CASCADE)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    order = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    content = models.TextField(blank=True, default="")
    # How long it takes, in minutes; null: not known.
    minutes = models.PositiveIntegerField(null=True, blank=True, db_default=None)
    created_at = AutoCreatedField(editable=False)
    updated_at = AutoLastModifiedField(editable=False)

    class Meta:
        ordering = ["unit", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "order"], name="module_order_unique", deferrable=Deferrable.DEFERRED
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="module_order_positive"),
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


class CourseTransition(models.Model):
    """One event of a course's history: a workflow move or a release made live, withdrawn, discarded
    or reverted to; who did it (None: the import, a schedule, a script) and when."""

    course = models.ForeignKey(Course, related_name="transitions", on_delete=models.CASCADE)
    from_status = models.CharField(max_length=10, choices=Course.Status.choices)
    to_status = models.CharField(max_length=10, choices=Course.Status.choices)
    # publish, unpublish, archive, restore, discard, revert; "" on rows older than releases.
    action = models.CharField(max_length=20, blank=True, default="")
    # The release made live (publish), withdrawn (unpublish, archive) or copied (discard, revert).
    release = models.PositiveIntegerField(null=True, blank=True)
    scheduled = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.course_id}: {self.from_status} -> {self.to_status}"
