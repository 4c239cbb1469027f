"""New courses in bulk on PostgreSQL (an import's courses that no row holds yet): every row written once.

Ids are drawn from the tables' sequences first, so that whole trees, releases and listings can be
streamed with COPY; the rows that carry a search document (courses, listings) go through a
temporary staging table and are inserted with their document computed by the database. The result
is the same as the planner and applier give (catalog.services.applying), which do everything else.
"""

import datetime as dt
from collections import Counter
from types import SimpleNamespace

from django.db import connection

from .. import cache, documents
from ..models import Course, CourseTransition, Listing, Module, Release, SlugRedirect, Unit
from . import counts
from .feed import feed_append, published_entry
from .planning import UpsertResult
from .releases import listing_fields
from .search import title_vector_sql, vector_sql

Status = Course.Status
STAGE_COURSES = "catalog_stage_course"
STAGE_LISTINGS = "catalog_stage_listing"
COURSE_COLUMNS = [
    "id", "slug", "title", "description", "topic", "status", "published_at", "created_at", "updated_at",
    "unit_count", "module_count", "fingerprint",
]  # fmt: skip
TRANSITION_COLUMNS = ["course_id", "from_status", "to_status", "action", "release", "by_id", "at", "scheduled"]
LISTING_COLUMNS = [
    "id", "course_id", "release_id", "slug", "title", "description", "topic", "created_at", "live_from",
    "unit_count", "module_count", "summary", "detail", "search_text", "counted",
]  # fmt: skip


def supported(record: dict) -> bool:
    """PostgreSQL (SQLite, for `make run`, goes through the planner)."""
    return connection.vendor == "postgresql"


def create_courses(records: list[dict], *, by, now: dt.datetime) -> list[UpsertResult]:
    courses = [_course(record, now) for record in records]
    _ids(Course, courses)
    units, modules = _tree(records, courses, now)
    for course in courses:
        course.fingerprint = documents.fingerprint(course.document)
    with connection.cursor() as cursor:
        _stage(cursor, STAGE_COURSES, courses, COURSE_COLUMNS)
        _copy(cursor, Unit, ["id", "course_id", "title", "order", "created_at", "updated_at"], units)
        _copy(cursor, Module, ["id", "unit_id", "title", "order", "content", "created_at", "updated_at"], modules)
        published = [c for c in courses if c.status == Status.PUBLISHED]
        _publish(cursor, published, now, by=by)
        # A new course asked to be archived: created as a draft and archived, as the workflow goes.
        archived = [
            (c.id, Status.DRAFT, Status.ARCHIVED, "archive", None, by.pk if by else None, now, False)
            for c in courses
            if c.status == Status.ARCHIVED
        ]
        _copy(cursor, CourseTransition, TRANSITION_COLUMNS, archived)
    SlugRedirect.objects.filter(slug__in=[c.slug for c in courses]).delete()
    return [
        UpsertResult(slug=c.slug, outcome="created", course=Course(pk=c.id, slug=c.slug, fingerprint=c.fingerprint))
        for c in courses
    ]


def _course(record: dict, now) -> SimpleNamespace:
    status = record.get("status", Status.DRAFT)
    return SimpleNamespace(
        slug=record["slug"],
        title=record["title"],
        description=record["description"],
        topic=record["topic"],
        status=status,
        published_at=now if status == Status.PUBLISHED else None,
        created_at=now,
        updated_at=now,
        record=record,
    )


