"""API permission classes used by default (settings.REST_FRAMEWORK).

Kept apart from tafcase.drf: DRF imports default permission classes while rest_framework.views
is still loading, so this module must import nothing from the views.
"""

from rest_framework.permissions import BasePermission


class NotReadOnlyRole(BasePermission):
    """Managers and auditors read; any write from them is 403."""

    def has_permission(self, request, view):
        return request.method in ("GET", "HEAD", "OPTIONS") or not request.user.is_read_only
