"""The audit trail moves here from the bookings app, keeping every row.

The table already exists (`bookings_auditentry`, made by bookings 0001): this migration
only tells Django's state that the model is now ours, on that table; bookings 0002 takes
it out of the bookings app's state; audit 0002 then renames the table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("bookings", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
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
                        ("at", models.DateTimeField()),
                        ("actor_kind", models.CharField(max_length=16)),
                        ("actor_label", models.CharField(max_length=200)),
                        ("action", models.CharField(max_length=32)),
                        ("from_state", models.CharField(blank=True, max_length=16)),
                        ("to_state", models.CharField(blank=True, max_length=16)),
                        ("reason", models.TextField(blank=True)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        (
                            "actor_user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "booking",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="audit",
                                to="bookings.booking",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "audit entries",
                        "ordering": ["at", "id"],
                        "indexes": [
                            models.Index(
                                fields=["organisation", "at"],
                                name="bookings_au_organis_96bd5b_idx",
                            )
                        ],
                        "db_table": "bookings_auditentry",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
