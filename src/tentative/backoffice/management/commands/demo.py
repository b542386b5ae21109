"""`tentative demo`: load demo data (once) and print the logins."""

from django.core.management.base import BaseCommand

from tentative.demo import create_demo


class Command(BaseCommand):
    help = "Create the demo organisation, staff accounts, events and bookings."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for label, value in create_demo().items():
            self.stdout.write(f"{label}: {value}")
