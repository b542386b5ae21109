"""Booking lines of every offer kind: a ticket on a date, or a service at a time with a
resource. Every line gets its start and end (tickets: copied from their date)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def times_from_dates(apps, schema_editor):
    BookingLine = apps.get_model("bookings", "BookingLine")
    EventDate = apps.get_model("catalog", "EventDate")
    dates = EventDate.objects.filter(id=OuterRef("event_date_id"))
    BookingLine.objects.update(
        starts_at=Subquery(dates.values("starts_at")[:1]),
        ends_at=Subquery(dates.values("ends_at")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0002_auditentry_moved_to_audit"),
        ("catalog", "0002_resources_and_services"),
    ]

    operations = [
        migrations.AddField(
            model_name="bookingline",
            name="ends_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="bookingline",
            name="resource",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="catalog.resource",
            ),
        ),
        migrations.AddField(
            model_name="bookingline",
            name="service",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="catalog.service",
            ),
        ),
        migrations.AddField(
            model_name="bookingline",
            name="service_price",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="catalog.serviceprice",
            ),
        ),
        migrations.AddField(
            model_name="bookingline",
            name="starts_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AlterField(
            model_name="bookingline",
            name="event_date",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="catalog.eventdate",
            ),
        ),
        migrations.AlterField(
            model_name="bookingline",
            name="ticket_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="catalog.tickettype",
            ),
        ),
        migrations.AddIndex(
            model_name="bookingline",
            index=models.Index(fields=["resource", "starts_at"], name="line_by_resource"),
        ),
        migrations.AddConstraint(
            model_name="bookingline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("event_date__isnull", False),
                        ("ticket_type__isnull", False),
                        ("resource", None),
                        ("service", None),
                        ("service_price", None),
                    ),
                    models.Q(
                        ("event_date", None),
                        ("ticket_type", None),
                        ("service__isnull", False),
                        ("service_price__isnull", False),
                        ("resource__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="line_is_one_kind_of_offer",
            ),
        ),
        migrations.RunPython(times_from_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="bookingline", name="starts_at", field=models.DateTimeField()
        ),
        migrations.AlterField(
            model_name="bookingline", name="ends_at", field=models.DateTimeField()
        ),
    ]
