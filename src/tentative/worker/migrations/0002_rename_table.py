"""The moved table takes the worker app's name (`worker_schedulerun`): a plain rename on
SQLite and PostgreSQL alike, rows and the unique name kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("worker", "0001_initial"),
        ("notifications", "0005_schedulerun_moved_to_worker"),
    ]

    operations = [
        migrations.AlterModelTable(name="schedulerun", table=None),
    ]
