"""Migration 0021: the sitemap's blocks are counted once from the counted listings, as the services keep
them afterwards (catalog.services.releasing.counts)."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog import services
from catalog.models import Listing, SitemapBlock
from tests.factories import CourseFactory, next_course_id, tree
from tests.helpers.migrations import latest, migrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

BEFORE = [("catalog", "0020_site_speed")]
AFTER = [("catalog", "0021_sitemap_blocks")]


def test_blocks_are_counted_from_the_counted_listings():
    try:
        for units in (tree(1), tree(2, 3)):
            CourseFactory(status="published", units=units)
        next_course_id(250)  # a course in another block
        CourseFactory(status="published", units=tree(3))
        CourseFactory(status="draft", units=tree(2))
        coming = CourseFactory(status="draft", units=tree(4))
        services.course_schedule(course=coming, publish_at=timezone.now() + dt.timedelta(hours=1))  # not counted
        kept = {b.block: (b.courses, b.pages, b.lastmod, b.resized) for b in SitemapBlock.objects.all()}
        assert len(kept) == 2 and 2 in kept
        assert sum(pages for _n, pages, _at, _r in kept.values()) == 2 + 6 + 4
        migrate(BEFORE)
        Block = migrate(AFTER).get_model("catalog", "SitemapBlock")
        assert {b.block: (b.courses, b.pages, b.lastmod, b.resized) for b in Block.objects.all()} == kept
        newest = max(Listing.objects.filter(counted=True).values_list("live_from", flat=True))
        assert max(at for _n, _p, at, _r in kept.values()) == newest
    finally:
        migrate(latest())
