"""`tentative release_reserves`: run the scheduled release of reserves once (cron or a worker)."""

from django.core.management.base import BaseCommand

from tentative.inventory.actions import release_due_reserves


class Command(BaseCommand):
    help = (
        "Return undrawn reserve places to general sale where their scheduled release has "
        "come, and queue the day-before notices (outbox events reserve.released and "
        "reserve.release_soon)."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        outcome = release_due_reserves()
        self.stdout.write(
            f"released={len(outcome.released)} places={sum(outcome.released.values())} "
            f"noticed={len(outcome.noticed)}"
        )
