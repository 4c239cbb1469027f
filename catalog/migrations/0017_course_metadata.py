"""Courses get `level` (null), `language` (the default) and a kept `duration_minutes`; modules get
`minutes` (null). Existing releases, listings and working copies are given the same values, so their
documents, fingerprints and served answers carry the new fields and nothing looks changed (a
published course does not gain "unpublished changes"). Historical models and the pure
catalog.domain.documents only.
"""

from django.conf import settings
from django.db import migrations, models

import catalog.models.courses
from catalog.domain import documents

CHUNK = 500


def _language():
    return getattr(settings, "CATALOG_DEFAULT_LANGUAGE", "en") or "en"


def _complete(document: dict, language: str) -> dict:
    document = {**document}
    document.setdefault("level", None)
    document.setdefault("language", language)
    document["units"] = [
        {**u, "modules": [{**m, "minutes": m.get("minutes")} for m in u["modules"]]} for u in document["units"]
    ]
    return document


def _chunks(queryset):
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


# SQLite rebuilds catalog_module to add `minutes` (a CHECK), which drops the unique index on
# (unit, order) that migration 0002 made by hand (SQLite has no deferrable constraints): made again.
SQLITE_ORDER_INDEX = 'CREATE UNIQUE INDEX IF NOT EXISTS module_order_unique_sqlite ON catalog_module (unit_id, "order")'


def module_order_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_ORDER_INDEX)


def forwards(apps, schema_editor):
    Course, Unit, Module = (apps.get_model("catalog", name) for name in ("Course", "Unit", "Module"))
    Release, Listing = apps.get_model("catalog", "Release"), apps.get_model("catalog", "Listing")
    language = _language()
    if language != "en":
        Course.objects.update(language=language)
        Listing.objects.update(language=language)
    for releases in _chunks(Release.objects.all()):
        for release in releases:
            release.document = _complete(release.document, language)
            release.fingerprint = documents.fingerprint(release.document)
        Release.objects.bulk_update(releases, ["document", "fingerprint"])
    for listings in _chunks(Listing.objects.all()):
        for listing in listings:
            summary, detail = documents.loads(listing.summary), documents.loads(listing.detail)
            extra = {"level": None, "language": language, "duration_minutes": None}
            units = detail.pop("units")
            listing.summary = documents.dumps({**summary, **extra})
            listing.detail = documents.dumps({**detail, **extra, "units": units})
        Listing.objects.bulk_update(listings, ["summary", "detail"])
    for courses in _chunks(Course.objects.all()):
        ids = [c.pk for c in courses]
        units_of = {pk: [] for pk in ids}
        modules_of = {}
        for unit in (
            Unit.objects.filter(course_id__in=ids)
            .order_by("course_id", "order")
            .values("id", "course_id", "title", "order")
        ):
            modules_of[unit["id"]] = []
            units_of[unit.pop("course_id")].append(unit)
        modules = Module.objects.filter(unit__course_id__in=ids).order_by("unit_id", "order")
        for module in modules.values("id", "unit_id", "title", "order", "content"):
            modules_of[module.pop("unit_id")].append({**module, "minutes": None})
        for course in courses:
            tree = [{**u, "modules": modules_of[u["id"]]} for u in units_of[course.pk]]
            document = {
                "title": course.title,
                "description": course.description,
                "topic": course.topic,
                "level": course.level,
                "language": course.language,
                "units": tree,
            }
            course.fingerprint = documents.fingerprint(document)
        Course.objects.bulk_update(courses, ["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0016_topics"),
    ]

    operations = [
        # (the data step comes last, below)
        migrations.AddField(
            model_name="course",
            name="duration_minutes",
            field=models.PositiveIntegerField(blank=True, db_default=None, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="course",
            name="language",
            field=models.CharField(db_default="en", default=catalog.models.courses.default_language, max_length=35),
        ),
        migrations.AddField(
            model_name="course",
            name="level",
            field=models.CharField(
                blank=True,
                choices=[("beginner", "Beginner"), ("intermediate", "Intermediate"), ("advanced", "Advanced")],
                db_default=None,
                max_length=12,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="listing",
            name="duration_minutes",
            field=models.PositiveIntegerField(blank=True, db_default=None, null=True),
        ),
        migrations.AddField(
            model_name="listing",
            name="language",
            field=models.CharField(db_default="en", default="en", max_length=35),
        ),
        migrations.AddField(
            model_name="listing",
            name="level",
            field=models.CharField(blank=True, db_default=None, max_length=12, null=True),
        ),
        migrations.AddField(
            model_name="module",
            name="minutes",
            field=models.PositiveIntegerField(blank=True, db_default=None, null=True),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                fields=["level", "language", "-created_at", "id"],
                include=("live_from", "live_until", "topic", "duration_minutes"),
                name="listing_level_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                fields=["topic", "level", "language", "-created_at", "id"],
                include=("live_from", "live_until", "duration_minutes"),
                name="listing_topic_level_newest",
            ),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("level__isnull", True), ("level__in", ["beginner", "intermediate", "advanced"]), _connector="OR"
                ),
                name="course_level_valid",
            ),
        ),
        migrations.RunPython(module_order_index, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
