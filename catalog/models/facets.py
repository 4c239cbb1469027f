"""Kept counts of the learners' facets (live courses per topic, level, language and duration range) and of
the sitemap's blocks (live courses and pages per block of course ids)."""

from django.db import models

from catalog.models.courses import LANGUAGE_MAX_LENGTH, TOPIC_MAX_LENGTH


class FacetCount(models.Model):
    """How many counted listings (Listing.counted) have this topic, level ("" when none), language and
    duration range (catalog.domain.facets.duration_range): a filtered list's total and the catalog
    page's facet counts in O(combinations), kept by the services exactly like TopicCount, in the same
    statements' transactions. Between a scheduled switch and its recording, readers correct it from
    the few listings concerned."""

    topic = models.CharField(max_length=TOPIC_MAX_LENGTH)
    level = models.CharField(max_length=12, blank=True, default="")
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH)
    span = models.IntegerField()  # a DURATION_RANGES limit, or LONGER (0), or UNKNOWN_RANGE (-1)
    courses = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "level", "language", "span"], name="facet_count_key"),
        ]

    def __str__(self):
        return f"{self.topic}/{self.level}/{self.language}/{self.span}: {self.courses}"


class SitemapBlock(models.Model):
    """The counted listings (Listing.counted) of one block of course ids (catalog.domain.sitemaps.BLOCK):
    how many courses, how many sitemap pages (each course's page and its module pages), when the block
    last changed (a course went live, or left) and when its pages last grew or shrank (which moves the
    files after it). The sitemap index packs these rows into files (catalog.selectors.site), so placing
    them does not read every live course. Kept by the services with the facet counts, in the same
    statements' transactions; between a scheduled switch and its recording, readers correct it from the
    few listings concerned. `manage.py catalog_recount` counts them again from the listings."""

    block = models.IntegerField(primary_key=True)
    courses = models.IntegerField(default=0)
    pages = models.BigIntegerField(default=0)
    lastmod = models.DateTimeField()
    resized = models.DateTimeField(null=True)

    def __str__(self):
        return f"block {self.block}: {self.courses} courses, {self.pages} pages"
