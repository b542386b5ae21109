from django.contrib import admin

from tentative.audit.models import AuditEntry
from tentative.shared.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "from_state", "to_state"]
