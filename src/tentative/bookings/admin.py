from django.contrib import admin

from tentative.bookings.models import Booking, BookingLine, Participant
from tentative.shared.admin import ReadOnlyAdmin, ReadOnlyInline


class LineInline(ReadOnlyInline):
    model = BookingLine


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    """Read-only: a state change must go through an action (permission, capacity, audit)."""

    list_display = ["reference", "organisation", "state", "total", "created_at"]
    list_filter = ["state", "organisation"]
    inlines = [LineInline]


admin.site.register([BookingLine, Participant], ReadOnlyAdmin)
