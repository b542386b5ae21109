from django.contrib import admin

from tentative.bookings.models import Booking


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-only: a state change must go through an action (permission, capacity, audit)."""

    list_display = ["reference", "organisation", "state", "total", "created_at"]
    list_filter = ["state", "organisation"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
