"""What the last import wrote of a course: how re-imports tell an editor's hand edits from their own."""

from django.db import models

from catalog.models.courses import SLUG_MAX_LENGTH, Course


class ImportState(models.Model):
    """What the last import of a course wrote, from which source, and the course's working-copy
    fingerprint right after it. A re-import compares three versions of each part of a course (its
    fields, units and modules): what the last import wrote (base, kept as hashes here, with the ids
    of the rows written), the new record (theirs) and the working copy (ours: an editor may have
    changed it since). See catalog.services.importing.merging."""

    course = models.OneToOneField(Course, primary_key=True, on_delete=models.CASCADE, related_name="import_state")
    source = models.CharField(max_length=100, db_index=True)
    # {"title": hash, "description": hash, "topic": hash, "units": hash} of what was written.
    parts = models.JSONField()
    # Of the record as read, before validation: an identical record on an untouched course is skipped unread.
    record_hash = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    # Field paths where that import kept an editor's change: reported again when the record is skipped.
    kept = models.JSONField(default=list, blank=True)
    imported_at = models.DateTimeField()

    def __str__(self):
        return f"{self.course_id} from {self.source}"


class ImportIdentity(models.Model):
    """Which course a source's record made: the record's key (the slug it had when it first created
    the course) stays its identity in that source. An editor's rename is followed (the course keeps
    its new slug), and a course an editor deleted keeps its row with no course, so a re-import says
    so rather than creating it again (see catalog.services.importing.identity)."""

    source = models.CharField(max_length=100)
    key = models.CharField(max_length=SLUG_MAX_LENGTH)
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_identities"
    )
    created_at = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="import_identity_source_key")]

    def __str__(self):
        return f"{self.source}:{self.key} -> {self.course_id}"
