"""The Django admin: the platform operator's window on the data, never a way to change it.

Issue 11: the admin could delete a confirmed booking with its holds and leave a date "10 of
10 taken" with no bookings. Bookings, capacity, catalogue, money and audit data change only
through the actions (rights, locks, audit entry, outbox), so their admin pages are
read-only: no add, no change, no delete (Django then shows the view-only form). And the
admin is for the platform's operator only: a superuser who is nobody's staff member
(`operator_only`); organisation staff work in /staff/, scoped to their organisation.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def operator_only(request: HttpRequest) -> bool:
    """The platform's operator: an active superuser with no staff membership. A member of
    an organisation never reaches the admin, even if someone made them a superuser."""
    user = request.user
    return bool(
        user.is_active and user.is_superuser and not user.memberships.exists()  # type: ignore[union-attr]
    )


admin.site.has_permission = operator_only  # type: ignore[method-assign]
