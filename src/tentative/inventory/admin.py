from django.contrib import admin

from tentative.inventory.models import CapacityPool


@admin.register(CapacityPool)
class CapacityPoolAdmin(admin.ModelAdmin):
    # `taken` changes only through bookings; editing it here would break invariant 1.
    readonly_fields = ["taken", "set_aside"]
    list_display = ["__str__", "capacity", "taken", "set_aside"]
