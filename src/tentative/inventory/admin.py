from django.contrib import admin

from tentative.inventory.models import CapacityPool, Hold, Reserve, ReserveDate, TimeClaim
from tentative.shared.admin import ReadOnlyAdmin


@admin.register(CapacityPool)
class CapacityPoolAdmin(ReadOnlyAdmin):
    """Read-only: `taken` changes only through bookings, `set_aside` and reserve pools through
    the reserve actions, a capacity through the catalogue pages (`set_capacity`)."""

    list_display = ["__str__", "capacity", "taken", "set_aside", "reserve"]


@admin.register(TimeClaim)
class TimeClaimAdmin(ReadOnlyAdmin):
    """Read-only: a claim is taken and released with its booking, never by hand."""

    list_display = ["__str__", "resource", "starts_at", "ends_at", "active"]
    list_filter = ["active", "resource"]


admin.site.register([Hold, Reserve, ReserveDate], ReadOnlyAdmin)
