"""What imports remember of the courses they wrote (ImportState), and the unchanged records they skip unread."""

import hashlib

import orjson
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .. import selectors
from ..models import Course, ImportState, Listing

Status = Course.Status
DEFAULT_SOURCE = "import"


PARTS = ("title", "description", "topic", "units")


def record_hash(data, *, raw: str | None = None) -> str:
    """The fingerprint of a record as read (before validation): equal records, equal hashes. The line
    itself when there is one (JSON Lines: hashing it costs less than writing the record out again)."""
    text = raw.strip().encode() if raw is not None else orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(text).hexdigest()


def part_hashes(record: dict) -> dict[str, str]:
    """A hash of each part of a cleaned record (or working copy in record form): title, description,
    topic, and the tree (unit titles, module titles and contents, in order)."""
    return {name: record_hash(record[name])[:32] for name in PARTS}


def unchanged_imports(*, hashes: dict[str, str], statuses: dict[str, str | None], now=None) -> set[str]:
    """Slugs whose record equals the one the last import wrote, on a course nobody changed since and
    whose status already is what the record asks: importing them again would change nothing."""
    if not hashes:
        return set()
    now = now or timezone.now()
    live = Listing.objects.filter(selectors.live_at(now), course=OuterRef("pk")).values("release__fingerprint")[:1]
    rows = (
        Course.objects.filter(slug__in=list(hashes), import_state__isnull=False)
        .annotate(live_fingerprint=Subquery(live))
        .values_list(
            "slug",
            "status",
            "fingerprint",
            "live_fingerprint",
            "import_state__record_hash",
            "import_state__fingerprint",
            "publish_at",
            "unpublish_at",
        )
    )
    unchanged = set()
    for slug, status, fingerprint, live, imported_hash, imported_fingerprint, publish_at, unpublish_at in rows:
        if imported_hash != hashes[slug] or imported_fingerprint != fingerprint:
            continue
        if any(at and at <= now for at in (publish_at, unpublish_at)):
            continue  # a switch is due: let the write path record it
        wanted = statuses.get(slug) or status
        if wanted != status or (wanted == Status.PUBLISHED and live != fingerprint):
            continue
        unchanged.add(slug)
    return unchanged


def import_states_write(*, items: list[tuple[Course, dict, str]], source: str, now=None) -> None:
    """Remember (course, cleaned record, record hash) as what `source` last wrote of each course."""
    if not items:
        return
    now = now or timezone.now()
    states = [
        ImportState(
            course_id=course.pk,
            source=source,
            parts=part_hashes(record),
            record_hash=digest,
            fingerprint=course.fingerprint,
            imported_at=now,
        )
        for course, record, digest in items
    ]
    ImportState.objects.bulk_create(
        states,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["course"],
        update_fields=["source", "parts", "record_hash", "fingerprint", "imported_at"],
    )