def _tree(records, courses, now):
    units, modules = [], []
    unit_ids = iter(_draw(Unit, sum(len(r["units"]) for r in records)))
    module_ids = iter(_draw(Module, sum(len(u["modules"]) for r in records for u in r["units"])))
    for course in courses:
        tree = []
        for order, unit in enumerate(course.record["units"], start=1):
            unit_id = next(unit_ids)
            units.append((unit_id, course.id, unit["title"], order, now, now))
            unit_modules = []
            for m_order, module in enumerate(unit["modules"], start=1):
                module_id = next(module_ids)
                modules.append((module_id, unit_id, module["title"], m_order, module["content"], now, now))
                unit_modules.append(
                    {"id": module_id, "title": module["title"], "order": m_order, "content": module["content"]}
                )
            tree.append({"id": unit_id, "title": unit["title"], "order": order, "modules": unit_modules})
        course.document = {
            "title": course.title,
            "description": course.description,
            "topic": course.topic,
            "units": tree,
        }
        course.unit_count, course.module_count = documents.counts(course.document)
        course.unit_titles, course.module_titles = documents.titles(course.document)
    return units, modules


def _publish(cursor, courses, now, *, by) -> None:
    if not courses:
        return
    release_ids, listing_ids = _draw(Release, len(courses)), _draw(Listing, len(courses))
    releases, listings, entries = [], [], []
    for course, release_id, listing_id in zip(courses, release_ids, listing_ids, strict=True):
        release = SimpleNamespace(id=release_id, number=1, document=course.document, created_at=now)
        releases.append(
            (release_id, course.id, 1, documents.dumps(course.document), course.fingerprint, now, by.pk if by else None)
        )
        fields = listing_fields(SimpleNamespace(pk=course.id, slug=course.slug, created_at=now), release, live_from=now)
        listings.append(
            SimpleNamespace(
                id=listing_id,
                course_id=course.id,
                release_id=release_id,
                unit_titles=course.unit_titles,
                module_titles=course.module_titles,
                counted=True,
                **fields,
            )
        )
        entries.append(published_entry(Listing(course_id=course.id, release=Release(number=1), **fields)))
    _copy(
        cursor,
        Release,
        ["id", "course_id", "number", "document", "fingerprint", "created_at", "created_by_id"],
        releases,
    )
    _stage(cursor, STAGE_LISTINGS, listings, LISTING_COLUMNS)
    counts.add(Counter(listing.topic for listing in listings))
    transitions = [
        (c.id, Status.DRAFT, Status.PUBLISHED, "publish", 1, by.pk if by else None, now, False) for c in courses
    ]
    _copy(
        cursor,
        CourseTransition,
        ["course_id", "from_status", "to_status", "action", "release", "by_id", "at", "scheduled"],
        transitions,
    )
    feed_append(entries)
    cache.course_changed(slugs=[c.slug for c in courses])


def _draw(model, count: int) -> list[int]:
    """`count` ids from the table's own sequence."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _ids(model, rows) -> None:
    for row, pk in zip(rows, _draw(model, len(rows)), strict=True):
        row.id = pk


def _copy(cursor, model, columns: list[str], rows) -> None:
    if not rows:
        return
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _stage(cursor, stage: str, rows, columns: list[str]) -> None:
    """Stream rows into a staging table, then insert them into their table with their search document."""
    if not rows:
        return
    table = Course._meta.db_table if stage == STAGE_COURSES else Listing._meta.db_table
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP;"
        f"ALTER TABLE {stage} ADD COLUMN IF NOT EXISTS unit_titles text, "
        f"ADD COLUMN IF NOT EXISTS module_titles text;"
        f"TRUNCATE {stage}"
    )
    staged = [*columns, "unit_titles", "module_titles"]
    names = ", ".join(f'"{name}"' for name in staged)
    with cursor.cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([getattr(row, name) for name in staged])
    targets = ", ".join(f'"{name}"' for name in columns)
    sources = ", ".join(f's."{name}"' for name in columns)
    vectors, documents_sql = ["search_vector"], [vector_sql("s", "s")]
    if stage == STAGE_LISTINGS:
        vectors.append("title_vector")
        documents_sql.append(title_vector_sql("s", "s"))
    cursor.execute(
        f"INSERT INTO {table} ({targets}, {', '.join(vectors)}) "
        f"SELECT {sources}, {', '.join(documents_sql)} FROM {stage} s"
    )
