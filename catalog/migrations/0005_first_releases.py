"""Every published course gets release 1 from its current tree, live from its published_at.

Before releases, learners saw the working copy of every published course; after this migration they
see the same content, now as release 1 and its listing, and every course has its fingerprint.
Reversed, the releases and listings are removed (the working copies stay as they are).

The rendering of what learners are served comes from catalog.domain.documents, which is pure (no models,
no services), so this migration only uses historical models. PostgreSQL only: the GIN index on the
listings' search document, filled here from the releases (SQLite searches by contains instead).
"""

from django.db import migrations
from django.utils import timezone

from catalog.domain import documents

GIN = "CREATE INDEX IF NOT EXISTS listing_search_gin ON catalog_listing USING gin (search_vector)"
DROP_GIN = "DROP INDEX IF EXISTS listing_search_gin"
FILL_VECTORS = """
UPDATE catalog_listing AS c SET search_vector =
    setweight(to_tsvector('english', c.title), 'A')
    || setweight(to_tsvector('english', c.topic), 'B')
    || setweight(to_tsvector('english', coalesce(t.unit_titles, '')), 'B')
    || setweight(to_tsvector('english', coalesce(t.module_titles, '')), 'C')
    || setweight(to_tsvector('english', c.description), 'D')
FROM (
    SELECT l.id,
        (SELECT string_agg(u->>'title', ' ') FROM jsonb_array_elements(r.document->'units') u) AS unit_titles,
        (SELECT string_agg(m->>'title', ' ')
           FROM jsonb_array_elements(r.document->'units') u, jsonb_array_elements(u->'modules') m) AS module_titles
    FROM catalog_listing l JOIN catalog_release r ON r.id = l.release_id
) AS t
WHERE c.id = t.id
"""
CHUNK = 500


def _document(course, units, modules_of):
    return {
        "title": course.title,
        "description": course.description,
        "topic": course.topic,
        "units": [
            {
                "id": unit.pk,
                "title": unit.title,
                "order": unit.order,
                "modules": [
                    {"id": m.pk, "title": m.title, "order": m.order, "content": m.content} for m in modules_of[unit.pk]
                ],
            }
            for unit in units
        ],
    }


def forward(apps, schema_editor):
    Course = apps.get_model("catalog", "Course")
    Unit = apps.get_model("catalog", "Unit")
    Module = apps.get_model("catalog", "Module")
    Release = apps.get_model("catalog", "Release")
    Listing = apps.get_model("catalog", "Listing")
    now = timezone.now()
    ids = list(Course.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        courses = list(Course.objects.filter(pk__in=ids[start : start + CHUNK]).order_by("pk"))
        units_of, modules_of = {c.pk: [] for c in courses}, {}
        for unit in Unit.objects.filter(course__in=courses).order_by("course_id", "order"):
            units_of[unit.course_id].append(unit)
            modules_of[unit.pk] = []
        for module in Module.objects.filter(unit__course__in=courses).order_by("unit_id", "order"):
            modules_of[module.unit_id].append(module)
        for course in courses:
            document = _document(course, units_of[course.pk], modules_of)
            course.fingerprint = documents.fingerprint(document)
            if course.status != "published":
                continue
            release = Release.objects.create(
                course=course, number=1, document=document, fingerprint=course.fingerprint, created_at=course.updated_at
            )
            live_from = course.published_at or now
            fields = {
                "course_id": course.pk,
                "slug": course.slug,
                "status": "published",
                "published_at": live_from,
                "created_at": course.created_at,
                "updated_at": release.created_at,
            }
            unit_count, module_count = documents.counts(document)
            Listing.objects.create(
                course=course,
                release=release,
                slug=course.slug,
                title=course.title,
                description=course.description,
                topic=course.topic,
                created_at=course.created_at,
                live_from=live_from,
                unit_count=unit_count,
                module_count=module_count,
                summary=documents.dumps(documents.summary(document, **fields)),
                detail=documents.dumps(documents.detail(document, **fields)),
                search_text=" ".join(documents.titles(document)),
            )
        Course.objects.bulk_update(courses, ["fingerprint"])
    if schema_editor.connection.vendor == "postgresql":
        # The rows above leave deferred foreign-key checks pending, which CREATE INDEX refuses to run past.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(GIN)
        schema_editor.execute(FILL_VECTORS)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_GIN)
    apps.get_model("catalog", "Listing").objects.all().delete()
    apps.get_model("catalog", "Release").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_releases")]

    operations = [migrations.RunPython(forward, backward)]
