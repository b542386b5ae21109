"""OutboxMessage and DeliveryAttempt now belong to the outbox app (outbox 0001): gone from
this app's state only, their tables and rows are left for the outbox app to take over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_split_pending_queues"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DeliveryAttempt"),
                migrations.DeleteModel(name="OutboxMessage"),
            ],
            database_operations=[],
        ),
    ]
