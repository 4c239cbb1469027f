"""New courses in bulk on PostgreSQL (an import's courses that no row holds yet): every row written once.

Ids are drawn from the tables' sequences first, so that whole trees, releases and listings can be
streamed with COPY; the rows that carry a search document (courses, listings) go through a
temporary staging table and are inserted with their document computed by the database. The result
is the same as the planner and applier give (catalog.services.importing.applying), which do everything else.
"""

import datetime as dt
from types import SimpleNamespace

from django.db import connection

from catalog import cache
from catalog.db.copying import copy_rows, draw_ids, staging_table
from catalog.db.sql import many
from catalog.domain import documents
from catalog.models import Course, CourseTransition, FeedEntry, Listing, Module, Release, SlugRedirect, Unit
from catalog.services.changes.feed import feed_append
from catalog.services.importing.planning import UpsertResult
from catalog.services.releasing import counts
from catalog.services.releasing.releases import listing_fields
from catalog.services.search import listing_words_add, title_vector_sql, vector_sql

Status = Course.Status
STAGE_COURSES = "catalog_stage_course"
STAGE_LISTINGS = "catalog_stage_listing"
COURSE_COLUMNS = [
    "id", "slug", "title", "description", "topic", "status", "published_at", "created_at", "updated_at",
    "unit_count", "module_count", "fingerprint", "level", "language", "duration_minutes",
]  # fmt: skip
TRANSITION_COLUMNS = ["course_id", "from_status", "to_status", "action", "release", "by_id", "at", "scheduled"]
LISTING_COLUMNS = [
    "id", "course_id", "release_id", "slug", "title", "description", "topic", "created_at", "live_from",
    "unit_count", "module_count", "summary", "detail", "search_text", "counted", "level", "language",
    "duration_minutes",
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
        copy_rows(Unit, ["id", "course_id", "title", "order", "created_at", "updated_at"], units)
        copy_rows(
            Module, ["id", "unit_id", "title", "order", "content", "minutes", "created_at", "updated_at"], modules
        )
        published = [c for c in courses if c.status == Status.PUBLISHED]
        _publish(cursor, published, now, by=by)
        # A new course asked to be archived: created as a draft and archived, as the workflow goes.
        archived = [
            (c.id, Status.DRAFT, Status.ARCHIVED, "archive", None, by.pk if by else None, now, False)
            for c in courses
            if c.status == Status.ARCHIVED
        ]
        copy_rows(CourseTransition, TRANSITION_COLUMNS, archived)
    SlugRedirect.objects.filter(slug__in=many([c.slug for c in courses], "text")).delete()
    return [
        UpsertResult(
            slug=c.slug,
            outcome="created",
            course=Course(pk=c.id, slug=c.slug, fingerprint=c.fingerprint),
            tree_ids=[(u["id"], [m["id"] for m in u["modules"]]) for u in c.document["units"]],
        )
        for c in courses
    ]


def _course(record: dict, now) -> SimpleNamespace:
    status = record.get("status", Status.DRAFT)
    return SimpleNamespace(
        slug=record["slug"],
        title=record["title"],
        description=record["description"],
        topic=record["topic"],
        level=record["level"],
        language=record["language"],
        status=status,
        published_at=now if status == Status.PUBLISHED else None,
        created_at=now,
        updated_at=now,
        record=record,
    )


def _tree(records, courses, now):
    units, modules = [], []
    now = now.isoformat()  # as COPY's text, once: psycopg would adapt the datetime in every row
    unit_ids = iter(draw_ids(Unit, sum(len(r["units"]) for r in records)))
    module_ids = iter(draw_ids(Module, sum(len(u["modules"]) for r in records for u in r["units"])))
    for course in courses:
        tree = []
        for order, unit in enumerate(course.record["units"], start=1):
            unit_id = next(unit_ids)
            units.append((unit_id, course.id, unit["title"], order, now, now))
            unit_modules = []
            for m_order, module in enumerate(unit["modules"], start=1):
                module_id = next(module_ids)
                title, content, minutes = module["title"], module["content"], module["minutes"]
                modules.append((module_id, unit_id, title, m_order, content, minutes, now, now))
                unit_modules.append(
                    {"id": module_id, "title": title, "order": m_order, "content": content, "minutes": minutes}
                )
            tree.append({"id": unit_id, "title": unit["title"], "order": order, "modules": unit_modules})
        course.document = {
            "title": course.title,
            "description": course.description,
            "topic": course.topic,
            "level": course.level,
            "language": course.language,
            "units": tree,
        }
        course.unit_count, course.module_count = documents.counts(course.document)
        course.duration_minutes = documents.duration(course.document)
        course.unit_titles, course.module_titles, course.module_content = documents.search_parts(course.document)
    return units, modules


def _publish(cursor, courses, now, *, by) -> None:
    if not courses:
        return
    release_ids, listing_ids = draw_ids(Release, len(courses)), draw_ids(Listing, len(courses))
    releases, listings, entries = [], [], []
    for course, release_id, listing_id in zip(courses, release_ids, listing_ids, strict=True):
        release = SimpleNamespace(id=release_id, number=1, document=course.document, slug=course.slug, created_at=now)
        document = documents.dumps(course.document)
        releases.append(
            (release_id, course.id, 1, document, course.fingerprint, course.slug, now, by.pk if by else None)
        )
        fields = listing_fields(SimpleNamespace(pk=course.id, slug=course.slug, created_at=now), release, live_from=now)
        listings.append(
            SimpleNamespace(
                id=listing_id,
                course_id=course.id,
                release_id=release_id,
                unit_titles=course.unit_titles,
                counted=True,
                **fields,
            )
        )
        entries.append(
            FeedEntry(
                course_id=course.id,
                slug=course.slug,
                kind=FeedEntry.Kind.PUBLISHED,
                release=1,
                at=now,
                summary=fields["summary"],
            )
        )
    copy_rows(
        Release,
        ["id", "course_id", "number", "document", "fingerprint", "slug", "created_at", "created_by_id"],
        releases,
    )
    _stage(cursor, STAGE_LISTINGS, listings, LISTING_COLUMNS)
    counts.add(counts.gone_live(listings))
    transitions = [
        (c.id, Status.DRAFT, Status.PUBLISHED, "publish", 1, by.pk if by else None, now, False) for c in courses
    ]
    copy_rows(
        CourseTransition,
        ["course_id", "from_status", "to_status", "action", "release", "by_id", "at", "scheduled"],
        transitions,
    )
    feed_append(entries)
    cache.course_changed(slugs=[c.slug for c in courses])


def _ids(model, rows) -> None:
    for row, pk in zip(rows, draw_ids(model, len(rows)), strict=True):
        row.id = pk


def _stage(cursor, stage: str, rows, columns: list[str]) -> None:
    """Stream rows into a staging table, then insert them into their table with their search document."""
    if not rows:
        return
    table = Course._meta.db_table if stage == STAGE_COURSES else Listing._meta.db_table
    # A course's document reads its tree's three texts; a listing's title document only the unit titles
    # (it takes the course's document, and its search_text is among its columns already).
    parts = ("unit_titles", "module_titles", "module_content") if stage == STAGE_COURSES else ("unit_titles",)
    staging_table(stage, table, extra=", ".join(f"ADD COLUMN IF NOT EXISTS {name} text" for name in parts))
    staged = [*columns, *parts]
    copy_rows(stage, staged, [[getattr(row, name) for name in staged] for row in rows])
    targets = ", ".join(f'"{name}"' for name in columns)
    sources = ", ".join(f's."{name}"' for name in columns)
    if stage == STAGE_COURSES:
        cursor.execute(
            f"INSERT INTO {table} ({targets}, search_vector) SELECT {sources}, {vector_sql('s', 's')} FROM {stage} s"
        )
        return
    # A new course's first release has the course's own search document, computed a moment ago.
    cursor.execute(
        f"INSERT INTO {table} ({targets}, search_vector, title_vector) "
        f"SELECT {sources}, c.search_vector, {title_vector_sql('s', 's')} "
        f"FROM {stage} s JOIN {Course._meta.db_table} c ON c.id = s.course_id"
    )
    listing_words_add(rows)
