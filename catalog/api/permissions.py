"""Writes are for editors: users with catalog.change_course."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..permissions import is_editor


class IsEditorOrReadOnly(BasePermission):
    message = "Only catalog editors may change courses."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_editor(request.user)


class IsEditor(BasePermission):
    message = "Only catalog editors may see or change releases, previews and schedules."

    def has_permission(self, request, view):
        return is_editor(request.user)
