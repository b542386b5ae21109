from django.contrib import admin

from tentative.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "topic", "status", "attempts"]
    list_filter = ["kind", "status"]
