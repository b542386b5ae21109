"""The notification pages of the back office, at /staff/notifications/ under their own
namespace (`notifications:`), as before they moved here."""

from django.urls import path

from tentative.backoffice import notifications

app_name = "notifications"
urlpatterns = [
    path("", notifications.dashboard, name="dashboard"),
    path("mail/", notifications.mail_list, name="mail"),
    path("mail/<int:message_id>/", notifications.mail_detail, name="mail_detail"),
    path("mail/<int:message_id>/raw/", notifications.mail_raw, name="mail_raw"),
    path("messages/<int:message_id>/resend/", notifications.resend_message, name="resend"),
    path("webhooks/", notifications.webhooks, name="webhooks"),
    path("webhooks/<int:endpoint_id>/", notifications.endpoint, name="endpoint"),
    path("webhooks/deliveries/<int:message_id>/", notifications.delivery, name="delivery"),
    path("settings/", notifications.notification_settings, name="settings"),
    path("templates/", notifications.templates, name="templates"),
    path("templates/<str:name>/<str:language>/", notifications.template_edit, name="template"),
]
