from django.urls import path

from tentative.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mail/", views.mail_list, name="mail"),
    path("mail/<int:message_id>/", views.mail_detail, name="mail_detail"),
    path("mail/<int:message_id>/raw/", views.mail_raw, name="mail_raw"),
    path("messages/<int:message_id>/resend/", views.resend_message, name="resend"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:endpoint_id>/", views.endpoint, name="endpoint"),
    path("webhooks/deliveries/<int:message_id>/", views.delivery, name="delivery"),
    path("settings/", views.notification_settings, name="settings"),
    path("templates/", views.templates, name="templates"),
    path("templates/<str:name>/<str:language>/", views.template_edit, name="template"),
]
