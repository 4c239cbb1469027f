"""What the last import wrote of a course: how re-imports tell an editor's hand edits from their own."""

from django.db import models

from catalog.models.courses import Course


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
