"""ScheduleRun now belongs to the worker app (worker 0001): gone from this app's state
only, its table and rows are left for the worker app to take over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_outbox_moved_to_outbox"),
        ("worker", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ScheduleRun")],
            database_operations=[],
        ),
    ]
