"""Who may write, as in the admin: add_course to create, delete_course to delete, change_course for the rest."""

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from catalog import selectors
from catalog.permissions import is_editor

ADD = "catalog.add_course"
CHANGE = "catalog.change_course"
DELETE = "catalog.delete_course"

REFUSALS = {
    ADD: "Creating courses needs the catalog.add_course permission.",
    CHANGE: "Only catalog editors may change courses.",
    DELETE: "Deleting courses needs the catalog.delete_course permission.",
}
PUBLISHING = (
    'Publishing needs the catalog.change_course permission: leave out "status": "published" to create a '
    "draft, which an editor publishes."
)
TAKING_AN_ADDRESS = (
    "'{slug}' is the old address of a published course, which learners are redirected from: taking it "
    "needs the catalog.change_course permission."
)

# What each write of CourseViewSet needs. A PUT creates or changes, which only the course's lock can
# tell apart: it passes here with either permission and is decided by put_precondition().
NEEDS = {"create": (ADD,), "destroy": (DELETE,), "update": (CHANGE, ADD)}


def _allowed(user, permission: str) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(permission))


class CoursePermissions(BasePermission):
    """Reads are for everyone (visibility is the selectors' business); writes need the admin's permission."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        needed = NEEDS.get(getattr(view, "action", None), (CHANGE,))
        if any(_allowed(request.user, permission) for permission in needed):
            return True
        self.message = REFUSALS[needed[0]]
        return False


def put_precondition(user, record: dict):
    """PUT's check under the course lock: a new slug needs add_course, an existing course change_course;
    whatever learners see (publishing, an old address that redirects them) needs change_course."""

    def check(course):
        permission = ADD if course is None else CHANGE
        if not _allowed(user, permission):
            raise PermissionDenied(REFUSALS[permission])
        if course is None:
            create_check(user, record)

    return check


def create_check(user, record: dict) -> None:
    """What a user with add_course alone may not do when creating: publish, or take an old address."""
    if _allowed(user, CHANGE):
        return
    if record.get("status") == "published":
        raise PermissionDenied(PUBLISHING)
    if selectors.course_redirect(slug=record["slug"]) is not None:
        raise PermissionDenied(TAKING_AN_ADDRESS.format(slug=record["slug"]))


class IsEditor(BasePermission):
    message = "Only catalog editors may see or change releases, previews and schedules."

    def has_permission(self, request, view):
        return is_editor(request.user)
