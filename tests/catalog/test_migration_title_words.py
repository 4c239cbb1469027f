"""Migration 0022: the titles' words are filled once from the listings there are; PostgreSQL's triggers
keep them from then on (tests/catalog/services/releasing/test_counts.py checks them after every write)."""

import pytest
from django.db import connection

from catalog import services
from tests.factories import CourseFactory
from tests.helpers.migrations import latest, migrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

BEFORE = [("catalog", "0021_sitemap_blocks")]
AFTER = [("catalog", "0022_title_words")]


def words() -> set:
    with connection.cursor() as cursor:
        cursor.execute("SELECT listing_id, lexeme, created_at, live_from, live_until FROM catalog_titleword")
        return set(cursor.fetchall())


def test_the_words_are_filled_from_the_listings_and_kept_after():
    try:
        CourseFactory(slug="k8s", title="Kubernetes in Production", status="published")
        gone = CourseFactory(slug="old", title="Running Clusters", status="published")
        CourseFactory(slug="draft", title="Unlisted Drafts", status="draft")
        assert {lexeme for _id, lexeme, *_ in words()} == {"kubernet", "product", "run", "cluster"}
        services.course_unpublish(course=gone)  # its listing goes, and its words with it
        kept = words()
        assert {lexeme for _id, lexeme, *_ in kept} == {"kubernet", "product"}
        migrate(BEFORE)
        migrate(AFTER)
        assert words() == kept
        CourseFactory(slug="new", title="Helm Charts", status="published")  # the triggers are back
        assert {lexeme for _id, lexeme, *_ in words()} >= {"helm", "chart"}
    finally:
        migrate(latest())
