from django.contrib import admin

from tentative.notifications.models import (
    CaughtMail,
    EmailTemplate,
    NotificationLog,
    NotificationSettings,
    WebhookEndpoint,
)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "organisation", "active"]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "organisation", "updated_at"]


admin.site.register([NotificationSettings, NotificationLog, CaughtMail])
