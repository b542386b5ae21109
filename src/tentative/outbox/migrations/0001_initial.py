"""The outbox moves here from the notifications app, keeping every row.

Its two tables already exist (made by notifications 0001-0003): this migration only tells
Django's state that the models are now ours, on those tables; notifications 0004 takes them
out of that app's state; outbox 0002 then renames the tables.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("bookings", "0001_initial"),
        ("notifications", "0003_split_pending_queues"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboxMessage",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("event", "Event"),
                                    ("email", "Email"),
                                    ("webhook", "Webhook"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("topic", models.CharField(max_length=64)),
                        ("payload", models.JSONField(default=dict)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("sent", "Sent"),
                                    ("dead", "Dead"),
                                ],
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("message_id", models.UUIDField(default=uuid.uuid4, unique=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("available_at", models.DateTimeField()),
                        ("leased_until", models.DateTimeField(blank=True, null=True)),
                        ("lease_token", models.UUIDField(blank=True, null=True)),
                        ("created_at", models.DateTimeField()),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        (
                            "booking",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="outbox",
                                to="bookings.booking",
                            ),
                        ),
                        (
                            "endpoint",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deliveries",
                                to="notifications.webhookendpoint",
                            ),
                        ),
                        (
                            "event",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="fanned_out",
                                to="outbox.outboxmessage",
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
                        "db_table": "notifications_outboxmessage",
                    },
                ),
                migrations.CreateModel(
                    name="DeliveryAttempt",
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
                        ("number", models.PositiveIntegerField()),
                        ("worker", models.CharField(max_length=120)),
                        ("started_at", models.DateTimeField()),
                        ("finished_at", models.DateTimeField()),
                        ("ok", models.BooleanField()),
                        ("status_code", models.IntegerField(blank=True, null=True)),
                        ("error", models.TextField(blank=True)),
                        ("response", models.TextField(blank=True)),
                        (
                            "message",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tries",
                                to="outbox.outboxmessage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notifications_deliveryattempt",
                        "ordering": ["started_at", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="outboxmessage",
                    index=models.Index(
                        condition=models.Q(("kind", "event"), ("status", "pending")),
                        fields=["available_at", "id"],
                        name="outbox_pending_events",
                    ),
                ),
                migrations.AddIndex(
                    model_name="outboxmessage",
                    index=models.Index(
                        condition=models.Q(
                            ("kind__in", ["email", "webhook"]), ("status", "pending")
                        ),
                        fields=["available_at", "id"],
                        name="outbox_pending_deliveries",
                    ),
                ),
                migrations.AddIndex(
                    model_name="outboxmessage",
                    index=models.Index(
                        fields=["organisation", "kind", "-created_at"], name="outbox_by_org"
                    ),
                ),
                migrations.AddIndex(
                    model_name="deliveryattempt",
                    index=models.Index(
                        fields=["message", "started_at"], name="notificatio_message_c5176b_idx"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
