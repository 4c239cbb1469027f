"""Who may edit: the `catalog.change_course` permission, and the Editors group that holds it."""

from django.contrib.auth.models import Group, Permission

EDITORS_GROUP = "Editors"
EDIT_PERMISSION = "catalog.change_course"


def is_editor(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(EDIT_PERMISSION))


def editors_group_sync(**kwargs):
    """After every migrate: the Editors group holds exactly the catalog app's permissions."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="catalog"))
