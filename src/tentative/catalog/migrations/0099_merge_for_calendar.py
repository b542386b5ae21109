# Joins shop's catalog 0005_questions and avail's catalog 0007_staff_hours on the calendar
# branch only, so its tests can migrate. At the merge into main, delete this file once the
# lead has relinked the two (e.g. 0007_staff_hours depending on 0005_questions).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_questions"),
        ("catalog", "0007_staff_hours"),
    ]

    operations = []
