from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "tentative.outbox"
