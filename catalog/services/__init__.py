"""Every write to the catalog: `from catalog import services; services.course_publish(...)`.

Each service runs in one transaction, locks the course row before touching it or its tree (so
concurrent edits of one course serialise) and checks the caller's precondition under that lock,
keeps unit and module order contiguous (1..n), bumps the course's `updated_at` on any change in
its tree, and tells catalog.cache which courses changed; the cache forgets them once the
transaction has committed.

- common: the course lock and its precondition, shared by every writer; search: the search documents;
- editing/: courses (fields, address, deletion), tree (units and modules);
- releasing/: publishing (the workflow's moves as releases, discard, revert), releases (their parts),
  schedule (scheduled switches), counts (topic counts), tick (the minute's work);
- importing/: upsert, planning, applying, creating: whole-tree upserts by slug (import, API PUT);
  imports, merging: what imports remember, so re-imports keep editors' changes; identity: which course
  a named source's record follows (through renames, not past deletions); batching: one feed append and
  count update per long transaction;
- changes/: feed (the change feed's appends), webhooks (endpoints, the outbox, sending; webhook_http:
  the HTTP side; webhook_thread: the sender without a broker).

The workflow's table itself has no database and lives in catalog.domain.workflow.
"""

from catalog.domain.workflow import PAST_TENSE, TRANSITIONS
from catalog.services.changes.feed import feed_compact
from catalog.services.changes.webhooks import (
    deliveries_claim,
    deliveries_kick,
    deliveries_send_due,
    delivery_retry,
    endpoint_add,
    endpoint_check_secret,
    endpoint_check_url,
    endpoint_remove,
    endpoint_update,
    secret_make,
)
from catalog.services.common import Precondition, all_of, unchanged_since
from catalog.services.editing.courses import course_create, course_delete, course_update
from catalog.services.editing.previews import course_previews_revoke
from catalog.services.editing.tree import (
    merged_order,
    module_create,
    module_delete,
    module_move,
    module_reorder,
    module_update,
    unit_create,
    unit_delete,
    unit_move,
    unit_reorder,
    unit_update,
)
from catalog.services.importing.batching import deferred
from catalog.services.importing.imports import courses_prune
from catalog.services.importing.upsert import UpsertResult, course_upsert_tree, courses_upsert, duplicate_slug_error
from catalog.services.releasing.counts import recount as counts_recount
from catalog.services.releasing.publishing import (
    course_archive,
    course_discard,
    course_publish,
    course_restore,
    course_revert,
    course_transition,
    course_unpublish,
)
from catalog.services.releasing.releases import releases_prune
from catalog.services.releasing.schedule import UNSET, course_schedule, course_schedule_cancel, schedule_apply_due
from catalog.services.releasing.tick import tick
from catalog.services.topics import topic_names_remember, topic_rename

__all__ = [
    "PAST_TENSE",
    "TRANSITIONS",
    "Precondition",
    "all_of",
    "UpsertResult",
    "course_archive",
    "course_create",
    "course_delete",
    "course_discard",
    "course_revert",
    "course_schedule",
    "course_schedule_cancel",
    "counts_recount",
    "releases_prune",
    "schedule_apply_due",
    "UNSET",
    "course_previews_revoke",
    "course_publish",
    "course_restore",
    "course_transition",
    "course_unpublish",
    "course_update",
    "course_upsert_tree",
    "courses_upsert",
    "courses_prune",
    "duplicate_slug_error",
    "deferred",
    "deliveries_claim",
    "deliveries_kick",
    "deliveries_send_due",
    "delivery_retry",
    "endpoint_add",
    "endpoint_check_secret",
    "endpoint_check_url",
    "endpoint_remove",
    "endpoint_update",
    "secret_make",
    "feed_compact",
    "tick",
    "merged_order",
    "module_create",
    "module_delete",
    "module_move",
    "module_reorder",
    "module_update",
    "unchanged_since",
    "unit_create",
    "unit_delete",
    "unit_move",
    "unit_reorder",
    "unit_update",
    "topic_names_remember",
    "topic_rename",
]
