"""The moved table takes the audit app's name (`audit_auditentry`): a plain rename on
SQLite and PostgreSQL alike, rows, indexes and constraints kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("bookings", "0002_auditentry_moved_to_audit"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditentry", table=None),
    ]
