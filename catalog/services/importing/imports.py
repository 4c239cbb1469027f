"""What imports remember of the courses they wrote (ImportState), and the unchanged records they skip unread."""

import hashlib
from collections import defaultdict

import orjson
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from catalog import selectors
from catalog.db.copying import copy_rows, staging_table
from catalog.db.sql import many
from catalog.errors import PruneRefusedError
from catalog.models import Course, ImportIdentity, ImportState, Listing, Module, Unit
from catalog.services.importing.merging import with_ids
from catalog.services.releasing.publishing import course_archive

Status = Course.Status
DEFAULT_SOURCE = "import"


def record_hash(data, *, raw: str | None = None) -> str:
    """The fingerprint of a record as read (before validation): equal records, equal hashes. The line
    itself when there is one (JSON Lines: hashing it costs less than writing the record out again)."""
    text = raw.strip().encode() if raw is not None else orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(text).hexdigest()


def import_bases(courses) -> dict[int, dict]:
    """What the last import wrote of each of these courses (see services.merging), by course id."""
    states = ImportState.objects.filter(course_id__in=many([c.pk for c in courses], "bigint"))
    return dict(states.values_list("course_id", "parts"))


def unchanged_imports(
    *, hashes: dict[str, str], statuses: dict[str, str | None], source: str = DEFAULT_SOURCE, now=None
) -> dict[str, list[str]]:
    """Slugs whose record equals the one the last import (from `source`) wrote, on a course nobody changed since and
    whose status already is what the record asks: importing them again would change nothing. With
    each, where that last import kept an editor's change (it still is kept)."""
    if not hashes:
        return {}
    now = now or timezone.now()
    # Unordered: one listing of a course is live at a time, and it is found by course (see with_release_state).
    live = Listing.objects.filter(selectors.live_at(now), course=OuterRef("pk")).order_by()
    live = live.values("release__fingerprint")[:1]
    # Found by slug, the source checked below: right after a big import (no statistics yet) a filter
    # on the source had PostgreSQL walk every course of the source for each chunk.
    rows = (
        Course.objects.filter(slug__in=many(list(hashes), "text"))
        .order_by()
        .annotate(live_fingerprint=Subquery(live))
        .values_list(
            "import_state__source",
            "slug",
            "status",
            "fingerprint",
            "live_fingerprint",
            "import_state__record_hash",
            "import_state__fingerprint",
            "publish_at",
            "unpublish_at",
            "import_state__kept",
        )
    )
    unchanged = {}
    for imported_from, slug, status, fingerprint, live, imported_hash, imported_fingerprint, *switches, kept in rows:
        publish_at, unpublish_at = switches
        if imported_from != source or imported_hash != hashes[slug] or imported_fingerprint != fingerprint:
            continue
        if any(at and at <= now for at in (publish_at, unpublish_at)):
            continue  # a switch is due: let the write path record it
        wanted = statuses.get(slug) or status
        if wanted != status or (wanted == Status.PUBLISHED and live != fingerprint):
            continue
        unchanged[slug] = kept
    return unchanged


def import_states_write(*, items: list[tuple[Course, dict, str, list[str]]], source: str, now=None) -> None:
    """Remember, per course, what `source` wrote of it (see services.merging.remembered), the hash of
    its record, and where an editor's change was kept; the ids of its units and modules are read here."""
    if not items:
        return
    now = now or timezone.now()
    # The ids of the rows written, unless known already (the courses created in bulk).
    course_ids = [course.pk for course, remember, *_ in items if "items" in remember]
    unit_ids, module_ids = defaultdict(list), defaultdict(list)
    units = Unit.objects.filter(course_id__in=many(course_ids, "bigint")).order_by("course_id", "order")
    for course_id, unit_id in units.values_list("course_id", "id"):
        unit_ids[course_id].append(unit_id)
    modules = Module.objects.filter(unit__course_id__in=many(course_ids, "bigint")).order_by("unit_id", "order")
    for unit_id, module_id in modules.values_list("unit_id", "id"):
        module_ids[unit_id].append(module_id)
    rows = [
        (course.pk, source, _with_ids(remember, unit_ids[course.pk], module_ids), digest, course.fingerprint, kept)
        for course, remember, digest, kept in items
    ]
    if connection.vendor == "postgresql":
        _copy_states(rows, now)
        return
    states = [ImportState(**dict(zip(STATE_COLUMNS, row, strict=False)), imported_at=now) for row in rows]
    ImportState.objects.bulk_create(
        states, batch_size=500, update_conflicts=True, unique_fields=["course"], update_fields=STATE_COLUMNS[1:]
    )


def _with_ids(remember: dict, unit_ids, module_ids) -> dict:
    return with_ids(dict(remember), unit_ids, module_ids) if "items" in remember else remember


STATE_COLUMNS = ["course_id", "source", "parts", "record_hash", "fingerprint", "kept", "imported_at"]


def _copy_states(rows, now) -> None:
    """The rows through COPY into a staging table, then one upsert (bulk_create would spend more time
    building its statement than the database spends on it)."""
    table, stage = ImportState._meta.db_table, "catalog_stage_importstate"
    names = ", ".join(STATE_COLUMNS)
    staging_table(stage, ImportState)
    copy_rows(
        stage,
        STATE_COLUMNS,
        [
            (course_id, source, orjson.dumps(parts).decode(), digest, fingerprint, orjson.dumps(kept).decode(), now)
            for course_id, source, parts, digest, fingerprint, kept in rows
        ],
    )
    with connection.cursor() as cursor:
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in STATE_COLUMNS[1:])
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} ON CONFLICT (course_id) DO UPDATE SET {updates}"
        )


def courses_prune(*, source: str, keep: set[str], max_percent: float, by=None, dry_run: bool = False) -> list[str]:
    """Archive the courses `source`'s records created (followed through editors' renames, see
    services.importing.identity) whose records are not in `keep` (the slugs of the files just imported),
    all or none; returns their slugs. Refused when they are more than `max_percent` of the source's
    courses that are not archived: a truncated or wrong file must not empty the catalog."""
    with transaction.atomic():
        # A course belongs to the source that imported it last; it is missing when the key of the
        # record that created it (its slug, for courses with no identity) is in none of the files.
        courses = Course.objects.filter(import_state__source=source).exclude(status=Status.ARCHIVED)
        slugs = dict(courses.values_list("pk", "slug"))
        identities = ImportIdentity.objects.filter(source=source, course_id__in=many(list(slugs), "bigint"))
        keys = dict(identities.values_list("course_id", "key"))
        gone = sorted(slug for pk, slug in slugs.items() if keys.get(pk, slug) not in keep)
        if gone and len(gone) * 100 > max_percent * len(slugs):
            raise PruneRefusedError(
                f"refusing to prune: {len(gone)} of the {len(slugs)} course(s) imported from source '{source}' "
                f"({len(gone) / len(slugs):.0%}) are not in the file(s), more than --max-prune {max_percent:g}%: "
                f"{shown(gone)}; nothing was archived (check the files, or raise --max-prune)"
            )
        if not dry_run:
            for course in Course.objects.filter(slug__in=gone).order_by("pk"):
                course_archive(course=course, by=by)
    return gone


def shown(slugs: list[str], most: int = 10) -> str:
    """Slugs for a message: the first few, and how many more."""
    more = f" and {len(slugs) - most} more" if len(slugs) > most else ""
    return ", ".join(slugs[:most]) + more
