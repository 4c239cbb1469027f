"""Every write to the catalog: `from catalog import services; services.course_publish(...)`.

Each service runs in one transaction, locks the course row before touching it or its tree (so
concurrent edits of one course serialise) and checks the caller's precondition under that lock,
keeps unit and module order contiguous (1..n), bumps the course's `updated_at` on any change in
its tree, and tells catalog.cache which courses changed; the cache forgets them once the
transaction has committed.

- courses: fields, deletion and the workflow's moves; workflow: the rules, with no database;
- tree: units and modules; upsert: whole-tree upserts by slug; search: the search document.
"""

from .common import Precondition, all_of, unchanged_since
from .courses import (
    course_archive,
    course_create,
    course_delete,
    course_publish,
    course_restore,
    course_transition,
    course_unpublish,
    course_update,
)
from .tree import (
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
from .upsert import UpsertResult, course_upsert_tree, courses_upsert, duplicate_slug_error
from .workflow import PAST_TENSE, TRANSITIONS

__all__ = [
    "PAST_TENSE",
    "TRANSITIONS",
    "Precondition",
    "all_of",
    "UpsertResult",
    "course_archive",
    "course_create",
    "course_delete",
    "course_publish",
    "course_restore",
    "course_transition",
    "course_unpublish",
    "course_update",
    "course_upsert_tree",
    "courses_upsert",
    "duplicate_slug_error",
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
]
