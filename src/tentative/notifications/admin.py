from django.contrib import admin

from tentative.notifications.models import (
    CaughtMail,
    EmailTemplate,
    NotificationLog,
    NotificationSettings,
    ScheduleRun,
    WebhookEndpoint,
)
from tentative.outbox.models import DeliveryAttempt, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "topic", "status", "attempts"]
    list_filter = ["kind", "status"]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    list_display = ["started_at", "message", "number", "ok", "status_code", "worker"]
    list_filter = ["ok"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organisation", "active"]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "organisation", "updated_at"]


admin.site.register([NotificationSettings, NotificationLog, ScheduleRun, CaughtMail])
