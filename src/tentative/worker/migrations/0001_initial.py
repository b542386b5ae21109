"""ScheduleRun moves here from the notifications app, keeping every row.

The table exists (`notifications_schedulerun`, made by notifications 0002): this migration
only tells Django's state that the model is now ours, on that table; notifications 0005
takes it out of that app's state; worker 0002 then renames the table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("notifications", "0004_outbox_moved_to_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ScheduleRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=40, unique=True)),
                        ("next_run_at", models.DateTimeField()),
                        ("last_started_at", models.DateTimeField(blank=True, null=True)),
                        ("last_result", models.TextField(blank=True)),
                    ],
                    options={
                        "db_table": "notifications_schedulerun",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
