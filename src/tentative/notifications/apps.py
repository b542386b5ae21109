from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tentative.notifications"
