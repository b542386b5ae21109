"""The moved tables take the outbox app's names (`outbox_outboxmessage`,
`outbox_deliveryattempt`): plain renames on SQLite and PostgreSQL alike, rows, indexes
and constraints kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("notifications", "0004_outbox_moved_to_outbox"),
    ]

    operations = [
        migrations.AlterModelTable(name="outboxmessage", table=None),
        migrations.AlterModelTable(name="deliveryattempt", table=None),
    ]
