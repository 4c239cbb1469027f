"""Releases (immutable snapshots of a course) and what learners see of them; writes go through catalog.services."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

from catalog.models.courses import LANGUAGE_MAX_LENGTH, SLUG_MAX_LENGTH, TITLE_MAX_LENGTH, TOPIC_MAX_LENGTH, Course


class Release(models.Model):
    """Release `number` of a course: its fields and whole tree as they were, never changed afterwards.

    `document` is {"title", "description", "topic", "level", "language", "units": [{"id", "title", "order",
    "modules": [{"id", "title", "order", "content", "minutes"}]}]}; `fingerprint` hashes it (equal content, equal hash).
    """

    course = models.ForeignKey(Course, related_name="releases", on_delete=models.CASCADE)
    number = models.PositiveIntegerField()
    document = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    # The address learners find it at once it is live: the slug is part of the release, so renaming
    # the working copy changes learners' address only when that change is published. Empty for
    # releases created by a bulk COPY before the column existed: the course's slug then.
    slug = models.CharField(max_length=SLUG_MAX_LENGTH, blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["course", "-number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="release_number_unique")]

    def __str__(self):
        return f"{self.course_id} release {self.number}"


class Listing(models.Model):
    """A release as learners see it, while it is live: from `live_from` until `live_until` (open-ended
    when null). A scheduled release has a listing from its go-live time; learners' reads pick the
    listing whose window holds *now*, so a scheduled switch happens on time with no process running.

    Everything a learner read needs is here, ready to serve: the summary and the detail as JSON
    text, the list's columns and the search document. Listings are rewritten by the services only.
    """

    course = models.ForeignKey(Course, related_name="listings", on_delete=models.CASCADE)
    # RESTRICT: a listed release cannot be deleted alone, but goes with its course.
    release = models.ForeignKey(Release, related_name="listings", on_delete=models.RESTRICT)
    slug = models.CharField(max_length=SLUG_MAX_LENGTH, db_index=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    topic = models.CharField(max_length=TOPIC_MAX_LENGTH, db_index=True)
    created_at = models.DateTimeField()  # the course's, for the list's order and date filters
    live_from = models.DateTimeField(db_index=True)  # learners' published_at
    live_until = models.DateTimeField(null=True, blank=True, db_index=True)
    unit_count = models.PositiveIntegerField(default=0)
    module_count = models.PositiveIntegerField(default=0)
    # The list's filters (level, language, max_duration) read these; the release's values.
    level = models.CharField(max_length=12, null=True, blank=True, db_default=None)
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH, default="en", db_default="en")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True, db_default=None)
    summary = models.TextField()  # the list entry, as served
    detail = models.TextField()  # the course detail, as served
    # Unit and module titles, for SQLite's contains search; PostgreSQL searches search_vector.
    search_text = models.TextField(blank=True, default="")
    search_vector = SearchVectorField(null=True, editable=False)
    # Title, topic and unit titles only: a strong match, ranked first (catalog.selectors.search).
    title_vector = SearchVectorField(null=True, editable=False)
    # Counted in TopicCount (from when it went live, as recorded, until it is removed).
    counted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            # The windows ride along (PostgreSQL), so pages and counts are index-only scans.
            models.Index(fields=["-created_at", "id"], include=["live_from", "live_until"], name="listing_newest"),
            models.Index(
                fields=["topic", "-created_at", "id"], include=["live_from", "live_until"], name="listing_topic_newest"
            ),
            # Filtered lists (issue 22): a topic with a level and a language, the catalog page's usual
            # narrowing, is one index range, counted and paged without the table; a level and a
            # language without a topic the other.
            models.Index(
                fields=["topic", "level", "language", "-created_at", "id"],
                include=["live_from", "live_until", "duration_minutes"],
                name="listing_topic_level_newest",
            ),
            models.Index(
                fields=["level", "language", "-created_at", "id"],
                include=["live_from", "live_until", "topic", "duration_minutes"],
                name="listing_level_newest",
            ),
            # The sitemap's placing of files (catalog.selectors.site): the live listings in course order,
            # with what it sums, read from the index alone (PostgreSQL), no sort.
            models.Index(
                fields=["course", "live_from"], include=["live_until", "module_count"], name="listing_sitemap"
            ),
            # The few listings whose going live is not recorded yet (scheduled): what counts lag behind.
            models.Index(fields=["live_from"], condition=models.Q(counted=False), name="listing_uncounted"),
        ]

    def __str__(self):
        return f"{self.slug} (release {self.release_id})"


class TitleWord(models.Model):
    """One word of a listing's title (its stem, as the title's search document holds it), with what the
    suggestions choose by: the listing's order and its window. Kept by PostgreSQL itself, from each change
    of a listing (triggers of migration 0022), so no write can forget it; SQLite leaves it empty.

    The suggestions read a word's listings from its index alone, newest first, instead of every title
    that matches from the listings' table (catalog.selectors.suggestions).
    """

    pk = models.CompositePrimaryKey("listing", "lexeme")
    listing = models.ForeignKey(
        Listing, related_name="+", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    lexeme = models.TextField()
    created_at = models.DateTimeField()
    live_from = models.DateTimeField()
    live_until = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.lexeme} ({self.listing_id})"


class SlugRedirect(models.Model):
    """An old slug of a course, answered with a permanent redirect until another course takes it."""

    slug = models.CharField(max_length=SLUG_MAX_LENGTH, unique=True)
    course = models.ForeignKey(Course, related_name="old_slugs", on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return f"{self.slug} -> {self.course_id}"


class TopicCount(models.Model):
    """How many listings of a topic are counted (Listing.counted): learners' topic counts and list
    totals in O(topics), kept by the services in the transactions that change listings. Between a
    scheduled switch and its recording, readers correct it from the few listings concerned."""

    topic = models.CharField(max_length=TOPIC_MAX_LENGTH, primary_key=True)
    courses = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.topic}: {self.courses}"
