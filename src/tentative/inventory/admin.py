from django.contrib import admin

from tentative.inventory.models import CapacityPool, TimeClaim


@admin.register(CapacityPool)
class CapacityPoolAdmin(admin.ModelAdmin):
    # `taken` changes only through bookings; editing it here would break invariant 1.
    readonly_fields = ["taken", "set_aside", "reserve"]
    list_display = ["__str__", "capacity", "taken", "set_aside", "reserve"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A reserve's places move only through the reserve actions, which keep the date
        # pool's `set_aside` equal to them (and write the audit entry).
        if obj is not None and obj.reserve_id is not None:
            return [*self.readonly_fields, "capacity", "event_date", "ticket_type"]
        return self.readonly_fields


@admin.register(TimeClaim)
class TimeClaimAdmin(admin.ModelAdmin):
    """Read-only: a claim is taken and released with its booking, never by hand."""

    list_display = ["__str__", "resource", "starts_at", "ends_at", "active"]
    list_filter = ["active", "resource"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
