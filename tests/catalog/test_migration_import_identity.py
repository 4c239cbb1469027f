"""Migration 0017: the courses named sources imported before it get their slug as key; imports without a source none."""

import pytest
from django.db import connection
from django.utils import timezone

from tests.helpers.migrations import latest, migrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

BEFORE = [("catalog", "0013_edge_purges")]
AFTER = [("catalog", "0014_import_identity")]


def test_named_sources_keys_are_the_slugs_of_their_courses():
    apps = migrate(BEFORE)
    try:
        Course, ImportState = apps.get_model("catalog", "Course"), apps.get_model("catalog", "ImportState")
        now = timezone.now()
        for slug, source in (("gen-a", "gen"), ("gen-b", "gen"), ("plain", "import"), ("by-hand", None)):
            course = Course.objects.create(slug=slug, title=slug, topic="t")
            if source:
                ImportState.objects.create(
                    course=course, source=source, parts={}, record_hash="h", fingerprint="f", imported_at=now
                )
        apps = migrate(AFTER)
        Identity = apps.get_model("catalog", "ImportIdentity")
        rows = set(Identity.objects.values_list("source", "key", "course__slug"))
        assert rows == {("gen", "gen-a", "gen-a"), ("gen", "gen-b", "gen-b")}
    finally:
        migrate(latest())
        with connection.cursor() as cursor:
            for table in ("catalog_importidentity", "catalog_importstate", "catalog_course"):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
