from django.contrib import admin

from tentative.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "from_state", "to_state"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
