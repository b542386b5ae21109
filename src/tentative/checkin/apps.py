from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "tentative.checkin"
    label = "checkin"
