from django.contrib import admin

from tentative.outbox.models import DeliveryAttempt, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "topic", "status", "attempts"]
    list_filter = ["kind", "status"]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = ["started_at", "message", "number", "ok", "status_code", "worker"]
    list_filter = ["ok"]
