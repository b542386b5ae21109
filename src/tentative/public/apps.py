from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "tentative.public"
