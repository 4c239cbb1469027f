"""Which course each record of a source follows: by the key it first created the course with, not by slug.

A record's slug, the first time a source imports it, is its key in that source (ImportIdentity). From
then on the record follows that course: an editor may rename the course (the record updates it under
its new slug, and keeps the editor's slug), and an editor may delete it (the record is reported and
not created again, unless the import asks for that). Courses imported before identities existed got
their slug as key (migration 0017).
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F

from catalog.db.copying import copy_rows
from catalog.db.sql import many
from catalog.errors import CatalogBatchError, CatalogError, CatalogValidationError
from catalog.models import ImportIdentity
from catalog.services.importing.planning import UpsertResult

DELETED = "deleted by an editor since it was imported; not created again (--recreate creates it again)"
TAKEN = (
    "'{slug}' is the course this source's record '{key}' created, renamed by an editor: this record cannot"
    " have it too (give it another slug)"
)
RECREATED = "deleted by an editor since it was imported; created again (--recreate)"


@dataclass
class Followed:
    """A batch as it is written: `records` (slugs replaced by those of the courses they follow), their
    `positions` in the batch and their `keys`; `skipped` holds the results of records not written."""

    records: list[dict] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    renamed: dict[int, str] = field(default_factory=dict)  # position -> the key, where an editor renamed the course
    recreated: set[int] = field(default_factory=set)
    unknown: set[int] = field(default_factory=set)  # positions whose key the source has not used yet
    skipped: dict[int, UpsertResult] = field(default_factory=dict)
    failures: dict[int, CatalogError] = field(default_factory=dict)  # by batch position

    def results(self, written: list[UpsertResult]) -> list[UpsertResult]:
        """The batch's results in its order, the skipped records' among them."""
        by_position = dict(zip(self.positions, written, strict=True))
        for position, result in by_position.items():
            if position in self.renamed:
                result.kept = ["slug", *result.kept]
            if position in self.recreated:
                result.notes.append(RECREATED)
        return [by_position.get(i) or self.skipped[i] for i in range(len(by_position) + len(self.skipped))]

    def with_failures(self, failures: dict[int, CatalogError]) -> CatalogBatchError:
        """The batch's errors by batch position: those of the records written (by their index), and ours."""
        return CatalogBatchError({self.positions[i]: error for i, error in failures.items()} | self.failures)


def identities_follow(*, records: list[dict], source: str, recreate: bool = False, follow: bool = True) -> Followed:
    """`follow` False: every record goes by its slug (and counts as a key the source has not used)."""
    keys = [record["slug"] for record in records]
    if not follow:
        return Followed(records=list(records), positions=list(range(len(records))), keys=keys)
    rows = ImportIdentity.objects.filter(source=source, key__in=many(sorted(set(keys)), "text"))
    known = {key: slug for key, slug in rows.values_list("key", "course__slug")}
    unknown = sorted(set(keys) - set(known))
    owners = {}  # slugs an editor gave to another record's course: their record's key
    if unknown:
        taken = ImportIdentity.objects.filter(source=source, course__slug__in=many(unknown, "text"))
        owners = dict(taken.exclude(key=F("course__slug")).values_list("course__slug", "key"))
    followed = Followed()
    for position, record in enumerate(records):
        key = record["slug"]
        slug = known.get(key, key)
        if key in owners:
            followed.failures[position] = CatalogValidationError({"slug": [TAKEN.format(slug=key, key=owners[key])]})
            continue
        if key not in known:
            followed.unknown.add(position)
        elif slug is None:
            if not recreate:
                result = UpsertResult(slug=key, outcome="unchanged", notes=[DELETED])
                followed.skipped[position] = result
                continue
            slug = key
            followed.recreated.add(position)
        elif slug != key:
            followed.renamed[position] = key
            record = {**record, "slug": slug}
        followed.records.append(record)
        followed.positions.append(position)
        followed.keys.append(key)
    return followed


def identities_write(*, source: str, followed: Followed, written: list[UpsertResult]) -> None:
    """New keys, and those of courses created again, now name the courses their records wrote."""
    new, again = [], []
    for position, key, result in zip(followed.positions, followed.keys, written, strict=True):
        if position in followed.unknown:
            new.append((source, key, result.course.pk))
        elif position in followed.recreated:
            again.append((key, result.course.pk))
    # New keys conflict with nothing (the import lock is held, and they were looked up under it):
    # COPY on PostgreSQL, where an INSERT of thousands of rows cost five times as much.
    if connection.vendor == "postgresql":
        copy_rows(ImportIdentity, ["source", "key", "course_id"], new)
    else:
        rows = [ImportIdentity(source=source, key=key, course_id=course_id) for source, key, course_id in new]
        ImportIdentity.objects.bulk_create(rows, batch_size=500)
    for key, course_id in again:
        ImportIdentity.objects.filter(source=source, key=key).update(course_id=course_id)
