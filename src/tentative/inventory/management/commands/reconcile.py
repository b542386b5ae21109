"""`tentative reconcile`: recompute every pool from the bookings and report drift."""

from django.core.management.base import BaseCommand, CommandError

from tentative.inventory.capacity import reconcile


class Command(BaseCommand):
    help = (
        "Recompute each capacity pool's taken count from the bookings and set-aside count "
        "from its reserves, check each time claim against its booking; report any drift."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--fix", action="store_true", help="Write the recomputed counts.")

    def handle(self, *args, fix: bool = False, **options):  # type: ignore[no-untyped-def]
        drifts = reconcile(fix=fix)
        for d in drifts:
            self.stdout.write(str(d))
        self.stdout.write(f"drift={len(drifts)}")
        if drifts and not fix:
            raise CommandError(
                f"{len(drifts)} pool(s) or claim(s) drifted; run with --fix to repair"
            )
